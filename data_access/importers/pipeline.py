"""The one validated, atomic path every import takes: validate → preview → write → import run.

How an importer plugs in
------------------------
1. Subclass :class:`~data_access.importers.base.Importer` (``source`` = a short name such as
   ``"bundle"``, ``"rdv_insertion"``, ``"data_inclusion"``). Its constructor receives the file
   bytes and name(s); read them with :func:`~data_access.importers.reading.read_table`.
2. ``validate(conn)``: build a :class:`~data_access.importers.base.ValidationReport` (file name,
   ``sha256_hex`` of the bytes), parse rows with ``parse_table`` and declarative ``Column`` specs,
   check the rules that need the database (known communes, known persons) with SELECTs only,
   append every problem as a ``RowError``, keep the valid rows on ``self``, call
   ``count_rejected(report)``, return the report. Never stop at the first error.
3. ``write(conn, journal)``: write the kept rows with ``journal.upsert(table, rows, key=...)``
   (natural key = the table's UniqueConstraint), ``journal.insert`` and ``journal.delete_where``,
   never with bare INSERT/UPDATE/DELETE: the journal stamps ``import_run_id`` and remembers
   previous values, which is what makes ``undo_run`` exact. Fill the file reports' inserted/
   updated/unchanged counts from what the journal returns.
4. Interfaces call :func:`preview` (a page's validation report; nothing written) and
   :func:`run_import` (CLI, page confirmation). Both accept any importer.

``run_import`` validates again inside the write transaction (the database may have changed
since the preview), then by default refuses on any error: :class:`ImportValidationError` with
every error, nothing written, not even the run. With ``skip_invalid=True`` the valid rows are
written and the rejected ones recorded as ``import_rejections`` of the run (status
``partial``). The run row, the data and the journal are committed together or not at all.

Writes are set-based: existing rows are fetched in chunks by their natural key, compared in
memory, and new and changed rows go to the database in bulk (``bulk.py``: COPY on PostgreSQL,
one executemany on SQLite), so 200,000 rows take seconds, not minutes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Connection,
    Date,
    DateTime,
    Engine,
    Table,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.sql.elements import ColumnElement

from data_access.db import describe_connection_error
from data_access.exceptions import (
    DataAccessError,
    DatabaseUnavailableError,
    ImportValidationError,
)
from data_access.importers.base import Importer, ValidationReport
from data_access.importers.bulk import bulk_insert, bulk_update, key_in, lookup_chunk
from data_access.schema import ImportChange, ImportRejection, ImportRun

CHUNK = 2_000
MAX_LISTED_ERRORS = 20  # the summary lists this many rejected rows; all are kept in the run
RUN_COLUMN = "import_run_id"


@dataclass(frozen=True)
class ImportResult:
    """Outcome of a written import: its run id, status and the report with written counts."""

    run_id: int
    status: str
    report: ValidationReport


@dataclass(frozen=True)
class UpsertCounts:
    """What one upsert did to a table."""

    inserted: int
    updated: int
    unchanged: int


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def to_json_value(value: Any) -> Any:
    """Dates as ISO text so that previous values fit a JSON column."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def from_json_value(table: Table, column: str, value: Any) -> Any:
    """Inverse of :func:`to_json_value`, driven by the column's type."""
    if value is None:
        return None
    column_type = table.c[column].type
    if isinstance(column_type, DateTime):
        return dt.datetime.fromisoformat(value)
    if isinstance(column_type, Date):
        return dt.date.fromisoformat(value)
    return value


