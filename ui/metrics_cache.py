"""Metric results for pages, cached per Scope and per data version.

``st.cache_data`` keys on the database URL, the settings (thresholds change results), the
family, the Scope and ``data_access.db.data_version`` (which changes with every import run,
roadmap edit or demo build): a new import shows at once, a revisit costs nothing. Each family is
computed and cached on its own, and a family that fails (or is not registered yet) leaves the
others working: the page shows what it has and names what is missing.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from data_access.db import data_version
from data_access.exceptions import DataAccessError
from metrics import catalog
from metrics.exceptions import MetricError
from metrics.results import MetricResult
from metrics.scope import Scope
from metrics.spec import Family, MetricContext
from ui.context import AppContext


@dataclass
class Computed:
    """Results of every registered family for one scope, and the families that failed."""

    results: dict[str, MetricResult] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)

    def get(self, metric_id: str) -> MetricResult | None:
        """The result of an indicator, or None when its family is absent or failed."""
        return self.results.get(metric_id)


def settings_fingerprint(context: AppContext) -> str:
    """A short hash of the settings, so a changed threshold is a different cache entry."""
    dump = context.settings.model_dump_json(exclude={"pseudonymisation_key"})
    return hashlib.sha256(dump.encode()).hexdigest()[:16]


def current_version(context: AppContext) -> str:
    """The data version now (a handful of indexed aggregates; not cached on purpose)."""
    return data_version(context.engine)


@st.cache_data(show_spinner=False, max_entries=2048)
def _family_results(
    database_url: str,
    fingerprint: str,
    family_name: str,
    scope: Scope,
    version: str,
    _context: AppContext,
) -> dict[str, MetricResult]:
    family = next(f for f in catalog.families() if f.name == family_name)
    return catalog.compute_family(family, MetricContext(_context.engine, _context.settings, scope))


def _declares(family: Family, ids: Iterable[str]) -> bool:
    declared = {spec.id.split("<", 1)[0] for spec in family.indicators}
    return any(i in declared or any(i.startswith(d) for d in declared if d) for i in ids)


def metric_results(
    context: AppContext,
    scope: Scope,
    version: str | None = None,
    *,
    only: Iterable[str] | None = None,
) -> Computed:
    """Registered families' results for ``scope``, from the cache when possible.

    ``only`` (indicator ids) limits the work to the families that declare them, for pages that
    compute many scopes (twelve weeks of trend) but need a few indicators.
    """
    version = version or current_version(context)
    fingerprint = settings_fingerprint(context)
    computed = Computed()
    wanted = tuple(only) if only is not None else None
    for family in catalog.families():
        if wanted is not None and not _declares(family, wanted):
            continue
        try:
            computed.results.update(
                _family_results(
                    context.settings.database_url,
                    fingerprint,
                    family.name,
                    scope,
                    version,
                    context,
                )
            )
        except (MetricError, DataAccessError) as exc:
            computed.failures[family.label] = str(exc)
    return computed


@st.cache_data(show_spinner=False, max_entries=2048)
def _call(
    target: str,
    database_url: str,
    fingerprint: str,
    version: str,
    args: tuple[Any, ...],
    _context: AppContext,
) -> Any:
    module_name, function_name = target.split(":")
    function: Callable[..., Any] = getattr(importlib.import_module(module_name), function_name)
    scope, *rest = args
    return function(MetricContext(_context.engine, _context.settings, scope), *rest)


def cached_call(
    context: AppContext, target: str, scope: Scope, *args: Any, version: str | None = None
) -> Any:
    """Call ``module:function(MetricContext(engine, settings, scope), *args)`` once per data
    version and arguments: every metric function takes a MetricContext first.

    For metric helpers beyond the families (delay curves, coverage listings); the arguments
    must be hashable values such as a category or a level.
    """
    return _call(
        target,
        context.settings.database_url,
        settings_fingerprint(context),
        version or current_version(context),
        (scope, *args),
        context,
    )


def show_failures(computed: Computed) -> None:
    """Name, in French, the families whose figures could not be computed."""
    for label, message in computed.failures.items():
        st.warning(f"Indicateurs « {label} » indisponibles : {message}")


def previous_results(context: AppContext, scope: Scope) -> Computed | None:
    """Results of the period of the same length just before, or None when it would begin
    before the launch (then cards show no change rather than a change against nothing)."""
    from metrics.committee import previous_period

    before = previous_period(scope)
    return metric_results(context, before) if before is not None else None
