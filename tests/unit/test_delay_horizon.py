"""A share within X days reads durations only up to X: beyond it, every duration is read as
X + 1. Kaplan–Meier up to X and the events by X are unchanged, on every breakdown row, while
the database sends far fewer cells (both engines, on the demo)."""

from __future__ import annotations

import datetime as dt

import pytest

from data_access.demo.generate import generate_demo
from metrics import convocation, orientation
from metrics.delays import delay_breakdowns, within_row
from metrics.scope import Scope
from metrics.spec import MetricContext

SCOPE = Scope.build(dt.date(2023, 3, 1), dt.date(2024, 6, 30))


@pytest.fixture
def demo(db):
    generate_demo(db.engine, db.settings, scale=800, seed=12, as_of=dt.date(2025, 6, 30))
    return db


@pytest.mark.parametrize(
    ("counts", "days"),
    [
        (convocation.convocation_counts, 15),
        (orientation.legal_orientation_counts, 42),
        (convocation.convocation_counts, 7.5),
    ],
)
def test_capped_durations_give_the_same_share_within(demo, counts, days):
    with demo.engine.connect() as conn:
        whole = counts(conn, SCOPE)
        capped = counts(conn, SCOPE, horizon=int(-(-days // 1)))
    assert whole.size == capped.size > 100
    assert len(capped.cells) < len(whole.cells)
    row = within_row(days)
    assert row("", "", capped) == row("", "", whole)
    assert delay_breakdowns(capped, row) == delay_breakdowns(whole, row)


@pytest.mark.parametrize(
    ("family", "within"),
    [
        (convocation.FAMILY, "convocation_within_15d_rate"),
        (orientation.FAMILY, "orientation_within_legal_delay_rate"),
    ],
)
def test_a_share_asked_alone_equals_the_share_computed_with_its_family(demo, family, within):
    alone = MetricContext(demo.engine, demo.settings, SCOPE, frozenset({within}))
    assert (
        family.compute(alone)[within]
        == family.compute(MetricContext(demo.engine, demo.settings, SCOPE))[within]
    )
