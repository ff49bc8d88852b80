"""The one-glance summary (« météo ») of the roadmap's objectives: one line per objective
with its value, target, a green / orange / red level and the last twelve months.

Why a level beside the catalogue's « atteint / non atteint »: most objectives aim at 100 %,
which a département reaches rarely; a steering committee needs to tell « nearly there » from
« far off » at a glance. The gaps that separate the levels are settings
(``summary_green_gap``, ``summary_orange_gap``, ``summary_late_steps_orange``), documented in
the README, so that a département can tune them.

Every figure is the one the committee reads: a « within X days » share is its mature cohort's
(``MetricResult.reported``), a masked figure stays masked (level ``secret``), and everything
is seen from the scope's as-of date. Formatting and drawing are ``charts/summary.py``'s job.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Literal

from sqlalchemy import Engine

from metrics import catalog
from metrics.cohorts import CohortStore
from metrics.deferred import deferred
from metrics.history import shares_at
from metrics.results import MetricResult, Unit
from metrics.scope import Scope, month_end, month_start
from metrics.spec import MetricContext
from settings import Settings

Level = Literal["vert", "orange", "rouge", "secret", "sans_donnees", "sans_cible"]

MONTHS = 12
COVERAGE_PREFIX = "coverage_rate_"
NEED_PREFIX = "need_share_"


@dataclass(frozen=True)
class Objective:
    """One objective of the roadmap, read from one indicator.

    ``history`` says how its twelve months are measured: ``cohort`` (a share within X days,
    one point per monthly entry cohort, up to the mature one) or ``as_of`` (a stock or a
    cumulative figure, one point per month's end)."""

    key: str
    label: str
    metric_id: str
    history: Literal["cohort", "as_of"]


OBJECTIVES: tuple[Objective, ...] = (
    # « {days} »: the convocation delay of the settings (the id keeps its 15 for good)
    Objective(
        "convocation", "Convocation sous {days} jours", "convocation_within_15d_rate", "cohort"
    ),
    Objective(
        "orientation",
        "Orientation dans le délai légal (six semaines)",
        "orientation_within_legal_delay_rate",
        "cohort",
    ),
    Objective(
        "contract",
        "Contrat dans le mois suivant l'orientation",
        "contract_within_legal_delay_rate",
        "cohort",
    ),
    Objective("activity", "15 heures d'activité par semaine", "activity_15h_rate", "as_of"),
    Objective("stock", "Orientation du stock", "stock_orientation_rate", "as_of"),
    Objective("roadmap", "Feuille de route : étapes en retard", "roadmap_late_steps", "as_of"),
    # the category is chosen from the results: the need most often identified
    Objective("coverage", "Couverture du besoin le plus fréquent", COVERAGE_PREFIX, "as_of"),
    Objective("companies", "Mobilisation des entreprises", "companies_engaged", "as_of"),
)
# indicators read beside an objective (its line shows them as a detail)
COMPANIONS = {"roadmap": "roadmap_done_rate"}


@dataclass(frozen=True)
class MonthPoint:
    """One month of an objective's history (``None`` and ``suppressed``: masked)."""

    month: dt.date  # first day of the month
    value: float | None
    suppressed: bool = False


@dataclass(frozen=True)
class SummaryLine:
    """One objective as the summary shows it."""

    key: str
    label: str
    metric_id: str
    unit: Unit
    value: float | None
    suppressed: bool
    target: float | None
    higher_is_better: bool
    level: Level
    history: tuple[MonthPoint, ...]
    cohort: str | None = None  # « entrants d'avril 2024, observés 15 jours »
    companion: MetricResult | None = None  # roadmap: the share of steps done
    category: str | None = None  # coverage: the need measured


@dataclass(frozen=True)
class Gaps:
    """The settings that separate the levels, for the texts that explain them."""

    green: float
    orange: float
    late_steps_orange: int

    @classmethod
    def of(cls, settings: Settings) -> Gaps:
        return cls(
            settings.summary_green_gap,
            settings.summary_orange_gap,
            settings.summary_late_steps_orange,
        )


def shown(value: float, unit: str) -> float:
    """The value as written on screen (a rate to 0,1 point, a delay to the tenth of a day, a
    count to the unit), so that a level agrees with the figure a reader sees."""
    digits = {"ratio": 3, "days": 1}.get(unit, 0)
    scale = 10**digits
    return float(Decimal(str(value * scale)).quantize(Decimal(1), ROUND_HALF_EVEN)) / scale


def level_of(
    value: float | None,
    target: float | None,
    unit: str,
    higher_is_better: bool,
    settings: Settings,
    *,
    suppressed: bool = False,
    allowance: float | None = None,
) -> Level:
    """Green, orange or red: how far a value is from its target.

    A rate is ``vert`` within ``summary_green_gap`` points of its target (or beyond it),
    ``orange`` within ``summary_orange_gap`` points, ``rouge`` further. A count is compared
    relatively (the same gaps as shares of the target). ``allowance`` replaces the gaps by a
    number of units for a count whose target is zero (late steps: ``vert`` at the target,
    ``orange`` up to ``allowance`` more)."""
    if suppressed:
        return "secret"
    if value is None:
        return "sans_donnees"
    if target is None:
        return "sans_cible"
    value = shown(value, unit)
    miss = target - value if higher_is_better else value - target
    if miss <= 0:
        return "vert"
    if allowance is not None:
        return "orange" if miss <= allowance else "rouge"
    if unit != "ratio":
        if target == 0:
            return "rouge"
        miss = miss / abs(target)
    miss = round(miss, 9)  # 1 − 0.95 is 0.050000000000000044
    if miss <= settings.summary_green_gap:
        return "vert"
    if miss <= settings.summary_orange_gap:
        return "orange"
    return "rouge"


def last_months(last: dt.date, n: int = MONTHS) -> list[dt.date]:
    """The first days of the ``n`` months ending with the month of ``last``, oldest first."""
    months = [month_start(last)]
    while len(months) < n:
        months.append(month_start(months[-1] - dt.timedelta(days=1)))
    return months[::-1]


def most_frequent_need(results: dict[str, MetricResult]) -> str | None:
    """The need category most often identified (published shares only: a masked share never
    takes part, so the choice reveals nothing), ties broken by name."""
    shares = {
        metric_id.removeprefix(NEED_PREFIX): result.value
        for metric_id, result in results.items()
        if metric_id.startswith(NEED_PREFIX) and not result.suppressed and result.value is not None
    }
    if not shares:
        return None
    return max(sorted(shares), key=lambda category: shares[category])


History = Callable[[Scope, str, str], tuple[MonthPoint, ...]]
"""history(scope, metric_id, kind): twelve months of one objective (``month_history``, or
a cached call of it on the pages); ``scope`` is the one ``history_scope`` gives."""


def history_scope(scope: Scope, result: MetricResult, kind: str) -> Scope:
    """The scope twelve months of an objective are computed on, normalised so that pages
    with different periods but the same as-of date share them: the twelve monthly cohorts
    ending with the mature one (``cohort``), or only the as-of date (``as_of``)."""
    if kind == "cohort":
        last = result.mature.start if result.mature is not None else month_start(scope.end)
        return replace(scope, start=last_months(last)[0], end=month_end(last))
    return replace(scope, start=scope.as_of, end=scope.as_of)


def _raw(context: MetricContext, metric_id: str) -> MetricResult | None:
    """One indicator through its family's own computation, asking for it alone (no mature
    cohort: the history needs values only)."""
    family = catalog.family_for(metric_id)
    return family.compute(replace(context, only=frozenset({metric_id}))).get(metric_id)


def month_history(context: MetricContext, metric_id: str, kind: str) -> tuple[MonthPoint, ...]:
    """Twelve months of an objective, as known at the scope's as-of date (the context's scope
    from ``history_scope``). Each point passes through secrecy on its own: a masked month is a
    masked point, never a value."""
    scope = context.scope
    if kind == "cohort":
        whole = _raw(context, metric_id)
        rows = {row.key: row for row in whole.breakdowns.get("cohort_month", ())} if whole else {}
        points = []
        for month in last_months(scope.end):
            row = rows.get(month.strftime("%Y-%m"))
            points.append(
                MonthPoint(month, None)
                if row is None
                else MonthPoint(month, None if row.suppressed else row.value, row.suppressed)
            )
        return tuple(points)
    months = last_months(scope.as_of)
    days = [min(month_end(month), scope.as_of) for month in months]
    grouped = shares_at(context, metric_id, days)
    if grouped is not None:
        results: list[MetricResult | None] = list(grouped)
    else:
        results = [
            _raw(replace(context, scope=replace(scope, start=month, end=day, as_of=day)), metric_id)
            for month, day in zip(months, days, strict=True)
        ]
    return tuple(
        MonthPoint(month, None)
        if result is None
        else MonthPoint(month, None if result.suppressed else result.value, result.suppressed)
        for month, result in zip(months, results, strict=True)
    )


def summary_lines(
    settings: Settings,
    scope: Scope,
    results: dict[str, MetricResult],
    history: History | None = None,
    parallel: Executor | None = None,
) -> list[SummaryLine]:
    """One line per objective whose indicator is in ``results`` (a family that failed or is
    not installed leaves its objective out), in the roadmap's order; with its twelve months
    when ``history`` is given. ``parallel``: an executor on which the objectives' twelve
    months are computed side by side (each is its own scans, independent of the others')."""
    pending: list[tuple[SummaryLine, Callable[[], tuple[MonthPoint, ...]] | None]] = []
    for objective in OBJECTIVES:
        metric_id = objective.metric_id
        category = None
        if objective.key == "coverage":
            category = most_frequent_need(results)
            if category is None:
                continue
            metric_id = f"{COVERAGE_PREFIX}{category}"
        whole = results.get(metric_id)
        if whole is None:
            continue
        line = _line(settings, objective, metric_id, whole, category)
        companion = COMPANIONS.get(objective.key)
        if companion is not None:
            line = replace(line, companion=results.get(companion))
        kind = objective.history
        months = (
            deferred(parallel, history, history_scope(scope, whole, kind), metric_id, kind)
            if history is not None
            else None
        )
        pending.append((line, months))
    return [line if months is None else replace(line, history=months()) for line, months in pending]


def engine_history(
    engine: Engine, settings: Settings, cohorts: CohortStore | None = None
) -> History:
    """``month_history`` without cache (the CLI, the deck built outside a page, the tests);
    ``cohorts``: the cohort months already counted by the caller at the same state."""
    return lambda scope, metric_id, kind: month_history(
        MetricContext(engine, settings, scope, cohorts=cohorts), metric_id, kind
    )


def _line(
    settings: Settings,
    objective: Objective,
    metric_id: str,
    whole: MetricResult,
    category: str | None,
) -> SummaryLine:
    spec = catalog.spec_for(metric_id)
    result = whole.reported
    allowance = None
    target = result.target
    if objective.key == "roadmap":
        target, allowance = 0.0, float(settings.summary_late_steps_orange)
    elif objective.key == "coverage":
        target = settings.summary_coverage_target
    elif objective.key == "companies":
        target = float(settings.summary_companies_target)
    value = None if result.suppressed else result.value
    return SummaryLine(
        key=objective.key,
        label=objective.label.format(days=settings.convocation_days),
        metric_id=metric_id,
        unit=result.unit,
        value=value,
        suppressed=result.suppressed,
        target=target,
        higher_is_better=spec.higher_is_better,
        level=level_of(
            value,
            target,
            result.unit,
            spec.higher_is_better,
            settings,
            suppressed=result.suppressed,
            allowance=allowance,
        ),
        history=(),
        cohort=whole.mature.label if whole.mature is not None else None,
        category=category,
    )
