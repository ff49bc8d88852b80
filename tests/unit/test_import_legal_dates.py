"""The dates of the legal delays in the interchange bundle: optional columns, stored when
present, checked, and left alone when a file does not carry them (both engines)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from data_access.exceptions import ImportValidationError
from data_access.importers.bundle import BundleImporter
from data_access.importers.pipeline import run_import
from data_access.schema import Orientation, Person
from tests.unit.bundle_data import BENEFICIARIES, as_bytes

WITH_DATES = (
    "person_id,entry_date,commune_code,payer,subject_to_obligations,exit_date,birth_year,sex,"
    "rsa_request_date,right_info_date,transfer_in_date\n"
    "CAF-0001,2025-01-15,23096,caf,oui,,1980,F,2024-12-20,2025-01-16,\n"
    "CAF-0002,15/02/2025,23008,msa,oui,,,,,,17/02/2025\n"
)
ORIENTATIONS = (
    "person_id,decision_date,orientation_type,organism,notification_date\n"
    "CAF-0001,2025-02-01,socio_pro,cd,2025-02-04\n"
    "CAF-0002,2025-03-01,pro,france_travail,\n"
)


def load(db, files: dict[str, str]):
    return run_import(db.engine, BundleImporter(as_bytes(files, "utf-8"), "lot", db.settings))


def _persons(db) -> list[tuple]:
    with db.engine.connect() as conn:
        return list(
            conn.execute(
                select(
                    Person.entry_date,
                    Person.rsa_request_date,
                    Person.right_info_date,
                    Person.transfer_in_date,
                ).order_by(Person.entry_date)
            )
        )


def test_legal_dates_are_stored(db):
    load(db, {"beneficiaries.csv": WITH_DATES, "orientations.csv": ORIENTATIONS})
    d = dt.date
    assert _persons(db) == [
        (d(2025, 1, 15), d(2024, 12, 20), d(2025, 1, 16), None),
        (d(2025, 2, 15), None, None, d(2025, 2, 17)),
    ]
    with db.engine.connect() as conn:
        notified = conn.execute(
            select(Orientation.notification_date).order_by(Orientation.decision_date)
        ).scalars()
        assert list(notified) == [d(2025, 2, 4), None]


def test_a_file_without_the_columns_keeps_the_stored_dates(db):
    load(db, {"beneficiaries.csv": WITH_DATES})
    # The older layout (no date columns) updates the other fields and leaves these dates.
    result = load(db, {"beneficiaries.csv": BENEFICIARIES})
    assert result.status == "success"
    after = {row[0]: row[1:] for row in _persons(db)}
    d = dt.date
    assert after[d(2024, 1, 15)] == (d(2024, 12, 20), d(2025, 1, 16), None)  # CAF-0001
    assert after[d(2024, 2, 15)] == (None, None, d(2025, 2, 17))  # CAF-0002


@pytest.mark.parametrize(
    ("files", "field", "message"),
    [
        (
            {
                "beneficiaries.csv": WITH_DATES.replace("2024-12-20", "2025-02-20"),
            },
            "rsa_request_date",
            "date de demande de RSA postérieure à l'entrée",
        ),
        (
            {
                "beneficiaries.csv": WITH_DATES,
                "orientations.csv": ORIENTATIONS.replace("2025-02-04", "2025-01-30"),
            },
            "notification_date",
            "date de notification antérieure à la décision",
        ),
        (
            {"beneficiaries.csv": WITH_DATES.replace("2025-01-16", "16 janvier")},
            "right_info_date",
            None,
        ),
    ],
)
def test_bad_legal_dates_are_refused_with_line_and_field(db, files, field, message):
    with pytest.raises(ImportValidationError) as error:
        load(db, files)
    errors = error.value.errors
    assert [(e.line, e.field) for e in errors] == [(2, field)]
    if message:
        assert errors[0].message == message
    assert _persons(db) == []
