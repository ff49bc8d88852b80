"""Render a chart description to a plotly figure (screen, PNG and SVG share it).

The title, unit, legend and footnote are part of the figure itself, so a downloaded image
carries them; masked points are gaps labelled « s » and explained in the footnote. On screen
the title is real text above the chart instead (``show_title=False``), for screen readers.
Series differ by more than colour: marker symbols on lines, dashes on step curves, fill
patterns on bars (``charts.theme``).
"""

from __future__ import annotations

import functools
import textwrap
from typing import Any

import plotly.graph_objects as go

from charts.description import ChartDescription
from charts.plain import plain
from charts.theme import (
    GREY_MID,
    PALETTE,
    REFERENCE_COLOR,
    SERIES_DASHES,
    SERIES_PATTERNS,
    SERIES_SYMBOLS,
    TARGET_COLOR,
    register_template,
)

FOOTNOTE_WIDTH = 90  # characters per footnote line: fits a chart half a screen wide


def _hover(desc: ChartDescription, serie_name: str) -> str:
    return f"{plain(serie_name)}<br>%{{x}} : %{{customdata}}<extra></extra>"


def _traces(desc: ChartDescription) -> list[go.BaseTraceType]:
    traces: list[go.BaseTraceType] = []
    # Categories and series may be imported names (axes, owners, territories): never markup.
    x = [plain(c) if isinstance(c, str) else c for c in desc.categories]
    for index, serie in enumerate(desc.series):
        color = PALETTE[index % len(PALETTE)]
        # one series alone needs no second cue; several get a pattern, symbol or dash each
        pattern = SERIES_PATTERNS[index % len(SERIES_PATTERNS)] if len(desc.series) > 1 else ""
        bar_marker = {
            "color": color,
            "pattern": {"shape": pattern, "fgcolor": "white", "fillmode": "overlay"},
        }
        y = [desc.plotted(v) for v in serie.values]
        texts = [
            "secret" if serie.masked(i) else desc.format_value(v)
            for i, v in enumerate(serie.values)
        ]
        common = {
            "name": plain(serie.name),
            "customdata": texts,
            "hovertemplate": _hover(desc, serie.name),
        }
        if desc.kind == "bar":
            traces.append(
                go.Bar(
                    x=x,
                    y=y,
                    marker=bar_marker,
                    text=["s" if serie.masked(i) else t for i, t in enumerate(texts)],
                    textposition="outside",
                    cliponaxis=False,
                    **common,
                )
            )
        elif desc.kind == "hbar":
            traces.append(
                go.Bar(
                    y=x,
                    x=y,
                    orientation="h",
                    marker=bar_marker,
                    text=["s" if serie.masked(i) else t for i, t in enumerate(texts)],
                    textposition="outside",
                    cliponaxis=False,
                    hovertemplate=f"{plain(serie.name)}<br>%{{y}} : %{{customdata}}<extra></extra>",
                    name=plain(serie.name),
                    customdata=texts,
                )
            )
        else:
            traces.append(
                go.Scatter(
                    x=x,
                    y=y,
                    mode="lines" if desc.kind == "step" else "lines+markers",
                    line={
                        "color": color,
                        "width": 3,
                        "shape": "hv" if desc.kind == "step" else "linear",
                        "dash": SERIES_DASHES[index % len(SERIES_DASHES)]
                        if desc.kind == "step"
                        else "solid",
                    },
                    marker={"symbol": SERIES_SYMBOLS[index % len(SERIES_SYMBOLS)], "size": 8},
                    connectgaps=False,
                    **common,
                )
            )
    return traces


def _masked_markers(desc: ChartDescription) -> list[dict[str, Any]]:
    """« s » where a masked bar or point would be, so a gap is never read as zero."""
    markers = []
    for serie in desc.series:
        for i, _ in enumerate(serie.values):
            if not serie.masked(i):
                continue
            category = desc.categories[i]
            category = plain(category) if isinstance(category, str) else category
            if desc.kind == "hbar":
                position = {"x": 0, "y": category, "xshift": 10}
            else:
                position = {"x": category, "y": 0, "yshift": 10}
            markers.append(
                {
                    "text": "s",
                    "showarrow": False,
                    "font": {"color": GREY_MID, "size": 14},
                    **position,
                }
            )
    return markers


