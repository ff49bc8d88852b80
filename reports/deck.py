"""The committee deck as a document: gather the figures, have ``charts/deck.py`` draw them,
keep what was presented.

The command line (``pilotage export deck``) and the « Comité de suivi » page both come here,
so the deck handed out is the same and its figures are stored once, as the snapshot the next
committee compares with (« Présenté le … »). The page gathers its ``CommitteeData`` itself
(with its cached results, to show them) and passes it to :func:`deck_and_snapshot`; the command
line calls :func:`export_deck`, which gathers first.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine

from charts.deck import build_deck
from charts.texts import cohort_label
from data_access.snapshots import save_snapshot
from metrics.committee import CommitteeData, Compute, deck_scope, gather_committee
from metrics.scope import Territory
from settings import Settings


def snapshot_figures(data: CommitteeData) -> dict[str, Any]:
    """The figures a deck presents, as stored in its snapshot (JSON-friendly)."""
    figures: dict[str, Any] = {}
    for metric_id, whole in data.current.items():
        result = whole.reported  # what the deck shows: the mature cohort's for a share
        figures[metric_id] = {
            "label": data.label(metric_id),
            "unit": result.unit,
            "value": None if result.suppressed else result.value,
            "suppressed": result.suppressed,
            "numerator": None if result.suppressed else result.numerator,
            "denominator": None if result.suppressed else result.denominator,
            "target": result.target,
            "status": result.status,
            "rounding": result.rounding,
            "cohort": cohort_label(whole),
        }
    return figures


def deck_and_snapshot(engine: Engine, data: CommitteeData) -> bytes:
    """Build the deck and store its figures as the committee's snapshot."""
    content = build_deck(data)
    save_snapshot(
        engine,
        committee_date=data.committee_date,
        period_from=data.scope.start,
        period_to=data.scope.end,
        as_of=data.scope.as_of,
        figures=snapshot_figures(data),
        scope=deck_scope(data.scope.territory, data.scope.payer),
    )
    return content


def export_deck(
    engine: Engine,
    settings: Settings,
    *,
    period_from: dt.date,
    period_to: dt.date,
    as_of: dt.date | None = None,
    committee_date: dt.date | None = None,
    territory: Territory | None = None,
    payer: str | None = None,
    compute: Compute | None = None,
) -> bytes:
    """Gather, build and snapshot the deck of one committee (the command line's entry point)."""
    data = gather_committee(
        engine,
        settings,
        committee_date or period_to,
        period_from=period_from,
        period_to=period_to,
        as_of=as_of,
        territory=territory,
        payer=payer,
        compute=compute,
    )
    return deck_and_snapshot(engine, data)
