"""``roadmap_steps.csv`` through the bundle import: insert, update with history, refusal, undo."""

from __future__ import annotations

import datetime as dt

import pytest

from data_access.db import session_scope
from data_access.exceptions import ImportValidationError
from data_access.importers.bundle import BundleImporter
from data_access.importers.pipeline import run_import
from data_access.importers.undo import undo_run
from data_access.roadmap import StepConflictError, list_steps, set_step_status, step_history
from data_access.roadmap_seed import load_seed_roadmap

HEADER = "step_id;axis;target;step;due_label;due_date;owners;status;done_date\n"


def _import(db, text: str):
    importer = BundleImporter({"roadmap_steps.csv": text.encode("utf-8")}, "lot", db.settings)
    return run_import(db.engine, importer, user="test")


def _steps(db):
    return {s.step_id: s for s in list_steps(db.engine)}


def test_new_steps_with_dates_from_labels(db):
    _import(
        db,
        HEADER
        + "X-1;Accompagnement;Cible A;Faire A;Mi-juin;;Pôle emploi|Etat;en cours;\n"
        + "X-2;Accompagnement;Cible A;Faire B;;2024-02-01;CD;fait;15/01/2024\n"
        + "X-3;Numérique;Cible B;Faire C;Prévu fin S2;;;;\n",
    )
    steps = _steps(db)
    # Mi-juin → 15 June of the reference year (2023 by default); a given due_date wins.
    assert steps["X-1"].due_date == dt.date(2023, 6, 15)
    assert (steps["X-1"].owners, steps["X-1"].status) == (("France Travail", "État"), "en_cours")
    assert (steps["X-2"].due_date, steps["X-2"].done_date) == (
        dt.date(2024, 2, 1),
        dt.date(2024, 1, 15),
    )
    assert (steps["X-3"].due_date, steps["X-3"].status, steps["X-3"].owners) == (
        dt.date(2023, 12, 31),
        "a_faire",
        (),
    )


def test_status_change_by_import_is_history_and_bumps_version(db):
    with session_scope(db.engine) as session:
        load_seed_roadmap(session, db.settings)
    seen = _steps(db)["DO-01"].version
    result = _import(
        db,
        HEADER
        + "DO-01;Diagnostic / orientation;Cible;Texte revu;Début Avril;;CD|CAF|MSA;fait;"
        + "03/04/2023\n",
    )
    step = _steps(db)["DO-01"]
    assert (step.status, step.done_date, step.step) == ("fait", dt.date(2023, 4, 3), "Texte revu")
    assert step.version == seen + 1
    (entry,) = step_history(db.engine, "DO-01")
    assert (entry.old_status, entry.new_status) == ("a_faire", "fait")
    assert entry.changed_by == f"import n° {result.run_id}"
    # A form opened before the import is refused instead of overwriting it.
    with pytest.raises(StepConflictError), session_scope(db.engine) as session:
        set_step_status(session, "DO-01", "en cours", user="x", expected_version=seen)
    # Re-importing the same file changes nothing (no new version, no new history row).
    _import(
        db,
        HEADER
        + "DO-01;Diagnostic / orientation;Cible;Texte revu;Début Avril;;CD|CAF|MSA;fait;"
        + "03/04/2023\n",
    )
    assert _steps(db)["DO-01"].version == seen + 1
    assert len(step_history(db.engine, "DO-01")) == 1
    # Undoing the first import puts the step and its history back.
    undo_run(db.engine, result.run_id)
    step = _steps(db)["DO-01"]
    assert (step.status, step.version, step.done_date) == ("a_faire", seen, None)
    assert step_history(db.engine, "DO-01") == []


def test_bad_lines_refuse_the_file_naming_line_and_field(db):
    with pytest.raises(ImportValidationError) as info:
        _import(
            db,
            HEADER
            + "X-1;Axe;Cible;Faire;Bientôt;;CD;;\n"
            + "X-2;Axe;Cible;Faire;Mai;;Mairie;;\n"
            + "X-3;Axe;Cible;Faire;Mai;;CD;presque;\n"
            + "X-4;Axe;Cible;Faire;Mai;;CD;en cours;01/05/2023\n",
        )
    described = [e.describe() for e in info.value.errors]
    assert any(
        d.startswith("roadmap_steps.csv, ligne 2, champ due_label : Échéance non reconnue")
        for d in described
    )
    assert any("ligne 3, champ owners : Partenaire inconnu « Mairie »" in d for d in described)
    assert any("ligne 4, champ status : Statut inconnu « presque »" in d for d in described)
    assert any("ligne 5, champ done_date : date de réalisation" in d for d in described)
    assert list_steps(db.engine) == []
