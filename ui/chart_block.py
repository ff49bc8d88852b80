"""The chart block every page uses: the figure, its export buttons and its data.

``chart_block(desc)`` draws a ``charts.description.ChartDescription`` with the project template
(``theme=None`` so Streamlit does not restyle it and the PNG looks like the screen), then three
buttons: PNG and SVG (rendered on click by kaleido + Chromium; without Chromium they are
disabled and a French sentence says why) and CSV (always available). An expander shows the data
table as text, which is also what screen readers and tests read. An empty chart is never drawn:
the block says « Aucune donnée sur la période ». ``figure_block`` gives the same exports to
figures that are not chart descriptions (maps, timelines).
"""

from __future__ import annotations

from dataclasses import replace

import plotly.graph_objects as go
import streamlit as st

from charts.csv_export import chart_csv
from charts.description import ChartDescription
from charts.figures import to_figure
from charts.images import figure_image, unavailable_reason
from formatting import NO_DATA


def _image_callback(desc: ChartDescription, fmt: str):  # type: ignore[no-untyped-def]
    def render() -> bytes:
        return figure_image(to_figure(desc), fmt)

    return render


def _figure_callback(figure: go.Figure, fmt: str):  # type: ignore[no-untyped-def]
    def render() -> bytes:
        return figure_image(figure, fmt)

    return render


def export_buttons(
    key: str,
    file_stem: str,
    png,  # type: ignore[no-untyped-def]
    svg,  # type: ignore[no-untyped-def]
    csv: bytes | None,
) -> None:
    """PNG, SVG (rendered on click; disabled with the French reason without Chromium) and CSV."""
    reason = unavailable_reason()
    columns = st.columns([1, 1, 1, 4])
    columns[0].download_button(
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
    columns[1].download_button(
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
    if csv is not None:
        columns[2].download_button(
            "CSV",
            data=csv,
            file_name=f"{file_stem}.csv",
            mime="text/csv",
            key=f"csv-{key}",
            on_click="ignore",
            icon=":material/table:",
            help="Données du graphique (Excel, séparateur « ; »), secret statistique appliqué.",
        )
    if reason:
        st.caption(reason)


def figure_block(figure: go.Figure, *, key: str, file_stem: str, csv: bytes | None = None) -> None:
    """A figure that does not fit a chart description (map, timeline, heat map), with the same
    PNG/SVG exports and, when the page gives its table (``charts.csv_export.table_csv``), CSV."""
    st.plotly_chart(
        figure, theme=None, width="stretch", key=f"chart-{key}", config={"displaylogo": False}
    )
    export_buttons(
        key, file_stem, _figure_callback(figure, "png"), _figure_callback(figure, "svg"), csv
    )


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


def chart_block(
    desc: ChartDescription, *, height: int = 440, scope_text: str | None = None
) -> None:
    """Draw one chart with its PNG, SVG and CSV exports, or say there is no data."""
    desc = with_scope(desc, scope_text)
    if not desc.has_data:
        st.markdown(f"**{desc.title}**")
        st.info(NO_DATA)
        st.caption(desc.footnote)
        return
    st.plotly_chart(
        to_figure(desc, height=height),
        theme=None,
        width="stretch",
        key=f"chart-{desc.key}",
        config={"displaylogo": False, "locale": "fr"},
    )
    export_buttons(
        desc.key,
        f"{desc.key}_{desc.as_of.isoformat()}",
        _image_callback(desc, "png"),
        _image_callback(desc, "svg"),
        chart_csv(desc),
    )
    with st.expander("Données du graphique"):
        st.table(data_table(desc), hide_index=True)
