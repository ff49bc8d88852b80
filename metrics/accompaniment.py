"""Accompaniment at the as-of date: weekly activity hours and referents' caseloads.

Both are states at one date (not flows): who is accompanied on the as-of date, how many hours
of activity they have planned, how many persons each referent follows.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import replace
from typing import Any

from sqlalchemy import (
    CTE,
    Connection,
    Row,
    Select,
    and_,
    case,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.sql.elements import ColumnElement

from metrics.population import (
    ACCOMPANIMENTS,
    P,
    check_territory,
    label_for,
    persons_with_utas,
    present_at,
    ratio_row,
    utas_key,
)
from metrics.privacy import publish
from metrics.results import BreakdownRow, MetricResult
from metrics.scope import Scope
from metrics.spec import Family, IndicatorSpec, MetricContext
from metrics.sql import date_value, month_bucket

ACTIVITY = IndicatorSpec(
    id="activity_15h_rate",
    label=(
        "Part des personnes accompagnées avec au moins {activity_hours_min} h d'activité par "
        "semaine"
    ),
    definition=(
        "Parmi les personnes soumises aux droits et devoirs présentes à la date d'observation "
        "(sans sortie à cette date ou avant) et ayant un accompagnement en cours, part dont "
        "les heures d'activité hebdomadaires prévues (maximum sur leurs accompagnements en "
        "cours) atteignent {activity_hours_min} heures. Des heures non renseignées comptent comme "
        "non atteintes."
    ),
    formula="personnes accompagnées avec heures ≥ {activity_hours_min} ÷ personnes accompagnées",
    unit="ratio",
    target=lambda s: 1.0,
    target_source="Loi plein emploi",
    breakdowns=("cohort_month", "utas"),
)
CASELOAD = IndicatorSpec(
    id="caseload_median",
    label="Nombre médian de personnes suivies par référent",
    definition=(
        "Médiane, sur les référents, du nombre de personnes distinctes qu'ils accompagnent à "
        "la date d'observation (personnes soumises aux droits et devoirs, non sorties). Les "
        "expérimentations visent 50 à 70 personnes par référent."
    ),
    formula="médiane des portefeuilles (personnes distinctes par référent)",
    unit="count",
    target=lambda s: 70.0,
    target_source="Expérimentation",
    higher_is_better=False,
    breakdowns=("utas",),
    target_departement_only=True,
)


def active_at(scope: Scope) -> ColumnElement[bool]:
    """Accompaniments running at the as-of date: started, and not ended on or before it.

    Always used with ``present_at``: an accompaniment left open after the person's exit from
    the RSA (a closing date the partner never recorded) does not make them accompanied."""
    return active_on(date_value(scope.as_of))


def active_on(as_of: ColumnElement[dt.date]) -> ColumnElement[bool]:
    """``active_at`` for an as-of date given as an SQL expression (several dates at once)."""
    return and_(
        ACCOMPANIMENTS.c.start_date <= as_of,
        or_(ACCOMPANIMENTS.c.end_date.is_(None), ACCOMPANIMENTS.c.end_date > as_of),
        ACCOMPANIMENTS.c.start_date >= P.c.entry_date,
    )


def _active(scope: Scope) -> CTE:
    """Running accompaniments at as-of, each with its person, the person's entry month and
    UTAS: the one scan of the persons and their accompaniments that both aggregates read."""
    return (
        select(
            P.c.id.label("person_id"),
            month_bucket(P.c.entry_date).label("month"),
            utas_key().label("utas"),
            ACCOMPANIMENTS.c.referent_key,
            ACCOMPANIMENTS.c.weekly_activity_hours.label("hours"),
        )
        .select_from(persons_with_utas().join(ACCOMPANIMENTS, ACCOMPANIMENTS.c.person_id == P.c.id))
        .where(*present_at(scope), active_at(scope))
        .cte("active")
    )


def _hours(active: CTE, hours_min: float) -> Select[Any]:
    """Accompanied persons by entry month, UTAS and whether their most hours reach the
    minimum (unknown hours do not)."""
    people = (
        select(active.c.month, active.c.utas, func.max(active.c.hours).label("hours"))
        .group_by(active.c.person_id, active.c.month, active.c.utas)
        .subquery("activity_hours")
    )
    reached = case((people.c.hours >= hours_min, 1), else_=0).label("reached")
    return select(
        literal("hours").label("kind"),
        people.c.month,
        people.c.utas,
        literal("").label("referent_key"),
        reached,
        func.count().label("n"),
    ).group_by(people.c.month, people.c.utas, reached)


def _caseloads(active: CTE) -> Select[Any]:
    """Distinct persons per referent and UTAS."""
    return select(
        literal("caseload").label("kind"),
        literal("").label("month"),
        active.c.utas,
        active.c.referent_key,
        literal(0).label("reached"),
        func.count(func.distinct(active.c.person_id)).label("n"),
    ).group_by(active.c.referent_key, active.c.utas)


def _accompanied(
    conn: Connection, context: MetricContext, with_caseloads: bool
) -> tuple[list[Row[Any]], list[Row[Any]]]:
    """Persons accompanied at as-of by entry month, UTAS and whether they reach the hours;
    with ``with_caseloads``, also the distinct persons of each referent per UTAS.

    One statement and one scan: the running accompaniments with their person's month and UTAS
    (``_active``) are read by both aggregates, which the databases compute from that one scan
    (a common table expression read twice is computed once by PostgreSQL and SQLite), instead
    of joining persons, communes and accompaniments once per indicator. The caseload's persons
    per UTAS are the first aggregate's counts (same persons, same date)."""
    active = _active(context.scope)
    hours = _hours(active, context.settings.activity_hours_min)
    query = union_all(hours, _caseloads(active)) if with_caseloads else hours
    rows = conn.execute(query).all()
    return (
        [row for row in rows if row.kind == "hours"],
        [row for row in rows if row.kind == "caseload"],
    )


