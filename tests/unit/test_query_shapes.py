"""The shape of the delay and stock queries, read from EXPLAIN on both engines: they read
persons, communes and the per-person timeline, never the event tables, and run no correlated
subquery per person (what made them slow at national scale)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event, inspect

from data_access.demo.generate import generate_demo
from metrics import accompaniment, activity, contracts, convocation, orientation
from metrics.quality import quality_report
from metrics.scope import Scope
from metrics.spec import MetricContext
from metrics.sql import plan_reads, query_plan

EVENT_TABLES = {"invitations", "appointments", "orientations", "contracts"}
SCOPE = Scope.build(dt.date(2024, 5, 1), dt.date(2024, 6, 30))
QUERIES = {
    "convocation": convocation.convocation_counts,
    "first_appointment": convocation.first_appointment_counts,
    "orientation": orientation.orientation_counts,
    "legal_orientation": orientation.legal_orientation_counts,
    "request": orientation.request_counts,
    "contract": contracts.contract_counts,
}


@pytest.fixture
def demo(db):
    generate_demo(db.engine, db.settings, scale=400, seed=9, as_of=dt.date(2025, 6, 30))
    return db


def _captured(engine, action):  # type: ignore[no-untyped-def]
    """The statements ``action`` sends, with their parameters, and its result."""
    seen: list[tuple[str, object]] = []

    def listen(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", listen)
    try:
        result = action()
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    return seen, result


def test_legal_contract_delay_reads_each_decision_once(demo):
    """The legal contract delay reads the per-decision timeline (next decision, first counted
    contract after it, both stored), not the orientations and contracts with a correlated
    subquery per decision."""
    query = contracts.legal_contract_query(SCOPE)
    with demo.engine.connect() as conn:
        seen, rows = _captured(demo.engine, lambda: conn.execute(query).all())
        assert rows
        tables, correlated = query_plan(conn, *seen[0])
    assert "decision_timeline" in tables
    assert not tables & EVENT_TABLES
    assert not correlated


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_delay_queries_read_the_timeline_only(demo, name):
    with demo.engine.connect() as conn:
        seen, counts = _captured(demo.engine, lambda: QUERIES[name](conn, SCOPE))
        assert counts.size > 0  # the query found a cohort
        assert len(seen) == 1
        tables, correlated = query_plan(conn, *seen[0])
    assert "person_timeline" in tables
    assert not tables & EVENT_TABLES
    assert not correlated


def test_stock_query_reads_the_timeline_without_correlated_subquery(demo):
    context = MetricContext(demo.engine, demo.settings, SCOPE)
    seen, results = _captured(demo.engine, lambda: orientation.STOCK_FAMILY.compute(context))
    assert results["stock_orientation_rate"].value is not None
    stock = [s for s in seen if "person_timeline" in s[0]]
    assert len(stock) == 1
    with demo.engine.connect() as conn:
        tables, correlated = query_plan(conn, *stock[0])
    assert not tables & EVENT_TABLES
    assert not correlated


def test_quality_checks_scan_each_table_once_for_every_check(demo):
    """Every check of the report is one column of ONE pass over the persons, each event table
    read by one per-person aggregate that holds all the flags the checks read of it: not an
    EXISTS per person and per check (one index probe per person each on PostgreSQL), nor one
    scan per check or per category."""
    context = MetricContext(demo.engine, demo.settings, SCOPE)
    seen, report = _captured(demo.engine, lambda: quality_report(context))
    assert report.checks
    grouped = [" ".join(s.split()) for s, _ in seen if "sum(CASE" in " ".join(s.split())]
    assert len(grouped) == 1
    (statement,) = grouped
    assert "EXISTS" not in statement.upper()
    for table in ("invitations", "orientations", "accompaniments", "person_key_links"):
        assert statement.count(f"FROM {table}") == 1, table
    # Appointments and contracts: their aggregate, and the same-day duplicates.
    for table in ("appointments", "contracts"):
        assert statement.count(f"FROM {table}") == 2, table
    # A row before the entry is a first date compared with the entry outside the aggregates:
    # only the appointments' aggregate reads the person (honoured since the entry, for the
    # upstream flags), the other tables are grouped on their own.
    assert statement.count("JOIN persons AS row_person") == 1


@pytest.mark.parametrize("item", activity.COUNTS, ids=lambda item: item.spec.id)
def test_events_of_a_period_are_found_by_their_date(demo, item):
    """The weekly point counts each week's events: every counted table has an index that
    starts with the event's date (at the schema head, as migrated), and SQLite searches it."""
    table, date = item.table.name, item.date.name
    indexes = inspect(demo.engine).get_indexes(table)
    assert any(index["column_names"][0] == date for index in indexes), (table, date)
    week = Scope.build(dt.date(2024, 6, 24), dt.date(2024, 6, 30))
    context = MetricContext(demo.engine, demo.settings, week, frozenset({item.spec.id}))
    seen, _ = _captured(demo.engine, lambda: activity.compute(context))
    (statement,) = [s for s in seen if "FROM persons" in s[0] and table in s[0]]
    if demo.engine.dialect.name == "sqlite":
        with demo.engine.connect() as conn:
            plan = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement[0]}", statement[1]).all()
        assert any(f"SEARCH {table} USING" in str(row[-1]) for row in plan), plan


def test_accompaniment_reads_the_accompaniments_once(demo):
    """The activity share and the caseload come from one statement that reads the persons and
    their running accompaniments once (in the plan of both engines): both aggregates read
    that one scan, and the persons accompanied per UTAS, which the caseload publishes beside
    its median, are the activity aggregate's own counts. Each asked alone is one statement."""
    context = MetricContext(demo.engine, demo.settings, SCOPE)
    seen, results = _captured(demo.engine, lambda: accompaniment.FAMILY.compute(context))
    scans = [s for s in seen if "accompaniments" in s[0]]
    assert results["caseload_median"].numerator
    assert len(scans) == 1
    with demo.engine.connect() as conn:
        reads, _ = plan_reads(conn, *scans[0])
    assert reads.count("accompaniments") == 1, reads
    assert reads.count("persons") == 1, reads
    for metric_id in ("activity_15h_rate", "caseload_median"):
        alone = MetricContext(demo.engine, demo.settings, SCOPE, frozenset({metric_id}))
        seen, only = _captured(demo.engine, lambda alone=alone: accompaniment.FAMILY.compute(alone))
        assert len([s for s, _ in seen if "accompaniments" in s]) == 1
        assert only == {metric_id: results[metric_id]}
