"""Contractualisation: delay from the first orientation to the first contract signed.

The cohort here is not the entrants but the persons whose *first* orientation decision is
dated in the period: the law counts one month from the orientation, so T0 is that decision.
"""

from __future__ import annotations

from sqlalchemy import Connection, and_, func, select

from metrics.cohort import (
    CONTRACTS,
    C,
    DelayCounts,
    P,
    check_territory,
    cohort_last_day,
    delay_counts,
    first_orientation,
    observation_end,
    person_conditions,
    persons_with_utas,
    publish_mean,
    publish_within,
    utas_key,
)
from metrics.orientation import TYPE_LABELS
from metrics.results import MetricResult
from metrics.scope import Scope
from metrics.spec import Family, IndicatorSpec, MetricContext
from metrics.sql import date_value

WITHIN_30 = IndicatorSpec(
    id="contract_within_30d_rate",
    label="Part des orientés ayant signé un contrat sous 30 jours",
    definition=(
        "Parmi les personnes dont la première décision d'orientation est datée dans la "
        "période, part estimée ayant signé un contrat d'engagement (CER, PPAE, PACEA, CEJ) "
        "dans les 30 jours qui suivent. Les personnes sans contrat à la date d'observation (ou "
        "sorties avant) sont censurées (Kaplan–Meier)."
    ),
    formula=(
        "1 − S(30), S estimée par Kaplan–Meier sur le délai orientation → premier contrat ; "
        "non estimable tant qu'aucune personne n'a été suivie 30 jours"
    ),
    unit="ratio",
    target=lambda s: 1.0,
    target_source="Décret n° 2024-1244",
    breakdowns=("cohort_month", "utas", "orientation_type"),
    cohort_noun="orientés",
)
MEAN = IndicatorSpec(
    id="contract_mean_days",
    label="Délai moyen entre orientation et contrat",
    definition=(
        "Moyenne du délai entre la première décision d'orientation (datée dans la période) et "
        "le premier contrat signé ensuite, parmi les personnes ayant signé avant la fin de leur "
        "observation. Comparable au chiffre publié par la DREES (58 jours en 2018)."
    ),
    formula="moyenne de (premier contrat − première orientation) sur les personnes ayant signé",
    unit="days",
    target=lambda s: 58.0,
    target_source="DREES",
    higher_is_better=False,
    breakdowns=("cohort_month", "utas", "orientation_type"),
    cohort_noun="orientés",
)


def contract_counts(conn: Connection, scope: Scope) -> DelayCounts:
    """First orientation (in the period) → first contract signed on or after it.

    Two steps: one row per cohort member (its first contract by a plain LEFT JOIN and MIN),
    then the GROUP BY of the Kaplan–Meier counts. Joining a second aggregated subquery
    instead made PostgreSQL re-run it for every person (35 s at 100,000 persons).
    """
    persons = person_conditions(scope)
    oriented = first_orientation(scope, persons)
    end = observation_end(scope.as_of)
    signed = and_(
        CONTRACTS.c.person_id == P.c.id,
        CONTRACTS.c.signed_date >= oriented.c.event_date,
        CONTRACTS.c.signed_date <= end,
    )
    per_person = (
        select(
            oriented.c.event_date.label("anchor"),
            func.min(CONTRACTS.c.signed_date).label("event_date"),
            end.label("end_date"),
            utas_key().label("utas"),
            oriented.c.orientation_type.label("kind"),
        )
        .select_from(
            persons_with_utas()
            .join(oriented, oriented.c.person_id == P.c.id)
            .outerjoin(CONTRACTS, signed)
        )
        .where(
            *persons,
            oriented.c.event_date >= date_value(scope.start),
            oriented.c.event_date <= date_value(cohort_last_day(scope)),
        )
        .group_by(
            P.c.id, P.c.exit_date, C.c.utas, oriented.c.event_date, oriented.c.orientation_type
        )
        .subquery("contract_delays")
    )
    return delay_counts(
        conn,
        per_person,
        [],
        anchor=per_person.c.anchor,
        event_date=per_person.c.event_date,
        end=per_person.c.end_date,
        kind=per_person.c.kind,
        utas=per_person.c.utas,
    )


def compute(context: MetricContext) -> dict[str, MetricResult]:
    """Every indicator of the family for one scope."""
    settings = context.settings
    with context.engine.connect() as conn:
        check_territory(conn, context.scope.territory)
        counts = contract_counts(conn, context.scope)
    results = [
        publish_within(
            WITHIN_30, settings, counts, settings.contract_days, "orientation_type", TYPE_LABELS
        ),
        publish_mean(
            MEAN,
            settings,
            counts,
            "orientation_type",
            TYPE_LABELS,
            mature_days=settings.contract_days,
        ),
    ]
    return {result.id: result for result in results}


CURVES = {WITHIN_30.id: contract_counts, MEAN.id: contract_counts}

FAMILY = Family(
    name="contracts",
    label="Contractualisation",
    indicators=(WITHIN_30, MEAN),
    compute=compute,
)
