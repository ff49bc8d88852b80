"""The committee's charts and headline table, drawn from what ``metrics.committee`` gathered.

``metrics/committee.py`` computes the figures of the committee period, the period before, the
launch-to-date trends and reads the previous deck's snapshot; this module only turns that
``CommitteeData`` into chart descriptions and French table rows, so the « Comité de suivi »
page and the PowerPoint deck draw the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

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
from formatting import NO_DATA, format_date, secret_label
from metrics.committee import (
    COMPARED_RATES,
    COVERAGE_PREFIX,
    HEADLINE,
    LAUNCH_DATE,
    LAUNCH_TRENDS,
    CommitteeData,
)
from metrics.coverage import category_label
from metrics.displays import COMMITTEE_COMPANIES as COMPANY_IDS
from metrics.results import MetricResult

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
# charts drawn over the whole pilot, not the committee period (their footnote says so)
LAUNCH_CHART_KEYS = ("comite-tendances-lancement", "entrants-cohort-month")


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
        label = data.label(metric_id)
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
        note = cohort_note({i: data.current[i] for i in rates}, {i: data.label(i) for i in rates})
        chart = comparison_chart(
            [data.label(i) for i in rates],
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
        data.label(i): mature_months_only(data.launch[i])
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
        (
            "convocation_within_15d_rate",
            f"Convocation sous {data.settings.convocation_days} jours, par UTAS",
        ),
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
                    series_name=data.label(metric_id),
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
                [data.label(i) for i in companies],
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
