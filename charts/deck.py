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

import datetime as dt
import io
import math
from collections.abc import Callable, Sequence
from typing import cast

from pptx import Presentation as new_presentation
from pptx.chart.chart import Chart
from pptx.chart.data import CategoryChartData, ChartData, XyChartData
from pptx.chart.datalabel import DataLabel
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION, XL_MARKER_STYLE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.presentation import Presentation
from pptx.shapes.graphfrm import GraphicFrame
from pptx.slide import Slide
from pptx.util import Emu, Inches, Pt

from charts.builders import rounding_of
from charts.committee import committee_charts, headline_rows
from charts.deck_highlights import SLIDE_TITLE as HIGHLIGHTS_TITLE
from charts.deck_highlights import (
    Comment,
    box_height,
    comment_box,
    fill_slide,
    place,
    slide_pages,
    speaker_notes,
)
from charts.description import DEMO_NOTE, ROUNDING_NOTE, ChartDescription
from charts.theme import BLEU_FRANCE, EXPORT_HEIGHT, EXPORT_WIDTH, GREY_MID, GREY_TEXT, PALETTE
from formatting import NO_DATA, format_date, format_days_late, format_rate
from metrics.committee import CommitteeData
from metrics.coverage import category_label
from metrics.roadmap import days_late
from metrics.summary import MonthPoint

SLIDE_WIDTH = Inches(13.333)
SLIDE_HEIGHT = Inches(7.5)
MARGIN = Inches(0.5)
# Length arithmetic gives plain ints: shapes take a Length, hence the Emu(...) around sums.
CONTENT_WIDTH = Emu(SLIDE_WIDTH - 2 * MARGIN)
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
    # The default layout places both for a 4:3 slide (10 inches wide): centre them on 16:9.
    for shape, top, height in (
        (slide.shapes.title, Inches(1.6), Inches(1.8)),
        (subtitle, Inches(3.6), Inches(2.6)),
    ):
        shape.left, shape.width = Inches(1), Emu(SLIDE_WIDTH - Inches(2))
        shape.top, shape.height = top, height
        for paragraph in shape.text_frame.paragraphs:
            paragraph.alignment = PP_ALIGN.CENTER


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


# Room for text, measured the way the renderer without the template's Calibri draws it:
# LibreOffice falls back on DejaVu Sans, whose characters are about 0.56 em wide on average
# (Calibri's are narrower, so PowerPoint only gets more room). Lines are 1.2 em apart; a cell
# or a text box keeps 0.1 inch left and right, 0.05 inch above and below (python-pptx's
# defaults).
CHAR_EM = 0.56
LINE_EM = 1.2
INSET_X = Inches(0.2)
INSET_Y = Inches(0.1)
FOOTNOTE_PT = 11
FOOTNOTE_BOTTOM = Inches(0.1)
TABLE_TOP = Inches(1.3)
TABLE_GAP = Inches(0.15)  # between a table and the footnote under it
BODY_PT = 12
HEADER_PT = 13


def text_lines(text: str, width: int, size_pt: float) -> int:
    """How many lines ``text`` takes in a box ``width`` EMU wide at ``size_pt`` (words wrap
    whole; a word longer than the line is broken)."""
    per_line = max(1, int((width - INSET_X) / 12700 / (size_pt * CHAR_EM)))
    lines = 0
    for paragraph in text.split("\n"):
        count, used = 1, 0
        for word in paragraph.split():
            if used and used + 1 + len(word) <= per_line:
                used += 1 + len(word)
                continue
            if used:
                count += 1
            used = len(word)
            while used > per_line:
                count, used = count + 1, used - per_line
        lines += count
    return lines


def text_height(lines: int, size_pt: float) -> Emu:
    """The height of ``lines`` lines at ``size_pt``, insets included."""
    return Emu(int(lines * size_pt * LINE_EM * 12700 + INSET_Y))


def footnote_height(text: str) -> Emu:
    """The room a footnote needs at the foot of a slide."""
    return text_height(max(2, text_lines(text, CONTENT_WIDTH, FOOTNOTE_PT)), FOOTNOTE_PT)


def footnote_top(text: str) -> Emu:
    """Where the footnote starts: what is above must end there."""
    return Emu(SLIDE_HEIGHT - footnote_height(text) - FOOTNOTE_BOTTOM)


