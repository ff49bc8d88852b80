"""Territories side by side: each UTAS (or, on demand, each EPCI) ranked against the target of
each objective of the roadmap that is measured per territory.

Why: a committee acts on territories; seeing Boussac last on three objectives says where to
look. The figures are the ones the committee reads (a « within X days » share is its mature
cohort's) and secrecy applies per territory: a UTAS comes from the indicator's own ``utas``
breakdown, which ``privacy.py`` masks with its secondary suppression (a masked UTAS cannot be
recomputed from the département and the others); an EPCI is computed on its own scope, so
its counts are masked and rounded like any published scope. A masked territory stays in the
ranking, last, as masked, never with a value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from sqlalchemy import Engine

from metrics import catalog
from metrics.results import MetricResult, Unit
from metrics.scope import Scope, Territory
from metrics.spec import Family, MetricContext
from metrics.summary import Level, level_of, summary_lines
from settings import Settings

LEVELS = ("utas", "epci")
# the objectives of the summary that are measured per territory (the roadmap and the
# companies are counted for the whole département)
TERRITORIAL = ("convocation", "orientation", "contract", "activity", "stock", "coverage")
# compute(scope, ids): results of the families declaring ``ids`` for ``scope``
Compute = Callable[[Scope, tuple[str, ...]], dict[str, MetricResult]]


@dataclass(frozen=True)
class TerritoryValue:
    """One territory's figure for one objective, and its level against the target."""

    code: str
    label: str
    value: float | None
    suppressed: bool
    level: Level


@dataclass(frozen=True)
class TerritoryRanking:
    """One objective: the territories from best to worst, masked and empty ones last."""

    key: str
    label: str
    metric_id: str
    unit: Unit
    target: float | None
    higher_is_better: bool
    cohort: str | None
    values: tuple[TerritoryValue, ...]
    category: str | None = None  # coverage: the need measured


def ranked(values: Sequence[TerritoryValue], higher_is_better: bool) -> tuple[TerritoryValue, ...]:
    """Best first (ties by name); masked territories, then those without data, last."""
    measured = sorted(
        (v for v in values if v.value is not None),
        key=lambda v: (-v.value if higher_is_better else v.value, v.label),  # type: ignore[operator]
    )
    masked = sorted((v for v in values if v.suppressed), key=lambda v: v.label)
    empty = sorted(
        (v for v in values if v.value is None and not v.suppressed), key=lambda v: v.label
    )
    return (*measured, *masked, *empty)


def territory_rankings(
    settings: Settings,
    scope: Scope,
    results: dict[str, MetricResult],
    *,
    level: str = "utas",
    territories: Sequence[tuple[str, str]] = (),
    compute: Compute | None = None,
) -> list[TerritoryRanking]:
    """The rankings of the territorial objectives present in ``results``.

    ``utas``: read from each indicator's ``utas`` breakdown (of its mature cohort when it has
    one). ``epci``: each of ``territories`` (code, name) computed on its own scope through
    ``compute``."""
    if level not in LEVELS:
        raise ValueError(level)
    lines = [line for line in summary_lines(settings, scope, results) if line.key in TERRITORIAL]
    per_territory: dict[str, dict[str, MetricResult]] = {}
    if level == "epci" and compute is not None:
        ids = tuple(line.metric_id for line in lines)
        for code, _name in territories:
            per_territory[code] = compute(replace(scope, territory=Territory("epci", code)), ids)
    rankings = []
    for line in lines:
        whole = results[line.metric_id]
        if level == "utas":
            rows = whole.reported.breakdowns.get("utas", ())
            cells = [(str(row.key), row.label, row.value, row.suppressed) for row in rows]
        else:
            cells = []
            for code, name in territories:
                found = per_territory.get(code, {}).get(line.metric_id)
                result = found.reported if found is not None else None
                cells.append(
                    (
                        code,
                        name,
                        None if result is None or result.suppressed else result.value,
                        bool(result is not None and result.suppressed),
                    )
                )
        values = [
            TerritoryValue(
                code=code,
                label=label,
                value=None if suppressed else value,
                suppressed=suppressed,
                level=level_of(
                    None if suppressed else value,
                    line.target,
                    line.unit,
                    line.higher_is_better,
                    settings,
                    suppressed=suppressed,
                ),
            )
            for code, label, value, suppressed in cells
        ]
        rankings.append(
            TerritoryRanking(
                key=line.key,
                label=line.label,
                metric_id=line.metric_id,
                unit=line.unit,
                target=line.target,
                higher_is_better=line.higher_is_better,
                cohort=line.cohort,
                values=ranked(values, line.higher_is_better),
                category=line.category,
            )
        )
    return rankings


def declares(family: Family, ids: Sequence[str]) -> bool:
    """True when the family computes one of ``ids`` (``<category>`` templates included)."""
    return any(
        metric_id == spec.id or (spec.is_pattern and metric_id.startswith(spec.id.split("<", 1)[0]))
        for spec in family.indicators
        for metric_id in ids
    )


def catalog_compute(engine: Engine, settings: Settings) -> Compute:
    """A ``Compute`` over the catalogue without cache (the command line, the tests): only the
    families declaring the ids asked for run."""

    def compute(scope: Scope, ids: tuple[str, ...]) -> dict[str, MetricResult]:
        context = MetricContext(engine, settings, scope)
        results: dict[str, MetricResult] = {}
        for family in catalog.families():
            if declares(family, ids):
                results.update(catalog.compute_family(family, context))
        return results

    return compute
