"""``pilotage import bundle``: valid bundle, every kind of bad row, atomicity, --skip-invalid,
idempotence, encodings, pseudonymisation and the CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from data_access.exceptions import ImportValidationError
from data_access.importers.base import RowError
from data_access.importers.bundle import UNKNOWN_PERSON, BundleImporter
from data_access.importers.pipeline import ImportWriteError, describe_result, preview, run_import
from data_access.pseudonym import pseudonymise
from data_access.schema import (
    CHANNELS,
    Accompaniment,
    Appointment,
    CompanyAction,
    ImportRejection,
    ImportRun,
    Invitation,
    Need,
    Orientation,
    Person,
)
from tests.unit.bundle_data import (
    BENEFICIARIES,
    EXPECTED_COUNTS,
    RAW_IDENTIFIERS,
    VALID_BUNDLE,
    all_text,
    as_bytes,
    data_snapshot,
    table_counts,
    write_bundle,
)


def importer(db, files: dict[str, str], encoding: str = "utf-8") -> BundleImporter:
    return BundleImporter(as_bytes(files, encoding), "lot-test", db.settings)


def test_valid_bundle_loads_every_file(db):
    result = run_import(db.engine, importer(db, VALID_BUNDLE), user="agent")
    counts = table_counts(db.engine)
    assert {name: counts[name] for name in EXPECTED_COUNTS} == EXPECTED_COUNTS
    assert result.status == "success"
    assert result.report.rows_read == 16
    assert result.report.rows_written == 16
    assert result.report.rows_rejected == 0
    by_file = {f.file_name: f.rows_inserted for f in result.report.files}
    assert by_file == {
        "beneficiaries.csv": 3,
        "invitations.csv": 3,
        "appointments.csv": 2,
        "orientations.csv": 1,
        "contracts.csv": 1,
        "accompaniments.csv": 1,
        "needs.csv": 3,
        "company_actions.csv": 2,
    }
    # Files are written in dependency order: persons first.
    assert result.report.files[0].file_name == "beneficiaries.csv"

    with db.engine.connect() as conn:
        run = conn.execute(select(ImportRun)).one()
        assert (run.source, run.file_name, run.user, run.status) == (
            "bundle",
            "lot-test",
            "agent",
            "success",
        )
        assert (run.rows_read, run.rows_written, run.rows_rejected) == (16, 16, 0)
        assert len(run.file_hash) == 64
        assert run.started_at <= run.finished_at

        key = pseudonymise("CAF-0002", db.settings.pseudonymisation_key)
        person = conn.execute(select(Person).where(Person.person_key == key)).one()
        assert person.entry_date == dt.date(2024, 2, 15)  # from dd/mm/YYYY
        assert person.exit_date == dt.date(2024, 6, 30)
        assert person.payer == "msa"
        assert person.subject_to_obligations is False
        assert person.birth_year is None and person.sex is None
        assert person.commune_code == "23008"
        assert person.import_run_id == run.id
        # « CAF » is accepted case-insensitively and stored as the canonical « caf ».
        assert sorted(conn.execute(select(Person.payer)).scalars()) == ["caf", "caf", "msa"]

        reminders = conn.execute(
            select(Invitation.is_reminder).order_by(Invitation.sent_date)
        ).scalars()
        assert list(reminders) == [False, True, False]  # empty is_reminder = false
        statuses = conn.execute(
            select(Appointment.status, Appointment.booked_after).order_by(Appointment.date)
        ).all()
        assert [tuple(s) for s in statuses] == [("seen", "invitation"), ("noshow", "convocation")]
        assert conn.execute(select(Orientation.orientation_type)).scalar_one() == "socio_pro"
        hours = conn.execute(select(Accompaniment.weekly_activity_hours)).scalar_one()
        assert hours == 17.5  # « 17,5 »
        assert sorted(conn.execute(select(Need.category)).scalars()) == [
            "famille",
            "logement-hebergement",
            "mobilite",
        ]
        actions = conn.execute(
            select(CompanyAction.action, CompanyAction.count).order_by(CompanyAction.action)
        ).all()
        assert [tuple(a) for a in actions] == [("engagement", 1), ("immersion", 2)]


def test_preview_writes_nothing_and_lists_unknown_columns(db):
    files = dict(VALID_BUNDLE)
    files["contracts.csv"] = (
        "person_id,signed_date,contract_type,Commentaire\nCAF-0001,2024-02-20,cer,x\n"
    )
    files["notes.txt"] = "rien"
    before = table_counts(db.engine)
    report = preview(db.engine, importer(db, files))
    assert report.ok
    assert report.rows_read == 16
    assert report.file("contracts.csv").unknown_columns == ["Commentaire"]
    assert report.notes == ["fichier ignoré (non reconnu) : notes.txt"]
    assert table_counts(db.engine) == before


# --- bad rows ------------------------------------------------------------------------

BENEFICIARY_HEADER = BENEFICIARIES.splitlines()[0]
GOOD_PERSON = "CAF-0001,2024-01-15,23096,caf,oui,,1980,F"


def beneficiaries_with(bad_line: str) -> dict[str, str]:
    return {"beneficiaries.csv": f"{BENEFICIARY_HEADER}\n{GOOD_PERSON}\n{bad_line}\n"}


def with_event(file_name: str, header: str, bad_line: str) -> dict[str, str]:
    return {"beneficiaries.csv": BENEFICIARIES, file_name: f"{header}\n{bad_line}\n"}


B = "beneficiaries.csv"
BAD_ROWS = [
    pytest.param(
        beneficiaries_with("CAF-0009,31/02/2024,23096,caf,oui,,,"),
        RowError(B, 3, "entry_date", "date inexistante"),
        id="impossible-date",
    ),
    pytest.param(
        beneficiaries_with("CAF-0009,mars 2024,23096,caf,oui,,,"),
        RowError(
            B,
            3,
            "entry_date",
            "date illisible : format attendu AAAA-MM-JJ ou JJ/MM/AAAA",
        ),
        id="date-format",
    ),
    pytest.param(
        beneficiaries_with("CAF-0009,,23096,caf,oui,,,"),
        RowError(B, 3, "entry_date", "valeur obligatoire manquante"),
        id="missing-value",
    ),
    pytest.param(
        beneficiaries_with("CAF-0009,2024-01-15,99999,caf,oui,,,"),
        RowError(
            B,
            3,
            "commune_code",
            "commune inconnue : code INSEE absent des communes du département",
        ),
        id="unknown-commune",
    ),
    pytest.param(
        beneficiaries_with("CAF-0009,2024-01-15,23096,cnaf,oui,,,"),
        RowError(B, 3, "payer", "valeur non autorisée : valeurs possibles caf, msa"),
        id="payer",
    ),
    pytest.param(
        beneficiaries_with("CAF-0009,2024-01-15,23096,caf,peut-être,,,"),
        RowError(
            B,
            3,
            "subject_to_obligations",
            "valeur non reconnue : oui/non, true/false ou 1/0 attendu",
        ),
        id="boolean",
    ),
    pytest.param(
        beneficiaries_with("CAF-0009,2024-01-15,23096,caf,oui,2023-12-31,,"),
        RowError(B, 3, "exit_date", "date de sortie antérieure à la date d'entrée"),
        id="exit-before-entry",
    ),
    pytest.param(
        beneficiaries_with("CAF-0009,2024-01-15,23096,caf,oui,,1850,"),
        RowError(B, 3, "birth_year", "année de naissance impossible (1900 à 2100)"),
        id="birth-year",
    ),
    pytest.param(
        beneficiaries_with("CAF-0009,2024-01-15,23096,caf,oui,,,X"),
        RowError(B, 3, "sex", "valeur non autorisée : valeurs possibles F, M"),
        id="sex",
    ),
    pytest.param(
        beneficiaries_with("caf-0001,2024-01-16,23096,caf,oui,,,"),
        RowError(B, 3, "person_id", "doublon de la ligne 2 (même person_id)"),
        id="duplicate-person",
    ),
    pytest.param(
        {
            "beneficiaries.csv": "person_id,entry_date,payer,subject_to_obligations\n"
            "A,2024-01-01,caf,oui\n"
        },
        RowError(B, 1, "commune_code", "colonne obligatoire absente"),
        id="missing-column",
    ),
    pytest.param(
        with_event(
            "invitations.csv",
            "person_id,sent_date,kind,channel,is_reminder",
            "CAF-0404,2024-01-20,invitation,sms,",
        ),
        RowError("invitations.csv", 2, "person_id", UNKNOWN_PERSON),
        id="unknown-person",
    ),
    pytest.param(
        with_event(
            "invitations.csv",
            "person_id,sent_date,kind,channel,is_reminder",
            "CAF-0001,2024-01-20,invitation,fax,",
        ),
        RowError(
            "invitations.csv",
            2,
            "channel",
            f"valeur non autorisée : valeurs possibles {', '.join(CHANNELS)}",
        ),
        id="channel",
    ),
    pytest.param(
        with_event(
            "appointments.csv",
            "person_id,date,purpose,status,booked_after",
            "CAF-0001,2024-02-01,orientation,absent,",
        ),
        RowError(
            "appointments.csv",
            2,
            "status",
            "valeur non autorisée : valeurs possibles unknown, seen, excused, revoked, noshow",
        ),
        id="appointment-status",
    ),
    pytest.param(
        with_event(
            "orientations.csv",
            "person_id,decision_date,orientation_type,organism",
            "CAF-0001,2024-02-01,professionnelle,cd",
        ),
        RowError(
            "orientations.csv",
            2,
            "orientation_type",
            "valeur non autorisée : valeurs possibles pro, socio_pro, social",
        ),
        id="orientation-type",
    ),
    pytest.param(
        with_event(
            "contracts.csv", "person_id,signed_date,contract_type", "CAF-0001,2024-02-30,cer"
        ),
        RowError("contracts.csv", 2, "signed_date", "date inexistante"),
        id="contract-date",
    ),
    pytest.param(
        with_event(
            "accompaniments.csv",
            "person_id,referent_id,start_date,end_date,weekly_activity_hours",
            "CAF-0001,REF-1,2024-02-20,,90",
        ),
        RowError(
            "accompaniments.csv",
            2,
            "weekly_activity_hours",
            "heures d'activité hebdomadaires hors de l'intervalle 0 à 80",
        ),
        id="hours",
    ),
    pytest.param(
        with_event(
            "accompaniments.csv",
            "person_id,referent_id,start_date,end_date,weekly_activity_hours",
            "CAF-0001,REF-1,2024-02-20,2024-02-01,",
        ),
        RowError("accompaniments.csv", 2, "end_date", "date de fin antérieure à la date de début"),
        id="end-before-start",
    ),
    pytest.param(
        with_event("needs.csv", "person_id,category,identified_date", "CAF-0001,garde,2024-02-01"),
        RowError(
            "needs.csv",
            2,
            "category",
            "catégorie inconnue : catégorie data·inclusion attendue (ex. mobilite, "
            "famille, sante, logement-hebergement) ou thème Carnet de Bord "
            "(ex. contraintes_familiales, logement)",
        ),
        id="need-category",
    ),
    pytest.param(
        {"company_actions.csv": "date,company_id,action,count\n2024-03-01,S1,hire,-1\n"},
        RowError("company_actions.csv", 2, "count", "nombre négatif"),
        id="negative-count",
    ),
    pytest.param(
        {"company_actions.csv": "date,company_id,action,count\n2024-03-01,S1,don,\n"},
        RowError(
            "company_actions.csv",
            2,
            "action",
            "valeur non autorisée : valeurs possibles engagement, immersion, "
            "job_offer, hire, mentoring",
        ),
        id="company-action",
    ),
]


@pytest.mark.parametrize(("files", "expected"), BAD_ROWS)
def test_each_bad_row_is_refused_with_its_message(db, files, expected):
    before = table_counts(db.engine)
    with pytest.raises(ImportValidationError) as error:
        run_import(db.engine, importer(db, files))
    assert error.value.errors == [expected]
    assert str(error.value) == "Import refusé : 1 erreur sur 1 ligne ; rien n'a été écrit."
    assert table_counts(db.engine) == before


def test_unreadable_file_is_an_error_of_that_file(db):
    files = as_bytes({"beneficiaries.csv": BENEFICIARIES})
    files["invitations.csv"] = b"\x00\x01binaire"
    with pytest.raises(ImportValidationError) as error:
        run_import(db.engine, BundleImporter(files, "lot", db.settings))
    assert error.value.errors == [
        RowError(
            "invitations.csv",
            None,
            None,
            "fichier binaire, un CSV (texte) ou un classeur .xlsx est attendu.",
        )
    ]


def test_every_error_is_collected_not_only_the_first(db):
    files = {
        "beneficiaries.csv": f"{BENEFICIARY_HEADER}\n"
        "CAF-0009,mars,99999,cnaf,oui,,,\n"
        f"{GOOD_PERSON}\n"
        "CAF-0010,2024-01-15,99999,caf,oui,,,\n",
        "invitations.csv": "person_id,sent_date,kind,channel\nCAF-0009,2024-01-20,invitation,sms\n",
    }
    with pytest.raises(ImportValidationError) as error:
        run_import(db.engine, importer(db, files))
    described = [e.describe() for e in error.value.errors]
    assert described == [
        "beneficiaries.csv, ligne 2, champ entry_date : date illisible : format attendu "
        "AAAA-MM-JJ ou JJ/MM/AAAA",
        "beneficiaries.csv, ligne 2, champ commune_code : commune inconnue : code "
        "INSEE absent des communes du département",
        "beneficiaries.csv, ligne 2, champ payer : valeur non autorisée : valeurs "
        "possibles caf, msa",
        "beneficiaries.csv, ligne 4, champ commune_code : commune inconnue : code "
        "INSEE absent des communes du département",
        # CAF-0009 was rejected, so its invitation points at an unknown person.
        f"invitations.csv, ligne 2, champ person_id : {UNKNOWN_PERSON}",
    ]
    assert str(error.value) == "Import refusé : 5 erreurs sur 3 lignes ; rien n'a été écrit."


def test_one_bad_line_leaves_every_table_unchanged(db):
    run_import(db.engine, importer(db, {"beneficiaries.csv": BENEFICIARIES}))
    before_counts = table_counts(db.engine)
    before_rows = data_snapshot(db.engine)
    files = dict(VALID_BUNDLE)
    # Every other line is valid and would change or add rows; one bad date refuses it all.
    files["beneficiaries.csv"] = BENEFICIARIES.replace("23008,msa", "23096,msa") + (
        "CAF-0004,2024-13-01,23096,caf,oui,,,\n"
    )
    with pytest.raises(ImportValidationError) as error:
        run_import(db.engine, importer(db, files))
    assert [(e.file, e.line, e.field) for e in error.value.errors] == [
        ("beneficiaries.csv", 5, "entry_date")
    ]
    assert table_counts(db.engine) == before_counts
    assert data_snapshot(db.engine) == before_rows


def test_skip_invalid_writes_valid_rows_and_records_rejections(db):
    files = dict(VALID_BUNDLE)
    files["beneficiaries.csv"] = BENEFICIARIES + "CAF-0004,2024-01-15,99999,caf,oui,,,\n"
    files["invitations.csv"] += "CAF-0004;2024-01-21;invitation;email;\n"
    result = run_import(db.engine, importer(db, files), skip_invalid=True, user="agent")
    assert result.status == "partial"
    assert result.report.rows_read == 18
    assert result.report.rows_rejected == 2
    assert result.report.rows_written == 16
    counts = table_counts(db.engine)
    assert {name: counts[name] for name in EXPECTED_COUNTS} == EXPECTED_COUNTS
    with db.engine.connect() as conn:
        run = conn.execute(select(ImportRun)).one()
        assert (run.status, run.rows_read, run.rows_written, run.rows_rejected) == (
            "partial",
            18,
            16,
            2,
        )
        rejections = conn.execute(
            select(
                ImportRejection.import_run_id,
                ImportRejection.file_name,
                ImportRejection.line,
                ImportRejection.field,
                ImportRejection.message,
            ).order_by(ImportRejection.id)
        ).all()
    assert [tuple(r) for r in rejections] == [
        (
            run.id,
            "beneficiaries.csv",
            5,
            "commune_code",
            "commune inconnue : code INSEE absent des communes du département",
        ),
        (run.id, "invitations.csv", 5, "person_id", UNKNOWN_PERSON),
    ]
    assert "CAF-0004" not in all_text(db.engine)


def test_skip_invalid_with_nothing_valid_is_refused(db):
    files = {"beneficiaries.csv": f"{BENEFICIARY_HEADER}\nCAF-1,2024-01-15,99999,caf,oui,,,\n"}
    before = table_counts(db.engine)
    with pytest.raises(ImportValidationError, match="aucune ligne valide"):
        run_import(db.engine, importer(db, files), skip_invalid=True)
    assert table_counts(db.engine) == before


def test_importing_twice_changes_nothing(db):
    first = run_import(db.engine, importer(db, VALID_BUNDLE))
    after_first = data_snapshot(db.engine)
    second = run_import(db.engine, importer(db, VALID_BUNDLE))
    assert data_snapshot(db.engine) == after_first
    assert second.report.rows_written == 0
    assert {f.rows_unchanged for f in second.report.files} == set(EXPECTED_COUNTS.values())
    assert sum(f.rows_unchanged for f in second.report.files) == 16
    assert first.report.file_name == second.report.file_name


def test_events_may_point_at_persons_of_an_earlier_import(db):
    run_import(db.engine, importer(db, {"beneficiaries.csv": BENEFICIARIES}))
    result = run_import(
        db.engine, importer(db, {"invitations.csv": VALID_BUNDLE["invitations.csv"]})
    )
    assert result.report.rows_written == 3


@pytest.mark.parametrize(
    ("encoding", "separator", "bom"),
    [("utf-8", ",", True), ("utf-8", ";", False), ("cp1252", ";", False), ("cp1252", ",", False)],
)
def test_encodings_and_separators_give_the_same_database(db, encoding, separator, bom):
    """Identifiers with accents hash the same whatever the file's encoding and separator."""
    files = {
        "beneficiaries.csv": (
            "person_id,entry_date,commune_code,payer,subject_to_obligations\n"
            "Éloïse-Müller-01,2024-01-15,23096,caf,oui\n"
            "Gérald-02,16/01/2024,23008,msa,non\n"
        ),
        "needs.csv": "person_id,category,identified_date\nÉloïse-Müller-01,santé,2024-02-01\n",
    }
    # « santé » is not a category: swap it for the valid « sante » after checking accents.
    files["needs.csv"] = files["needs.csv"].replace("santé", "sante")
    converted = {}
    for name, text in files.items():
        text = text.replace(",", separator)
        converted[name] = ("\ufeff" if bom else "") + text
    data = {name: text.encode(encoding) for name, text in converted.items()}
    run_import(db.engine, BundleImporter(data, "lot", db.settings))
    key = db.settings.pseudonymisation_key
    with db.engine.connect() as conn:
        keys = set(conn.execute(select(Person.person_key)).scalars())
        need_person = conn.execute(select(Need.person_id)).scalar_one()
        eloise = conn.execute(
            select(Person.id).where(Person.person_key == pseudonymise("Éloïse-Müller-01", key))
        ).scalar_one()
    assert keys == {pseudonymise("Éloïse-Müller-01", key), pseudonymise("Gérald-02", key)}
    assert need_person == eloise


