"""« Faits marquants »: comments of project leads kept with their history and read as of a date.

Each test builds its comments by hand, with explicit writing times, and checks on both engines
what a page or a deck would show at a given as-of date.
"""

from __future__ import annotations

import datetime as dt

import pytest

from data_access.highlights import (
    MAX_LENGTH,
    HighlightConflictError,
    HighlightError,
    add_highlight,
    clean_text,
    edit_highlight,
    highlight_history,
    highlights_as_of,
    withdraw_highlight,
)

MAY, JUNE = dt.date(2024, 5, 1), dt.date(2024, 6, 30)


def _at(day: int, month: int = 6, hour: int = 10) -> dt.datetime:
    return dt.datetime(2024, month, day, hour, 0)


def _add(db, text: str, metric_id: str | None = None, day: int = 10, **kw):  # type: ignore[no-untyped-def]
    return add_highlight(
        db.engine,
        text,
        metric_id=metric_id,
        period_start=kw.pop("period_start", MAY),
        period_end=kw.pop("period_end", JUNE),
        user=kw.pop("user", "Cheffe de projet"),
        now=_at(day),
        **kw,
    )


def test_comment_is_stored_with_who_when_and_what(db):
    saved = _add(db, "Panne du SI en mai : convocations retardées.", "convocation_within_15d_rate")
    shown = highlights_as_of(db.engine, JUNE, start=MAY, end=JUNE)
    assert [(h.id, h.text, h.metric_id, h.written_by, h.written_at) for h in shown] == [
        (
            saved.id,
            "Panne du SI en mai : convocations retardées.",
            "convocation_within_15d_rate",
            "Cheffe de projet",
            _at(10),
        )
    ]
    assert shown[0].period_start == MAY and shown[0].period_end == JUNE
    assert shown[0].version == 1
    assert shown[0].is_committee_wide is False
    assert _add(db, "Comité avancé d'une semaine.").is_committee_wide is True


def test_editing_keeps_every_version(db):
    first = _add(db, "Premier texte.", "entrants", day=3)
    second = edit_highlight(
        db.engine, first.id, "Texte corrigé.", user="Bruno", expected_version=1, now=_at(5)
    )
    assert (second.id, second.version, second.text, second.written_by) == (
        first.id,
        2,
        "Texte corrigé.",
        "Bruno",
    )
    history = highlight_history(db.engine, first.id)
    assert [(v.version, v.text, v.withdrawn, v.written_by, v.written_at) for v in history] == [
        (1, "Premier texte.", False, "Cheffe de projet", _at(3)),
        (2, "Texte corrigé.", False, "Bruno", _at(5)),
    ]


def test_as_of_shows_the_version_written_by_then(db):
    first = _add(db, "Premier texte.", "entrants", day=3)
    edit_highlight(db.engine, first.id, "Texte corrigé.", user="B", expected_version=1, now=_at(5))

    def texts(as_of: dt.date) -> list[str]:
        return [h.text for h in highlights_as_of(db.engine, as_of, start=MAY, end=JUNE)]

    assert texts(dt.date(2024, 6, 2)) == []  # not written yet
    assert texts(dt.date(2024, 6, 3)) == ["Premier texte."]  # the whole day of writing counts
    assert texts(dt.date(2024, 6, 4)) == ["Premier texte."]
    assert texts(dt.date(2024, 6, 5)) == ["Texte corrigé."]


def test_withdrawn_comment_disappears_from_then_on_and_is_recorded(db):
    saved = _add(db, "À retirer.", day=3)
    withdraw_highlight(db.engine, saved.id, user="Bruno", expected_version=1, now=_at(8))
    assert [h.text for h in highlights_as_of(db.engine, dt.date(2024, 6, 7), start=MAY, end=JUNE)]
    assert highlights_as_of(db.engine, dt.date(2024, 6, 8), start=MAY, end=JUNE) == []
    history = highlight_history(db.engine, saved.id)
    assert [(v.version, v.withdrawn, v.written_by) for v in history] == [
        (1, False, "Cheffe de projet"),
        (2, True, "Bruno"),
    ]
    assert history[-1].text == "À retirer."  # the withdrawn text is kept
    with pytest.raises(HighlightError, match="déjà retiré"):
        edit_highlight(db.engine, saved.id, "Encore", user="B", expected_version=2, now=_at(9))


