"""Who counts, and the delay queries shared by every family (SQLAlchemy Core).

Why one module: the population rules (only persons subject to obligations; territory through
the commune; payer; cohort = entries in the period; observation ends at min(exit, as-of);
events before T0 ignored; events after as-of do not exist yet) must be written once, so that
every indicator applies them the same way.

Delay indicators send one GROUP BY to the database and receive, per (cohort month, UTAS,
type, duration, event flag), the number of persons: aggregates only. Kaplan–Meier then runs
in Python on those few rows, for the whole scope and for each breakdown.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from babel.dates import format_date
from sqlalchemy import (
    Connection,
    and_,
    case,
    func,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import FromClause

from data_access.schema import (
    Accompaniment,
    Appointment,
    Commune,
    Contract,
    Invitation,
    Orientation,
    Person,
)
from metrics.exceptions import ScopeError
from metrics.privacy import is_secret, publish, round_count
from metrics.results import BreakdownRow, MetricResult
from metrics.scope import Scope, Territory
from metrics.spec import IndicatorSpec
from metrics.sql import date_value, days_between, month_bucket
from metrics.survival import DelayCurve, SurvivalCurve, kaplan_meier
from settings import Settings

P = Person.__table__
C = Commune.__table__
INVITATIONS = Invitation.__table__
APPOINTMENTS = Appointment.__table__
ORIENTATIONS = Orientation.__table__
CONTRACTS = Contract.__table__
ACCOMPANIMENTS = Accompaniment.__table__

UNKNOWN_UTAS = ""
UNKNOWN_UTAS_LABEL = "UTAS non renseignée"
NO_TYPE = ""

# --- labels ------------------------------------------------------------------------------


def month_label(key: str) -> str:
    """« mars 2024 » for ``2024-03``."""
    year, month = key.split("-")
    return format_date(dt.date(int(year), int(month), 1), "MMMM y", locale="fr_FR")


def utas_label(key: str) -> str:
    """The UTAS name, or a French placeholder for persons without a known commune."""
    return key or UNKNOWN_UTAS_LABEL


# --- scope -------------------------------------------------------------------------------

_TERRITORY_COLUMNS = {"utas": C.c.utas, "epci": C.c.epci_siren, "commune": C.c.code_insee}
_TERRITORY_WORDS = {"utas": "UTAS", "epci": "EPCI", "commune": "commune"}


def commune_in_territory(territory: Territory) -> ColumnElement[bool]:
    """The ``communes`` row lies in the territory (UTAS name, EPCI SIREN or INSEE code)."""
    return _TERRITORY_COLUMNS[territory.level] == territory.code


def territory_condition(territory: Territory) -> ColumnElement[bool]:
    """Persons whose commune lies in the territory (UTAS name, EPCI SIREN or INSEE code)."""
    communes = select(C.c.code_insee).where(commune_in_territory(territory))
    return P.c.commune_code.in_(communes.scalar_subquery())


def check_territory(conn: Connection, territory: Territory | None) -> None:
    """Raise a French ScopeError when no commune of the département matches the territory."""
    if territory is None:
        return
    column = _TERRITORY_COLUMNS[territory.level]
    found = conn.execute(select(func.count()).select_from(C).where(column == territory.code))
    if not found.scalar_one():
        word = _TERRITORY_WORDS[territory.level]
        raise ScopeError(
            f"Territoire inconnu : « {territory.code} » n'est pas une {word} du département."
            if territory.level != "epci"
            else f"Territoire inconnu : « {territory.code} » n'est pas un EPCI du département."
        )


def person_conditions(scope: Scope) -> list[ColumnElement[bool]]:
    """Persons who count at all: subject to obligations, in the territory, of the payer."""
    conditions: list[ColumnElement[bool]] = [P.c.subject_to_obligations == true()]
    if scope.payer:
        conditions.append(P.c.payer == scope.payer)
    if scope.territory:
        conditions.append(territory_condition(scope.territory))
    return conditions


def present_at(scope: Scope) -> list[ColumnElement[bool]]:
    """Persons who count and are present at the as-of date: entered on or before it, with no
    exit on or before it. Stocks (persons awaiting orientation) and coverage (persons
    with a need) both use it, so a person leaving on the as-of date is absent from both."""
    as_of = date_value(scope.as_of)
    return [
        *person_conditions(scope),
        P.c.entry_date <= as_of,
        or_(P.c.exit_date.is_(None), P.c.exit_date > as_of),
    ]


def cohort_last_day(scope: Scope) -> dt.date:
    """Last entry date of the cohort: the period's end, unless the as-of date comes first
    (an entry after the as-of date is not known yet)."""
    return min(scope.end, scope.as_of)


def cohort_conditions(scope: Scope) -> list[ColumnElement[bool]]:
    """The cohort of the scope: persons who count and entered in the period (T0 ≤ as-of)."""
    return [
        *person_conditions(scope),
        P.c.entry_date >= date_value(scope.start),
        P.c.entry_date <= date_value(cohort_last_day(scope)),
    ]


def observation_end(as_of: dt.date) -> ColumnElement[dt.date]:
    """min(exit date, as-of) of each person: nothing after it is observed."""
    return case(
        (and_(P.c.exit_date.is_not(None), P.c.exit_date < date_value(as_of)), P.c.exit_date),
        else_=date_value(as_of),
    )


def persons_with_utas() -> FromClause:
    """Persons joined to their commune (outer: a person may have no known commune)."""
    return P.outerjoin(C, P.c.commune_code == C.c.code_insee)


def utas_key() -> ColumnElement[str]:
    """The UTAS of a person's commune, ``""`` when unknown (grouping key)."""
    return func.coalesce(C.c.utas, literal(UNKNOWN_UTAS))


