"""Shares of a delay counted in calendar months (« dans le mois », « en moins de trois mois »).

Why not Kaplan–Meier here: a delay in months has a different length in days for each person
(31 January + one month is 28 February, 15 March + one month is 15 April), so no single day
of a Kaplan–Meier curve answers it. Each person (or decision) is instead counted once its
deadline is behind the as-of date: the event came by the deadline (in the numerator), or the
deadline passed without it (in the denominator only). Counting early successes before the
deadline would flatter the latest months, whose misses are not known yet. Those who left
(exit, or a new decision that restarts the delay) before the deadline without the event are
left out, not counted as failures: the « mature cohort » reading DOMAIN.md allows.

The database returns one row per (month, UTAS, type, met, counted) with a number of persons:
aggregates only, like every delay query.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, Select

from metrics.cohorts import CohortStore, assemble, query_name
from metrics.population import label_for, ratio_row
from metrics.privacy import publish
from metrics.results import BreakdownRow, MetricResult
from metrics.scope import Scope
from metrics.spec import IndicatorSpec
from settings import Settings


@dataclass(frozen=True)
class DeadlineCell:
    """Persons (or decisions) of one group whose deadline is behind them."""

    month: str
    utas: str
    kind: str
    met: bool
    n: int


def deadline_cells(conn: Connection, query: Select) -> list[DeadlineCell]:
    """Run a query returning month, utas, kind, met (0/1), counted (0/1), n; keep counted."""
    return [
        DeadlineCell(row.month, row.utas, row.kind or "", bool(row.met), int(row.n))
        for row in conn.execute(query)
        if row.counted
    ]


def deadline_cells_of(
    store: CohortStore | None,
    conn: Connection,
    scope: Scope,
    query: Callable[[Scope], Select],
) -> list[DeadlineCell]:
    """``deadline_cells`` of ``query(scope)`` (a deadline query by cohort month), through
    ``store`` when there is one."""

    def fetch(at: Scope) -> list[DeadlineCell]:
        return deadline_cells(conn, query(at))

    if store is None:
        return fetch(scope)
    return assemble(store, query_name(query), scope, fetch)


def _rows(
    cells: Iterable[DeadlineCell], field: str, labels: dict[str, str] | None
) -> list[BreakdownRow]:
    met: dict[str, int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    for cell in cells:
        key = getattr(cell, field)
        total[key] += cell.n
        if cell.met:
            met[key] += cell.n
    return [
        ratio_row(key, label_for(field, key, labels), met[key], total[key]) for key in sorted(total)
    ]


def publish_deadline_share(
    spec: IndicatorSpec,
    settings: Settings,
    cells: list[DeadlineCell],
    kind_name: str | None = None,
    kind_labels: dict[str, str] | None = None,
) -> MetricResult:
    """Share of counted persons who met their deadline, by cohort month, UTAS (and type)."""
    met = sum(cell.n for cell in cells if cell.met)
    total = sum(cell.n for cell in cells)
    breakdowns = {
        "cohort_month": _rows(cells, "month", None),
        "utas": _rows(cells, "utas", None),
    }
    if kind_name:
        breakdowns[kind_name] = _rows(cells, "kind", kind_labels)
    return publish(
        spec, settings, met / total if total else None, float(met), float(total), breakdowns
    )
