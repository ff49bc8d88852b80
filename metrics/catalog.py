"""The registry of every indicator: id, French label, definition, formula, unit, target.

Every family module is imported here and its ``FAMILY`` listed in ``FAMILIES`` (page order).
``validate`` checks the whole registry and reports every problem at once; a test keeps it
empty.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import replace

from data_access.thematiques import category_label
from metrics import (
    accompaniment,
    activity,
    appointments,
    companies,
    contracts,
    convocation,
    coverage,
    displays,
    orientation,
    roadmap,
)
from metrics.deferred import deferred
from metrics.delays import delay_curves as delay_curves_from
from metrics.exceptions import MetricError, UnknownMetricError
from metrics.population import BREAKDOWN_FIELDS, check_territory
from metrics.results import MatureCohort, MetricResult
from metrics.scope import Scope
from metrics.spec import TARGET_SOURCES, Family, IndicatorSpec, MetricContext, placeholders
from metrics.survival import DelayCurve
from settings import Settings

UNITS = ("ratio", "days", "count")

FAMILIES: tuple[Family, ...] = (
    convocation.FAMILY,
    appointments.FAMILY,
    orientation.FAMILY,
    orientation.STOCK_FAMILY,
    contracts.FAMILY,
    accompaniment.FAMILY,
    activity.FAMILY,
    roadmap.FAMILY,
    coverage.FAMILY,
    companies.FAMILY,
)


def families() -> tuple[Family, ...]:
    """Every family, in the order of ``FAMILIES``."""
    return FAMILIES


def indicators() -> tuple[IndicatorSpec, ...]:
    """Every indicator spec of every family."""
    return tuple(spec for family in families() for spec in family.indicators)


def spec_for(metric_id: str) -> IndicatorSpec:
    """The spec of an id, matching ``<category>`` templates; raises UnknownMetricError."""
    for spec in indicators():
        if spec.id == metric_id:
            return spec
    for spec in indicators():
        if spec.is_pattern:
            prefix = spec.id.split("<", 1)[0]
            if metric_id.startswith(prefix) and len(metric_id) > len(prefix):
                return spec
    raise UnknownMetricError(f"Indicateur inconnu : « {metric_id} ».")


def label_of(metric_id: str, settings: Settings) -> str:
    """The French label of an indicator under the settings (« sous 10 jours » when the
    convocation delay is 10 days); a ``<category>`` indicator adds its category's name; the id
    itself when the catalogue does not know it. The one label every page, CSV and slide uses."""
    try:
        spec = spec_for(metric_id)
    except UnknownMetricError:
        return metric_id
    label = spec.label_for(settings)
    if not spec.is_pattern:
        return label
    category = metric_id[len(spec.id.split("<", 1)[0]) :]
    return f"{label} — {category_label(category)}"


def definition_of(metric_id: str, settings: Settings) -> str:
    """The French definition of an indicator under the settings ("" when unknown)."""
    try:
        return spec_for(metric_id).definition_for(settings)
    except UnknownMetricError:
        return ""


def validate() -> list[str]:
    """Every problem of the registry at once (duplicate ids, missing French texts…)."""
    problems: list[str] = []
    seen: set[str] = set()
    for spec in indicators():
        if spec.id in seen:
            problems.append(f"{spec.id}: identifiant en double")
        seen.add(spec.id)
        for name in ("label", "definition", "formula"):
            if not getattr(spec, name).strip():
                problems.append(f"{spec.id}: {name} vide")
        if spec.target is not None and spec.target_source not in TARGET_SOURCES:
            problems.append(f"{spec.id}: source de la cible inconnue « {spec.target_source} »")
        problems.extend(_check_spec(spec))
    names = [family.name for family in families()]
    problems.extend(
        f"{name}: famille en double" for name in sorted(set(names)) if names.count(name) > 1
    )
    problems.extend(_check_displays())
    return problems


def _check_displays() -> list[str]:
    """Every indicator id a page, the committee or the deck names (``metrics.displays``)
    exists in the catalogue: a renamed or mistyped id fails here, not as a missing card."""
    problems = []
    for place, ids in displays.DISPLAYS.items():
        for metric_id in ids:
            try:
                spec_for(metric_id)
            except UnknownMetricError:
                problems.append(f"{place}: indicateur inconnu « {metric_id} »")
    return problems


def _check_spec(spec: IndicatorSpec) -> list[str]:
    """Problems of one spec beyond empty texts: unit, target and its source, breakdowns."""
    problems = []
    if spec.unit not in UNITS:
        problems.append(f"{spec.id}: unité inconnue « {spec.unit} »")
    if spec.target is None and spec.target_source is not None:
        problems.append(f"{spec.id}: source de cible sans cible")
    if spec.target is not None:
        target = spec.target_for(Settings(_env_file=None))
        if not isinstance(target, int | float):
            problems.append(f"{spec.id}: la cible n'est pas un nombre")
        elif spec.unit == "ratio" and not 0 <= target <= 1:
            problems.append(f"{spec.id}: cible hors de 0–1 pour un taux")
    if len(set(spec.breakdowns)) != len(spec.breakdowns):
        problems.append(f"{spec.id}: ventilation en double")
    if spec.label.strip() and not spec.label[0].isupper():
        problems.append(f"{spec.id}: le libellé doit commencer par une majuscule")
    for name in ("label", "definition", "formula"):
        problems.extend(
            f"{spec.id}: {name} cite un paramètre inconnu « {{{setting}}} »"
            for setting in placeholders(getattr(spec, name))
            if setting not in Settings.model_fields
        )
    return problems


# compute(scope, ids): a family's own results for a scope, limited to ``ids`` (None: all),
# such as a cache's.
ScopeCompute = Callable[[Scope, frozenset[str] | None], dict[str, MetricResult]]


def mature_scope(scope: Scope, days: float) -> Scope:
    """The cohort a « within ``days`` days » share is reported on: the latest calendar month
    ending on or before both the period's end and ``as_of − days`` (every person of it has
    been followed ``days`` days, or has left), seen at the scope's as-of date.

    A share within 45 days over a period shorter than 45 days (or a committee held less than
    45 days after the previous one) cannot be measured on the period's own entrants; this
    month's can, and it is the same month for every page, slide and export of that date."""
    last_entry = min(scope.end, scope.as_of - dt.timedelta(days=math.ceil(days)))
    end = (last_entry + dt.timedelta(days=1)).replace(day=1) - dt.timedelta(days=1)
    return replace(scope, start=end.replace(day=1), end=end)


