"""The committee deck: a 16:9 PowerPoint with native, editable charts (python-pptx).

Slides: title (département, period, committee date), headline indicators, one slide per chart
of ``committee_charts`` drawn as a native PowerPoint chart from the same description as the
page (so partners can restyle or re-use it), the roadmap status by axis, the late steps,
decisions and open actions. Masked values are blank points and named in the slide's footnote;
they never appear as numbers. This module only draws what it is handed (``CommitteeData``
gathered by ``metrics/committee.py``); ``reports/deck.py`` gathers, calls :func:`build_deck` and
stores the figures as a snapshot so the next committee compares with what was presented.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TypeVar, cast

from pptx import Presentation as new_presentation
from pptx.chart.chart import Chart
from pptx.chart.data import CategoryChartData, ChartData, XyChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.enum.text import PP_ALIGN
from pptx.presentation import Presentation
from pptx.shapes.graphfrm import GraphicFrame
from pptx.slide import Slide
from pptx.util import Emu, Inches, Pt

from charts.builders import rounding_of
from charts.committee import committee_charts, headline_rows
from charts.description import DEMO_NOTE, ROUNDING_NOTE, ChartDescription
from charts.theme import BLEU_FRANCE, GREY_MID, GREY_TEXT, PALETTE
from formatting import NO_DATA, format_date, format_rate
from metrics.committee import CommitteeData
from metrics.coverage import category_label

SLIDE_WIDTH = Inches(13.333)
SLIDE_HEIGHT = Inches(7.5)
MARGIN = Inches(0.5)
# Length arithmetic gives plain ints: shapes take a Length, hence the Emu(...) around sums.
CONTENT_WIDTH = Emu(SLIDE_WIDTH - 2 * MARGIN)
ROWS_PER_TABLE_SLIDE = 10
_TITLE_ONLY = 5
_TITLE = 0
# French number formats for the native charts: the LCID prefix [$-40C] makes LibreOffice (and
# PowerPoint on a French system) write « 76,9 % » and « 1 234 », not « 76.9% » and « 1,234 ».
_NUMBER_FORMATS = {"ratio": "[$-40C]0.0\\ %", "days": '[$-40C]0.0" j"', "count": "[$-40C]# ##0"}


def _rgb(hex_colour: str) -> RGBColor:
    return RGBColor.from_string(hex_colour.lstrip("#"))


def _title_slide(prs: Presentation, data: CommitteeData) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[_TITLE])
    slide.shapes.title.text = f"Comité de suivi RSA — {data.departement_name}"
    slide.shapes.title.text_frame.paragraphs[0].runs[0].font.color.rgb = _rgb(BLEU_FRANCE)
    subtitle = slide.placeholders[1]
    scope = data.territory_label[0].upper() + data.territory_label[1:]
    if data.scope.payer:
        scope += f" · {data.scope.payer.upper()}"
    subtitle.text = (
        f"Comité du {format_date(data.committee_date)}\n"
        f"Période {data.period_text}, données au {format_date(data.scope.as_of)}\n"
        f"{scope}" + (f"\n{DEMO_NOTE}" if data.demo else "")
    )
    for paragraph in subtitle.text_frame.paragraphs:  # four lines must fit the placeholder
        for run in paragraph.runs:
            run.font.size = Pt(20)


def _add_title(prs: Presentation, title: str) -> Slide:
    slide = prs.slides.add_slide(prs.slide_layouts[_TITLE_ONLY])
    shape = slide.shapes.title
    shape.text = title
    shape.left, shape.top = MARGIN, Inches(0.25)
    shape.width, shape.height = SLIDE_WIDTH - 2 * MARGIN, Inches(0.9)
    paragraph = shape.text_frame.paragraphs[0]
    paragraph.alignment = PP_ALIGN.LEFT
    paragraph.runs[0].font.size = Pt(28)
    paragraph.runs[0].font.bold = True
    paragraph.runs[0].font.color.rgb = _rgb(BLEU_FRANCE)
    return slide


def _scope_note(data: CommitteeData) -> str:
    """The scope (and demonstration data) for the footnote of a slide that is not a chart."""
    return f"{data.scope_text} · données au {format_date(data.scope.as_of)}." + (
        f" {DEMO_NOTE}" if data.demo else ""
    )


FOOTNOTE_CHARS_PER_LINE = 170  # 11 pt over the slide's width


def footnote_height(text: str) -> Emu:
    """The room a footnote needs at the foot of a slide (its lines, estimated)."""
    lines = max(2, -(-len(text) // FOOTNOTE_CHARS_PER_LINE))
    return Emu(int(Inches(0.2) * lines + Inches(0.15)))


def _footnote(slide: Slide, text: str) -> None:
    height = footnote_height(text)
    box = slide.shapes.add_textbox(
        MARGIN, Emu(SLIDE_HEIGHT - height - Inches(0.1)), CONTENT_WIDTH, height
    )
    box.text_frame.word_wrap = True
    run = box.text_frame.paragraphs[0].add_run()
    run.text = text
    run.font.size = Pt(11)
    run.font.color.rgb = _rgb(GREY_MID)


def _table(
    slide: Slide,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[float] | None = None,
) -> None:
    top = Inches(1.3)
    height = Emu(Inches(0.4) * (len(rows) + 1))
    shape = slide.shapes.add_table(len(rows) + 1, len(header), MARGIN, top, CONTENT_WIDTH, height)
    table = shape.table
    if widths:
        total = sum(widths)
        for index, width in enumerate(widths):
            table.columns[index].width = Emu(int((SLIDE_WIDTH - 2 * MARGIN) * width / total))
    for col, text in enumerate(header):
        cell = table.cell(0, col)
        cell.text = text
        cell.fill.solid()
        cell.fill.fore_color.rgb = _rgb(BLEU_FRANCE)
        font = cell.text_frame.paragraphs[0].runs[0].font
        font.size, font.bold, font.color.rgb = Pt(13), True, _rgb("#FFFFFF")
    for r, row in enumerate(rows, start=1):
        for col, text in enumerate(row):
            cell = table.cell(r, col)
            cell.text = text
            font = cell.text_frame.paragraphs[0].runs[0].font
            font.size, font.color.rgb = Pt(12), _rgb(GREY_TEXT)


HEADLINE_ROWS_PER_SLIDE = 8


def _headline_slide(prs: Presentation, data: CommitteeData) -> None:
    """The headline table, on as many slides as its rows need (long labels wrap)."""
    rows = headline_rows(data)
    presented = (
        f"Présenté le {format_date(data.presented.committee_date)}"
        if data.presented
        else "Présenté au dernier comité"
    )
    pages = _chunks(rows, HEADLINE_ROWS_PER_SLIDE)
    for number, chunk in enumerate(pages):
        slide = _add_title(prs, "Indicateurs clés" + (" (suite)" if number else ""))
        if not chunk:
            _message(slide, NO_DATA)
        else:
            _table(
                slide,
                [
                    "Indicateur",
                    "Période précédente",
                    "Période du comité",
                    "Évolution",
                    presented,
                    "Cible",
                ],
                [[r.label, r.previous, r.current, r.change, r.presented, r.target] for r in chunk],
                widths=[4.2, 1.8, 1.8, 1.3, 1.8, 2.6],
            )
        _footnote(
            slide,
            f"Période du comité {data.period_text} ; période précédente {data.previous_text}. "
            "* Dernière cohorte mensuelle suivie X jours (son mois entre parenthèses). Source : "
            f"base opérationnelle. {_scope_note(data)}"
            + _rounding_note(data)
            + (f" {data.legal_note}" if data.legal_note else ""),
        )


def _rounding_note(data: CommitteeData) -> str:
    """« Effectifs arrondis à 5 près… » when the table's person counts are rounded."""
    base = rounding_of(data.current.values())
    return f" {ROUNDING_NOTE.format(base=base)}" if base and base > 1 else ""


