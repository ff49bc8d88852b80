"""The deck's « météo » slide (the first content slide) and its territories and year-on-year
figures: the same texts as the page, masked values masked, sparklines as native charts."""

from __future__ import annotations

import datetime as dt
import io

from pptx import Presentation
from pptx.util import Emu

from charts.deck import SLIDE_HEIGHT, SLIDE_WIDTH
from charts.summary import LEVEL_LABELS, LEVEL_SYMBOLS, summary_rows
from formatting import secret_label
from metrics.committee import gather_committee
from metrics.scope import Territory
from reports.deck import export_deck

FROM, TO = dt.date(2024, 5, 1), dt.date(2024, 6, 30)


def _slide(prs, title):  # type: ignore[no-untyped-def]
    return next(
        s for s in prs.slides if s.shapes.title is not None and s.shapes.title.text == title
    )


def _inside(shape) -> bool:  # type: ignore[no-untyped-def]
    return (
        shape.left >= 0
        and shape.top >= 0
        and shape.left + shape.width <= SLIDE_WIDTH
        and shape.top + shape.height <= SLIDE_HEIGHT
    )


def test_summary_is_the_first_content_slide_with_the_page_texts(demo_copy):
    content = export_deck(demo_copy.engine, demo_copy.settings, period_from=FROM, period_to=TO)
    prs = Presentation(io.BytesIO(content))
    assert prs.slides[1].shapes.title.text == "Météo des objectifs"
    slide = prs.slides[1]
    table = next(shape.table for shape in slide.shapes if shape.has_table)
    cells = [[cell.text for cell in row.cells] for row in table.rows]
    assert cells[0] == ["État", "Objectif", "Valeur", "Cible", "Douze derniers mois"]
    data = gather_committee(demo_copy.engine, demo_copy.settings, TO, period_from=FROM)
    rows = summary_rows(data.summary, 11)
    assert len(cells) - 1 == len(rows) == 8
    for drawn, row in zip(cells[1:], rows, strict=True):
        assert drawn[0] == f"{LEVEL_SYMBOLS[row.level]} {LEVEL_LABELS[row.level]}"
        assert drawn[1].split("\n")[0] == row.label
        assert drawn[2:4] == [row.value, row.target]
    charts = [shape.chart for shape in slide.shapes if shape.has_chart]
    drawn_lines = [r for r in rows if any(p.value is not None for p in r.points)]
    assert len(charts) == len(drawn_lines)
    for chart, row in zip(charts, drawn_lines, strict=True):
        assert list(chart.plots[0].series[0].values) == [p.value for p in row.points]
    for shape in slide.shapes:
        assert _inside(shape), shape.name
    # the sparklines sit inside the table's last column
    table_shape = next(shape for shape in slide.shapes if shape.has_table)
    left = table_shape.left + sum((c.width for c in list(table.columns)[:4]), Emu(0))
    for shape in slide.shapes:
        if shape.has_chart:
            assert shape.left >= left and shape.top >= table_shape.top


def test_masked_objectives_read_secret_on_the_slide(demo_copy):
    territory = Territory("commune", "23008")
    content = export_deck(
        demo_copy.engine,
        demo_copy.settings,
        period_from=FROM,
        period_to=TO,
        territory=territory,
    )
    prs = Presentation(io.BytesIO(content))
    table = next(shape.table for shape in prs.slides[1].shapes if shape.has_table)
    data = gather_committee(
        demo_copy.engine, demo_copy.settings, TO, period_from=FROM, territory=territory
    )
    rows = summary_rows(data.summary, 11)
    masked = [i for i, r in enumerate(rows, start=1) if r.level == "secret"]
    assert masked, "le scénario doit comporter un objectif masqué"
    for index in masked:
        assert table.cell(index, 2).text == secret_label(11)
        assert table.cell(index, 0).text.endswith("Secret statistique")


def test_territories_slide_follows_the_key_figures(demo_copy):
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    from charts import images
    from charts.deck import TERRITORIES_TITLE
    from charts.territories import territories_summary

    content = export_deck(demo_copy.engine, demo_copy.settings, period_from=FROM, period_to=TO)
    prs = Presentation(io.BytesIO(content))
    titles = [s.shapes.title.text for s in prs.slides if s.shapes.title is not None]
    assert titles.index(TERRITORIES_TITLE) == titles.index("Indicateurs clés") + 1 or (
        titles.index(TERRITORIES_TITLE) > titles.index("Indicateurs clés")
    )
    slide = _slide(prs, TERRITORIES_TITLE)
    data = gather_committee(demo_copy.engine, demo_copy.settings, TO, period_from=FROM)
    assert slide.notes_slide.notes_text_frame.text == territories_summary(data.territories, 11)
    if images.chromium_path() is not None:
        pictures = [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert len(pictures) == 1
    for shape in slide.shapes:
        assert _inside(shape), shape.name


def test_year_on_year_figures_in_the_committee_data(demo_copy):
    data = gather_committee(demo_copy.engine, demo_copy.settings, TO, period_from=FROM)
    assert data.year_before_scope is not None
    assert data.year_before_scope.start == dt.date(2023, 5, 1)
    assert "entrants" in data.year_before