def with_mature(
    family: Family,
    context: MetricContext,
    results: dict[str, MetricResult],
    compute: ScopeCompute | None = None,
) -> dict[str, MetricResult]:
    """Attach its mature cohort to every « within X days » result of a family (and to the
    median and mean delays published beside it, so that they describe the same persons).

    Generic: any indicator published by ``delays.publish_within`` carries its X
    (``mature_days``), so a new one gets its mature cohort without code here. ``compute``
    (the family's results for a scope, by default ``family.compute``) lets a cache share a
    mature month between periods that end on it, such as a period and the launch-to-date.

    A mature month is asked only for the indicators that carry one: its other figures
    (counts, splits by type) would scan the month for nothing the caller reads."""
    carrying: dict[Scope, set[str]] = {}
    for metric_id, result in results.items():
        if result.mature_days is not None:
            carrying.setdefault(mature_scope(context.scope, result.mature_days), set()).add(
                metric_id
            )
    computed = {
        scope: (
            compute(scope, frozenset(ids))
            if compute is not None
            else family.compute(replace(context, scope=scope, only=frozenset(ids)))
        )
        for scope, ids in carrying.items()
    }
    attached = dict(results)
    for metric_id, result in results.items():
        if result.mature_days is None:
            continue
        scope = mature_scope(context.scope, result.mature_days)
        mature = computed[scope].get(metric_id)
        if mature is None:
            continue
        attached[metric_id] = replace(
            result,
            mature=MatureCohort(
                start=scope.start,
                end=scope.end,
                days=result.mature_days,
                noun=spec_for(metric_id).cohort_noun,
                observed=spec_for(metric_id).mature_observed,
                result=replace(mature, mature_days=None),
            ),
        )
    return attached


def without_local_targets(
    family: Family, scope: Scope, results: dict[str, MetricResult]
) -> dict[str, MetricResult]:
    """Drop the target and status of indicators whose target is defined only for the whole
    département and every payer, when the scope is a territory or a payer."""
    if scope.territory is None and scope.payer is None:
        return results
    local = {spec.id for spec in family.indicators if spec.target_departement_only}
    return {
        metric_id: (
            replace(
                result,
                target=None,
                status=result.status
                if result.status in ("secret", "sans_donnees")
                else "sans_cible",
            )
            if metric_id in local
            else result
        )
        for metric_id, result in results.items()
    }


