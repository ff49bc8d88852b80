"""Metric results are cached per Scope and data version: a revisit computes nothing, a new
import run (or another scope) computes again, and a failing family leaves the others shown."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
import streamlit as st

from data_access.db import session_scope
from data_access.schema import ImportRun
from metrics import catalog
from metrics.exceptions import MetricError
from metrics.results import MetricResult
from metrics.scope import Scope
from metrics.spec import Family, IndicatorSpec
from ui.context import AppContext
from ui.metrics_cache import cached_call, metric_results

SCOPE = Scope.build(dt.date(2024, 3, 1), dt.date(2024, 3, 31))


@pytest.fixture
def counted(monkeypatch):
    """Two fake families: one counts its calls, the other always fails."""
    calls: list[Scope] = []

    def compute(context):  # type: ignore[no-untyped-def]
        calls.append(context.scope)
        return {"fake": MetricResult("fake", float(len(calls)), "count")}

    def broken(context):  # type: ignore[no-untyped-def]
        raise MetricError("Territoire inconnu.")

    spec = IndicatorSpec("fake", "Faux", "d", "f", "count")
    families = (
        Family("fake", "Famille test", (spec,), compute),
        Family("broken", "Famille cassée", (IndicatorSpec("b", "B", "d", "f", "count"),), broken),
    )
    monkeypatch.setattr(catalog, "families", lambda: families)
    st.cache_data.clear()
    yield calls
    st.cache_data.clear()


def test_a_revisit_costs_nothing_and_a_new_import_shows_at_once(sqlite_db, counted):
    context = AppContext(settings=sqlite_db.settings, engine=sqlite_db.engine)
    first = metric_results(context, SCOPE)
    again = metric_results(context, SCOPE)
    assert len(counted) == 1
    assert first.get("fake") == again.get("fake")

    with session_scope(sqlite_db.engine) as session:
        session.add(
            ImportRun(
                source="bundle", file_name="x", started_at=dt.datetime(2024, 4, 1), status="success"
            )
        )
    after_import = metric_results(context, SCOPE)
    assert len(counted) == 2
    assert after_import.get("fake").value == 2.0

    metric_results(context, SCOPE.previous())
    assert len(counted) == 3


def test_a_failing_family_is_named_and_the_others_still_show(sqlite_db, counted):
    context = AppContext(settings=sqlite_db.settings, engine=sqlite_db.engine)
    computed = metric_results(context, SCOPE)
    assert computed.get("fake") is not None
    assert computed.failures == {"Famille cassée": "Territoire inconnu."}


def test_only_computes_the_families_asked_for(sqlite_db, counted):
    context = AppContext(settings=sqlite_db.settings, engine=sqlite_db.engine)
    computed = metric_results(context, SCOPE, only=("b",))
    assert counted == []
    assert "Famille cassée" in computed.failures


def test_cached_call_takes_a_plain_function_once_per_version(sqlite_db):
    context = AppContext(settings=sqlite_db.settings, engine=sqlite_db.engine)
    calls: list[tuple] = []

    def helper(metric_context, word):  # type: ignore[no-untyped-def]
        calls.append((metric_context.scope, word))
        return len(calls)

    st.cache_data.clear()
    assert cached_call(context, helper, SCOPE, "a", version="v1") == 1
    assert cached_call(context, helper, SCOPE, "a", version="v1") == 1
    assert cached_call(context, helper, SCOPE, "b", version="v1") == 2
    assert cached_call(context, helper, SCOPE, "a", version="v2") == 3
    st.cache_data.clear()


def test_a_page_reads_the_data_version_once_per_render(demo_db, monkeypatch):
    """The freshness banner, the period and the period before it share one reading."""
    from streamlit.testing.v1 import AppTest

    import data_access.db
    import ui.metrics_cache
    from tests.app.conftest import ROOT, sign_in_as

    reads: list[int] = []
    original = data_access.db.data_version

    def counting(engine):  # type: ignore[no-untyped-def]
        reads.append(1)
        return original(engine)

    for module in (data_access.db, ui.metrics_cache):
        monkeypatch.setattr(module, "data_version", counting)
    app = sign_in_as(AppTest.from_file(str(ROOT / "app.py"), default_timeout=120), "admin")
    app.run()
    reads.clear()
    app.switch_page("screens/convocation.py").run()
    assert not app.exception
    assert len(reads) == 1


def test_families_computed_side_by_side_give_the_same_results(sqlite_db, counted):
    """Given an executor, each family of a scope is computed on it (they are independent):
    the results, in the catalogue's order, and the named failures are those of a sequential
    computation."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    threads: set[str] = set()
    compute = catalog.families()[0].compute

    def recording(context):  # type: ignore[no-untyped-def]
        threads.add(threading.current_thread().name)
        return compute(context)

    families = (replace(catalog.families()[0], compute=recording), catalog.families()[1])
    catalog.families = lambda: families  # the fixture's monkeypatch restores it
    context = AppContext(settings=sqlite_db.settings, engine=sqlite_db.engine)
    with ThreadPoolExecutor(2, thread_name_prefix="side") as pool:
        beside = metric_results(context, SCOPE, parallel=pool)
    assert threads and all(name.startswith("side") for name in threads)
    st.cache_data.clear()
    alone = metric_results(context, replace(SCOPE, as_of=SCOPE.as_of))
    assert list(beside.results) == list(alone.results)
    assert beside.failures == alone.failures == {"Famille cassée": "Territoire inconnu."}
