"""What a follow-up committee looks at, gathered once for the page and for the deck.

The committee period runs from the day after the previous committee (or two months back when
none is recorded) to the committee date; it is compared with the period of the same length
just before, and with the figures the previous deck actually presented (its snapshot). The
same ``CommitteeData`` feeds the « Comité de suivi » page and the PowerPoint deck, so both show
the same numbers. Metric values come from ``metrics/`` (through ``compute``, which the page
replaces by its cache); roadmap steps and actions from the roadmap's data access.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from charts.builders import breakdown_chart, breakdowns_trend, comparison_chart, trend_chart
from charts.description import ChartDescription
from charts.texts import (
    cohort_label,
    cohort_note,
    format_unit,
    reported_delta,
    reported_text,
    target_text,
)
from data_access.governance import ActionView, list_actions, open_actions
from data_access.inventory import is_demo_database
from data_access.roadmap import StepView, steps_at
from data_access.snapshots import DeckScope, Snapshot, last_committee_date, latest_snapshot
from data_access.territories import list_territories
from formatting import NO_DATA, format_date, secret_label
from metrics import catalog
from metrics.contracts import ENGAGEMENT_START
from metrics.exceptions import UnknownMetricError
from metrics.results import MetricResult
from metrics.roadmap import is_late
from metrics.scope import Scope, Territory
from metrics.spec import MetricContext
from settings import Settings

LAUNCH_DATE = dt.date(2023, 2, 17)
HEADLINE = (
    "entrants",
    "convocation_within_15d_rate",
    "convocation_median_days",
    "no_show_rate",
    "orientation_within_legal_delay_rate",
    "orientation_median_days",
    "stock_orientation_rate",
    "contract_within_legal_delay_rate",
    "activity_15h_rate",
    "caseload_median",
    "roadmap_done_rate",
    "roadmap_late_steps",
    "companies_engaged",
    "immersions",
    "hires",
)
COMPARED_RATES = (
    "convocation_within_15d_rate",
    "orientation_within_legal_delay_rate",
    "contract_within_legal_delay_rate",
    "activity_15h_rate",
    "no_show_rate",
)
LAUNCH_TRENDS = (
    "convocation_within_15d_rate",
    "orientation_within_legal_delay_rate",
    "contract_within_legal_delay_rate",
)
COMPANY_IDS = ("companies_engaged", "immersions", "job_offers", "hires", "mentoring")
ORIENTATION_TYPES = {
    "orientation_share_pro": "Professionnelle",
    "orientation_share_socio_pro": "Socio-professionnelle",
    "orientation_share_social": "Sociale",
}
SENIORITY = {
    "stock_orientation_rate_lt6m": "Moins de 6 mois",
    "stock_orientation_rate_6to12m": "6 à 12 mois",
    "stock_orientation_rate_ge12m": "1 an ou plus",
    "stock_orientation_rate": "Ensemble",
}
COVERAGE_PREFIX = "coverage_rate_"
# charts drawn over the whole pilot, not the committee period (their footnote says so)
LAUNCH_CHART_KEYS = ("comite-tendances-lancement", "entrants-cohort-month")

# compute(scope, ids): results for the scope; ``ids`` (when given) names the indicators needed,
# so that only their families run (the launch-to-date scope is the costly one).
Compute = Callable[[Scope, tuple[str, ...] | None], dict[str, MetricResult]]
LAUNCH_IDS = (*LAUNCH_TRENDS, "entrants")
PREVIOUS_IDS = tuple(dict.fromkeys((*HEADLINE, *COMPARED_RATES)))


def two_months_before(day: dt.date) -> dt.date:
    """The same day two months earlier (clamped to the month's end), the committee rhythm."""
    month_index = day.year * 12 + day.month - 1 - 2
    year, month = divmod(month_index, 12)
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month + 1, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def previous_period(scope: Scope) -> Scope | None:
    """The period of the same length just before, or None when it would start before the
    launch: « depuis le lancement » compared with years before the pilot means nothing."""
    previous = scope.previous()
    return None if previous.start < LAUNCH_DATE else previous


def category_label(category: str) -> str:
    """French name of a data·inclusion need category (the coverage family knows them)."""
    try:
        from metrics.coverage import category_label as coverage_label
    except ImportError:
        return category
    return coverage_label(category)


def label_of(metric_id: str) -> str:
    """The French label of an indicator (its id if the catalogue does not know it)."""
    try:
        return catalog.spec_for(metric_id).label
    except UnknownMetricError:
        return metric_id


@dataclass(frozen=True)
class HeadlineRow:
    """One line of the headline table: the indicator in each period, as French text."""

    metric_id: str
    label: str
    previous: str
    current: str
    change: str
    presented: str
    target: str


@dataclass(frozen=True)
class CommitteeData:
    """Everything the committee page and deck show, computed once."""

    departement_name: str
    committee_date: dt.date
    scope: Scope
    previous_scope: Scope | None
    previous_committee: dt.date | None
    current: dict[str, MetricResult]
    previous: dict[str, MetricResult]
    launch: dict[str, MetricResult]
    presented: Snapshot | None
    steps: list[StepView]
    decisions: list[ActionView]
    actions: list[ActionView]
    threshold: int
    failures: dict[str, str] = field(default_factory=dict)
    map_category: str | None = None
    map_communes: list[Any] = field(default_factory=list)
    map_boundaries: Path | None = None
    territory_label: str = "tout le département"
    demo: bool = False

    @property
    def scope_text(self) -> str:
        """« Du 1er mai 2024 au 30 juin 2024 · UTAS Guéret · CAF »: what every slide shows."""
        parts = [
            f"Du {format_date(self.scope.start)} au {format_date(self.scope.end)}",
            self.territory_label,
        ]
        if self.scope.payer:
            parts.append(self.scope.payer.upper())
        return " · ".join(parts)

    @property
    def legal_note(self) -> str:
        """Before 2025 the legal delays did not exist yet: the committee must read the « délai
        légal » figures of such a period as what the rule would have given, not as a breach."""
        starts = [self.scope.start] + ([self.previous_scope.start] if self.previous_scope else [])
        if min(starts) >= ENGAGEMENT_START:
            return ""
        return (
            "Délais légaux (six semaines pour l'orientation, un mois pour le contrat) : règles "
            "applicables depuis le 1er janvier 2025 ; avant, chiffres à titre indicatif."
        )

    @property
    def late_steps(self) -> list[StepView]:
        """Steps due before the as-of date and still open."""
        return [s for s in self.steps if is_late(s, self.scope.as_of)]

    @property
    def previous_text(self) -> str:
        """« du 13 novembre 2023 au 12 janvier 2024 », or why there is no comparison."""
        if self.previous_scope is None:
            return "sans comparaison (la période précédente serait antérieure au lancement)"
        return (
            f"du {format_date(self.previous_scope.start)} au {format_date(self.previous_scope.end)}"
        )

    @property
    def period_text(self) -> str:
        """« du 13 janvier 2024 au 12 mars 2024 »."""
        return f"du {format_date(self.scope.start)} au {format_date(self.scope.end)}"


def deck_scope(territory: Territory | None, payer: str | None) -> DeckScope:
    """The scope a deck is stored and compared under: its territory and payer."""
    return DeckScope(
        territory.level if territory else None, territory.code if territory else None, payer or None
    )


def committee_scope(
    committee_date: dt.date,
    previous_committee: dt.date | None,
    *,
    period_from: dt.date | None = None,
    period_to: dt.date | None = None,
    as_of: dt.date | None = None,
    territory: Territory | None = None,
    payer: str | None = None,
) -> Scope:
    """The committee period: since the previous committee, else the last two months."""
    end = period_to or committee_date
    if period_from is not None:
        start = period_from
    elif previous_committee is not None and previous_committee < end:
        start = previous_committee + dt.timedelta(days=1)
    else:
        start = two_months_before(end) + dt.timedelta(days=1)
    return Scope(start=start, end=end, as_of=as_of or end, territory=territory, payer=payer or None)


def _compute_all(engine: Engine, settings: Settings) -> Compute:
    def compute(scope: Scope, ids: tuple[str, ...] | None) -> dict[str, MetricResult]:
        context = MetricContext(engine, settings, scope)
        if ids is None:
            return catalog.compute_all(context)
        results: dict[str, MetricResult] = {}
        for family in catalog.families():
            declared = {spec.id for spec in family.indicators}
            if declared & set(ids):
                results.update(catalog.compute_family(family, context))
        return results

    return compute


def gather_committee(
    engine: Engine,
    settings: Settings,
    committee_date: dt.date,
    *,
    period_from: dt.date | None = None,
    period_to: dt.date | None = None,
    as_of: dt.date | None = None,
    territory: Territory | None = None,
    payer: str | None = None,
    compute: Compute | None = None,
) -> CommitteeData:
    """Compute the committee's figures: period, previous period, since launch, roadmap."""
    compute = compute or _compute_all(engine, settings)
    same_scope = deck_scope(territory, payer)
    previous_committee = last_committee_date(engine, committee_date, same_scope)
    scope = committee_scope(
        committee_date,
        previous_committee,
        period_from=period_from,
        period_to=period_to,
        as_of=as_of,
        territory=territory,
        payer=payer,
    )
    launch = replace(scope, start=min(LAUNCH_DATE, scope.end))
    since = previous_committee or scope.start
    # Governance rows as recorded by the as-of date: a deck rebuilt later for a past
    # committee lists neither decisions nor actions recorded after it.
    decisions = [
        a
        for a in list_actions(engine, kind="decision", as_of=scope.as_of)
        if a.meeting_date is None or since <= a.meeting_date <= committee_date
    ]
    current = compute(scope, None)
    map_category = weakest_coverage(current)
    before = previous_period(scope)
    return CommitteeData(
        departement_name=settings.departement_name,
        committee_date=committee_date,
        scope=scope,
        previous_scope=before,
        previous_committee=previous_committee,
        current=current,
        previous=compute(before, PREVIOUS_IDS) if before is not None else {},
        launch=compute(launch, LAUNCH_IDS),
        presented=latest_snapshot(engine, before=committee_date, scope=same_scope),
        steps=steps_at(engine, scope.as_of),
        decisions=decisions,
        actions=open_actions(engine, scope.as_of),
        threshold=settings.secrecy_threshold,
        map_category=map_category,
        map_communes=_map_communes(engine, settings, scope, map_category),
        map_boundaries=_boundaries(settings),
        territory_label=territory_label(engine, territory),
        demo=is_demo_database(engine),
    )


def territory_label(engine: Engine, territory: Territory | None) -> str:
    """« UTAS Guéret », « Guéret (23096) », an EPCI's name, or « tout le département »."""
    if territory is None:
        return "tout le département"
    names = dict(list_territories(engine).get(territory.level, []))
    return names.get(territory.code, territory.code)


def _boundaries(settings: Settings) -> Path | None:
    """The communes' outlines file for the map, when the coverage figures are installed."""
    try:
        from charts.coverage_map import boundaries_file
    except ImportError:
        return None
    return boundaries_file(settings)


def weakest_coverage(results: dict[str, MetricResult]) -> str | None:
    """The need category whose coverage is lowest (published values only): the one to map."""
    rates = {
        metric_id.removeprefix(COVERAGE_PREFIX): result.value
        for metric_id, result in results.items()
        if metric_id.startswith(COVERAGE_PREFIX) and result.value is not None
    }
    return min(rates, key=lambda category: (rates[category], category)) if rates else None


def _map_communes(
    engine: Engine, settings: Settings, scope: Scope, category: str | None
) -> list[Any]:
    """Communes with their coverage of ``category``, for the deck's map (empty if none)."""
    if category is None:
        return []
    from metrics.coverage import commune_coverage

    return commune_coverage(engine, settings, scope, category)


def presented_text(data: CommitteeData, metric_id: str) -> str:
    """The value the previous deck showed for an indicator, as French text."""
    if data.presented is None:
        return "—"
    figure = data.presented.figures.get(metric_id)
    if not isinstance(figure, dict):
        return "—"
    if figure.get("suppressed"):
        return secret_label(data.threshold)
    if figure.get("value") is None:
        return NO_DATA
    return format_unit(figure["value"], figure.get("unit", "count"))


def headline_rows(data: CommitteeData) -> list[HeadlineRow]:
    """The headline table, one row per indicator present in the current results."""
    rows = []
    for metric_id in HEADLINE:
        current = data.current.get(metric_id)
        if current is None:
            continue
        previous = data.previous.get(metric_id)
        label = label_of(metric_id)
        if current.mature is not None:
            label = f"{label} *"
        rows.append(
            HeadlineRow(
                metric_id=metric_id,
                label=label,
                previous=reported_text(previous, data.threshold) if previous else "—",
                current=reported_text(current, data.threshold),
                change=reported_delta(current, previous) or "—",
                presented=presented_text(data, metric_id),
                target=(target_text(current.reported) or "—").removeprefix("Cible : "),
            )
        )
    return rows


def mature_months_only(result: MetricResult) -> MetricResult:
    """The entry months of a « within X days » trend that have been followed X days.

    A later month is still an estimate over persons followed a few days: drawn beside the
    others it reads as a fall (or a rise) that the committee table, which stops at the mature
    cohort, does not show."""
    if result.mature is None:
        return result
    last = result.mature.end.strftime("%Y-%m")
    months = result.breakdowns.get("cohort_month")
    if months is None:
        return result
    kept = tuple(row for row in months if str(row.key) <= last)
    return replace(result, breakdowns={**result.breakdowns, "cohort_month": kept})


def snapshot_figures(data: CommitteeData) -> dict[str, Any]:
    """The figures a deck presents, as stored in its snapshot (JSON-friendly)."""
    figures: dict[str, Any] = {}
    for metric_id, whole in data.current.items():
        result = whole.reported  # what the deck shows: the mature cohort's for a share
        figures[metric_id] = {
            "label": label_of(metric_id),
            "unit": result.unit,
            "value": None if result.suppressed else result.value,
            "suppressed": result.suppressed,
            "numerator": None if result.suppressed else result.numerator,
            "denominator": None if result.suppressed else result.denominator,
            "target": result.target,
            "status": result.status,
            "rounding": result.rounding,
            "cohort": cohort_label(whole),
        }
    return figures


def _present(results: dict[str, MetricResult], ids: tuple[str, ...]) -> list[str]:
    return [i for i in ids if i in results]


def committee_charts(data: CommitteeData) -> list[ChartDescription]:
    """The committee's charts, in slide order; each one also appears on the page, and each
    says its scope (and demonstration data) in its footnote."""
    launch = data.scope_text.replace(
        f"Du {format_date(data.scope.start)}", f"Du {format_date(LAUNCH_DATE)}", 1
    )
    return [
        replace(
            desc,
            scope_text=launch if desc.key in LAUNCH_CHART_KEYS else data.scope_text,
            demo=data.demo,
        )
        for desc in _committee_charts(data)
    ]


def _committee_charts(data: CommitteeData) -> list[ChartDescription]:
    as_of, threshold = data.scope.as_of, data.threshold
    charts: list[ChartDescription] = []
    rates = _present(data.current, COMPARED_RATES)
    if rates:
        note = cohort_note({i: data.current[i] for i in rates}, {i: label_of(i) for i in rates})
        chart = comparison_chart(
            [label_of(i) for i in rates],
            [data.current[i].reported for i in rates],
            [r.reported if (r := data.previous.get(i)) else None for i in rates],
            key="comite-taux-cles",
            title="Taux clés : période du comité et période précédente",
            unit="ratio",
            current_name="Période du comité",
            previous_name="Période précédente",
            as_of=as_of,
            threshold=threshold,
        )
        charts.append(replace(chart, note=note))
    trends = {
        label_of(i): mature_months_only(data.launch[i])
        for i in _present(data.launch, LAUNCH_TRENDS)
    }
    if trends:
        charts.append(
            breakdowns_trend(
                trends,
                "cohort_month",
                key="comite-tendances-lancement",
                title="Depuis le lancement : délais tenus, par mois d'entrée",
                x_title="Mois d'entrée",
                as_of=as_of,
                threshold=threshold,
            )
        )
    if "entrants" in data.launch:
        charts.append(
            breakdown_chart(
                data.launch["entrants"],
                "cohort_month",
                title="Entrants soumis aux droits et devoirs, par mois depuis le lancement",
                x_title="Mois d'entrée",
                as_of=as_of,
                threshold=threshold,
                series_name="Entrants",
            )
        )
    for metric_id, title in (
        ("convocation_within_15d_rate", "Convocation sous 15 jours, par UTAS"),
        (
            "orientation_within_legal_delay_rate",
            "Orientation dans le délai légal (six semaines), par UTAS",
        ),
    ):
        if metric_id in data.current:
            whole = data.current[metric_id]
            cohort = cohort_label(whole)
            charts.append(
                breakdown_chart(
                    whole.reported,
                    "utas",
                    title=f"{title} — {cohort}" if cohort else title,
                    x_title="UTAS",
                    as_of=as_of,
                    threshold=threshold,
                    kind="hbar",
                    series_name=label_of(metric_id),
                )
            )
    for mapping, key, title in (
        (ORIENTATION_TYPES, "comite-types-orientation", "Orientations décidées, par type"),
        (SENIORITY, "comite-stock-anciennete", "Stock orienté, par ancienneté dans le RSA"),
    ):
        ids = _present(data.current, tuple(mapping))
        if ids:
            charts.append(
                trend_chart(
                    [mapping[i] for i in ids],
                    {title: [data.current[i] for i in ids]},
                    key=key,
                    title=title,
                    unit="ratio",
                    x_title="Catégorie",
                    as_of=as_of,
                    threshold=threshold,
                    kind="bar",
                )
            )
    if "roadmap_done_rate" in data.current:
        charts.append(
            breakdown_chart(
                data.current["roadmap_done_rate"],
                "axis",
                title="Feuille de route : part des étapes réalisées, par axe",
                x_title="Axe",
                as_of=as_of,
                threshold=threshold,
                kind="hbar",
                series_name="Part réalisée",
                with_target=False,
            )
        )
    coverage = sorted(i for i in data.current if i.startswith(COVERAGE_PREFIX))
    if coverage:
        charts.append(
            trend_chart(
                [category_label(i.removeprefix(COVERAGE_PREFIX)) for i in coverage],
                {"Couverture": [data.current[i] for i in coverage]},
                key="comite-couverture",
                title="Offre partenaire : bénéficiaires ayant un besoin couvert sur leur commune",
                unit="ratio",
                x_title="Besoin",
                as_of=as_of,
                threshold=threshold,
                kind="hbar",
            )
        )
    companies = _present(data.current, COMPANY_IDS)
    if companies:
        charts.append(
            trend_chart(
                [label_of(i) for i in companies],
                {"Période du comité": [data.current[i] for i in companies]},
                key="comite-entreprises",
                title="Mobilisation des entreprises sur la période",
                unit="count",
                x_title="Action",
                as_of=as_of,
                threshold=threshold,
                kind="hbar",
            )
        )
    return charts
