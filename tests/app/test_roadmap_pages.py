"""« Feuille de route » and « Instances » pages driven with Streamlit's AppTest."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from data_access.db import session_scope
from data_access.governance import add_action, create_meeting, list_meetings, open_actions
from data_access.roadmap import read_step, set_step_status, step_history
from data_access.roadmap_seed import load_seed_roadmap
from settings import get_settings
from tests.app.conftest import visible

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 60


@pytest.fixture
def page_db(sqlite_db, monkeypatch):
    """A SQLite database with the seed roadmap and two meetings, the app pointed at it."""
    with session_scope(sqlite_db.engine) as session:
        load_seed_roadmap(session, sqlite_db.settings)
        committee = create_meeting(
            session, "comite_de_suivi", dt.date(2023, 4, 14), "Comité n° 2", ["CD", "État"]
        )
        add_action(session, "Relancer la CAF", meeting_id=committee, owner="CD")
        add_action(session, "Ouvrir la PMSMP", kind="decision", meeting_id=committee)
        set_step_status(
            session, "DO-03", "en cours", user="Agnès", now=dt.datetime(2023, 5, 2, 9, 0)
        )
    monkeypatch.setenv("PILOTAGE_DATABASE_URL", sqlite_db.settings.database_url)
    monkeypatch.setenv("PILOTAGE_AUTH_MODE", "demo")
    get_settings.cache_clear()
    st.cache_resource.clear()
    st.cache_data.clear()
    yield sqlite_db
    st.cache_resource.clear()
    st.cache_data.clear()
    get_settings.cache_clear()


def _page(name: str) -> AppTest:
    app = AppTest.from_file(str(ROOT / "screens" / name), default_timeout=TIMEOUT)
    app.session_state["auth_role"] = "chef_de_projet"
    return app.run()


def _by_label(widgets, label):
    return next(w for w in widgets if w.label == label)


def test_roadmap_page_renders(page_db):
    app = _page("feuille_de_route.py")
    assert not app.exception
    assert app.title[0].value == "Feuille de route"
    assert any(m.label == "Étapes de la feuille de route" for m in app.metric)
    assert "Calendrier des étapes" in [h.value for h in app.subheader]
    assert "Ce qui a bougé depuis le comité du 14 avril 2023" in [h.value for h in app.subheader]


def test_filters_narrow_the_table(page_db):
    app = _page("feuille_de_route.py")
    app.multiselect(key="fdr_filter_axis").select("Gouvernance partagée").run()
    assert not app.exception
    assert any(c.value == "2 étape(s) sur 42." for c in app.caption)


def test_edit_records_history(page_db):
    app = _page("feuille_de_route.py")
    app.selectbox(key="fdr_step").select("DO-04").run()
    app.text_input(key="fdr_author").input("Bruno")
    _by_label(app.selectbox, "Nouveau statut").select("fait")
    _by_label(app.text_area, "Commentaire").input("Outil livré")
    _by_label(app.button, "Enregistrer").click().run()
    assert not app.exception
    step = read_step(page_db.engine, "DO-04")
    assert (step.status, step.version) == ("fait", 2)
    (entry,) = step_history(page_db.engine, "DO-04")
    assert (entry.changed_by, entry.new_status, entry.comment) == ("Bruno", "fait", "Outil livré")
    assert any("statut « fait » enregistré" in s.value for s in app.success)


def test_concurrent_edit_shows_the_conflict(page_db):
    app = _page("feuille_de_route.py")
    app.selectbox(key="fdr_step").select("DO-05").run()  # the form shows version 1
    with session_scope(page_db.engine) as session:  # someone else saves meanwhile
        set_step_status(session, "DO-05", "bloqué", user="Agnès")
    app.text_input(key="fdr_author").input("Bruno")
    _by_label(app.selectbox, "Nouveau statut").select("fait")
    _by_label(app.button, "Enregistrer").click().run()
    assert not app.exception
    errors = [visible(e.value) for e in app.error]
    assert any(
        e.startswith("L'étape DO-05 a été modifiée par Agnès") and "« bloqué »" in e for e in errors
    )
    assert read_step(page_db.engine, "DO-05").status == "bloque"


def test_readers_cannot_edit(page_db):
    app = AppTest.from_file(str(ROOT / "screens" / "feuille_de_route.py"), default_timeout=TIMEOUT)
    app.session_state["auth_role"] = "lecture"
    app.run()
    assert not app.exception
    assert not [b for b in app.button if b.label == "Enregistrer"]


def test_instances_page_and_forms(page_db):
    app = _page("instances.py")
    assert not app.exception
    assert app.title[0].value == "Instances"
    assert any(c.value.startswith("1 action(s) ouverte(s), dont 0 en retard") for c in app.caption)
    _by_label(app.text_input, "Intitulé").input("Point hebdo du 5 mai")
    _by_label(app.button, "Enregistrer la réunion").click().run()
    assert not app.exception
    assert list_meetings(page_db.engine)[0].title == "Point hebdo du 5 mai"

    _by_label(app.text_area, "Libellé").input("Planifier l'atelier entreprises")
    _by_label(app.selectbox, "Responsable").select("État")
    _by_label(app.button, "Enregistrer").click().run()
    assert not app.exception
    assert {(a.text, a.owner) for a in open_actions(page_db.engine)} == {
        ("Relancer la CAF", "CD"),
        ("Planifier l'atelier entreprises", "État"),
    }
