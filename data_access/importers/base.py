"""What every importer is made of: row errors, validation reports, column specs, the contract.

An importer is a small object (see :class:`Importer`) built from the bytes it must load. Its
``validate(conn)`` reads the database (reference lookups only) and returns a
:class:`ValidationReport` listing EVERY problem, each a :class:`RowError` naming file, spreadsheet
line, field and a French reason; it keeps the valid rows in memory. Its ``write(conn, journal)``
then writes those rows through the :class:`~data_access.importers.journal.Journal`, which makes
them undoable. The pipeline (``pipeline.run_import``) calls both inside one transaction; a page
calls ``pipeline.preview`` to show the report before the user confirms.

:class:`Column` and :func:`parse_table` turn a :class:`~data_access.importers.reading.Table`
into typed row dictionaries, so a CSV importer mostly declares its columns.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import Connection

from data_access.importers.reading import CellError, Table, match_columns

if TYPE_CHECKING:
    from data_access.importers.journal import Journal

REQUIRED_MESSAGE = "valeur obligatoire manquante"
MISSING_COLUMN_MESSAGE = "colonne obligatoire absente"


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem of one row (or of a whole file when ``line`` is ``None``)."""

    file: str
    line: int | None
    field: str | None
    message: str

    def describe(self) -> str:
        """« fichier, ligne N, champ X : message », the form users read everywhere."""
        parts = [self.file]
        if self.line is not None:
            parts.append(f"ligne {self.line}")
        if self.field:
            parts.append(f"champ {self.field}")
        return f"{', '.join(parts)} : {self.message}"

    def __str__(self) -> str:
        return self.describe()


@dataclass
class FileReport:
    """Counts of one file of an import: rows read, rejected, then written (after write)."""

    file_name: str
    rows_read: int = 0
    rows_rejected: int = 0
    rows_inserted: int = 0
    rows_updated: int = 0
    rows_unchanged: int = 0
    unknown_columns: list[str] = field(default_factory=list)

    @property
    def rows_written(self) -> int:
        """Rows actually inserted or changed (an identical re-import writes nothing)."""
        return self.rows_inserted + self.rows_updated

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form stored in ``import_runs.details``."""
        return {
            "file_name": self.file_name,
            "rows_read": self.rows_read,
            "rows_rejected": self.rows_rejected,
            "rows_inserted": self.rows_inserted,
            "rows_updated": self.rows_updated,
            "rows_unchanged": self.rows_unchanged,
            "unknown_columns": list(self.unknown_columns),
        }


@dataclass
class ValidationReport:
    """The preview: what an import would do and every error found, before anything is written."""

    source: str
    file_name: str
    file_hash: str
    files: list[FileReport] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # warnings that reject nothing (ignored files)

    @property
    def ok(self) -> bool:
        """True when no row was rejected: the import can be written as is."""
        return not self.errors

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    @property
    def rows_rejected(self) -> int:
        return sum(f.rows_rejected for f in self.files)

    @property
    def rows_written(self) -> int:
        return sum(f.rows_written for f in self.files)

    def file(self, file_name: str) -> FileReport:
        """The report of one file, created on first use (keeps files in reading order)."""
        for report in self.files:
            if report.file_name == file_name:
                return report
        report = FileReport(file_name)
        self.files.append(report)
        return report


class Importer(ABC):
    """One source format. Subclasses set ``source`` and implement ``validate`` and ``write``.

    Contract: ``validate`` never writes and may be called several times (preview, then again
    inside the write transaction); ``write`` is only called right after ``validate`` on the same
    connection and writes the rows that validation kept, through the journal only.
    """

    source: ClassVar[str]

    @abstractmethod
    def validate(self, conn: Connection) -> ValidationReport:
        """Check every row against the rules and the database; keep the valid rows."""

    @abstractmethod
    def write(self, conn: Connection, journal: Journal) -> None:
        """Write the rows kept by ``validate`` and fill the written counts of its report."""


# --- declarative columns -----------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """An expected column: its name, a cell parser, and whether a value is mandatory.

    An optional column may be absent from the file altogether; its value is then ``default``.
    """

    name: str
    parse: Callable[[str], Any] | None = None
    required: bool = True
    default: Any = None


@dataclass
class ParsedRow:
    """A row whose every cell parsed: its line and the typed values by column name."""

    line: int
    values: dict[str, Any]


def parse_table(
    table: Table, columns: Sequence[Column], report: ValidationReport
) -> list[ParsedRow]:
    """Typed rows of a table; every bad cell becomes a RowError in ``report``.

    Missing mandatory columns reject the whole file (one error per column, line 1); unknown
    columns are listed in the file report, not treated as errors (extra columns are ignored).
    """
    file_report = report.file(table.file_name)
    match = match_columns(table.headers, [c.name for c in columns])
    file_report.rows_read = len(table.rows)
    for name in match.duplicated:
        report.errors.append(RowError(table.file_name, 1, name, "colonne présente deux fois"))
    missing = [c for c in columns if c.required and c.name in match.missing]
    # Without its mandatory columns the first line is likely data (no header row): its cells
    # are never listed as « unknown columns », on screen or in the stored details.
    file_report.unknown_columns = [] if missing else match.unknown
    if missing or match.duplicated:
        for column in missing:
            report.errors.append(RowError(table.file_name, 1, column.name, MISSING_COLUMN_MESSAGE))
        file_report.rows_rejected = len(table.rows)
        return []
    absent = {c.name: c.default for c in columns if c.name not in match.positions}
    specs = [
        (c.name, match.positions[c.name], c.parse, c.required, c.default)
        for c in columns
        if c.name in match.positions
    ]
    parsed: list[ParsedRow] = []
    file_name = table.file_name
    for row in table.rows:
        cells, width = row.cells, len(row.cells)
        values = dict(absent)
        row_errors: list[RowError] = []
        for name, index, parse, required, default in specs:
            text = cells[index] if index < width else ""
            if not text:
                if required:
                    row_errors.append(RowError(file_name, row.line, name, REQUIRED_MESSAGE))
                values[name] = default
            elif parse is None:
                values[name] = text
            else:
                try:
                    values[name] = parse(text)
                except CellError as exc:
                    row_errors.append(RowError(file_name, row.line, name, str(exc)))
        if row_errors:
            report.errors.extend(row_errors)
        else:
            parsed.append(ParsedRow(row.line, values))
    return parsed


def reject(report: ValidationReport, row: ParsedRow, file: str, field: str, message: str) -> None:
    """Record a rule violation found after parsing (unknown person, bad date order…)."""
    report.errors.append(RowError(file, row.line, field, message))


def count_rejected(report: ValidationReport) -> None:
    """Set each file's ``rows_rejected`` from the distinct lines that carry errors."""
    lines: dict[str, set[int | None]] = {}
    for error in report.errors:
        lines.setdefault(error.file, set()).add(error.line)
    for file_report in report.files:
        rejected = lines.get(file_report.file_name, set())
        if None in rejected or 1 in rejected:
            file_report.rows_rejected = file_report.rows_read
        else:
            file_report.rows_rejected = len(rejected)


def sha256_hex(data: bytes) -> str:
    """Hash recorded in the import run, so the same file is recognisable later."""
    return hashlib.sha256(data).hexdigest()
