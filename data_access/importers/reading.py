"""Robust reading of the tabular files every importer receives (CSV or .xlsx).

Files exported by a département's systems rarely arrive as their tool wrote them: Excel re-saves
them in cp1252, swaps ``;`` and ``,``, changes header case, leaves empty lines at the end or turns
them into .xlsx. This module absorbs all of that once, so that importers only see rows of text
cells, each with the line number a spreadsheet shows (the header is line 1), and small parsers
that turn a cell into a typed value or raise :class:`CellError` with a French reason.

Nothing here touches the database; a file that cannot be read at all raises
:class:`UnreadableFileError` (a ``DataAccessError``, so interfaces print its French message).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import errno
import io
import itertools
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from openpyxl import load_workbook

from data_access.exceptions import DataAccessError
from formatting import format_int
from settings import Settings, get_settings

MEGABYTE = 1024 * 1024
CHUNK_CHARS = 64 * 1024
XLSX_MAGIC = b"PK\x03\x04"
SEPARATORS = (";", ",")
TRUE_WORDS = frozenset({"oui", "o", "true", "vrai", "1", "yes", "y"})
FALSE_WORDS = frozenset({"non", "n", "false", "faux", "0", "no"})
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")
_FRENCH_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?: 00:00(?::00)?)?$")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
MAX_ARCHIVE_MEMBERS = 10_000


class UnreadableFileError(DataAccessError):
    """The file cannot be read as a table (bad encoding, not a spreadsheet, no header)."""


def describe_os_error(exc: OSError, writing: bool = False) -> str:
    """The reason of a failed file operation in French: Python's ``strerror`` is in English
    (« No such file or directory ») whatever the locale. When writing, a missing path means
    a missing folder."""
    if isinstance(exc, FileNotFoundError):
        return "dossier introuvable" if writing else "fichier introuvable"
    if isinstance(exc, IsADirectoryError):
        return "c'est un dossier, un fichier est attendu"
    if isinstance(exc, NotADirectoryError):
        return "un élément du chemin n'est pas un dossier"
    if isinstance(exc, PermissionError):
        return "accès non autorisé"
    if exc.errno == errno.ENOSPC:
        return "disque plein"
    return "opération impossible sur ce fichier"


def read_file_bytes(path: Path, limits: ReadLimits | None = None) -> bytes:
    """The content of a file an importer was given, or a French error naming it and why.

    A file larger than the limit is refused before a single byte is read."""
    limits = limits or ReadLimits.current()
    try:
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            raise UnreadableFileError(f"Fichier refusé : {path.name} ({limits.too_big()}).")
        return path.read_bytes()
    except OSError as exc:
        reason = describe_os_error(exc)
    raise UnreadableFileError(f"Fichier illisible : {path} ({reason}).")


@dataclass(frozen=True)
class ReadLimits:
    """The caps every imported file must respect, so that a hostile or broken file is refused
    after reading a bounded part of it instead of filling the server's memory.

    Defaults (and the settings that change them) are documented in the README."""

    max_file_bytes: int = 200 * MEGABYTE
    max_rows: int = 2_000_000
    max_columns: int = 500
    max_cell_chars: int = 32_767

    @classmethod
    def from_settings(cls, settings: Settings) -> ReadLimits:
        return cls(
            max_file_bytes=settings.import_max_file_mb * MEGABYTE,
            max_rows=settings.import_max_rows,
            max_columns=settings.import_max_columns,
            max_cell_chars=settings.import_max_cell_chars,
        )

    @classmethod
    def current(cls) -> ReadLimits:
        """The limits of the process-wide settings (importers built without settings)."""
        return cls.from_settings(get_settings())

    @property
    def max_line_chars(self) -> int:
        """Longest physical line of a CSV: a line is read whole before being split, so it is
        bounded too (a line of separators alone would otherwise become millions of cells)."""
        return max(MEGABYTE, 4 * self.max_cell_chars)

    def too_big(self) -> str:
        if self.max_file_bytes < MEGABYTE:
            return f"plus de {format_int(self.max_file_bytes // 1024)} Ko, limite de l'import"
        return f"plus de {format_int(self.max_file_bytes // MEGABYTE)} Mo, limite de l'import"

    def too_many_rows(self) -> str:
        return f"plus de {format_int(self.max_rows)} lignes, limite de l'import"

    def too_many_columns(self) -> str:
        return f"plus de {format_int(self.max_columns)} colonnes, limite de l'import"

    def cell_too_long(self) -> str:
        return f"cellule de plus de {format_int(self.max_cell_chars)} caractères"


class CellError(ValueError):
    """A cell's value cannot be used; the message is a French reason without the field name.

    Never with the value itself: messages are shown, printed and stored with the import, and
    when a stray separator shifts the cells, any column may hold a name or an identifier."""


@dataclass(frozen=True, slots=True)
class TableRow:
    """One non-empty data row: its spreadsheet line number and its cells as stripped text."""

    line: int
    cells: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A whole file: the header cells as written, and the non-empty data rows."""

    file_name: str
    headers: tuple[str, ...]
    rows: list[TableRow]
    encoding: str = "utf-8"
    separator: str | None = None


