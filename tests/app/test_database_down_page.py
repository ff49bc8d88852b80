"""A database that is down gives every visitor, signed in or not, one French sentence without
the database's address: its host, port, user and name are no business of an anonymous visitor
(the command line, run by the operator, still names it)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from settings import get_settings

ROOT = Path(__file__).resolve().parents[2]
URL = "postgresql+psycopg://pilotage_ro:motdepasse@db-interne.departement.fr:5999/pilotage_prod"


def test_database_down_names_no_address(monkeypatch):
    monkeypatch.setenv("PILOTAGE_DATABASE_URL", URL)
    monkeypatch.setenv("PGCONNECT_TIMEOUT", "2")
    get_settings.cache_clear()
    st.cache_resource.clear()
    try:
        app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    finally:
        get_settings.cache_clear()
        st.cache_resource.clear()
    assert not app.exception
    errors = [e.value for e in app.error]
    assert len(errors) == 1
    assert errors[0].startswith("La base de données est inaccessible")
    for secret in ("db-interne", "5999", "pilotage_ro", "pilotage_prod", "motdepasse"):
        assert secret not in errors[0]
    assert not app.title  # nothing else on the page
