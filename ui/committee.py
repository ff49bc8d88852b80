"""The committee's figures as a page gathers them: through the caches, side periods beside.

Why here and not in the page: the « Comité de suivi » page and the benchmark that times it
must gather the same way (cached family results, cached twelve months and map, side periods
on the server's pool), or the benchmark would time something the préfet never waits for.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from metrics.committee import CommitteeData, Compute, gather_committee
from metrics.coverage import CommuneCoverage, commune_coverage
from metrics.results import MetricResult
from metrics.scope import Scope, Territory
from ui.context import AppContext
from ui.metrics_cache import cached_call, metric_results
from ui.parallel import family_executor, side_executor
from ui.summary import cached_history


@dataclass
class PageCommittee:
    """What the page shows, the families that failed (French label → message), and the
    cached computation it used (the page's territory table asks it for more scopes)."""

    data: CommitteeData
    compute: Compute
    failures: dict[str, str] = field(default_factory=dict)


def page_committee(
    context: AppContext,
    committee_date: dt.date,
    version: str,
    *,
    territory: Territory | None = None,
    payer: str | None = None,
) -> PageCommittee:
    """The committee of ``committee_date`` for the scope, every figure from the caches."""
    failures: dict[str, str] = {}

    def compute(scope: Scope, ids: tuple[str, ...] | None) -> dict[str, MetricResult]:
        computed = metric_results(context, scope, version, only=ids, parallel=family_executor())
        failures.update(computed.failures)
        return computed.results

    def communes(scope: Scope, category: str) -> list[CommuneCoverage]:
        result: list[CommuneCoverage] = cached_call(
            context, commune_coverage, scope, category, version=version
        )
        return result

    data = gather_committee(
        context.engine,
        context.settings,
        committee_date,
        territory=territory,
        payer=payer,
        compute=compute,
        history=cached_history(context, version),
        parallel=side_executor(),
        communes=communes,
    )
    return PageCommittee(data, compute, failures)