@dataclass(frozen=True)
class ColumnMatch:
    """Where each expected column sits in a file, and which columns are missing or unknown."""

    positions: dict[str, int]
    missing: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)

    def records(self, table: Table) -> Iterable[tuple[int, dict[str, str]]]:
        """Yield ``(line, {expected column: cell})`` for every row; short rows get ``""``."""
        positions = list(self.positions.items())
        for row in table.rows:
            cells = row.cells
            width = len(cells)
            yield row.line, {name: cells[i] if i < width else "" for name, i in positions}


# --- headers -----------------------------------------------------------------------------


def normalise_header(name: str) -> str:
    """Header as compared by importers: case-folded, trimmed, inner spaces collapsed."""
    return _SPACES.sub(" ", name.replace("\ufeff", "")).strip().casefold()


def match_key(text: str) -> str:
    """Accent-, case- and punctuation-insensitive form of a header or a place name.

    « Date d'entrée flux », « DATE D ENTREE FLUX » and « date_d_entree_flux » all give
    ``date d entree flux``; importers use it to find columns whatever Excel did to them.
    """
    decomposed = unicodedata.normalize("NFKD", text.replace("\ufeff", ""))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", stripped.casefold()).split())


def match_columns(headers: Sequence[str], expected: Iterable[str]) -> ColumnMatch:
    """Find each expected column among the headers with :func:`match_key`.

    A header present twice is reported (its first occurrence is used); headers that match no
    expected column are listed as unknown, so a preview can show them.
    """
    wanted = {match_key(name): name for name in expected}
    positions: dict[str, int] = {}
    unknown: list[str] = []
    duplicated: list[str] = []
    for index, header in enumerate(headers):
        key = match_key(header)
        if not key:
            continue
        name = wanted.get(key)
        if name is None:
            unknown.append(header.strip())
        elif name in positions:
            duplicated.append(header.strip())
        else:
            positions[name] = index
    missing = [name for name in wanted.values() if name not in positions]
    return ColumnMatch(positions, missing, unknown, duplicated)


# --- reading -----------------------------------------------------------------------------


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode as UTF-8 (with or without BOM), else as cp1252 (Excel's French default)."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise UnreadableFileError(
            "encodage non reconnu : le fichier n'est ni en UTF-8 ni en Windows-1252 "
            f"(octet 0x{data[exc.start]:02x} à la position {exc.start})."
        ) from None


def sniff_separator(text: str) -> str:
    """``;`` or ``,``: the one found more often in the header line, outside quotes."""
    header = text.split("\n", 1)[0]
    outside = re.sub(r'"[^"]*"', "", header)
    counts = {sep: outside.count(sep) for sep in SEPARATORS}
    return max(SEPARATORS, key=lambda sep: counts[sep])


def read_table(data: bytes, file_name: str, limits: ReadLimits | None = None) -> Table:
    """Read CSV or .xlsx bytes into a :class:`Table` (header = line 1, empty rows dropped).

    Both formats are read as a stream and checked against ``limits`` as they go, so a file
    that breaks a limit is refused after reading only what proves it."""
    limits = limits or ReadLimits.current()
    if len(data) > limits.max_file_bytes:
        raise UnreadableFileError(f"{file_name} : fichier refusé ({limits.too_big()}).")
    if data.startswith(XLSX_MAGIC) or file_name.lower().endswith((".xlsx", ".xlsm")):
        return _read_xlsx(data, file_name, limits)
    if b"\x00" in data[:4096]:
        raise UnreadableFileError(
            f"{file_name} : fichier binaire, un CSV (texte) ou un classeur .xlsx est attendu."
        )
    try:
        records, separator = _csv_records(data, "utf-8-sig", limits)
        encoding = "utf-8"
    except UnicodeDecodeError:
        try:
            records, separator = _csv_records(data, "cp1252", limits)
            encoding = "cp1252"
        except UnicodeDecodeError as exc:
            raise UnreadableFileError(
                f"{file_name} : encodage non reconnu : le fichier n'est ni en UTF-8 ni en "
                f"Windows-1252 (octet 0x{exc.object[exc.start]:02x} à la position {exc.start})."
            ) from None
    except _LimitError as exc:
        raise UnreadableFileError(f"{file_name} : fichier refusé, {exc}.") from None
    except _MalformedCsvError as exc:
        raise UnreadableFileError(
            f"{file_name} : CSV mal formé vers la ligne {exc.line} (cellule trop longue ou "
            "guillemets non refermés)."
        ) from None
    return _table(file_name, records, encoding, separator)


