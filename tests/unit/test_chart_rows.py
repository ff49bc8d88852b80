"""The charts read roadmap and governance rows by their shape (charts/rows.py) and keep their
own copy of the statuses and meeting kinds: the copy must stay the data's."""

from __future__ import annotations

from charts import rows
from charts.roadmap_timeline import MEETING_SYMBOLS, STATUS_COLORS, STATUS_SYMBOLS
from data_access import governance, roadmap, schema


def test_the_charts_know_every_status_and_meeting_kind_in_the_data_s_order():
    assert tuple(roadmap.STATUS_LABELS) == rows.STEP_STATUSES
    assert rows.CLOSED_STATUSES == roadmap.CLOSED_STATUSES
    assert rows.MEETING_KINDS == tuple(governance.MEETING_KIND_LABELS) == schema.MEETING_KINDS
    assert set(STATUS_COLORS) == set(STATUS_SYMBOLS) == set(rows.STEP_STATUSES)
    assert set(MEETING_SYMBOLS) == set(rows.MEETING_KINDS)
