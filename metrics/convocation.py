"""Entrants, delay to the first invitation or convocation, delay to the first appointment.

The roadmap asks that every entrant be convened within 15 days; delays are estimated with
Kaplan–Meier so that entrants not convened *yet* are censored, not dropped.
"""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from metrics.cohorts import delay_counts_of
from metrics.delays import (
    TIMELINE,
    entry_delay_counts,
    publish_median,
    publish_within,
    share_horizon,
)
from metrics.population import (
    P,
    check_territory,
    cohort_conditions,
    count_rows,
    persons_with_utas,
    utas_key,
)
from metrics.privacy import publish
from metrics.results import MetricResult
from metrics.scope import Scope
from metrics.spec import CurveQuery, Family, IndicatorSpec, MetricContext
from metrics.sql import month_bucket
from metrics.survival import DelayCounts

PAYER_LABELS = {"caf": "CAF", "msa": "MSA", "": "Payeur non renseigné"}

ENTRANTS = IndicatorSpec(
    id="entrants",
    label="Entrants soumis aux droits et devoirs",
    definition=(
        "Nombre de personnes soumises aux droits et devoirs dont la date d'entrée (T0) tombe "
        "dans la période (et au plus tard à la date d'observation)."
    ),
    formula="nombre de personnes avec début ≤ T0 ≤ fin",
    unit="count",
    breakdowns=("cohort_month", "utas", "payer"),
)
CONVOCATION_WITHIN = IndicatorSpec(
    id="convocation_within_15d_rate",
    label="Part des entrants convoqués sous {convocation_days} jours",
    definition=(
        "Part estimée des entrants de la période ayant reçu une première invitation ou "
        "convocation dans les {convocation_days} jours suivant leur entrée. Les personnes pas "
        "encore "
        "convoquées à la date d'observation (ou sorties avant) sont censurées (Kaplan–Meier)."
    ),
    formula=(
        "1 − S({convocation_days}), S estimée par Kaplan–Meier sur le délai T0 → premier envoi ; "
        "non estimable tant qu'aucune personne n'a été suivie {convocation_days} jours"
    ),
    unit="ratio",
    target=lambda s: 1.0,
    target_source="Feuille de route",
    breakdowns=("cohort_month", "utas"),
)
CONVOCATION_MEDIAN = IndicatorSpec(
    id="convocation_median_days",
    label="Délai médian de convocation",
    definition=(
        "Nombre de jours au bout duquel la moitié des entrants a reçu une première invitation "
        "ou convocation (estimation Kaplan–Meier, censure à la sortie ou à la date "
        "d'observation)."
    ),
    formula="plus petit t tel que S(t) ≤ 0,5",
    unit="days",
    target=lambda s: float(s.convocation_days),
    target_source="Feuille de route",
    higher_is_better=False,
    breakdowns=("cohort_month", "utas"),
)
FIRST_APPOINTMENT_MEDIAN = IndicatorSpec(
    id="first_appointment_median_days",
    label="Délai médian jusqu'au premier rendez-vous honoré",
    definition=(
        "Nombre de jours au bout duquel la moitié des entrants a honoré un premier rendez-vous "
        "d'orientation (statut « venu »), estimé par Kaplan–Meier."
    ),
    formula="plus petit t tel que S(t) ≤ 0,5 ; évènement = premier RDV d'orientation « seen »",
    unit="days",
    higher_is_better=False,
    breakdowns=("cohort_month", "utas"),
)


def convocation_counts(conn: Connection, scope: Scope, horizon: int | None = None) -> DelayCounts:
    """T0 → first invitation or convocation sent (reminders are later sends anyway)."""
    return entry_delay_counts(conn, scope, TIMELINE.c.first_invitation_date, horizon)


def first_appointment_counts(conn: Connection, scope: Scope) -> DelayCounts:
    """T0 → first orientation appointment the person attended."""
    return entry_delay_counts(conn, scope, TIMELINE.c.first_seen_date)


def entrants_result(conn: Connection, context: MetricContext) -> MetricResult:
    """Cohort size with counts by entry month, UTAS and payer."""
    month = month_bucket(P.c.entry_date).label("month")
    utas = utas_key().label("utas")
    payer = func.coalesce(P.c.payer, "").label("payer")
    rows = conn.execute(
        select(month, utas, payer, func.count().label("n"))
        .select_from(persons_with_utas())
        .where(*cohort_conditions(context.scope))
        .group_by(month, utas, payer)
    ).all()

    def totals(field: str) -> list[tuple[str, int]]:
        sums: dict[str, int] = {}
        for row in rows:
            key = getattr(row, field)
            sums[key] = sums.get(key, 0) + int(row.n)
        return list(sums.items())

    return publish(
        ENTRANTS,
        context.settings,
        float(sum(int(row.n) for row in rows)),
        breakdowns={
            "cohort_month": count_rows(totals("month"), "month"),
            "utas": count_rows(totals("utas"), "utas"),
            "payer": count_rows(totals("payer"), "payer", PAYER_LABELS),
        },
    )


def compute(context: MetricContext) -> dict[str, MetricResult]:
    """Every indicator of the family for one scope."""
    settings = context.settings
    with context.engine.connect() as conn:
        check_territory(conn, context.scope.territory)
        results = []
        if context.wants(ENTRANTS.id):
            results.append(entrants_result(conn, context))
        if context.wants(CONVOCATION_WITHIN.id, CONVOCATION_MEDIAN.id):
            median = context.wants(CONVOCATION_MEDIAN.id)
            horizon = None if median else share_horizon(settings.convocation_days)
            convocation = delay_counts_of(
                context.cohorts, conn, context.scope, convocation_counts, horizon
            )
            results.append(
                publish_within(CONVOCATION_WITHIN, settings, convocation, settings.convocation_days)
            )
            if median:
                results.append(
                    publish_median(
                        CONVOCATION_MEDIAN,
                        settings,
                        convocation,
                        mature_days=settings.convocation_days,
                    )
                )
        if context.wants(FIRST_APPOINTMENT_MEDIAN.id):
            appointment = delay_counts_of(
                context.cohorts, conn, context.scope, first_appointment_counts
            )
            results.append(publish_median(FIRST_APPOINTMENT_MEDIAN, settings, appointment))
    return {result.id: result for result in results}


# The counting query behind each delay indicator that has a Kaplan–Meier curve.
CURVES: dict[str, CurveQuery] = {
    CONVOCATION_WITHIN.id: convocation_counts,
    CONVOCATION_MEDIAN.id: convocation_counts,
    FIRST_APPOINTMENT_MEDIAN.id: first_appointment_counts,
}

FAMILY = Family(
    name="convocation",
    label="Entrées et convocation",
    indicators=(ENTRANTS, CONVOCATION_WITHIN, CONVOCATION_MEDIAN, FIRST_APPOINTMENT_MEDIAN),
    compute=compute,
    curves=CURVES,
)
