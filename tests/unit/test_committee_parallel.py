"""The committee's side periods (the period before, a year earlier, since the launch) are
independent of the period itself: given an executor, ``gather_committee`` hands them to it
while the calling thread computes the period, its map and its twelve months, and the
gathering is the same as one computed in sequence."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

from data_access.demo.generate import generate_demo
from metrics.committee import gather_committee

COMMITTEE = dt.date(2024, 6, 30)


class CountingExecutor(ThreadPoolExecutor):
    """A thread pool that remembers the threads its tasks ran on."""

    def __init__(self) -> None:
        super().__init__(max_workers=3)
        self.threads: set[str] = set()
        self.tasks = 0

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def, override]
        self.tasks += 1

        def run():  # type: ignore[no-untyped-def]
            self.threads.add(threading.current_thread().name)
            return fn(*args, **kwargs)

        return super().submit(run)


def test_side_periods_run_beside_the_period_and_agree(db):
    generate_demo(db.engine, db.settings, scale=600, seed=4, as_of=dt.date(2025, 6, 30))
    alone = gather_committee(db.engine, db.settings, COMMITTEE)
    with CountingExecutor() as executor:
        beside = gather_committee(db.engine, db.settings, COMMITTEE, parallel=executor)
    assert executor.tasks == 3
    assert threading.current_thread().name not in executor.threads
    assert beside.current == alone.current
    assert beside.previous == alone.previous and beside.previous
    assert beside.year_before == alone.year_before and beside.year_before
    assert beside.launch == alone.launch and beside.launch
    assert beside.summary == alone.summary


def test_every_family_computed_side_by_side_gives_the_same_report(db):
    """``pilotage metrics`` computes the families of its scope on a pool: the same results,
    in the catalogue's order, as one after the other."""
    from metrics import catalog
    from metrics.report import metrics_report
    from metrics.scope import Scope
    from metrics.spec import MetricContext

    generate_demo(db.engine, db.settings, scale=600, seed=4, as_of=dt.date(2025, 6, 30))
    scope = Scope.build(dt.date(2024, 5, 1), dt.date(2024, 6, 30))
    alone = catalog.compute_all(MetricContext(db.engine, db.settings, scope))
    with CountingExecutor() as executor:
        beside = catalog.compute_all(MetricContext(db.engine, db.settings, scope), executor)
        report = metrics_report(db.engine, db.settings, scope, parallel=executor)
    assert executor.tasks == 2 * len(catalog.families())
    assert list(beside) == list(alone) and beside == alone
    assert list(report["metrics"]) == list(alone)


def test_the_summarys_twelve_months_run_side_by_side_and_agree(db):
    """Each objective's twelve months (the météo of « Vue d'ensemble ») is its own scans,
    independent of the others': given an executor, ``summary_lines`` computes them on it, one
    task per objective, and the lines are the same as computed one after the other."""
    from metrics import catalog
    from metrics.scope import Scope
    from metrics.spec import MetricContext
    from metrics.summary import engine_history, summary_lines

    generate_demo(db.engine, db.settings, scale=600, seed=4, as_of=dt.date(2025, 6, 30))
    scope = Scope.build(dt.date(2024, 5, 1), dt.date(2024, 6, 30))
    results = catalog.compute_all(MetricContext(db.engine, db.settings, scope))
    history = engine_history(db.engine, db.settings)
    alone = summary_lines(db.settings, scope, results, history)
    with CountingExecutor() as executor:
        beside = summary_lines(db.settings, scope, results, history, executor)
    assert alone and all(line.history for line in alone)
    assert executor.tasks == len(alone)
    assert threading.current_thread().name not in executor.threads
    assert beside == alone
