"""Kaplan–Meier estimation of delays, shared by every delay indicator.

Why: a cohort of recent entrants always holds people whose event (convocation, orientation,
contract) has not happened *yet*. Dropping them makes delays look short; counting them as
failures makes shares look bad. Kaplan–Meier treats them as *censored*: known to have waited
at least until the end of their observation (exit or as-of date), and no more.

Conventions, shared by every delay indicator:
- duration = event date − T0 in days, or end of observation − T0 when no event (censored);
- at equal times, events come before censorings: a person censored on day t was still
  at risk on day t;
- share "within X days" = 1 − S(X); median = smallest t with S(t) ≤ 0.5, none if never reached;
- S(X) is not estimable beyond the longest follow-up while someone is still waiting: a cohort
  followed 6 days says nothing of "within 15 days" (returning 1 − S(6) would pass the share
  within 6 days off as the share within 15). Such a share is ``None``, never a guess.

The input is aggregated: (duration, event flag, number of persons), which is what the database
returns with a GROUP BY, so no person-level table crosses the wire.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class SurvivalCurve:
    """The estimated share still waiting, S(t), at each day where an event happened."""

    size: int  # persons in the cohort
    events: int  # persons observed reaching the event
    times: tuple[int, ...]  # distinct event days, increasing
    survival: tuple[float, ...]  # S just after each of these days
    last_time: int | None  # the largest duration observed (event or censoring)

    def survival_at(self, day: float) -> float | None:
        """S(day): the estimated share who have not reached the event after ``day`` days."""
        if self.size == 0:
            return None
        value = 1.0
        for time, surv in zip(self.times, self.survival, strict=True):
            if time > day:
                break
            value = surv
        if self.last_time is not None and day > self.last_time and value > 0:
            return None  # followed less than ``day`` days and someone still waiting
        return value

    def within(self, day: float) -> float | None:
        """Estimated share reaching the event within ``day`` days: 1 − S(day)."""
        surv = self.survival_at(day)
        return None if surv is None else 1.0 - surv

    def median(self) -> int | None:
        """Smallest day at which S(t) ≤ 0.5; None when half the cohort is never reached."""
        for time, surv in zip(self.times, self.survival, strict=True):
            if surv <= 0.5 + 1e-12:
                return time
        return None

    def points(self) -> tuple[tuple[int, float], ...]:
        """Points of the cumulative curve 1 − S(t) for a step chart, from day 0 to the last
        observed day (so a chart shows how far the cohort has been followed)."""
        if self.size == 0:
            return ()
        points = [(0, 0.0)]
        for time, surv in zip(self.times, self.survival, strict=True):
            if time == 0:
                points[0] = (0, 1.0 - surv)
            else:
                points.append((time, 1.0 - surv))
        if self.last_time is not None and self.last_time > points[-1][0]:
            points.append((self.last_time, points[-1][1]))
        return tuple(points)


def kaplan_meier(counts: Iterable[tuple[int, bool, int]]) -> SurvivalCurve:
    """Estimate S(t) from ``(duration, event, number of persons)`` triples.

    Durations are whole days ≥ 0. At each event day t: S ← S × (1 − d/n), where d = events at
    t and n = persons whose duration is ≥ t (censored at t included: events come first).
    """
    events_at: dict[int, int] = defaultdict(int)
    leaving_at: dict[int, int] = defaultdict(int)
    for duration, event, n in counts:
        if n <= 0:
            continue
        leaving_at[int(duration)] += n
        if event:
            events_at[int(duration)] += n
    size = sum(leaving_at.values())
    at_risk = size
    surv = 1.0
    times: list[int] = []
    survival: list[float] = []
    for time in sorted(leaving_at):
        deaths = events_at.get(time, 0)
        if deaths:
            surv *= 1.0 - deaths / at_risk
            times.append(time)
            survival.append(surv)
        at_risk -= leaving_at[time]
    return SurvivalCurve(
        size=size,
        events=sum(events_at.values()),
        times=tuple(times),
        survival=tuple(survival),
        last_time=max(leaving_at) if leaving_at else None,
    )


def from_durations(durations: Iterable[int], events: Iterable[bool]) -> SurvivalCurve:
    """Kaplan–Meier from one duration and one event flag per person."""
    return kaplan_meier((d, e, 1) for d, e in zip(durations, events, strict=True))


@dataclass(frozen=True)
class DelayCurve:
    """A cumulative delay curve ready for a chart: 1 − S(t) by day, or masked when the cohort
    is too small to publish (``points`` empty, ``suppressed`` True)."""

    key: str
    label: str
    size: int | None
    suppressed: bool
    points: Sequence[tuple[int, float]]


# --- aggregated counts of a delay query --------------------------------------------------


@dataclass(frozen=True)
class DelayCell:
    """Persons of one (month, UTAS, type) group with one (duration, event) outcome."""

    month: str
    utas: str
    kind: str
    duration: int
    event: bool
    persons: int


@dataclass(frozen=True)
class DelayCounts:
    """The aggregated outcome of a delay query; Kaplan–Meier for any slice of it."""

    cells: tuple[DelayCell, ...]

    def curve(self, keep: Callable[[DelayCell], bool] | None = None) -> SurvivalCurve:
        """Kaplan–Meier over the cells kept (all by default)."""
        return kaplan_meier(
            (c.duration, c.event, c.persons) for c in self.cells if keep is None or keep(c)
        )

    def groups(self, field: str) -> dict[str, DelayCounts]:
        """The counts split by ``month``, ``utas`` or ``kind``, keys sorted."""
        split: dict[str, list[DelayCell]] = defaultdict(list)
        for cell in self.cells:
            split[getattr(cell, field)].append(cell)
        return {key: DelayCounts(tuple(split[key])) for key in sorted(split)}

    @property
    def size(self) -> int:
        """Persons in the cohort."""
        return sum(c.persons for c in self.cells)

    def events_within(self, days: float) -> int:
        """Persons observed reaching the event within ``days`` days."""
        return sum(c.persons for c in self.cells if c.event and c.duration <= days)

    @property
    def events(self) -> int:
        """Persons observed reaching the event."""
        return sum(c.persons for c in self.cells if c.event)

    def mean_event_delay(self) -> float | None:
        """Mean delay among persons who reached the event (the DREES definition)."""
        reached = [c for c in self.cells if c.event]
        total = sum(c.persons for c in reached)
        if not total:
            return None
        return sum(c.duration * c.persons for c in reached) / total
