"""The chart block every page uses: title, summary, the figure, its export buttons and its data.

``chart_block(desc)`` writes the chart's title as a real heading (h3, under the page's h2
sections) and a one-sentence summary of what it shows, then draws the
``charts.description.ChartDescription`` with the project template (``theme=None`` so Streamlit
does not restyle it and the PNG looks like the screen) without its toolbar, then three buttons:
PNG and SVG (rendered on click by kaleido + Chromium; without Chromium they are disabled and a
French sentence says why) and CSV (always available). An expander named « Données du graphique :
‹titre› » shows the data table as text. Title, summary and table are the chart's text
alternative (RGAA criteria 1.1 and 1.3): the drawing itself is hidden from screen readers, which
would otherwise read its tick labels run together. An empty chart is never drawn: the block says
« Aucune donnée sur la période ». ``figure_block`` does the same for figures that are not chart
descriptions (maps, timelines, heat map), given their table and summary.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import replace

import plotly.graph_objects as go
import streamlit as st

from charts.csv_export import chart_csv, table_csv
from charts.description import ChartDescription, slugify
from charts.figures import to_figure
from charts.images import figure_image, unavailable_reason
from charts.summaries import chart_summary
from charts.theme import PLOTLY_CONFIG
from formatting import NO_DATA
from ui.auth import audited_download
from ui.plain_text import escape_markdown, plain_cells

Table = tuple[list[str], list[list[str | float | None]]]
DATA_LABEL = "Données du graphique : {title}"


def _image_callback(desc: ChartDescription, fmt: str) -> Callable[[], bytes]:
    def render() -> bytes:
        return figure_image(to_figure(desc), fmt)

    return render


def _figure_callback(figure: go.Figure, fmt: str) -> Callable[[], bytes]:
    def render() -> bytes:
        return figure_image(figure, fmt)

    return render


def export_buttons(
    key: str,
    file_stem: str,
    png: Callable[[], bytes],
    svg: Callable[[], bytes],
    csv: bytes | None,
) -> None:
    """PNG, SVG (rendered on click; disabled with the French reason without Chromium) and CSV."""
    reason = unavailable_reason()
    png = audited_download(png, f"graphique « {file_stem} » (PNG)")
    svg = audited_download(svg, f"graphique « {file_stem} » (SVG)")
    csv_data = (
        audited_download(csv, f"graphique « {file_stem} » (CSV)") if csv is not None else None
    )
    # a row that wraps, each button as wide as its label: in a half-width column, three equal
    # columns cut « PNG » and « SVG » at 1280 px
    row = st.container(horizontal=True, gap="small")
    row.download_button(
        "PNG",
        data=png,
        file_name=f"{file_stem}.png",
        mime="image/png",
        key=f"png-{key}",
        disabled=reason is not None,
        on_click="ignore",
        icon=":material/image:",
        help=reason or "Image PNG du graphique, telle qu'à l'écran.",
    )
    row.download_button(
        "SVG",
        data=svg,
        file_name=f"{file_stem}.svg",
        mime="image/svg+xml",
        key=f"svg-{key}",
        disabled=reason is not None,
        on_click="ignore",
        icon=":material/draw:",
        help=reason or "Image vectorielle SVG, pour un document ou une affiche.",
    )
    if csv_data is not None:
        row.download_button(
            "CSV",
            data=csv_data,
            file_name=f"{file_stem}.csv",
            mime="text/csv",
            key=f"csv-{key}",
            on_click="ignore",
            icon=":material/table:",
            help="Données du graphique (Excel, séparateur « ; »), secret statistique appliqué.",
        )
    if reason:
        st.caption(reason)


def chart_heading(title: str, summary: str | None = None) -> None:
    """The chart's title as an h3 (no anchor link, so no extra tab stop) and its summary."""
    body = f'<h3 class="pilotage-chart-title">{html.escape(title)}</h3>'
    if summary:
        body += f'<p class="pilotage-chart-summary">{html.escape(summary)}</p>'
    st.html(body)


def figure_title(figure: go.Figure) -> str:
    """The plain text of a figure's title (tags such as ``<b>`` removed)."""
    text = figure.layout.title.text or ""
    return re.sub(r"<[^>]+>", "", text).strip()