class Journal:
    """The only way importers write: stamps the run id and records what undo needs.

    Tables with an ``import_run_id`` column need no journal for inserted rows (undo deletes
    the rows still stamped with the run); updates and deletes store the previous values;
    inserts into tables without that column (child tables) are journaled by primary key.
    """

    def __init__(self, conn: Connection, run_id: int) -> None:
        self.conn = conn
        self.run_id = run_id

    # --- inserts ---------------------------------------------------------------------------

    def insert(self, table: Table, rows: Sequence[dict[str, Any]]) -> int:
        """Bulk-insert new rows, stamped with the run (or journaled by primary key)."""
        if not rows:
            return 0
        stamped = RUN_COLUMN in table.c
        pk = [c.name for c in table.primary_key.columns]
        if stamped:
            bulk_insert(self.conn, table, [{**row, RUN_COLUMN: self.run_id} for row in rows])
            return len(rows)
        if all(name in rows[0] for name in pk):
            bulk_insert(self.conn, table, rows)
            keys = [{name: row[name] for name in pk} for row in rows]
        else:  # keys generated by the database: read them back to journal them
            statement = insert(table).returning(*table.primary_key.columns)
            keys = [dict(r) for r in self.conn.execute(statement, list(rows)).mappings()]
        self.record_inserts(table, keys)
        return len(rows)

    def record_inserts(self, table: Table, keys: Iterable[dict[str, Any]]) -> None:
        """Journal rows the caller inserted itself into a table without ``import_run_id``
        (``keys`` = their primary-key values), so that undoing the run deletes them."""
        self._journal(
            {
                "table_name": table.name,
                "operation": "insert",
                "row_key": {name: to_json_value(value) for name, value in key.items()},
                "previous": None,
                "previous_run_id": None,
            }
            for key in keys
        )

    # --- upserts ---------------------------------------------------------------------------

    def upsert(
        self, table: Table, rows: Sequence[dict[str, Any]], key: Sequence[str]
    ) -> UpsertCounts:
        """Insert rows whose natural ``key`` is new, update those whose values changed.

        Identical rows are left alone (their ``import_run_id`` too), so re-importing the same
        file changes nothing. If two rows share a key, the later one wins.
        """
        by_key: dict[tuple, dict[str, Any]] = {tuple(row[k] for k in key): row for row in rows}
        if not by_key:
            return UpsertCounts(0, 0, 0)
        value_columns = [c for c in next(iter(by_key.values())) if c not in key]
        existing = self._existing(table, list(by_key), key, value_columns)
        new_rows: list[dict[str, Any]] = []
        changed: list[tuple[dict[str, Any], dict[str, Any]]] = []
        unchanged = 0
        for row_key, row in by_key.items():
            current = existing.get(row_key)
            if current is None:
                new_rows.append(row)
            elif any(current[c] != row[c] for c in value_columns):
                changed.append((current, row))
            else:
                unchanged += 1
        self.insert(table, new_rows)
        self._update(table, changed, value_columns)
        return UpsertCounts(len(new_rows), len(changed), unchanged)

    def _existing(
        self,
        table: Table,
        keys: list[tuple],
        key: Sequence[str],
        value_columns: Sequence[str],
    ) -> dict[tuple, dict[str, Any]]:
        """Current rows matching the keys, fetched in chunks on the first key column."""
        pk = [c.name for c in table.primary_key.columns]
        wanted = list(dict.fromkeys([*pk, *key, *value_columns]))
        if RUN_COLUMN in table.c:
            wanted.append(RUN_COLUMN)
        columns = [table.c[name] for name in wanted]
        first = list(dict.fromkeys(k[0] for k in keys))
        key_set = set(keys)
        found: dict[tuple, dict[str, Any]] = {}
        for batch in _chunks(first, lookup_chunk(self.conn)):
            query = select(*columns).where(key_in(self.conn, table.c[key[0]], batch))
            for mapping in self.conn.execute(query).mappings():
                row_key = tuple(mapping[k] for k in key)
                if row_key in key_set:
                    found[row_key] = dict(mapping)
        return found

    def _update(
        self,
        table: Table,
        changed: list[tuple[dict[str, Any], dict[str, Any]]],
        value_columns: Sequence[str],
    ) -> None:
        """Journal the previous values, then update the rows by primary key."""
        if not changed:
            return
        pk = [c.name for c in table.primary_key.columns]
        stamped = RUN_COLUMN in table.c
        self._journal(
            {
                "table_name": table.name,
                "operation": "update",
                "row_key": {name: to_json_value(current[name]) for name in pk},
                "previous": {
                    name: to_json_value(current[name])
                    for name in [*value_columns, *([RUN_COLUMN] if stamped else [])]
                },
                "previous_run_id": current.get(RUN_COLUMN),
            }
            for current, _ in changed
        )
        written = [*value_columns, *([RUN_COLUMN] if stamped else [])]
        updates = []
        for current, row in changed:
            item = {name: current[name] for name in pk}
            item.update({name: row[name] for name in value_columns})
            if stamped:
                item[RUN_COLUMN] = self.run_id
            updates.append({name: item[name] for name in [*pk, *written]})
        bulk_update(self.conn, table, pk, updates)

    # --- deletes ---------------------------------------------------------------------------

    def delete_where(self, table: Table, condition: ColumnElement[bool]) -> int:
        """Delete matching rows, keeping each whole row in the journal for undo."""
        rows = [dict(m) for m in self.conn.execute(select(table).where(condition)).mappings()]
        if not rows:
            return 0
        pk = [c.name for c in table.primary_key.columns]
        self._journal(
            {
                "table_name": table.name,
                "operation": "delete",
                "row_key": {name: to_json_value(row[name]) for name in pk},
                "previous": {name: to_json_value(value) for name, value in row.items()},
                "previous_run_id": row.get(RUN_COLUMN),
            }
            for row in rows
        )
        self.conn.execute(delete(table).where(condition))
        return len(rows)

    def _journal(self, entries: Iterable[dict[str, Any]]) -> None:
        payload = [{**entry, "import_run_id": self.run_id} for entry in entries]
        bulk_insert(self.conn, ImportChange.__table__, payload)