def _footnote(slide: Slide, text: str) -> None:
    height = footnote_height(text)
    box = slide.shapes.add_textbox(MARGIN, footnote_top(text), CONTENT_WIDTH, height)
    box.text_frame.word_wrap = True
    run = box.text_frame.paragraphs[0].add_run()
    run.text = text
    run.font.size = Pt(11)
    run.font.color.rgb = _rgb(GREY_MID)


def _column_widths(count: int, widths: Sequence[float] | None) -> list[Emu]:
    shares = list(widths) if widths else [1.0] * count
    return [Emu(int(CONTENT_WIDTH * share / sum(shares))) for share in shares]


def row_height(texts: Sequence[str], widths: Sequence[int], size_pt: float) -> Emu:
    """A table row as tall as its longest cell once wrapped (at least one line)."""
    lines = max(
        (text_lines(text, width, size_pt) for text, width in zip(texts, widths, strict=True)),
        default=1,
    )
    return text_height(max(1, lines), size_pt)


def table_pages(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[float] | None,
    bottom: int,
) -> list[list[Sequence[str]]]:
    """The rows cut into slides: each slide's table, header included, ends above ``bottom``."""
    columns = _column_widths(len(header), widths)
    room = bottom - TABLE_TOP - row_height(header, columns, HEADER_PT)
    pages: list[list[Sequence[str]]] = [[]]
    used = 0
    for row in rows:
        height = row_height(row, columns, BODY_PT)
        if pages[-1] and used + height > room:
            pages.append([])
            used = 0
        pages[-1].append(row)
        used += height
    return pages


def _table(
    slide: Slide,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[float] | None = None,
) -> None:
    """A table whose rows are as tall as their wrapped text (``table_pages`` made it fit)."""
    columns = _column_widths(len(header), widths)
    heights = [row_height(header, columns, HEADER_PT)] + [
        row_height(row, columns, BODY_PT) for row in rows
    ]
    shape = slide.shapes.add_table(
        len(rows) + 1, len(header), MARGIN, TABLE_TOP, CONTENT_WIDTH, Emu(sum(heights))
    )
    table = shape.table
    for index, width in enumerate(columns):
        table.columns[index].width = width
    for index, height in enumerate(heights):
        table.rows[index].height = height
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
            cell.text = text or "—"  # an empty cell would keep the template's 18 pt line
            font = cell.text_frame.paragraphs[0].runs[0].font
            font.size, font.color.rgb = Pt(12), _rgb(GREY_TEXT)


def _table_slides(
    prs: Presentation,
    title: str,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[float],
    footnote: str,
    empty: str,
    *,
    numbered: bool = True,
) -> None:
    """A table on as many slides as its wrapped rows need, each above its footnote: titled
    « Titre (1/2) », « Titre (2/2) », or « Titre », « Titre (suite) » when not ``numbered``."""
    pages = table_pages(header, rows, widths, footnote_top(footnote) - TABLE_GAP)
    for number, chunk in enumerate(pages, start=1):
        if len(pages) == 1:
            suffix = ""
        elif numbered:
            suffix = f" ({number}/{len(pages)})"
        else:
            suffix = " (suite)" if number > 1 else ""
        slide = _add_title(prs, title + suffix)
        if chunk:
            _table(slide, header, chunk, widths)
        else:
            _message(slide, empty)
        _footnote(slide, footnote)


