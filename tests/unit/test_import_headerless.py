"""A file whose first line is data, not headers (the header row was forgotten or shifted),
must not put that person's cells on screen or in the import's stored details as « unknown
columns »: the report says which columns are missing and nothing else about that line."""

from __future__ import annotations

from data_access.importers.bundle import BundleImporter
from data_access.importers.pipeline import preview
from tests.unit.bundle_data import as_bytes

HEADERLESS = "CAF-7777777,2024-01-15,23096,caf,oui,,1980,F\nCAF-0002,2024-02-15,23008,msa,non,,,\n"
CELLS = ("CAF-7777777", "2024-01-15", "23096", "1980")


def test_headerless_file_echoes_no_cell(db):
    importer = BundleImporter(as_bytes({"beneficiaries.csv": HEADERLESS}), "lot", db.settings)
    report = preview(db.engine, importer)
    assert not report.ok
    assert {e.message for e in report.errors} == {"colonne obligatoire absente"}
    shown = repr([f.as_dict() for f in report.files]) + repr(report.notes)
    shown += repr([(e.field, e.message) for e in report.errors])
    assert not [cell for cell in CELLS if cell in shown]
