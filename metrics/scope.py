"""The Scope every metric takes: period, as-of date, territory and payer.

One value travels from the scope bar (or the CLI) through every metric; it is hashable so
that caches can key on it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace

from metrics.exceptions import ScopeError

PAYERS = ("caf", "msa")
_EPCI = re.compile(r"^\d{9}$")
_COMMUNE = re.compile(r"^(\d{5}|2[AB]\d{3})$")


@dataclass(frozen=True)
class Territory:
    """A part of the département: a UTAS (by name), an EPCI (SIREN) or a commune (INSEE)."""

    level: str  # "utas" | "epci" | "commune"
    code: str

    @classmethod
    def parse(cls, text: str) -> Territory:
        """Read a territory as users write it: 9 digits = EPCI, 5 = commune, else a UTAS."""
        value = text.strip()
        if not value:
            raise ScopeError("Territoire vide.")
        if _EPCI.match(value):
            return cls("epci", value)
        if _COMMUNE.match(value.upper()):
            return cls("commune", value.upper())
        return cls("utas", value)


@dataclass(frozen=True)
class Scope:
    """Period ``start``–``end`` (inclusive), as-of date, optional territory and payer."""

    start: dt.date
    end: dt.date
    as_of: dt.date
    territory: Territory | None = None
    payer: str | None = None

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ScopeError(
                f"Période invalide : le début ({self.start.isoformat()}) est après la fin "
                f"({self.end.isoformat()})."
            )
        if self.payer is not None and self.payer not in PAYERS:
            raise ScopeError(f"Payeur inconnu « {self.payer} » : caf ou msa attendu.")

    @classmethod
    def build(
        cls,
        start: dt.date,
        end: dt.date,
        as_of: dt.date | None = None,
        territory: str | Territory | None = None,
        payer: str | None = None,
    ) -> Scope:
        """Build a scope; as-of defaults to the end of the period."""
        if isinstance(territory, str):
            territory = Territory.parse(territory) if territory.strip() else None
        return cls(start, end, as_of or end, territory, payer or None)

    @property
    def days(self) -> int:
        """Length of the period in days (both ends included)."""
        return (self.end - self.start).days + 1

    def previous(self) -> Scope:
        """The period of the same length just before this one (as-of = its end).

        Whole calendar months compare with the same number of whole months before them (June
        with May, not with 2–31 May), as a reader of monthly figures expects; any other period
        with the same number of days just before it."""
        new_end = self.start - dt.timedelta(days=1)
        after_end = self.end + dt.timedelta(days=1)
        if self.start.day == 1 and after_end.day == 1:
            months = (after_end.year - self.start.year) * 12 + after_end.month - self.start.month
            index = self.start.year * 12 + self.start.month - 1 - months
            new_start = dt.date(index // 12, index % 12 + 1, 1)
            return replace(self, start=new_start, end=new_end, as_of=new_end)
        length = dt.timedelta(days=self.days)
        return replace(self, start=self.start - length, end=new_end, as_of=new_end)

    def year_before(self) -> Scope:
        """The same period one year earlier, seen as long after its end as this one.

        Seasons (summer, the new year) weigh on entries and delays: a period read against the
        same weeks a year before says whether things improve, which the period just before
        cannot. 29 February becomes 28 February; a date on the last day of its month becomes
        the last day of that month a year earlier (February 2025 compares with the whole
        February 2024)."""
        return replace(
            self,
            start=_year_earlier(self.start, month_end=False),
            end=_year_earlier(self.end),
            as_of=_year_earlier(self.as_of),
        )

    def to_dict(self) -> dict[str, str | None]:
        """JSON-friendly form (ISO dates), as printed by ``pilotage metrics --json``."""
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "as_of": self.as_of.isoformat(),
            "territory": self.territory.code if self.territory else None,
            "territory_level": self.territory.level if self.territory else None,
            "payer": self.payer,
        }


def month_start(day: dt.date) -> dt.date:
    """The first day of the month of ``day``."""
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    """The last day of the month of ``day``."""
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def _year_earlier(day: dt.date, *, month_end: bool = True) -> dt.date:
    """The same day one year earlier (28 February for 29 February); with ``month_end``, the
    last day of a month stays the last day of its month."""
    if month_end and (day + dt.timedelta(days=1)).day == 1:
        first = day.replace(day=1)
        return (first.replace(year=first.year - 1) + dt.timedelta(days=32)).replace(
            day=1
        ) - dt.timedelta(days=1)
    if day.month == 2 and day.day == 29:
        return day.replace(year=day.year - 1, day=28)
    return day.replace(year=day.year - 1)
