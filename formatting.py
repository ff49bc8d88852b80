"""French formatting of numbers, rates, delays and dates, through Babel: the one
implementation every layer uses (pages, charts and the deck, the CLI, and the French
messages of data_access/metrics): it sits at the bottom of the house, beside settings.

« 1 234 », « 87,5 % », « 1er mars 2024 », « 12 mars 2024 », « 14 j ». Masked values read
« < 11 (secret statistique) » with the configured threshold.
"""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date as _babel_date
from babel.dates import format_datetime as _babel_datetime
from babel.numbers import format_decimal, format_percent

LOCALE = "fr_FR"
NO_DATA = "Aucune donnée sur la période"


def format_int(value: float | None) -> str:
    """« 1 234 » (narrow no-break space as thousands separator, as Babel gives for fr_FR)."""
    if value is None:
        return "—"
    return format_decimal(round(value), locale=LOCALE)


def format_rate(value: float | None, digits: int = 1) -> str:
    """« 87,5 % » for a ratio between 0 and 1."""
    if value is None:
        return "—"
    pattern = "#,##0." + "0" * digits + " %" if digits else "#,##0 %"
    return format_percent(value, format=pattern, locale=LOCALE)


def format_days(value: float | None) -> str:
    """« 14 j » (one decimal when not whole)."""
    if value is None:
        return "—"
    if float(value).is_integer():
        return f"{format_decimal(int(value), locale=LOCALE)} j"
    return f"{format_decimal(round(value, 1), format='#,##0.0', locale=LOCALE)} j"


def _day(value: dt.date) -> str:
    """The day of the month as French writes it: « 1er » for the first, else the number
    (Babel's CLDR patterns have no ordinal, so « d MMMM » would give « 1 janvier »)."""
    return "1er" if value.day == 1 else str(value.day)


def format_date(value: dt.date | None) -> str:
    """« 12 mars 2024 », « 1er janvier 2024 »."""
    if value is None:
        return "—"
    return f"{_day(value)} {_babel_date(value, format='MMMM y', locale=LOCALE)}"


def format_day_month(value: dt.date) -> str:
    """« 3 mars », « 1er mars », for axis labels where the year is obvious."""
    return f"{_day(value)} {_babel_date(value, format='MMM', locale=LOCALE)}"


def format_datetime(value: dt.datetime | None) -> str:
    """« 12 mars 2024 à 14:05 », « 1er mars 2024 à 09:30 »."""
    if value is None:
        return "—"
    rest = _babel_datetime(value, format="MMMM y 'à' HH:mm", locale=LOCALE)
    return f"{_day(value)} {rest}"


def format_days_late(days: int) -> str:
    """« en retard de 12 jours », « en retard de 1 jour »: how late a step or an action is."""
    return f"en retard de {format_decimal(days, locale=LOCALE)} jour{'s' if days > 1 else ''}"


def secret_label(threshold: int) -> str:
    """The text shown in place of a masked value."""
    return f"< {threshold} (secret statistique)"