# --- first events ------------------------------------------------------------------------


def first_event(
    table: FromClause,
    person_column: ColumnElement[int],
    date_column: ColumnElement[dt.date],
    scope: Scope,
    conditions: Sequence[ColumnElement[bool]],
    anchor: ColumnElement[dt.date] | None = None,
    name: str = "first_event",
):
    """Per person, the first event dated within [anchor, end of observation].

    ``anchor`` defaults to T0 (entry date): an earlier event is a data error and is skipped, so
    the next valid one counts. ``conditions`` restrict persons (the cohort) and events.
    """
    start = P.c.entry_date if anchor is None else anchor
    joined = table.join(P, P.c.id == person_column)
    return (
        select(person_column.label("person_id"), func.min(date_column).label("event_date"))
        .select_from(joined)
        .where(*conditions, date_column >= start, date_column <= observation_end(scope.as_of))
        .group_by(person_column)
        .subquery(name)
    )


def first_orientation(scope: Scope, conditions: Sequence[ColumnElement[bool]]):
    """Per person, the first valid orientation decision (≥ T0, ≤ end of observation) with its
    type and organism (one decision per person and date, by the schema)."""
    first = first_event(
        ORIENTATIONS,
        ORIENTATIONS.c.person_id,
        ORIENTATIONS.c.decision_date,
        scope,
        conditions,
        name="first_decision_date",
    )
    o = ORIENTATIONS.alias("first_decision_row")
    return (
        select(
            first.c.person_id,
            first.c.event_date,
            o.c.orientation_type,
            o.c.organism,
        )
        .select_from(
            first.join(
                o,
                and_(o.c.person_id == first.c.person_id, o.c.decision_date == first.c.event_date),
            )
        )
        .subquery("first_orientation")
    )


# --- Kaplan–Meier counts -----------------------------------------------------------------


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


