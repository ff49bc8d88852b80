"""« Faits marquants » in the committee deck: gathered as of the deck's date (both engines),
on a « Faits marquants » slide and in the speaker notes, as plain text."""

from __future__ import annotations

import datetime as dt
import io
import subprocess

from pptx import Presentation

from charts.deck import build_deck
from data_access.highlights import add_highlight, edit_highlight
from metrics.committee import gather_committee
from reports.pdf_report import build_report

FROM, TO = dt.date(2024, 5, 1), dt.date(2024, 6, 30)
HOSTILE = "<b>gras</b> **étoiles** [lien](https://exemple.fr)"


def _add(db, text: str, metric_id: str | None, written: dt.datetime):  # type: ignore[no-untyped-def]
    return add_highlight(
        db.engine,
        text,
        metric_id=metric_id,
        period_start=FROM,
        period_end=TO,
        user="Cheffe de projet",
        now=written,
    )


def _gather(db, as_of: dt.date):  # type: ignore[no-untyped-def]
    return gather_committee(db.engine, db.settings, TO, period_from=FROM, period_to=TO, as_of=as_of)


def _slides(content: bytes) -> list[tuple[str, str, str]]:
    """(title, every text of the slide, speaker notes) of each slide."""
    prs = Presentation(io.BytesIO(content))
    found = []
    for slide in prs.slides:
        title = slide.shapes.title.text if slide.shapes.title is not None else ""
        texts = "\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)
        notes = slide.notes_slide.notes_text_frame.text if slide.has_notes_slide else ""
        found.append((title, texts, notes))
    return found


def test_committee_gathers_the_comments_written_by_its_as_of_date(db):
    first = _add(db, "Comité avancé d'une semaine.", None, dt.datetime(2024, 6, 10, 9))
    edit_highlight(
        db.engine,
        first.id,
        "Comité reporté.",
        user="B",
        expected_version=1,
        now=dt.datetime(2024, 7, 2, 9),
    )
    _add(db, "Écrit après le comité.", "entrants", dt.datetime(2024, 7, 3, 9))
    on_the_day = _gather(db, TO)
    assert [h.text for h in on_the_day.highlights] == ["Comité avancé d'une semaine."]
    later = _gather(db, dt.date(2024, 7, 5))
    assert [h.text for h in later.highlights] == ["Comité reporté.", "Écrit après le comité."]


def test_deck_has_a_faits_marquants_slide_with_the_text_in_its_notes(db):
    _add(db, "Comité avancé d'une semaine.", None, dt.datetime(2024, 6, 10, 9))
    _add(db, HOSTILE, "caseload_median", dt.datetime(2024, 6, 11, 9))
    slides = _slides(build_deck(_gather(db, TO)))
    titles = [t for t, _, _ in slides]
    assert "Faits marquants" in titles
    index = titles.index("Faits marquants")
    headline = [i for i, t in enumerate(titles) if t.startswith("Indicateurs clés")]
    assert index == headline[-1] + 1  # right after the headline table
    _, texts, notes = slides[index]
    assert "Comité dans son ensemble" in texts and "Comité avancé d'une semaine." in texts
    assert HOSTILE in texts  # as typed: no markup read, nothing dropped
    assert "Cheffe de projet, 10 juin 2024" in texts
    assert "Comité avancé d'une semaine." in notes and HOSTILE in notes


def test_no_comment_no_slide(db):
    titles = [t for t, _, _ in _slides(build_deck(_gather(db, TO)))]
    assert "Faits marquants" not in titles


def test_a_rebuilt_deck_for_an_earlier_date_shows_what_was_written_by_then(db):
    _add(db, "Écrit le 2 juillet.", None, dt.datetime(2024, 7, 2, 9))
    early = _slides(build_deck(_gather(db, TO)))
    assert not any("Écrit le 2 juillet." in texts + notes for _, texts, notes in early)
    late = _slides(build_deck(_gather(db, dt.date(2024, 7, 2))))
    assert any("Écrit le 2 juillet." in texts for _, texts, _ in late)


def test_printed_report_carries_the_faits_marquants_as_written_by_the_as_of_date(db, tmp_path):
    """The PDF tells the same story as the deck: the leads' comments, as typed, and none written
    after the as-of date."""
    _add(db, "Comité avancé d'une semaine.", None, dt.datetime(2024, 6, 10, 9))
    _add(db, HOSTILE, "caseload_median", dt.datetime(2024, 6, 11, 9))
    _add(db, "Écrit après le comité.", None, dt.datetime(2024, 7, 3, 9))
    pdf = tmp_path / "rapport.pdf"
    pdf.write_bytes(build_report(_gather(db, TO), with_images=False))
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    assert "Faits marquants" in flat
    assert "Comité dans son ensemble : Comité avancé d'une semaine." in flat
    assert " ".join(HOSTILE.split()) in flat
    assert "Écrit après le comité." not in flat