def test_comments_belong_to_the_period_they_were_written_for(db):
    _add(db, "Comité d'avril.", period_start=dt.date(2024, 3, 1), period_end=dt.date(2024, 4, 30))
    _add(db, "Comité de juin.")
    shown = highlights_as_of(db.engine, JUNE, start=MAY, end=JUNE)
    assert [h.text for h in shown] == ["Comité de juin."]
    # a page showing a period inside the committee's (the month of May) shows it too
    may = highlights_as_of(db.engine, JUNE, start=MAY, end=dt.date(2024, 5, 31))
    assert [h.text for h in may] == ["Comité de juin."]
    # the next committee's period does not
    assert (
        highlights_as_of(db.engine, JUNE, start=dt.date(2024, 7, 1), end=JUNE.replace(month=8))
        == []
    )


def test_filter_by_indicator_and_order(db):
    _add(db, "B", "entrants", day=4)
    _add(db, "A", "entrants", day=2)
    _add(db, "Comité", day=3)
    _add(db, "Autre", "hires", day=1)
    only = highlights_as_of(db.engine, JUNE, start=MAY, end=JUNE, metric_ids=("entrants",))
    assert [h.text for h in only] == ["A", "B"]  # oldest first
    committee = highlights_as_of(db.engine, JUNE, start=MAY, end=JUNE, metric_ids=(None,))
    assert [h.text for h in committee] == ["Comité"]


def test_stale_version_is_a_conflict_and_writes_nothing(db):
    saved = _add(db, "Texte.", day=3)
    edit_highlight(db.engine, saved.id, "Par A.", user="A", expected_version=1, now=_at(4))
    with pytest.raises(HighlightConflictError) as caught:
        edit_highlight(db.engine, saved.id, "Par B.", user="B", expected_version=1, now=_at(4))
    assert "modifié" in str(caught.value)
    assert caught.value.current.text == "Par A."
    assert len(highlight_history(db.engine, saved.id)) == 2


def test_unchanged_text_writes_no_version(db):
    saved = _add(db, "Texte.", day=3)
    same = edit_highlight(db.engine, saved.id, " Texte. ", user="A", expected_version=1, now=_at(4))
    assert same.version == 1
    assert len(highlight_history(db.engine, saved.id)) == 1


def test_unknown_comment_is_a_french_error(db):
    with pytest.raises(HighlightError, match="Aucun commentaire n° 99"):
        edit_highlight(db.engine, 99, "x", user="A", expected_version=1)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Le commentaire est vide."),
        ("   \n\t ", "Le commentaire est vide."),
        ("x" * (MAX_LENGTH + 1), f"dépasse {MAX_LENGTH} caractères"),
    ],
)
def test_invalid_text_is_refused_in_french(db, text, message):
    with pytest.raises(HighlightError, match=message):
        _add(db, text)
    assert highlights_as_of(db.engine, JUNE, start=MAY, end=JUNE) == []


def test_error_messages_never_echo_the_text(db):
    hostile = "<script>alert(1)</script>" * 40
    with pytest.raises(HighlightError) as caught:
        _add(db, hostile)
    assert "script" not in str(caught.value)


def test_plain_text_cleaning():
    assert clean_text("  Ligne 1\r\nLigne 2  ") == "Ligne 1\nLigne 2"
    # control characters and bidirectional overrides (which can disguise a text) are dropped
    assert clean_text("a\x00b\x1bc\u202ed\u2066e") == "abcde"
    assert clean_text("a\tb") == "a b"
    assert clean_text("a\n\n\n\nb") == "a\n\nb"  # at most one blank line
    # markup is kept as typed: it is shown as text, never interpreted
    assert clean_text("**gras** <b>x</b> [lien](https://exemple.fr)") == (
        "**gras** <b>x</b> [lien](https://exemple.fr)"
    )


def test_invalid_indicator_id_and_period_are_refused(db):
    with pytest.raises(HighlightError, match="Indicateur inconnu"):
        _add(db, "x", "drop table; --")
    with pytest.raises(HighlightError, match="période"):
        _add(db, "x", period_start=JUNE, period_end=MAY)
    with pytest.raises(HighlightError, match="nom"):
        _add(db, "x", user="  ")


def test_the_same_comment_sent_twice_is_recorded_once(db):
    first = _add(db, "Deux clics.", "entrants", day=3)
    second = _add(db, " Deux clics. ", "entrants", day=3)
    assert second.id == first.id
    assert len(highlights_as_of(db.engine, JUNE, start=MAY, end=JUNE)) == 1
    # another subject, or the same text after a withdrawal, is a new comment
    assert _add(db, "Deux clics.", "hires", day=3).id != first.id
    withdraw_highlight(db.engine, first.id, user="A", expected_version=1, now=_at(4))
    assert _add(db, "Deux clics.", "entrants", day=5).id != first.id
