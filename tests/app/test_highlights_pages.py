"""« Faits marquants » on the pages: leads write them, everyone reads them under the indicator,
a forged submit as ``lecture`` writes nothing, and hostile text stays text."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from data_access.highlights import add_highlight, highlight_history, highlights_as_of
from data_access.schema import Highlight, HighlightVersion
from tests.app.conftest import visible
from tests.app.test_audit import ADMIN, ROOT, TIMEOUT, _page, _rows, page_db  # noqa: F401 (fixture)

TODAY = dt.date.today()
HOSTILE = (
    "![pixel](https://traceur.example/p.png) <img src=x onerror=alert(1)> [clic](http://x.example)"
)


def _count(db, table) -> int:  # type: ignore[no-untyped-def]
    with db.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def _captions(app) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(visible(c.value) for c in app.caption)


def _stored(db) -> list[str]:  # type: ignore[no-untyped-def]
    far = TODAY - dt.timedelta(days=3650)
    return [h.text for h in highlights_as_of(db.engine, TODAY, start=far, end=TODAY)]


def _add(db, text: str, metric_id: str | None = None) -> int:  # type: ignore[no-untyped-def]
    """A comment written now for a period ending today (the pages' default as-of date)."""
    return add_highlight(
        db.engine,
        text,
        metric_id=metric_id,
        period_start=TODAY - dt.timedelta(days=30),
        period_end=TODAY,
        user="Cheffe de projet",
    ).id


def test_lead_writes_a_committee_comment_on_the_committee_page(page_db):  # noqa: F811
    app = _page("comite.py", "pilotage")
    app.text_area(key="comite_hl_text").input("Comité avancé : le préfet présidera.")
    app.text_input(key="comite_hl_author").input("Bruno")
    next(b for b in app.button if b.label == "Enregistrer le commentaire").click().run()
    assert not app.exception
    assert _stored(page_db) == ["Comité avancé : le préfet présidera."]
    assert "Comité avancé : le préfet présidera." in _captions(app)
    assert "Bruno" in _captions(app)
    assert _rows(page_db) == [(ADMIN, "edit", "fait marquant n° 1 ajouté (comité)")]


def test_forged_submit_as_reader_writes_nothing(page_db):  # noqa: F811
    app = _page("comite.py", "pilotage")
    app.text_area(key="comite_hl_text").input("Écrit par un lecteur.")
    app.text_input(key="comite_hl_author").input("Intrus")
    app.session_state["auth_role"] = "lecture"  # the role changed before the click arrived
    next(b for b in app.button if b.label == "Enregistrer le commentaire").click().run()
    assert not app.exception
    assert _count(page_db, Highlight) == 0
    assert _count(page_db, HighlightVersion) == 0
    assert _rows(page_db) == []
    # the form is not even drawn for a reader: the click reaches no code that writes
    assert not [t for t in app.text_area if t.key == "comite_hl_text"]


def test_forged_edit_as_reader_writes_nothing(page_db):  # noqa: F811
    highlight_id = _add(page_db, "Texte d'origine.")
    app = _page("comite.py", "pilotage")
    app.text_area(key=f"comite_hl_edit_{highlight_id}_1").input("Réécrit par un lecteur.")
    app.text_input(key="comite_hl_edit_author").input("Intrus")
    app.session_state["auth_role"] = "lecture"
    next(b for b in app.button if b.label == "Retirer ce fait marquant").click().run()
    assert not app.exception
    assert len(highlight_history(page_db.engine, highlight_id)) == 1
    assert _rows(page_db) == []


def test_reader_sees_comments_but_no_form(page_db):  # noqa: F811
    _add(page_db, "Panne du SI en mai.", "convocation_within_15d_rate")
    app = _page("comite.py", "lecture")
    assert not app.exception
    assert "Panne du SI en mai." in _captions(app)
    assert not [t for t in app.text_area if t.key and t.key.startswith("comite_hl")]
    assert not [e for e in app.expander if "fait marquant" in e.label]


def test_lead_rewrites_then_withdraws_a_comment(page_db):  # noqa: F811
    highlight_id = _add(page_db, "Premier texte.")
    app = _page("comite.py", "pilotage")
    app.text_area(key=f"comite_hl_edit_{highlight_id}_1").input("Texte corrigé.")
    app.text_input(key="comite_hl_edit_author").input("Bruno")
    next(b for b in app.button if b.label == "Enregistrer la nouvelle version").click().run()
    assert not app.exception
    assert _stored(page_db) == ["Texte corrigé."]
    next(b for b in app.button if b.label == "Retirer ce fait marquant").click().run()
    assert not app.exception
    assert _stored(page_db) == []
    history = highlight_history(page_db.engine, highlight_id)
    assert [(v.version, v.text, v.withdrawn) for v in history] == [
        (1, "Premier texte.", False),
        (2, "Texte corrigé.", False),
        (3, "Texte corrigé.", True),
    ]
    assert [r[2] for r in _rows(page_db)] == [
        f"fait marquant n° {highlight_id} version 2",
        f"fait marquant n° {highlight_id} retiré",
    ]


def test_empty_comment_is_refused_in_french(page_db):  # noqa: F811
    app = _page("comite.py", "pilotage")
    app.text_area(key="comite_hl_text").input("  \n  ")
    app.text_input(key="comite_hl_author").input("Bruno")
    next(b for b in app.button if b.label == "Enregistrer le commentaire").click().run()
    assert _count(page_db, Highlight) == 0
    assert [e.value for e in app.error] == ["Le commentaire est vide\\."]
    assert _rows(page_db) == []


def test_hostile_text_is_shown_as_text(page_db):  # noqa: F811
    _add(page_db, HOSTILE, "convocation_within_15d_rate")
    for name in ("comite.py", "convocation.py"):
        app = _page(name, "lecture")
        assert not app.exception
        bodies = [m.value for m in (*app.caption, *app.markdown)]
        assert not any("](" in body and "\\]" not in body for body in bodies)
        assert any("traceur" in body for body in bodies)  # shown, escaped


def test_indicator_page_shows_the_comment_under_its_indicator(page_db):  # noqa: F811
    _add(page_db, "Nouvelle référente à Bourganeuf.", "convocation_within_15d_rate")
    _add(page_db, "Sans rapport avec cette page.", "hires")
    app = _page("convocation.py", "lecture")
    assert not app.exception
    captions = _captions(app)
    assert "Nouvelle référente à Bourganeuf." in captions
    assert "Sans rapport" not in captions


def test_comment_written_after_the_as_of_date_is_not_shown(page_db):  # noqa: F811
    yesterday = TODAY - dt.timedelta(days=1)
    add_highlight(
        page_db.engine,
        "Écrit aujourd'hui sur hier.",
        metric_id=None,
        period_start=yesterday - dt.timedelta(days=30),
        period_end=yesterday,
        user="Cheffe de projet",
    )

    def shown(as_of: dt.date) -> bool:
        app = AppTest.from_file(str(ROOT / "screens" / "comite.py"), default_timeout=TIMEOUT)
        app.session_state["auth_role"] = "lecture"
        app.query_params["au_jour"] = as_of.isoformat()
        app.run()
        assert not app.exception
        return "Écrit aujourd'hui sur hier." in _captions(app)

    assert not shown(yesterday)  # a deck rebuilt for yesterday: not written yet
    assert shown(TODAY)