def test_xlsx_file_in_a_bundle(db):
    import io

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["person_id", "entry_date", "commune_code", "payer", "subject_to_obligations"])
    sheet.append(["X-1", dt.datetime(2024, 1, 15), 23096, "caf", "oui"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = run_import(
        db.engine, BundleImporter({"beneficiaries.xlsx": buffer.getvalue()}, "lot", db.settings)
    )
    assert result.report.rows_written == 1
    with db.engine.connect() as conn:
        person = conn.execute(select(Person)).one()
    assert (person.entry_date, person.commune_code) == (dt.date(2024, 1, 15), "23096")


def test_raw_identifiers_are_stored_nowhere(db):
    run_import(db.engine, importer(db, VALID_BUNDLE))
    text = all_text(db.engine)
    for raw in RAW_IDENTIFIERS:
        assert raw not in text
        assert raw.casefold() not in text.casefold()
    key = db.settings.pseudonymisation_key
    with db.engine.connect() as conn:
        referent = conn.execute(select(Accompaniment.referent_key)).scalar_one()
        companies = set(conn.execute(select(CompanyAction.company_key)).scalars())
    assert referent == pseudonymise("REF-DUPONT", key)
    assert companies == {pseudonymise("SIRET-12345678900011", key)}


def test_folder_without_known_file_is_refused(db, tmp_path):
    from data_access.importers.bundle import BundleError

    write_bundle(tmp_path / "lot", {"autre.csv": "a,b\n1,2\n"})
    with pytest.raises(BundleError, match="Aucun fichier reconnu dans"):
        BundleImporter.from_directory(tmp_path / "lot", db.settings)
    with pytest.raises(BundleError, match="Dossier introuvable"):
        BundleImporter.from_directory(tmp_path / "absent", db.settings)


# --- CLI -----------------------------------------------------------------------------


def test_cli_import_bundle_prints_a_french_summary(db, run_cli, tmp_path: Path):
    folder = write_bundle(tmp_path / "export-mars", VALID_BUNDLE)
    code, out, err = run_cli("import", "bundle", str(folder), "--user", "agent")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == ("Import n° 1 réussi (export-mars) : 16 lignes lues, 16 écrites, 0 rejetée.")
    assert lines[1] == (
        "  beneficiaries.csv : 3 lues, 3 écrites (3 nouvelles, 0 modifiée, 0 inchangée), 0 rejetée"
    )
    assert len(lines) == 9
    with db.engine.connect() as conn:
        assert conn.execute(select(ImportRun.user)).scalar_one() == "agent"


def test_cli_refusal_lists_each_error_and_exits_1(db, run_cli, tmp_path: Path):
    files = dict(VALID_BUNDLE)
    files["beneficiaries.csv"] = BENEFICIARIES + "CAF-0004,2024-01-15,99999,caf,oui,,,\n"
    folder = write_bundle(tmp_path / "lot", files)
    before = table_counts(db.engine)
    code, out, err = run_cli("import", "bundle", str(folder))
    assert code == 1
    assert out == ""
    assert err.splitlines() == [
        "Erreur : Import refusé : 1 erreur sur 1 ligne ; rien n'a été écrit.",
        "beneficiaries.csv, ligne 5, champ commune_code : commune inconnue : code "
        "INSEE absent des communes du département",
    ]
    assert table_counts(db.engine) == before

    code, out, err = run_cli("import", "bundle", str(folder), "--skip-invalid")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == (
        "Import n° 1 avec des lignes rejetées (lot) : 17 lignes lues, 16 écrites, 1 rejetée."
    )
    assert lines[-2:] == [
        "Lignes rejetées :",
        "  beneficiaries.csv, ligne 5, champ commune_code : commune inconnue : code "
        "INSEE absent des communes du département",
    ]


def test_cli_missing_folder(run_cli, tmp_path: Path):
    code, _, err = run_cli("import", "bundle", str(tmp_path / "absent"))
    assert code == 1
    assert err == f"Erreur : Dossier introuvable : {tmp_path / 'absent'}.\n"


class ConstraintBreakingImporter(BundleImporter):
    """A bundle whose write step hits a database constraint after writing persons."""

    def write(self, conn, journal):
        super().write(conn, journal)
        journal.insert(
            CompanyAction.__table__,
            [{"date": dt.date(2024, 1, 1), "company_key": "x", "action": "hire", "count": -1}],
        )


def test_a_write_refused_by_the_database_leaves_nothing(db):
    before_counts = table_counts(db.engine)
    broken = ConstraintBreakingImporter(as_bytes(VALID_BUNDLE), "lot", db.settings)
    with pytest.raises(ImportWriteError) as error:
        run_import(db.engine, broken)
    assert str(error.value) == (
        "Import refusé par la base de données : une contrainte d'intégrité n'est pas "
        "respectée (peut-être par un import simultané) ; rien n'a été écrit."
    )
    # Neither the persons written before the failure nor the run itself remain.
    assert table_counts(db.engine) == before_counts


def test_summary_lists_twenty_rejections_and_counts_the_rest(db):
    bad = "".join(f"CAF-9{i:03d},2024-01-15,99999,caf,oui,,,\n" for i in range(25))
    files = {"beneficiaries.csv": BENEFICIARIES + bad}
    result = run_import(db.engine, importer(db, files), skip_invalid=True)
    lines = describe_result(result)
    listed = [line for line in lines if "champ commune_code" in line]
    assert len(listed) == 20
    assert listed[0].startswith("  beneficiaries.csv, ligne 5, champ commune_code")
    assert lines[-1] == f"  … et 5 autres erreurs, gardées avec l'import n° {result.run_id}."
    with db.engine.connect() as conn:
        kept = conn.execute(select(func.count()).select_from(ImportRejection)).scalar_one()
    assert kept == 25
