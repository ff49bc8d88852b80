"""The one-glance summary (« météo ») drawn: French texts of each line, a twelve-month
sparkline as SVG, and the HTML table the pages show (the deck draws the same texts).

Readable in five seconds and without colour: each level has its own symbol and word
(« ✔ Au vert », « ▲ À surveiller », « ✖ Hors cible »), written in a colour contrasted
enough for text; a masked figure reads « < 11 (secret statistique) » and its level
« Secret statistique », never a colour guessed from it. Each sparkline is an image with a
text alternative naming its first and last months.
"""

from __future__ import annotations

import base64
import html
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from babel.dates import format_date as babel_date

from charts.texts import format_unit
from charts.theme import GREY_LIGHT, GREY_MID, GREY_TEXT
from formatting import NO_DATA, format_rate, secret_label
from metrics.summary import Gaps, MonthPoint, SummaryLine

LEVEL_LABELS = {
    "vert": "Au vert",
    "orange": "À surveiller",
    "rouge": "Hors cible",
    "secret": "Secret statistique",
    "sans_donnees": "Aucune donnée",
    "sans_cible": "Sans cible",
}
LEVEL_SYMBOLS = {
    "vert": "✔",
    "orange": "▲",
    "rouge": "✖",
    "secret": "s",
    "sans_donnees": "–",
    "sans_cible": "○",
}
# DSFR « success », « warning » and « error » 425: each at least 4.5:1 on white (text)
LEVEL_COLORS = {
    "vert": "#18753C",
    "orange": "#B34000",
    "rouge": "#CE0500",
    "secret": GREY_MID,
    "sans_donnees": GREY_MID,
    "sans_cible": GREY_MID,
}
HEADER = ("État", "Objectif", "Valeur", "Cible", "Douze derniers mois")
SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 132, 30, 4


@dataclass(frozen=True)
class SummaryRow:
    """One line of the summary as French text (page, deck, data table)."""

    key: str
    level: str
    symbol: str
    level_label: str
    label: str
    value: str
    target: str
    detail: str | None
    trend: str  # the sparkline's text alternative
    points: tuple[MonthPoint, ...]
    unit: str


def _month(point: MonthPoint) -> str:
    return babel_date(point.month, "MMM y", locale="fr_FR")


def value_of(line: SummaryLine, threshold: int) -> str:
    """« 77,8 % », « < 11 (secret statistique) », « Aucune donnée sur la période »."""
    if line.suppressed:
        return secret_label(threshold)
    if line.value is None:
        return NO_DATA
    text = format_unit(line.value, line.unit)
    if line.key == "roadmap":
        return f"{text} en retard"
    if line.key == "companies":
        return f"{text} engagées"
    return text


def target_of(line: SummaryLine) -> str:
    """« 100,0 % », « aucune », « 50 », or « — » without target."""
    if line.target is None:
        return "—"
    if line.key == "roadmap":
        return "aucune"
    return format_unit(line.target, line.unit)


def detail_of(line: SummaryLine) -> str | None:
    """What the figure is measured on: its mature cohort, or the share of steps done."""
    if line.key == "roadmap" and line.companion is not None:
        done = line.companion.reported
        if done.value is not None:
            return f"{format_rate(done.value)} des étapes réalisées"
    if line.cohort:
        return line.cohort[0].upper() + line.cohort[1:]
    return None


def label_of(line: SummaryLine) -> str:
    """The objective, with the need measured for the coverage line."""
    if line.category is None:
        return line.label
    from metrics.coverage import category_label

    return f"{line.label} ({category_label(line.category)})"


def trend_text(points: Sequence[MonthPoint], unit: str, threshold: int) -> str:
    """« De 85,0 % (déc. 2025) à 77,8 % (nov. 2026) ; 1 mois masqué (secret statistique). »"""
    shown = [p for p in points if p.value is not None]
    masked = sum(1 for p in points if p.suppressed)
    if not shown:
        text = "Aucune valeur sur les douze derniers mois"
    elif len(shown) == 1:
        text = f"Une seule valeur : {format_unit(shown[0].value, unit)} ({_month(shown[0])})"
    else:
        first, last = shown[0], shown[-1]
        text = (
            f"De {format_unit(first.value, unit)} ({_month(first)}) à "
            f"{format_unit(last.value, unit)} ({_month(last)})"
        )
    if masked:
        text += f" ; {masked} mois masqué{'s' if masked > 1 else ''} ({secret_label(threshold)})"
    return text + "."