class _LimitError(Exception):
    """A file broke one of the :class:`ReadLimits`; the message is French and value-free."""


class _MalformedCsvError(Exception):
    """The csv module gave up on a line (unclosed quote, field beyond its own size limit)."""

    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


def _decoded_chunks(data: bytes, encoding: str) -> Iterator[str]:
    """The text of ``data`` in pieces, so that no copy of the whole file is ever made."""
    decoder = codecs.getincrementaldecoder(encoding)()
    view = memoryview(data)
    for start in range(0, len(data) + 1, CHUNK_CHARS):
        held = len(decoder.getstate()[0])  # bytes of a sequence cut by the previous chunk
        try:
            yield decoder.decode(
                view[start : start + CHUNK_CHARS], final=start + CHUNK_CHARS > len(data)
            )
        except UnicodeDecodeError as exc:
            position = start - held + exc.start
            raise UnicodeDecodeError(encoding, data, position, position + 1, exc.reason) from None


def _bounded_lines(chunks: Iterable[str], max_chars: int) -> Iterator[str]:
    """Physical lines (ends kept, split as ``newline=""`` does), refusing a line longer than
    ``max_chars`` (give or take one chunk) before it is ever held whole."""
    pending = ""
    for chunk in chunks:
        pending += chunk
        # A final \r may be the first half of a \r\n split between two chunks: keep it.
        cut = max(pending.rfind("\n"), pending.rfind("\r", 0, len(pending) - 1))
        if cut >= 0:
            yield from io.StringIO(pending[: cut + 1], newline="")
            pending = pending[cut + 1 :]
        if len(pending) > max_chars:
            raise _LimitError(f"ligne de plus de {format_int(max_chars)} caractères")
    if pending:
        yield from io.StringIO(pending, newline="")


def _csv_records(
    data: bytes, encoding: str, limits: ReadLimits
) -> tuple[list[tuple[int, tuple[str, ...]]], str]:
    """Rows of a CSV as ``(line, cells)``, and the separator sniffed from the header line."""
    lines = _bounded_lines(_decoded_chunks(data, encoding), limits.max_line_chars)
    first = next(lines, "")
    separator = sniff_separator(first)
    reader = csv.reader(itertools.chain([first], lines), delimiter=separator, strict=False)
    records: list[tuple[int, tuple[str, ...]]] = []
    try:
        for line, cells in enumerate(reader, start=1):
            records.append((line, _checked_cells(cells, limits)))
            if len(records) > limits.max_rows + 1:  # + 1: the header
                raise _LimitError(limits.too_many_rows())
    except csv.Error:
        raise _MalformedCsvError(reader.line_num) from None
    return records, separator


def _checked_cells(cells: Sequence[str], limits: ReadLimits) -> tuple[str, ...]:
    """Stripped cells of one row, refused when too wide or holding a too long cell."""
    if len(cells) > limits.max_columns and any(cells[limits.max_columns :]):
        raise _LimitError(limits.too_many_columns())
    stripped = tuple(cell.strip() for cell in cells[: limits.max_columns])
    if any(len(cell) > limits.max_cell_chars for cell in stripped):
        raise _LimitError(limits.cell_too_long())
    return stripped


