"""Undo an import run as a whole, without touching the data of any other run.

What a run wrote is known exactly: rows it inserted still carry its ``import_run_id``; rows it
updated or deleted have their previous values in ``import_changes``; rows it inserted into child
tables without ``import_run_id`` are journaled by primary key. Undoing replays that backwards,
in one transaction, with the per-person timeline of the persons concerned.

Undo is refused (French message) when it could not be exact: the run is unknown or already
undone, a later run (still active) changed or deleted rows this run wrote, or rows written by
another run or by hand point at rows this run inserted (deleting them would cascade). Child
tables without ``import_run_id`` (thématiques and zones of a service, history of a roadmap
step) are treated as part of their parent row.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, Table, and_, bindparam, delete, or_, select
from sqlalchemy import update as sql_update

from data_access import timeline
from data_access.exceptions import DataAccessError
from data_access.importers.bulk import bulk_insert, bulk_update
from data_access.importers.journal import RUN_COLUMN, from_json_value
from data_access.schema import Base, ImportChange, ImportRun, table_of

IMPORT_TABLES = frozenset({"import_runs", "import_rejections", "import_changes"})


class ImportUndoError(DataAccessError):
    """The run cannot be undone (unknown, already undone, or others depend on its rows)."""


@dataclass(frozen=True)
class UndoReport:
    """What undoing a run did: rows deleted and rows given back their previous values."""

    run_id: int
    rows_deleted: int
    rows_restored: int


def describe_undo(report: UndoReport) -> str:
    """French one-line summary of an undo."""
    deleted, restored = report.rows_deleted, report.rows_restored
    return (
        f"Import n° {report.run_id} annulé : {deleted} ligne{'s' if deleted > 1 else ''} "
        f"supprimée{'s' if deleted > 1 else ''}, {restored} ligne{'s' if restored > 1 else ''} "
        f"remise{'s' if restored > 1 else ''} à {'leur' if restored > 1 else 'sa'} valeur "
        "précédente."
    )


def stamped_tables() -> list[Table]:
    """Data tables carrying ``import_run_id``, parents before children."""
    return [
        t for t in Base.metadata.sorted_tables if RUN_COLUMN in t.c and t.name not in IMPORT_TABLES
    ]


def undo_run(
    engine: Engine, run_id: int, *, user: str | None = None, now: dt.datetime | None = None
) -> UndoReport:
    """Undo run ``run_id`` in one transaction, or raise ImportUndoError and change nothing."""
    with engine.begin() as conn:
        runs = table_of(ImportRun)
        status = conn.execute(select(runs.c.status).where(runs.c.id == run_id)).scalar()
        if status is None:
            raise ImportUndoError(f"L'import n° {run_id} n'existe pas.")
        if status == "undone":
            raise ImportUndoError(f"L'import n° {run_id} a déjà été annulé.")
        _check_no_later_changes(conn, run_id)
        entries = _journal(conn, run_id)
        # Read before anything is undone: afterwards the run's stamps are gone.
        touched = timeline.touched_persons(conn, run_id)
        # Rows the run updated get their previous run id back here, so that the rows still
        # stamped with the run afterwards are exactly those it inserted.
        restored = _restore_updates(conn, entries["update"])
        _check_no_dependants(conn, run_id)
        deleted = _delete_journaled_inserts(conn, entries["insert"])
        for table in reversed(stamped_tables()):
            deleted += conn.execute(delete(table).where(table.c[RUN_COLUMN] == run_id)).rowcount
        restored += _reinsert_deleted(conn, run_id, entries["delete"])
        details = conn.execute(select(runs.c.details).where(runs.c.id == run_id)).scalar() or {}
        details = {
            **details,
            "undone_at": (now or dt.datetime.now()).isoformat(timespec="seconds"),
            "undone_by": user,
        }
        conn.execute(
            sql_update(runs).where(runs.c.id == run_id).values(status="undone", details=details)
        )
        timeline.refresh(conn, touched)
    if touched:
        with engine.begin() as conn:
            timeline.refresh_statistics(conn)
    return UndoReport(run_id=run_id, rows_deleted=deleted, rows_restored=restored)


def _check_no_later_changes(conn: Connection, run_id: int) -> None:
    """Refuse when a later, still active run updated or deleted rows this run wrote."""
    changes, runs = table_of(ImportChange), table_of(ImportRun)
    later = conn.execute(
        select(changes.c.import_run_id)
        .distinct()
        .join(runs, runs.c.id == changes.c.import_run_id)
        .where(
            changes.c.previous_run_id == run_id,
            changes.c.import_run_id != run_id,
            runs.c.status != "undone",
        )
    ).scalars()
    _refuse(run_id, set(later))


def _check_no_dependants(conn: Connection, run_id: int) -> None:
    """Refuse when rows of other runs (or manual rows) point at rows this run inserted."""
    blockers: set[int | None] = set()
    for parent in stamped_tables():
        for child in stamped_tables():
            for fk in child.foreign_keys:
                if fk.column.table is not parent:
                    continue
                inserted_by_run = select(fk.column).where(parent.c[RUN_COLUMN] == run_id)
                query = (
                    select(child.c[RUN_COLUMN])
                    .distinct()
                    .where(
                        fk.parent.in_(inserted_by_run),
                        or_(child.c[RUN_COLUMN].is_(None), child.c[RUN_COLUMN] != run_id),
                    )
                )
                blockers.update(conn.execute(query).scalars())
    _refuse(run_id, blockers)


def _refuse(run_id: int, blockers: set[int | None]) -> None:
    """Raise the French refusal naming the runs (``None`` = rows written outside imports)."""
    if not blockers:
        return
    numbered = sorted(b for b in blockers if b is not None)
    reasons = []
    if len(numbered) == 1:
        reasons.append(f"l'import n° {numbered[0]} en dépend ; annulez-le d'abord")
    elif numbered:
        listed = ", ".join(str(b) for b in numbered)
        reasons.append(f"les imports n° {listed} en dépendent ; annulez-les d'abord")
    if None in blockers:
        reasons.append("des données écrites hors import (démonstration ou saisie) en dépendent")
    raise ImportUndoError(
        f"L'import n° {run_id} ne peut pas être annulé sans toucher à d'autres données : "
        f"{' ; '.join(reasons)}."
    )


def _journal(conn: Connection, run_id: int) -> dict[str, list[dict[str, Any]]]:
    """The run's journal entries by operation, most recent first."""
    changes = table_of(ImportChange)
    rows = conn.execute(
        select(changes.c.table_name, changes.c.operation, changes.c.row_key, changes.c.previous)
        .where(changes.c.import_run_id == run_id)
        .order_by(changes.c.id.desc())
    ).mappings()
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        grouped[row["operation"]].append(dict(row))
    return grouped


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