def _text_cell(value: str | float | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and value.is_integer():
        return f"{int(value)}"
    return str(value).replace(".", ",") if isinstance(value, float) else str(value)


def table_columns(table: Table) -> dict[str, list[str]]:
    """A (header, rows) table as French text columns for ``st.table``."""
    header, rows = table
    return {name: [_text_cell(row[i]) for row in rows] for i, name in enumerate(header)}


def data_expander(title: str, columns: dict[str, list[str]]) -> None:
    """The data behind a chart, in an expander named after it (names differ on one page).

    ``st.table`` renders its cells as Markdown, and a timeline's table holds step wordings and
    meeting titles typed by people or imported: every cell goes through ``plain_cells``."""
    with st.expander(DATA_LABEL.format(title=title)):
        st.table(plain_cells(columns), hide_index=True)


def figure_block(
    figure: go.Figure,
    *,
    key: str,
    file_stem: str,
    csv: bytes | None = None,
    table: Table | None = None,
    summary: str | None = None,
) -> None:
    """A figure that does not fit a chart description (map, timeline, heat map), with the same
    text alternative (title as a heading, ``summary``, ``table`` in a named expander) and the
    same PNG/SVG exports, plus CSV from the table (or the ``csv`` the page gives)."""
    title = figure_title(figure)
    chart_heading(title, summary)
    on_screen = go.Figure(figure)
    on_screen.update_layout(title={"text": ""})
    on_screen.update_layout(margin={"t": max(30, (figure.layout.margin.t or 80) - 40)})
    st.plotly_chart(
        on_screen, theme=None, width="stretch", key=f"chart-{key}", config=PLOTLY_CONFIG
    )
    if csv is None and table is not None:
        csv = table_csv(*table)
    export_buttons(
        key, file_stem, _figure_callback(figure, "png"), _figure_callback(figure, "svg"), csv
    )
    if table is not None:
        data_expander(title, table_columns(table))


def data_table(desc: ChartDescription) -> dict[str, list[str]]:
    """The chart's data as French text columns (masked cells keep the secrecy label)."""
    header, rows = desc.table()
    columns: dict[str, list[str]] = {name: [] for name in header}
    for row in rows:
        for name, value in zip(header, row, strict=True):
            if isinstance(value, str):
                columns[name].append(value)
            elif value is None:
                columns[name].append("—")
            elif name == header[0]:
                columns[name].append(str(value))
            else:
                shown = value / 100 if desc.unit == "ratio" else value
                columns[name].append(desc.format_value(shown))
    return columns


def with_scope(desc: ChartDescription, scope_text: str | None = None) -> ChartDescription:
    """The chart with its scope (period, territory, payer: the page's scope caption unless
    given) and, on the demonstration database, that it is demonstration data, so that every
    PNG, SVG and CSV says what it shows."""
    from data_access.inventory import is_demo_database
    from ui.context import get_context
    from ui.scope_bar import scope_caption

    return replace(
        desc,
        scope_text=desc.scope_text or scope_text or scope_caption() or None,
        demo=desc.demo or is_demo_database(get_context().engine),
    )


def export_stem(desc: ChartDescription) -> str:
    """The exported files' name, in French from the chart's title, with the as-of date
    (« convocation-sous-15-jours-par-utas_2024-06-30 »), not the indicator's English id."""
    return f"{slugify(desc.title)[:80].rstrip('-')}_{desc.as_of.isoformat()}"


def chart_block(
    desc: ChartDescription,
    *,
    height: int = 440,
    summary: str | None = None,
    scope_text: str | None = None,
) -> None:
    """Draw one chart with its title, summary, exports and data, or say there is no data.

    ``summary`` replaces the generic sentence of ``charts.summaries.chart_summary`` when the page
    knows a better one; ``scope_text`` the page's scope caption in the exports' footnote.
    """
    desc = with_scope(desc, scope_text)
    if not desc.has_data:
        chart_heading(desc.title)
        st.info(NO_DATA)
        st.caption(desc.footnote)
        return
    chart_heading(desc.title, summary or chart_summary(desc))
    st.plotly_chart(
        to_figure(desc, height=height, show_title=False),
        theme=None,
        width="stretch",
        key=f"chart-{desc.key}",
        config=PLOTLY_CONFIG,
    )
    st.caption(escape_markdown(desc.source_note))
    export_buttons(
        desc.key,
        export_stem(desc),
        _image_callback(desc, "png"),
        _image_callback(desc, "svg"),
        chart_csv(desc),
    )
    data_expander(desc.title, data_table(desc))
