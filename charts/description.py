"""One description per chart: title, unit, series, data table and footnote.

The same description is rendered to a plotly figure (screen, PNG, SVG), to CSV and to a native
PowerPoint chart, so the deck and the exports show exactly what the page shows. Masked values
stay ``None`` with their ``suppressed`` flag: they are drawn as gaps marked « s » and written as
« < 11 (secret statistique) », never as zero.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal

from formatting import format_date, format_days, format_int, format_rate, secret_label
from metrics.results import Unit

ChartKind = Literal["bar", "hbar", "line", "step"]

UNIT_TITLES = {"ratio": "Taux (%)", "days": "Jours", "count": "Effectif"}
SOURCE = "Source : base opérationnelle, données au {as_of}."
MASK_NOTE = "s : {label}."
ROUNDING_NOTE = (
    "Effectifs arrondis à {base} près (secret statistique), taux calculés sur ces effectifs."
)
DEMO_NOTE = "Données de démonstration (synthétiques, aucune personne réelle)."


@dataclass(frozen=True)
class Series:
    """One series: a name, one value per category, and which values are masked."""

    name: str
    values: tuple[float | None, ...]
    suppressed: tuple[bool, ...] = ()

    def masked(self, index: int) -> bool:
        """True when the value at ``index`` is hidden by statistical secrecy."""
        return bool(self.suppressed) and self.suppressed[index]


@dataclass(frozen=True)
class ChartDescription:
    """Everything needed to draw one chart anywhere, and nothing that needs the database."""

    key: str
    title: str
    unit: Unit
    kind: ChartKind
    x_title: str
    categories: tuple[str | float, ...]
    series: tuple[Series, ...]
    as_of: dt.date
    threshold: int
    target: float | None = None
    target_label: str = "Cible"
    reference_x: float | None = None
    reference_label: str | None = None
    y_title: str | None = None
    note: str | None = None
    stacked: bool = False
    extra: dict[str, str] = field(default_factory=dict)
    rounding: int | None = None
    scope_text: str | None = None
    demo: bool = False

    @property
    def has_data(self) -> bool:
        """False when there is nothing to draw: no category, or every value empty and unmasked."""
        return bool(self.categories) and any(
            value is not None or serie.masked(i)
            for serie in self.series
            for i, value in enumerate(serie.values)
        )

    @property
    def has_masked(self) -> bool:
        """True when at least one value is hidden by statistical secrecy."""
        return any(any(serie.suppressed) for serie in self.series)

    @property
    def unit_title(self) -> str:
        """The y-axis title (unit), e.g. « Taux (%) »."""
        return self.y_title or UNIT_TITLES[self.unit]

    @property
    def footnote(self) -> str:
        """« Du 1er au 30 juin 2024 · UTAS Guéret · CAF. Source : base opérationnelle, données
        au 30 juin 2024. » plus demonstration, masking, rounding and notes: an exported image or
        file says which scope it shows."""
        scope = f"{self.scope_text}." if self.scope_text else ""
        return " ".join(p for p in (scope, self.source_note) if p)

    @property
    def source_note(self) -> str:
        """The footnote without the scope (an image carries the scope under its title)."""
        parts = [SOURCE.format(as_of=format_date(self.as_of))]
        if self.demo:
            parts.append(DEMO_NOTE)
        if self.has_masked:
            parts.append(MASK_NOTE.format(label=secret_label(self.threshold)))
        if self.rounding and self.rounding > 1:
            parts.append(ROUNDING_NOTE.format(base=self.rounding))
        if self.note:
            parts.append(self.note)
        return " ".join(p for p in parts if p)

    def plotted(self, value: float | None) -> float | None:
        """The number drawn on the axis: percentages for ratios, the value otherwise."""
        if value is None:
            return None
        return value * 100 if self.unit == "ratio" else value

    def format_value(self, value: float | None) -> str:
        """A value as French text, « 87,5 % », « 14 j », « 1 234 »."""
        if self.unit == "ratio":
            return format_rate(value)
        if self.unit == "days":
            return format_days(value)
        return format_int(value)

    def target_text(self) -> str | None:
        """« Cible : 90,0 % » when the chart carries a target."""
        if self.target is None:
            return None
        return f"{self.target_label} : {self.format_value(self.target)}"

    def table(self) -> tuple[list[str], list[list[str | float | None]]]:
        """Header and rows of the data behind the chart; masked cells hold the secrecy label."""
        unit = UNIT_TITLES[self.unit]
        header = [self.x_title] + [f"{serie.name} — {unit}" for serie in self.series]
        rows: list[list[str | float | None]] = []
        for i, category in enumerate(self.categories):
            row: list[str | float | None] = [category]
            for serie in self.series:
                if serie.masked(i):
                    row.append(secret_label(self.threshold))
                else:
                    row.append(self.plotted(serie.values[i]))
            rows.append(row)
        return header, rows


def slugify(text: str) -> str:
    """A file-name-safe key from a French title: « Délai (UTAS) » → « delai-utas »."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "graphique"
