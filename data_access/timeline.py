"""The per-person timeline (``person_timeline``) and the per-decision one
(``decision_timeline``): rebuilt from scratch, or refreshed for the persons a write touched,
always inside the writer's own transaction.

Why a table: every delay and stock indicator starts from a person's first invitation, first
attended appointment, first orientation (with its type and organism) or first contract. Asking
the events tables for those MINs on every call is what made the committee slow at national
scale: the planners cannot estimate how many persons have a first orientation, and chose
nested loops over millions of rows. Stored once per person, they are plain columns with
statistics of their own.

Who keeps it exact: the import pipeline and undo (``touched_persons`` reads what a run wrote
from its stamps and its journal, whatever the importer), ``orientation_types.apply_mapping``
and the demo (a rebuild). ``tests/unit/test_timeline.py`` compares both tables with a rebuild.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import (
    Connection,
    Select,
    Table,
    and_,
    case,
    delete,
    func,
    insert,
    or_,
    select,
    text,
)
from sqlalchemy.sql.elements import ColumnElement

from data_access.importers.bulk import key_in, lookup_chunk
from data_access.schema import (
    Appointment,
    Contract,
    DecisionTimeline,
    ImportChange,
    Invitation,
    Orientation,
    Person,
    PersonTimeline,
    table_of,
)

P = table_of(Person)
TIMELINE = table_of(PersonTimeline)
DECISIONS = table_of(DecisionTimeline)
INVITATIONS = table_of(Invitation)
APPOINTMENTS = table_of(Appointment)
ORIENTATIONS = table_of(Orientation)
CONTRACTS = table_of(Contract)

# Tables whose rows decide a person's timeline, and the column naming the person.
PERSON_TABLES = {
    "persons": "id",
    "invitations": "person_id",
    "appointments": "person_id",
    "orientations": "person_id",
    "contracts": "person_id",
}
# Above this many persons, a refresh rebuilds the whole table: one pass over each events
# table costs less than that many index lookups, and the result is the same.
REBUILD_FROM = 50_000

PersonFilter = Any  # a callable: id column -> condition, or None for every person

# The contrat d'engagement replaces the earlier contracts from this day (loi n° 2023-1196 pour
# le plein emploi, décret n° 2024-1244); a CER, PPAE, PACEA or CEJ signed before still counts.
ENGAGEMENT_START = dt.date(2025, 1, 1)
EARLIER_CONTRACTS = ("cer", "ppae", "pacea", "cej")


def counted_contract(contracts=CONTRACTS) -> ColumnElement[bool]:
    """A contract the legal rule counts: a contrat d'engagement, or an earlier kind signed
    before the contrat d'engagement existed."""
    return or_(
        contracts.c.contract_type == "engagement",
        and_(
            contracts.c.contract_type.in_(EARLIER_CONTRACTS),
            contracts.c.signed_date < ENGAGEMENT_START,
        ),
    )


def legal_start(persons=P) -> ColumnElement:
    """The day the legal orientation delay starts: the receipt of the information on the
    transfer into the département when there is one (a transfer starts a new delay), else on
    the opening of the right, else the entry date (CASF D. 262-65-2)."""
    transfer = persons.c.transfer_in_date
    opening = persons.c.right_info_date
    return case(
        (and_(transfer.is_not(None), or_(opening.is_(None), transfer >= opening)), transfer),
        else_=func.coalesce(opening, persons.c.entry_date),
    )


def _first(table, date_column, where: Sequence[ColumnElement[bool]], restrict, start=None, name=""):
    """Per person, MIN(date) of the rows of ``table`` dated on or after ``start`` (the entry
    date by default), restricted to the persons ``restrict`` keeps."""
    start = P.c.entry_date if start is None else start
    conditions = [*where, date_column >= start]
    if restrict is not None:
        conditions.append(restrict(table.c.person_id))
    return (
        select(table.c.person_id.label("person_id"), func.min(date_column).label("first_date"))
        .select_from(table.join(P, P.c.id == table.c.person_id))
        .where(*conditions)
        .group_by(table.c.person_id)
        .subquery(name)
    )


