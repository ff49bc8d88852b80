"""Every sensitive action writes who, when and what to the audit log, and never a
beneficiary's data: an import and its undo, a roadmap edit, a chart export, a role change, the
journal's own CSV (formula-safe)."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from data_access.audit import list_audit
from data_access.db import session_scope
from data_access.roadmap_seed import load_seed_roadmap
from settings import get_settings
from tests.unit.rdv_export import SECRET_VALUES, USER_HEADERS, realistic_users, to_csv

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 60
ADMIN = "admin.pilotage@creuse.fr"


@pytest.fixture
def page_db(sqlite_db, monkeypatch):
    with session_scope(sqlite_db.engine) as session:
        load_seed_roadmap(session, sqlite_db.settings)
    monkeypatch.setenv("PILOTAGE_DATABASE_URL", sqlite_db.settings.database_url)
    monkeypatch.setenv("PILOTAGE_PSEUDONYMISATION_KEY", "cle-secrete-des-tests-du-journal")
    get_settings.cache_clear()
    st.cache_resource.clear()
    st.cache_data.clear()
    yield sqlite_db
    st.cache_resource.clear()
    st.cache_data.clear()
    get_settings.cache_clear()


def _page(name: str, role: str, **state: object) -> AppTest:
    """A screen run as a signed-in person (the session keys ``sign_in`` fills)."""
    app = AppTest.from_file(str(ROOT / "screens" / name), default_timeout=TIMEOUT)
    app.session_state["auth_role"] = role
    app.session_state["auth_user"] = ADMIN
    for key, value in state.items():
        app.session_state[key] = value
    return app.run()


def _rows(db) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    return [(e.actor, e.action, e.detail) for e in reversed(list_audit(db.engine))]


def test_import_and_undo_are_audited_without_beneficiary_data(page_db):
    app = _page("imports.py", "admin")
    data = to_csv(USER_HEADERS, realistic_users()).encode("utf-8")
    app.file_uploader(key="imports_users").upload("Export_beneficiaires.csv", data, "text/csv")
    app.run()
    app.button(key="imports_check").click().run()
    app.button(key="imports_confirm").click().run()
    app.button(key="imports_undo").click().run()
    assert not app.exception
    rows = _rows(page_db)
    assert [(actor, action) for actor, action, _ in rows] == [
        (ADMIN, "import"),
        (ADMIN, "undo"),
    ]
    assert rows[0][2].startswith("import n° 1 — RDV-Insertion")
    assert rows[1][2] == "import n° 1"
    text = repr(rows)
    assert not any(secret in text for secret in SECRET_VALUES)


def test_roadmap_edit_is_audited(page_db):
    app = _page("feuille_de_route.py", "pilotage")
    app.selectbox(key="fdr_step").select("DO-04").run()
    app.text_input(key="fdr_author_DO-04").input("Bruno")
    next(s for s in app.selectbox if s.label == "Nouveau statut").select("fait")
    next(b for b in app.button if b.label == "Enregistrer").click().run()
    assert not app.exception
    assert _rows(page_db) == [(ADMIN, "edit", "feuille de route DO-04 : statut fait")]


def test_reader_cannot_write_even_with_a_forged_submit(page_db):
    """The form is not shown to a reader; the server-side check is what stops a write."""
    app = _page("feuille_de_route.py", "lecture")
    assert not app.get("form_submit_button")
    assert _rows(page_db) == []


def test_export_download_writes_an_audit_row(page_db):
    app = AppTest.from_function(_download_page, default_timeout=TIMEOUT)
    app.session_state["auth_role"] = "lecture"
    app.session_state["auth_user"] = "prefet@creuse.gouv.fr"
    app.query_params["periode"] = "trimestre"
    app.run()
    assert not app.exception
    produce = app.session_state["produce"]
    assert produce() == b"a;b\r\n"
    assert _rows(page_db) == [
        ("prefet@creuse.gouv.fr", "export", "graphique « entrants » (CSV) — periode=trimestre")
    ]


def _download_page() -> None:
    import streamlit as st

    from ui.auth import audited_download

    st.session_state["produce"] = audited_download(b"a;b\r\n", "graphique « entrants » (CSV)")


def test_journal_shows_the_rows_to_admins_and_its_exporter_is_formula_safe(page_db):
    from charts.csv_export import table_csv
    from data_access.audit import record_audit

    hostile = '=HYPERLINK("http://x")@creuse.fr'
    with session_scope(page_db.engine) as session:
        record_audit(session, hostile, "sign_in_refused", "+1")
    app = _page("journal.py", "admin")
    assert not app.exception
    table = app.dataframe[0].value
    assert list(table["Qui"]) == [hostile]
    assert list(table["Action"]) == ["Connexion refusée (aucun rôle)"]
    assert [b.label for b in app.get("download_button")] == ["Télécharger le journal (CSV)"]
    # the page's CSV goes through the project's exporter, which neutralises formulas
    source = (ROOT / "screens" / "journal.py").read_text(encoding="utf-8")
    assert "table_csv(" in source
    text = table_csv(["Qui", "Détail"], [[hostile, "+1"]]).decode("utf-8-sig")
    assert text.splitlines()[1] == '"\'=HYPERLINK(""http://x"")@creuse.fr";\'+1'


def _spy_downloads(monkeypatch) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """Keep the ``data`` of every ``st.download_button`` by key: Streamlit calls a callable
    ``data`` only when the person clicks, which AppTest cannot do."""
    captured: dict[str, object] = {}
    real = st.download_button

    def spy(label, data=None, *args, **kwargs):  # type: ignore[no-untyped-def]
        captured[str(kwargs.get("key"))] = data
        return real(label, data, *args, **kwargs)

    monkeypatch.setattr(st, "download_button", spy)
    return captured


def _table_page() -> None:
    from ui.tables import data_table

    data_table({"Adresse": ["agent@creuse.fr"], "Rôle": ["admin"]}, file_stem="x", key="t")


def test_table_download_writes_an_audit_row(page_db, monkeypatch):
    """A table downloaded from a page (users, imports, quality, partners) is an export."""
    captured = _spy_downloads(monkeypatch)
    app = AppTest.from_function(_table_page, default_timeout=TIMEOUT)
    app.session_state["auth_role"] = "admin"
    app.session_state["auth_user"] = ADMIN
    app.query_params["territoire"] = "Aubusson"
    app.run()
    assert not app.exception
    produce = captured["table-csv-t"]
    assert callable(produce)
    assert produce().decode("utf-8-sig").splitlines()[1] == "agent@creuse.fr;admin"
    assert _rows(page_db) == [(ADMIN, "export", "tableau « x » (CSV) — territoire=Aubusson")]


def test_weekly_late_items_download_writes_an_audit_row(page_db, monkeypatch):
    captured = _spy_downloads(monkeypatch)
    app = _page("point_hebdomadaire.py", "lecture")
    assert not app.exception
    produce = captured["hebdo_csv"]
    assert callable(produce)
    assert produce().startswith(b"\xef\xbb\xbf")
    assert [(actor, action) for actor, action, _ in _rows(page_db)] == [(ADMIN, "export")]
    assert _rows(page_db)[0][2].startswith("liste des points en retard (CSV)")
