"""Delays: first events, Kaplan–Meier counts and publishing of delay indicators.

Delay indicators send one GROUP BY to the database and receive, per (cohort month, UTAS,
type, duration, event flag), the number of persons: aggregates only. Kaplan–Meier then runs
in Python on those few rows, for the whole scope and for each breakdown. Who is in the cohort
is decided by ``metrics.population``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import replace

from sqlalchemy import Connection, case, func, literal, null, select
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import FromClause

from data_access.schema import PersonTimeline
from metrics.population import (
    BREAKDOWN_FIELDS,
    P,
    cohort_conditions,
    label_for,
    observation_end,
    persons_with_utas,
    utas_key,
)
from metrics.privacy import is_secret, publish, round_count
from metrics.results import BreakdownRow, MetricResult
from metrics.scope import Scope
from metrics.spec import IndicatorSpec
from metrics.sql import days_between, month_bucket
from metrics.survival import DelayCell, DelayCounts, DelayCurve
from settings import Settings

NO_TYPE = ""


# --- first events ------------------------------------------------------------------------

TIMELINE = PersonTimeline.__table__


def persons_with_timeline() -> FromClause:
    """Persons joined to their commune (outer) and to their timeline: one row per person,
    with the first event of each kind already dated (``data_access/timeline.py``)."""
    return persons_with_utas().join(TIMELINE, TIMELINE.c.person_id == P.c.id)


def observed(first_date: ColumnElement[dt.date], as_of: dt.date) -> ColumnElement[dt.date | None]:
    """A first event of the timeline as known at ``as_of``: its date when it falls on or
    before the end of observation (min(exit, as-of)), else NULL (not happened yet, or after
    the exit). The timeline's first events are the first on or after T0, so this is the
    first event within [T0, end of observation]: an earlier one is a data error, skipped."""
    return case((first_date <= observation_end(as_of), first_date), else_=null())


# --- Kaplan–Meier counts -----------------------------------------------------------------


def delay_counts(
    conn: Connection,
    source: FromClause,
    conditions: Sequence[ColumnElement[bool]],
    anchor: ColumnElement[dt.date],
    event_date: ColumnElement[dt.date | None],
    end: ColumnElement[dt.date],
    kind: ColumnElement[str] | None = None,
    utas: ColumnElement[str] | None = None,
    horizon: int | None = None,
) -> DelayCounts:
    """Run one GROUP BY giving persons per (month of anchor, UTAS, kind, duration, event).

    Duration = event − anchor when the event happened, else end of observation − anchor.
    ``source`` must include persons joined to communes (for the UTAS), unless ``utas`` names
    the column that holds it (a per-person subquery).

    ``horizon``: when only shares within ``horizon`` days (or fewer) will be read, every
    duration beyond it is read as ``horizon + 1``. Kaplan–Meier up to the horizon is unchanged
    (those persons stay at risk until then, and their events come after it), and so is the
    count of events by then, while the database groups and sends a few durations per group
    instead of hundreds. Medians, means and curves need the true durations: no horizon.
    """
    elapsed: ColumnElement[int] = days_between(func.coalesce(event_date, end), anchor)
    if horizon is not None:
        elapsed = case((elapsed > horizon, horizon + 1), else_=elapsed)
    duration = elapsed.label("duration")
    event = case((event_date.is_not(None), 1), else_=0).label("event")
    month = month_bucket(anchor).label("month")
    utas = (utas if utas is not None else utas_key()).label("utas")
    kind_col = (kind if kind is not None else literal(NO_TYPE)).label("kind")
    query = (
        select(month, utas, kind_col, duration, event, func.count().label("persons"))
        .select_from(source)
        .where(*conditions)
        .group_by(month, utas, kind_col, duration, event)
    )
    # Unpacked in the order of the SELECT: a large département sends tens of thousands of
    # cells, and reading each through the row's attributes took longer than the query.
    cells = tuple(
        DelayCell(
            month=month_key,
            utas=utas_value,
            kind=kind_value if kind_value is not None else NO_TYPE,
            duration=int(days),
            event=bool(happened),
            persons=int(persons),
        )
        for month_key, utas_value, kind_value, days, happened, persons in conn.execute(query)
    )
    return DelayCounts(cells)


def entry_delay_counts(
    conn: Connection,
    scope: Scope,
    first_date: ColumnElement[dt.date],
    horizon: int | None = None,
) -> DelayCounts:
    """Delays from T0 to a first event of the timeline (``TIMELINE.c.first_…``) for the
    cohort of the scope (``horizon`` as for ``delay_counts``)."""
    return delay_counts(
        conn,
        persons_with_timeline(),
        cohort_conditions(scope),
        anchor=P.c.entry_date,
        event_date=observed(first_date, scope.as_of),
        end=observation_end(scope.as_of),
        horizon=horizon,
    )


def share_horizon(days: float) -> int:
    """The horizon (``delay_counts``) under which a share within ``days`` days is exact."""
    return math.ceil(days)


def delay_breakdowns(
    counts: DelayCounts,
    row: Callable[[str, str, DelayCounts], BreakdownRow],
    kind_name: str | None = None,
    kind_labels: dict[str, str] | None = None,
) -> dict[str, list[BreakdownRow]]:
    """Rows by cohort month, by UTAS and (if named) by type, built by ``row``."""
    fields = dict(BREAKDOWN_FIELDS)
    if kind_name:
        fields[kind_name] = "kind"
    return {
        name: [
            row(key, label_for(field, key, kind_labels), group)
            for key, group in counts.groups(field).items()
        ]
        for name, field in fields.items()
    }


# --- publishing delay indicators ---------------------------------------------------------


def within_row(days: float) -> Callable[[str, str, DelayCounts], BreakdownRow]:
    """Row builder: Kaplan–Meier share within ``days`` (numerator = events observed by then)."""

    def build(key: str, label: str, group: DelayCounts) -> BreakdownRow:
        return BreakdownRow(
            key,
            label,
            group.curve().within(days),
            float(group.events_within(days)),
            float(group.size),
        )

    return build


def median_row(key: str, label: str, group: DelayCounts) -> BreakdownRow:
    """Row builder: Kaplan–Meier median (numerator = events observed, denominator = cohort)."""
    median = group.curve().median()
    return BreakdownRow(
        key,
        label,
        None if median is None else float(median),
        float(group.events),
        float(group.size),
    )


def mean_row(key: str, label: str, group: DelayCounts) -> BreakdownRow:
    """Row builder: mean delay of those who reached the event (denominator = those persons)."""
    return BreakdownRow(key, label, group.mean_event_delay(), None, float(group.events))


def publish_delay(
    spec: IndicatorSpec,
    settings: Settings,
    counts: DelayCounts,
    row: Callable[[str, str, DelayCounts], BreakdownRow],
    kind_name: str | None = None,
    kind_labels: dict[str, str] | None = None,
) -> MetricResult:
    """A delay indicator whose total and breakdown rows all come from one row builder
    (share within X days, median or mean), through secrecy."""
    total = row("", "", counts)
    return publish(
        spec,
        settings,
        total.value,
        total.numerator,
        total.denominator,
        delay_breakdowns(counts, row, kind_name, kind_labels),
    )


def publish_within(
    spec: IndicatorSpec,
    settings: Settings,
    counts: DelayCounts,
    days: float,
    kind_name: str | None = None,
    kind_labels: dict[str, str] | None = None,
) -> MetricResult:
    """A "share within X days" indicator with its breakdowns, through secrecy; it carries
    ``days`` so that the catalogue adds its mature cohort (``catalog.with_mature``): the
    latest cohort followed ``days`` days, on which the share is observed, not estimated."""
    result = publish_delay(spec, settings, counts, within_row(days), kind_name, kind_labels)
    return replace(result, mature_days=float(days))


def publish_median(
    spec: IndicatorSpec,
    settings: Settings,
    counts: DelayCounts,
    kind_name: str | None = None,
    kind_labels: dict[str, str] | None = None,
    mature_days: float | None = None,
) -> MetricResult:
    """A Kaplan–Meier median delay with its breakdowns, through secrecy; with
    ``mature_days``, also reported on the cohort its family's shares are (same population)."""
    result = publish_delay(spec, settings, counts, median_row, kind_name, kind_labels)
    return replace(result, mature_days=mature_days)


