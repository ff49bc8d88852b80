"""Territories side by side, drawn: one dot chart per objective in one figure, territories
ranked from best to worst, the target as a dashed line, each dot labelled with its value.

Not by colour alone: each dot's level has its own symbol (● au vert, ◆ à surveiller,
✖ hors cible) and its value is written beside it; a masked territory is listed under the
others as « secret » with an « s », never placed on the axis. The same figure goes to the
page (``ui.chart_block.figure_block``) and, as a picture, to the deck.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import math
import textwrap
from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from charts.plain import plain
from charts.summary import LEVEL_COLORS, LEVEL_LABELS
from charts.texts import format_unit
from charts.theme import EXPORT_HEIGHT, GREY_MID, TARGET_COLOR, register_template
from formatting import format_date, secret_label
from metrics.territories import TerritoryRanking

LEVEL_MARKERS = {
    "vert": "circle",
    "orange": "diamond",
    "rouge": "x",
    "sans_cible": "circle-open",
    "sans_donnees": "circle-open",
    "secret": "circle-open",
}
LEVEL_NAMES = {"utas": "UTAS", "epci": "EPCI"}
PANEL_ROW_PX = 26  # one territory's line in a panel


def ranking_title(ranking: TerritoryRanking) -> str:
    """« Part des orientations dans le délai légal — cible 100,0 % » (the label as the settings
    write it)."""
    label = ranking.label
    if ranking.category is not None:
        from metrics.coverage import category_label

        label = f"{label} ({category_label(ranking.category)})"
    if ranking.target is None:
        return label
    return f"{label} — cible {format_unit(ranking.target, ranking.unit)}"


def territory_label(name: str, masked: bool, threshold: int) -> str:
    return f"{name} (secret)" if masked else name


def short_name(name: str) -> str:
    """« CC Creuse Grand Sud » for « Communauté de communes Creuse Grand Sud », « Guéret » for
    « UTAS Guéret »: the panels are narrow."""
    for long, short in (
        ("Communauté d'agglomération ", "CA "),
        ("Communauté de communes ", "CC "),
        ("UTAS ", ""),
    ):
        if name.startswith(long):
            return short + name.removeprefix(long)
    return name


def territories_figure(
    rankings: Sequence[TerritoryRanking],
    level: str,
    as_of: dt.date,
    threshold: int,
    *,
    scope_text: str | None = None,
    columns: int = 2,
) -> go.Figure:
    """One panel per objective, ``columns`` panels a row (two on a page, three on a 16:9
    slide)."""
    count = max(1, len(rankings))
    rows = math.ceil(count / columns)
    layout = _grid(
        rows,
        columns,
        # objective on one line, target on the next: the panels are a third of the width
        tuple(
            "<br>".join(textwrap.wrap(plain(ranking_title(r).split(" — ")[0]), 34))
            + (f"<br>cible {format_unit(r.target, r.unit)}" if r.target is not None else "")
            for r in rankings
        ),
        0.17 if level == "utas" else 0.27,
        0.22 if rows > 1 else 0.1,
    )
    # Built as plain dictionaries, then one figure: plotly's per-panel helpers
    # (update_xaxes(row=…), add_vline(row=…), update_layout) walk every subplot and validate
    # the whole layout at each call, and took a third of a second for six panels, at every
    # render of the page.
    traces, targets = [], []
    for index, ranking in enumerate(rankings):
        names = [
            plain(territory_label(short_name(v.label), v.suppressed, threshold))
            for v in ranking.values
        ]
        x = [
            (v.value * 100 if ranking.unit == "ratio" else v.value) if v.value is not None else 0
            for v in ranking.values
        ]
        texts = [
            "s"
            if v.suppressed
            else "aucune donnée"
            if v.value is None
            else format_unit(v.value, ranking.unit)
            for v in ranking.values
        ]
        suffix = "" if index == 0 else str(index + 1)
        traces.append(
            go.Scatter(
                x=x,
                y=names,
                mode="markers+text",
                text=texts,
                textposition="middle right",
                textfont={"color": GREY_MID, "size": 11},
                marker={
                    "symbol": [LEVEL_MARKERS[v.level] for v in ranking.values],
                    "color": [LEVEL_COLORS[v.level] for v in ranking.values],
                    "size": [0 if v.value is None else 10 for v in ranking.values],
                },
                customdata=[LEVEL_LABELS[v.level] for v in ranking.values],
                hovertemplate="%{y} : %{text} (%{customdata})<extra></extra>",
                showlegend=False,
                cliponaxis=False,
                xaxis=f"x{suffix}",
                yaxis=f"y{suffix}",
            )
        )
        ratio = ranking.unit == "ratio"
        layout[f"xaxis{suffix}"]["tickfont"] = {"size": 11}
        if ratio:
            layout[f"xaxis{suffix}"].update(
                range=[0, 125], tickvals=[0, 50, 100], ticktext=["0 %", "50 %", "100 %"]
            )
        layout[f"yaxis{suffix}"] |= {
            "autorange": "reversed",
            "type": "category",
            "tickmode": "array",
            "tickvals": names,
            "ticktext": names,
            "tickfont": {"size": 11},
        }
        if ranking.target is not None:
            target = ranking.target * 100 if ratio else ranking.target
            targets.append(
                {
                    "type": "line",
                    "x0": target,
                    "x1": target,
                    "xref": f"x{suffix}",
                    "y0": 0,
                    "y1": 1,
                    "yref": f"y{suffix} domain",
                    "line": {"dash": "dash", "color": TARGET_COLOR, "width": 2},
                }
            )
    notes = [
        (f"{plain(scope_text)}. " if scope_text else "")
        + f"Source : base opérationnelle, données au {format_date(as_of)}.",
        "Trait rouge pointillé : la cible. ● au vert, ◆ à surveiller, ✖ hors cible.",
    ]
    second = []
    if any(v.suppressed for r in rankings for v in r.values):
        second.append(f"s : {secret_label(threshold)}.")
    if any(r.cohort for r in rankings):
        second.append("Parts sous X jours : dernière cohorte mensuelle suivie X jours.")
    if second:
        notes.append(" ".join(second))
    title = f"Territoires côte à côte : chaque {LEVEL_NAMES[level]} face aux cibles"
    # each panel's title ends at its plot's right edge: centred over a plot narrowed by long
    # territory names, the right column's titles ran off the figure
    titles = layout["annotations"]
    for index, annotation in enumerate(titles[: len(rankings)]):
        axis = layout["xaxis" if index == 0 else f"xaxis{index + 1}"]
        annotation.update(x=axis["domain"][1], xanchor="right", align="right", font={"size": 13})
    layout.update(
        template=register_template(),
        title={"text": f"<b>{title}</b>", "y": 0.97, "yref": "container", "yanchor": "top"},
        height=EXPORT_HEIGHT if rows <= 2 else 300 * rows + 60,
        margin={"t": 130, "b": 45 + 17 * len(notes), "l": 10, "r": 45},
        showlegend=False,
        shapes=targets,
        annotations=[
            *titles,
            {
                "text": "<br>".join(notes),
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": 0,
                "yshift": -30,
                "xanchor": "left",
                "yanchor": "top",
                "showarrow": False,
                "align": "left",
                "font": {"size": 12, "color": GREY_MID},
            },
        ],
    )
    return go.Figure(data=traces, layout=layout)


def _grid(
    rows: int, columns: int, titles: tuple[str, ...], horizontal: float, vertical: float
) -> dict[str, Any]:
    """The layout of a grid of panels (axes, domains, panel titles), as a new dictionary."""
    return copy.deepcopy(_grid_layout(rows, columns, titles, horizontal, vertical))


@functools.lru_cache(maxsize=64)
def _grid_layout(
    rows: int, columns: int, titles: tuple[str, ...], horizontal: float, vertical: float
) -> dict[str, Any]:
    grid = make_subplots(
        rows=rows,
        cols=columns,
        subplot_titles=list(titles),
        horizontal_spacing=horizontal,
        vertical_spacing=vertical,
    )
    layout: dict[str, Any] = grid.layout.to_plotly_json()
    layout.pop("template", None)
    layout.setdefault("annotations", [])
    return layout


def territories_table(
    rankings: Sequence[TerritoryRanking], threshold: int
) -> tuple[list[str], list[list[str | float | None]]]:
    """The data behind the figure: one row per objective and territory, in ranking order."""
    header = ["Objectif", "Rang", "Territoire", "Valeur", "Cible", "État"]
    rows: list[list[str | float | None]] = []
    for ranking in rankings:
        for rank, value in enumerate(ranking.values, start=1):
            rows.append(
                [
                    ranking_title(ranking).split(" — ")[0],
                    str(rank) if value.value is not None else "—",
                    short_name(value.label),
                    secret_label(threshold)
                    if value.suppressed
                    else format_unit(value.value, ranking.unit)
                    if value.value is not None
                    else "—",
                    format_unit(ranking.target, ranking.unit)
                    if ranking.target is not None
                    else "—",
                    LEVEL_LABELS[value.level],
                ]
            )
    return header, rows


def territories_summary(rankings: Sequence[TerritoryRanking], threshold: int) -> str:
    """One sentence per objective: best and last territory, how many reach the green."""
    parts = []
    for ranking in rankings:
        measured = [v for v in ranking.values if v.value is not None]
        masked = sum(1 for v in ranking.values if v.suppressed)
        name = ranking_title(ranking).split(" — ")[0]
        if not measured:
            parts.append(f"{name} : aucune valeur publiable")
            continue
        green = sum(1 for v in measured if v.level == "vert")
        text = (
            f"{name} : en tête {short_name(measured[0].label)} "
            f"({format_unit(measured[0].value, ranking.unit)})"
        )
        if len(measured) > 1:
            last = measured[-1]
            text += (
                f", en dernier {short_name(last.label)} ({format_unit(last.value, ranking.unit)})"
            )
        text += f", {green} au vert sur {len(ranking.values)}"
        if masked:
            text += f", {masked} masqué{'s' if masked > 1 else ''}"
        parts.append(text)
    return " ; ".join(parts) + "." if parts else "Aucun objectif mesuré par territoire."
