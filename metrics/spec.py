"""Declarations shared by every indicator family: the spec of an indicator and of a family.

Each family module (``convocation.py``, ``orientation.py``…) declares a module-level
``FAMILY = Family(...)``; ``catalog.py`` imports them into its ``FAMILIES``. A family computes
all its indicators in one go because they share the same queries (one Kaplan–Meier gives a
rate and a median).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine

from metrics.results import MetricResult, Unit
from metrics.scope import Scope
from metrics.survival import DelayCounts
from settings import Settings

if TYPE_CHECKING:
    from metrics.cohorts import CohortStore

TARGET_SOURCES = (
    "Feuille de route",
    "Décret n° 2024-1244",
    "Loi plein emploi",
    "DREES",
    "Expérimentation",
)


# ``{convocation_days}`` in a label, definition or formula: the value of that setting.
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def setting_text(settings: Settings, name: str) -> str:
    """A setting as French text: « 15 », « 12,5 » (raises AttributeError for an unknown name)."""
    value = getattr(settings, name)
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    return str(value)


def fill(template: str, settings: Settings) -> str:
    """The text with each ``{setting}`` replaced by that setting's value, so that a label
    says « sous 10 jours » when the département sets its convocation delay to 10 days."""
    return PLACEHOLDER.sub(lambda match: setting_text(settings, match.group(1)), template)


def placeholders(template: str) -> list[str]:
    """The setting names a template refers to."""
    return PLACEHOLDER.findall(template)


@dataclass(frozen=True)
class MetricContext:
    """What a family needs to compute: the database, the thresholds and the scope; ``only``
    names the indicators the caller shows (None: all), so that a family may skip the queries
    of the others (a page computes only what it shows); ``cohorts`` keeps the cohort months
    already counted, shared by every scope computed on the same state of the data
    (``metrics/cohorts.py``; None: each query counts its whole cohort)."""

    engine: Engine
    settings: Settings
    scope: Scope
    only: frozenset[str] | None = None
    cohorts: CohortStore | None = None

    def wants(self, *ids: str) -> bool:
        """Whether any of these indicators is asked for."""
        return self.only is None or any(i in self.only for i in ids)


@dataclass(frozen=True)
class IndicatorSpec:
    """One indicator of the catalogue.

    ``id`` may hold a ``<category>`` placeholder for indicators that exist once per value
    (``need_share_<category>``). ``target`` reads the target from the settings (so a
    département can tune it); ``None`` means no target. ``person_based`` indicators are
    subject to statistical secrecy. ``reference_year`` is the year of a national reference
    used as target (a DREES figure is only comparable with the year it describes).
    ``cohort_noun`` names the persons of a cohort
    (« entrants », « orientés ») in the label of a mature cohort.
    ``target_departement_only``: the target is defined for the whole département and every
    payer (a referent's caseload is not cut by territory or payer), so a narrower scope
    shows the figure without target or status.

    ``label``, ``definition`` and ``formula`` are templates: a delay or a target that comes
    from the settings is written ``{convocation_days}`` and read through ``label_for`` (and
    siblings), never raw, so that every screen, CSV and slide says the configured value.
    """

    id: str
    label: str
    definition: str
    formula: str
    unit: Unit
    target: Callable[[Settings], float | None] | None = None
    target_source: str | None = None
    higher_is_better: bool = True
    person_based: bool = True
    breakdowns: tuple[str, ...] = ()
    reference_year: int | None = None
    cohort_noun: str = "entrants"
    # How long a mature cohort was followed, when it is not « X jours » (a calendar month).
    mature_observed: str | None = None
    target_departement_only: bool = False

    @property
    def is_pattern(self) -> bool:
        """True when the id is a template such as ``coverage_rate_<category>``."""
        return "<" in self.id

    def label_for(self, settings: Settings) -> str:
        """The French label under the given settings (delays filled in)."""
        return fill(self.label, settings)

    def definition_for(self, settings: Settings) -> str:
        """The French definition under the given settings."""
        return fill(self.definition, settings)

    def formula_for(self, settings: Settings) -> str:
        """The formula under the given settings."""
        return fill(self.formula, settings)

    def target_for(self, settings: Settings) -> float | None:
        """The target under the given settings, or None."""
        return self.target(settings) if self.target else None


# The aggregated delays behind a delay indicator, for its Kaplan–Meier curve.
CurveQuery = Callable[[Connection, Scope], DelayCounts]


@dataclass(frozen=True)
class Family:
    """A group of indicators computed together by one function.

    ``curves`` maps the id of each delay indicator that has a Kaplan–Meier curve to the query
    counting its delays (the same query ``compute`` publishes the indicator from)."""

    name: str
    label: str
    indicators: tuple[IndicatorSpec, ...]
    compute: Callable[[MetricContext], dict[str, MetricResult]]
    curves: Mapping[str, CurveQuery] = field(default_factory=dict)
    # True when the results depend on the as-of date, territory and payer only, never on the
    # period (stocks and states at a date): caches share them between periods of one as-of.
    as_of_only: bool = False


def status_against_target(
    value: float | None, target: float | None, higher_is_better: bool, suppressed: bool
) -> str:
    """French status key of a value against its target (see ``results.Status``)."""
    if suppressed:
        return "secret"
    if value is None:
        return "sans_donnees"
    if target is None:
        return "sans_cible"
    reached = value >= target if higher_is_better else value <= target
    return "atteint" if reached else "non_atteint"