def summary_rows(lines: Sequence[SummaryLine], threshold: int) -> list[SummaryRow]:
    """The summary's lines as French text, in the roadmap's order."""
    return [
        SummaryRow(
            key=line.key,
            level=line.level,
            symbol=LEVEL_SYMBOLS[line.level],
            level_label=LEVEL_LABELS[line.level],
            label=label_of(line),
            value=value_of(line, threshold),
            target=target_of(line),
            detail=detail_of(line),
            trend=trend_text(line.history, line.unit, threshold),
            points=line.history,
            unit=line.unit,
        )
        for line in lines
    ]


def headline(rows: Sequence[SummaryRow]) -> str:
    """« 8 objectifs : 2 au vert, 1 à surveiller, 5 hors cible. » (the five-second reading)."""
    if not rows:
        return "Aucun objectif mesurable sur ce périmètre."
    counts = Counter(row.level for row in rows)
    parts = [
        f"{counts[level]} {word}"
        for level, word in (
            ("vert", "au vert"),
            ("orange", "à surveiller"),
            ("rouge", "hors cible"),
            ("secret", "sous secret statistique"),
            ("sans_donnees", "sans donnée"),
            ("sans_cible", "sans cible"),
        )
        if counts.get(level)
    ]
    return f"{len(rows)} objectifs : " + ", ".join(parts) + "."


def spark_coordinates(
    points: Sequence[MonthPoint],
    width: float = SPARK_WIDTH,
    height: float = SPARK_HEIGHT,
    pad: float = SPARK_PAD,
) -> list[list[tuple[float, float]]]:
    """The sparkline as runs of (x, y) points, broken where a month has no published value
    (a masked month is a gap, never a guess). The vertical scale spans the values, at least
    10 points for a rate (so that noise does not look like a trend)."""
    values = [p.value for p in points if p.value is not None]
    if not values or len(points) < 2:
        return []
    low, high = min(values), max(values)
    span = max(high - low, 0.10 if all(0 <= v <= 1 for v in values) else max(1.0, 0.1 * high))
    middle = (low + high) / 2
    low = middle - span / 2
    step = (width - 2 * pad) / (len(points) - 1)
    runs: list[list[tuple[float, float]]] = [[]]
    for index, point in enumerate(points):
        if point.value is None:
            if runs[-1]:
                runs.append([])
            continue
        y = height - pad - (point.value - low) / span * (height - 2 * pad)
        runs[-1].append((round(pad + index * step, 1), round(y, 1)))
    return [run for run in runs if run]


def sparkline_svg(points: Sequence[MonthPoint], description: str, colour: str) -> str:
    """An inline SVG sparkline, an image named by ``description``."""
    runs = spark_coordinates(points)
    shapes = []
    for run in runs:
        if len(run) == 1:
            x, y = run[0]
            shapes.append(f'<circle cx="{x}" cy="{y}" r="2" fill="{GREY_LIGHT}"/>')
        else:
            path = " ".join(f"{x},{y}" for x, y in run)
            shapes.append(
                f'<polyline points="{path}" fill="none" stroke="{GREY_TEXT}" '
                'stroke-width="1.6" stroke-linejoin="round"/>'
            )
    if runs:
        x, y = runs[-1][-1]
        shapes.append(f'<circle cx="{x}" cy="{y}" r="3.2" fill="{colour}"/>')
    label = html.escape(description)
    return (
        f'<svg role="img" aria-label="{label}" width="{SPARK_WIDTH}" height="{SPARK_HEIGHT}" '
        f'viewBox="0 0 {SPARK_WIDTH} {SPARK_HEIGHT}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{label}</title>" + "".join(shapes) + "</svg>"
    )