def _activity(context: MetricContext, rows: list[Row[Any]]) -> MetricResult:
    """The share of accompanied persons planning the hours, by entry month and UTAS."""

    def split(field: str) -> list[BreakdownRow]:
        num: dict[str, int] = defaultdict(int)
        den: dict[str, int] = defaultdict(int)
        for row in rows:
            key = getattr(row, field)
            den[key] += int(row.n)
            num[key] += int(row.n) if row.reached else 0
        return [ratio_row(key, label_for(field, key), num[key], den[key]) for key in sorted(den)]

    count = sum(int(row.n) for row in rows if row.reached)
    total = sum(int(row.n) for row in rows)
    return publish(
        ACTIVITY,
        context.settings,
        count / total if total else None,
        float(count),
        float(total),
        {"cohort_month": split("month"), "utas": split("utas")},
    )


def _median(values: list[int]) -> float | None:
    return float(statistics.median(values)) if values else None


def _caseload(
    context: MetricContext, accompanied: list[Row[Any]], per_referent: list[Row[Any]]
) -> MetricResult:
    """Distinct persons per referent (and per referent within each UTAS) at as-of; the
    persons accompanied per UTAS are those of ``accompanied`` (same persons, same date)."""
    scope = context.scope
    persons_by_utas: dict[str, int] = defaultdict(int)
    for row in accompanied:
        persons_by_utas[row.utas] += int(row.n)
    overall: dict[str, int] = defaultdict(int)
    by_utas: dict[str, list[int]] = defaultdict(list)
    for row in per_referent:
        # A person lives in one commune, hence one UTAS: summing over UTAS stays distinct.
        overall[row.referent_key] += int(row.n)
        by_utas[row.utas].append(int(row.n))
    rows = [
        BreakdownRow(
            key,
            label_for("utas", key),
            _median(by_utas[key]),
            float(persons_by_utas.get(key, 0)),
            float(len(by_utas[key])),
        )
        for key in sorted(by_utas)
    ]
    result = publish(
        CASELOAD,
        context.settings,
        _median(list(overall.values())),
        float(sum(persons_by_utas.values())),
        float(len(overall)),
        {"utas": rows},
        size_field="numerator",
    )
    if scope.territory is not None and scope.territory.level == "commune" and not result.suppressed:
        # Within one commune a referent's count is a sliver of their portfolio: comparing it
        # with the 70-person target would always read « atteint ». Shown, without a verdict.
        return replace(result, target=None, status="sans_cible")
    return result


def compute(context: MetricContext) -> dict[str, MetricResult]:
    """Every indicator of the family for one scope."""
    with context.engine.connect() as conn:
        check_territory(conn, context.scope.territory)
        caseload = context.wants(CASELOAD.id)
        accompanied, per_referent = _accompanied(conn, context, with_caseloads=caseload)
        results = []
        if context.wants(ACTIVITY.id):
            results.append(_activity(context, accompanied))
        if caseload:
            results.append(_caseload(context, accompanied, per_referent))
    return {result.id: result for result in results}


FAMILY = Family(
    name="accompaniment",
    label="Accompagnement",
    indicators=(ACTIVITY, CASELOAD),
    compute=compute,
    as_of_only=True,
)
