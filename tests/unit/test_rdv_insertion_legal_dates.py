"""RDV-Insertion's « Date d'entrée flux » (``rights_opening_date`` in its users export,
gip-inclusion/rdv-insertion, app/services/exporters/generate_users_csv.rb) is the receipt of
the information on the opening of the right: kept as such, and never guessed from « Date de
création » (both engines)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from data_access.importers.pipeline import run_import
from data_access.importers.rdv_insertion import RdvInsertionImporter
from data_access.pseudonym import pseudonymise
from data_access.schema import Person
from tests.unit.rdv_export import USER_HEADERS, realistic_users, to_csv


def test_flux_date_is_the_receipt_of_the_opening_information(db):
    users = to_csv(USER_HEADERS, realistic_users()).encode("utf-8")
    key = db.settings.pseudonymisation_key
    run_import(db.engine, RdvInsertionImporter(users, "users.csv", key))
    with db.engine.connect() as conn:
        rows = dict(conn.execute(select(Person.person_key, Person.right_info_date)).all())
    # D001: flux 02/01/2024; D002: no flux date (entry = creation), so no receipt date.
    assert rows[pseudonymise("D001", key)] == dt.date(2024, 1, 2)
    assert rows[pseudonymise("D002", key)] is None