def _read_xlsx(data: bytes, file_name: str, limits: ReadLimits) -> Table:
    """First worksheet of a workbook, cells turned into the text a CSV would have held.

    The archive is checked before openpyxl opens it (declared sizes: zipfile never inflates
    a member beyond its declared size), the sheet's own ``<dimension>`` is ignored (a 1 KB
    file may claim 17 billion cells), and rows are streamed and checked one by one."""
    try:
        _check_archive(data, limits)
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            if hasattr(sheet, "reset_dimensions"):
                sheet.reset_dimensions()
            records = []
            for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                if len(values) > limits.max_columns and any(
                    v is not None for v in values[limits.max_columns :]
                ):
                    raise _LimitError(limits.too_many_columns())
                cells = [_cell_text(value) for value in values[: limits.max_columns]]
                while cells and not cells[-1]:
                    cells.pop()
                if cells:
                    records.append((line, _checked_cells(cells, limits)))
                    if len(records) > limits.max_rows + 1:
                        raise _LimitError(limits.too_many_rows())
        finally:
            workbook.close()
    except _LimitError as exc:
        raise UnreadableFileError(f"{file_name} : fichier refusé, {exc}.") from None
    # The bytes come from users and openpyxl fails in many ways on a damaged workbook (zip,
    # XML, entities, missing parts, recursion): whatever the cause, the file is unreadable.
    except Exception:
        raise UnreadableFileError(
            f"{file_name} : classeur .xlsx illisible (fichier endommagé ou d'un autre format)."
        ) from None
    return _table(file_name, records, "xlsx", None)


def _check_archive(data: bytes, limits: ReadLimits) -> None:
    """Refuse a workbook whose parts would inflate beyond the file size limit (zip bomb)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = archive.infolist()
        if len(members) > MAX_ARCHIVE_MEMBERS:
            raise _LimitError(f"archive de plus de {MAX_ARCHIVE_MEMBERS} éléments")
        if sum(info.file_size for info in members) > limits.max_file_bytes:
            raise _LimitError(f"une fois décompressé, {limits.too_big()}")


def _cell_text(value: object) -> str:
    """Text of a spreadsheet cell: dates as ISO, whole numbers without ``.0``."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _table(
    file_name: str,
    records: list[tuple[int, tuple[str, ...]]],
    encoding: str,
    separator: str | None,
) -> Table:
    """Split header from rows; the header is the first non-empty record."""
    non_empty = [(line, cells) for line, cells in records if any(cells)]
    if not non_empty:
        raise UnreadableFileError(f"{file_name} : fichier vide, une ligne d'en-tête est attendue.")
    (_, headers), *rows = non_empty
    return Table(
        file_name=file_name,
        headers=headers,
        rows=[TableRow(line, cells) for line, cells in rows],
        encoding=encoding,
        separator=separator,
    )


# --- cell parsers ------------------------------------------------------------------------


@lru_cache(maxsize=65_536)
def parse_date(value: str) -> dt.date:
    """``YYYY-MM-DD`` or ``dd/mm/YYYY`` (a midnight time, as Excel adds, is tolerated)."""
    text = value.strip()
    iso = _ISO_DATE.match(text)
    french = None if iso else _FRENCH_DATE.match(text)
    if iso:
        year, month, day = (int(g) for g in iso.groups())
    elif french:
        day, month, year = (int(g) for g in french.groups())
    else:
        raise CellError("date illisible : format attendu AAAA-MM-JJ ou JJ/MM/AAAA")
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise CellError("date inexistante") from None


def parse_bool(value: str) -> bool:
    """``oui/non``, ``true/false``, ``1/0`` (and ``vrai/faux``), whatever the case."""
    word = value.strip().casefold()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError("valeur non reconnue : oui/non, true/false ou 1/0 attendu")


def parse_int(value: str) -> int:
    """A whole number; spaces used as thousands separators are accepted (« 1 234 »)."""
    if value.isascii() and value.isdigit():
        return int(value)
    text = _SPACES.sub("", value)
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    if re.fullmatch(r"[+-]?\d+[.,]0+", text):
        return int(text.split(",")[0].split(".")[0])
    raise CellError("nombre entier attendu")


def parse_decimal(value: str) -> float:
    """A decimal number with ``,`` or ``.`` as decimal mark (« 17,5 »)."""
    text = _SPACES.sub("", value).replace(",", ".")
    if re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
        return float(text)
    raise CellError("nombre attendu")


def parse_choice(value: str, allowed: Sequence[str]) -> str:
    """One value of a closed list, matched case-insensitively; returns the canonical spelling."""
    return choice_parser(tuple(allowed))(value)


@lru_cache(maxsize=256)
def choice_parser(allowed: tuple[str, ...]) -> Callable[[str], str]:
    """A cell parser for a closed list, with its case-folded lookup built once."""
    lookup = {candidate.casefold(): candidate for candidate in allowed}
    listed = ", ".join(allowed)

    def parse(value: str) -> str:
        text = value.strip()
        found = lookup.get(text.casefold())
        if found is None:
            raise CellError(f"valeur non autorisée : valeurs possibles {listed}")
        return found

    return parse
