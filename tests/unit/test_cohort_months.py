"""Cohorts seen at one as-of date are assembled month by month from one store: each month of a
cohort query is counted once, and a cohort assembled from its months gives exactly the cells
of the one query over the cohort (both engines, on the demo)."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from functools import partial

import pytest
from sqlalchemy import event

from data_access.demo.generate import generate_demo
from metrics import catalog, contracts, convocation, orientation
from metrics.catalog import mature_scope
from metrics.cohorts import (
    CohortStore,
    PieceKey,
    assemble,
    delay_counts_of,
    month_pieces,
)
from metrics.deadlines import deadline_cells, deadline_cells_of
from metrics.scope import Scope
from metrics.spec import MetricContext

AS_OF = dt.date(2024, 6, 30)
# A committee period that starts and ends inside months, the launch-to-date, one month, the
# twelve months of the météo and the same period without the as-of date's last days.
SCOPES = [
    Scope.build(dt.date(2024, 3, 13), dt.date(2024, 5, 12), as_of=AS_OF),
    Scope.build(dt.date(2023, 2, 17), AS_OF),
    Scope.build(dt.date(2024, 4, 1), dt.date(2024, 4, 30), as_of=AS_OF),
    Scope.build(dt.date(2023, 6, 1), dt.date(2024, 5, 31), as_of=AS_OF),
    Scope.build(dt.date(2024, 5, 1), dt.date(2024, 7, 31), as_of=AS_OF),
]
DELAYS = [
    (convocation.convocation_counts, None),
    (convocation.convocation_counts, 15),
    (convocation.first_appointment_counts, None),
    (orientation.orientation_counts, None),
    (orientation.legal_orientation_counts, 42),
    (contracts.contract_counts, None),
]
DEADLINES = [contracts.legal_contract_query, orientation.three_months_query]


@pytest.fixture
def demo(db):
    generate_demo(db.engine, db.settings, scale=800, seed=12, as_of=dt.date(2025, 6, 30))
    return db


@contextmanager
def counting(engine):
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_month_pieces_cut_a_period_at_month_boundaries():
    assert month_pieces(dt.date(2024, 1, 13), dt.date(2024, 3, 12)) == [
        (dt.date(2024, 1, 13), dt.date(2024, 1, 31)),
        (dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        (dt.date(2024, 3, 1), dt.date(2024, 3, 12)),
    ]
    assert month_pieces(dt.date(2024, 12, 1), dt.date(2024, 12, 31)) == [
        (dt.date(2024, 12, 1), dt.date(2024, 12, 31))
    ]
    assert month_pieces(dt.date(2024, 3, 2), dt.date(2024, 3, 1)) == []


@pytest.mark.parametrize(("count", "horizon"), DELAYS)
def test_delay_cohorts_assembled_from_months_equal_one_query(demo, count, horizon):
    store = CohortStore()
    with demo.engine.connect() as conn:
        for scope in SCOPES:
            direct = count(conn, scope) if horizon is None else count(conn, scope, horizon)
            assembled = delay_counts_of(store, conn, scope, count, horizon)
            assert Counter(assembled.cells) == Counter(direct.cells), scope
            assert assembled.size == direct.size
    assert store.cells > 0


@pytest.mark.parametrize("query", DEADLINES)
def test_deadline_cohorts_assembled_from_months_equal_one_query(demo, query):
    store = CohortStore()
    with demo.engine.connect() as conn:
        for scope in SCOPES:
            direct = deadline_cells(conn, query(scope))
            assert Counter(deadline_cells_of(store, conn, scope, query)) == Counter(direct)


def test_a_month_counted_once_serves_every_cohort_that_holds_it(demo):
    store = CohortStore()
    launch, period, month, year = SCOPES[1], SCOPES[0], SCOPES[2], SCOPES[3]
    with demo.engine.connect() as conn, counting(demo.engine) as statements:
        delay_counts_of(store, conn, period, convocation.convocation_counts)
        assert len(statements) == 1
        # The launch-to-date: the months before the period, then after it (two runs).
        delay_counts_of(store, conn, launch, convocation.convocation_counts)
        assert len(statements) == 3
        # Whole months inside it, and the same months read under a horizon: nothing queried.
        delay_counts_of(store, conn, month, convocation.convocation_counts)
        delay_counts_of(store, conn, year, convocation.convocation_counts, 15)
        assert len(statements) == 3
        # Another as-of date is another state of the cohort: counted again.
        delay_counts_of(
            store, conn, replace(month, as_of=dt.date(2024, 5, 31)), convocation.convocation_counts
        )
        assert len(statements) == 4


def test_a_store_keeps_its_cells_under_its_bound(demo):
    store = CohortStore(max_cells=100)
    with demo.engine.connect() as conn:
        first = delay_counts_of(store, conn, SCOPES[1], orientation.orientation_counts)
        again = delay_counts_of(store, conn, SCOPES[1], orientation.orientation_counts)
    largest_month = max(Counter(cell.month for cell in first.cells).values())
    assert len(first.cells) > 100 + largest_month
    # Past the bound, the oldest months go first; a month larger than the bound stays alone.
    assert store.cells <= max(100, largest_month)
    assert Counter(again.cells) == Counter(first.cells)


def test_every_family_gives_the_same_results_through_a_store(demo):
    """The committee's cohorts (period, launch-to-date, mature months) computed through one
    store equal the same cohorts computed query by query."""
    store = CohortStore()
    for scope in (SCOPES[0], SCOPES[1], mature_scope(SCOPES[0], 45)):
        plain = catalog.compute_all(MetricContext(demo.engine, demo.settings, scope))
        stored = catalog.compute_all(
            MetricContext(demo.engine, demo.settings, scope, cohorts=store)
        )
        assert stored == plain, scope


def _side_by_side(engine, scopes):
    """The convocation cells of ``scopes`` counted on two threads through one store, and the
    cohort ranges the database was asked for."""
    store = CohortStore()
    fetched: list[tuple[dt.date, dt.date]] = []
    lock = threading.Lock()

    def fetch(at, conn):
        with lock:
            fetched.append((at.start, at.end))
        return convocation.convocation_counts(conn, at).cells

    def count(scope):
        with engine.connect() as conn:
            return Counter(assemble(store, "convocation", scope, partial(fetch, conn=conn)))

    with ThreadPoolExecutor(2) as pool:
        return list(pool.map(count, scopes)), fetched


def test_threads_wait_for_a_month_another_is_counting_instead_of_counting_it_again(demo):
    """The committee page computes its period and the launch-to-date side by side: a month
    both need is counted once, whichever thread comes first."""
    launch, period = SCOPES[1], replace(SCOPES[4], end=AS_OF)
    for _ in range(5):
        both, fetched = _side_by_side(demo.engine, [launch, period])
        counted = [
            first + dt.timedelta(days=i)
            for first, last in fetched
            for i in range((last - first).days + 1)
        ]
        assert len(counted) == len(set(counted))  # no day counted twice
        with demo.engine.connect() as conn:
            assert both[0] == Counter(convocation.convocation_counts(conn, launch).cells)
            assert both[1] == Counter(convocation.convocation_counts(conn, period).cells)


def test_a_failed_count_reaches_the_threads_waiting_for_it(demo):
    store = CohortStore()
    scope = SCOPES[2]
    claimed = store.claim([PieceKey("q", scope.start, scope.end, AS_OF, None, None, None)])
    waiting = store.claim([PieceKey("q", scope.start, scope.end, AS_OF, None, None, None)])
    assert claimed.mine and not waiting.mine and waiting.theirs
    store.fail(claimed.mine, RuntimeError("base indisponible"))
    with pytest.raises(RuntimeError):
        next(iter(waiting.theirs.values())).result()
    # Released: the next caller counts it.
    assert store.claim([PieceKey("q", scope.start, scope.end, AS_OF, None, None, None)]).mine
