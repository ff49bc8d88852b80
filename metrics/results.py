"""Typed results of the metric layer.

A ``MetricResult`` is one indicator for one scope: value, numerator, denominator, unit, target
and status, plus its breakdowns (by monthly cohort, by UTAS, by type). Nothing leaves
``metrics/`` without passing ``privacy.py``: ``suppressed`` results carry ``None`` values, and
``rounding`` names the base the person counts of a figure were rounded to (``None``: exact, a
figure that counts no one).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from babel.dates import format_date

Unit = Literal["ratio", "days", "count"]
Status = Literal["atteint", "non_atteint", "sans_cible", "secret", "sans_donnees"]


@dataclass(frozen=True)
class BreakdownRow:
    """One cell of a breakdown: key (e.g. ``2024-03`` or ``Guéret``) and its figures."""

    key: str
    label: str
    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    suppressed: bool = False
    rounding: int | None = None


_VOWELS = "aeiouyâéèêîôûh"


def month_phrase(day: dt.date) -> str:
    """« d'avril 2024 », « de mai 2024 »: the French complement of a month (elision)."""
    name = format_date(day, "MMMM y", locale="fr_FR")
    return f"d'{name}" if name[0] in _VOWELS else f"de {name}"


@dataclass(frozen=True)
class MatureCohort:
    """The latest cohort followed long enough for a « within X days » share to be measured.

    A share within 45 days of this month's entrants is observed, not estimated: every person
    of the cohort was followed 45 days (or left before). ``result`` holds the indicator for
    that cohort; ``None`` values (no one in the cohort) are explained by ``reason``.
    """

    start: dt.date
    end: dt.date
    days: float
    noun: str
    result: MetricResult
    observed: str | None = None  # « un mois » where the delay is a calendar month

    @property
    def observed_text(self) -> str:
        """« 45 jours », or the calendar length the indicator's delay is written in."""
        return self.observed or f"{self.days:g} jours"

    @property
    def label(self) -> str:
        """« entrants d'avril 2024, observés 45 jours »."""
        return f"{self.noun} {month_phrase(self.start)}, observés {self.observed_text}"

    @property
    def reason(self) -> str | None:
        """One French line saying why there is no figure, or None when there is one."""
        if self.result.value is not None or self.result.suppressed:
            return None
        return (
            f"Aucune cohorte suivie {self.observed_text} : le périmètre ne compte aucun des "
            f"{self.noun} {month_phrase(self.start)}."
        )

    def to_json(self) -> dict[str, Any]:
        """The ``mature_cohort`` field of ``pilotage metrics --json``."""
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "observed_days": self.days,
            "label": self.label,
            **{
                key: value
                for key, value in self.result.to_json().items()
                if key not in ("unit", "mature_cohort")
            },
        }


@dataclass(frozen=True)
class MetricResult:
    """One indicator computed for one scope."""

    id: str
    value: float | None
    unit: Unit
    numerator: float | None = None
    denominator: float | None = None
    suppressed: bool = False
    target: float | None = None
    status: Status = "sans_cible"
    rounding: int | None = None
    breakdowns: dict[str, tuple[BreakdownRow, ...]] = field(default_factory=dict)
    mature_days: float | None = None
    mature: MatureCohort | None = None

    @property
    def reported(self) -> MetricResult:
        """The figure to show: the mature cohort's for a « within X days » share (observed,
        comparable from one committee to the next), the period's own otherwise."""
        return self.mature.result if self.mature is not None else self

    def to_json(self, with_breakdowns: bool = False) -> dict[str, Any]:
        """The JSON shape of ``pilotage metrics --json``."""
        data: dict[str, Any] = {
            "value": self.value,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "unit": self.unit,
            "suppressed": self.suppressed,
            "target": self.target,
            "status": self.status,
            "rounding": self.rounding,
        }
        if self.mature is not None:
            data["mature_cohort"] = self.mature.to_json()
        if with_breakdowns:
            data["breakdowns"] = {
                name: [asdict(row) for row in rows] for name, rows in self.breakdowns.items()
            }
        return data
