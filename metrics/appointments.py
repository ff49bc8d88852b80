"""No-show rate at orientation appointments, overall and by how the appointment was booked.

Why split by ``booked_after``: an invitation lets the person choose the slot, a convocation
imposes it; the département compares their no-show rates to choose between them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from sqlalchemy import Connection, func, select

from metrics.population import (
    APPOINTMENTS,
    P,
    check_territory,
    cohort_last_day,
    label_for,
    person_conditions,
    persons_with_utas,
    ratio_row,
    utas_key,
)
from metrics.privacy import mask_result, masked_row, publish, suppress_table
from metrics.results import BreakdownRow, MetricResult
from metrics.spec import Family, IndicatorSpec, MetricContext
from metrics.sql import date_value, month_bucket

BOOKED_LABELS = {
    "invitation": "Après invitation",
    "convocation": "Après convocation",
    "": "Mode de prise non renseigné",
}
_DEFINITION = (
    "Part des rendez-vous d'orientation datés dans la période (et au plus tard à la date "
    "d'observation) où la personne ne s'est pas présentée sans prévenir. Les rendez-vous au "
    "statut inconnu (à venir ou à préciser) sont exclus."
)
_FORMULA = "absents ÷ (venus + excusés + annulés + absents)"

NO_SHOW = IndicatorSpec(
    id="no_show_rate",
    label="Taux d'absence aux rendez-vous d'orientation",
    definition=_DEFINITION,
    formula=_FORMULA,
    unit="ratio",
    higher_is_better=False,
    breakdowns=("cohort_month", "utas", "booked_after"),
)
NO_SHOW_INVITATION = IndicatorSpec(
    id="no_show_rate_after_invitation",
    label="Taux d'absence après invitation",
    definition=_DEFINITION + " Rendez-vous pris par la personne après une invitation.",
    formula=_FORMULA + " ; rendez-vous pris après invitation",
    unit="ratio",
    higher_is_better=False,
    breakdowns=("cohort_month", "utas"),
)
NO_SHOW_CONVOCATION = IndicatorSpec(
    id="no_show_rate_after_convocation",
    label="Taux d'absence après convocation",
    definition=_DEFINITION + " Rendez-vous fixés par l'agent (convocation).",
    formula=_FORMULA + " ; rendez-vous fixés par convocation",
    unit="ratio",
    higher_is_better=False,
    breakdowns=("cohort_month", "utas"),
)


BOOKED_SUB_INDICATORS = {"invitation": NO_SHOW_INVITATION, "convocation": NO_SHOW_CONVOCATION}


def _rows(conn: Connection, context: MetricContext):
    """Appointments by (month, UTAS, booked_after, no-show flag): aggregates only."""
    scope = context.scope
    month = month_bucket(APPOINTMENTS.c.date).label("month")
    utas = utas_key().label("utas")
    booked = func.coalesce(APPOINTMENTS.c.booked_after, "").label("booked")
    noshow = (APPOINTMENTS.c.status == "noshow").label("noshow")
    query = (
        select(month, utas, booked, noshow, func.count().label("n"))
        .select_from(persons_with_utas().join(APPOINTMENTS, APPOINTMENTS.c.person_id == P.c.id))
        .where(
            *person_conditions(scope),
            APPOINTMENTS.c.purpose == "orientation",
            APPOINTMENTS.c.status != "unknown",
            APPOINTMENTS.c.date >= date_value(scope.start),
            APPOINTMENTS.c.date <= date_value(cohort_last_day(scope)),
            APPOINTMENTS.c.date >= P.c.entry_date,
        )
        .group_by(month, utas, booked, noshow)
    )
    return conn.execute(query).all()


def _result(spec: IndicatorSpec, context: MetricContext, rows, by_booked: bool) -> MetricResult:
    def split(field: str) -> list[BreakdownRow]:
        num: dict[str, int] = defaultdict(int)
        den: dict[str, int] = defaultdict(int)
        for row in rows:
            key = getattr(row, field)
            den[key] += int(row.n)
            num[key] += int(row.n) if row.noshow else 0
        kind = {"month": "month", "utas": "utas", "booked": "booked"}[field]
        return [
            ratio_row(key, label_for(kind, key, BOOKED_LABELS), num[key], den[key])
            for key in sorted(den)
        ]

    numerator = sum(int(row.n) for row in rows if row.noshow)
    denominator = sum(int(row.n) for row in rows)
    breakdowns = {"cohort_month": split("month"), "utas": split("utas")}
    if by_booked:
        breakdowns["booked_after"] = split("booked")
    return publish(
        spec,
        context.settings,
        numerator / denominator if denominator else None,
        float(numerator),
        float(denominator),
        breakdowns,
    )


def _protect_sub_indicator(
    result: MetricResult, booked: str, total: MetricResult, rows, threshold: int
) -> MetricResult:
    """Mask a per-booking-mode indicator so it cannot undo the secrecy of the overall one.

    The overall rate is published with its ``booked_after`` breakdown, and the two
    sub-indicators repeat two of those rows: total − invitation − convocation would give the
    masked « non renseigné » group away. So a sub-indicator whose row is masked there is masked
    whole, and its month and UTAS rows follow a two-way suppression (key × booking mode, the
    unknown mode being unpublished) against the overall rate's rows.
    """
    row = {r.key: r for r in total.breakdowns.get("booked_after", ())}.get(booked)
    if row is None:
        return result  # no appointment booked this way: nothing to hide
    if row.suppressed:
        return mask_result(result)
    breakdowns = {}
    for name, field in (("cohort_month", "month"), ("utas", "utas")):
        cells: dict[tuple[str, str], float] = defaultdict(float)
        for r in rows:
            cells[(getattr(r, field), r.booked)] += int(r.n)
        unpublished = [key for key in cells if key[1] not in BOOKED_SUB_INDICATORS]
        masked = suppress_table(cells, threshold, unpublished)
        breakdowns[name] = tuple(
            masked_row(r) if r.suppressed or (r.key, booked) in masked else r
            for r in result.breakdowns[name]
        )
    return replace(result, breakdowns=breakdowns)


def compute(context: MetricContext) -> dict[str, MetricResult]:
    """Every indicator of the family for one scope."""
    with context.engine.connect() as conn:
        check_territory(conn, context.scope.territory)
        rows = _rows(conn, context)
    total = _result(NO_SHOW, context, rows, by_booked=True)
    results = [total]
    for booked, spec in BOOKED_SUB_INDICATORS.items():
        kept = [row for row in rows if row.booked == booked]
        results.append(
            _protect_sub_indicator(
                _result(spec, context, kept, by_booked=False),
                booked,
                total,
                rows,
                context.settings.secrecy_threshold,
            )
        )
    return {result.id: result for result in results}


FAMILY = Family(
    name="appointments",
    label="Rendez-vous",
    indicators=(NO_SHOW, NO_SHOW_INVITATION, NO_SHOW_CONVOCATION),
    compute=compute,
)
