"""Figures of the « Offre partenaires » page: the commune map and the territory × category heat map.

Why apart from ``builders``: these two are not bar or line charts, so they do not fit a
``ChartDescription``; they still take the project template and colours, receive figures that
``metrics/coverage.py`` computed (secrecy applied there), and come with the table behind them
so the page can offer the same CSV export as every chart.

The map needs no tiles and no network: the communes' own boundaries (GeoJSON from the
reference data, read by ``data_access.territories.load_geojson`` and handed in by the caller)
are drawn as filled polygons, so nothing is downloaded at run time.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go

from charts.theme import (
    BLEU_FRANCE,
    GREY_MID,
    ROUGE_MARIANNE,
    WHITE,
    colorscale_at,
    readable_text_color,
    register_template,
)
from formatting import format_date, format_int, format_rate, secret_label
from metrics.coverage import CommuneCoverage, CoverageCell, category_label

# Status of a commune for one category, in legend order, with its colour. The fill pattern is
# the second cue (solid, hatched, dotted), so the statuses read in grey scale; every commune is
# outlined in a grey of 5.7:1 against white, so even a pale one stands out from the page.
STATUSES: dict[str, tuple[str, str]] = {
    "white_zone": ("Zone blanche : besoin recensé, aucun service", ROUGE_MARIANNE),
    "remote_only": ("Couverte à distance seulement", BLEU_FRANCE),
    "in_person": ("Couverte en présentiel", BLEU_FRANCE),
    "no_need": ("Aucun besoin recensé, non couverte", GREY_MID),
}
STATUS_PATTERNS: dict[str, dict[str, object]] = {
    "white_zone": {},
    "remote_only": {"shape": "/", "bgcolor": WHITE, "fgcolor": BLEU_FRANCE, "size": 7},
    "in_person": {},
    "no_need": {"shape": ".", "bgcolor": WHITE, "fgcolor": GREY_MID, "size": 6, "solidity": 0.2},
}
OUTLINE = GREY_MID
HEATMAP_SCALE: list[list[float | str]] = [[0, ROUGE_MARIANNE], [0.5, "#F6F6F6"], [1, BLEU_FRANCE]]


def commune_status(commune: CommuneCoverage) -> str:
    """Key of :data:`STATUSES` for a commune."""
    if commune.in_person:
        return "in_person"
    if commune.covered:
        return "remote_only"
    return "white_zone" if commune.has_need else "no_need"


def _persons_text(value: int | None, has_need: bool, threshold: int) -> str:
    if value is None:
        return secret_label(threshold) if has_need else "0"
    return format_int(value)


def _rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    """Outer rings of a Polygon or MultiPolygon (holes are too small to matter at this scale)."""
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"][0]]
    if geometry["type"] == "MultiPolygon":
        return [polygon[0] for polygon in geometry["coordinates"]]
    return []


def _outlines(geojson: dict[str, Any]) -> dict[str, list[list[list[float]]]]:
    """Rings of each commune, by INSEE code."""
    return {
        feature["properties"]["code_insee"]: _rings(feature["geometry"])
        for feature in geojson.get("features", [])
    }


def coverage_map(
    communes: Sequence[CommuneCoverage],
    geojson: dict[str, Any],
    category: str,
    as_of: dt.date,
    threshold: int,
    *,
    height: int = 620,
) -> go.Figure:
    """Map of the communes coloured by their coverage status for one category.

    Drawn as filled polygons on plain axes (no geo subplot): plotly's geo maps fetch a world
    topojson from a CDN even with the base map hidden, and the dashboard must work offline and
    export PNG/SVG without network. One filled trace per status gives the legend; invisible
    markers at each commune's centre carry the hover text.
    """
    outlines = _outlines(geojson)
    fig = go.Figure()
    latitudes: list[float] = []
    for status, (label, colour) in STATUSES.items():
        xs: list[float | None] = []
        ys: list[float | None] = []
        for commune in communes:
            if commune_status(commune) != status:
                continue
            for ring in outlines.get(commune.code, []):
                xs += [point[0] for point in ring] + [None]
                ys += [point[1] for point in ring] + [None]
        if not xs:
            continue
        latitudes += [y for y in ys if y is not None]
        pattern = STATUS_PATTERNS[status]
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                fill="toself",
                fillcolor=WHITE if pattern else colour,
                fillpattern=pattern or None,
                mode="lines",
                line={"color": OUTLINE, "width": 0.7},
                name=label,
                hoverinfo="skip",
            )
        )
    centres = [(c, outlines.get(c.code, [])) for c in communes]
    centres = [(c, rings) for c, rings in centres if rings]
    fig.add_trace(
        go.Scatter(
            x=[_centre(rings)[0] for _, rings in centres],
            y=[_centre(rings)[1] for _, rings in centres],
            mode="markers",
            marker={"size": 6, "opacity": 0},
            showlegend=False,
            customdata=[
                [
                    c.name,
                    STATUSES[commune_status(c)][0],
                    format_int(c.services),
                    _persons_text(c.persons_in_need, c.has_need, threshold),
                ]
                for c, _ in centres
            ],
            hovertemplate=(
                "<b>%{customdata[0]}</b><br>%{customdata[1]}<br>Services couvrants : "
                "%{customdata[2]}<br>Personnes ayant ce besoin : %{customdata[3]}<extra></extra>"
            ),
        )
    )
    mean_latitude = sum(latitudes) / len(latitudes) if latitudes else 46.0
    fig.update_xaxes(visible=False)
    # Degrees of longitude shrink with latitude: keep the communes' true proportions.
    fig.update_yaxes(
        visible=False, scaleanchor="x", scaleratio=1 / math.cos(math.radians(mean_latitude))
    )
    fig.update_layout(
        template=register_template(),
        title={
            "text": f"Couverture de l'offre « {category_label(category)} » par commune",
            "x": 0,
        },
        height=height,
        plot_bgcolor="rgba(0,0,0,0)",
        margin={"l": 0, "r": 0, "t": 50, "b": 60},
        legend={"orientation": "h", "y": -0.02, "x": 0},
        annotations=[
            {
                "text": f"Source : base opérationnelle, services actifs au {format_date(as_of)}.",
                "showarrow": False,
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": -0.1,
                "xanchor": "left",
                "font": {"size": 11},
            }
        ],
    )
    return fig


def _centre(rings: list[list[list[float]]]) -> tuple[float, float]:
    """Mean point of the largest ring: inside for the compact shapes of communes."""
    ring = max(rings, key=len)
    return (
        sum(point[0] for point in ring) / len(ring),
        sum(point[1] for point in ring) / len(ring),
    )


def map_table(
    communes: Sequence[CommuneCoverage], threshold: int
) -> tuple[list[str], list[list[str | float | None]]]:
    """The data behind the map, for its CSV export (masked counts keep the secrecy label)."""
    header = [
        "Code INSEE",
        "Commune",
        "UTAS",
        "EPCI",
        "Statut",
        "Services couvrants",
        "Personnes ayant ce besoin",
    ]
    rows: list[list[str | float | None]] = [
        [
            c.code,
            c.name,
            c.utas,
            c.epci_name,
            STATUSES[commune_status(c)][0],
            c.services,
            c.persons_in_need
            if c.persons_in_need is not None or not c.has_need
            else secret_label(threshold),
        ]
        for c in communes
    ]
    return header, rows


def coverage_heatmap(
    cells: Sequence[CoverageCell],
    level_label: str,
    as_of: dt.date,
    threshold: int,
    *,
    height: int = 460,
) -> go.Figure:
    """Heat map of coverage rates, territories in rows and categories in columns.

    A secret cell is left blank and marked « s »; a rate is written in each cell so the figure
    reads without colour too, in black or white, whichever contrasts more with the cell (plotly's
    own choice left some labels at 3.2:1). Plotly cannot colour heat map labels one by one, so
    they are a text layer drawn over the cells.
    """
    territories = sorted({(c.territory_label, c.territory) for c in cells})
    categories = list(dict.fromkeys(c.category for c in cells))
    by_key = {(c.territory, c.category): c for c in cells}
    z: list[list[float | None]] = []
    text: list[list[str]] = []
    for _, code in territories:
        z_row: list[float | None] = []
        t_row: list[str] = []
        for category in categories:
            cell = by_key.get((code, category))
            if cell is None:
                z_row.append(None)
                t_row.append("")
            elif cell.suppressed:
                z_row.append(None)
                t_row.append("s")
            else:
                z_row.append(None if cell.rate is None else cell.rate * 100)
                t_row.append(format_rate(cell.rate, digits=0))
        z.append(z_row)
        text.append(t_row)
    x_labels = [category_label(c) for c in categories]
    y_labels = [label for label, _ in territories]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=x_labels,
            y=y_labels,
            text=text,
            colorscale=HEATMAP_SCALE,
            zmin=0,
            zmax=100,
            colorbar={"title": {"text": "Couverture (%)"}},
            hovertemplate="%{y} — %{x}<br>Taux de couverture : %{text}<extra></extra>",
            xgap=2,
            ygap=2,
        )
    )
    labels = [
        (x_labels[col], y_labels[row], text[row][col], heatmap_label_color(z[row][col]))
        for row in range(len(y_labels))
        for col in range(len(x_labels))
        if text[row][col]
    ]
    fig.add_trace(
        go.Scatter(
            x=[item[0] for item in labels],
            y=[item[1] for item in labels],
            text=[item[2] for item in labels],
            mode="text",
            textfont={"color": [item[3] for item in labels], "size": 13},
            hoverinfo="skip",
            showlegend=False,
        )
    )
    note = f"s : {secret_label(threshold)}." if any(c.suppressed for c in cells) else ""
    fig.update_layout(
        template=register_template(),
        title={"text": f"Taux de couverture des besoins par {level_label} et catégorie", "x": 0},
        height=height,
        margin={"l": 10, "r": 10, "t": 80, "b": 120},
        xaxis={"tickangle": -30, "side": "bottom"},
        yaxis={"autorange": "reversed"},
        annotations=[
            {
                "text": f"Source : base opérationnelle, données au {format_date(as_of)}. {note}",
                "showarrow": False,
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": 1.0,
                "yanchor": "bottom",
                "xanchor": "left",
                "font": {"size": 11},
            }
        ],
    )
    return fig


def heatmap_label_color(rate: float | None) -> str:
    """Black or white for a label on a heat map cell of ``rate`` percent (blank cell: white)."""
    if rate is None:
        return readable_text_color(WHITE)
    return readable_text_color(colorscale_at(HEATMAP_SCALE, rate / 100))


def heatmap_table(
    cells: Sequence[CoverageCell], level_label: str, threshold: int
) -> tuple[list[str], list[list[str | float | None]]]:
    """The data behind the heat map, for its CSV export."""
    header = [level_label, "Catégorie", "Taux de couverture (%)", "Personnes ayant ce besoin"]
    rows: list[list[str | float | None]] = []
    for cell in cells:
        if cell.suppressed:
            rows.append(
                [
                    cell.territory_label,
                    category_label(cell.category),
                    secret_label(threshold),
                    secret_label(threshold),
                ]
            )
        else:
            rows.append(
                [
                    cell.territory_label,
                    category_label(cell.category),
                    None if cell.rate is None else round(cell.rate * 100, 1),
                    cell.persons_in_need,
                ]
            )
    return header, rows


def map_summary(communes: Sequence[CommuneCoverage], category: str) -> str:
    """What the map shows: communes by status, the white zones named when few."""
    if not communes:
        return "Aucune commune."
    counts = {status: 0 for status in STATUSES}
    for commune in communes:
        counts[commune_status(commune)] += 1
    white = sorted(c.name for c in communes if commune_status(c) == "white_zone")
    text = (
        f"« {category_label(category)} », {format_int(len(communes))} communes : "
        f"{format_int(counts['in_person'])} couvertes en présentiel, "
        f"{format_int(counts['remote_only'])} à distance seulement, "
        f"{format_int(counts['white_zone'])} zones blanches (besoin recensé, aucun service) "
        f"et {format_int(counts['no_need'])} sans besoin recensé."
    )
    if white and len(white) <= 8:
        text += f" Zones blanches : {', '.join(white)}."
    return text


def heatmap_summary(cells: Sequence[CoverageCell], level_label: str) -> str:
    """What the heat map shows: the weakest and strongest published cells (ties named)."""
    published = [c for c in cells if not c.suppressed and c.rate is not None]
    if not published:
        return "Aucun taux de couverture publié."

    def named(group: list[CoverageCell]) -> str:
        names = [f"{c.territory_label} ({category_label(c.category)})" for c in group]
        more = f" et {len(names) - 3} autre(s)" if len(names) > 3 else ""
        return ", ".join(names[:3]) + more

    low = min(c.rate or 0 for c in published)
    high = max(c.rate or 0 for c in published)
    lows = [c for c in published if c.rate == low]
    highs = [c for c in published if c.rate == high]
    under = [c for c in published if (c.rate or 0) < 0.5]
    text = (
        f"Couverture la plus faible, {format_rate(low, digits=0)} : {named(lows)} ; "
        f"la plus forte, {format_rate(high, digits=0)} : {named(highs)}. "
        f"{len(under)} case(s) sur {len(published)} sous 50 % ({level_label} × catégorie)."
    )
    masked = sum(1 for c in cells if c.suppressed)
    if masked:
        text += f" {masked} case(s) masquée(s) par le secret statistique."
    return text
