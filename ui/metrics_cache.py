"""Metric results for pages, cached per Scope and per data version.

``st.cache_data`` keys on the database URL, the settings (thresholds change results), the
family, the Scope and ``data_access.db.data_version`` (which changes with every import run,
roadmap edit or demo build): a new import shows at once, a revisit costs nothing. Each family is
computed and cached on its own, and a family that fails (or is not registered yet) leaves the
others working: the page shows what it has and names what is missing.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import Executor
from dataclasses import dataclass, field, replace
from typing import Any

import streamlit as st
from sqlalchemy import Engine
from streamlit.runtime.scriptrunner import get_script_run_ctx

from data_access.db import data_version
from data_access.exceptions import DataAccessError
from metrics import catalog
from metrics.cohorts import CohortStore, CohortStores
from metrics.deferred import deferred
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


# Per browser session: the run that read the version (its cursors dict, a new object at every
# run and held here so that its identity cannot be reused) and the version it read.
_RENDER_VERSIONS: dict[str, tuple[object, str]] = {}
_MAX_SESSIONS = 1024


def current_version(context: AppContext) -> str:
    """The data version, read once per render (``render_version``)."""
    return render_version(context.engine)


def render_version(engine: Engine) -> str:
    """The data version, read once per render of a page (five indexed aggregates).

    Not cached across renders on purpose: an import must show at the next one. Within one
    render every caller (freshness banner, each scope of the page) gets the version read
    first, so that one page is also drawn from one state of the data. Outside Streamlit (CLI,
    benchmark) it is read at each call.
    """
    run = get_script_run_ctx(suppress_warning=True)
    if run is None:
        return data_version(engine)
    marker = run.cursors
    known = _RENDER_VERSIONS.get(run.session_id)
    if known is not None and known[0] is marker:
        return known[1]
    version = data_version(engine)
    if len(_RENDER_VERSIONS) >= _MAX_SESSIONS:
        _RENDER_VERSIONS.clear()
    _RENDER_VERSIONS[run.session_id] = (marker, version)
    return version


# Cohort months counted once per state of the data, shared by every scope and page.
_COHORTS = CohortStores()


@st.cache_data(show_spinner=False, max_entries=1)
def _cache_generation() -> str:
    """A token that changes when Streamlit's data cache is cleared: the cohort months live
    beside that cache, and must be forgotten with it (a cold page is cold for both)."""
    return uuid.uuid4().hex


def cohort_store(database_url: str, version: str) -> CohortStore:
    """The cohort months of this database at this data version (``metrics/cohorts.py``)."""
    return _COHORTS.store(database_url, version, _cache_generation())


@st.cache_data(show_spinner=False, max_entries=4096)
def _computed(
    database_url: str,
    fingerprint: str,
    family_name: str,
    scope: Scope,
    asked: frozenset[str] | None,
    version: str,
    _context: AppContext,
) -> dict[str, MetricResult]:
    """A family's own results for one scope (before mature cohorts and local targets): the
    unit shared between the periods, mature months and as-of dates that need it."""
    family = next(f for f in catalog.families() if f.name == family_name)
    cohorts = cohort_store(database_url, version)
    return family.compute(MetricContext(_context.engine, _context.settings, scope, asked, cohorts))


@st.cache_data(show_spinner=False, max_entries=2048)
def _family_results(
    database_url: str,
    fingerprint: str,
    family_name: str,
    scope: Scope,
    asked: frozenset[str] | None,
    version: str,
    _context: AppContext,
) -> dict[str, MetricResult]:
    family = next(f for f in catalog.families() if f.name == family_name)

    def compute(at: Scope, ids: frozenset[str] | None) -> dict[str, MetricResult]:
        scope_key = family_scope(family, at)
        return _computed(
            database_url,
            fingerprint,
            family_name,
            scope_key,
            asked_of(family, ids),
            version,
            _context,
        )

    cohorts = cohort_store(database_url, version)
    context = MetricContext(_context.engine, _context.settings, scope, asked, cohorts)
    return catalog.compute_family(family, context, compute)


def family_scope(family: Family, scope: Scope) -> Scope:
    """The scope a family's results are cached under: for a family that depends on the as-of
    date only (stocks, states at a date), the period is dropped, so that two periods observed
    at the same date (a period and the launch-to-date, a cohort and its mature month) share
    one computation."""
    if not family.as_of_only:
        return scope
    return replace(scope, start=scope.as_of, end=scope.as_of)


def asked_of(family: Family, wanted: Iterable[str] | None) -> frozenset[str] | None:
    """The indicators of ``family`` among ``wanted``, or None when that is all of them (or
    the family declares templated ids): None keeps one cache entry for every page."""
    if wanted is None:
        return None
    declared = {spec.id for spec in family.indicators}
    if any("<" in i for i in declared):
        return None
    asked = declared & set(wanted)
    return None if asked == declared else frozenset(asked)


def _declares(family: Family, ids: Iterable[str]) -> bool:
    declared = {spec.id.split("<", 1)[0] for spec in family.indicators}
    return any(i in declared or any(i.startswith(d) for d in declared if d) for i in ids)


def metric_results(
    context: AppContext,
    scope: Scope,
    version: str | None = None,
    *,
    only: Iterable[str] | None = None,
    parallel: Executor | None = None,
) -> Computed:
    """Registered families' results for ``scope``, from the cache when possible.

    ``only`` (indicator ids) limits the work to the families that declare them, and within a
    family to the queries of those indicators: a page computes only what it shows.
    ``parallel``: an executor on which the families are computed side by side (they share
    nothing but the cache); the results keep the catalogue's order either way.
    """
    version = version or current_version(context)
    fingerprint = settings_fingerprint(context)
    wanted = tuple(only) if only is not None else None
    chosen = [
        family for family in catalog.families() if wanted is None or _declares(family, wanted)
    ]

    def one(family: Family) -> dict[str, MetricResult]:
        return _family_results(
            context.settings.database_url,
            fingerprint,
            family.name,
            scope,
            asked_of(family, wanted),
            version,
            context,
        )

    pending = [deferred(parallel, one, family) for family in chosen]
    computed = Computed()
    for family, result in zip(chosen, pending, strict=True):
        try:
            computed.results.update(result())
        except (MetricError, DataAccessError) as exc:
            computed.failures[family.label] = str(exc)
    return computed


@st.cache_data(show_spinner=False, max_entries=2048)
def _call(
    name: str,
    database_url: str,
    fingerprint: str,
    version: str,
    args: tuple[Any, ...],
    _function: Callable[..., Any],
    _context: AppContext,
) -> Any:
    scope, *rest = args
    cohorts = cohort_store(database_url, version)
    return _function(
        MetricContext(_context.engine, _context.settings, scope, cohorts=cohorts), *rest
    )


def cached_call(
    context: AppContext,
    function: Callable[..., Any],
    scope: Scope,
    *args: Any,
    version: str | None = None,
) -> Any:
    """Call ``function(MetricContext(engine, settings, scope), *args)`` once per data version
    and arguments: every metric function takes a MetricContext first.

    For metric helpers beyond the families (delay curves, coverage listings); the arguments
    must be hashable values such as a category or a level. The cache knows the function by its
    module and qualified name (the function itself is not hashed).
    """
    return _call(
        f"{function.__module__}.{function.__qualname__}",
        context.settings.database_url,
        settings_fingerprint(context),
        version or current_version(context),
        (scope, *args),
        function,
        context,
    )


def show_failures(computed: Computed) -> None:
    """Name, in French, the families whose figures could not be computed."""
    for label, message in computed.failures.items():
        st.warning(f"Indicateurs « {label} » indisponibles : {message}")


def previous_results(
    context: AppContext, scope: Scope, *, only: Iterable[str] | None = None
) -> Computed | None:
    """Results of the period of the same length just before, or None when it would begin
    before the launch (then cards show no change rather than a change against nothing);
    ``only`` as for ``metric_results`` (the cards compare a few indicators)."""
    from metrics.committee import previous_period

    before = previous_period(scope)
    return metric_results(context, before, only=only) if before is not None else None
