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


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--nope",), "option inconnue « --nope » (aide : pilotage --help)."),
        (("import", "undo", "abc"), "valeur invalide pour « RUN_ID » : « abc » n'est pas un"),
        (("roadmap", "set"), "argument manquant « STEP_ID » (aide : pilotage roadmap set --help)."),
        (("metrics", "--to", "2024-01-01"), "option obligatoire manquante « --from »"),
        (
            ("metrics", "--from", "2024-01-01", "--to", "2024-01-31", "--payer", "x"),
            "valeur invalide pour « --payer » : « x » n'est pas parmi",
        ),
        (("roadmap", "lst"), "commande inconnue « lst »"),
    ],
)
def test_usage_errors_are_one_french_line(run_cli, args, expected):
    code, out, err = run_cli(*args)
    assert code == 2 and out == ""
    line = err.strip()
    assert "\n" not in line and "Usage" not in line and "Error" not in line
    assert line.startswith("Erreur : option ou argument invalide : ")
    assert expected in line


@pytest.mark.parametrize("args", [(), ("roadmap",), ("demo",), ("import", "undo")])
def test_help_is_in_french(run_cli, args):
    code, out, _ = run_cli(*args, "--help")
    assert code == 0
    assert "Affiche cette aide et quitte." in out and "Show this message" not in out
    assert out.startswith("Utilisation : pilotage") and "Usage:" not in out
    assert "[default:" not in out and "Commands:" not in out


def test_outdated_schema_names_the_fix(run_cli, sqlite_db, monkeypatch, tmp_path):
    """A database created by an older version (a column missing) asks for init-db instead of
    claiming that the server is out of reach."""
    import shutil

    from sqlalchemy import create_engine, text

    path = tmp_path / "ancienne.db"
    shutil.copy(sqlite_db.engine.url.database, path)
    old = create_engine(f"sqlite:///{path}")
    with old.begin() as conn:
        conn.execute(text("ALTER TABLE roadmap_steps DROP COLUMN comment"))
    old.dispose()
    _point_at(monkeypatch, f"sqlite:///{path}")
    code, _, err = run_cli("roadmap", "list")
    _assert_one_french_line(code, err, "Le schéma de la base n'est pas à jour")
    assert "inaccessible" not in err