def delay_counts(
    conn: Connection,
    source: FromClause,
    conditions: Sequence[ColumnElement[bool]],
    anchor: ColumnElement[dt.date],
    event_date: ColumnElement[dt.date | None],
    end: ColumnElement[dt.date],
    kind: ColumnElement[str] | None = None,
    utas: ColumnElement[str] | None = None,
) -> DelayCounts:
    """Run one GROUP BY giving persons per (month of anchor, UTAS, kind, duration, event).

    Duration = event − anchor when the event happened, else end of observation − anchor.
    ``source`` must include persons joined to communes (for the UTAS), unless ``utas`` names
    the column that holds it (a per-person subquery).
    """
    duration = days_between(func.coalesce(event_date, end), anchor).label("duration")
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
    cells = tuple(
        DelayCell(
            month=row.month,
            utas=row.utas,
            kind=row.kind if row.kind is not None else NO_TYPE,
            duration=int(row.duration),
            event=bool(row.event),
            persons=int(row.persons),
        )
        for row in conn.execute(query)
    )
    return DelayCounts(cells)


def entry_delay_counts(
    conn: Connection,
    scope: Scope,
    table: FromClause,
    person_column: ColumnElement[int],
    date_column: ColumnElement[dt.date],
    event_conditions: Sequence[ColumnElement[bool]] = (),
) -> DelayCounts:
    """Delays from T0 to the first event of ``table`` for the cohort of the scope."""
    cohort = cohort_conditions(scope)
    first = first_event(table, person_column, date_column, scope, [*cohort, *event_conditions])
    source = persons_with_utas().outerjoin(first, first.c.person_id == P.c.id)
    return delay_counts(
        conn,
        source,
        cohort,
        anchor=P.c.entry_date,
        event_date=first.c.event_date,
        end=observation_end(scope.as_of),
    )


# --- breakdown rows ----------------------------------------------------------------------


def label_for(field: str, key: str, labels: dict[str, str] | None = None) -> str:
    """French label of a breakdown key."""
    if field == "month":
        return month_label(key)
    if field == "utas":
        return utas_label(key)
    return (labels or {}).get(key, key or "Non renseigné")


BREAKDOWN_FIELDS = {"cohort_month": "month", "utas": "utas"}


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


def count_rows(
    pairs: Iterable[tuple[str, int]], field: str, labels: dict[str, str] | None = None
) -> list[BreakdownRow]:
    """Breakdown rows of plain person counts."""
    return [BreakdownRow(key, label_for(field, key, labels), float(n)) for key, n in sorted(pairs)]


def share(numerator: float, denominator: float) -> float | None:
    """numerator ÷ denominator, None when the denominator is empty (no data, not 0 %)."""
    return numerator / denominator if denominator else None


def ratio_row(key: str, label: str, numerator: float, denominator: float) -> BreakdownRow:
    """A breakdown row of a share (None when the denominator is empty)."""
    return BreakdownRow(
        key, label, share(numerator, denominator), float(numerator), float(denominator)
    )


# --- data quality ------------------------------------------------------------------------


def events_before_entry(conn: Connection, scope: Scope) -> dict[str, int]:
    """Events dated before the person's entry (T0), for persons in the scope's territory and
    payer: data errors the metrics ignore, counted here for the data-quality page."""
    persons = person_conditions(scope)
    tables = {
        "invitations": (INVITATIONS, INVITATIONS.c.person_id, INVITATIONS.c.sent_date),
        "appointments": (APPOINTMENTS, APPOINTMENTS.c.person_id, APPOINTMENTS.c.date),
        "orientations": (ORIENTATIONS, ORIENTATIONS.c.person_id, ORIENTATIONS.c.decision_date),
        "contracts": (CONTRACTS, CONTRACTS.c.person_id, CONTRACTS.c.signed_date),
        "accompaniments": (
            ACCOMPANIMENTS,
            ACCOMPANIMENTS.c.person_id,
            ACCOMPANIMENTS.c.start_date,
        ),
    }
    counts = {}
    for name, (table, person_column, date_column) in tables.items():
        query = (
            select(func.count())
            .select_from(table.join(P, P.c.id == person_column))
            .where(*persons, date_column < P.c.entry_date)
        )
        counts[name] = int(conn.execute(query).scalar_one())
    return counts


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
