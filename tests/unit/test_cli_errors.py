"""Every command answers a broken database with one French line and exit 1, never a
traceback: server out of reach, tables missing (init-db never run), unusable URL."""

from __future__ import annotations

import pytest

from settings import get_settings

COMMANDS = [
    ("quality",),
    ("roadmap", "list"),
    ("roadmap", "set", "A1", "fait"),
    ("roadmap", "history", "A1"),
    ("import", "undo", "1"),
    ("metrics", "--from", "2024-01-01", "--to", "2024-03-31"),
    ("export", "deck", "--from", "2024-01-01", "--to", "2024-03-31", "--output", "x.pptx"),
]


def _point_at(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("PILOTAGE_DATABASE_URL", url)
    get_settings.cache_clear()


def _assert_one_french_line(code: int, err: str, expected: str) -> None:
    assert code == 1
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("Erreur : ")
    assert expected in lines[0]


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_unreachable_server(run_cli, monkeypatch, tmp_path, args):
    monkeypatch.chdir(tmp_path)
    _point_at(monkeypatch, "postgresql+psycopg://x@127.0.0.1:1/x")
    code, _, err = run_cli(*args)
    _assert_one_french_line(code, err, "La base de données est inaccessible")


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_fresh_sqlite_file_without_init_db(run_cli, monkeypatch, tmp_path, args):
    monkeypatch.chdir(tmp_path)
    _point_at(monkeypatch, f"sqlite:///{tmp_path / 'neuve.db'}")
    code, _, err = run_cli(*args)
    _assert_one_french_line(code, err, "lancez « pilotage init-db »")


@pytest.mark.parametrize("args", [*COMMANDS, ("init-db",)], ids=" ".join)
def test_unknown_url_scheme(run_cli, monkeypatch, tmp_path, args):
    monkeypatch.chdir(tmp_path)
    _point_at(monkeypatch, "foo://bar")
    code, _, err = run_cli(*args)
    _assert_one_french_line(code, err, "PILOTAGE_DATABASE_URL")