def publish_mean(
    spec: IndicatorSpec,
    settings: Settings,
    counts: DelayCounts,
    kind_name: str | None = None,
    kind_labels: dict[str, str] | None = None,
    mature_days: float | None = None,
) -> MetricResult:
    """A mean delay among persons who reached the event (mean_row leaves no numerator); with
    ``mature_days``, also reported on the same cohort as its family's median and shares."""
    result = publish_delay(spec, settings, counts, mean_row, kind_name, kind_labels)
    return replace(result, mature_days=mature_days)


def delay_curves(
    counts: DelayCounts, threshold: int, by: str | None = None, rounding: int = 1
) -> list[DelayCurve]:
    """Cumulative curves 1 − S(t) for the whole cohort or each group of ``by``
    (``cohort_month`` or ``utas``); a group below the secrecy threshold is masked.

    Each point is published like a share within t days (``privacy.round_figure``): the persons
    it implies, rounded, over the rounded cohort. An exact curve would give its cohort size
    away (its first step is k ÷ size), and two such sizes subtracted a masked group.
    """
    if by is None:
        groups = {"": counts}
        labels = {"": "Ensemble"}
    else:
        field = BREAKDOWN_FIELDS[by]
        groups = counts.groups(field)
        labels = {key: label_for(field, key) for key in groups}
    curves = []
    for key, group in groups.items():
        secret = is_secret(group.size, threshold)
        size = round_count(group.size, rounding, threshold) or 0
        points = group.curve().points()
        if rounding > 1 and size:
            points = tuple(
                (day, (round_count(share * group.size, rounding, threshold) or 0) / size)
                for day, share in points
            )
        curves.append(
            DelayCurve(
                key=key,
                label=labels[key],
                size=None if secret else int(size),
                suppressed=secret,
                points=() if secret else points,
            )
        )
    return curves