# --- the path ----------------------------------------------------------------------------


def preview(engine: Engine, importer: Importer) -> ValidationReport:
    """Validate without writing anything: the report a page shows before confirmation."""
    try:
        with engine.connect() as conn:
            return importer.validate(conn)
    except SQLAlchemyError as exc:
        raise DatabaseUnavailableError(describe_connection_error(engine, exc)) from None
    except (RecursionError, MemoryError):
        raise UnreadableImportError(UNREADABLE_MESSAGE) from None


def refusal_message(report: ValidationReport) -> str:
    """One French sentence summarising a refused import (the errors follow separately).

    An error on a file itself (no line, no field) means the file could not be read: it is
    named as such, never counted as « 1 erreur sur 0 ligne »."""
    names = {f.file_name for f in report.files}
    whole = [e for e in report.errors if e.line is None and e.field is None and e.file in names]
    row_errors = [e for e in report.errors if e not in whole]
    files = list(dict.fromkeys(e.file for e in whole))
    parts = []
    if row_errors:
        count, lines = len(row_errors), report.rows_rejected
        parts.append(
            f"{count} erreur{'s' if count > 1 else ''} sur {lines} ligne{'s' if lines > 1 else ''}"
        )
    if files:
        unreadable = "fichiers illisibles" if len(files) > 1 else "fichier illisible"
        parts.append(f"{unreadable} ({', '.join(files)})")
    return f"Import refusé : {' et '.join(parts)} ; rien n'a été écrit."


UNREADABLE_MESSAGE = (
    "Import refusé : un fichier est trop volumineux ou trop complexe pour être lu ; rien n'a "
    "été écrit."
)


class UnreadableImportError(DataAccessError):
    """The readers' own limits did not catch a hostile file, the interpreter's did (recursion,
    memory): the last guard, so that a user reads French and nothing is written."""


class ImportWriteError(DataAccessError):
    """The database refused the write (constraint, lock); the transaction was rolled back."""


def run_import(
    engine: Engine,
    importer: Importer,
    *,
    user: str | None = None,
    skip_invalid: bool = False,
    now: dt.datetime | None = None,
) -> ImportResult:
    """Validate, then write everything in ONE transaction with its import run.

    Raises ImportValidationError (nothing written) when rows are invalid and ``skip_invalid``
    is false, or when no row at all is valid; ImportWriteError or DatabaseUnavailableError
    (nothing written either) when the database refuses or cannot be reached.
    """
    try:
        return _validate_and_write(engine, importer, user, skip_invalid, now)
    except (RecursionError, MemoryError):
        raise UnreadableImportError(UNREADABLE_MESSAGE) from None
    except IntegrityError:
        raise ImportWriteError(
            "Import refusé par la base de données : une contrainte d'intégrité n'est pas "
            "respectée (peut-être par un import simultané) ; rien n'a été écrit."
        ) from None
    except OperationalError as exc:
        if "locked" in str(exc):
            raise ImportWriteError(
                "La base de données est occupée par une autre écriture ; rien n'a été écrit, "
                "réessayez dans un instant."
            ) from None
        raise DatabaseUnavailableError(describe_connection_error(engine, exc)) from None
    except SQLAlchemyError as exc:
        raise ImportWriteError(
            f"Écriture impossible dans la base de données ({type(exc).__name__}) ; rien n'a "
            "été écrit."
        ) from None