def compute_family(
    family: Family,
    context: MetricContext,
    compute: ScopeCompute | None = None,
) -> dict[str, MetricResult]:
    """One family's results for one scope, with the mature cohorts of its shares within X
    days and targets only where they are defined: what every page, the deck and
    ``pilotage metrics`` show. ``compute``: as for ``with_mature`` (a cache's)."""
    raw = compute(context.scope, context.only) if compute is not None else family.compute(context)
    results = with_mature(family, context, raw, compute)
    return without_local_targets(family, context.scope, results)


def compute_all(
    context: MetricContext, parallel: Executor | None = None
) -> dict[str, MetricResult]:
    """Every indicator of every family for one scope, keyed by id (in the catalogue's
    order). ``parallel``: an executor on which the families run side by side (they are
    independent scans of the database)."""
    pending = [deferred(parallel, compute_family, family, context) for family in families()]
    results: dict[str, MetricResult] = {}
    for family_results in pending:
        results.update(family_results())
    return results


def family_for(metric_id: str) -> Family:
    """The family that computes an indicator; raises UnknownMetricError."""
    spec = spec_for(metric_id)
    for family in families():
        if spec in family.indicators:
            return family
    raise UnknownMetricError(f"Indicateur inconnu : « {metric_id} ».")


def compute_one(context: MetricContext, metric_id: str) -> MetricResult:
    """One indicator for one scope (its family computes its siblings too: they share queries)."""
    results = compute_family(family_for(metric_id), context)
    if metric_id not in results:
        raise UnknownMetricError(f"Indicateur inconnu : « {metric_id} ».")
    return results[metric_id]


def delay_metric_ids() -> tuple[str, ...]:
    """Ids of the delay indicators that have a Kaplan–Meier curve."""
    return tuple(metric_id for family in families() for metric_id in family.curves)


def delay_curves(context: MetricContext, metric_id: str, by: str | None = None) -> list[DelayCurve]:
    """Cumulative Kaplan–Meier curves (share reached by day t) behind a delay indicator, for
    the whole cohort or by ``cohort_month`` / ``utas``; small groups come back masked."""
    for family in families():
        query = family.curves.get(metric_id)
        if query is not None:
            with context.engine.connect() as conn:
                check_territory(conn, context.scope.territory)
                counts = query(conn, context.scope)
            if by is not None and by not in BREAKDOWN_FIELDS:
                raise MetricError(f"Ventilation inconnue pour une courbe : « {by} ».")
            settings = context.settings
            return delay_curves_from(
                counts, settings.secrecy_threshold, by, settings.secrecy_rounding
            )
    raise UnknownMetricError(f"Pas de courbe de délai pour l'indicateur « {metric_id} ».")


def periods(end: dt.date, freq: str, n: int) -> list[tuple[dt.date, dt.date]]:
    """The ``n`` calendar weeks (Monday–Sunday) or months up to the one holding ``end``; the
    last one stops at ``end``."""
    if freq not in ("week", "month"):
        raise MetricError(f"Fréquence inconnue « {freq} » : week ou month attendu.")
    if n < 1:
        raise MetricError("Le nombre de périodes doit être au moins 1.")
    spans: list[tuple[dt.date, dt.date]] = []
    if freq == "week":
        start = end - dt.timedelta(days=end.weekday())
        for _ in range(n):
            spans.append((start, min(start + dt.timedelta(days=6), end)))
            start -= dt.timedelta(days=7)
    else:
        start = end.replace(day=1)
        for _ in range(n):
            next_month = (start + dt.timedelta(days=32)).replace(day=1)
            spans.append((start, min(next_month - dt.timedelta(days=1), end)))
            start = (start - dt.timedelta(days=1)).replace(day=1)
    return spans[::-1]


def series(
    context: MetricContext, metric_id: str, freq: str, n: int
) -> list[tuple[dt.date, dt.date, MetricResult]]:
    """One indicator for each of the last ``n`` weeks or months ending with the scope's end,
    oldest first, each seen from the scope's as-of date (what is known today about each
    period). Territory and payer are kept; each point goes through secrecy on its own."""
    family = family_for(metric_id)
    points = []
    for start, end in periods(context.scope.end, freq, n):
        scope = replace(context.scope, start=start, end=end, as_of=context.scope.as_of)
        results = family.compute(replace(context, scope=scope))
        points.append((start, end, results[metric_id]))
    return points
