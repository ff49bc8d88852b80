"""Stocks measured at several dates in one scan: the twelve month-ends of the summary.

Why: the summary (« météo ») draws twelve months of each stock (orientation of the stock,
15 hours of activity, coverage of a need). Measured one date at a time, that is twelve scans
of the persons per objective, the largest part of a committee computed from scratch. Here one
scan tests the twelve dates side by side (a conditional sum per date), with the families' own
rules (``on_rsa`` of ``present_at``, ``active_on``, ``service_active``), so that each point
equals what the family gives at that date; ``tests/unit/test_history.py`` checks it on both
engines. Each point is published on its own (secrecy and rounding), exactly like the family's
headline value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import replace

from sqlalchemy import Connection, RowMapping, and_, case, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from data_access.schema import Commune, Need, PartnerService, ServiceThematique, ServiceZone
from metrics import catalog
from metrics.accompaniment import ACCOMPANIMENTS, active_on
from metrics.coverage import service_active, zone_holds_commune
from metrics.delays import TIMELINE
from metrics.population import P, on_rsa, on_rsa_between, person_conditions
from metrics.privacy import publish
from metrics.results import MetricResult
from metrics.scope import Scope
from metrics.spec import MetricContext
from metrics.sql import date_value

COVERAGE_PREFIX = "coverage_rate_"

# (points reached, persons counted) per date index
Counts = dict[int, tuple[int, int]]


def _flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """How many rows meet ``condition``."""
    return func.sum(case((condition, 1), else_=0))


def _pairs(row: RowMapping, size: int) -> Counts:
    """``hit_i`` and ``n_i`` of a one-row result, as counts per date index (a sum over no row
    is NULL: nobody)."""
    return {i: (int(row[f"hit_{i}"] or 0), int(row[f"n_{i}"] or 0)) for i in range(size)}


def _within(days: Sequence[dt.date]) -> ColumnElement[bool]:
    """On the RSA at one of ``days`` at least: what every conditional sum asks first, written
    once so that the scan skips the persons who entered after the last date or left before
    the first (the indexes on the entry date can serve it)."""
    return on_rsa_between(date_value(min(days)), date_value(max(days)))


def stock_counts(conn: Connection, scope: Scope, days: Sequence[dt.date]) -> Counts:
    """Persons present at each date, and those already oriented then (``orientation_stock``):
    two conditional sums per date over one scan of the persons and their timeline."""
    columns = []
    for i, day in enumerate(days):
        at = date_value(day)
        oriented = and_(on_rsa(at), TIMELINE.c.first_orientation_date <= at)
        columns += [_flag(on_rsa(at)).label(f"n_{i}"), _flag(oriented).label(f"hit_{i}")]
    row = conn.execute(
        select(*columns)
        .select_from(P.join(TIMELINE, TIMELINE.c.person_id == P.c.id))
        .where(*person_conditions(scope), _within(days))
    ).one()
    return _pairs(row._mapping, len(days))


def activity_counts(
    conn: Connection, scope: Scope, days: Sequence[dt.date], hours_min: float
) -> Counts:
    """Persons accompanied at each date, and those whose running accompaniments plan at least
    ``hours_min`` hours a week (the most among them; unknown hours do not reach it): per
    person, whether an accompaniment runs at each date and its most hours then, from one
    scan of the accompaniments."""
    # Per person and date, the most hours among the running accompaniments, an unknown
    # number of hours standing as −1: NULL then means « none running », so one aggregate per
    # date says both whether the person is accompanied and whether they reach the hours.
    hours = func.coalesce(ACCOMPANIMENTS.c.weekly_activity_hours, -1)
    per_person = [
        func.max(case((and_(on_rsa(at), active_on(at)), hours))).label(f"hours_{i}")
        for i, at in enumerate(date_value(day) for day in days)
    ]
    people = (
        select(*per_person)
        .select_from(ACCOMPANIMENTS.join(P, P.c.id == ACCOMPANIMENTS.c.person_id))
        .where(
            *person_conditions(scope),
            _within(days),
            ACCOMPANIMENTS.c.start_date <= date_value(max(days)),
            or_(
                ACCOMPANIMENTS.c.end_date.is_(None),
                ACCOMPANIMENTS.c.end_date > date_value(min(days)),
            ),
        )
        .group_by(ACCOMPANIMENTS.c.person_id)
        .subquery("accompanied")
    )
    columns = []
    for i in range(len(days)):
        columns += [
            _flag(people.c[f"hours_{i}"].is_not(None)).label(f"n_{i}"),
            _flag(people.c[f"hours_{i}"] >= hours_min).label(f"hit_{i}"),
        ]
    return _pairs(conn.execute(select(*columns)).one()._mapping, len(days))


def coverage_counts(
    conn: Connection, scope: Scope, days: Sequence[dt.date], category: str
) -> Counts:
    """Persons present with a need of ``category`` identified by each date, and those living
    in a commune that an active service of that category covered then: persons in need per
    commune and date, and the communes covered at each date, from one scan each."""
    dates = [date_value(day) for day in days]
    needs = conn.execute(
        select(
            P.c.commune_code.label("commune"),
            *(
                _flag(and_(on_rsa(at), Need.identified_date <= at)).label(f"persons_{i}")
                for i, at in enumerate(dates)
            ),
        )
        .select_from(Need.__table__.join(P, P.c.id == Need.person_id))
        .where(*person_conditions(scope), _within(days), Need.category == category)
        .group_by(P.c.commune_code)
    ).all()
    covered = {
        row.commune: row._mapping
        for row in conn.execute(
            select(
                Commune.code_insee.label("commune"),
                *(
                    func.max(case((service_active(at), 1), else_=0)).label(f"covered_{i}")
                    for i, at in enumerate(dates)
                ),
            )
            .select_from(Commune)
            .join(ServiceZone, zone_holds_commune())
            .join(PartnerService, PartnerService.id == ServiceZone.service_pk)
            .join(ServiceThematique, ServiceThematique.service_pk == PartnerService.id)
            .where(ServiceThematique.category == category)
            .group_by(Commune.code_insee)
        )
    }
    counts: Counts = {}
    for i in range(len(days)):
        persons = [(row.commune, int(row._mapping[f"persons_{i}"] or 0)) for row in needs]
        hit = sum(
            n for commune, n in persons if commune in covered and covered[commune][f"covered_{i}"]
        )
        counts[i] = (hit, sum(n for _, n in persons))
    return counts


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
