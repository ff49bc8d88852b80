"""Export buttons for figures that are not chart descriptions (the roadmap timelines).

The chart block (``ui/chart_block.py``) exports charts built from a ``ChartDescription``; the
roadmap timeline and the governance calendar are plotly figures of another shape (dates on one
axis, steps on the other), so they get the same three buttons here: PNG and SVG rendered on
click by kaleido + Chromium (disabled, with the reason, when Chromium is missing) and the CSV of
the data behind them.
"""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from charts.csv_export import table_csv
from charts.images import figure_image, unavailable_reason


def _render(fig: go.Figure, fmt: str):  # type: ignore[no-untyped-def]
    def render() -> bytes:
        return figure_image(fig, fmt)

    return render


def figure_downloads(
    fig: go.Figure,
    *,
    key: str,
    file_stem: str,
    header: list[str],
    rows: list[list[str | float | None]],
) -> None:
    """PNG, SVG and CSV buttons under a figure."""
    reason = unavailable_reason()
    png, svg, csv, _ = st.columns([1, 1, 1, 4])
    png.download_button(
        "PNG",
        data=_render(fig, "png"),
        file_name=f"{file_stem}.png",
        mime="image/png",
        key=f"png-{key}",
        disabled=reason is not None,
        on_click="ignore",
        icon=":material/image:",
        help=reason or "Image PNG du graphique, telle qu'à l'écran.",
    )
    svg.download_button(
        "SVG",
        data=_render(fig, "svg"),
        file_name=f"{file_stem}.svg",
        mime="image/svg+xml",
        key=f"svg-{key}",
        disabled=reason is not None,
        on_click="ignore",
        icon=":material/draw:",
        help=reason or "Image vectorielle SVG, pour un document ou une affiche.",
    )
    csv.download_button(
        "CSV",
        data=table_csv(header, rows),
        file_name=f"{file_stem}.csv",
        mime="text/csv",
        key=f"csv-{key}",
        on_click="ignore",
        icon=":material/table:",
        help="Données du graphique (Excel, séparateur « ; »).",
    )
    if reason:
        st.caption(reason)
