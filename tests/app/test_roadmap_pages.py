"""« Feuille de route » and « Instances » pages driven with Streamlit's AppTest."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from data_access.db import session_scope
from data_access.governance import (
    add_action,
    create_meeting,
    list_meetings,
    open_actions,
    read_action,
)
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
    assert "Calendrier des étapes" in [h.value for h in app.header]
    assert "Ce qui a bougé depuis le comité du 14 avril 2023" in [h.value for h in app.header]


def test_filters_narrow_the_table(page_db):
    app = _page("feuille_de_route.py")
    app.multiselect(key="fdr_filter_axis").select("Gouvernance partagée").run()
    assert not app.exception
    assert any(c.value == "2 étape(s) sur 42." for c in app.caption)


def test_edit_records_history(page_db):
    app = _page("feuille_de_route.py")
    app.selectbox(key="fdr_step").select("DO-04").run()
    _by_label(app.text_input, "Votre nom").input("Bruno")
    _by_label(app.selectbox, "Nouveau statut").select("fait")
    _by_label(app.text_area, "Commentaire").input("Outil livré")
    _by_label(app.button, "Enregistrer").click().run()
    assert not app.exception
    step = read_step(page_db.engine, "DO-04")
    assert (step.status, step.version) == ("fait", 2)
    (entry,) = step_history(page_db.engine, "DO-04")
    assert (entry.changed_by, entry.new_status, entry.comment) == ("Bruno", "fait", "Outil livré")
    assert any("statut « fait » enregistré" in visible(s.value) for s in app.success)


def test_concurrent_edit_shows_the_conflict(page_db):
    app = _page("feuille_de_route.py")
    app.selectbox(key="fdr_step").select("DO-05").run()  # the form shows version 1
    with session_scope(page_db.engine) as session:  # someone else saves meanwhile
        set_step_status(session, "DO-05", "bloqué", user="Agnès")
    _by_label(app.text_input, "Votre nom").input("Bruno")
    _by_label(app.selectbox, "Nouveau statut").select("fait")
    _by_label(app.button, "Enregistrer").click().run()
    assert not app.exception
    errors = [visible(e.value) for e in app.error]
    assert any(
        e.startswith("L'étape DO-05 a été modifiée par Agnès") and "« bloqué »" in e for e in errors
    )
    assert read_step(page_db.engine, "DO-05").status == "bloque"
    # The user's own choice stays (not replaced by the current state); saving it is explicit.
    assert _by_label(app.selectbox, "Nouveau statut").value == "fait"
    assert not [b for b in app.button if b.label == "Enregistrer"]
    _by_label(app.button, "Enregistrer ma saisie à la place de l'état actuel").click().run()
    assert not app.exception
    step = read_step(page_db.engine, "DO-05")
    assert (step.status, step.updated_by) == ("fait", "Bruno")
    # The form is cleared after the save: it shows the new state, a second click writes nothing.
    assert _by_label(app.selectbox, "Nouveau statut").value == "fait"
    _by_label(app.button, "Enregistrer").click().run()
    assert len(step_history(page_db.engine, "DO-05")) == 2


def test_a_fresh_form_after_leaving_has_no_false_conflict(page_db):
    app = _page("feuille_de_route.py")
    app.selectbox(key="fdr_step").select("DO-05").run()
    app.selectbox(key="fdr_step").select("DO-06").run()  # the lead looks elsewhere
    with session_scope(page_db.engine) as session:
        set_step_status(session, "DO-05", "bloqué", user="Agnès")
    app.selectbox(key="fdr_step").select("DO-05").run()  # back: the form shows « bloqué »
    assert _by_label(app.selectbox, "Nouveau statut").value == "bloque"
    _by_label(app.text_input, "Votre nom").input("Bruno")
    _by_label(app.selectbox, "Nouveau statut").select("en_cours")
    _by_label(app.button, "Enregistrer").click().run()
    assert not app.error
    assert read_step(page_db.engine, "DO-05").status == "en_cours"


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
    _by_label(app.text_input, "Votre nom").input("Agnès").run()
    _by_label(app.text_input, "Intitulé").input("Point hebdo du 5 mai")
    _by_label(app.button, "Enregistrer la réunion").click().run()
    assert not app.exception
    assert list_meetings(page_db.engine)[0].title == "Point hebdo du 5 mai"

    app.text_area(key="ia_text").input("Planifier l'atelier entreprises")
    app.selectbox(key="ia_owner").select("État")
    _by_label(app.button, "Enregistrer").click().run()
    assert not app.exception
    assert {(a.text, a.owner, a.meeting_id) for a in open_actions(page_db.engine)} == {
        ("Relancer la CAF", "CD", 1),
        ("Planifier l'atelier entreprises", "État", 2),  # the meeting just recorded
    }
    # The chosen meeting is kept for the next action; the text is emptied.
    assert app.selectbox(key="ia_meeting").value == 2
    assert app.text_area(key="ia_text").value == ""


def test_instances_error_keeps_what_was_typed(page_db):
    app = _page("instances.py")
    _by_label(app.text_input, "Votre nom").input("Agnès").run()
    app.multiselect(key="im_present").select("ARS")
    app.text_area(key="im_notes").input("Relevé important")
    _by_label(app.button, "Enregistrer la réunion").click().run()
    assert [visible(e.value) for e in app.error] == ["Le titre de la réunion est vide."]
    assert app.text_area(key="im_notes").value == "Relevé important"
    assert app.multiselect(key="im_present").value == ["CD", "France Travail", "ARS"]
    assert len(list_meetings(page_db.engine)) == 1


def test_instances_edit_and_reopen_an_action(page_db):
    with session_scope(page_db.engine) as session:
        done = add_action(session, "Écrire la convention", owner="CD", status="faite")
    app = _page("instances.py")
    _by_label(app.text_input, "Votre nom").input("Agnès").run()
    app.selectbox(key="ea_action").select(done).run()
    assert app.selectbox(key=f"ea_status_{done}").value == "faite"
    app.selectbox(key=f"ea_status_{done}").select("en_cours")
    app.text_input(key=f"ea_person_{done}").input("Marie Durand")
    app.selectbox(key=f"ea_step_{done}").select("AC-05")
    _by_label(app.button, "Enregistrer les modifications").click().run()
    assert not app.exception and not app.error
    action = read_action(page_db.engine, done)
    assert (action.status, action.owner_label, action.step_id) == (
        "en_cours",
        "CD — Marie Durand",
        "AC-05",
    )


def test_weekly_point_shows_what_changed_and_the_email_exports(page_db):
    with session_scope(page_db.engine) as session:
        create_meeting(session, "point_hebdomadaire", dt.date(2023, 4, 28), "Point du 28 avril")
    app = AppTest.from_file(
        str(ROOT / "screens" / "point_hebdomadaire.py"), default_timeout=TIMEOUT
    )
    app.session_state["auth_role"] = "chef_de_projet"
    app.query_params["au_jour"] = "2023-05-05"
    app.run()
    assert not app.exception
    assert "Depuis le dernier point hebdomadaire" in [h.value for h in app.header]
    assert any(c.value.startswith("Du lendemain du point du 28 avril 2023") for c in app.caption)
    moved = {m.label: m.value for m in app.metric}
    assert moved["Étapes déplacées"] == "1"  # DO-03 set « en cours » on 2 May
    (summary,) = [c.value for c in app.code]
    assert summary.startswith("Point hebdomadaire RSA — Creuse — 5 mai 2023\n")
    assert "- DO-01 " in summary


def _table_cells(app: AppTest) -> list[str]:
    return [str(v).replace("\\", "") for t in app.table for v in t.value.to_numpy().ravel()]


def test_late_steps_say_how_many_days_late(page_db):
    """On 5 May 2023 every open step due before is late by its own number of days: the weekly
    point, the roadmap, the committee and the overview pages say it in the step's row."""
    from data_access.roadmap import steps_at
    from metrics.roadmap import is_late

    as_of = dt.date(2023, 5, 5)
    late = [s for s in steps_at(page_db.engine, as_of) if is_late(s, as_of)]
    assert late
    expected = {f"en retard de {(as_of - s.due_date).days} jours" for s in late if s.due_date}
    for name in ("point_hebdomadaire.py", "feuille_de_route.py", "comite.py", "vue_ensemble.py"):
        app = AppTest.from_file(str(ROOT / "screens" / name), default_timeout=TIMEOUT)
        app.session_state["auth_role"] = "chef_de_projet"
        app.query_params["au_jour"] = as_of.isoformat()
        app.run()
        assert not app.exception
        cells = set(_table_cells(app))
        assert expected <= cells, (name, expected - cells)
