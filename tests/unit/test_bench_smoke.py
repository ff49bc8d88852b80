"""The benchmark still runs: every measurement of ``make bench`` on a tiny demo, in seconds.

Speed is never asserted here (``bench/RESULTS.md`` holds the figures); what is checked is that
each piece runs against today's code, that the pandas and DuckDB yardsticks still compute the
same headline values as the metrics, and that the summary and the ratios print.
"""

from __future__ import annotations

import pytest
import streamlit as st

from bench import scales, worker
from bench.app_pages import QueryCounter, registered_pages
from settings import get_settings

TINY = "300"  # persons: the smallest demo worth computing indicators on


@pytest.fixture
def tiny_demo(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    with scales.demo_database("sqlite", TINY, None) as database:
        monkeypatch.setenv("PILOTAGE_DATABASE_URL", database["url"])
        monkeypatch.delenv("PILOTAGE_AUTH_MODE", raising=False)
        # Unrounded counts, so that on so few persons the published values are the exact ones
        # the yardsticks compute (the smallest counts stay masked and are not compared).
        monkeypatch.setenv("PILOTAGE_SECRECY_ROUNDING", "1")
        monkeypatch.setenv("PILOTAGE_SECRECY_THRESHOLD", "2")
        get_settings.cache_clear()
        st.cache_resource.clear()
        yield database
    get_settings.cache_clear()
    st.cache_resource.clear()


def test_every_measurement_runs_and_the_yardsticks_agree(tiny_demo, capsys) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("duckdb")
    url = tiny_demo.pop("url")
    figures = {
        **tiny_demo,
        "load": [0.0, 0.0],
        "metrics_process": scales.metrics_process(url, repeat=1),
        "pandas": worker.run_yardstick("pandas", url, repeat=1),
        "duckdb": worker.run_yardstick("duckdb", url, repeat=1),
        "ours": worker.run_ours(url, repeat=1, pages=["comite.py"]),
    }

    # compared, not skipped: on 300 persons only the orientation median may be unreached
    assert sum(v is not None for v in figures["ours"]["headline_values"].values()) >= 5
    assert scales._disagreements(figures) == []
    assert set(figures["pandas"]["rows"]) == {
        "persons",
        "invitations",
        "appointments",
        "orientations",
    }
    page = figures["ours"]["pages"]["comite.py"]
    assert page["cold_queries"] > page["warm_queries"] > 0
    assert figures["ours"]["committee_cold_queries"] > figures["ours"]["committee_warm_queries"]
    lines = scales.summary("sqlite", TINY, figures) + scales.ratios({("sqlite", TINY): figures})
    assert any("comite" in line for line in lines)
    assert any("requêtes DuckDB" in line for line in lines)


def test_the_pages_measured_are_the_menu() -> None:
    pages = registered_pages()
    assert "comite.py" in pages and "point_hebdomadaire.py" in pages and len(pages) >= 15


def test_query_counter_counts_and_stops(tiny_demo) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    from data_access.db import make_engine

    engine = make_engine(tiny_demo["url"])
    counter = QueryCounter()
    with counter.counting() as counted, engine.connect() as conn:
        conn.execute(text("SELECT 1"))
        conn.execute(text("SELECT 2"))
    counter.close()
    with engine.connect() as conn:
        conn.execute(text("SELECT 3"))
    engine.dispose()
    assert counted == [2]
    assert counter.count == 2
