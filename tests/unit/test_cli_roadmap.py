"""``pilotage roadmap list --json`` and ``pilotage roadmap set`` on a fresh database."""

from __future__ import annotations

import json
import re

import pytest

import cli
from data_access.db import session_scope
from data_access.roadmap import step_history
from data_access.roadmap_seed import load_seed_roadmap
from settings import get_settings
from tests.unit.test_roadmap_seed import EXPECTED_DUE


@pytest.fixture
def run(db, run_cli):
    """The CLI runner on a database that holds the seed roadmap."""
    with session_scope(db.engine) as session:
        load_seed_roadmap(session, db.settings)
    return run_cli


def test_list_json_gives_every_step(run):
    code, out, _ = run("roadmap", "list", "--json")
    assert code == 0
    steps = json.loads(out)
    assert len(steps) == 42
    by_id = {s["id"]: s for s in steps}
    assert by_id["AC-08"] == {
        "id": "AC-08",
        "axis": "Accompagnement",
        "target": "Déploiement des outils et interopérabilité",
        "step": "Développer les interconnexions entre les SI PE et CD",
        "due_label": "Prévu fin S1",
        "due_date": "2023-06-30",
        "owners": ["Beta.gouv", "CD"],
        "status": "a_faire",
        "done_date": None,
        "updated_at": None,
        "updated_by": None,
        "last_comment": None,
        "last_comment_by": None,
        "last_comment_at": None,
    }
    assert by_id["GP-01"]["due_date"] == "2023-03-24"


def test_set_in_french_shows_in_list_and_history(run, db):
    code, out, _ = run("roadmap", "set", "DO-01", "en cours", "--comment", "Go", "--user", "Lea")
    assert (code, out.strip()) == (0, "DO-01 : à faire → en cours (version 2).")
    code, out, _ = run("roadmap", "set", "DO-01", "Fait", "--user", "Lea")
    assert code == 0
    step = next(s for s in json.loads(run("roadmap", "list", "--json")[1]) if s["id"] == "DO-01")
    assert step["status"] == "fait" and step["done_date"] is not None
    history = step_history(db.engine, "DO-01")
    assert [(h.changed_by, h.new_status, h.comment) for h in history] == [
        ("Lea", "en_cours", "Go"),
        ("Lea", "fait", None),
    ]
    code, out, _ = run("roadmap", "history", "DO-01")
    assert "à faire → en cours — Go" in out and "en cours → fait" in out
    # French timestamps (« 12 mars 2024 à 14:05 », « 1er … »), never ISO.
    for line in out.splitlines():
        assert re.match(r"^\d{1,2}(er)? [a-zéû]+ \d{4} à \d\d:\d\d\tLea\t", line), line


def test_set_to_the_current_status_says_no_change(run, db):
    assert run("roadmap", "set", "DO-02", "en cours")[0] == 0
    code, out, _ = run("roadmap", "set", "DO-02", "en cours")
    assert (code, out.strip()) == (0, "DO-02 : aucun changement (déjà « en cours », version 2).")
    assert len(step_history(db.engine, "DO-02")) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("DO-01", "presque"), "Erreur : Statut inconnu « presque »"),
        (("ZZ-1", "fait"), "Erreur : Étape de feuille de route inconnue : « ZZ-1 »."),
    ],
)
def test_set_errors_are_one_french_line(run, args, message):
    code, _out, err = run("roadmap", "set", *args)
    assert code == 1
    assert err.startswith(message) and err.count("\n") == 1


def test_fresh_database_init_then_list(tmp_path, monkeypatch, capsys):
    """The « done when » of the roadmap: init-db on an empty file, then every dated step."""
    monkeypatch.setenv("PILOTAGE_DATABASE_URL", f"sqlite:///{tmp_path / 'neuve.sqlite'}")
    get_settings.cache_clear()
    try:
        cli.main(["init-db"])
        assert "42 étapes de feuille de route chargées" in capsys.readouterr().out
        cli.main(["roadmap", "list", "--json"])
        steps = {s["id"]: s for s in json.loads(capsys.readouterr().out)}
        assert {k: s["due_date"] for k, s in steps.items() if s["due_date"]} == {
            k: d.isoformat() for k, d in EXPECTED_DUE.items()
        }
        cli.main(["roadmap", "set", "GP-01", "fait", "--user", "Lea"])
        cli.main(["roadmap", "history", "GP-01"])
        assert "à faire → fait" in capsys.readouterr().out
    finally:
        get_settings.cache_clear()


def test_set_with_done_date_case_blind_and_last_comment_in_json(run):
    code, out, err = run(
        "roadmap",
        "set",
        "do-04",
        "fait",
        "--done-date",
        "2023-05-02",
        "--comment",
        "Outil livré",
        "--user",
        "Agnès",
    )
    assert (code, err) == (0, "")
    assert out == "DO-04 : à faire → fait, fait le 2023-05-02 (version 2).\n"
    code, out, _ = run("roadmap", "set", "DO-05", "en cours", "--done-date", "2023-05-02")
    assert code == 1
    code, out, _ = run("roadmap", "list", "--json")
    step = {s["id"]: s for s in json.loads(out)}["DO-04"]
    assert (step["done_date"], step["last_comment"], step["last_comment_by"]) == (
        "2023-05-02",
        "Outil livré",
        "Agnès",
    )
    code, out, _ = run("roadmap", "history", "do-04")
    assert code == 0 and "Agnès\tà faire → fait — Outil livré" in out


def test_actions_and_meetings_commands(run):
    code, out, err = run(
        "meetings",
        "add",
        "point_hebdomadaire",
        "2023-05-05",
        "Point du 5 mai",
        "--institutions",
        "CD|PE|ARS",
        "--user",
        "Agnès",
    )
    assert (code, err) == (0, "")
    assert out == "Réunion n° 1 enregistrée : 2023-05-05 — Point du 5 mai.\n"
    code, out, _ = run("meetings", "list")
    assert out == "1\t2023-05-05\tpoint_hebdomadaire\tCD|France Travail|ARS\tPoint du 5 mai\n"
    code, out, err = run(
        "actions",
        "add",
        "Relancer la CAF",
        "--meeting",
        "1",
        "--owner",
        "pe",
        "--person",
        "Marie Durand",
        "--due",
        "2023-05-12",
        "--step",
        "ac-05",
        "--user",
        "Agnès",
    )
    assert (code, err) == (0, ""), err
    assert out.startswith("Enregistrée : 1\taction\touverte\t2023-05-12")
    code, out, _ = run("actions", "set", "1", "--status", "faite", "--user", "Bruno")
    assert code == 0 and "\tfaite\t" in out
    code, out, _ = run("actions", "set", "1", "--status", "en_cours", "--due", "-")
    assert code == 0 and "\ten_cours\tsans échéance\t" in out
    code, out, _ = run("actions", "list", "--open", "--json")
    (action,) = json.loads(out)
    assert (action["owner"], action["owner_person"], action["step_id"], action["version"]) == (
        "France Travail",
        "Marie Durand",
        "AC-05",
        3,
    )
    code, _, err = run("actions", "set", "99", "--status", "faite")
    assert code == 1 and err == "Erreur : Action inconnue : n° 99.\n"
    code, _, err = run("actions", "add", "X", "--owner", "Mairie")
    assert code == 1 and "Partenaire inconnu « Mairie »" in err