def _message(slide: Slide, text: str) -> None:
    box = slide.shapes.add_textbox(MARGIN, Inches(3), CONTENT_WIDTH, Inches(1))
    run = box.text_frame.paragraphs[0].add_run()
    run.text = text
    run.font.size = Pt(24)
    run.font.color.rgb = _rgb(GREY_MID)


def _step_points(desc: ChartDescription, index: int) -> list[tuple[float, float]]:
    """A step curve as XY points: each value held until the next day with a value."""
    points: list[tuple[float, float]] = []
    serie = desc.series[index]
    for day, value in zip(desc.categories, serie.values, strict=True):
        if value is None:
            continue
        if points:
            points.append((float(day), points[-1][1]))
        points.append((float(day), value))
    return points


def native_chart_data(desc: ChartDescription) -> CategoryChartData | XyChartData:
    """The chart data of a description: values in their unit (ratios between 0 and 1)."""
    number_format = _NUMBER_FORMATS[desc.unit]
    if desc.kind == "step":
        xy = XyChartData(number_format=number_format)
        for index, serie in enumerate(desc.series):
            series = xy.add_series(serie.name, number_format=number_format)
            for x, y in _step_points(desc, index):
                series.add_data_point(x, y)
        return xy
    data = CategoryChartData(number_format=number_format)
    data.categories = [str(c) for c in desc.categories]
    for serie in desc.series:
        data.add_series(
            serie.name, [None if serie.masked(i) else v for i, v in enumerate(serie.values)]
        )
    return data


