"""The Creuse seed roadmap: every step loaded with its parsed date and canonical owners."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from data_access.db import session_scope
from data_access.exceptions import ReferenceDataError
from data_access.roadmap import list_steps, set_step_status
from data_access.roadmap_seed import DEFAULT_ROADMAP, load_seed_roadmap, read_seed
from tests.conftest import make_settings

D = dt.date

# Steps per table of the seed document, counted by hand on the PDF text:
# diagnostic-orientation 1/3 has 6 rows; 2/3 has 6 (2 + 1 + 1 + 2); 3/3 has 2; accompaniment has
# 8 (the bulleted cell « cartographie / DORA » is 2 steps, the « Carnet de Bord / interconnexions »
# cell with two due dates is 2 steps); companies 7; governance 2. Plus 6 macro-process questions
# that are not already steps and the 5 tools of the digital roadmap.
TABLE_COUNTS = {
    "Macro-processus cible": 6,
    "Feuille de route diagnostic-orientation (1/3)": 6,
    "Feuille de route diagnostic-orientation (2/3)": 6,
    "Feuille de route diagnostic-orientation (3/3)": 2,
    "Feuille de route accompagnement": 8,
    "Feuille de route mobilisation des entreprises": 7,
    "Feuille de route gouvernance partagée": 2,
    "Feuille de route numérique": 5,
}

# Due date of every dated step, written by hand from its label (reference year 2023).
EXPECTED_DUE = {
    "DO-01": D(2023, 4, 10),  # Début Avril
    "DO-02": D(2023, 4, 10),  # Début avril
    "DO-03": D(2023, 3, 31),  # Fin mars
    "DO-04": D(2023, 3, 31),
    "DO-05": D(2023, 3, 31),
    "DO-06": D(2023, 3, 31),
    "DO-07": D(2023, 4, 10),  # Début avril
    "DO-08": D(2023, 4, 10),
    "DO-09": D(2023, 4, 10),
    "DO-10": D(2023, 7, 10),  # Début juillet
    "DO-11": D(2023, 5, 15),  # Mi mai
    "DO-12": D(2023, 5, 15),
    "DO-13": D(2023, 5, 31),  # Fin mai
    "DO-14": D(2023, 5, 31),
    "AC-01": D(2023, 4, 30),  # Avril
    "AC-02": D(2023, 4, 30),
    "AC-03": D(2023, 7, 31),  # Juillet
    "AC-04": D(2023, 5, 31),  # Avril / Mai
    "AC-05": D(2023, 12, 31),  # Au fil de l'eau – fin décembre 2023
    "AC-06": D(2023, 12, 31),
    "AC-07": D(2023, 4, 30),  # Avril
    "AC-08": D(2023, 6, 30),  # Prévu fin S1
    "ME-01": D(2023, 4, 30),  # Avril
    "ME-02": D(2023, 4, 10),  # Début Avril
    "ME-03": D(2023, 5, 31),  # Mai
    "ME-04": D(2023, 5, 31),
    "ME-05": D(2023, 5, 31),
    "ME-06": D(2023, 6, 30),  # Mai/Juin
    "ME-07": D(2023, 5, 31),  # Mai
    "GP-01": D(2023, 3, 24),  # S12
    "GP-02": D(2023, 3, 31),  # Fin mars
    "NU-01": D(2023, 3, 31),  # Fin mars
    "NU-02": D(2023, 4, 10),  # Début avril
    "NU-03": D(2023, 4, 30),  # Avril
    "NU-04": D(2023, 5, 31),  # Mai
    "NU-05": D(2023, 6, 30),  # Prévu fin S1
}
UNDATED = {"MP-01", "MP-02", "MP-03", "MP-04", "MP-05", "MP-06"}


def _load(db) -> int:
    with session_scope(db.engine) as session:
        return load_seed_roadmap(session, db.settings)


def test_seed_file_has_every_table():
    counts = Counter(step.table for step in read_seed(DEFAULT_ROADMAP))
    assert dict(counts) == TABLE_COUNTS
    assert sum(TABLE_COUNTS.values()) == 42


def test_split_cell_gives_two_steps_with_their_own_dates():
    steps = {s.step_id: s for s in read_seed(DEFAULT_ROADMAP)}
    assert steps["AC-07"].step == "Mettre en place Carnet de Bord"
    assert steps["AC-07"].due_label == "Avril"
    assert steps["AC-08"].step == "Développer les interconnexions entre les SI PE et CD"
    assert steps["AC-08"].due_label == "Prévu fin S1"


def test_load_gives_every_step_its_due_date(db):
    assert _load(db) == 42
    steps = {s.step_id: s for s in list_steps(db.engine)}
    assert {k: s.due_date for k, s in steps.items() if s.due_date} == EXPECTED_DUE
    assert {k for k, s in steps.items() if s.due_date is None} == UNDATED
    assert all(s.status == "a_faire" and s.version == 1 for s in steps.values())
    assert Counter(s.step_id[:2] for s in steps.values()) == Counter(
        {"MP": 6, "DO": 14, "AC": 8, "ME": 7, "GP": 2, "NU": 5}
    )


def test_owners_are_canonical_parties(db):
    _load(db)
    steps = {s.step_id: s for s in list_steps(db.engine)}
    assert steps["DO-01"].owners == ("CD", "CAF", "MSA")
    assert steps["AC-03"].owners == ("CD", "État")  # written « CD & Etat »
    assert steps["ME-05"].owners == ("État",)
    assert steps["DO-04"].owners == ("Beta.gouv", "CD", "France Travail")
    assert steps["DO-01"].due_label == "Début Avril"  # the label is kept exactly as written


def test_rerun_inserts_nothing_and_keeps_statuses(db):
    _load(db)
    with session_scope(db.engine) as session:
        set_step_status(session, "DO-01", "fait", user="test", done_date=D(2023, 4, 3))
    assert _load(db) == 42  # the seed steps present, as init-db reports them
    assert len(list_steps(db.engine)) == 42
    step = next(s for s in list_steps(db.engine) if s.step_id == "DO-01")
    assert (step.status, step.done_date, step.version) == ("fait", D(2023, 4, 3), 2)


def test_other_departement_has_no_seed_unless_a_file_is_given(db, tmp_path):
    settings = make_settings(db.settings.database_url, departement_code="87")
    with session_scope(db.engine) as session:
        assert load_seed_roadmap(session, settings) == 0
    path = tmp_path / "fdr.csv"
    path.write_text(
        "step_id,axis,target,step,due_label,owners\n"
        "X-1,Axe,Cible,Faire une chose,Fin mars,Pôle emploi & Etat\n",
        encoding="utf-8",
    )
    settings = make_settings(
        db.settings.database_url,
        departement_code="87",
        roadmap_file=path,
        roadmap_reference_year=2024,
    )
    with session_scope(db.engine) as session:
        assert load_seed_roadmap(session, settings) == 1
    (step,) = list_steps(db.engine)
    assert (step.due_date, step.owners) == (D(2024, 3, 31), ("France Travail", "État"))


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("X-1,Axe,Cible,Faire,Bientôt,CD", "étape X-1 : Échéance non reconnue : « Bientôt »"),
        (
            "X-1,Axe,Cible,Faire,Mai,Mairie",
            "ligne 2, colonne owners : Partenaire inconnu « Mairie »",
        ),
        ("X-1,Axe,,Faire,Mai,CD", "ligne 2 : « target » est vide"),
    ],
)
def test_bad_roadmap_file_is_refused_in_french(sqlite_db, tmp_path, line, message):
    path = tmp_path / "fdr.csv"
    path.write_text("step_id,axis,target,step,due_label,owners\n" + line + "\n", encoding="utf-8")
    settings = make_settings(sqlite_db.settings.database_url, roadmap_file=path)
    with pytest.raises(ReferenceDataError, match=message), session_scope(sqlite_db.engine) as s:
        load_seed_roadmap(s, settings)
    assert list_steps(sqlite_db.engine) == []
