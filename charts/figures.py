"""Render a chart description to a plotly figure (screen, PNG and SVG share it).

The title, unit, legend and footnote are part of the figure itself, so a downloaded image
carries them; masked points are gaps labelled « s » and explained in the footnote.
"""

from __future__ import annotations

import plotly.graph_objects as go

from charts.description import ChartDescription
from charts.theme import (
    GREY_MID,
    PALETTE,
    REFERENCE_COLOR,
    TARGET_COLOR,
    register_template,
)


def _hover(desc: ChartDescription, serie_name: str) -> str:
    return f"{serie_name}<br>%{{x}} : %{{customdata}}<extra></extra>"


def _traces(desc: ChartDescription) -> list[go.BaseTraceType]:
    traces: list[go.BaseTraceType] = []
    x = list(desc.categories)
    for index, serie in enumerate(desc.series):
        color = PALETTE[index % len(PALETTE)]
        y = [desc.plotted(v) for v in serie.values]
        texts = [
            "secret" if serie.masked(i) else desc.format_value(v)
            for i, v in enumerate(serie.values)
        ]
        common = {
            "name": serie.name,
            "customdata": texts,
            "hovertemplate": _hover(desc, serie.name),
        }
        if desc.kind == "bar":
            traces.append(
                go.Bar(
                    x=x,
                    y=y,
                    marker_color=color,
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
                    marker_color=color,
                    text=["s" if serie.masked(i) else t for i, t in enumerate(texts)],
                    textposition="outside",
                    cliponaxis=False,
                    hovertemplate=f"{serie.name}<br>%{{y}} : %{{customdata}}<extra></extra>",
                    name=serie.name,
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
                    },
                    connectgaps=False,
                    **common,
                )
            )
    return traces


def _masked_markers(desc: ChartDescription, fig: go.Figure) -> None:
    """Write « s » where a masked bar or point would be, so a gap is never read as zero."""
    for serie in desc.series:
        for i, _ in enumerate(serie.values):
            if not serie.masked(i):
                continue
            if desc.kind == "hbar":
                position = {"x": 0, "y": desc.categories[i], "xshift": 10}
            else:
                position = {"x": desc.categories[i], "y": 0, "yshift": 10}
            fig.add_annotation(
                text="s", showarrow=False, font={"color": GREY_MID, "size": 14}, **position
            )


def to_figure(desc: ChartDescription, *, height: int = 460) -> go.Figure:
    """The plotly figure of a description, with the project template."""
    fig = go.Figure(_traces(desc))
    value_axis = {"title": {"text": desc.unit_title}, "rangemode": "tozero"}
    if desc.unit == "ratio":
        value_axis["ticksuffix"] = " %"
        value_axis["range"] = [0, 105]
    category_axis = {"title": {"text": desc.x_title}}
    if desc.kind == "hbar":
        category_axis["autorange"] = "reversed"
        xaxis, yaxis = value_axis, category_axis
    else:
        xaxis, yaxis = category_axis, value_axis
        if all(isinstance(c, str) for c in desc.categories):
            xaxis["type"] = "category"
    fig.update_layout(
        template=register_template(),
        title={"text": f"<b>{desc.title}</b>"},
        xaxis=xaxis,
        yaxis=yaxis,
        barmode="stack" if desc.stacked else "group",
        height=height,
        showlegend=len(desc.series) > 1,
        annotations=[
            {
                "text": desc.footnote,
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": -0.02,
                "yshift": -70,
                "xanchor": "left",
                "yanchor": "top",
                "showarrow": False,
                "font": {"size": 12, "color": GREY_MID},
                "align": "left",
            }
        ],
    )
    if desc.target is not None:
        line = {"line_dash": "dash", "line_color": TARGET_COLOR, "line_width": 2}
        label = {"annotation_text": desc.target_text(), "annotation_font_color": TARGET_COLOR}
        if desc.kind == "hbar":
            fig.add_vline(x=desc.plotted(desc.target), **line, **label)
        else:
            fig.add_hline(
                y=desc.plotted(desc.target),
                annotation_position="top left",
                **line,
                **label,
            )
    if desc.reference_x is not None:
        fig.add_vline(
            x=desc.reference_x,
            line_dash="dot",
            line_color=REFERENCE_COLOR,
            annotation_text=desc.reference_label or "",
            annotation_font_color=REFERENCE_COLOR,
        )
    _masked_markers(desc, fig)
    return fig
