"""Contractualisation: delay from the orientation to the contract signed.

``contract_within_30d_rate`` and ``contract_mean_days``: the cohort is not the entrants but the
persons whose *first* orientation decision is dated in the period, T0 being that decision.

``contract_within_legal_delay_rate`` follows the legal rule instead: each orientation decision
notified in the period opens one calendar month for the contract, and a new decision
interrupts it and opens a new month (see ``CONTRACT_ARTICLE``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from sqlalchemy import Connection, and_, case, func, or_, select

from metrics.deadlines import deadline_cells, publish_deadline_share
from metrics.delays import (
    delay_counts,
    first_orientation,
    publish_mean,
    publish_within,
)
from metrics.orientation import TYPE_LABELS
from metrics.population import (
    CONTRACTS,
    ORIENTATIONS,
    C,
    P,
    check_territory,
    cohort_last_day,
    observation_end,
    person_conditions,
    persons_with_utas,
    utas_key,
)
from metrics.results import MetricResult
from metrics.scope import Scope
from metrics.spec import CurveQuery, Family, IndicatorSpec, MetricContext
from metrics.sql import add_months, date_value, month_bucket
from metrics.survival import DelayCounts

# The contrat d'engagement replaces the earlier contracts from this day (loi n° 2023-1196 pour
# le plein emploi, décret n° 2024-1244); a CER, PPAE, PACEA or CEJ signed before still counts.
ENGAGEMENT_START = dt.date(2025, 1, 1)
EARLIER_CONTRACTS = ("cer", "ppae", "pacea", "cej")
LONGEST_MONTH_DAYS = 31
CONTRACT_ARTICLE = (
    "Code du travail, art. D. 5411-14-1 (décret n° 2024-1244) : le contrat d'engagement est "
    "« élaboré et signé dans un délai d'un mois à compter de la notification de la décision "
    "d'orientation » ; une nouvelle décision d'orientation (après le diagnostic global ou en "
    "cours d'accompagnement) interrompt ce délai et sa notification en ouvre un nouveau."
)
COUNTED_CONTRACTS_TEXT = (
    "Contrats comptés : le contrat d'engagement et, signés avant le 1er janvier 2025, les "
    "contrats qui l'ont précédé (CER, PPAE, PACEA, CEJ)."
)
MONTH_RULE_TEXT = (
    "Un mois se compte de date à date : notifiée le 15 mars, la décision appelle un contrat au "
    "plus tard le 15 avril ; notifiée le 31 janvier, au plus tard le dernier jour de février "
    "(Code de procédure civile, art. 641 ; le report au jour ouvrable suivant de l'art. 642 "
    "n'est pas appliqué)."
)

WITHIN_30 = IndicatorSpec(
    id="contract_within_30d_rate",
    label="Part des orientés ayant signé un contrat sous {contract_days} jours",
    definition=(
        "Parmi les personnes dont la première décision d'orientation est datée dans la "
        "période, part estimée ayant signé un contrat d'engagement (CER, PPAE, PACEA, CEJ) "
        "dans les {contract_days} jours qui suivent. Les personnes sans contrat à la date "
        "d'observation (ou "
        "sorties avant) sont censurées (Kaplan–Meier). Délai suivi par le département, pas le "
        "délai légal (un mois calendaire depuis la notification : "
        "« contract_within_legal_delay_rate »)."
    ),
    formula=(
        "1 − S({contract_days}), S estimée par Kaplan–Meier sur le délai orientation → premier "
        "contrat ; "
        "non estimable tant qu'aucune personne n'a été suivie {contract_days} jours"
    ),
    unit="ratio",
    breakdowns=("cohort_month", "utas", "orientation_type"),
    cohort_noun="orientés",
)
WITHIN_LEGAL = IndicatorSpec(
    id="contract_within_legal_delay_rate",
    label="Part des orientations suivies d'un contrat dans le délai légal (un mois)",
    definition=(
        "Parmi les décisions d'orientation notifiées dans la période dont le mois est écoulé, "
        "part suivies d'un contrat signé au plus tard un mois calendaire après la notification "
        "(date de la décision quand la notification n'est pas datée : page « Qualité des "
        "données »). Une nouvelle décision avant l'échéance interrompt le délai : la décision "
        "précédente est écartée et la nouvelle ouvre son propre mois. Les décisions dont le mois "
        "court encore à la date d'observation (même si le contrat est déjà signé), ou dont la "
        "personne est sortie avant l'échéance sans contrat, sont écartées, pas comptées en "
        "échec. " + COUNTED_CONTRACTS_TEXT + " " + MONTH_RULE_TEXT + " " + CONTRACT_ARTICLE
    ),
    formula=(
        "décisions suivies d'un contrat au plus tard à notification + 1 mois ÷ décisions dont "
        "l'échéance est passée sans nouvelle décision avant elle"
    ),
    unit="ratio",
    target=lambda s: 1.0,
    target_source="Décret n° 2024-1244",
    breakdowns=("cohort_month", "utas", "orientation_type"),
    cohort_noun="orientés",
    mature_observed="un mois",
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
    reference_year=2018,
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


def counted_contract(contracts=CONTRACTS):
    """A contract the legal rule counts: a contrat d'engagement, or an earlier kind signed
    before the contrat d'engagement existed."""
    return or_(
        contracts.c.contract_type == "engagement",
        and_(
            contracts.c.contract_type.in_(EARLIER_CONTRACTS),
            contracts.c.signed_date < date_value(ENGAGEMENT_START),
        ),
    )


