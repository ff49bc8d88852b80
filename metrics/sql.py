"""Dialect-portable SQL expressions: the only place where SQLite and PostgreSQL differ.

Why here: date arithmetic is not standard SQL (SQLite stores dates as ISO text and needs
``julianday``; PostgreSQL subtracts dates natively). Each construct below compiles to the right
text for the engine that runs it, so the metric queries are written once and give the same
numbers on both engines.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, Date, Integer, String, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement


class days_between(FunctionElement[int]):  # lower case: reads like an SQL function
    """Whole calendar days from ``start`` to ``end`` (``end − start``), as an integer."""

    type = Integer()
    name = "days_between"
    inherit_cache = True

    def __init__(self, end: Any, start: Any) -> None:
        super().__init__(end, start)


@compiles(days_between)
def _days_between_default(element: days_between, compiler: Any, **kw: Any) -> str:
    end, start = list(element.clauses)
    return f"({compiler.process(end, **kw)} - {compiler.process(start, **kw)})"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element: days_between, compiler: Any, **kw: Any) -> str:
    # julianday() of two ISO dates differs by an exact whole number; the cast only drops ".0".
    end, start = list(element.clauses)
    return (
        f"CAST(julianday({compiler.process(end, **kw)}) - "
        f"julianday({compiler.process(start, **kw)}) AS INTEGER)"
    )


class month_bucket(FunctionElement[str]):  # lower case: reads like an SQL function
    """The month of a date as ``YYYY-MM`` text (the key of monthly cohorts)."""

    type = String()
    name = "month_bucket"
    inherit_cache = True

    def __init__(self, date: Any) -> None:
        super().__init__(date)


@compiles(month_bucket)
def _month_bucket_default(element: month_bucket, compiler: Any, **kw: Any) -> str:
    (date,) = list(element.clauses)
    return f"to_char({compiler.process(date, **kw)}, 'YYYY-MM')"


@compiles(month_bucket, "sqlite")
def _month_bucket_sqlite(element: month_bucket, compiler: Any, **kw: Any) -> str:
    (date,) = list(element.clauses)
    return f"strftime('%Y-%m', {compiler.process(date, **kw)})"


def date_value(value: dt.date) -> ColumnElement[dt.date]:
    """A date constant typed as DATE, so PostgreSQL compares and subtracts it as a date."""
    return literal(value, Date)


class add_months(FunctionElement[dt.date]):  # lower case: reads like an SQL function
    """``date`` plus ``months`` calendar months, « de date à date »: the same day of the month,
    or the last day of the month when it has no such day (31 January + 1 month = 28 or 29
    February), as article 641 of the Code de procédure civile counts a delay in months."""

    type = Date()
    name = "add_months"
    inherit_cache = True

    def __init__(self, date: Any, months: int) -> None:
        self.months = int(months)
        super().__init__(date)


@compiles(add_months)
def _add_months_default(element: add_months, compiler: Any, **kw: Any) -> str:
    # PostgreSQL clamps to the month's last day by itself: '2025-01-31' + 1 month = 2025-02-28.
    (date,) = list(element.clauses)
    return f"CAST(({compiler.process(date, **kw)} + INTERVAL '{element.months} month') AS DATE)"


@compiles(add_months, "sqlite")
def _add_months_sqlite(element: add_months, compiler: Any, **kw: Any) -> str:
    # SQLite rolls 31 January + 1 month over to 3 March; the last day of the target month
    # (start of month + months + 1, minus a day) caps it. ISO texts compare as dates.
    (date,) = list(element.clauses)
    text = compiler.process(date, **kw)
    months = element.months
    return (
        f"min(date({text}, '+{months} months'), "
        f"date({text}, 'start of month', '+{months + 1} months', '-1 day'))"
    )


def query_plan(conn: Connection, statement: str, parameters: Any = None) -> tuple[set[str], bool]:
    """The tables a statement's plan reads, and whether it runs a correlated subquery per row
    (``EXPLAIN`` differs by engine, hence here). For the tests and the benchmark that check
    the shape of the metric queries; ``statement`` and ``parameters`` as the driver got them.
    """
    reads, correlated = plan_reads(conn, statement, parameters)
    return set(reads), correlated


def plan_reads(conn: Connection, statement: str, parameters: Any = None) -> tuple[list[str], bool]:
    """As ``query_plan``, with each table once per scan or index search of it in the plan, so
    that a test can say a table is read once, not merely that it is read."""
    if conn.dialect.name == "sqlite":
        rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters or ()).all()
        details = [str(row[-1]) for row in rows]
        read = [
            word
            for detail in details
            for verb, word in zip(detail.split(), detail.split()[1:], strict=False)
            if verb in ("SCAN", "SEARCH")
        ]
        return read, any("CORRELATED" in detail for detail in details)
    plan: Any = conn.exec_driver_sql(
        f"EXPLAIN (FORMAT JSON) {statement}", parameters or {}
    ).scalar()
    tables: list[str] = []
    correlated = False

    def walk(node: dict[str, Any]) -> None:
        nonlocal correlated
        if "Relation Name" in node:
            tables.append(node["Relation Name"])
        if node.get("Parent Relationship") == "SubPlan":
            correlated = True
        for child in node.get("Plans", ()):
            walk(child)

    walk((plan[0] if isinstance(plan, list) else plan)["Plan"])
    return tables, correlated
