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

import csv
import datetime as dt
import errno
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from data_access.exceptions import DataAccessError

XLSX_MAGIC = b"PK\x03\x04"
SEPARATORS = (";", ",")
TRUE_WORDS = frozenset({"oui", "o", "true", "vrai", "1", "yes", "y"})
FALSE_WORDS = frozenset({"non", "n", "false", "faux", "0", "no"})
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")
_FRENCH_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?: 00:00(?::00)?)?$")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")


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


def read_file_bytes(path: Path) -> bytes:
    """The content of a file an importer was given, or a French error naming it and why."""
    try:
        return path.read_bytes()
    except OSError as exc:
        reason = describe_os_error(exc)
    raise UnreadableFileError(f"Fichier illisible : {path} ({reason}).")


class CellError(ValueError):
    """A cell's value cannot be used; the message is a French reason without the field name."""


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


def read_table(data: bytes, file_name: str) -> Table:
    """Read CSV or .xlsx bytes into a :class:`Table` (header = line 1, empty rows dropped)."""
    if data.startswith(XLSX_MAGIC) or file_name.lower().endswith((".xlsx", ".xlsm")):
        return _read_xlsx(data, file_name)
    if b"\x00" in data[:4096]:
        raise UnreadableFileError(
            f"{file_name} : fichier binaire, un CSV (texte) ou un classeur .xlsx est attendu."
        )
    try:
        text, encoding = decode_text(data)
    except UnreadableFileError as exc:
        raise UnreadableFileError(f"{file_name} : {exc}") from None
    separator = sniff_separator(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=False)
    try:
        records = [
            (line, tuple(cell.strip() for cell in cells))
            for line, cells in enumerate(reader, start=1)
        ]
    except csv.Error:
        raise UnreadableFileError(
            f"{file_name} : CSV mal formé vers la ligne {reader.line_num} (cellule trop longue "
            "ou guillemets non refermés)."
        ) from None
    return _table(file_name, records, encoding, separator)


def _read_xlsx(data: bytes, file_name: str) -> Table:
    """First worksheet of a workbook, cells turned into the text a CSV would have held."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            records = [
                (line, tuple(_cell_text(value) for value in values))
                for line, values in enumerate(sheet.iter_rows(values_only=True), start=1)
            ]
        finally:
            workbook.close()
    # The bytes come from users and openpyxl fails in many ways on a damaged workbook (zip,
    # XML, missing parts): whatever the cause, the file is unreadable, never a traceback.
    except Exception as exc:
        raise UnreadableFileError(
            f"{file_name} : classeur .xlsx illisible ({type(exc).__name__})."
        ) from None
    return _table(file_name, records, "xlsx", None)


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
        raise CellError(f"date invalide « {text} » : format attendu AAAA-MM-JJ ou JJ/MM/AAAA")
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise CellError(f"date inexistante « {text} »") from None


def parse_bool(value: str) -> bool:
    """``oui/non``, ``true/false``, ``1/0`` (and ``vrai/faux``), whatever the case."""
    word = value.strip().casefold()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(f"valeur « {value.strip()} » non reconnue : oui/non, true/false ou 1/0 attendu")


def parse_int(value: str) -> int:
    """A whole number; spaces used as thousands separators are accepted (« 1 234 »)."""
    if value.isascii() and value.isdigit():
        return int(value)
    text = _SPACES.sub("", value)
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    if re.fullmatch(r"[+-]?\d+[.,]0+", text):
        return int(text.split(",")[0].split(".")[0])
    raise CellError(f"nombre entier attendu, « {value.strip()} » reçu")


def parse_decimal(value: str) -> float:
    """A decimal number with ``,`` or ``.`` as decimal mark (« 17,5 »)."""
    text = _SPACES.sub("", value).replace(",", ".")
    if re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
        return float(text)
    raise CellError(f"nombre attendu, « {value.strip()} » reçu")


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
            raise CellError(f"valeur « {text} » non autorisée : valeurs possibles {listed}")
        return found

    return parse