def _chart_type(desc: ChartDescription) -> XL_CHART_TYPE:
    return {
        "bar": XL_CHART_TYPE.COLUMN_CLUSTERED,
        "hbar": XL_CHART_TYPE.BAR_CLUSTERED,
        "line": XL_CHART_TYPE.LINE_MARKERS,
        "step": XL_CHART_TYPE.XY_SCATTER_LINES_NO_MARKERS,
    }[desc.kind]


def _style_chart(chart: Chart, desc: ChartDescription) -> None:
    chart.has_title = False
    chart.font.size = Pt(12)
    chart.has_legend = len(desc.series) > 1
    if chart.has_legend:
        chart.legend.position = XL_LEGEND_POSITION.TOP
        chart.legend.include_in_layout = False
    for index, series in enumerate(chart.plots[0].series):
        colour = _rgb(PALETTE[index % len(PALETTE)])
        if desc.kind in ("bar", "hbar"):
            series.format.fill.solid()
            series.format.fill.fore_color.rgb = colour
        else:
            series.format.line.color.rgb = colour
            series.format.line.width = Pt(2.5)
            series.smooth = False
    if desc.kind in ("bar", "hbar"):
        plot = chart.plots[0]
        plot.has_data_labels = True
        plot.data_labels.number_format = _NUMBER_FORMATS[desc.unit]
        plot.data_labels.number_format_is_linked = False
        plot.data_labels.font.size = Pt(11)
        if desc.kind == "hbar":
            chart.category_axis.reverse_order = True
    value_axis = chart.value_axis
    value_axis.has_title = True
    value_axis.axis_title.text_frame.text = desc.unit_title.replace(" (%)", "")
    value_axis.tick_labels.number_format = _NUMBER_FORMATS[desc.unit]
    value_axis.tick_labels.number_format_is_linked = False
    if desc.unit == "ratio":
        value_axis.minimum_scale = 0
        value_axis.maximum_scale = 1


def _masked_names(desc: ChartDescription) -> list[str]:
    return [
        f"{serie.name} — {desc.categories[i]}" if len(desc.series) > 1 else str(desc.categories[i])
        for serie in desc.series
        for i in range(len(serie.values))
        if serie.masked(i)
    ]


def _chart_slide(prs: Presentation, desc: ChartDescription) -> None:
    slide = _add_title(prs, desc.title)
    if not desc.has_data:
        _message(slide, NO_DATA)
        _footnote(slide, desc.footnote)
        return
    notes = [desc.footnote]
    masked = _masked_names(desc)
    if masked:
        notes.append("Non diffusés (secret statistique) : " + ", ".join(masked) + ".")
    target = desc.target_text()
    if target:
        notes.insert(0, target + ".")
    footnote = " ".join(notes)
    top = Inches(1.25)
    height = Emu(SLIDE_HEIGHT - top - footnote_height(footnote) - Inches(0.25))
    # python-pptx annotates add_chart as taking a ChartData and returning the Chart; it takes
    # any chart data (XY included) and returns the graphic frame holding the chart (its own
    # docstring says so), hence the two casts.
    frame = cast(
        GraphicFrame,
        slide.shapes.add_chart(
            _chart_type(desc),
            MARGIN,
            top,
            CONTENT_WIDTH,
            height,
            cast(ChartData, native_chart_data(desc)),
        ),
    )
    _style_chart(frame.chart, desc)
    _footnote(slide, footnote)


def _map_slide(prs: Presentation, data: CommitteeData) -> None:
    """The coverage map as an image: PowerPoint has no native chart type for a map."""
    if data.map_category is None or not data.map_communes:
        return
    from charts.coverage_map import coverage_map
    from charts.images import ImageExportUnavailable, figure_image

    label = category_label(data.map_category)
    slide = _add_title(prs, f"Offre partenaire : couverture « {label} » par commune")
    if data.map_geojson is None:  # the outlines file was unusable: say why on the slide
        _message(slide, data.map_error or NO_DATA)
        return
    try:
        figure = coverage_map(
            data.map_communes,
            data.map_geojson,
            data.map_category,
            data.scope.as_of,
            data.threshold,
        )
        image = figure_image(figure, "png")
    except ImageExportUnavailable as exc:
        _message(slide, str(exc))
        return
    top = Inches(1.2)
    height = Emu(SLIDE_HEIGHT - top - Inches(0.9))
    slide.shapes.add_picture(io.BytesIO(image), MARGIN, top, height=height)
    _footnote(
        slide,
        f"Besoin le moins couvert sur la période. Carte insérée en image (pas de graphique "
        f"PowerPoint natif pour une carte). Source : base opérationnelle. {_scope_note(data)}",
    )


