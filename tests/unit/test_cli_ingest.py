"""``pilotage import rdv-insertion``: exit codes and the French lines users read."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from data_access.schema import Person
from tests.unit.rdv_export import (
    APPOINTMENT_HEADERS,
    SECRET_VALUES,
    USER_HEADERS,
    appointment_rows,
    realistic_users,
    to_csv,
    user_row,
)


@pytest.fixture
def run(run_cli):
    return run_cli


def _persons(db) -> int:
    with db.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Person)).scalar_one()


def test_import_prints_a_french_report(run, db, tmp_path):
    users = tmp_path / "Export_beneficiaires.csv"
    users.write_text(to_csv(USER_HEADERS, realistic_users()), encoding="utf-8")
    rdvs = tmp_path / "Export_rdvs.csv"
    rdvs.write_text(to_csv(APPOINTMENT_HEADERS, appointment_rows()), encoding="utf-8")
    code, out, err = run("import", "rdv-insertion", str(users), "--appointments", str(rdvs))
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].startswith(
        "Import n° 1 réussi (Export_beneficiaires.csv + Export_rdvs.csv) : 10 lignes lues, "
        "21 écrites"
    )
    assert "  1 ligne décrivait une personne déjà présente" in out
    assert "Export_beneficiaires.csv, ligne 8, champ Ville : commune non reconnue" in out
    assert not any(secret in out for secret in SECRET_VALUES)
    assert _persons(db) == 7


def test_invalid_rows_exit_1_with_each_error(run, db, tmp_path):
    rows = [*realistic_users(), user_row(**{"ID interne au département": "D30"})]
    users = tmp_path / "usagers.csv"
    users.write_text(to_csv(USER_HEADERS, rows), encoding="utf-8")
    code, out, err = run("import", "rdv-insertion", str(users))
    assert code == 1
    assert out == ""
    assert err.splitlines() == [
        "Erreur : Import refusé : 1 erreur sur 1 ligne ; rien n'a été écrit.",
        "usagers.csv, ligne 9, champ Date d'entrée flux : date d'entrée absente : « Date "
        "d'entrée flux » ou « Date de création » attendue",
    ]
    assert _persons(db) == 0
    code, out, _ = run("import", "rdv-insertion", str(users), "--skip-invalid")
    assert code == 0
    assert out.startswith("Import n° 1 avec des lignes rejetées (usagers.csv) : 8 lignes lues")
    assert _persons(db) == 6


def test_missing_and_unreadable_files(run, tmp_path):
    code, _, err = run("import", "rdv-insertion", str(tmp_path / "absent.csv"))
    assert (code, err.strip()) == (
        1,
        f"Erreur : Fichier illisible : {tmp_path / 'absent.csv'} (fichier introuvable).",
    )
    binary = tmp_path / "photo.csv"
    binary.write_bytes(b"\x89PNG\x00\x00\x00")
    code, _, err = run("import", "rdv-insertion", str(binary))
    assert code == 1
    assert err.splitlines()[1] == (
        "photo.csv : fichier binaire, un CSV (texte) ou un classeur .xlsx est attendu."
    )
