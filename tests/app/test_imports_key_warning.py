"""The « Imports » page refuses the public demo pseudonymisation key outside the demo database
(French message, no upload widget), and only warns on the demo database."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from data_access.db import session_scope
from data_access.schema import Metadata
from settings import DEFAULT_KEY_REFUSAL, DEFAULT_KEY_WARNING, DEMO_DATABASE_REFUSAL, get_settings

ROOT = Path(__file__).resolve().parents[2]


def _imports_page(db, monkeypatch, key: str | None) -> AppTest:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PILOTAGE_DATABASE_URL", db.settings.database_url)
    if key is None:
        monkeypatch.delenv("PILOTAGE_PSEUDONYMISATION_KEY", raising=False)
    else:
        monkeypatch.setenv("PILOTAGE_PSEUDONYMISATION_KEY", key)
    get_settings.cache_clear()
    st.cache_resource.clear()
    st.cache_data.clear()
    try:
        app = AppTest.from_file(str(ROOT / "screens" / "imports.py"), default_timeout=60)
        app.session_state["auth_role"] = "admin"
        return app.run()
    finally:
        get_settings.cache_clear()
        st.cache_resource.clear()
        st.cache_data.clear()


def test_demo_key_is_refused_on_a_real_database(sqlite_db, monkeypatch):
    app = _imports_page(sqlite_db, monkeypatch, None)
    assert not app.exception
    assert [e.value for e in app.error] == [DEFAULT_KEY_REFUSAL]
    assert not app.get("file_uploader")


def test_real_key_opens_the_page_without_warning(sqlite_db, monkeypatch):
    app = _imports_page(sqlite_db, monkeypatch, "une-vraie-cle-secrete-de-test")
    assert not app.exception
    assert not app.error and not app.warning
    assert app.get("file_uploader")


def test_demo_database_only_warns(sqlite_db, monkeypatch):
    with session_scope(sqlite_db.engine) as session:
        session.add(Metadata(key="demo", value="{}"))
    app = _imports_page(sqlite_db, monkeypatch, None)
    assert not app.exception
    assert not app.error
    assert any(w.value == DEFAULT_KEY_WARNING for w in app.warning)


def test_real_key_is_refused_on_the_demo_database(sqlite_db, monkeypatch):
    """Anyone may choose the administrator role on the demo database: real data imported
    there would be open to all."""
    with session_scope(sqlite_db.engine) as session:
        session.add(Metadata(key="demo", value="{}"))
    app = _imports_page(sqlite_db, monkeypatch, "une-vraie-cle-secrete")
    assert not app.exception
    assert [e.value for e in app.error] == [DEMO_DATABASE_REFUSAL]
    assert not app.get("file_uploader")