def _roadmap_slide(prs: Presentation, data: CommitteeData) -> None:
    done = data.current.get("roadmap_done_rate")
    total = data.current.get("roadmap_steps_total")
    late = data.current.get("roadmap_late_steps")
    if done is None:
        return
    slide = _add_title(prs, "Feuille de route : avancement par axe")
    totals = {row.key: row for row in (total.breakdowns.get("axis", ()) if total else ())}
    lates = {row.key: row for row in (late.breakdowns.get("axis", ()) if late else ())}
    rows = []
    for row in done.breakdowns.get("axis", ()):
        rows.append(
            [
                row.label,
                _int(totals[row.key].value) if row.key in totals else "—",
                _int(row.numerator),
                _int(lates[row.key].value) if row.key in lates else "—",
                format_rate(row.value, digits=0),
            ]
        )
    if rows:
        _table(
            slide,
            ["Axe", "Étapes", "Réalisées", "En retard", "Part réalisée"],
            rows,
            widths=[6, 1.5, 1.5, 1.5, 1.8],
        )
    else:
        _message(slide, NO_DATA)
    _footnote(
        slide,
        f"Statuts au {format_date(data.scope.as_of)} ; part réalisée = étapes faites ÷ étapes "
        f"non abandonnées. {_scope_note(data)}",
    )


def _int(value: float | None) -> str:
    return "—" if value is None else f"{int(value)}"


_Item = TypeVar("_Item")


def _chunks(items: list[_Item], size: int) -> list[list[_Item]]:
    return [items[i : i + size] for i in range(0, len(items), size)] or [[]]


def _late_slides(prs: Presentation, data: CommitteeData) -> None:
    late = data.late_steps
    pages = _chunks(late, ROWS_PER_TABLE_SLIDE)
    for number, chunk in enumerate(pages, start=1):
        suffix = f" ({number}/{len(pages)})" if len(pages) > 1 else ""
        slide = _add_title(prs, f"Étapes en retard{suffix}")
        _footnote(slide, f"Statuts au {format_date(data.scope.as_of)}. {_scope_note(data)}")
        if not chunk:
            _message(slide, "Aucune étape en retard.")
            continue
        _table(
            slide,
            ["Id", "Axe", "Étape", "Échéance", "Responsables", "Statut"],
            [
                [
                    s.step_id,
                    s.axis,
                    s.step,
                    s.due_label or format_date(s.due_date),
                    ", ".join(s.owners),
                    s.status_label,
                ]
                for s in chunk
            ],
            widths=[0.9, 2.2, 5.0, 1.8, 1.6, 1.3],
        )


def _actions_slides(prs: Presentation, data: CommitteeData) -> None:
    items = [("Décision", a) for a in data.decisions] + [("Action", a) for a in data.actions]
    pages = _chunks(items, ROWS_PER_TABLE_SLIDE)
    for number, chunk in enumerate(pages, start=1):
        suffix = f" ({number}/{len(pages)})" if len(pages) > 1 else ""
        slide = _add_title(prs, f"Décisions et actions ouvertes{suffix}")
        _footnote(
            slide,
            f"Décisions et actions enregistrées au {format_date(data.scope.as_of)}, actions "
            f"ouvertes à cette date. {_scope_note(data)}",
        )
        if not chunk:
            _message(slide, "Aucune décision ni action ouverte.")
            continue
        _table(
            slide,
            ["Type", "Libellé", "Responsable", "Échéance", "Étape"],
            [
                [kind, a.text, a.owner_label, format_date(a.due_date), a.step_id or "—"]
                for kind, a in chunk
            ],
            widths=[1.2, 6.4, 2.2, 1.8, 0.9],
        )


def build_deck(data: CommitteeData) -> bytes:
    """The committee deck as .pptx bytes."""
    prs = new_presentation()
    prs.slide_width, prs.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
    _title_slide(prs, data)
    _headline_slide(prs, data)
    for desc in committee_charts(data):
        _chart_slide(prs, desc)
    _map_slide(prs, data)
    _roadmap_slide(prs, data)
    _late_slides(prs, data)
    _actions_slides(prs, data)
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()