def legal_contract_query(scope: Scope):
    """One row per (notification month, UTAS, type, met, counted) with the number of
    decisions: each valid decision (≥ T0) notified in the period, its deadline one calendar
    month after the notification, the next decision of the person (which interrupts the
    delay) and the first counted contract signed from the decision on, before the next one.

    Three steps (decisions, then their first contract by a LEFT JOIN and MIN, then the flags),
    so that each correlated subquery runs once per decision.
    """
    decision = ORIENTATIONS.alias("decision")
    later = ORIENTATIONS.alias("later_decision")
    notified = func.coalesce(decision.c.notification_date, decision.c.decision_date)
    end = observation_end(scope.as_of)
    next_decision = (
        select(func.min(later.c.decision_date))
        .where(
            later.c.person_id == decision.c.person_id,
            later.c.decision_date > decision.c.decision_date,
        )
        .correlate(decision)
        .scalar_subquery()
    )
    decisions = (
        select(
            decision.c.id.label("decision_id"),
            decision.c.person_id,
            decision.c.decision_date,
            notified.label("notified"),
            add_months(notified, 1).label("deadline"),
            next_decision.label("next_date"),
            end.label("end_date"),
            utas_key().label("utas"),
            decision.c.orientation_type.label("kind"),
        )
        .select_from(persons_with_utas().join(decision, decision.c.person_id == P.c.id))
        .where(
            *person_conditions(scope),
            decision.c.decision_date >= P.c.entry_date,
            decision.c.decision_date <= end,
            notified >= date_value(scope.start),
            notified <= date_value(cohort_last_day(scope)),
        )
        .subquery("legal_decisions")
    )
    d = decisions.c
    signed = and_(
        CONTRACTS.c.person_id == d.person_id,
        counted_contract(),
        CONTRACTS.c.signed_date >= d.decision_date,
        CONTRACTS.c.signed_date <= d.end_date,
        or_(d.next_date.is_(None), CONTRACTS.c.signed_date < d.next_date),
    )
    outcomes = (
        select(
            d.notified,
            d.deadline,
            d.next_date,
            d.end_date,
            d.utas,
            d.kind,
            func.min(CONTRACTS.c.signed_date).label("contract_date"),
        )
        .select_from(decisions.outerjoin(CONTRACTS, signed))
        .group_by(d.decision_id, d.notified, d.deadline, d.next_date, d.end_date, d.utas, d.kind)
        .subquery("legal_outcomes")
    )
    o = outcomes.c
    met = and_(o.contract_date.is_not(None), o.contract_date <= o.deadline)
    # Only decisions whose month is over at the as-of date: counting a contract signed early
    # in a month still running, while the misses of that month are not known yet, would
    # flatter the latest months.
    counted = and_(
        o.deadline <= date_value(scope.as_of),
        or_(
            met,
            and_(o.end_date >= o.deadline, or_(o.next_date.is_(None), o.next_date > o.deadline)),
        ),
    )
    month = month_bucket(o.notified).label("month")
    met_flag = case((met, 1), else_=0).label("met")
    counted_flag = case((counted, 1), else_=0).label("counted")
    return (
        select(
            month,
            o.utas.label("utas"),
            o.kind.label("kind"),
            met_flag,
            counted_flag,
            func.count().label("n"),
        )
        .select_from(outcomes)
        .group_by(month, o.utas, o.kind, met_flag, counted_flag)
    )


def compute(context: MetricContext) -> dict[str, MetricResult]:
    """Every indicator of the family for one scope."""
    settings = context.settings
    with context.engine.connect() as conn:
        check_territory(conn, context.scope.territory)
        counts = contract_counts(conn, context.scope)
        legal = deadline_cells(conn, legal_contract_query(context.scope))
    results = [
        # Decisions notified in a month have all reached their deadline (one calendar month,
        # at most 31 days) 31 days after its end: that month is the committee's mature cohort.
        replace(
            publish_deadline_share(WITHIN_LEGAL, settings, legal, "orientation_type", TYPE_LABELS),
            mature_days=float(LONGEST_MONTH_DAYS),
        ),
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


# The counting query behind each delay indicator that has a Kaplan–Meier curve.
CURVES: dict[str, CurveQuery] = {WITHIN_30.id: contract_counts, MEAN.id: contract_counts}

FAMILY = Family(
    name="contracts",
    label="Contractualisation",
    indicators=(WITHIN_LEGAL, WITHIN_30, MEAN),
    compute=compute,
    curves=CURVES,
)
