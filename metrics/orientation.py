"""Orientation: delays of the flow (Kaplan–Meier), DREES mean delay, shares by type and the
orientation rate of the stock by seniority.

Why both a Kaplan–Meier median and a plain mean: the median is the honest steering figure
(censoring-aware); the mean over oriented persons is how DREES publishes, so the committee can
compare the département with the national figure.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Row, Select, and_, case, func, literal, or_, select

from data_access.schema import ORIENTATION_TYPES, UNKNOWN_ORIENTATION_TYPE
from metrics.cohorts import delay_counts_of
from metrics.deadlines import deadline_cells_of, publish_deadline_share
from metrics.delays import (
    TIMELINE,
    delay_counts,
    entry_delay_counts,
    observed,
    persons_with_timeline,
    publish_mean,
    publish_median,
    publish_within,
    share_horizon,
)
from metrics.population import (
    ORIENTATIONS,
    P,
    check_territory,
    cohort_conditions,
    cohort_last_day,
    label_for,
    observation_end,
    person_conditions,
    persons_with_utas,
    present_at,
    ratio_row,
    utas_key,
)
from metrics.privacy import publish
from metrics.results import BreakdownRow, MetricResult
from metrics.scope import Scope
from metrics.spec import CurveQuery, Family, IndicatorSpec, MetricContext
from metrics.sql import add_months, date_value, month_bucket
from metrics.survival import DelayCounts

TYPE_LABELS = {
    "pro": "Professionnelle",
    "socio_pro": "Socio-professionnelle",
    "social": "Sociale",
    # Kept with its date (the delay counts) but outside the three national types.
    UNKNOWN_ORIENTATION_TYPE: "Type non renseigné",
}
ORGANISM_LABELS = {
    "france_travail": "France Travail",
    "cd": "Conseil départemental",
    "other": "Autre organisme",
    "": "Organisme non renseigné",
}
SENIORITY_LABELS = {
    "lt6m": "Moins de 6 mois",
    "6to12m": "De 6 mois à moins d'un an",
    "ge12m": "Un an ou plus",
}
SIX_MONTHS_DAYS = 183
ONE_YEAR_DAYS = 365
DREES_MONTHS = 3  # « orientés en moins de trois mois » (DREES, fichiers RI-insertion)

# The article the legal delay applies, quoted where the figure is explained.
ORIENTATION_ARTICLE = (
    "CASF art. D. 262-65-2 (décret n° 2024-1244 du 30 décembre 2024, en vigueur le 1er janvier "
    "2025) : « En l'absence d'orientation du bénéficiaire du revenu de solidarité active, par "
    "le président du conseil départemental, dans un délai de six semaines à compter de la "
    "réception par ses services de l'information relative soit à l'ouverture du droit au "
    "revenu de solidarité active, soit au transfert du droit au revenu de solidarité active "
    "dans son département, l'opérateur France Travail procède à son orientation. »"
)

_KM_NOTE = (
    "Estimation Kaplan–Meier : les personnes pas encore orientées à la date d'observation (ou "
    "sorties avant) sont censurées, pas écartées."
)

WITHIN_45 = IndicatorSpec(
    id="orientation_within_45d_rate",
    label="Part des entrants orientés sous {orientation_days} jours",
    definition="Part estimée des entrants de la période orientés dans les {orientation_days} "
    "jours suivant "
    "leur entrée. Gardé pour la continuité des séries publiées depuis l'origine du tableau "
    "de bord : ce n'est pas le délai légal (six semaines depuis la réception de "
    "l'information, voir « orientation_within_legal_delay_rate »). " + _KM_NOTE,
    formula=(
        "1 − S({orientation_days}), S estimée par Kaplan–Meier sur le délai T0 → première "
        "décision ; "
        "non estimable tant qu'aucune personne n'a été suivie {orientation_days} jours"
    ),
    unit="ratio",
    breakdowns=("cohort_month", "utas"),
)
WITHIN_LEGAL = IndicatorSpec(
    id="orientation_within_legal_delay_rate",
    label="Part des bénéficiaires orientés dans le délai légal (six semaines)",
    definition=(
        "Part estimée des bénéficiaires dont le délai légal d'orientation a commencé dans la "
        "période et qui ont reçu une décision d'orientation dans le délai légal "
        "({orientation_legal_days} jours, "
        "paramètre PILOTAGE_ORIENTATION_LEGAL_DAYS). Le délai court de la réception par le "
        "département de l'information relative à l'ouverture du droit, ou à son transfert "
        "dans le département : un transfert ouvre un nouveau délai, et seule une décision "
        "prise après lui compte. Date inconnue : la date d'entrée la remplace (page « Qualité "
        "des données »). " + ORIENTATION_ARTICLE + " " + _KM_NOTE
    ),
    formula=(
        "1 − S({orientation_legal_days}), S estimée par Kaplan–Meier sur le délai entre la "
        "réception de "
        "l'information (transfert, sinon ouverture du droit, sinon entrée) et la première "
        "décision d'orientation qui la suit ; non estimable tant qu'aucune personne n'a été "
        "suivie {orientation_legal_days} jours"
    ),
    unit="ratio",
    target=lambda s: 1.0,
    target_source="Décret n° 2024-1244",
    breakdowns=("cohort_month", "utas"),
)
WITHIN_30 = IndicatorSpec(
    id="orientation_within_30d_rate",
    label="Part des entrants orientés sous {orientation_short_days} jours",
    definition="Part estimée des entrants de la période orientés dans les "
    "{orientation_short_days} jours suivant "
    "leur entrée. " + _KM_NOTE,
    formula=(
        "1 − S({orientation_short_days}), S estimée par Kaplan–Meier sur le délai T0 → première "
        "décision ; "
        "non estimable tant qu'aucune personne n'a été suivie {orientation_short_days} jours"
    ),
    unit="ratio",
    breakdowns=("cohort_month", "utas"),
)
MEDIAN = IndicatorSpec(
    id="orientation_median_days",
    label="Délai médian d'orientation",
    definition="Nombre de jours au bout duquel la moitié des entrants est orientée. " + _KM_NOTE,
    formula="plus petit t tel que S(t) ≤ 0,5",
    unit="days",
    target=lambda s: float(s.orientation_legal_days),
    target_source="Décret n° 2024-1244",
    higher_is_better=False,
    breakdowns=("cohort_month", "utas"),
)
MEAN = IndicatorSpec(
    id="orientation_mean_days",
    label="Délai moyen d'orientation (définition DREES)",
    definition=(
        "Moyenne du délai entre l'entrée et la première décision d'orientation, parmi les "
        "entrants de la période orientés avant la fin de leur observation. Comparable au "
        "chiffre national publié par la DREES (79 jours pour les entrants de 2023)."
    ),
    formula="moyenne de (première décision − T0) sur les entrants orientés",
    unit="days",
    target=lambda s: 79.0,
    target_source="DREES",
    higher_is_better=False,
    breakdowns=("cohort_month", "utas"),
    reference_year=2023,
)
MEAN_FROM_REQUEST = IndicatorSpec(
    id="orientation_mean_days_from_request",
    label="Délai moyen entre la demande de RSA et la première orientation (DREES)",
    definition=(
        "Moyenne du délai entre la date de la demande de RSA et la date de la première "
        "décision d'orientation, parmi les entrants de la période dont la demande est datée et "
        "qui sont orientés avant la fin de leur observation : la mesure de l'enquête OARSA de "
        "la DREES (79 jours en moyenne nationale pour les entrants de 2023). Les entrants sans "
        "date de demande sont écartés (leur nombre est sur la page « Qualité des données ») ; "
        "ventilation par mois de la demande."
    ),
    formula="moyenne de (première décision − date de la demande) sur les entrants orientés",
    unit="days",
    target=lambda s: 79.0,
    target_source="DREES",
    higher_is_better=False,
    breakdowns=("cohort_month", "utas"),
    reference_year=2023,
)
WITHIN_3_MONTHS = IndicatorSpec(
    id="orientation_within_3_months_rate",
    label="Part des entrants orientés en moins de trois mois (DREES)",
    definition=(
        "Parmi les entrants de la période dont les trois mois suivant l'entrée sont écoulés à "
        "la date d'observation, part ayant reçu une première décision d'orientation moins de "
        "trois mois après leur entrée, comme dans les fichiers RI-insertion de la DREES (46 % "
        "au niveau national en 2021). Mois calendaires comptés de date à date (Code de "
        "procédure civile, art. 641) ; les entrants sortis ou observés moins de trois mois "
        "sans orientation sont écartés, pas comptés en échec."
    ),
    formula=(
        "entrants orientés avant T0 + 3 mois ÷ entrants dont T0 + 3 mois est passé, orientés "
        "avant ou observés jusque-là"
    ),
    unit="ratio",
    target=lambda s: 0.46,
    target_source="DREES",
    breakdowns=("cohort_month", "utas"),
    reference_year=2021,
)


def _share_spec(kind: str) -> IndicatorSpec:
    return IndicatorSpec(
        id=f"orientation_share_{kind}",
        label=f"Part des orientations de type « {TYPE_LABELS[kind].lower()} »",
        definition=(
            f"Parmi les décisions d'orientation datées dans la période et de type connu, part "
            f"des orientations {TYPE_LABELS[kind].lower()}s. Par organisme : la même part "
            "parmi les décisions confiées à chaque organisme."
        ),
        formula=f"décisions de type {kind} ÷ décisions de la période",
        unit="ratio",
        breakdowns=("cohort_month", "utas", "organism"),
    )


SHARES = {kind: _share_spec(kind) for kind in ORIENTATION_TYPES}


def _stock_spec(suffix: str, band: str | None, target: float) -> IndicatorSpec:
    band_text = f" dont l'ancienneté est « {SENIORITY_LABELS[band].lower()} »" if band else ""
    return IndicatorSpec(
        id=f"stock_orientation_rate{suffix}",
        label="Taux d'orientation du stock"
        + (f" ({SENIORITY_LABELS[band].lower()})" if band else ""),
        definition=(
            "Parmi les personnes soumises aux droits et devoirs présentes à la date "
            f"d'observation (entrées avant, pas sorties){band_text}, part ayant reçu une "
            "décision d'orientation au plus tard à cette date. Ancienneté : moins de 183 "
            "jours, de 183 à 364 jours, 365 jours ou plus (tranches OARSA de la DREES)."
        ),
        formula="personnes présentes orientées ÷ personnes présentes",
        unit="ratio",
        target=lambda s: target,
        target_source="DREES",
        breakdowns=("cohort_month", "utas") if band else ("cohort_month", "utas", "seniority"),
        reference_year=2023,
    )


STOCK = _stock_spec("", None, 0.86)
STOCK_BANDS = {
    "lt6m": _stock_spec("_lt6m", "lt6m", 0.57),
    "6to12m": _stock_spec("_6to12m", "6to12m", 0.82),
    "ge12m": _stock_spec("_ge12m", "ge12m", 0.90),
}


def orientation_counts(conn: Connection, scope: Scope) -> DelayCounts:
    """T0 → first orientation decision, for the cohort of the scope."""
    return entry_delay_counts(conn, scope, TIMELINE.c.first_orientation_date)


def legal_orientation_counts(
    conn: Connection, scope: Scope, horizon: int | None = None
) -> DelayCounts:
    """Start of the legal delay (in the period) → first orientation decision on or after it.

    The start is the receipt of the information on the transfer of the right into the
    département when there is one (a transfer starts a new delay), else on the opening of the
    right, else the entry date (``TIMELINE.c.legal_start_date``). The cohort is the persons
    whose delay started in the period, whether by an opening or a transfer-in; a decision
    taken before the start (before a transfer) does not count.
    """
    start = TIMELINE.c.legal_start_date
    end = observation_end(scope.as_of)
    return delay_counts(
        conn,
        persons_with_timeline(),
        [
            *person_conditions(scope),
            start >= date_value(scope.start),
            start <= date_value(cohort_last_day(scope)),
            end >= start,
        ],
        anchor=start,
        event_date=observed(TIMELINE.c.legal_orientation_date, scope.as_of),
        end=end,
        horizon=horizon,
    )


def request_counts(conn: Connection, scope: Scope) -> DelayCounts:
    """RSA request → first orientation decision (≥ T0), for entrants whose request is dated."""
    return delay_counts(
        conn,
        persons_with_timeline(),
        [*cohort_conditions(scope), P.c.rsa_request_date.is_not(None)],
        anchor=P.c.rsa_request_date,
        event_date=observed(TIMELINE.c.first_orientation_date, scope.as_of),
        end=observation_end(scope.as_of),
    )


def three_months_query(scope: Scope) -> Select:
    """Entrants whose three months are behind them, by entry month and UTAS: oriented before
    T0 + 3 months (``met``) or not, and whether they count (``counted``)."""
    first = observed(TIMELINE.c.first_orientation_date, scope.as_of)
    deadline = add_months(P.c.entry_date, DREES_MONTHS)
    met = and_(first.is_not(None), first < deadline)
    # Only entrants whose three months are over at the as-of date (see metrics/deadlines.py).
    counted = and_(
        deadline <= date_value(scope.as_of), or_(met, observation_end(scope.as_of) >= deadline)
    )
    month = month_bucket(P.c.entry_date).label("month")
    utas = utas_key().label("utas")
    met_flag = case((met, 1), else_=0).label("met")
    counted_flag = case((counted, 1), else_=0).label("counted")
    return (
        select(
            month, utas, literal("").label("kind"), met_flag, counted_flag, func.count().label("n")
        )
        .select_from(persons_with_timeline())
        .where(*cohort_conditions(scope))
        .group_by(month, utas, met_flag, counted_flag)
    )


def _three_months_results(conn: Connection, context: MetricContext) -> MetricResult:
    """Share of entrants oriented within three months, among those whose three months are
    behind them."""
    cells = deadline_cells_of(context.cohorts, conn, context.scope, three_months_query)
    return publish_deadline_share(WITHIN_3_MONTHS, context.settings, cells)


def _split(
    rows: Iterable, field: str, label_kind: str, hit, labels: dict[str, str] | None = None
) -> list[BreakdownRow]:
    """Share rows by ``field``: ``hit(row)`` says whether the row's persons are in the
    numerator."""
    num: dict[str, int] = defaultdict(int)
    den: dict[str, int] = defaultdict(int)
    for row in rows:
        key = getattr(row, field)
        den[key] += int(row.n)
        if hit(row):
            num[key] += int(row.n)
    return [
        ratio_row(key, label_for(label_kind, key, labels), num[key], den[key])
        for key in sorted(den)
    ]


def _share_results(conn: Connection, context: MetricContext) -> list[MetricResult]:
    """Decisions dated in the period (≥ T0, ≤ as-of) by month, UTAS, organism and type."""
    scope = context.scope
    month = month_bucket(ORIENTATIONS.c.decision_date).label("month")
    utas = utas_key().label("utas")
    organism = func.coalesce(ORIENTATIONS.c.organism, "").label("organism")
    kind = ORIENTATIONS.c.orientation_type.label("kind")
    rows = conn.execute(
        select(month, utas, organism, kind, func.count().label("n"))
        .select_from(persons_with_utas().join(ORIENTATIONS, ORIENTATIONS.c.person_id == P.c.id))
        .where(
            *person_conditions(scope),
            ORIENTATIONS.c.decision_date >= date_value(scope.start),
            ORIENTATIONS.c.decision_date <= date_value(cohort_last_day(scope)),
            ORIENTATIONS.c.decision_date >= P.c.entry_date,
            # A decision of unknown type is no evidence for or against any type.
            ORIENTATIONS.c.orientation_type != UNKNOWN_ORIENTATION_TYPE,
        )
        .group_by(month, utas, organism, kind)
    ).all()
    total = sum(int(row.n) for row in rows)
    results = []
    for key, spec in SHARES.items():

        def hit(row, key: str = key) -> bool:
            return row.kind == key

        count = sum(int(row.n) for row in rows if hit(row))
        results.append(
            publish(
                spec,
                context.settings,
                count / total if total else None,
                float(count),
                float(total),
                {
                    "cohort_month": _split(rows, "month", "month", hit),
                    "utas": _split(rows, "utas", "utas", hit),
                    "organism": _split(rows, "organism", "organism", hit, ORGANISM_LABELS),
                },
            )
        )
    return results


def seniority_band(as_of: dt.date):
    """SQL CASE giving the seniority band of a person present at ``as_of``."""
    six_months_ago = as_of - dt.timedelta(days=SIX_MONTHS_DAYS)
    one_year_ago = as_of - dt.timedelta(days=ONE_YEAR_DAYS)
    return case(
        (P.c.entry_date > date_value(six_months_ago), literal("lt6m")),
        (P.c.entry_date > date_value(one_year_ago), literal("6to12m")),
        else_=literal("ge12m"),
    )


def _stock_results(conn: Connection, context: MetricContext) -> list[MetricResult]:
    """Persons present at as-of by entry month, UTAS, seniority band and oriented flag."""
    as_of = date_value(context.scope.as_of)
    # Oriented at as-of: a first decision on or after T0, dated on or before as-of (a person
    # present at as-of has not left, so the end of observation is as-of itself).
    oriented = TIMELINE.c.first_orientation_date <= as_of
    month = month_bucket(P.c.entry_date).label("month")
    utas = utas_key().label("utas")
    band = seniority_band(context.scope.as_of).label("band")
    flag = case((oriented, 1), else_=0).label("oriented")
    rows = conn.execute(
        select(month, utas, band, flag, func.count().label("n"))
        .select_from(persons_with_timeline())
        .where(
            *present_at(context.scope),
        )
        .group_by(month, utas, band, flag)
    ).all()

    def hit(row) -> bool:
        return bool(row.oriented)

    def result(spec: IndicatorSpec, kept: Sequence[Row[Any]], with_band: bool) -> MetricResult:
        count = sum(int(row.n) for row in kept if hit(row))
        total = sum(int(row.n) for row in kept)
        breakdowns = {
            "cohort_month": _split(kept, "month", "month", hit),
            "utas": _split(kept, "utas", "utas", hit),
        }
        if with_band:
            breakdowns["seniority"] = [
                row
                for key in SENIORITY_LABELS
                for row in _split(kept, "band", "band", hit, SENIORITY_LABELS)
                if row.key == key
            ]
        return publish(
            spec,
            context.settings,
            count / total if total else None,
            float(count),
            float(total),
            breakdowns,
        )

    results = [result(STOCK, rows, with_band=True)]
    for key, spec in STOCK_BANDS.items():
        results.append(result(spec, [row for row in rows if row.band == key], with_band=False))
    return results


def compute(context: MetricContext) -> dict[str, MetricResult]:
    """Every indicator of the family for one scope (those asked for)."""
    settings = context.settings
    scope = context.scope
    results: list[MetricResult] = []
    with context.engine.connect() as conn:
        check_territory(conn, scope.territory)
        if context.wants(WITHIN_LEGAL.id):
            # Only a share within the legal delay reads these counts (no median, no mean).
            horizon = share_horizon(settings.orientation_legal_days)
            legal = delay_counts_of(context.cohorts, conn, scope, legal_orientation_counts, horizon)
            results.append(
                publish_within(WITHIN_LEGAL, settings, legal, settings.orientation_legal_days)
            )
        if context.wants(WITHIN_45.id, WITHIN_30.id, MEDIAN.id, MEAN.id):
            counts = delay_counts_of(context.cohorts, conn, scope, orientation_counts)
            legal_days = settings.orientation_legal_days
            results += [
                publish_within(WITHIN_45, settings, counts, settings.orientation_days),
                publish_within(WITHIN_30, settings, counts, settings.orientation_short_days),
                publish_median(MEDIAN, settings, counts, mature_days=legal_days),
                publish_mean(MEAN, settings, counts, mature_days=legal_days),
            ]
        if context.wants(MEAN_FROM_REQUEST.id):
            results.append(publish_mean(MEAN_FROM_REQUEST, settings, request_counts(conn, scope)))
        if context.wants(WITHIN_3_MONTHS.id):
            results.append(_three_months_results(conn, context))
        if context.wants(*(spec.id for spec in SHARES.values())):
            results += _share_results(conn, context)
    return {result.id: result for result in results}


def compute_stock(context: MetricContext) -> dict[str, MetricResult]:
    """The orientation rate of the stock: persons present at the as-of date, whatever the
    period (a family of its own, so that periods sharing an as-of date share it)."""
    with context.engine.connect() as conn:
        check_territory(conn, context.scope.territory)
        stock = _stock_results(conn, context)
    return {result.id: result for result in stock}


# The counting query behind each delay indicator that has a Kaplan–Meier curve.
CURVES: dict[str, CurveQuery] = {
    WITHIN_LEGAL.id: legal_orientation_counts,
    WITHIN_45.id: orientation_counts,
    WITHIN_30.id: orientation_counts,
    MEDIAN.id: orientation_counts,
    MEAN.id: orientation_counts,
    MEAN_FROM_REQUEST.id: request_counts,
}

FAMILY = Family(
    name="orientation",
    label="Orientation",
    indicators=(
        WITHIN_LEGAL,
        WITHIN_45,
        WITHIN_30,
        MEDIAN,
        MEAN,
        MEAN_FROM_REQUEST,
        WITHIN_3_MONTHS,
        *SHARES.values(),
    ),
    compute=compute,
    curves=CURVES,
)
STOCK_FAMILY = Family(
    name="orientation_stock",
    label="Orientation du stock",
    indicators=(STOCK, *STOCK_BANDS.values()),
    compute=compute_stock,
    as_of_only=True,
)
# Both families of the module, in page order.
FAMILIES = (FAMILY, STOCK_FAMILY)
