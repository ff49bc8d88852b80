"""« Imports » and « Qualité des données » driven with Streamlit's AppTest.

The import page is used as an administrator would: upload the realistic RDV-Insertion export,
check, read the report, confirm, find the run in the history, undo it.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import func, insert, select
from streamlit.testing.v1 import AppTest

from data_access.schema import ImportRun, Person
from settings import get_settings
from tests.unit.bundle_data import VALID_BUNDLE
from tests.unit.rdv_export import SECRET_VALUES, USER_HEADERS, realistic_users, to_csv, user_row

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 60


@pytest.fixture
def page_db(sqlite_db, monkeypatch):
    monkeypatch.setenv("PILOTAGE_DATABASE_URL", sqlite_db.settings.database_url)
    monkeypatch.setenv("PILOTAGE_AUTH_MODE", "demo")
    get_settings.cache_clear()
    st.cache_resource.clear()
    st.cache_data.clear()
    yield sqlite_db
    st.cache_resource.clear()
    st.cache_data.clear()
    get_settings.cache_clear()


def _page(name: str, role: str = "administrateur") -> AppTest:
    app = AppTest.from_file(str(ROOT / "screens" / name), default_timeout=TIMEOUT)
    app.session_state["auth_role"] = role
    return app.run()


def _persons(db) -> int:
    with db.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Person)).scalar_one()


def _all_text(app: AppTest) -> str:
    parts = [e.value for e in (*app.markdown, *app.success, *app.error, *app.warning, *app.info)]
    parts += [str(df.value) for df in app.dataframe]
    return "\n".join(str(p) for p in parts)


def test_imports_page_is_for_administrators(page_db):
    app = _page("imports.py", role="lecture")
    assert not app.exception
    assert app.error[0].value == "Cette page est réservée aux administrateurs."
    assert not app.file_uploader


def test_upload_check_confirm_and_undo(page_db):
    app = _page("imports.py")
    assert not app.exception
    data = to_csv(USER_HEADERS, realistic_users()).encode("utf-8")
    app.file_uploader(key="imports_users").upload("Export_beneficiaires.csv", data, "text/csv")
    app.run()
    app.button(key="imports_check").click().run()
    assert not app.exception
    metrics = {m.label: m.value for m in app.metric}
    assert metrics == {"Lignes lues": "7", "Lignes acceptées": "7", "Lignes rejetées": "0"}
    # The unknown town is listed as a warning with its line and column, nothing is written yet.
    assert any("1 avertissement(s)" in w.value for w in app.warning)
    assert _persons(page_db) == 0
    app.button(key="imports_confirm").click().run()
    assert not app.exception
    assert app.success[0].value.startswith("Import n° 1 réussi (Export_beneficiaires.csv)")
    assert _persons(page_db) == 6
    history = app.dataframe[-1].value
    assert list(history["Source"]) == ["RDV-Insertion"]
    assert list(history["Statut"]) == ["réussi"]
    text = _all_text(app)
    assert not any(secret in text for secret in SECRET_VALUES)
    app.button(key="imports_undo").click().run()
    assert not app.exception
    assert app.success[0].value.startswith("Import n° 1 annulé")
    assert _persons(page_db) == 0
    assert list(app.dataframe[-1].value["Statut"]) == ["annulé"]


def test_rejected_rows_are_shown_and_block_confirmation(page_db):
    rows = [*realistic_users(), user_row(**{"ID interne au département": "D40"})]
    data = to_csv(USER_HEADERS, rows).encode("utf-8")
    app = _page("imports.py")
    app.file_uploader(key="imports_users").upload("usagers.csv", data, "text/csv")
    app.run()
    app.button(key="imports_check").click().run()
    assert not app.exception
    errors = app.dataframe[1].value
    assert list(errors["Ligne"]) == [9]
    assert list(errors["Champ"]) == ["Date d'entrée flux"]
    assert app.button(key="imports_confirm").disabled
    app.checkbox(key="imports_skip_invalid").check().run()
    assert not app.button(key="imports_confirm").disabled
    app.button(key="imports_confirm").click().run()
    assert "avec des lignes rejetées" in app.success[0].value
    assert _persons(page_db) == 6


def test_unreadable_file_gives_a_french_error(page_db):
    app = _page("imports.py")
    app.file_uploader(key="imports_users").upload("photo.csv", b"\x89PNG\x00\x00", "text/csv")
    app.run()
    app.button(key="imports_check").click().run()
    assert not app.exception
    errors = app.dataframe[1].value
    assert list(errors["Raison"]) == [
        "fichier binaire, un CSV (texte) ou un classeur .xlsx est attendu."
    ]


def test_quality_page_lists_checks_and_stale_sources(page_db):
    data = to_csv(USER_HEADERS, realistic_users()).encode("utf-8")
    app = _page("imports.py")
    app.file_uploader(key="imports_users").upload("usagers.csv", data, "text/csv")
    app.run()
    app.button(key="imports_check").click().run()
    app.button(key="imports_confirm").click().run()
    with page_db.engine.begin() as conn:
        conn.execute(
            insert(ImportRun),
            {
                "source": "bundle",
                "file_name": "lot.zip",
                "started_at": dt.datetime(2024, 1, 1, 9),
                "finished_at": dt.datetime(2024, 1, 1, 9, 5),
                "status": "success",
            },
        )
    st.cache_data.clear()
    app = _page("qualite.py", role="lecture")
    assert not app.exception
    assert app.title[0].value == "Qualité des données"
    assert "Lot de fichiers" in app.warning[0].value
    freshness = app.dataframe[0].value
    assert list(freshness["Source"]) == ["Lot de fichiers", "RDV-Insertion"]
    assert list(freshness["État"]) == ["à mettre à jour", "à jour"]
    completeness = app.dataframe[1].value
    assert "Date d'orientation" in list(completeness["Contrôle"])
    # Six persons only: every share is secret (threshold 11).
    assert set(completeness["Ensemble"]) == {"secret"}
    inconsistencies = app.dataframe[-2].value
    assert list(inconsistencies["Contrôle"]) == [
        "Événements antérieurs à l'entrée",
        "Orientation sans aucun rendez-vous",
        "Contrat avant l'orientation",
        "Doublons probables",
        "Personnes sans commune",
        "RDV-Insertion « sous 15 jours » contredit",
        "RDV-Insertion « sous 30 jours » contredit",
    ]
    deductions = app.dataframe[-1].value
    assert list(deductions["Contrôle"]) == [
        "Orientation sans type national",
        "Type local rattaché",
        "Orientation datée par le rendez-vous",
        "Orientation actuelle non datée",
        "Identifiants rapprochés",
    ]
    assert app.header[-1].value == "Ce que l'import a déduit"


def test_freshness_warning_in_the_app(page_db):
    with page_db.engine.begin() as conn:
        conn.execute(
            insert(ImportRun),
            {
                "source": "rdv_insertion",
                "file_name": "usagers.csv",
                "started_at": dt.datetime(2024, 1, 1, 9),
                "finished_at": dt.datetime(2024, 1, 1, 9, 5),
                "status": "success",
            },
        )
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    assert not app.exception
    assert any(
        w.value.startswith("**Données anciennes** : RDV-Insertion (dernier import il y a")
        for w in app.warning
    )


def test_bundle_uploaded_as_a_zip(page_db):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in VALID_BUNDLE.items():
            archive.writestr(f"export/{name}", content)
    app = _page("imports.py")
    app.radio(key="imports_source").set_value("bundle").run()
    app.file_uploader(key="imports_files_bundle").upload(
        "lot.zip", out.getvalue(), "application/zip"
    )
    app.run()
    app.button(key="imports_check").click().run()
    assert not app.exception
    assert {m.label: m.value for m in app.metric}["Lignes rejetées"] == "0"
    app.button(key="imports_confirm").click().run()
    assert not app.exception
    assert app.success[0].value.startswith("Import n° 1 réussi (lot.zip)")
    assert _persons(page_db) == 3
    assert list(app.dataframe[-1].value["Source"]) == ["Lot de fichiers"]
