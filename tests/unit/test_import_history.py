"""Uploads (several files or one .zip) and the history of runs shown on the « Imports » page."""

from __future__ import annotations

import io
import zipfile

import pytest

from data_access.import_history import UploadError, list_runs, run_rejections, uploaded_files
from data_access.importers.pipeline import run_import
from data_access.importers.rdv_insertion import RdvInsertionImporter
from tests.unit.rdv_export import USER_HEADERS, realistic_users, to_csv, user_row


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_zip_is_unpacked_and_flattened_without_debris():
    data = _zip(
        {
            "lot/beneficiaires.csv": b"a;b\n1;2\n",
            "lot/contrats.xlsx": b"PK",
            "__MACOSX/lot/._beneficiaires.csv": b"junk",
            "lot/.DS_Store": b"junk",
            "lot/lisez-moi.pdf": b"%PDF",
        }
    )
    files = uploaded_files([("lot.zip", data), ("services.json", b"[]")])
    assert sorted(files) == ["beneficiaires.csv", "contrats.xlsx", "services.json"]
    assert files["beneficiaires.csv"] == b"a;b\n1;2\n"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b"not a zip",
            "lot.zip : archive .zip illisible (archive endommagée ou compression non prise en "
            "charge).",
        ),
        (None, "lot.zip : l'archive ne contient aucun fichier CSV, .xlsx ou JSON."),
    ],
)
def test_unusable_archives_are_refused_in_french(data, message):
    payload = data if data is not None else _zip({"photo.png": b"\x89PNG"})
    with pytest.raises(UploadError) as caught:
        uploaded_files([("lot.zip", payload)])
    assert str(caught.value) == message


def _with_compression(data: bytes, method: int) -> bytes:
    """The archive with its (single) member declared compressed by ``method`` (9 is
    « deflate64 », which some Windows tools write and Python's zipfile cannot read)."""
    patched = bytearray(data)
    local, central = patched.find(b"PK\x03\x04"), patched.find(b"PK\x01\x02")
    patched[local + 8 : local + 10] = method.to_bytes(2, "little")
    patched[central + 10 : central + 12] = method.to_bytes(2, "little")
    return bytes(patched)


def test_archive_compressed_by_an_unreadable_method_is_refused_by_name():
    payload = _with_compression(_zip({"beneficiaires.csv": b"a;b\n1;2\n"}), 9)
    with pytest.raises(UploadError) as caught:
        uploaded_files([("lot.zip", payload)])
    assert str(caught.value) == (
        "lot.zip : beneficiaires.csv est compressé par une méthode que le tableau de bord ne "
        "lit pas ; recompressez l'archive au format .zip standard (« deflate »)."
    )


def test_history_lists_runs_and_their_rejections(db):
    rows = [*realistic_users(), user_row(**{"ID interne au département": "D50"})]
    data = to_csv(USER_HEADERS, rows).encode("utf-8")
    importer = RdvInsertionImporter(data, "usagers.csv", db.settings.pseudonymisation_key)
    result = run_import(db.engine, importer, user="admin", skip_invalid=True)
    (run,) = list_runs(db.engine)
    assert (run.id, run.source, run.file_name, run.user) == (
        result.run_id,
        "rdv_insertion",
        "usagers.csv",
        "admin",
    )
    assert (run.rows_read, run.rows_rejected, run.status_label) == (
        8,
        1,
        "partiel (lignes rejetées)",
    )
    (rejection,) = run_rejections(db.engine, run.id)
    assert (rejection.line, rejection.field) == (9, "Date d'entrée flux")
