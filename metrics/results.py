"""Typed results of the metric layer.

A ``MetricResult`` is one indicator for one scope: value, numerator, denominator, unit, target
and status, plus its breakdowns (by monthly cohort, by UTAS, by type). Nothing leaves
``metrics/`` without passing ``privacy.py``: ``suppressed`` results carry ``None`` values, and
``rounding`` names the base the person counts of a figure were rounded to (``None``: exact, a
figure that counts no one).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

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
        if with_breakdowns:
            data["breakdowns"] = {
                name: [asdict(row) for row in rows] for name, rows in self.breakdowns.items()
            }
        return data
