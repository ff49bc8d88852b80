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
import itertools
import math
from collections.abc import Callable, Sequence
from typing import Any

import plotly.graph_objects as go

from charts.theme import (
    BLEU_FRANCE,
    GREY_MID,
    GREY_TEXT,
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
UTAS_BORDER = GREY_TEXT  # 17.9:1 on white: the UTAS read over every fill
UTAS_BORDER_LABEL = "Limite d'UTAS"
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


Outlines = dict[str, list[list[list[float]]]]


def _outlines(geojson: dict[str, Any]) -> Outlines:
    """Rings of each commune, by INSEE code."""
    return {
        feature["properties"]["code_insee"]: _rings(feature["geometry"])
        for feature in geojson.get("features", [])
    }


Point = tuple[float, float]


def _inside(point: Point, ring: list[list[float]]) -> bool:
    """Ray casting: is the point inside the ring?"""
    x, y = point
    inside = False
    for a, b in itertools.pairwise(ring):
        if (a[1] > y) != (b[1] > y) and x < a[0] + (y - a[1]) * (b[0] - a[0]) / (b[1] - a[1]):
            inside = not inside
    return inside


# How far beside an edge its other side is looked for, in degrees (about 40 m, 150 m, 400 m):
# nearest first, further where two outlines leave a sliver between them.
PROBES = (0.0004, 0.0015, 0.004)
GRID = 0.05  # degrees: squares of the index that finds the commune at a point


def _other_side(
    commune_at: Callable[[Point], str | None],
    middle: Point,
    normal: Point,
    code: str,
    utas_of: dict[str, str | None],
) -> bool:
    """Whether the edge at ``middle`` of commune ``code`` is a border: on its outer side lies
    a commune of another UTAS, or none at any of the ``PROBES`` distances."""
    for direction in (1, -1):
        first = (
            middle[0] + direction * PROBES[0] * normal[0],
            middle[1] + direction * PROBES[0] * normal[1],
        )
        if commune_at(first) == code:
            continue  # the commune's own side
        for distance in PROBES:
            point = (
                middle[0] + direction * distance * normal[0],
                middle[1] + direction * distance * normal[1],
            )
            found = commune_at(point)
            if found is not None and found != code:
                return utas_of[found] != utas_of[code]
        return True
    return False


# The borders of the last maps drawn, by outlines (held, so that their identity stays theirs)
# and the communes' UTAS: they depend on neither the figures nor the date, and looking up
# the other side of each edge took a quarter of a warm « Offre partenaires » page.
Borders = tuple[list[float | None], list[float | None]]
_BORDERS: dict[tuple[int, tuple[tuple[str, str | None], ...]], tuple[object, Borders]] = {}
_BORDERS_KEPT = 8


def _cached_borders(
    communes: Sequence[CommuneCoverage], geojson: dict[str, Any], outlines: Outlines
) -> Borders:
    """``_utas_borders``, computed once per boundaries file and division into UTAS."""
    key = (id(geojson), tuple(sorted((c.code, c.utas) for c in communes)))
    kept = _BORDERS.get(key)
    if kept is not None and kept[0] is geojson:
        return kept[1]
    borders = _utas_borders(communes, outlines)
    if len(_BORDERS) >= _BORDERS_KEPT:
        _BORDERS.clear()
    _BORDERS[key] = (geojson, borders)
    return borders


def _utas_borders(communes: Sequence[CommuneCoverage], outlines: Outlines) -> Borders:
    """The lines between UTAS, and around the communes shown.

    Neighbouring communes mostly share their edges' points: an edge drawn twice by communes of
    one UTAS is inside it, by two UTAS a border. Where the outlines do not share points, the
    other side of the edge is looked up: a point just beside its middle, in a commune of
    another UTAS or in none, makes it a border.
    """
    utas_of = {c.code: c.utas for c in communes if outlines.get(c.code)}
    owners: dict[tuple[Point, Point], list[str]] = {}
    for code in utas_of:
        for ring in outlines[code]:
            for a, b in itertools.pairwise(ring):
                start, end = (a[0], a[1]), (b[0], b[1])
                if start != end:
                    owners.setdefault((start, end) if start <= end else (end, start), []).append(
                        code
                    )
    boxes = {
        code: (
            min(p[0] for ring in outlines[code] for p in ring),
            min(p[1] for ring in outlines[code] for p in ring),
            max(p[0] for ring in outlines[code] for p in ring),
            max(p[1] for ring in outlines[code] for p in ring),
        )
        for code in utas_of
    }

    grid: dict[tuple[int, int], list[str]] = {}  # communes by square of GRID degrees
    for code, (x0, y0, x1, y1) in boxes.items():
        for gx in range(math.floor(x0 / GRID), math.floor(x1 / GRID) + 1):
            for gy in range(math.floor(y0 / GRID), math.floor(y1 / GRID) + 1):
                grid.setdefault((gx, gy), []).append(code)

    def commune_at(point: Point) -> str | None:
        for code in grid.get((math.floor(point[0] / GRID), math.floor(point[1] / GRID)), ()):
            x0, y0, x1, y1 = boxes[code]
            near = x0 <= point[0] <= x1 and y0 <= point[1] <= y1
            if near and any(_inside(point, ring) for ring in outlines[code]):
                return code
        return None

    xs: list[float | None] = []
    ys: list[float | None] = []
    for (start, end), codes in owners.items():
        if len(codes) > 1:
            border = len({utas_of[c] for c in codes}) > 1
        else:
            length = math.hypot(end[0] - start[0], end[1] - start[1])
            normal = ((start[1] - end[1]) / length, (end[0] - start[0]) / length)
            middle = ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)
            border = _other_side(commune_at, middle, normal, codes[0], utas_of)
        if border:
            xs += [start[0], end[0], None]
            ys += [start[1], end[1], None]
    return xs, ys


def _utas_names(
    communes: Sequence[CommuneCoverage], outlines: dict[str, list[list[list[float]]]]
) -> list[dict[str, Any]]:
    """Each UTAS's name at the middle of its communes' centres."""
    centres: dict[str, list[Point]] = {}
    for commune in communes:
        rings = outlines.get(commune.code, [])
        if commune.utas and rings:
            centres.setdefault(commune.utas, []).append(_centre(rings))
    return [
        {
            "x": sum(p[0] for p in points) / len(points),
            "y": sum(p[1] for p in points) / len(points),
            "xref": "x",
            "yref": "y",
            "text": f"<b>{utas}</b>",
            "showarrow": False,
            "font": {"size": 14, "color": GREY_TEXT},
            "bgcolor": "rgba(255,255,255,0.85)",
            "borderpad": 2,
        }
        for utas, points in sorted(centres.items())
    ]


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
    border_x, border_y = _cached_borders(communes, geojson, outlines)
    if border_x:
        fig.add_trace(
            go.Scatter(
                x=border_x,
                y=border_y,
                mode="lines",
                line={"color": UTAS_BORDER, "width": 2.2},
                name=UTAS_BORDER_LABEL,
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
            *_utas_names(communes, outlines),
            {
                "text": f"Source : base opérationnelle, services actifs au {format_date(as_of)}.",
                "showarrow": False,
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": -0.1,
                "xanchor": "left",
                "font": {"size": 11},
            },
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
