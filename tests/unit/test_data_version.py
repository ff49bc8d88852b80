"""The data version that caches key on changes with every kind of write, and only then."""

from __future__ import annotations

import datetime as dt

from data_access.db import data_version, session_scope
from data_access.schema import DeckSnapshot, ImportRun, Meeting


def test_data_version_moves_with_imports_meetings_and_snapshots(db):
    first = data_version(db.engine)
    assert data_version(db.engine) == first  # reading changes nothing
    seen = {first}
    writes = [
        ImportRun(source="bundle", file_name="lot", started_at=dt.datetime(2024, 1, 1)),
        Meeting(kind="comite_de_suivi", date=dt.date(2024, 2, 1), title="Comité"),
        DeckSnapshot(
            created_at=dt.datetime(2024, 2, 1, 10),
            committee_date=dt.date(2024, 2, 1),
            period_from=dt.date(2023, 12, 1),
            period_to=dt.date(2024, 1, 31),
            as_of=dt.date(2024, 1, 31),
            figures={},
        ),
    ]
    for row in writes:
        with session_scope(db.engine) as session:
            session.add(row)
        version = data_version(db.engine)
        assert version not in seen, type(row).__name__
        seen.add(version)


def test_data_version_is_read_in_one_statement(db):
    """Every render of every page reads it: one round trip to the database, not five."""
    from sqlalchemy import event

    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        data_version(db.engine)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == 1
