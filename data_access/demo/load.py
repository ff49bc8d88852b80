"""Bulk replacement of the operational data by the demo tables, in one transaction.

Row-by-row ORM inserts would take an hour at two million persons; here columns become
Python values chunk by chunk and go through the driver's fastest path: ``executemany`` on
SQLite, ``COPY … FROM STDIN`` on PostgreSQL (psycopg). As the database manuals advise for
bulk loads, secondary indexes and (on PostgreSQL) foreign-key and unique constraints of the
replaced tables are dropped for the load and rebuilt once at the end, inside the same
transaction: rebuilding validates every row in one pass instead of one check per row.
Identifiers are written explicitly (so that the content does not depend on the engine) and
PostgreSQL sequences are moved past them afterwards, so later imports keep inserting.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
from sqlalchemy import Connection, Engine, Table, delete, text

from data_access.demo.model import BOOL, DATE, FLOAT, INT, NINT, STR, DemoTable, to_date
from data_access.schema import (
    Accompaniment,
    Appointment,
    CompanyAction,
    Contract,
    Invitation,
    Need,
    Orientation,
    PartnerService,
    PartnerStructure,
    Person,
    PersonTimeline,
    ServiceThematique,
    ServiceZone,
    table_of,
)

# Children first, so that deleting a parent never has dependants left to check.
REPLACED_TABLES: tuple[Table, ...] = tuple(
    table_of(model)
    for model in (
        PersonTimeline,
        ServiceZone,
        ServiceThematique,
        PartnerService,
        PartnerStructure,
        CompanyAction,
        Need,
        Accompaniment,
        Contract,
        Orientation,
        Appointment,
        Invitation,
        Person,
    )
)
CHUNK_ROWS = 200_000
# Below this many rows, dropping and rebuilding indexes costs more than it saves.
DEFER_INDEXES_FROM_ROWS = 100_000
SQLITE_CACHE_KIB = -512_000  # negative = KiB: 500 MiB of page cache during the load
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


@contextmanager
def bulk_connection(engine: Engine) -> Iterator[Connection]:
    """A connection for the load; on SQLite, without per-row foreign-key checks and with a
    large page cache (so that a big transaction does not spill pages to disk repeatedly).

    SQLite only changes the foreign-key pragma outside a transaction, and the connection goes
    back to the pool afterwards, so both pragmas are restored whatever happens.
    """
    with engine.connect() as conn:
        if conn.dialect.name != "sqlite":
            yield conn
            return
        cache_size = conn.exec_driver_sql("PRAGMA cache_size").scalar_one()
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        conn.exec_driver_sql(f"PRAGMA cache_size={SQLITE_CACHE_KIB}")
        conn.commit()
        try:
            yield conn
        finally:
            conn.rollback()
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")
            conn.exec_driver_sql(f"PRAGMA cache_size={int(cache_size)}")
            conn.commit()


@contextmanager
def deferred_indexes(conn: Connection, rows: int) -> Iterator[None]:
    """For a load of at least ``DEFER_INDEXES_FROM_ROWS`` rows, drop the replaced tables'
    secondary indexes (and on PostgreSQL their foreign-key and unique constraints), then
    recreate them from their own definitions. Must run inside the load's transaction."""
    if rows < DEFER_INDEXES_FROM_ROWS:
        yield
        return
    names = [t.name for t in REPLACED_TABLES]
    if conn.dialect.name == "postgresql":
        drops, restores = _postgres_structures(conn, names)
    else:
        drops, restores = _sqlite_structures(conn, names)
    for statement in drops:
        conn.exec_driver_sql(statement)
    yield
    for statement in restores:
        conn.exec_driver_sql(statement)


def _sqlite_structures(conn: Connection, names: list[str]) -> tuple[list[str], list[str]]:
    rows = conn.execute(
        text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            "AND tbl_name IN (" + ", ".join(f"'{n}'" for n in names) + ") ORDER BY name"
        )
    ).all()
    quote = conn.dialect.identifier_preparer.quote
    return [f"DROP INDEX {quote(r.name)}" for r in rows], [r.sql for r in rows]


def _postgres_structures(conn: Connection, names: list[str]) -> tuple[list[str], list[str]]:
    quote = conn.dialect.identifier_preparer.quote
    constraints = conn.execute(
        text(
            "SELECT c.relname AS tbl, con.conname AS name, con.contype AS kind, "
            "pg_get_constraintdef(con.oid) AS definition FROM pg_constraint con "
            "JOIN pg_class c ON c.oid = con.conrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relname = ANY(:names) "
            "AND con.contype IN ('f', 'u') ORDER BY con.contype DESC, c.relname, con.conname"
        ),
        {"names": names},
    ).all()
    indexes = conn.execute(
        text(
            "SELECT i.indexname AS name, i.indexdef AS definition FROM pg_indexes i "
            "WHERE i.schemaname = current_schema() AND i.tablename = ANY(:names) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conname = i.indexname) "
            "ORDER BY i.indexname"
        ),
        {"names": names},
    ).all()
    drops = [f"ALTER TABLE {quote(c.tbl)} DROP CONSTRAINT {quote(c.name)}" for c in constraints]
    drops += [f"DROP INDEX {quote(i.name)}" for i in indexes]
    # Unique constraints ('u') and indexes first, foreign keys ('f') last.
    restores = [
        f"ALTER TABLE {quote(c.tbl)} ADD CONSTRAINT {quote(c.name)} {c.definition}"
        for c in constraints
        if c.kind == "u"
    ]
    restores += [i.definition for i in indexes]
    restores += [
        f"ALTER TABLE {quote(c.tbl)} ADD CONSTRAINT {quote(c.name)} {c.definition}"
        for c in constraints
        if c.kind == "f"
    ]
    return drops, restores


