"""Sign-in through the app: password mode asks for a password, roles filter the navigation,
a trusted header gives the role, demo mode offers a selector."""

from __future__ import annotations

import streamlit as st
from streamlit.testing.v1 import AppTest

from settings import get_settings
from tests.app.conftest import ROOT
from ui.auth import hash_password

TIMEOUT = 120


def _app() -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)


def _password_mode(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PILOTAGE_AUTH_MODE", "password")
    monkeypatch.setenv("PILOTAGE_AUTH_PASSWORD_LECTURE", hash_password("lire"))
    monkeypatch.setenv("PILOTAGE_AUTH_PASSWORD_ADMINISTRATEUR", hash_password("admin"))
    get_settings.cache_clear()
    st.cache_resource.clear()


def test_password_mode_stops_at_the_sign_in_form(empty_db, monkeypatch):
    _password_mode(monkeypatch)
    app = _app().run()
    assert not app.exception
    assert [t.value for t in app.title] == ["Connexion"]
    app.text_input[0].input("mauvais")
    app.button[0].click().run()
    assert [e.value for e in app.error] == ["Mot de passe incorrect pour ce rôle."]
    assert "auth_role" not in app.session_state
    assert [t.value for t in app.title] == ["Connexion"]


def test_right_password_opens_the_pages_of_the_role(empty_db, monkeypatch):
    _password_mode(monkeypatch)
    app = _app().run()
    app.selectbox[0].set_value("lecture")
    app.text_input[0].input("lire")
    app.button[0].click().run()
    assert not app.exception
    assert app.session_state["auth_role"] == "lecture"
    assert [t.value for t in app.title] == ["Vue d'ensemble"]
    assert any("Lecture" in c.value for c in app.sidebar.caption)


def test_header_mode_without_role_is_refused(empty_db, monkeypatch):
    monkeypatch.setenv("PILOTAGE_AUTH_MODE", "header")
    get_settings.cache_clear()
    st.cache_resource.clear()
    app = _app().run()
    assert not app.exception
    assert any("Accès refusé" in e.value for e in app.error)


def test_demo_mode_offers_a_role_selector(empty_db):
    app = _app().run()
    selector = app.sidebar.selectbox(key="auth_demo_role")
    assert selector.value == "administrateur"
    assert selector.options == [
        "Lecture (préfet, PCD, partenaires)",
        "Chef de projet",
        "Administrateur",
    ]
    # AppTest loses sidebar widgets of the entry script on reruns when the page also writes to
    # the sidebar, so the choice is made through the widget's state (the browser test clicks).
    app = _app()
    app.session_state["auth_role"] = "lecture"
    app.run()
    assert app.sidebar.selectbox(key="auth_demo_role").value == "lecture"
    assert not app.exception
    assert app.session_state["auth_role"] == "lecture"