def sparkline_img(points: Sequence[MonthPoint], description: str, colour: str) -> str:
    """The sparkline as an ``<img>`` of its SVG, with ``description`` as its text alternative
    (the page's HTML is sanitised: inline SVG is dropped, an image from a data URI stays)."""
    data = base64.b64encode(sparkline_svg(points, description, colour).encode()).decode()
    return (
        f'<img src="data:image/svg+xml;base64,{data}" alt="{html.escape(description)}" '
        f'width="{SPARK_WIDTH}" height="{SPARK_HEIGHT}">'
    )


_CELL = "padding:6px 10px;border-bottom:1px solid #DDDDDD;vertical-align:middle;text-align:left"


def summary_html(
    rows: Sequence[SummaryRow], caption: str, *, with_trends: bool = True, lead: str | None = None
) -> str:
    """The summary as an HTML table (a real table: headers, caption, text alternatives).

    ``with_trends=False`` writes « calcul en cours… » in the last column: the page shows the
    figures at once and the twelve months when they are computed. ``lead``: the five-second
    reading above the table (« 8 objectifs : 2 au vert, 6 hors cible. »)."""
    head = "".join(f'<th scope="col" style="{_CELL}">{h}</th>' for h in HEADER)
    body = []
    for row in rows:
        colour = LEVEL_COLORS[row.level]
        detail = (
            f'<br><span style="color:{GREY_MID};font-size:0.85em">{html.escape(row.detail)}</span>'
            if row.detail
            else ""
        )
        trend = (
            sparkline_img(row.points, row.trend, colour)
            if with_trends
            else f'<span style="color:{GREY_MID}">calcul en cours…</span>'
        )
        body.append(
            "<tr>"
            f'<td style="{_CELL};color:{colour};font-weight:700;white-space:nowrap">'
            f'<span aria-hidden="true">{row.symbol}</span> {html.escape(row.level_label)}</td>'
            f'<th scope="row" style="{_CELL};font-weight:400">{html.escape(row.label)}{detail}'
            "</th>"
            f'<td style="{_CELL};font-weight:700;white-space:nowrap">{html.escape(row.value)}</td>'
            f'<td style="{_CELL};white-space:nowrap">{html.escape(row.target)}</td>'
            f'<td style="{_CELL}">{trend}</td>'
            "</tr>"
        )
    intro = f'<p style="font-weight:700;margin:0 0 8px">{html.escape(lead)}</p>' if lead else ""
    return (
        intro + '<table class="pilotage-meteo" style="border-collapse:collapse;width:100%">'
        f'<caption style="caption-side:top;text-align:left;color:{GREY_MID};padding:4px 0">'
        f"{html.escape(caption)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def method_text(gaps: Gaps) -> str:
    """How the levels are set, in French, with the settings' values."""
    green = format_rate(gaps.green, 0).replace(" %", "")
    orange = format_rate(gaps.orange, 0).replace(" %", "")
    return (
        f"Au vert : à moins de {green} points de la cible (taux) ou de {green} % de la cible "
        f"(effectif) ; à surveiller : jusqu'à {orange} points (ou {orange} %) ; hors cible "
        f"au-delà. Étapes en retard : aucune au vert, jusqu'à {gaps.late_steps_orange} à "
        "surveiller. Parts « sous X jours » : dernière cohorte mensuelle suivie X jours. Douze "
        "derniers mois : par mois d'entrée pour les délais, situation à chaque fin de mois "
        "pour les autres objectifs."
    )


def spark_range(points: Sequence[MonthPoint]) -> tuple[float, float] | None:
    """The vertical range of a sparkline (the same rule as ``spark_coordinates``)."""
    values = [p.value for p in points if p.value is not None]
    if not values:
        return None
    low, high = min(values), max(values)
    span = max(high - low, 0.10 if all(0 <= v <= 1 for v in values) else max(1.0, 0.1 * high))
    middle = (low + high) / 2
    return middle - span / 2, middle + span / 2
