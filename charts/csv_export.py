"""The data behind a chart as a CSV file Excel opens correctly in French.

UTF-8 with a byte-order mark and ``;`` separators (Excel in French reads both without an import
wizard), decimal commas, masked cells written « < 11 (secret statistique) », and any text cell
that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or
carriage return) prefixed with an apostrophe (OWASP's CSV-injection advice).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence

from babel.numbers import format_decimal

from charts.description import ChartDescription

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
LOCALE = "fr_FR"


def neutralise(text: str) -> str:
    """Prefix a cell that a spreadsheet would evaluate as a formula with an apostrophe."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _cell(value: str | float | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise(value)
    if float(value).is_integer():
        return str(int(value))
    return format_decimal(round(value, 2), format="0.##", locale=LOCALE)


def table_csv(header: list[str], rows: list[list[str | float | None]]) -> bytes:
    """Encode a table: BOM, ``;``, French decimals, neutralised text cells."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def chart_csv(desc: ChartDescription) -> bytes:
    """The chart's data table as CSV, with its footnote as the last line."""
    header, rows = desc.table()
    footer: list[str | float | None] = [desc.footnote] + [None] * (len(header) - 1)
    return table_csv(header, [*rows, [None] * len(header), footer])


def columns_csv(columns: Mapping[str, Sequence[str | float | None]]) -> bytes:
    """A table given as ``{column: values}`` (as pages pass it to ``st.dataframe``) as CSV."""
    header = list(columns)
    rows = [list(row) for row in zip(*columns.values(), strict=True)]
    return table_csv(header, rows)
