"""The registry of every indicator: id, French label, definition, formula, unit, target.

Family modules are listed in ``FAMILY_MODULES`` and imported on first use. ``validate`` checks
the whole registry and reports every problem at once; a test keeps it empty.
"""

from __future__ import annotations

import importlib
from functools import cache

from metrics.exceptions import UnknownMetricError
from metrics.results import MetricResult
from metrics.spec import TARGET_SOURCES, Family, IndicatorSpec, MetricContext

FAMILY_MODULES: tuple[str, ...] = ("metrics.roadmap", "metrics.coverage", "metrics.companies")


@cache
def families() -> tuple[Family, ...]:
    """Every family, in the order of ``FAMILY_MODULES``."""
    return tuple(importlib.import_module(name).FAMILY for name in FAMILY_MODULES)


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
    return problems


def compute_all(context: MetricContext) -> dict[str, MetricResult]:
    """Every indicator of every family for one scope, keyed by id."""
    results: dict[str, MetricResult] = {}
    for family in families():
        results.update(family.compute(context))
    return results
