"""Stocks measured at several dates in one grouped query: the twelve month-ends of the summary.

Why: the summary (« météo ») draws twelve months of each stock (orientation of the stock,
15 hours of activity, coverage of a need). Measured one date at a time, that is twelve scans
of the persons per objective, the largest part of a committee computed from scratch. Here the
dates are a small table joined to the persons, and the rules are the families' own
(``present_on``, ``active_on``, ``service_active`` with the date taken from that table), so
that each point equals what the family gives at that date; ``tests/unit/test_history.py``
checks it on both engines. Each point is published on its own (secrecy and rounding), exactly
like the family's headline value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import Connection, Integer, and_, case, func, literal, select, true, union_all
from sqlalchemy.sql.selectable import Select, Subquery

from data_access.schema import Commune, Need, PartnerService, ServiceThematique, ServiceZone
from metrics import catalog
from metrics.accompaniment import ACCOMPANIMENTS, active_on
from metrics.coverage import service_active, zone_holds_commune
from metrics.delays import TIMELINE, persons_with_timeline
from metrics.population import P, present_on
from metrics.privacy import publish
from metrics.results import MetricResult
from metrics.scope import Scope
from metrics.spec import MetricContext
from metrics.sql import date_value

COVERAGE_PREFIX = "coverage_rate_"

# (points reached, persons counted) per date index; a date with nobody is absent
Counts = dict[int, tuple[int, int]]


def as_of_dates(days: Sequence[dt.date]) -> Subquery:
    """The dates as a small table (``idx``, ``as_of``): a UNION ALL of constant rows, which
    both engines read (SQLite cannot name the columns of a VALUES list)."""
    rows = [
        select(literal(index, Integer).label("idx"), date_value(day).label("as_of"))
        for index, day in enumerate(days)
    ]
    return union_all(*rows).subquery("as_of_dates")


def _counts(conn: Connection, query: Select[Any]) -> Counts:
    return {int(row.idx): (int(row.hit or 0), int(row.n)) for row in conn.execute(query)}


def stock_counts(conn: Connection, scope: Scope, days: Sequence[dt.date]) -> Counts:
    """Persons present at each date, and those already oriented then (``orientation_stock``)."""
    dates = as_of_dates(days)
    oriented = case((TIMELINE.c.first_orientation_date <= dates.c.as_of, 1), else_=0)
    return _counts(
        conn,
        select(dates.c.idx, func.sum(oriented).label("hit"), func.count().label("n"))
        .select_from(persons_with_timeline().join(dates, true()))
        .where(*present_on(scope, dates.c.as_of))
        .group_by(dates.c.idx),
    )


def activity_counts(
    conn: Connection, scope: Scope, days: Sequence[dt.date], hours_min: float
) -> Counts:
    """Persons accompanied at each date, and those whose running accompaniments plan at least
    ``hours_min`` hours a week (the most among them; unknown hours do not reach it)."""
    dates = as_of_dates(days)
    hours = (
        select(
            dates.c.idx,
            ACCOMPANIMENTS.c.person_id,
            func.max(ACCOMPANIMENTS.c.weekly_activity_hours).label("hours"),
        )
        .select_from(
            ACCOMPANIMENTS.join(P, P.c.id == ACCOMPANIMENTS.c.person_id).join(dates, true())
        )
        .where(*present_on(scope, dates.c.as_of), active_on(dates.c.as_of))
        .group_by(dates.c.idx, ACCOMPANIMENTS.c.person_id)
        .subquery("activity_hours")
    )
    reached = case((hours.c.hours >= hours_min, 1), else_=0)
    return _counts(
        conn,
        select(hours.c.idx, func.sum(reached).label("hit"), func.count().label("n")).group_by(
            hours.c.idx
        ),
    )


def coverage_counts(
    conn: Connection, scope: Scope, days: Sequence[dt.date], category: str
) -> Counts:
    """Persons present with a need of ``category`` identified by each date, and those living
    in a commune that an active service of that category covered then."""
    dates = as_of_dates(days)
    needs = (
        select(
            dates.c.idx,
            dates.c.as_of,
            P.c.commune_code.label("commune"),
            func.count().label("persons"),
        )
        .select_from(Need.__table__.join(P, P.c.id == Need.person_id).join(dates, true()))
        .where(
            *present_on(scope, dates.c.as_of),
            Need.identified_date <= dates.c.as_of,
            Need.category == category,
        )
        .group_by(dates.c.idx, dates.c.as_of, P.c.commune_code)
        .subquery("needs")
    )
    covered = (
        select(dates.c.idx, Commune.code_insee.label("commune"))
        .select_from(Commune)
        .join(ServiceZone, zone_holds_commune())
        .join(PartnerService, PartnerService.id == ServiceZone.service_pk)
        .join(ServiceThematique, ServiceThematique.service_pk == PartnerService.id)
        .join(dates, true())
        .where(service_active(dates.c.as_of), ServiceThematique.category == category)
        .distinct()
        .subquery("covered")
    )
    hit = case((covered.c.commune.is_not(None), needs.c.persons), else_=0)
    return _counts(
        conn,
        select(needs.c.idx, func.sum(hit).label("hit"), func.sum(needs.c.persons).label("n"))
        .select_from(
            needs.outerjoin(
                covered, and_(covered.c.idx == needs.c.idx, covered.c.commune == needs.c.commune)
            )
        )
        .group_by(needs.c.idx),
    )


CountsAt = Callable[[Connection, MetricContext, Sequence[dt.date], str], Counts]


def _stock(conn: Connection, context: MetricContext, days: Sequence[dt.date], _id: str) -> Counts:
    return stock_counts(conn, context.scope, days)


def _activity(
    conn: Connection, context: MetricContext, days: Sequence[dt.date], _id: str
) -> Counts:
    return activity_counts(conn, context.scope, days, context.settings.activity_hours_min)


def _coverage(
    conn: Connection, context: MetricContext, days: Sequence[dt.date], metric_id: str
) -> Counts:
    return coverage_counts(conn, context.scope, days, metric_id.removeprefix(COVERAGE_PREFIX))


_GROUPED: dict[str, CountsAt] = {
    "stock_orientation_rate": _stock,
    "activity_15h_rate": _activity,
}


def grouped_for(metric_id: str) -> CountsAt | None:
    """The grouped query of an indicator, or None when it is measured one date at a time."""
    if metric_id.startswith(COVERAGE_PREFIX):
        return _coverage
    return _GROUPED.get(metric_id)


def shares_at(
    context: MetricContext, metric_id: str, days: Sequence[dt.date]
) -> list[MetricResult] | None:
    """The indicator at each of ``days`` (published: masked, rounded), in their order; None
    when it has no grouped query."""
    grouped = grouped_for(metric_id)
    if grouped is None:
        return None
    with context.engine.connect() as conn:
        counts = grouped(conn, context, days, metric_id)
    spec = replace(catalog.spec_for(metric_id), id=metric_id)  # a category's own id
    results = []
    for index in range(len(days)):
        hit, total = counts.get(index, (0, 0))
        results.append(
            publish(
                spec,
                context.settings,
                hit / total if total else None,
                float(hit),
                float(total),
            )
        )
    return results
