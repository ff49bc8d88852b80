"""The public demo pseudonymisation key: imports are refused with it outside the demo database
and only warned about on the demo; a real key imports silently (the « Imports » page:
tests/app/test_imports_key_warning.py)."""

from __future__ import annotations

from pathlib import Path

import cli
from data_access.db import session_scope
from data_access.schema import ImportRun, Metadata
from settings import DEFAULT_KEY_REFUSAL, DEFAULT_KEY_WARNING, DEMO_DATABASE_REFUSAL, get_settings
from tests.conftest import make_settings


def _import(monkeypatch, capsys, db, path: Path, key: str | None) -> tuple[int, str, str]:
    monkeypatch.setenv("PILOTAGE_DATABASE_URL", db.settings.database_url)
    if key is None:
        monkeypatch.delenv("PILOTAGE_PSEUDONYMISATION_KEY", raising=False)
    else:
        monkeypatch.setenv("PILOTAGE_PSEUDONYMISATION_KEY", key)
    get_settings.cache_clear()
    try:
        cli.main(["import", "rdv-insertion", str(path)])
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    finally:
        get_settings.cache_clear()
    out, err = capsys.readouterr()
    return code, out, err


def test_settings_know_the_default_key(tmp_path):
    assert make_settings("sqlite://").uses_default_pseudonymisation_key
    other = make_settings("sqlite://", pseudonymisation_key="une-vraie-cle-secrete")
    assert not other.uses_default_pseudonymisation_key


def test_import_with_the_demo_key_is_refused_outside_the_demo(db, monkeypatch, capsys, tmp_path):
    from tests.unit.rdv_export import USER_HEADERS, realistic_users, to_csv

    path = tmp_path / "usagers.csv"
    path.write_text(to_csv(USER_HEADERS, realistic_users()), encoding="utf-8-sig")
    code, out, err = _import(monkeypatch, capsys, db, path, None)
    assert code == 1
    assert err.strip() == f"Erreur : {DEFAULT_KEY_REFUSAL}"
    assert out == ""
    with db.engine.connect() as conn:
        assert conn.execute(ImportRun.__table__.select()).first() is None


def test_demo_database_only_warns(db, monkeypatch, capsys, tmp_path):
    with session_scope(db.engine) as session:
        session.add(Metadata(key="demo", value="{}"))
    path = tmp_path / "usagers.csv"
    path.write_bytes(b"\x00\x01binaire")
    code, _, err = _import(monkeypatch, capsys, db, path, None)
    assert code == 1  # the import itself goes on and fails on its own (unreadable file)
    assert DEFAULT_KEY_WARNING in err.splitlines()
    assert "Import refusé : fichier illisible (usagers.csv)" in err


def test_real_key_import_into_the_demo_database_is_refused(db, monkeypatch, capsys, tmp_path):
    """The demo database is open without sign-in (role chooser, administrators included):
    real data written there would be shown to anyone, so a real key is refused there."""
    from tests.unit.rdv_export import USER_HEADERS, realistic_users, to_csv

    with session_scope(db.engine) as session:
        session.add(Metadata(key="demo", value="{}"))
    path = tmp_path / "usagers.csv"
    path.write_text(to_csv(USER_HEADERS, realistic_users()), encoding="utf-8-sig")
    code, out, err = _import(monkeypatch, capsys, db, path, "une-vraie-cle-secrete")
    assert code == 1
    assert err.strip() == f"Erreur : {DEMO_DATABASE_REFUSAL}"
    assert out == ""
    with db.engine.connect() as conn:
        assert conn.execute(ImportRun.__table__.select()).first() is None
