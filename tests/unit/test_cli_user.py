"""The author of a change: --user, else the account running the command, found in one place."""

from __future__ import annotations

import getpass
from pathlib import Path

from data_access.db import session_scope
from data_access.roadmap import step_history
from data_access.roadmap_seed import load_seed_roadmap

ROOT = Path(__file__).resolve().parents[2]


def test_account_is_the_default_author(db, run_cli, monkeypatch):
    with session_scope(db.engine) as session:
        load_seed_roadmap(session, db.settings)
    monkeypatch.setattr(getpass, "getuser", lambda: "agent.creuse")
    assert run_cli("roadmap", "set", "DO-01", "en cours")[0] == 0
    assert run_cli("roadmap", "set", "DO-01", "fait", "--user", "C. Martin")[0] == 0
    authors = [entry.changed_by for entry in step_history(db.engine, "DO-01")]
    assert authors == ["agent.creuse", "C. Martin"]


def test_one_helper_finds_the_account():
    source = (ROOT / "cli.py").read_text(encoding="utf-8")
    assert source.count("getpass.getuser()") == 1
