"""Who counts: the population rules shared by every family (SQLAlchemy Core).

Why one module: the population rules (only persons subject to obligations; territory through
the commune; payer; cohort = entries in the period; present at the as-of date; observation
ends at min(exit, as-of); events before T0 ignored; events after as-of do not exist yet) must
be written once, so that every indicator applies them the same way. The breakdown keys of
that population (cohort month, UTAS) and their French labels live here too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

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
from metrics.results import BreakdownRow
from metrics.scope import Scope, Territory
from metrics.sql import date_value

P = Person.__table__
C = Commune.__table__
INVITATIONS = Invitation.__table__
APPOINTMENTS = Appointment.__table__
ORIENTATIONS = Orientation.__table__
CONTRACTS = Contract.__table__
ACCOMPANIMENTS = Accompaniment.__table__

UNKNOWN_UTAS = ""
UNKNOWN_UTAS_LABEL = "UTAS non renseignée"

# --- labels ------------------------------------------------------------------------------


def month_label(key: str) -> str:
    """« mars 2024 » for ``2024-03``."""
    year, month = key.split("-")
    return format_date(dt.date(int(year), int(month), 1), "MMMM y", locale="fr_FR")


def utas_label(key: str) -> str:
    """The UTAS name, or a French placeholder for persons without a known commune."""
    return key or UNKNOWN_UTAS_LABEL


# --- territory and persons who count ----------------------------------------------------

_TERRITORY_COLUMNS = {"utas": C.c.utas, "epci": C.c.epci_siren, "commune": C.c.code_insee}
_TERRITORY_WORDS = {"utas": "UTAS", "epci": "EPCI", "commune": "commune"}


def commune_in_territory(territory: Territory) -> ColumnElement[bool]:
    """The ``communes`` row lies in the territory (UTAS name, EPCI SIREN or INSEE code)."""
    return _TERRITORY_COLUMNS[territory.level] == territory.code


def person_in_territory(territory: Territory) -> ColumnElement[bool]:
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
        conditions.append(person_in_territory(scope.territory))
    return conditions


def present_at(scope: Scope) -> list[ColumnElement[bool]]:
    """Persons who count and are present at the as-of date: entered on or before it, with no
    exit on or before it. Stocks (persons awaiting orientation) and coverage (persons
    with a need) both use it, so a person leaving on the as-of date is absent from both."""
    return [*person_conditions(scope), on_rsa(date_value(scope.as_of))]


def on_rsa(as_of: ColumnElement[dt.date]) -> ColumnElement[bool]:
    """The date part of ``present_at``: entered on or before ``as_of``, not left by then.
    Apart from the other conditions, so that one scan can test twelve dates side by side."""
    return on_rsa_between(as_of, as_of)


def on_rsa_between(
    first: ColumnElement[dt.date], last: ColumnElement[dt.date]
) -> ColumnElement[bool]:
    """On the RSA at some date from ``first`` to ``last``: entered by ``last``, not left by
    ``first`` (one date when both are the same)."""
    return and_(
        P.c.entry_date <= last,
        or_(P.c.exit_date.is_(None), P.c.exit_date > first),
    )


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


# --- breakdown rows ----------------------------------------------------------------------


def label_for(field: str, key: str, labels: dict[str, str] | None = None) -> str:
    """French label of a breakdown key."""
    if field == "month":
        return month_label(key)
    if field == "utas":
        return utas_label(key)
    return (labels or {}).get(key, key or "Non renseigné")


BREAKDOWN_FIELDS = {"cohort_month": "month", "utas": "utas"}


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
