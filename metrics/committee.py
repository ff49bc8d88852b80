"""What a follow-up committee looks at, gathered once for the page and for the deck.

The committee period runs from the day after the previous committee (or two months back when
none is recorded) to the committee date; it is compared with the period of the same length
just before, and with the figures the previous deck actually presented (its snapshot). The
same ``CommitteeData`` feeds the « Comité de suivi » page and the PowerPoint deck, so both show
the same numbers. Metric values come from the catalogue (through ``compute``, which the page
replaces by its cache); roadmap steps, actions, the previous snapshot and the map's outlines
from ``data_access/``. Drawing is ``charts/committee.py``'s and ``charts/deck.py``'s job; they
only read what this module gathered.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from sqlalchemy import Engine

from data_access.exceptions import ReferenceDataError
from data_access.governance import ActionView, list_actions, open_actions
from data_access.highlights import HighlightView, highlights_as_of
from data_access.inventory import is_demo_database
from data_access.roadmap import StepView, steps_at
from data_access.snapshots import DeckScope, Snapshot, last_committee_date, latest_snapshot
from data_access.territories import boundaries_file, list_territories, load_geojson
from data_access.timeline import ENGAGEMENT_START
from formatting import format_date
from metrics import catalog
from metrics.cohorts import CohortStore
from metrics.coverage import CommuneCoverage, commune_coverage
from metrics.deferred import deferred
from metrics.displays import COMMITTEE_COMPARED_RATES as COMPARED_RATES
from metrics.displays import COMMITTEE_HEADLINE as HEADLINE
from metrics.displays import COMMITTEE_LAUNCH_TRENDS as LAUNCH_TRENDS
from metrics.results import MetricResult
from metrics.roadmap import is_late
from metrics.scope import Scope, Territory
from metrics.spec import MetricContext
from metrics.summary import Gaps, History, SummaryLine, engine_history, summary_lines
from metrics.territories import TerritoryRanking, territory_rankings
from settings import Settings

LAUNCH_DATE = dt.date(2023, 2, 17)
COVERAGE_PREFIX = "coverage_rate_"

# compute(scope, ids): results for the scope; ``ids`` (when given) names the indicators needed,
# so that only their families run (the launch-to-date scope is the costly one).
Compute = Callable[[Scope, tuple[str, ...] | None], dict[str, MetricResult]]
# communes(scope, category): each commune's coverage of that need, for the map.
Communes = Callable[[Scope, str], list[CommuneCoverage]]
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


def year_before_period(scope: Scope) -> Scope | None:
    """The same period one year earlier, or None when it would start before the launch."""
    before = scope.year_before()
    return None if before.start < LAUNCH_DATE else before


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
    settings: Settings
    failures: dict[str, str] = field(default_factory=dict)
    map_category: str | None = None
    map_communes: list[CommuneCoverage] = field(default_factory=list)
    # the communes' outlines for the map, or why they could not be read (French, for the slide)
    map_geojson: dict[str, Any] | None = None
    map_error: str | None = None
    territory_label: str = "tout le département"
    demo: bool = False
    # « faits marquants » of the period, as written by the as-of date (oldest first)
    highlights: list[HighlightView] = field(default_factory=list)
    # the same period one year earlier (None before the launch) and its figures
    year_before_scope: Scope | None = None
    year_before: dict[str, MetricResult] = field(default_factory=dict)
    # the one-glance summary of the roadmap's objectives (« météo »), with twelve months each
    summary: list[SummaryLine] = field(default_factory=list)
    summary_gaps: Gaps | None = None
    # each UTAS ranked against the target of each territorial objective
    territories: list[TerritoryRanking] = field(default_factory=list)

    def label(self, metric_id: str) -> str:
        """The French label of an indicator under the committee's settings (« sous 10 jours »
        when the convocation delay is set to 10 days)."""
        return catalog.label_of(metric_id, self.settings)

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
    def year_before_text(self) -> str:
        """« du 1er mai 2023 au 30 juin 2023 », or why there is no comparison."""
        if self.year_before_scope is None:
            return "sans comparaison (un an plus tôt, le dispositif n'était pas lancé)"
        return (
            f"du {format_date(self.year_before_scope.start)} au "
            f"{format_date(self.year_before_scope.end)}"
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


def _compute_all(engine: Engine, settings: Settings, cohorts: CohortStore) -> Compute:
    def compute(scope: Scope, ids: tuple[str, ...] | None) -> dict[str, MetricResult]:
        context = MetricContext(engine, settings, scope, cohorts=cohorts)
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
    history: History | None = None,
    parallel: Executor | None = None,
    communes: Communes | None = None,
) -> CommitteeData:
    """Compute the committee's figures: period, previous period, since launch, roadmap.

    ``history`` gives the summary's twelve months (the page passes its cached one).
    ``parallel``: an executor for the side periods (the period before, a year earlier, since
    the launch), which depend on nothing the period computes; the calling thread meanwhile
    computes the period, its map and its twelve months. Each is a few independent scans of
    the database, so on a server with spare cores the committee takes the time of the longest
    rather than of their sum. None: one after the other. ``communes`` gives the map's
    communes for a scope and a need category (the page passes its cached one)."""
    # Without the page's caches: one store of cohort months for the whole committee (its
    # period, the launch-to-date, the mature months and the twelve months share them).
    cohorts = CohortStore()
    compute = compute or _compute_all(engine, settings, cohorts)
    communes = communes or partial(_map_communes, engine, settings)
    history = history or engine_history(engine, settings, cohorts)
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
    before = previous_period(scope)
    year_before = year_before_period(scope)
    side = _side_periods(
        compute,
        parallel,
        previous=(before, PREVIOUS_IDS),
        year_before=(year_before, PREVIOUS_IDS),
        launch=(launch, LAUNCH_IDS),
    )
    current = compute(scope, None)
    map_category = weakest_coverage(current)
    map_communes = communes(scope, map_category) if map_category is not None else []
    map_geojson, map_error = _outlines(settings) if map_communes else (None, None)
    summary = summary_lines(settings, scope, current, history)
    return CommitteeData(
        departement_name=settings.departement_name,
        committee_date=committee_date,
        scope=scope,
        previous_scope=before,
        previous_committee=previous_committee,
        current=current,
        previous=side["previous"](),
        launch=side["launch"](),
        presented=latest_snapshot(engine, before=committee_date, scope=same_scope),
        steps=steps_at(engine, scope.as_of),
        decisions=decisions,
        actions=open_actions(engine, scope.as_of),
        threshold=settings.secrecy_threshold,
        settings=settings,
        map_category=map_category,
        map_communes=map_communes,
        map_geojson=map_geojson,
        map_error=map_error,
        territory_label=territory_label(engine, territory),
        demo=is_demo_database(engine),
        highlights=highlights_as_of(engine, scope.as_of, start=scope.start, end=scope.end),
        year_before_scope=year_before,
        year_before=side["year_before"](),
        summary=summary,
        summary_gaps=Gaps.of(settings),
        territories=territory_rankings(settings, scope, current),
    )


Results = dict[str, MetricResult]


def _side_periods(
    compute: Compute,
    parallel: Executor | None,
    **periods: tuple[Scope | None, tuple[str, ...]],
) -> dict[str, Callable[[], Results]]:
    """For each named period, a function giving its results: started now on ``parallel``
    (waited for when called), or computed when called without an executor. A period that
    does not exist (before the launch) gives no results."""
    return {
        name: dict if scope is None else deferred(parallel, compute, scope, ids)
        for name, (scope, ids) in periods.items()
    }


def territory_label(engine: Engine, territory: Territory | None) -> str:
    """« UTAS Guéret », « Guéret (23096) », an EPCI's name, or « tout le département »."""
    if territory is None:
        return "tout le département"
    names = dict(list_territories(engine).get(territory.level, []))
    return names.get(territory.code, territory.code)


def _outlines(settings: Settings) -> tuple[dict[str, Any] | None, str | None]:
    """The communes' outlines for the map, or the French reason they are unusable (the deck
    says it on the map's slide instead of failing)."""
    try:
        return load_geojson(boundaries_file(settings)), None
    except ReferenceDataError as exc:
        return None, str(exc)


def weakest_coverage(results: dict[str, MetricResult]) -> str | None:
    """The need category whose coverage is lowest (published values only): the one to map."""
    rates = {
        metric_id.removeprefix(COVERAGE_PREFIX): result.value
        for metric_id, result in results.items()
        if metric_id.startswith(COVERAGE_PREFIX) and result.value is not None
    }
    return min(rates, key=lambda category: (rates[category], category)) if rates else None


def _map_communes(
    engine: Engine, settings: Settings, scope: Scope, category: str
) -> list[CommuneCoverage]:
    """Communes with their coverage of ``category``, for the deck's map."""
    return commune_coverage(MetricContext(engine, settings, scope), category)
