"""The committee deck as partners see it: rendered by LibreOffice, nothing runs past a slide.

python-pptx says where each shape was put; only a renderer says where the text went once long
labels wrapped, table rows grew and chart labels were placed. Each deck is converted to PDF and
read back word by word (``pdftotext -bbox``): every word sits inside its page, no two words
overlap (a table over its footnote, data labels on one another), every table row and footnote
is on its page (a row pushed past the slide's edge disappears from the page), and the title slide
is centred. The pages are also drawn as PNG images into the test artefacts, to be looked at.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import shutil
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.util import Emu

from charts.deck import build_deck
from data_access.db import make_engine
from metrics.committee import gather_committee
from metrics.scope import Territory
from tests.conftest import make_settings
from tests.e2e.conftest import REQUIRE_BROWSER
from tests.e2e.deck_render import Page, page_images, pdf_pages, render_pdf, unavailable_reason

# (name, committee period, as-of date, territory): the committee of the demo, and a committee
# a year later on a small territory, where most steps are late, the monthly series are long and
# the scope's name is long.
SCENARIOS = {
    "comite-juin-2024": (dt.date(2024, 5, 1), dt.date(2024, 6, 30), dt.date(2024, 6, 30), None),
    "epci-fin-2024": (
        dt.date(2024, 1, 1),
        dt.date(2024, 6, 30),
        dt.date(2024, 12, 31),
        Territory("epci", "200041556"),
    ),
}
OVERLAP = 0.25  # share of the smaller word's box covered by another word


@pytest.fixture(scope="module")
def renderer() -> None:
    reason = unavailable_reason()
    if reason:
        pytest.fail(reason) if REQUIRE_BROWSER else pytest.skip(reason)


def _shape_texts(shape) -> list[str]:  # type: ignore[no-untyped-def]
    if shape.has_table:
        return [cell.text for row in shape.table.rows for cell in row.cells]
    if shape.has_text_frame:
        return [shape.text_frame.text]
    return []


def _missing_words(texts: list[str], page: Page) -> list[str]:
    """Words of the slide's texts that are not on the rendered page."""
    rendered = "".join(w.text for w in page.words)
    return [
        word
        for text in texts
        for word in text.replace("\u202f", " ").replace("\u00a0", " ").split()
        if word.replace("\u202f", "") not in rendered
    ]


def _overlaps(page: Page) -> list[tuple[str, str]]:
    return [
        (a.text, b.text) for a, b in itertools.combinations(page.words, 2) if a.overlap(b) > OVERLAP
    ]


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_rendered_deck_fits_its_slides(renderer, app_database, artifacts, tmp_path, scenario):
    start, end, as_of, territory = SCENARIOS[scenario]
    engine = make_engine(app_database)
    settings = make_settings(app_database)
    data = gather_committee(
        engine, settings, end, period_from=start, period_to=end, as_of=as_of, territory=territory
    )
    engine.dispose()
    content = build_deck(data)
    prs = Presentation(io.BytesIO(content))
    width, height = prs.slide_width, prs.slide_height

    # python-pptx geometry: every shape inside the slide
    for number, slide in enumerate(prs.slides, start=1):
        for shape in slide.shapes:
            box = (shape.left, shape.top, shape.left + shape.width, shape.top + shape.height)
            assert box[0] >= 0 and box[1] >= 0, f"diapositive {number} : {shape.name} hors cadre"
            assert box[2] <= width and box[3] <= height, (
                f"diapositive {number} : {shape.name} dépasse la diapositive"
            )
            if shape.has_table:  # rows as declared (heights from the estimated lines)
                rows = sum(Emu(row.height) for row in shape.table.rows)
                assert shape.top + rows <= height, f"diapositive {number} : tableau trop haut"

    folder = artifacts / "deck" / scenario
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*"):
        if old.is_file():
            old.unlink()
    pptx = folder / f"{scenario}.pptx"
    pptx.write_bytes(content)
    pdf = render_pdf(pptx, tmp_path)
    shutil.copy(pdf, folder / pdf.name)
    page_images(pdf, folder)
    pages = pdf_pages(pdf)
    assert len(pages) == len(prs.slides), "LibreOffice a ajouté ou retiré des pages"

    problems: list[str] = []
    for number, (slide, page) in enumerate(zip(prs.slides, pages, strict=True), start=1):
        for word in page.words:
            if word.x0 < 0 or word.y0 < 0 or word.x1 > page.width or word.y1 > page.height:
                problems.append(f"diapositive {number} : « {word.text} » hors de la page")
        texts = [t for shape in slide.shapes for t in _shape_texts(shape)]
        missing = _missing_words(texts, page)
        if missing:
            problems.append(f"diapositive {number} : absents de la page rendue : {missing[:8]}")
        overlapping = _overlaps(page)
        if overlapping:
            problems.append(f"diapositive {number} : textes superposés : {overlapping[:6]}")
    assert not problems, "\n".join(problems)

    # the title slide is centred on the 16:9 page
    first = next(w for w in pages[0].words if w.text == "Comité")
    title = [w for w in pages[0].words if abs(w.y0 - first.y0) < 2]  # its first line
    middle = (min(w.x0 for w in title) + max(w.x1 for w in title)) / 2
    assert abs(middle - pages[0].width / 2) < pages[0].width * 0.03, (middle, pages[0].width)


def test_render_helpers_see_a_word_past_the_page(renderer, tmp_path: Path):
    """The check can fail: a text box pushed below the slide loses its words on the page."""
    from pptx.util import Inches, Pt

    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    box = slide.shapes.add_textbox(Inches(1), Inches(7.2), Inches(5), Inches(1))
    box.text_frame.text = "Première ligne\nDeuxième ligne\nTroisième ligne\nQuatrième ligne"
    box.text_frame.paragraphs[0].runs[0].font.size = Pt(20)
    one = slide.shapes.add_textbox(Inches(1), Inches(1), Inches(5), Inches(1))
    one.text_frame.text = "Chevauchement"
    two = slide.shapes.add_textbox(Inches(1.05), Inches(1.02), Inches(5), Inches(1))
    two.text_frame.text = "Chevauchement"
    path = tmp_path / "debord.pptx"
    prs.save(path)
    (page,) = pdf_pages(render_pdf(path, tmp_path))
    assert _missing_words([box.text_frame.text], page)
    assert _overlaps(page)


def test_forty_months_of_labels_do_not_overlap(renderer, artifacts, tmp_path: Path):
    """Forty monthly bars, a value on each would overlap: every few bars carry theirs."""
    from charts.deck import SLIDE_HEIGHT, SLIDE_WIDTH, _chart_slide
    from tests.unit.test_deck_fit import MONTHS, _counts

    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
    _chart_slide(prs, _counts(MONTHS))
    path = tmp_path / "quarante-mois.pptx"
    prs.save(path)
    pdf = render_pdf(path, tmp_path)
    (page,) = pdf_pages(pdf)
    folder = artifacts / "deck" / "quarante-mois"
    folder.mkdir(parents=True, exist_ok=True)
    page_images(pdf, folder)
    labels = [w for w in page.words if w.text.endswith("234")]
    assert 5 <= len(labels) < len(MONTHS)
    assert not _overlaps(page)
