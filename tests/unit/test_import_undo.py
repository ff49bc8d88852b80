"""Undoing an import run: exact restoration, refusals that protect other runs, the CLI."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

import pytest
from sqlalchemy import Connection, insert, select

from data_access.importers.base import Importer, ValidationReport
from data_access.importers.bundle import BundleImporter
from data_access.importers.journal import Journal
from data_access.importers.pipeline import run_import
from data_access.importers.undo import ImportUndoError, undo_run
from data_access.schema import (
    CompanyAction,
    ImportRun,
    Invitation,
    Meeting,
    PartnerService,
    Person,
    ServiceThematique,
)
from tests.unit.bundle_data import (
    BENEFICIARIES,
    VALID_BUNDLE,
    as_bytes,
    data_snapshot,
    table_counts,
)


def bundle(db, files: dict[str, str]) -> BundleImporter:
    return BundleImporter(as_bytes(files), "lot", db.settings)


def run_status(db, run_id: int) -> str:
    with db.engine.connect() as conn:
        return conn.execute(select(ImportRun.status).where(ImportRun.id == run_id)).scalar_one()


# A newer export: CAF-0001 moved to Aubusson, CAF-0002's appointment status was corrected,
# CAF-0001's weekly hours changed (3 updates); CAF-0004 is new with one invitation, and
# CAF-0001 got a new invitation (3 inserts).
NEWER = dict(VALID_BUNDLE)
NEWER["beneficiaries.csv"] = (
    BENEFICIARIES.replace("CAF-0001,2024-01-15,23096", "CAF-0001,2024-01-15,23008")
    + "CAF-0004,2024-04-01,23096,caf,oui,,,\n"
)
NEWER["appointments.csv"] = VALID_BUNDLE["appointments.csv"].replace("noshow", "excused")
NEWER["accompaniments.csv"] = VALID_BUNDLE["accompaniments.csv"].replace('"17,5"', "20")
NEWER["invitations.csv"] = (
    VALID_BUNDLE["invitations.csv"]
    + "CAF-0004;2024-04-03;convocation;email;\n"
    + "CAF-0001;2024-02-27;invitation;email;\n"
)


def test_undo_restores_previous_values_after_an_overwriting_reimport(db):
    first = run_import(db.engine, bundle(db, VALID_BUNDLE))
    after_first = data_snapshot(db.engine)
    second = run_import(db.engine, bundle(db, NEWER))
    updated = {f.file_name: f.rows_updated for f in second.report.files if f.rows_updated}
    inserted = {f.file_name: f.rows_inserted for f in second.report.files if f.rows_inserted}
    assert updated == {"beneficiaries.csv": 1, "appointments.csv": 1, "accompaniments.csv": 1}
    assert inserted == {"beneficiaries.csv": 1, "invitations.csv": 2}
    with db.engine.connect() as conn:
        communes = set(conn.execute(select(Person.commune_code)).scalars())
    assert communes == {"23008", "23096"}
    assert data_snapshot(db.engine) != after_first

    report = undo_run(db.engine, second.run_id, user="admin")

    assert (report.rows_deleted, report.rows_restored) == (3, 3)
    # Same rows, same values, same ids and the first run's stamp on every row again.
    assert data_snapshot(db.engine) == after_first
    assert run_status(db, second.run_id) == "undone"
    assert run_status(db, first.run_id) == "success"
    with db.engine.connect() as conn:
        details = conn.execute(
            select(ImportRun.details).where(ImportRun.id == second.run_id)
        ).scalar_one()
    assert details["undone_by"] == "admin"


def test_undo_refused_while_a_later_run_changed_its_rows(db):
    before = data_snapshot(db.engine)
    first = run_import(db.engine, bundle(db, VALID_BUNDLE))
    second = run_import(db.engine, bundle(db, NEWER))
    after_second = data_snapshot(db.engine)
    with pytest.raises(ImportUndoError) as error:
        undo_run(db.engine, first.run_id)
    assert str(error.value) == (
        "L'import n° 1 ne peut pas être annulé sans toucher à d'autres données : "
        "l'import n° 2 en dépend ; annulez-le d'abord."
    )
    assert data_snapshot(db.engine) == after_second
    assert run_status(db, first.run_id) == "success"

    undo_run(db.engine, second.run_id)
    undo_run(db.engine, first.run_id)
    assert data_snapshot(db.engine) == before


def test_undo_refused_when_another_run_points_at_its_persons(db):
    first = run_import(db.engine, bundle(db, {"beneficiaries.csv": BENEFICIARIES}))
    second = run_import(db.engine, bundle(db, {"invitations.csv": VALID_BUNDLE["invitations.csv"]}))
    third = run_import(db.engine, bundle(db, {"needs.csv": VALID_BUNDLE["needs.csv"]}))
    snapshot = data_snapshot(db.engine)
    with pytest.raises(ImportUndoError) as error:
        undo_run(db.engine, first.run_id)
    assert str(error.value) == (
        "L'import n° 1 ne peut pas être annulé sans toucher à d'autres données : "
        f"les imports n° {second.run_id}, {third.run_id} en dépendent ; annulez-les d'abord."
    )
    assert data_snapshot(db.engine) == snapshot


def test_undo_refused_when_rows_written_outside_imports_depend_on_it(db):
    first = run_import(db.engine, bundle(db, {"beneficiaries.csv": BENEFICIARIES}))
    with db.engine.begin() as conn:
        person_id = conn.execute(select(Person.id).limit(1)).scalar_one()
        conn.execute(
            insert(Invitation),
            {
                "person_id": person_id,
                "sent_date": dt.date(2024, 5, 1),
                "kind": "invitation",
                "channel": "sms",
                "is_reminder": False,
            },
        )
    with pytest.raises(ImportUndoError) as error:
        undo_run(db.engine, first.run_id)
    assert str(error.value) == (
        "L'import n° 1 ne peut pas être annulé sans toucher à d'autres données : des données "
        "écrites hors import (démonstration ou saisie) en dépendent."
    )


def test_undo_leaves_other_runs_data_alone(db):
    run_import(db.engine, bundle(db, {"beneficiaries.csv": BENEFICIARIES}))
    after_first = data_snapshot(db.engine)
    second = run_import(
        db.engine,
        bundle(
            db,
            {
                "beneficiaries.csv": BENEFICIARIES.splitlines()[0]
                + "\nCAF-0004,2024-04-01,23096,caf,oui,,,\n",
                "invitations.csv": "person_id,sent_date,kind,channel\n"
                "CAF-0004,2024-04-03,convocation,email\n"
                "CAF-0001,2024-04-03,convocation,email\n",
                "company_actions.csv": VALID_BUNDLE["company_actions.csv"],
            },
        ),
    )
    report = undo_run(db.engine, second.run_id)
    assert (report.rows_deleted, report.rows_restored) == (5, 0)
    assert data_snapshot(db.engine) == after_first


def test_unknown_or_already_undone_runs_are_refused(db):
    with pytest.raises(ImportUndoError) as error:
        undo_run(db.engine, 42)
    assert str(error.value) == "L'import n° 42 n'existe pas."
    run = run_import(db.engine, bundle(db, VALID_BUNDLE))
    undo_run(db.engine, run.run_id)
    with pytest.raises(ImportUndoError) as error:
        undo_run(db.engine, run.run_id)
    assert str(error.value) == f"L'import n° {run.run_id} a déjà été annulé."


class ServiceImporter(Importer):
    """A minimal importer of another source, as a partner-offer import would be written:
    upserts a service, inserts its thématique (a child table without ``import_run_id``) and
    deletes the immersions it supersedes, all through the journal."""

    source: ClassVar[str] = "essai"

    def validate(self, conn: Connection) -> ValidationReport:
        report = ValidationReport(self.source, "services.json", "0" * 64)
        report.file("services.json").rows_read = 1
        return report

    def write(self, conn: Connection, journal: Journal) -> None:
        journal.upsert(
            PartnerService.__table__,
            [{"service_id": "S1", "name": "Garage solidaire", "capacity": 4}],
            key=("service_id",),
        )
        service_pk = conn.execute(
            select(PartnerService.id).where(PartnerService.service_id == "S1")
        ).scalar_one()
        journal.insert(
            ServiceThematique.__table__,
            [
                {
                    "service_pk": service_pk,
                    "thematique": "mobilite--acceder-a-un-vehicule",
                    "category": "mobilite",
                }
            ],
        )
        # A child row whose id the database generates is journaled through RETURNING.
        journal.insert(
            Meeting.__table__,
            [{"kind": "comite_de_suivi", "date": dt.date(2024, 3, 1), "title": "Comité"}],
        )
        table = CompanyAction.__table__
        journal.delete_where(table, table.c.action == "immersion")


def test_journaled_deletes_and_child_inserts_of_any_importer_are_undone(db):
    run_import(db.engine, bundle(db, VALID_BUNDLE))
    after_bundle = data_snapshot(db.engine)
    result = run_import(db.engine, ServiceImporter())
    with db.engine.connect() as conn:
        actions = set(conn.execute(select(CompanyAction.action)).scalars())
        thematiques = conn.execute(select(ServiceThematique.category)).scalars().all()
    assert actions == {"engagement"}
    assert thematiques == ["mobilite"]
    assert table_counts(db.engine)["meetings"] == 1

    report = undo_run(db.engine, result.run_id)

    # Deleted: the thématique and the meeting (journaled inserts) and the service (stamped);
    # restored: the immersion, with its id and its original run.
    assert (report.rows_deleted, report.rows_restored) == (3, 1)
    assert data_snapshot(db.engine) == after_bundle


# --- CLI -----------------------------------------------------------------------------


def test_cli_undo(db, run_cli):
    first = run_import(db.engine, bundle(db, VALID_BUNDLE))
    second = run_import(db.engine, bundle(db, NEWER))
    code, out, err = run_cli("import", "undo", str(first.run_id))
    assert code == 1
    assert err.startswith("Erreur : L'import n° 1 ne peut pas être annulé")
    code, out, err = run_cli("import", "undo", str(second.run_id), "--user", "admin")
    assert (code, err) == (0, "")
    assert out == (
        "Import n° 2 annulé : 3 lignes supprimées, 3 lignes remises à leur valeur précédente.\n"
    )
    code, out, err = run_cli("import", "undo", str(second.run_id))
    assert (code, out, err) == (1, "", "Erreur : L'import n° 2 a déjà été annulé.\n")
    code, out, err = run_cli("import", "undo", "99")
    assert (code, err) == (1, "Erreur : L'import n° 99 n'existe pas.\n")