@functools.lru_cache(maxsize=256)
def _spanning_line(
    vertical: bool, at: float, dash: str, colour: str, width: int | None, text: str, position: str
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The shape and label plotly's ``add_vline`` / ``add_hline`` write for a line across a
    single plot, as dictionaries: drawn once on an empty figure (the line spans the plot
    whatever its data), then laid into the chart's layout with the rest."""
    figure = go.Figure()
    line: dict[str, Any] = {"line_dash": dash, "line_color": colour}
    if width is not None:
        line["line_width"] = width
    label: dict[str, Any] = {"annotation_text": text, "annotation_font_color": colour}
    if position:
        label["annotation_position"] = position
    if vertical:
        figure.add_vline(x=at, **line, **label)
    else:
        figure.add_hline(y=at, **line, **label)
    shape = figure.layout.shapes[0].to_plotly_json()
    annotations = figure.layout.annotations
    return shape, (annotations[0].to_plotly_json() if annotations else None)


def _top_margin(desc: ChartDescription, *, show_title: bool = True) -> int:
    """Room above the plot for the title and, when there are several series, the legend.

    The legend sits between the title and the plot; its rows are estimated from the length of
    the names (about 8 px a character, 50 px per symbol) against a 900 px wide chart.
    """
    title = 60 if show_title else 0
    if len(desc.series) <= 1:
        return title + 10 if show_title else 30
    width = sum(8 * len(serie.name) + 50 for serie in desc.series)
    rows = -(-width // 900)
    return title + 24 * rows + (0 if show_title else 16)


FOOTNOTE_LINE_PX = 17  # one 12 px footnote line with its leading


LABEL_CHAR_PX = 8  # width of a character of the value labels written beside the bars


def _right_margin(desc: ChartDescription) -> int:
    """Room on the right for the value written at the end of the longest horizontal bar
    (« 100,0 % » was cut at the chart's edge in a half-width column)."""
    if desc.kind != "hbar":
        return 30
    widest = max(
        (len(desc.format_value(v)) for serie in desc.series for v in serie.values if v is not None),
        default=1,
    )
    return 20 + LABEL_CHAR_PX * widest


def to_figure(desc: ChartDescription, *, height: int = 460, show_title: bool = True) -> go.Figure:
    """The plotly figure of a description, with the project template.

    ``show_title=False`` is the screen: the page writes the title as a heading above the chart
    and the footnote as text under it, so neither takes room from the plot there; images keep
    both, and grow by the footnote's lines so that the plot keeps its height.
    """
    # plotly layout dictionaries: nested values of several types
    value_axis: dict[str, Any] = {"title": {"text": desc.unit_title}, "rangemode": "tozero"}
    if desc.unit == "ratio":
        value_axis["ticksuffix"] = " %"
        # room beyond 100 % for the value labels written outside the bars
        value_axis["range"] = [0, 115 if desc.kind == "hbar" else 105]
    category_axis: dict[str, Any] = {"title": {"text": desc.x_title}}
    if desc.kind == "hbar":
        category_axis["autorange"] = "reversed"
        xaxis, yaxis = value_axis, category_axis
    else:
        xaxis, yaxis = category_axis, value_axis
        if all(isinstance(c, str) for c in desc.categories):
            xaxis["type"] = "category"
    # The footnote rides under the bottom axis title, so it always clears the tick labels
    # (rotated or not) and travels with the figure into PNG and SVG files.
    # horizontal bars leave the long category labels on the left: the axis (and its title)
    # is narrower, so its footnote wraps shorter
    width = FOOTNOTE_WIDTH * 2 // 3 if desc.kind == "hbar" else FOOTNOTE_WIDTH
    lines = textwrap.wrap(desc.source_note, width) if show_title else []
    if lines:
        xaxis["title"] = {
            "text": f"{xaxis['title']['text']}<br><span style='font-size:12px;color:{GREY_MID}'>"
            + "<br>".join(lines)
            + "</span>"
        }
        height += FOOTNOTE_LINE_PX * len(lines)
    # One figure from plain dictionaries: plotly's update_layout and add_hline validate the
    # whole layout at each call (a quarter of the committee page's time on every render).
    layout: dict[str, Any] = dict(
        template=register_template(),
        title={
            # the scope under the title: a downloaded PNG or SVG says what it shows
            "text": (
                f"<b>{desc.title}</b>"
                + (
                    f"<br><span style='font-size:13px;color:{GREY_MID}'>{desc.scope_text}</span>"
                    if desc.scope_text
                    else ""
                )
            )
            if show_title
            else "",
            "y": 0.98,
            "yref": "container",
            "yanchor": "top",
        },
        margin={
            "t": _top_margin(desc, show_title=show_title)
            + (22 if desc.scope_text and show_title else 0),
            "r": _right_margin(desc),
        },
        xaxis=xaxis,
        yaxis=yaxis,
        barmode="stack" if desc.stacked else "group",
        height=height,
        showlegend=len(desc.series) > 1,
    )
    spans = []
    if desc.target is not None:
        spans.append(
            _spanning_line(
                desc.kind == "hbar",
                desc.plotted(desc.target),
                "dash",
                TARGET_COLOR,
                2,
                desc.target_text(),
                "top left",
            )
        )
    if desc.reference_x is not None:
        spans.append(
            _spanning_line(
                True, desc.reference_x, "dot", REFERENCE_COLOR, None, desc.reference_label or "", ""
            )
        )
    layout["shapes"] = [shape for shape, _ in spans]
    layout["annotations"] = [label for _, label in spans if label is not None]
    layout["annotations"] += _masked_markers(desc)
    return go.Figure(data=_traces(desc), layout=layout)
