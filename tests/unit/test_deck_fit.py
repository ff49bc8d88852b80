"""The deck's own measures of text, before any renderer: tables cut into slides that end above
their footnote, data labels thinned when bars get narrow, masked points counted beyond a few.
The rendering itself is checked by tests/e2e/test_deck_render.py (LibreOffice)."""

from __future__ import annotations

import datetime as dt
import io

from pptx import Presentation

from charts.deck import (
    BODY_PT,
    CONTENT_WIDTH,
    SLIDE_HEIGHT,
    TABLE_TOP,
    _chart_slide,
    label_step,
    masked_note,
    row_height,
    table_pages,
    text_lines,
)
from charts.description import ChartDescription, Series

MONTHS = tuple(f"mois {i}" for i in range(1, 41))


def _counts(months: tuple[str, ...], masked: int = 0) -> ChartDescription:
    return ChartDescription(
        key="entrants",
        title="Entrants par mois",
        unit="count",
        kind="bar",
        x_title="Mois",
        categories=months,
        series=(
            Series(
                "Entrants",
                tuple(1234.0 for _ in months),
                tuple(i < masked for i in range(len(months))),
            ),
        ),
        as_of=dt.date(2024, 6, 30),
        threshold=11,
    )


def test_lines_wrap_whole_words():
    narrow = int(CONTENT_WIDTH / 10)
    assert text_lines("Entrants", CONTENT_WIDTH, BODY_PT) == 1
    assert text_lines("Part des entrants convoqués sous 15 jours", narrow, BODY_PT) >= 3
    assert text_lines("a\nb", CONTENT_WIDTH, BODY_PT) == 2


def test_long_rows_go_to_the_next_slide_and_every_slide_fits():
    header = ["Indicateur", "Valeur"]
    rows = [["Un libellé d'indicateur assez long pour tenir sur deux lignes " * 2, "1"]] * 12
    widths = [3.0, 1.0]
    bottom = SLIDE_HEIGHT - 914400  # one inch for the footnote
    pages = table_pages(header, rows, widths, bottom)
    assert len(pages) > 1 and sum(len(p) for p in pages) == len(rows)
    columns = [int(CONTENT_WIDTH * 3 / 4), int(CONTENT_WIDTH / 4)]
    for page in pages:
        used = (
            TABLE_TOP
            + row_height(header, columns, 13)
            + sum(row_height(r, columns, BODY_PT) for r in page)
        )
        assert used <= bottom


def test_labels_thin_out_with_many_months():
    assert label_step(_counts(MONTHS[:6]), CONTENT_WIDTH, 4 * 914400) == 1
    assert label_step(_counts(MONTHS), CONTENT_WIDTH, 4 * 914400) >= 2


def test_thinned_labels_are_switched_off_point_by_point():
    prs = Presentation()
    prs.slide_width, prs.slide_height = CONTENT_WIDTH + 914400, SLIDE_HEIGHT
    _chart_slide(prs, _counts(MONTHS))
    chart = next(s.chart for s in prs.slides[0].shapes if s.has_chart)
    xml = chart._chartSpace.xml
    hidden = xml.count('<c:showVal val="0"/>')
    step = label_step(_counts(MONTHS), CONTENT_WIDTH, 4 * 914400)
    assert hidden >= len(MONTHS) - len(MONTHS) // step - 1
    buffer = io.BytesIO()
    prs.save(buffer)  # still a valid file


def test_many_masked_points_are_counted_not_listed():
    note = masked_note(_counts(MONTHS, masked=20)) or ""
    assert note.startswith("Non diffusés (secret statistique) : mois 1, mois 2,")
    assert note.endswith(" et 14 autres (tableau de la page).")
    assert masked_note(_counts(MONTHS[:3])) is None
