"""The « Imports » page warns while identifiers would be hashed with the public demo key."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from settings import DEFAULT_KEY_WARNING, get_settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("key", "warned"), [(None, True), ("une-vraie-cle-secrete", False)])
def test_imports_page_warns_about_the_demo_key(sqlite_db, monkeypatch, key, warned):
    monkeypatch.setenv("PILOTAGE_DATABASE_URL", sqlite_db.settings.database_url)
    monkeypatch.setenv("PILOTAGE_AUTH_MODE", "demo")
    if key is None:
        monkeypatch.delenv("PILOTAGE_PSEUDONYMISATION_KEY", raising=False)
    else:
        monkeypatch.setenv("PILOTAGE_PSEUDONYMISATION_KEY", key)
    get_settings.cache_clear()
    st.cache_resource.clear()
    st.cache_data.clear()
    try:
        app = AppTest.from_file(str(ROOT / "screens" / "imports.py"), default_timeout=60)
        app.session_state["auth_role"] = "administrateur"
        app.run()
    finally:
        get_settings.cache_clear()
        st.cache_resource.clear()
        st.cache_data.clear()
    assert not app.exception
    assert any(w.value == DEFAULT_KEY_WARNING for w in app.warning) is warned