def _headline_slide(prs: Presentation, data: CommitteeData) -> None:
    """The headline table, on as many slides as its rows need once long labels wrap."""
    presented = (
        f"Présenté le {format_date(data.presented.committee_date)}"
        if data.presented
        else "Présenté au dernier comité"
    )
    _table_slides(
        prs,
        "Indicateurs clés",
        ["Indicateur", "Période précédente", "Période du comité", "Évolution", presented, "Cible"],
        [
            [r.label, r.previous, r.current, r.change, r.presented, r.target]
            for r in headline_rows(data)
        ],
        [4.2, 1.8, 1.8, 1.3, 1.8, 2.6],
        f"Période du comité {data.period_text} ; période précédente {data.previous_text}. "
        "* Dernière cohorte mensuelle suivie X jours (son mois entre parenthèses). Source : "
        f"base opérationnelle. {_scope_note(data)}"
        + _rounding_note(data)
        + (f" {data.legal_note}" if data.legal_note else ""),
        NO_DATA,
        numbered=False,
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


LABEL_PT = 11


def label_step(desc: ChartDescription, width: int, height: int) -> int:
    """Every how many bars a value is written so that labels never overlap: 1 (every bar)
    until the bars get narrower (columns) or thinner (horizontal bars) than their labels, as
    with many months side by side."""
    bars = max(1, len(desc.categories) * len(desc.series))
    if desc.kind == "hbar":  # labels stacked: one line of text per bar
        room, need = height * 0.8 / bars, LABEL_PT * LINE_EM * 12700
    else:  # labels side by side: the widest one per bar
        values = [v for serie in desc.series for v in serie.values if v is not None]
        widest = max((len(desc.format_value(v)) for v in values), default=4)
        room, need = width * 0.85 / bars, (widest + 2) * LABEL_PT * CHAR_EM * 12700
    return max(1, math.ceil(need / room))


def _hide_label(label: DataLabel) -> None:
    """No value written on this bar (its neighbours carry theirs; the axis gives the scale)."""
    d_lbl = label._get_or_add_dLbl()
    for child in d_lbl.iterchildren():
        if child.tag.endswith("}showVal"):
            child.set("val", "0")


def _style_chart(chart: Chart, desc: ChartDescription, width: int, height: int) -> None:
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
        plot.data_labels.font.size = Pt(LABEL_PT)
        step = label_step(desc, width, height)
        for series in plot.series if step > 1 else ():
            # a series with labels of its own no longer reads the plot's: say them again
            labels = series.data_labels
            labels.show_value = True
            labels.number_format = _NUMBER_FORMATS[desc.unit]
            labels.number_format_is_linked = False
            labels.font.size = Pt(LABEL_PT)
            for index in range(len(desc.categories)):
                if index % step:
                    _hide_label(series.points[index].data_label)
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


MASKED_NAMED = 6  # masked points named in a footnote; beyond, counted


def _masked_names(desc: ChartDescription) -> list[str]:
    return [
        f"{serie.name} — {desc.categories[i]}" if len(desc.series) > 1 else str(desc.categories[i])
        for serie in desc.series
        for i in range(len(serie.values))
        if serie.masked(i)
    ]


def masked_note(desc: ChartDescription) -> str | None:
    """« Non diffusés (secret statistique) : … » naming the first masked points and counting
    the others, so that a long monthly series does not leave the chart no room."""
    masked = _masked_names(desc)
    if not masked:
        return None
    named = ", ".join(masked[:MASKED_NAMED])
    more = len(masked) - MASKED_NAMED
    rest = f" et {more} autre{'s' if more > 1 else ''} (tableau de la page)" if more > 0 else ""
    return f"Non diffusés (secret statistique) : {named}{rest}."


def _chart_slide(
    prs: Presentation,
    desc: ChartDescription,
    comments: Sequence[Comment] = (),
    label: Callable[[str], str] = str,
) -> None:
    slide = _add_title(prs, desc.title)
    speaker_notes(slide, comments, label)
    if not desc.has_data:
        _message(slide, NO_DATA)
        _footnote(slide, desc.footnote)
        return
    notes = [desc.footnote]
    masked = masked_note(desc)
    if masked:
        notes.append(masked)
    target = desc.target_text()
    if target:
        notes.insert(0, target + ".")
    footnote = " ".join(notes)
    top = Emu(Inches(1.25))
    if comments:  # the lead's words above the chart, which gives up their height
        comment_box(slide, comments, label, left=MARGIN, top=top, width=CONTENT_WIDTH)
        top = Emu(top + box_height(comments, label))
    height = Emu(footnote_top(footnote) - top - TABLE_GAP)
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
    _style_chart(frame.chart, desc, CONTENT_WIDTH, height)
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
    footnote = (
        "Besoin le moins couvert sur la période ; traits épais : limites des UTAS. Carte insérée "
        "en image (pas de graphique PowerPoint natif pour une carte). Source : base "
        f"opérationnelle, services actifs au {format_date(data.scope.as_of)}. {_scope_note(data)}"
    )
    top = Inches(1.2)
    height = Emu(footnote_top(footnote) - top - TABLE_GAP)
    # drawn at the size of its box (96 pixels an inch, twice as fine), so that it fills the
    # slide and its legend and names keep their size instead of shrinking with the picture
    pixels = (int(CONTENT_WIDTH / 9525), int(height / 9525))
    try:
        figure = coverage_map(
            data.map_communes,
            data.map_geojson,
            data.map_category,
            data.scope.as_of,
            data.threshold,
            height=pixels[1],
        )
        figure.update_layout(
            title={"text": ""},
            margin={"l": 0, "r": 0, "t": 10, "b": 10},
            legend={
                "orientation": "v",
                "x": 1,
                "xanchor": "right",
                "y": 0.5,
                "yanchor": "middle",
                "font": {"size": 16},
            },
        )
        # the UTAS names only: the source is in the footnote (``update_layout`` would merge
        # a shorter list into the old one item by item)
        figure.layout.annotations = [a for a in figure.layout.annotations if a.xref == "x"]
        figure.update_xaxes(domain=[0, 0.7])  # the legend in the room on the right
        image = figure_image(figure, "png", width=pixels[0], height=pixels[1])
    except ImageExportUnavailable as exc:
        _message(slide, str(exc))
        return
    slide.shapes.add_picture(io.BytesIO(image), MARGIN, top, CONTENT_WIDTH, height)
    _footnote(slide, footnote)


def _roadmap_slide(prs: Presentation, data: CommitteeData) -> None:
    done = data.current.get("roadmap_done_rate")
    total = data.current.get("roadmap_steps_total")
    late = data.current.get("roadmap_late_steps")
    if done is None:
        return
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
    _table_slides(
        prs,
        "Feuille de route : avancement par axe",
        ["Axe", "Étapes", "Réalisées", "En retard", "Part réalisée"],
        rows,
        [6, 1.5, 1.5, 1.5, 1.8],
        f"Statuts au {format_date(data.scope.as_of)} ; part réalisée = étapes faites ÷ étapes "
        f"non abandonnées. {_scope_note(data)}",
        NO_DATA,
    )


def _int(value: float | None) -> str:
    return "—" if value is None else f"{int(value)}"


def _due(day: dt.date | None, label: str | None) -> str:
    """The due date with its year (« 31 mars 2024 »), else the roadmap's own words."""
    return format_date(day) if day else (label or "—")


def _late_slides(prs: Presentation, data: CommitteeData) -> None:
    """Late steps, the latest first, each with its days late at the as-of date."""
    as_of = data.scope.as_of
    late = sorted(data.late_steps, key=lambda s: (-days_late(s, as_of), s.position))
    _table_slides(
        prs,
        "Étapes en retard",
        ["Id", "Axe", "Étape", "Échéance", "Retard", "Responsables", "Statut"],
        [
            [
                s.step_id,
                s.axis,
                s.step,
                _due(s.due_date, s.due_label),
                format_days_late(days_late(s, as_of)),
                ", ".join(s.owners),
                s.status_label,
            ]
            for s in late
        ],
        [0.8, 1.8, 4.1, 1.6, 1.9, 1.7, 1.2],
        f"Statuts au {format_date(as_of)} ; retard compté de l'échéance à cette date. "
        f"{_scope_note(data)}",
        "Aucune étape en retard.",
    )


def _actions_slides(prs: Presentation, data: CommitteeData) -> None:
    """Decisions, then open actions; an overdue action says by how many days."""
    as_of = data.scope.as_of
    items = [("Décision", a) for a in data.decisions] + [("Action", a) for a in data.actions]
    _table_slides(
        prs,
        "Décisions et actions ouvertes",
        ["Type", "Libellé", "Responsable", "Échéance", "Retard", "Étape"],
        [
            [
                kind,
                a.text,
                a.owner_label,
                format_date(a.due_date),
                format_days_late(a.days_late(as_of))
                if kind == "Action" and a.is_late(as_of)
                else "",
                a.step_id or "—",
            ]
            for kind, a in items
        ],
        [1.2, 5.4, 2.0, 1.7, 1.7, 0.9],
        f"Décisions et actions enregistrées au {format_date(as_of)}, actions ouvertes à cette "
        f"date ; retard compté de l'échéance à cette date. {_scope_note(data)}",
        "Aucune décision ni action ouverte.",
    )


def _highlight_slides(prs: Presentation, data: CommitteeData, comments: Sequence[Comment]) -> None:
    """« Faits marquants »: the committee-wide comments and those whose indicator has no
    chart slide, in full on the slide and again in its speaker notes."""
    pages = slide_pages(comments, data.label)
    for number, page in enumerate(pages):
        slide = _add_title(prs, HIGHLIGHTS_TITLE + (" (suite)" if number else ""))
        note = (
            "Écrits par les chefs de projet, tels qu'enregistrés au "
            f"{format_date(data.scope.as_of)}. {_scope_note(data)}"
        )
        top = Inches(1.3)
        height = Emu(footnote_top(note) - top - TABLE_GAP)
        fill_slide(
            slide, page, data.label, left=MARGIN, top=top, width=CONTENT_WIDTH, height=height
        )
        speaker_notes(slide, page, data.label)
        _footnote(slide, note)


def build_deck(data: CommitteeData) -> bytes:
    """The committee deck as .pptx bytes."""
    prs = new_presentation()
    prs.slide_width, prs.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
    _title_slide(prs, data)
    _summary_slide(prs, data)
    _headline_slide(prs, data)
    charts = committee_charts(data)
    on_charts, rest = place(data.highlights, charts, data.label)
    _highlight_slides(prs, data, rest)
    _territories_slide(prs, data)
    for desc in charts:
        _chart_slide(prs, desc, on_charts.get(desc.key, ()), data.label)
    _map_slide(prs, data)
    _roadmap_slide(prs, data)
    _late_slides(prs, data)
    _actions_slides(prs, data)
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()


# --- the one-glance summary (« météo ») -----------------------------------------------------

SUMMARY_TITLE = "Météo des objectifs"
# inches: État, Objectif, Valeur, Cible, 12 mois (wide enough for « Douze derniers mois » on
# one line: a header on two lines would push the rows under their sparklines)
_SUMMARY_WIDTHS = (2.1, 4.9, 1.9, 1.1, 2.333)
_SUMMARY_ROW = Inches(0.56)
_SUMMARY_HEADER = Inches(0.4)


def _sparkline(
    slide: Slide,
    points: Sequence[MonthPoint],
    unit: str,
    left: Emu,
    top: Emu,
    width: Emu,
    height: Emu,
) -> None:
    """Twelve months as a small native line chart (no axis, no legend); masked months are
    gaps."""
    from charts.summary import spark_range

    bounds = spark_range(points)
    if bounds is None:
        return
    chart_data = CategoryChartData(number_format=_NUMBER_FORMATS.get(unit, "General"))
    chart_data.categories = [p.month.strftime("%m/%Y") for p in points]
    chart_data.add_series("Douze derniers mois", [p.value for p in points])
    # the same casts as ``_chart_slide``: add_chart returns the frame holding the chart
    frame = cast(
        GraphicFrame,
        slide.shapes.add_chart(
            XL_CHART_TYPE.LINE, left, top, width, height, cast(ChartData, chart_data)
        ),
    )
    chart = frame.chart
    chart.has_legend = False
    chart.has_title = False
    chart.category_axis.visible = False
    chart.value_axis.visible = False
    chart.value_axis.has_major_gridlines = False
    low, high = bounds
    margin = (high - low) * 0.15  # the line never touches the row's borders
    chart.value_axis.minimum_scale, chart.value_axis.maximum_scale = low - margin, high + margin
    series = chart.plots[0].series[0]
    series.smooth = False
    series.format.line.color.rgb = _rgb(GREY_TEXT)
    series.format.line.width = Pt(1.75)
    series.marker.style = XL_MARKER_STYLE.NONE


def _summary_slide(prs: Presentation, data: CommitteeData) -> None:
    """The first content slide: one line per objective, its state in a word and a symbol
    (never a colour alone), value, target and twelve months."""
    from charts.summary import (
        HEADER,
        LEVEL_COLORS,
        headline,
        method_text,
        summary_rows,
    )

    slide = _add_title(prs, SUMMARY_TITLE)
    rows = summary_rows(data.summary, data.threshold)
    note = f"{headline(rows)} " + (
        method_text(data.summary_gaps) + " " if data.summary_gaps else ""
    )
    _footnote(slide, f"{note}Source : base opérationnelle. {_scope_note(data)}")
    if not rows:
        _message(slide, NO_DATA)
        return
    top = Inches(1.2)
    width = Emu(SLIDE_WIDTH - 2 * MARGIN)
    shape = slide.shapes.add_table(
        len(rows) + 1,
        len(HEADER),
        MARGIN,
        top,
        width,
        Emu(_SUMMARY_HEADER + _SUMMARY_ROW * len(rows)),
    )
    table = shape.table
    total = sum(_SUMMARY_WIDTHS)
    for index, share in enumerate(_SUMMARY_WIDTHS):
        table.columns[index].width = Emu(int(width * share / total))
    table.rows[0].height = _SUMMARY_HEADER
    for col, text in enumerate(HEADER):
        cell = table.cell(0, col)
        cell.text = text
        cell.fill.solid()
        cell.fill.fore_color.rgb = _rgb(BLEU_FRANCE)
        font = cell.text_frame.paragraphs[0].runs[0].font
        font.size, font.bold, font.color.rgb = Pt(13), True, _rgb("#FFFFFF")
    for r, row in enumerate(rows, start=1):
        table.rows[r].height = _SUMMARY_ROW
        texts = [f"{row.symbol} {row.level_label}", row.label, row.value, row.target, ""]
        for col, text in enumerate(texts):
            cell = table.cell(r, col)
            cell.vertical_anchor = MSO_ANCHOR.MIDDLE  # level with the row's sparkline
            cell.fill.solid()
            cell.fill.fore_color.rgb = _rgb("#FFFFFF" if r % 2 else "#F6F6F6")
            cell.text = text
            if not text:
                continue
            font = cell.text_frame.paragraphs[0].runs[0].font
            font.size, font.color.rgb = Pt(13), _rgb(GREY_TEXT)
            if col == 0:
                font.bold, font.color.rgb = True, _rgb(LEVEL_COLORS[row.level])
            if col == 2:
                font.bold = True
        if row.detail:
            paragraph = table.cell(r, 1).text_frame.add_paragraph()
            run = paragraph.add_run()
            run.text = row.detail
            run.font.size, run.font.color.rgb = Pt(10), _rgb(GREY_MID)
    left = MARGIN + sum((table.columns[i].width for i in range(4)), Emu(0))
    column = table.columns[4].width
    for r, row in enumerate(rows):
        y = top + _SUMMARY_HEADER + _SUMMARY_ROW * r
        _sparkline(
            slide,
            row.points,
            row.unit,
            Emu(left + Inches(0.08)),
            Emu(y + Inches(0.06)),
            Emu(column - Inches(0.16)),
            Emu(_SUMMARY_ROW - Inches(0.12)),
        )


TERRITORIES_TITLE = "Territoires côte à côte : chaque UTAS face aux cibles"


def _territories_slide(prs: Presentation, data: CommitteeData) -> None:
    """Each UTAS ranked against each target, as the page draws it (a picture: PowerPoint has
    no native chart of several ranked panels); its sentence in the speaker notes."""
    if not data.territories:
        return
    from charts.images import ImageExportUnavailable, figure_image
    from charts.territories import territories_figure, territories_summary

    slide = _add_title(prs, TERRITORIES_TITLE)
    summary = territories_summary(data.territories, data.threshold)
    notes = slide.notes_slide.notes_text_frame
    if notes is not None:
        notes.text = summary
    _footnote(
        slide,
        "Chaque UTAS classée de la meilleure à la moins bonne ; masquées (secret statistique) "
        f"en dernier, sans valeur. Source : base opérationnelle. {_scope_note(data)}",
    )
    figure = territories_figure(
        data.territories, "utas", data.scope.as_of, data.threshold, columns=3
    )
    figure.update_layout(title={"text": ""}, margin={"t": 70})
    try:
        image = figure_image(figure, "png")
    except ImageExportUnavailable as exc:
        _message(slide, str(exc))
        return
    top = Inches(1.15)
    height = Emu(SLIDE_HEIGHT - top - footnote_height("x") - Inches(0.2))
    width = Emu(int(height * EXPORT_WIDTH / EXPORT_HEIGHT))
    slide.shapes.add_picture(io.BytesIO(image), Emu((SLIDE_WIDTH - width) // 2), top, height=height)