def timeline_select(restrict: PersonFilter = None) -> Select:
    """The timeline rows, computed from the sources, for the persons ``restrict`` keeps."""
    invitation = _first(INVITATIONS, INVITATIONS.c.sent_date, [], restrict, name="t_invitation")
    seen = _first(
        APPOINTMENTS,
        APPOINTMENTS.c.date,
        [APPOINTMENTS.c.status == "seen", APPOINTMENTS.c.purpose == "orientation"],
        restrict,
        name="t_seen",
    )
    oriented = _first(
        ORIENTATIONS, ORIENTATIONS.c.decision_date, [], restrict, name="t_orientation"
    )
    legal = _first(
        ORIENTATIONS,
        ORIENTATIONS.c.decision_date,
        [],
        restrict,
        start=legal_start(),
        name="t_legal",
    )
    decision = ORIENTATIONS.alias("t_decision")
    contract_conditions = [CONTRACTS.c.signed_date >= oriented.c.first_date]
    if restrict is not None:
        contract_conditions.append(restrict(CONTRACTS.c.person_id))
    contract = (
        select(
            CONTRACTS.c.person_id.label("person_id"),
            func.min(CONTRACTS.c.signed_date).label("first_date"),
        )
        .select_from(CONTRACTS.join(oriented, oriented.c.person_id == CONTRACTS.c.person_id))
        .where(*contract_conditions)
        .group_by(CONTRACTS.c.person_id)
        .subquery("t_contract")
    )
    source = (
        P.outerjoin(invitation, invitation.c.person_id == P.c.id)
        .outerjoin(seen, seen.c.person_id == P.c.id)
        .outerjoin(oriented, oriented.c.person_id == P.c.id)
        .outerjoin(
            decision,
            and_(
                decision.c.person_id == oriented.c.person_id,
                decision.c.decision_date == oriented.c.first_date,
            ),
        )
        .outerjoin(contract, contract.c.person_id == P.c.id)
        .outerjoin(legal, legal.c.person_id == P.c.id)
    )
    query = select(
        P.c.id.label("person_id"),
        P.c.entry_date,
        P.c.exit_date,
        invitation.c.first_date.label("first_invitation_date"),
        seen.c.first_date.label("first_seen_date"),
        oriented.c.first_date.label("first_orientation_date"),
        decision.c.orientation_type.label("first_orientation_type"),
        decision.c.organism.label("first_orientation_organism"),
        contract.c.first_date.label("first_contract_date"),
        legal_start().label("legal_start_date"),
        legal.c.first_date.label("legal_orientation_date"),
    ).select_from(source)
    if restrict is not None:
        query = query.where(restrict(P.c.id))
    return query


def decisions_select(restrict: PersonFilter = None) -> Select:
    """The per-decision rows, computed from the sources, for the persons ``restrict`` keeps:
    each decision with its person's next decision and the first counted contract signed from
    the decision on and before that next one (each found by a join and a MIN, no subquery
    per decision)."""
    decision = ORIENTATIONS.alias("d_decision")
    later = ORIENTATIONS.alias("d_later")
    own = [] if restrict is None else [restrict(decision.c.person_id)]
    following = (
        select(
            decision.c.id.label("orientation_id"),
            func.min(later.c.decision_date).label("next_date"),
        )
        .select_from(
            decision.join(
                later,
                and_(
                    later.c.person_id == decision.c.person_id,
                    later.c.decision_date > decision.c.decision_date,
                ),
            )
        )
        .where(*own)
        .group_by(decision.c.id)
        .subquery("d_next")
    )
    contract = (
        select(
            decision.c.id.label("orientation_id"),
            func.min(CONTRACTS.c.signed_date).label("first_date"),
        )
        .select_from(
            decision.outerjoin(following, following.c.orientation_id == decision.c.id).join(
                CONTRACTS,
                and_(
                    CONTRACTS.c.person_id == decision.c.person_id,
                    counted_contract(),
                    CONTRACTS.c.signed_date >= decision.c.decision_date,
                    or_(
                        following.c.next_date.is_(None),
                        CONTRACTS.c.signed_date < following.c.next_date,
                    ),
                ),
            )
        )
        .where(*own)
        .group_by(decision.c.id)
        .subquery("d_contract")
    )
    query = select(
        ORIENTATIONS.c.id.label("orientation_id"),
        ORIENTATIONS.c.person_id,
        ORIENTATIONS.c.decision_date,
        func.coalesce(ORIENTATIONS.c.notification_date, ORIENTATIONS.c.decision_date).label(
            "notified_date"
        ),
        ORIENTATIONS.c.orientation_type,
        following.c.next_date.label("next_decision_date"),
        contract.c.first_date.label("first_contract_date"),
    ).select_from(
        ORIENTATIONS.outerjoin(
            following, following.c.orientation_id == ORIENTATIONS.c.id
        ).outerjoin(contract, contract.c.orientation_id == ORIENTATIONS.c.id)
    )
    if restrict is not None:
        query = query.where(restrict(ORIENTATIONS.c.person_id))
    return query


