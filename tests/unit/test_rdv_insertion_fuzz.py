"""Fuzzing the RDV-Insertion import: whatever the bytes, a French answer and no partial write.

Two kinds of input: random bytes (with or without the CSV/XLSX magic), and the realistic export
mutated the way files get damaged (bytes cut, inserted, separators and quotes stray, lines
truncated, re-encoded). For each, the import either succeeds (and is then undone, which must
leave the database empty again) or raises a ``DataAccessError`` with a message, having written
nothing: no person, no import run.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from data_access.exceptions import DataAccessError, ImportValidationError
from data_access.importers.pipeline import preview, run_import
from data_access.importers.rdv_insertion import RdvInsertionImporter
from data_access.importers.undo import undo_run
from data_access.schema import Appointment, ImportRun, Invitation, Person
from tests.unit.rdv_export import (
    APPOINTMENT_HEADERS,
    USER_HEADERS,
    appointment_rows,
    realistic_users,
    to_csv,
)

REAL_USERS = to_csv(USER_HEADERS, realistic_users()).encode("utf-8")
# Longer than the 4 KiB in which the reader looks for NUL bytes, so a NUL can reach a cell.
REAL_USERS_LONG = to_csv(USER_HEADERS, realistic_users() * 20).encode("utf-8")
REAL_RDVS = to_csv(APPOINTMENT_HEADERS, appointment_rows()).encode("utf-8")
NOISE = [b";", b",", b'"', b"\n", b"\r\n", b"\x00", b"\xff", b"31/02/2024", b"\xe9", b"PK\x03\x04"]
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@st.composite
def mutated(draw, base: bytes = REAL_USERS) -> bytes:
    """The real export with a handful of damaging edits."""
    data = bytearray(base)
    for _ in range(draw(st.integers(1, 6))):
        position = draw(st.integers(0, max(len(data) - 1, 0)))
        action = draw(st.sampled_from(["cut", "insert", "noise", "truncate", "recode"]))
        if action == "cut":
            del data[position : position + draw(st.integers(1, 40))]
        elif action == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=20))
        elif action == "noise":
            data[position:position] = draw(st.sampled_from(NOISE))
        elif action == "truncate":
            del data[position:]
        else:
            text = bytes(data).decode("utf-8", errors="replace")
            data = bytearray(text.encode("cp1252", errors="replace"))
    return bytes(data)


inputs = st.one_of(
    st.binary(max_size=2000),
    st.binary(max_size=500).map(lambda b: b"PK\x03\x04" + b),
    st.binary(max_size=500).map(lambda b: b"\xef\xbb\xbf" + b),
    mutated(),
    mutated(REAL_USERS_LONG),
)


def _counts(db) -> tuple[int, int, int, int]:
    with db.engine.connect() as conn:
        return tuple(
            conn.execute(select(func.count()).select_from(model)).scalar_one()
            for model in (Person, Invitation, Appointment, ImportRun)
        )


def _check_one(db, users: bytes, appointments: bytes | None, skip_invalid: bool) -> None:
    importer = RdvInsertionImporter(
        users, "usagers.csv", db.settings.pseudonymisation_key, appointments, "rdvs.csv"
    )
    runs_before = _counts(db)[3]
    try:
        report = preview(db.engine, importer)
        for error in report.errors:
            assert error.message.strip()
        result = run_import(db.engine, importer, skip_invalid=skip_invalid)
    except ImportValidationError as exc:
        assert str(exc).startswith("Import refusé")
        assert exc.errors and all(e.message.strip() for e in exc.errors)
        assert _counts(db) == (0, 0, 0, runs_before)
        return
    except DataAccessError as exc:
        assert str(exc).strip()
        assert _counts(db) == (0, 0, 0, runs_before)
        return
    assert result.status in {"success", "partial"}
    undo_run(db.engine, result.run_id)
    persons, invitations, appointments_left, _ = _counts(db)
    assert (persons, invitations, appointments_left) == (0, 0, 0)


@pytest.mark.parametrize("skip_invalid", [False, True])
def test_random_and_damaged_users_exports(db, skip_invalid):
    @FUZZ
    @given(data=inputs)
    def check(data: bytes) -> None:
        _check_one(db, data, None, skip_invalid)

    check()


def test_damaged_appointments_export(db):
    @FUZZ
    @given(data=st.one_of(st.binary(max_size=800), mutated(REAL_RDVS)))
    def check(data: bytes) -> None:
        _check_one(db, REAL_USERS, data, skip_invalid=True)

    check()