def clear_operational_data(conn: Connection) -> None:
    """Empty persons, their events, the partner offer and company actions (not communes,
    postal codes, roadmap or import history)."""
    if conn.dialect.name == "postgresql":
        names = ", ".join(conn.dialect.identifier_preparer.format_table(t) for t in REPLACED_TABLES)
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in REPLACED_TABLES:
            conn.execute(delete(table))


def load_table(conn: Connection, data: DemoTable) -> int:
    """Insert every row of ``data``; returns the number of rows written."""
    if "id" in data.table.c and "id" not in data.columns and len(data):
        data.add("id", np.arange(1, len(data) + 1, dtype=np.int64), INT)
    if not len(data):
        return 0
    if conn.dialect.name == "postgresql":
        _copy_postgres(conn, data)
        _move_sequence(conn, data.table)
    else:
        _executemany(conn, data)
    return len(data)


def _chunks(data: DemoTable) -> Iterator[tuple[int, int]]:
    for first in range(0, len(data), CHUNK_ROWS):
        yield first, min(first + CHUNK_ROWS, len(data))


def _date_lookup(values: np.ndarray, missing: object) -> tuple[np.ndarray, int]:
    """ISO strings for every day between the column's first and last date (plus a slot for
    NA at the end), so that converting a column is one fancy-indexing operation."""
    present = values[values >= 0]
    if not len(present):
        return np.array([missing], dtype=object), 0
    low, high = int(present.min()), int(present.max())
    lookup = [to_date(d).isoformat() for d in range(low, high + 1)]
    return np.array([*lookup, missing], dtype=object), low


def _python_columns(data: DemoTable, first: int, last: int, lookups: dict) -> list[np.ndarray]:
    """The chunk's columns as object arrays of values sqlite3 can bind (None = NULL)."""
    out = []
    for name, values in data.columns.items():
        part = values[first:last]
        encoding = data.encodings[name]
        if encoding == DATE:
            lookup, low = lookups[name]
            out.append(lookup[np.where(part >= 0, part - low, len(lookup) - 1)])
        elif encoding in (INT, NINT, FLOAT, BOOL):
            column = (part.astype(np.int64) if encoding == BOOL else part).astype(object)
            if encoding == NINT:
                column[part < 0] = None
            elif encoding == FLOAT:
                column[np.isnan(part)] = None
            out.append(column)
        else:
            out.append(part)
    return out


def _executemany(conn: Connection, data: DemoTable) -> None:
    preparer = conn.dialect.identifier_preparer
    names = list(data.columns)
    sql = (
        f"INSERT INTO {preparer.format_table(data.table)} "
        f"({', '.join(preparer.quote(n) for n in names)}) VALUES ({', '.join('?' * len(names))})"
    )
    lookups = {
        n: _date_lookup(v, None) for n, v in data.columns.items() if data.encodings[n] == DATE
    }
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        for first, last in _chunks(data):
            cursor.executemany(sql, zip(*_python_columns(data, first, last, lookups), strict=True))
    finally:
        cursor.close()


def _text_columns(data: DemoTable, first: int, last: int, lookups: dict) -> list[np.ndarray]:
    """The chunk's columns as strings of PostgreSQL's COPY text format (``\\N`` = NULL)."""
    out = []
    for name, values in data.columns.items():
        part = values[first:last]
        encoding = data.encodings[name]
        if encoding == DATE:
            lookup, low = lookups[name]
            out.append(lookup[np.where(part >= 0, part - low, len(lookup) - 1)])
        elif encoding == INT:
            out.append(part.astype(str))
        elif encoding == NINT:
            out.append(np.where(part >= 0, part.astype(str), "\\N"))
        elif encoding == FLOAT:
            out.append(np.where(np.isnan(part), "\\N", part.astype(str)))
        elif encoding == BOOL:
            out.append(np.where(part, "t", "f"))
        elif encoding == STR:
            out.append([("\\N" if v is None else str(v).translate(_COPY_ESCAPES)) for v in part])
    return out


def _copy_postgres(conn: Connection, data: DemoTable) -> None:
    preparer = conn.dialect.identifier_preparer
    names = ", ".join(preparer.quote(n) for n in data.columns)
    sql = f"COPY {preparer.format_table(data.table)} ({names}) FROM STDIN"
    lookups = {
        n: _date_lookup(v, "\\N") for n, v in data.columns.items() if data.encodings[n] == DATE
    }
    raw = conn.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(sql) as copy:  # type: ignore[union-attr]
        for first, last in _chunks(data):
            columns = _text_columns(data, first, last, lookups)
            copy.write("\n".join(map("\t".join, zip(*columns, strict=True))) + "\n")


def _move_sequence(conn: Connection, table: Table) -> None:
    """After explicit ids, make the table's sequence continue after the largest one."""
    if "id" not in table.c:
        return
    name = table.name
    conn.execute(
        text(
            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
            f'(SELECT COALESCE(MAX(id), 0) + 1 FROM "{name}"), false)'
        )
    )