def _validate_and_write(
    engine: Engine,
    importer: Importer,
    user: str | None,
    skip_invalid: bool,
    now: dt.datetime | None,
) -> ImportResult:
    started = now or dt.datetime.now()
    with engine.begin() as conn:
        report = importer.validate(conn)
        if report.errors and not skip_invalid:
            raise ImportValidationError(refusal_message(report), report.errors)
        if report.errors and report.rows_read == report.rows_rejected:
            raise ImportValidationError(
                "Import refusé : aucune ligne valide ; rien n'a été écrit.", report.errors
            )
        run_id = conn.execute(
            insert(ImportRun.__table__).returning(ImportRun.__table__.c.id),
            {
                "source": importer.source,
                "file_name": report.file_name[:400],
                "file_hash": report.file_hash,
                "started_at": started,
                "user": user,
                "status": "running",
            },
        ).scalar_one()
        importer.write(conn, Journal(conn, run_id))
        if report.errors:
            conn.execute(
                insert(ImportRejection.__table__),
                [
                    {
                        "import_run_id": run_id,
                        "file_name": error.file[:400],
                        "line": error.line,
                        "field": error.field,
                        "message": error.message,
                    }
                    for error in report.errors
                ],
            )
        status = "partial" if report.errors else "success"
        conn.execute(
            update(ImportRun.__table__)
            .where(ImportRun.__table__.c.id == run_id)
            .values(
                status=status,
                finished_at=dt.datetime.now() if now is None else now,
                rows_read=report.rows_read,
                rows_written=report.rows_written,
                rows_rejected=report.rows_rejected,
                details={"files": [f.as_dict() for f in report.files], "notes": report.notes},
            )
        )
    return ImportResult(run_id=run_id, status=status, report=report)


def _count(value: int, singular: str, plural: str) -> str:
    """« 1 234 lignes lues », « 1 écrite », « 0 rejetée » (French: 0 and 1 take the singular)."""
    from babel.numbers import format_decimal

    return f"{format_decimal(value, locale='fr_FR')} {singular if value < 2 else plural}"


def describe_result(result: ImportResult) -> list[str]:
    """French summary of a written import: one line for the run, one per file."""
    report = result.report
    outcome = "avec des lignes rejetées" if result.status == "partial" else "réussi"
    lines = [
        f"Import n° {result.run_id} {outcome} ({report.file_name}) : "
        f"{_count(report.rows_read, 'ligne lue', 'lignes lues')}, "
        f"{_count(report.rows_written, 'écrite', 'écrites')}, "
        f"{_count(report.rows_rejected, 'rejetée', 'rejetées')}."
    ]
    for file in report.files:
        lines.append(
            f"  {file.file_name} : {_count(file.rows_read, 'lue', 'lues')}, "
            f"{_count(file.rows_written, 'écrite', 'écrites')} "
            f"({_count(file.rows_inserted, 'nouvelle', 'nouvelles')}, "
            f"{_count(file.rows_updated, 'modifiée', 'modifiées')}, "
            f"{_count(file.rows_unchanged, 'inchangée', 'inchangées')}), "
            f"{_count(file.rows_rejected, 'rejetée', 'rejetées')}"
        )
        if file.unknown_columns:
            lines.append(f"    colonnes ignorées : {', '.join(file.unknown_columns)}")
    lines.extend(f"  {note}" for note in report.notes)
    if report.errors:
        lines.append("Lignes rejetées :")
        lines.extend(f"  {error}" for error in report.errors[:MAX_LISTED_ERRORS])
        hidden = len(report.errors) - MAX_LISTED_ERRORS
        if hidden > 0:
            lines.append(
                f"  … et {_count(hidden, 'autre erreur', 'autres erreurs')}, gardées avec "
                f"l'import n° {result.run_id}."
            )
    return lines
