"""Contractualisation: delay from the orientation to the contract signed.

``contract_within_30d_rate`` and ``contract_mean_days``: the cohort is not the entrants but the
persons whose *first* orientation decision is dated in the period, T0 being that decision.

``contract_within_legal_delay_rate`` follows the legal rule instead: each orientation decision
notified in the period opens one calendar month for the contract, and a new decision
interrupts it and opens a new month (see ``CONTRACT_ARTICLE``).
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import Connection, Select, and_, case, func, null, or_, select

from data_access.timeline import DECISIONS
from metrics.cohorts import delay_counts_of
from metrics.deadlines import deadline_cells_of, publish_deadline_share
from metrics.delays import (
    TIMELINE,
    delay_counts,
    observed,
    persons_with_timeline,
    publish_mean,
    publish_within,
)
from metrics.orientation import TYPE_LABELS
from metrics.population import (
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

    Both dates come from the per-person timeline: the cohort is the persons whose first
    orientation (on or after T0, within their observation) is dated in the period, its type
    is the breakdown, and the event is their first contract from that day on.
    """
    oriented = TIMELINE.c.first_orientation_date
    end = observation_end(scope.as_of)
    return delay_counts(
        conn,
        persons_with_timeline(),
        [
            *person_conditions(scope),
            oriented >= date_value(scope.start),
            oriented <= date_value(cohort_last_day(scope)),
            oriented <= end,
        ],
        anchor=oriented,
        event_date=observed(TIMELINE.c.first_contract_date, scope.as_of),
        end=end,
        kind=TIMELINE.c.first_orientation_type,
    )


def legal_contract_query(scope: Scope) -> Select:
    """One row per (notification month, UTAS, type, met, counted) with the number of
    decisions: each valid decision (≥ T0) notified in the period, its deadline one calendar
    month after the notification, the next decision of the person (which interrupts the
    delay) and the first counted contract signed from the decision on, before the next one.

    The next decision and the first counted contract are stored per decision
    (``decision_timeline``), so this is one scan of the decisions of the period; the contract
    is seen when it is signed by the end of observation."""
    d = DECISIONS.c
    end = observation_end(scope.as_of)
    contract = case((d.first_contract_date <= end, d.first_contract_date), else_=null())
    deadline = add_months(d.notified_date, 1)
    met = and_(contract.is_not(None), contract <= deadline)
    # Only decisions whose month is over at the as-of date: counting a contract signed early
    # in a month still running, while the misses of that month are not known yet, would
    # flatter the latest months.
    counted = and_(
        deadline <= date_value(scope.as_of),
        or_(
            met,
            and_(
                end >= deadline,
                or_(d.next_decision_date.is_(None), d.next_decision_date > deadline),
            ),
        ),
    )
    month = month_bucket(d.notified_date).label("month")
    utas = utas_key().label("utas")
    kind = d.orientation_type.label("kind")
    met_flag = case((met, 1), else_=0).label("met")
    counted_flag = case((counted, 1), else_=0).label("counted")
    return (
        select(month, utas, kind, met_flag, counted_flag, func.count().label("n"))
        .select_from(persons_with_utas().join(DECISIONS, d.person_id == P.c.id))
        .where(
            *person_conditions(scope),
            d.decision_date >= P.c.entry_date,
            d.decision_date <= end,
            d.notified_date >= date_value(scope.start),
            d.notified_date <= date_value(cohort_last_day(scope)),
        )
        .group_by(month, utas, kind, met_flag, counted_flag)
    )


def compute(context: MetricContext) -> dict[str, MetricResult]:
    """Every indicator of the family for one scope (those asked for)."""
    settings = context.settings
    results: list[MetricResult] = []
    with context.engine.connect() as conn:
        check_territory(conn, context.scope.territory)
        if context.wants(WITHIN_LEGAL.id):
            legal = deadline_cells_of(context.cohorts, conn, context.scope, legal_contract_query)
            # Decisions notified in a month have all reached their deadline (one calendar
            # month, at most 31 days) 31 days after its end: the committee's mature cohort.
            results.append(
                replace(
                    publish_deadline_share(
                        WITHIN_LEGAL, settings, legal, "orientation_type", TYPE_LABELS
                    ),
                    mature_days=float(LONGEST_MONTH_DAYS),
                )
            )
        if context.wants(WITHIN_30.id, MEAN.id):
            counts = delay_counts_of(context.cohorts, conn, context.scope, contract_counts)
            results += [
                publish_within(
                    WITHIN_30,
                    settings,
                    counts,
                    settings.contract_days,
                    "orientation_type",
                    TYPE_LABELS,
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
