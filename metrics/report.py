"""Every indicator for one scope as one plain dictionary: what ``pilotage metrics`` prints.

Why a function of its own: the CLI, the benchmarks and the engine-comparison checks need the
same figures in the same shape, ready for JSON (ratios between 0 and 1, days as numbers,
masked figures as null with ``suppressed: true``).
"""

from __future__ import annotations

from concurrent.futures import Executor
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from data_access.db import check_connection, describe_connection_error, has_schema
from data_access.exceptions import DatabaseUnavailableError
from metrics import catalog
from metrics.cohorts import CohortStore
from metrics.exceptions import MetricError
from metrics.population import check_territory
from metrics.scope import Scope
from metrics.spec import MetricContext
from settings import Settings


def metrics_report(
    engine: Engine,
    settings: Settings,
    scope: Scope,
    with_breakdowns: bool = False,
    parallel: Executor | None = None,
) -> dict[str, Any]:
    """``{"scope": {...}, "metrics": {id: {value, numerator, denominator, unit, suppressed,
    target, status, label, definition}}}`` for every indicator of every registered family
    (label and definition in French, under these settings: « sous 10 jours »…).
    ``parallel``: as for ``catalog.compute_all``."""
    check_connection(engine)
    if not has_schema(engine):
        raise MetricError("La base ne contient pas encore de tables : lancez « pilotage init-db ».")
    try:
        with engine.connect() as conn:
            check_territory(conn, scope.territory)
        # One store: the mature months inside the period are read from its months.
        context = MetricContext(engine, settings, scope, cohorts=CohortStore())
        results = catalog.compute_all(context, parallel)
    except SQLAlchemyError as exc:
        raise DatabaseUnavailableError(describe_connection_error(engine, exc)) from None
    return {
        "scope": scope.to_dict(),
        "metrics": {
            metric_id: {
                **result.to_json(with_breakdowns),
                "label": catalog.label_of(metric_id, settings),
                "definition": catalog.definition_of(metric_id, settings),
                **target_reference(metric_id),
            }
            for metric_id, result in results.items()
        },
    }


def target_reference(metric_id: str) -> dict[str, Any]:
    """Where an indicator's target comes from: ``target_source`` (« DREES », « Décret
    n° 2024-1244 »…) and, for a national figure, ``target_year`` (the year it describes),
    so that a DREES reference is never read without its year. Empty without a target."""
    try:
        spec = catalog.spec_for(metric_id)
    except MetricError:
        return {}
    if spec.target is None:
        return {}
    return {"target_source": spec.target_source, "target_year": spec.reference_year}
