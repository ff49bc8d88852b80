"""Set-based writes fast on both engines: bulk insert and bulk update by primary key.

Why a module: a plain ``executemany`` is fast on SQLite (one C loop) but, with psycopg 3, sends
one statement per row, and SQLAlchemy's multi-row VALUES batches make psycopg re-parse every
large statement; 200,000 rows then take a minute. On PostgreSQL we therefore use ``COPY``
(inside the caller's transaction), and for updates a temporary table joined by primary key.
Other backends get SQLAlchemy's portable ``executemany``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import JSON, Column, Connection, Table, and_, any_, bindparam, insert, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.elements import ColumnElement

BATCH = 10_000
IN_CHUNK = 2_000  # SQLite and most servers accept this many parameters in one statement
ARRAY_CHUNK = 50_000  # PostgreSQL: one array parameter, bounded only to keep memory low


def _is_psycopg(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg"


def lookup_chunk(conn: Connection) -> int:
    """How many key values one lookup query should carry on this backend."""
    return ARRAY_CHUNK if conn.dialect.name == "postgresql" else IN_CHUNK


def key_in(conn: Connection, column: Column[Any], values: Sequence[Any]) -> ColumnElement[bool]:
    """``column IN values``; on PostgreSQL ``= ANY(array)``, one parameter instead of many."""
    if conn.dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    return column.in_(values)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _copy_rows(
    conn: Connection, target: str, table: Table, columns: Sequence[str], rows: Sequence[dict]
) -> None:
    """COPY rows into ``target`` (a table or a temporary table shaped like ``table``)."""
    json_columns = {c for c in columns if isinstance(table.c[c].type, JSON)}
    names = ", ".join(_quoted(c) for c in columns)
    import psycopg

    statement = f"COPY {target} ({names}) FROM STDIN"
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(
                    [
                        json.dumps(row[c]) if c in json_columns and row[c] is not None else row[c]
                        for c in columns
                    ]
                )
    except psycopg.Error as exc:
        # The raw cursor bypasses SQLAlchemy: wrap the driver error the way it would have, so
        # callers see IntegrityError, OperationalError… whatever the write path.
        raise DBAPIError.instance(statement, None, exc, psycopg.Error) from exc
    finally:
        cursor.close()


def bulk_insert(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows that all carry the same keys, in the caller's transaction."""
    if not rows:
        return
    columns = list(rows[0])
    if _is_psycopg(conn):
        _copy_rows(conn, _quoted(table.name), table, columns, rows)
        return
    if conn.dialect.name == "sqlite":
        names = ", ".join(_quoted(c) for c in columns)
        marks = ", ".join("?" for _ in columns)
        _sqlite_executemany(
            conn,
            f"INSERT INTO {_quoted(table.name)} ({names}) VALUES ({marks})",
            table,
            columns,
            rows,
        )
        return
    for start in range(0, len(rows), BATCH):
        conn.execute(insert(table), list(rows[start : start + BATCH]))


def _sqlite_executemany(
    conn: Connection, sql: str, table: Table, columns: Sequence[str], rows: Sequence[dict]
) -> None:
    """One executemany of positional tuples on SQLite's C loop.

    Values go through each column type's own bind processor (dates, JSON, booleans stored
    exactly as SQLAlchemy stores them), without building a parameter dict per row.
    """
    dialect = conn.dialect
    processors = [table.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in columns]
    pairs = list(zip(columns, processors, strict=True))
    for start in range(0, len(rows), BATCH):
        params = [
            tuple(
                row[c] if process is None or row[c] is None else process(row[c])
                for c, process in pairs
            )
            for row in rows[start : start + BATCH]
        ]
        conn.exec_driver_sql(sql, params)


def bulk_update(
    conn: Connection,
    table: Table,
    key_columns: Sequence[str],
    rows: Sequence[dict[str, Any]],
) -> None:
    """Set the non-key values of each row on the table row with the same ``key_columns``."""
    if not rows:
        return
    columns = list(rows[0])
    values = [c for c in columns if c not in key_columns]
    if _is_psycopg(conn):
        temp = _quoted(f"_import_update_{table.name}")
        selected = ", ".join(_quoted(c) for c in columns)
        conn.exec_driver_sql(
            f"CREATE TEMPORARY TABLE {temp} ON COMMIT DROP AS "
            f"SELECT {selected} FROM {_quoted(table.name)} WITH NO DATA"
        )
        _copy_rows(conn, temp, table, columns, rows)
        assignments = ", ".join(f"{_quoted(c)} = s.{_quoted(c)}" for c in values)
        join = " AND ".join(f"t.{_quoted(c)} = s.{_quoted(c)}" for c in key_columns)
        conn.exec_driver_sql(
            f"UPDATE {_quoted(table.name)} AS t SET {assignments} FROM {temp} AS s WHERE {join}"
        )
        conn.exec_driver_sql(f"DROP TABLE {temp}")
        return
    if conn.dialect.name == "sqlite":
        assignments = ", ".join(f"{_quoted(c)} = ?" for c in values)
        where = " AND ".join(f"{_quoted(c)} = ?" for c in key_columns)
        _sqlite_executemany(
            conn,
            f"UPDATE {_quoted(table.name)} SET {assignments} WHERE {where}",
            table,
            [*values, *key_columns],
            rows,
        )
        return
    statement = (
        update(table)
        .where(and_(*(table.c[c] == bindparam(f"k_{c}") for c in key_columns)))
        .values({c: bindparam(f"v_{c}") for c in values})
    )
    params = [
        {**{f"k_{c}": row[c] for c in key_columns}, **{f"v_{c}": row[c] for c in values}}
        for row in rows
    ]
    for start in range(0, len(params), BATCH):
        conn.execute(statement, params[start : start + BATCH])
