"""RDV-Insertion exports: mapping, privacy, real-life file variants, re-import and undo.

The realistic export (``rdv_export.realistic_users``) is described person by person in its
docstring; the expected rows below follow from it by hand.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, text

from data_access.exceptions import ImportValidationError
from data_access.importers.pipeline import preview, run_import
from data_access.importers.rdv_insertion import (
    UNKNOWN_REFERENT,
    RdvInsertionImporter,
    appointment_purpose,
    appointment_status,
    booked_after,
    organism,
    orientation_type,
)
from data_access.importers.undo import undo_run
from data_access.pseudonym import pseudonymise
from data_access.schema import (
    Accompaniment,
    Appointment,
    Base,
    ImportRun,
    Invitation,
    Orientation,
    Person,
)
from metrics.catalog import compute_one
from metrics.scope import Scope
from metrics.spec import MetricContext
from tests.conftest import make_settings
from tests.unit.rdv_export import (
    APPOINTMENT_HEADERS,
    SECRET_VALUES,
    USER_HEADERS,
    appointment_rows,
    realistic_users,
    to_csv,
    to_xlsx,
    user_row,
)

D = dt.date


def _users_bytes(rows=None, **kwargs) -> bytes:
    return to_csv(USER_HEADERS, rows if rows is not None else realistic_users(), **kwargs).encode(
        "utf-8"
    )


def _importer(db, users: bytes, name="users.csv", appointments: bytes | None = None):
    return RdvInsertionImporter(
        users, name, db.settings.pseudonymisation_key, appointments, "rdvs.csv"
    )


def _key(db, identifier: str) -> str:
    return pseudonymise(identifier, db.settings.pseudonymisation_key)


def _person(db, identifier: str):
    with db.engine.connect() as conn:
        return conn.execute(
            select(Person.__table__).where(Person.person_key == _key(db, identifier))
        ).one_or_none()


def _count(db, model) -> int:
    with db.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model)).scalar_one()


def _events(db, model, *columns, identifier: str):
    with db.engine.connect() as conn:
        query = (
            select(*columns)
            .join(Person, Person.id == model.person_id)
            .where(Person.person_key == _key(db, identifier))
            .order_by(*columns)
        )
        return [tuple(r) for r in conn.execute(query)]


def _assert_realistic_import(db) -> None:
    """What the realistic export must give, whatever the file format (hand-derived)."""
    # 7 rows, D004 twice (two organisations) → 6 persons, every one subject to obligations.
    assert _count(db, Person) == 6
    with db.engine.connect() as conn:
        assert (
            conn.execute(
                select(func.count()).where(Person.subject_to_obligations.is_(True))
            ).scalar_one()
            == 6
        )
    p1 = _person(db, "D001")
    assert (p1.entry_date, p1.commune_code, p1.exit_date, p1.birth_year, p1.sex) == (
        D(2024, 1, 2),
        "23096",
        None,
        1985,
        "F",
    )
    # No flux date: T0 = creation date; archived → exit date; « ST VAURY » = Saint-Vaury.
    p2 = _person(db, "D002")
    assert (p2.entry_date, p2.exit_date, p2.commune_code) == (
        D(2024, 1, 10),
        D(2024, 6, 30),
        "23247",
    )
    # No department id: CAF number + role; the couple are two persons; « LA SOUTERRAINE ».
    demandeur = _person(db, "caf:1234567:demandeur")
    conjoint = _person(db, "caf:1234567:conjoint")
    assert demandeur.commune_code == conjoint.commune_code == "23176"
    assert _person(db, "D005").commune_code is None
    assert _events(db, Invitation, Invitation.sent_date, Invitation.kind, identifier="D001") == [
        (D(2024, 1, 5), "invitation"),
        (D(2024, 1, 20), "invitation"),
        (D(2024, 1, 25), "convocation"),
    ]
    # The two rows of D004 merged: first invitation 20/02, last 10/03.
    assert _events(db, Invitation, Invitation.sent_date, identifier="D004") == [
        (D(2024, 2, 20),),
        (D(2024, 3, 10),),
    ]
    assert _events(
        db,
        Appointment,
        Appointment.date,
        Appointment.purpose,
        Appointment.status,
        Appointment.booked_after,
        identifier="D001",
    ) == [(D(2024, 1, 30), "orientation", "seen", "convocation")]
    assert _events(db, Appointment, Appointment.status, identifier="D002") == [("noshow",)]
    with db.engine.connect() as conn:
        orientations = conn.execute(
            select(Orientation.orientation_type, Orientation.organism).order_by(
                Orientation.decision_date
            )
        ).all()
    assert [tuple(o) for o in orientations] == [
        ("social", "cd"),
        ("pro", "france_travail"),
        ("socio_pro", None),
    ]
    accompaniments = _events(
        db, Accompaniment, Accompaniment.start_date, Accompaniment.referent_key, identifier="D001"
    )
    assert len(accompaniments) == 1
    assert accompaniments[0][0] == D(2024, 3, 1)
    assert accompaniments[0][1] not in (UNKNOWN_REFERENT, "referente.cachee@creuse.fr")
    assert len(accompaniments[0][1]) == 64


REFERENCE_TABLES = {"communes", "postal_codes", "roadmap_steps"}


def _database_text(db) -> str:
    """Every value of every table filled by imports, as text, to look for personal data."""
    parts = []
    with db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name in REFERENCE_TABLES:
                continue
            for row in conn.execute(select(table)):
                parts.extend(str(value) for value in row)
    return "\n".join(parts)


def _assert_no_personal_data(db, *messages: str) -> None:
    haystack = _database_text(db) + "\n".join(messages)
    for value in SECRET_VALUES:
        assert value.casefold() not in haystack.casefold(), value
    # Raw identifiers: hashes are lower-case hex, so these exact spellings cannot hide in one.
    for value in ("D001", "D002", "7654321", "1234567"):
        assert value not in haystack, value


# --- pure mappings -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Rendez-vous honoré", "seen"),
        ("Absence non excusée", "noshow"),
        ("Annulé (excusé)", "excused"),
        ("Annulé (par le service)", "revoked"),
        ("Non déterminé", "unknown"),
        ("seen", "seen"),
        ("noshow", "noshow"),
        ("REVOKED", "revoked"),
        ("Absent", "noshow"),
        ("Présente", "seen"),
        ("quelque chose", None),
    ],
)
def test_appointment_status_reads_rdv_insertion_labels(label, expected):
    assert appointment_status(label) == expected


def test_orientation_and_purpose_mappings():
    assert orientation_type("Sociale") == "social"
    assert orientation_type("PROFESSIONNELLE") == "pro"
    assert orientation_type("Socio-professionnelle") == "socio_pro"
    assert orientation_type("Autre") is None
    assert organism("France Travail Guéret") == "france_travail"
    assert organism("Pôle emploi La Souterraine") == "france_travail"
    assert organism("UTAS de Guéret") == "cd"
    assert organism("Association Tremplin") == "other"
    assert organism("") is None
    assert appointment_purpose("RSA orientation : rendez-vous sur site") == "orientation"
    assert appointment_purpose("Diagnostic socio-professionnel") == "orientation"
    assert appointment_purpose("RSA suivi") == "accompaniment"
    assert appointment_purpose("Atelier CV") == "other"
    assert booked_after("oui") == "invitation"
    assert booked_after("Non") == "convocation"
    assert booked_after("") is None


# --- imports on both engines ---------------------------------------------------------------


def test_realistic_export_imports_without_personal_data(db):
    importer = _importer(db, _users_bytes())
    report = preview(db.engine, importer)
    assert report.ok
    assert report.rows_read == 7
    assert report.files[0].unknown_columns == []
    assert _count(db, Person) == 0  # the preview wrote nothing
    # The unknown town « Atlantis » is reported by line and column, the person still imported.
    assert [(w.line, w.field) for w in importer.warnings] == [(8, "Ville")]
    result = run_import(db.engine, importer, user="test")
    assert result.status == "success"
    _assert_realistic_import(db)
    messages = [w.describe() for w in importer.warnings] + list(result.report.notes)
    _assert_no_personal_data(db, *messages)


def test_same_export_in_cp1252_with_commas_and_trailing_lines(db):
    data = to_csv(USER_HEADERS, realistic_users(), sep=",", bom=False, trailing_empty_lines=3)
    result = run_import(db.engine, _importer(db, data.encode("cp1252")))
    assert result.status == "success"
    _assert_realistic_import(db)


def test_same_export_as_xlsx_with_other_header_case(db):
    data = to_xlsx(USER_HEADERS, realistic_users())
    result = run_import(db.engine, _importer(db, data, name="export.xlsx"))
    assert result.status == "success"
    _assert_realistic_import(db)
    _assert_no_personal_data(db)


def test_headers_with_spaces_and_case_are_found(db):
    text_ = to_csv(USER_HEADERS, realistic_users())
    text_ = text_.replace("Date d'entrée flux", "  DATE D'ENTREE  FLUX ").replace(
        "ID interne au département", "id interne au departement"
    )
    run_import(db.engine, _importer(db, text_.encode("utf-8")))
    _assert_realistic_import(db)


def test_appointments_export_adds_each_appointment(db):
    appointments = to_csv(APPOINTMENT_HEADERS, appointment_rows()).encode("utf-8")
    importer = _importer(db, _users_bytes(), appointments=appointments)
    result = run_import(db.engine, importer)
    assert result.status == "success"
    # D001: 30/01 seen (in both files, once), 15/03 « RSA suivi » excused booked by the person.
    assert _events(
        db,
        Appointment,
        Appointment.date,
        Appointment.purpose,
        Appointment.status,
        Appointment.booked_after,
        identifier="D001",
    ) == [
        (D(2024, 1, 30), "orientation", "seen", "convocation"),
        (D(2024, 3, 15), "accompaniment", "excused", "invitation"),
    ]
    # D009 is only in the appointments export: created with its T0.
    assert _person(db, "D009").entry_date == D(2024, 4, 1)
    assert _count(db, Person) == 7
    assert _count(db, Appointment) == 4
    _assert_no_personal_data(db)


def _newer_export():
    """The realistic export a month later: D001 archived and seen again, D005's town fixed,
    a new person D010."""
    newer = realistic_users()
    newer[0]["Archivé le"] = "01/09/2024"
    newer[0]["Date du dernier RDV"] = "10/04/2024"
    newer[0]["Motif du dernier RDV"] = "RSA suivi"
    newer[6]["Ville"] = "Guéret"
    newer.append(
        user_row(
            **{
                "ID interne au département": "D010",
                "CP": "23000",
                "Ville": "GUERET",
                "Date d'entrée flux": "01/05/2024",
            }
        )
    )
    return newer


def test_reimporting_a_newer_export_updates_without_duplicating(db):
    run_import(db.engine, _importer(db, _users_bytes()))
    same = run_import(db.engine, _importer(db, _users_bytes()))
    assert same.report.rows_written == 0  # identical file: nothing changes
    second = run_import(db.engine, _importer(db, _users_bytes(_newer_export())))
    assert second.status == "success"
    assert _count(db, Person) == 7  # 6 + D010, nobody duplicated
    assert _person(db, "D001").exit_date == D(2024, 9, 1)
    assert _person(db, "D005").commune_code == "23096"
    # The older appointment stays (it happened), the newer one is added.
    assert _events(db, Appointment, Appointment.date, identifier="D001") == [
        (D(2024, 1, 30),),
        (D(2024, 4, 10),),
    ]
    persons = second.report.files[0].tables["persons"]
    assert persons == {"inserted": 1, "updated": 2, "unchanged": 4}


def test_undo_removes_a_whole_import(db):
    appointments = to_csv(APPOINTMENT_HEADERS, appointment_rows()).encode("utf-8")
    result = run_import(db.engine, _importer(db, _users_bytes(), appointments=appointments))
    assert _count(db, Person) == 7
    undo_run(db.engine, result.run_id)
    for model in (Person, Invitation, Appointment, Orientation, Accompaniment):
        assert _count(db, model) == 0
    with db.engine.connect() as conn:
        assert conn.execute(select(ImportRun.status)).scalar_one() == "undone"


def test_undo_of_a_newer_export_restores_the_previous_values(db):
    first = run_import(db.engine, _importer(db, _users_bytes()))
    second = run_import(db.engine, _importer(db, _users_bytes(_newer_export())))
    undo_run(db.engine, second.run_id)
    assert _count(db, Person) == 6
    assert _person(db, "D001").exit_date is None
    assert _person(db, "D005").commune_code is None
    assert _events(db, Appointment, Appointment.date, identifier="D001") == [(D(2024, 1, 30),)]
    _assert_realistic_import(db)
    undo_run(db.engine, first.run_id)
    assert _count(db, Person) == 0


def _bad_rows():
    rows = realistic_users()
    rows.append(user_row(**{"Nom": "Sans-Identifiant", "Date d'entrée flux": "01/01/2024"}))
    rows.append(
        user_row(**{"ID interne au département": "D020", "Date d'entrée flux": "31/02/2024"})
    )
    rows.append(user_row(**{"Numéro CAF": "555", "Date d'entrée flux": "01/01/2024"}))
    # A stray separator shifted the cells: a date column holds an e-mail, never echoed back.
    rows.append(
        user_row(
            **{
                "ID interne au département": "D022",
                "Date d'entrée flux": "01/01/2024",
                "Date d'orientation": "amelie.dupont-secret@example.org",
            }
        )
    )
    rows.append(user_row(**{"ID interne au département": "D021"}))
    return rows


def test_invalid_rows_refuse_the_import_and_write_nothing(db):
    with pytest.raises(ImportValidationError) as caught:
        run_import(db.engine, _importer(db, _users_bytes(_bad_rows())))
    errors = sorted((e.line, e.field) for e in caught.value.errors)
    assert errors == [
        (9, "ID interne au département"),
        (10, "Date d'entrée flux"),
        (11, "Rôle"),
        (12, "Date d'orientation"),
        (13, "Date d'entrée flux"),
    ]
    assert "rien n'a été écrit" in str(caught.value)
    assert _count(db, Person) == 0
    assert _count(db, ImportRun) == 0
    messages = [e.describe() for e in caught.value.errors]
    assert messages[1].endswith(
        "ligne 10, champ Date d'entrée flux : date inexistante : format attendu JJ/MM/AAAA "
        "(ou AAAA-MM-JJ)"
    )
    _assert_no_personal_data(db, *messages)
    assert not any("Sans-Identifiant" in m for m in messages)


def test_skip_invalid_writes_valid_rows_and_records_rejections(db):
    result = run_import(db.engine, _importer(db, _users_bytes(_bad_rows())), skip_invalid=True)
    assert result.status == "partial"
    assert result.report.rows_rejected == 5
    _assert_realistic_import(db)
    with db.engine.connect() as conn:
        lines = conn.execute(text("SELECT line FROM import_rejections ORDER BY line")).scalars()
        assert list(lines) == [9, 10, 11, 12, 13]


def test_a_file_that_is_not_an_rdv_insertion_export_is_refused(db):
    data = "\ufeffcode;libellé\n1;a\n".encode()
    with pytest.raises(ImportValidationError) as caught:
        run_import(db.engine, _importer(db, data))
    (error,) = caught.value.errors
    assert error.line is None
    assert "ID interne au département" in error.message
    assert _count(db, ImportRun) == 0


def test_metrics_reflect_the_import(db):
    """Entrants of Jan–Mar 2024: D001, D002, the CAF couple, D004, D005 = 6 (D009 enters in
    April). Orientation appointments of the period: D001 seen on 30/01, D002 absent on 20/01
    (D001's 15/03 is an accompaniment appointment) → no-show rate 1 ÷ 2."""
    appointments = to_csv(APPOINTMENT_HEADERS, appointment_rows()).encode("utf-8")
    run_import(db.engine, _importer(db, _users_bytes(), appointments=appointments))
    settings = make_settings(db.settings.database_url, secrecy_threshold=2)
    scope = Scope.build(D(2024, 1, 1), D(2024, 3, 31), as_of=D(2024, 12, 31))
    context = MetricContext(db.engine, settings, scope)
    assert compute_one(context, "entrants").value == 6
    assert compute_one(context, "no_show_rate").value == pytest.approx(0.5)
