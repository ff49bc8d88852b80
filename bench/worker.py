"""One measurement in a process of its own, so that its peak memory is its own.

``python -m bench.worker {ours,pandas,duckdb} URL --repeat 3`` prints one JSON line. ``ours`` is
the application: the committee indicator set through the function the committee page calls
(``ui.committee.page_committee``: cached results, history and map, side periods beside), the
families holding the six headline indicators, then every page through AppTest. ``pandas``
and ``duckdb`` are the yardsticks of ``bench.headline``. Peak memory is this process's
high-water resident set (``VmHWM``), not ``ru_maxrss``: Linux carries ``ru_maxrss`` over
``exec`` from the parent that forked us, so it would report the orchestrator's memory after it
built the demo.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

COMMITTEE_DATE = dt.date(2024, 6, 30)


def high_water_mb(pid: int | str = "self") -> float | None:
    """Peak resident memory of a live process since its ``exec``, in megabytes (Linux)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    kilobytes = next(
        (line.split()[1] for line in status.splitlines() if line[:6] == "VmHWM:"), None
    )
    return None if kilobytes is None else int(kilobytes) / 1024


def peak_mb() -> float:
    """Peak resident memory of this process so far, in megabytes."""
    measured = high_water_mb()
    if measured is None:  # not Linux: ru_maxrss, an upper bound
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return measured


def timed(action: Callable[[], Any]) -> tuple[float, float, Any]:
    """Wall seconds, CPU seconds of this process, and the result of ``action()``."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = action()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def median(values: list[float]) -> float:
    return statistics.median(values)


def committee_scope_of(engine):  # type: ignore[no-untyped-def]
    from data_access.snapshots import last_committee_date
    from metrics.committee import committee_scope, deck_scope

    previous = last_committee_date(engine, COMMITTEE_DATE, deck_scope(None, None))
    return committee_scope(COMMITTEE_DATE, previous)


def run_ours(url: str, repeat: int, pages: list[str] | None) -> dict[str, Any]:
    import streamlit as st

    from bench import app_pages, headline
    from bench.signed_in import sign_in_admin
    from data_access.db import make_engine
    from settings import get_settings
    from ui.committee import page_committee
    from ui.context import AppContext
    from ui.metrics_cache import current_version

    settings = get_settings()
    engine = make_engine(url)
    counter = app_pages.QueryCounter()
    context = AppContext(settings=settings, engine=engine)

    def committee() -> Any:
        """What screens/comite.py does, minus the drawing."""
        return page_committee(context, COMMITTEE_DATE, current_version(context)).data

    out: dict[str, Any] = {}
    cold, cold_cpu, cold_queries = [], [], []
    for _ in range(repeat):
        st.cache_data.clear()
        with counter.counting() as queries:
            wall, cpu, _data = timed(committee)
        cold.append(wall)
        cold_cpu.append(cpu)
        cold_queries.append(queries[0])
    warm = []
    for _ in range(repeat):
        with counter.counting() as queries:
            warm.append(timed(committee)[0])
    out["committee_first"] = cold[0]
    out["committee_cold"] = median(cold)
    out["committee_cold_cpu"] = median(cold_cpu)
    out["committee_cold_queries"] = median(cold_queries)
    out["committee_warm"] = median(warm)
    out["committee_warm_queries"] = queries[0]
    out["peak_mb_committee"] = peak_mb()

    scope = committee_scope_of(engine)
    times = [timed(lambda: headline.ours(engine, settings, scope)) for _ in range(repeat)]
    out["headline_ours"] = median([t[0] for t in times])
    out["headline_values"] = times[0][2]

    chosen = app_pages.registered_pages() if pages is None else pages
    out["pages"] = (
        app_pages.measure_pages(engine, chosen, repeat, counter, sign_in_admin) if chosen else {}
    )
    out["peak_mb"] = peak_mb()
    counter.close()
    engine.dispose()
    return out


def run_yardstick(kind: str, url: str, repeat: int) -> dict[str, Any]:
    from bench import headline
    from data_access.db import make_engine
    from settings import get_settings

    settings = get_settings()
    engine = make_engine(url)
    scope = committee_scope_of(engine)
    loads, frames = [], None
    for _ in range(repeat):
        frames = None  # free the previous copy before reading again
        wall, _cpu, frames = timed(lambda: headline.load_frames(engine))
        loads.append(wall)
    assert frames is not None
    out: dict[str, Any] = {"read": median(loads), "rows": {k: len(v) for k, v in frames.items()}}
    if kind == "pandas":
        runs = [
            timed(lambda: headline.pandas_headline(frames, scope, settings)) for _ in range(repeat)
        ]
    else:
        copies = [timed(lambda: headline.duckdb_load(frames)) for _ in range(repeat)]
        out["load"] = median([c[0] for c in copies])
        con = copies[-1][2]
        runs = [
            timed(lambda: headline.duckdb_headline(con, scope, settings)) for _ in range(repeat)
        ]
    out["compute"] = median([r[0] for r in runs])
    out["headline_values"] = runs[0][2]
    out["peak_mb"] = peak_mb()
    engine.dispose()
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("ours", "pandas", "duckdb"))
    parser.add_argument("url")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pages", nargs="*", default=None, help="none given: no page")
    args = parser.parse_args(argv)
    os.environ["PILOTAGE_DATABASE_URL"] = args.url
    if args.mode == "ours":
        result = run_ours(args.url, args.repeat, args.pages)
    else:
        result = run_yardstick(args.mode, args.url, args.repeat)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
