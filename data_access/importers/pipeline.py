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
   previous values, which is what makes ``undo_run`` exact (``journal.py``). Fill the file
   reports' inserted/updated/unchanged counts from what the journal returns.
4. Interfaces call :func:`preview` (a page's validation report; nothing written) and
   :func:`run_import` (CLI, page confirmation). Both accept any importer.

After the write and in the same transaction, the per-person timeline (``timeline.py``) is
refreshed for the persons the run touched, read from its stamps and journal: an importer has
nothing to do for it. Planner statistics are refreshed once the run is committed.

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
from dataclasses import dataclass

from sqlalchemy import (
    Engine,
    insert,
    update,
)
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError

from data_access import timeline
from data_access.db import describe_connection_error
from data_access.exceptions import (
    DataAccessError,
    DatabaseUnavailableError,
    ImportValidationError,
)
from data_access.importers.base import Importer, ValidationReport
from data_access.importers.journal import Journal
from data_access.schema import ImportRejection, ImportRun, table_of

MAX_LISTED_ERRORS = 20  # the summary lists this many rejected rows; all are kept in the run


@dataclass(frozen=True)
class ImportResult:
    """Outcome of a written import: its run id, status and the report with written counts."""

    run_id: int
    status: str
    report: ValidationReport


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
            insert(table_of(ImportRun)).returning(table_of(ImportRun).c.id),
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
        # Derived rows follow their sources in the same transaction, whatever the importer.
        refreshed = timeline.refresh(conn, timeline.touched_persons(conn, run_id))
        if report.errors:
            conn.execute(
                insert(table_of(ImportRejection)),
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
            update(table_of(ImportRun))
            .where(table_of(ImportRun).c.id == run_id)
            .values(
                status=status,
                finished_at=dt.datetime.now() if now is None else now,
                rows_read=report.rows_read,
                rows_written=report.rows_written,
                rows_rejected=report.rows_rejected,
                details={"files": [f.as_dict() for f in report.files], "notes": report.notes},
            )
        )
    if refreshed:
        refresh_statistics(engine)
    return ImportResult(run_id=run_id, status=status, report=report)


def refresh_statistics(engine: Engine) -> None:
    """Fresh planner statistics after persons or their events changed (the server may run
    without autovacuum). After the commit, in a transaction of its own: the data is written
    whatever happens here, and stale statistics only make queries slower."""
    try:
        with engine.begin() as conn:
            timeline.refresh_statistics(conn)
    except SQLAlchemyError:
        pass


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
