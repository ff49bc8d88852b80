"""Differencing attacks on the demo département: no masked count may be recovered.

A reader who sees two published figures for neighbouring scopes subtracts them: all payers −
CAF = MSA, [1 Jan, 31 Mar] − [1 Jan, 30 Mar] = 31 March alone, département − the other UTAS =
this UTAS, a total − its visible breakdown rows = the masked row. This test plays that reader
on the demo, through ``metrics_report`` (what ``pilotage metrics --json`` prints and what the
screens, the CSV exports and the deck read: the same ``catalog.compute_all``), for two quarters,
the département and each UTAS, all payers, CAF and MSA.

Each attack gives an interval for the masked cell: the difference of the published figures,
widened by what rounding may hide behind each of them (the band of counts a rounded figure
stands for; nothing when figures are exact), narrowed by what the reader knows of secrecy (a
published count or denominator is at least the threshold, a masked one is below it). A
cell is recovered when every attack on it together leaves a single possible value, and that
value is the true one (computed without secrecy): only true recoveries count, never a
coincidence of a non-additive figure.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from data_access.db import make_engine
from data_access.demo.generate import generate_demo
from data_access.initdb import init_database
from data_access.schema import Commune
from metrics.report import metrics_report
from metrics.scope import Scope
from settings import Settings
from tests.conftest import make_settings

DEMO_AS_OF = dt.date(2024, 12, 31)
QUARTERS = (
    (dt.date(2024, 1, 1), dt.date(2024, 3, 31)),
    (dt.date(2024, 4, 1), dt.date(2024, 6, 30)),
)
PAYERS = (None, "caf", "msa")
ONE_DAY = dt.timedelta(days=1)
PRODUCTION_ROUNDING = Settings.model_fields["secrecy_rounding"].default

# A cell: (scope key, metric id, breakdown name or "", row key or "", field)
Cell = tuple[tuple, str, str, str, str]


def scope_key(scope: Scope) -> tuple:
    territory = scope.territory.code if scope.territory else None
    return (scope.start, scope.end, scope.as_of, territory, scope.payer)


@dataclass
class Attacker:
    """Reads published figures and the truth, and gathers intervals for masked cells."""

    engine: Any
    settings: Settings
    truth_settings: Settings
    intervals: dict[Cell, list[tuple[float, float]]] = field(
        default_factory=lambda: defaultdict(list)
    )

    def __post_init__(self) -> None:
        self.published = cache(self._report(self.settings))
        self.truth = cache(self._report(self.truth_settings))

    def _report(self, settings: Settings):
        def run(key: tuple) -> dict[str, Any]:
            start, end, as_of, territory, payer = key
            scope = Scope.build(start, end, as_of, territory, payer)
            return metrics_report(self.engine, settings, scope, with_breakdowns=True)["metrics"]

        return run

    # --- reading figures -------------------------------------------------------------------

    @staticmethod
    def figure(report: dict, metric: str, breakdown: str, row: str) -> dict | None:
        item = report.get(metric)
        if item is None or not breakdown:
            return item
        for line in item.get("breakdowns", {}).get(breakdown, []):
            if line["key"] == row:
                return line
        return None

    @staticmethod
    def fields(item: dict) -> tuple[str, ...]:
        return (
            ("value", "numerator", "denominator")
            if item["unit"] == "count"
            else (
                "numerator",
                "denominator",
            )
        )

    def bounds(self, figure: dict, unit: str, name: str) -> tuple[float, float]:
        """What the exact figure behind a published one may be.

        Rounded figures stand for a band of ``rounding`` counts ending at the published value
        (zero is exact); the figure that decides masking (a count, a denominator) is also known
        to be at least the threshold, since it was not masked.
        """
        value, base = figure[name], figure.get("rounding") or 1
        low, high = (value, value) if base == 1 or value == 0 else (value - base + 1, value)
        threshold = self.settings.secrecy_threshold
        if name == ("value" if unit == "count" else "denominator") and value >= threshold:
            low = max(low, threshold)
        return low, high

    # --- attacks ---------------------------------------------------------------------------

    def attack(self, target: tuple, plus: tuple, minus: list[tuple]) -> None:
        """target = plus − Σ minus, scope by scope, for every masked person count of target."""
        reports = [self.published(plus), *(self.published(k) for k in minus)]
        for metric, item in self.published(target).items():
            for breakdown, row in [("", "")] + [
                (name, line["key"])
                for name, lines in item.get("breakdowns", {}).items()
                for line in lines
            ]:
                cell = self.figure(self.published(target), metric, breakdown, row)
                if cell is None or not cell["suppressed"]:
                    continue
                others = [self.figure(r, metric, breakdown, row) for r in reports]
                if any(o is None or o["suppressed"] for o in others):
                    continue
                self._gather(target, metric, breakdown, row, item, others[0], others[1:])

    def attack_breakdowns(self, key: tuple) -> None:
        """A total minus the visible rows of one of its breakdowns = the masked rows.

        A row masked here may be published elsewhere as a scope of its own (the UTAS row of
        the département is the UTAS's total, the MSA row of all payers the MSA total, the
        March row of a quarter the total of March): the reader fills it in from there, so one
        masked row left alone is given away.
        """
        start, end, as_of, territory, payer = key
        for metric, item in self.published(key).items():
            if item["suppressed"]:
                continue
            for name, lines in item.get("breakdowns", {}).items():
                known = [line for line in lines if not line["suppressed"]]
                hidden = []
                for line in lines:
                    if not line["suppressed"]:
                        continue
                    elsewhere = None
                    if name == "utas" and territory is None and line["key"]:
                        elsewhere = (start, end, as_of, line["key"], payer)
                    elif name == "payer" and payer is None:
                        elsewhere = (start, end, as_of, territory, line["key"])
                    elif name == "cohort_month" and within(whole_month(line["key"]), start, end):
                        elsewhere = (*whole_month(line["key"]), as_of, territory, payer)
                    other = self.published(elsewhere).get(metric) if elsewhere else None
                    if other is not None and not other["suppressed"]:
                        known.append(other)
                    else:
                        hidden.append(line)
                if len(hidden) == 1:
                    self._gather(key, metric, name, hidden[0]["key"], item, item, known)

    def _gather(
        self,
        target: tuple,
        metric: str,
        breakdown: str,
        row: str,
        item: dict,
        plus: dict,
        minus: list[dict],
    ) -> None:
        for name in self.fields(item):
            if plus[name] is None or any(m[name] is None for m in minus):
                continue
            plus_low, plus_high = self.bounds(plus, item["unit"], name)
            minus_bounds = [self.bounds(m, item["unit"], name) for m in minus]
            self.intervals[(target, metric, breakdown, row, name)].append(
                (
                    plus_low - sum(high for _, high in minus_bounds),
                    plus_high - sum(low for low, _ in minus_bounds),
                )
            )

    # --- verdict ---------------------------------------------------------------------------

    def possible(self, cell: Cell) -> tuple[float, float] | None:
        """What every sound attack on a cell leaves possible, or None when none is sound.

        An attack on a figure that does not add up across scopes (a median, a stock that does
        not depend on the period) gives an interval without the truth: a careful reader would
        not use it, so it is dropped rather than allowed to spoil the sound ones.
        """
        threshold = self.settings.secrecy_threshold
        # Without the truth first, assuming the strongest reader (every attack sound, the
        # cell known to be 1 … threshold − 1): when that still leaves four values, the truth
        # can only leave more, and is not computed (it costs a report per scope).
        low = max([1, *(low for low, _ in self.intervals[cell])])
        high = min([threshold - 1, *(high for _, high in self.intervals[cell])])
        if high - low + 1 >= 4:
            return low, high
        truth = self.true_value(cell)
        if not truth:
            return None
        sound = [(low, high) for low, high in self.intervals[cell] if low <= truth <= high]
        if not sound:
            return None
        low, high = max(low for low, _ in sound), min(high for _, high in sound)
        if truth < threshold:  # the reader knows a masked count is 1 … threshold − 1
            low, high = max(low, 1), min(high, threshold - 1)
        return max(low, 1), high

    def true_value(self, cell: Cell) -> float | None:
        target, metric, breakdown, row, name = cell
        item = self.figure(self.truth(target), metric, breakdown, row)
        return None if item is None else item[name]

    def recovered(self) -> list[tuple[Cell, float]]:
        """Cells whose sound attacks together leave a single possible value (the truth)."""
        found = []
        for cell in self.intervals:
            bounds = self.possible(cell)
            if bounds is not None and bounds[1] - bounds[0] < 1:
                found.append((cell, self.true_value(cell)))
        return found

    def narrowest(self) -> float:
        """The fewest values left possible for an attacked count."""
        widths = [
            bounds[1] - bounds[0] + 1
            for bounds in map(self.possible, self.intervals)
            if bounds is not None
        ]
        return min(widths, default=float("inf"))


def whole_month(key: str) -> tuple[dt.date, dt.date] | None:
    """The first and last day of a ``2024-03`` cohort-month key."""
    try:
        first = dt.date.fromisoformat(f"{key}-01")
    except ValueError:
        return None
    return first, (first + dt.timedelta(days=32)).replace(day=1) - ONE_DAY


def within(month: tuple[dt.date, dt.date] | None, start: dt.date, end: dt.date) -> bool:
    return month is not None and start <= month[0] and month[1] <= end


KINDS = ("payer", "period", "territory", "breakdown")


def all_attacks(attacker: Attacker, territories: list[str], kinds: tuple[str, ...] = KINDS) -> None:
    """Every attack of the given kinds, for both quarters (as-of = end of the quarter)."""
    for start, end in QUARTERS:
        for territory in [None, *territories]:
            base = {p: (start, end, end, territory, p) for p in PAYERS}
            if "payer" in kinds:  # a payer and its complement
                attacker.attack(base["msa"], base[None], [base["caf"]])
                attacker.attack(base["caf"], base[None], [base["msa"]])
            for payer in PAYERS:
                if "period" in kinds:  # the period and the same one a day shorter, either end
                    shorter_end = (start, end - ONE_DAY, end, territory, payer)
                    shorter_start = (start + ONE_DAY, end, end, territory, payer)
                    attacker.attack((end, end, end, territory, payer), base[payer], [shorter_end])
                    attacker.attack(
                        (start, start, end, territory, payer), base[payer], [shorter_start]
                    )
                    # as the period presets do it: the period ends on the as-of date, one day
                    # earlier for both
                    day_before = end - ONE_DAY
                    attacker.attack(
                        (end, end, end, territory, payer),
                        base[payer],
                        [(start, day_before, day_before, territory, payer)],
                    )
                if "breakdown" in kinds:  # a breakdown and its total
                    attacker.attack_breakdowns(base[payer])
        if "territory" in kinds:  # a UTAS and the département minus the other UTAS
            for payer in PAYERS:
                whole = (start, end, end, None, payer)
                for territory in territories:
                    others = [(start, end, end, t, payer) for t in territories if t != territory]
                    attacker.attack((start, end, end, territory, payer), whole, others)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Settings, list[str]]]:
    path: Path = tmp_path_factory.mktemp("secrecy") / "demo.sqlite"
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    settings = make_settings(url, secrecy_rounding=PRODUCTION_ROUNDING)
    init_database(engine, settings)
    generate_demo(engine, settings, as_of=DEMO_AS_OF)
    with engine.connect() as conn:
        territories = sorted(
            conn.execute(select(Commune.__table__.c.utas).distinct()).scalars().all()
        )
    yield engine, settings, territories
    engine.dispose()


def truth_settings(settings: Settings) -> Settings:
    """The same settings with nothing masked and nothing rounded: the true figures."""
    return settings.model_copy(update={"secrecy_threshold": 1, "secrecy_rounding": 1})


def test_no_masked_count_is_recoverable_by_differencing_on_the_demo(demo):
    engine, settings, territories = demo
    attacker = Attacker(engine, settings, truth_settings(settings))
    all_attacks(attacker, territories)
    assert len(attacker.intervals) > 1000, "the attacks found too few masked cells to aim at"
    recovered = attacker.recovered()
    examples = [f"{cell} = {value:g}" for cell, value in recovered[:5]]
    assert not recovered, (
        f"{len(recovered)} masked counts recovered by differencing "
        f"(out of {len(attacker.intervals)} attacked), e.g. {examples}"
    )
    # Not by luck: every attacked small count keeps several possible values (a difference of
    # two figures leaves at least four; a total minus several parts may leave fewer).
    assert attacker.narrowest() >= 2


def test_the_attacks_do_recover_counts_when_figures_are_exact(demo):
    """The attacker is not blind: without rounding (secrecy as it stood before), the same
    attacks recover masked counts, e.g. all payers − CAF = MSA."""
    engine, settings, territories = demo
    exact = settings.model_copy(update={"secrecy_rounding": 1})
    attacker = Attacker(engine, exact, truth_settings(settings))
    all_attacks(attacker, territories[:1], kinds=("payer",))
    assert attacker.recovered()