def _restore_updates(conn: Connection, entries: list[dict[str, Any]]) -> int:
    """Give updated rows their values from before the run (one bulk update per table).

    A row updated twice by the run has two entries: the oldest holds the value to restore.
    """
    batches: dict[tuple[str, tuple[str, ...], tuple[str, ...]], list[dict[str, Any]]] = defaultdict(
        list
    )
    seen: set[tuple[str, str]] = set()
    for entry in reversed(entries):  # oldest first
        table = _table(entry["table_name"])
        key, previous = entry["row_key"], entry["previous"]
        identity = (table.name, json.dumps(key, sort_keys=True))
        if identity in seen:
            continue
        seen.add(identity)
        row = {n: from_json_value(table, n, v) for n, v in key.items()}
        row.update({n: from_json_value(table, n, v) for n, v in previous.items()})
        batches[(table.name, tuple(key), tuple(previous))].append(row)
    for (name, key_columns, _), rows in batches.items():
        bulk_update(conn, _table(name), key_columns, rows)
    return len(seen)


def _delete_journaled_inserts(conn: Connection, entries: list[dict[str, Any]]) -> int:
    """Delete rows the run inserted into tables without ``import_run_id``."""
    by_table: dict[tuple[str, tuple[str, ...]], list[dict[str, Any]]] = defaultdict(list)
    for entry in entries:
        table = _table(entry["table_name"])
        key = entry["row_key"]
        by_table[(table.name, tuple(key))].append(
            {f"k_{n}": from_json_value(table, n, v) for n, v in key.items()}
        )
    deleted = 0
    for (name, key_columns), params in by_table.items():
        table = _table(name)
        statement = delete(table).where(
            and_(*(table.c[n] == bindparam(f"k_{n}") for n in key_columns))
        )
        conn.execute(statement, params)
        deleted += len(params)
    return deleted


def _reinsert_deleted(conn: Connection, run_id: int, entries: list[dict[str, Any]]) -> int:
    """Put back rows the run deleted (not those it had itself inserted), parents first."""
    order = {t.name: i for i, t in enumerate(Base.metadata.sorted_tables)}
    by_table: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for entry in entries:
        if entry["previous"].get(RUN_COLUMN) == run_id:
            continue
        table = _table(entry["table_name"])
        by_table[table.name].append(
            {n: from_json_value(table, n, v) for n, v in entry["previous"].items()}
        )
    for name in sorted(by_table, key=order.__getitem__):
        bulk_insert(conn, _table(name), by_table[name])
    return sum(len(rows) for rows in by_table.values())
