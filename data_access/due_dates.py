"""Due dates of the roadmap, read from the French labels the partners write.

The seed roadmap gives its deadlines as words (« Début avril », « Mi mai », « Avril / Mai »,
« S12 », « Prévu fin S1 »), without a year. This module turns such a label into one date, with a
reference year unless the label carries its own, so that lateness and « due in 14 days » can be
computed. It is pure: no database, no settings.

Rules: « Début <mois> » → the 10th; « Mi <mois> » / « Mi-<mois> » → the 15th; « Fin <mois> » and
« <mois> » alone → last day of the month; « <mois> / <mois> » → last day of the later month;
« S<n> » → Friday of ISO week n; « fin S1 » → 30 June, « fin S2 » → 31 December (« Prévu » may
precede any label); a label holding a month and a year anywhere (« Au fil de l'eau – fin décembre
2023 ») → that date; « 15/03/2024 » → that day. Case, accents and extra spaces do not matter.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata

from data_access.exceptions import DataAccessError

MONTHS: dict[str, int] = {
    "janvier": 1,
    "janv": 1,
    "fevrier": 2,
    "fevr": 2,
    "fev": 2,
    "mars": 3,
    "avril": 4,
    "avr": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "juil": 7,
    "aout": 8,
    "septembre": 9,
    "sept": 9,
    "octobre": 10,
    "oct": 10,
    "novembre": 11,
    "nov": 11,
    "decembre": 12,
    "dec": 12,
}
ACCEPTED_EXAMPLES = (
    "« Début avril », « Mi-mai », « Fin mars », « Juillet », « Avril / Mai », « S12 », "
    "« Prévu fin S1 », « fin décembre 2023 », « 15/03/2024 »"
)

_MONTH = "(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_PART = r"(?:(debut|mi|fin)\s+)?"
_YEAR = r"(\d{4})"
_PREFIX = r"^(?:prevu\s+)?"
_SINGLE = re.compile(_PREFIX + _PART + _MONTH + r"(?:\s+" + _YEAR + r")?$")
_RANGE = re.compile(_PREFIX + _MONTH + r"\s*/\s*" + _MONTH + r"(?:\s+" + _YEAR + r")?$")
_SEMESTER = re.compile(_PREFIX + r"fin\s+s\s*([12])(?:\s+" + _YEAR + r")?$")
_WEEK = re.compile(_PREFIX + r"s\s*(\d{1,2})(?:\s+" + _YEAR + r")?$")
_DAY = re.compile(r"^(?:prevu\s+)?(\d{1,2})/(\d{1,2})/(\d{4})$")
_MONTH_AND_YEAR = re.compile(r"(?:^|\s)" + _PART + _MONTH + r"\s+" + _YEAR + r"(?:\s|$)")


class DueDateError(DataAccessError):
    """A due label that matches none of the accepted forms; the message quotes it."""


def normalise_label(label: str) -> str:
    """Lower case, no accents, hyphens and dashes as spaces, single spaces."""
    text = unicodedata.normalize("NFKD", label)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = re.sub(r"[-–—‐‑]", " ", text)
    text = text.replace("’", "'")
    return re.sub(r"\s+", " ", text).strip()


def _last_day(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _in_month(year: int, month: int, part: str | None) -> dt.date:
    """The 10th for « début », the 15th for « mi », else the last day."""
    if part == "debut":
        return dt.date(year, month, 10)
    if part == "mi":
        return dt.date(year, month, 15)
    return _last_day(year, month)


def _error(label: str, reason: str | None = None) -> DueDateError:
    detail = f" ({reason})" if reason else ""
    return DueDateError(
        f"Échéance non reconnue : « {label} »{detail}. Formes acceptées : {ACCEPTED_EXAMPLES}."
    )


def parse_due_label(label: str | None, reference_year: int = 2023) -> dt.date | None:
    """The date a French due label stands for; None for an empty label.

    ``reference_year`` applies when the label carries no year (2023 for the Creuse seed).
    Raises DueDateError, quoting the label, when it cannot be read.
    """
    if label is None or not label.strip():
        return None
    text = normalise_label(label)
    if match := _SINGLE.match(text):
        part, month, year = match.groups()
        return _in_month(int(year or reference_year), MONTHS[month], part)
    if match := _RANGE.match(text):
        first, second, year = match.groups()
        return _last_day(int(year or reference_year), max(MONTHS[first], MONTHS[second]))
    if match := _SEMESTER.match(text):
        semester, year = match.groups()
        year_value = int(year or reference_year)
        return dt.date(year_value, 6, 30) if semester == "1" else dt.date(year_value, 12, 31)
    if match := _WEEK.match(text):
        week, year = match.groups()
        try:
            friday = dt.date.fromisocalendar(int(year or reference_year), int(week), 5)
        except ValueError:
            raise _error(label, f"la semaine {int(week)} n'existe pas") from None
        return friday
    if match := _DAY.match(text):
        day, month, year = (int(g) for g in match.groups())
        try:
            return dt.date(year, month, day)
        except ValueError:
            raise _error(label, "date impossible") from None
    if match := _MONTH_AND_YEAR.search(text):
        part, month, year = match.groups()
        return _in_month(int(year), MONTHS[month], part)
    raise _error(label)