def _fill(conn: Connection, table: Table, query: Select) -> None:
    """Insert the rows of ``query`` into ``table``, column by column as the query names them."""
    conn.execute(insert(table).from_select(list(query.selected_columns.keys()), query))


def rebuild(conn: Connection) -> int:
    """Empty both timelines and compute them again for every person and decision; returns the
    persons' rows written."""
    conn.execute(delete(TIMELINE))
    _fill(conn, TIMELINE, timeline_select())
    conn.execute(delete(DECISIONS))
    _fill(conn, DECISIONS, decisions_select())
    return int(conn.execute(select(func.count()).select_from(TIMELINE)).scalar_one())


def refresh(conn: Connection, person_ids: Iterable[int]) -> int:
    """Recompute the rows of the given persons and of their decisions (a person deleted
    meanwhile loses its rows); returns how many persons were refreshed. Many persons at once:
    a rebuild instead."""
    ids = sorted({int(i) for i in person_ids if i is not None})
    if not ids:
        return 0
    if len(ids) >= REBUILD_FROM:
        rebuild(conn)
        return len(ids)
    size = lookup_chunk(conn)
    for first in range(0, len(ids), size):
        chunk = ids[first : first + size]

        def restrict(column, chunk: list[int] = chunk) -> ColumnElement[bool]:
            return key_in(conn, column, chunk)

        conn.execute(delete(TIMELINE).where(restrict(TIMELINE.c.person_id)))
        _fill(conn, TIMELINE, timeline_select(restrict))
        conn.execute(delete(DECISIONS).where(restrict(DECISIONS.c.person_id)))
        _fill(conn, DECISIONS, decisions_select(restrict))
    return len(ids)


def touched_persons(conn: Connection, run_id: int) -> set[int]:
    """Persons whose timeline an import run may have changed: those of the rows it inserted or
    updated (still stamped with the run until undone) and the previous persons of the rows it
    updated or deleted (its journal). Undo calls it before undoing anything."""
    ids: set[int] = set()
    for name, column in PERSON_TABLES.items():
        table = table_of_name(name)
        ids.update(
            conn.execute(select(table.c[column]).where(table.c.import_run_id == run_id)).scalars()
        )
    changes = table_of(ImportChange)
    rows = conn.execute(
        select(changes.c.table_name, changes.c.row_key, changes.c.previous).where(
            changes.c.import_run_id == run_id,
            changes.c.table_name.in_(list(PERSON_TABLES)),
        )
    )
    for name, row_key, previous in rows:
        column = PERSON_TABLES[name]
        for values in (row_key or {}, previous or {}):
            value = values.get(column)
            if value is not None:
                ids.add(int(value))
    return ids


def table_of_name(name: str):
    """The ``Table`` of one of ``PERSON_TABLES``."""
    return {
        "persons": P,
        "invitations": INVITATIONS,
        "appointments": APPOINTMENTS,
        "orientations": ORIENTATIONS,
        "contracts": CONTRACTS,
    }[name]


def refresh_statistics(conn: Connection, every_table: bool = False) -> None:
    """Give the planner fresh statistics on the persons, their events and the timeline, or on
    every table (portable ``ANALYZE``; the server may run without autovacuum)."""
    if every_table:
        conn.execute(text("ANALYZE"))
        return
    for table in (*(table_of_name(n) for n in PERSON_TABLES), TIMELINE, DECISIONS):
        conn.execute(text(f"ANALYZE {table.name}"))
