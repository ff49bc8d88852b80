"""How long the metric families take, database aggregation against loading persons in pandas.

The house rule (docs/ARCHITECTURE.md) is that aggregation happens in the database and a page
never loads a table of persons. This measures, in one run on the same data, (a) each metric
family computed in the database for one scope and (b) the cheapest pandas alternative for the
convocation family: just reading ``persons`` and ``invitations`` into data frames, before any
computation. It prints the ratio (b)/(a) and, when both engines are measured, PostgreSQL/SQLite
per family. Ratios measured in one run hold when the machine's speed drifts; absolute seconds do
not.

    python -m bench.metrics_speed --scale large --engines sqlite postgres
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
from collections.abc import Callable

import pandas as pd

from bench.demo_scales import postgres_url, sqlite_url
from data_access.db import make_engine
from data_access.demo.generate import generate_demo
from data_access.initdb import init_database
from metrics import catalog
from metrics.scope import Scope
from metrics.spec import MetricContext
from settings import Settings

AS_OF = dt.date(2025, 6, 30)
SCOPE = Scope.build(dt.date(2025, 1, 1), dt.date(2025, 6, 30), AS_OF)


def _median_seconds(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(kind: str, scale: str, repeat: int) -> dict[str, float]:
    """Seconds per family (median of ``repeat``) and for the pandas load, on one engine."""
    opener = sqlite_url if kind == "sqlite" else postgres_url
    with opener() as url:
        settings = Settings(_env_file=None, database_url=url)  # type: ignore[call-arg]
        engine = make_engine(url)
        init_database(engine, settings)
        report = generate_demo(engine, settings, scale=scale, seed=2023, as_of=AS_OF)
        context = MetricContext(engine=engine, settings=settings, scope=SCOPE)
        figures = {
            family.name: _median_seconds(lambda f=family: f.compute(context), repeat)
            for family in catalog.families()
        }

        def load_in_pandas() -> None:
            with engine.connect() as conn:
                pd.read_sql_table("persons", conn)
                pd.read_sql_table("invitations", conn)

        figures["pandas: lire persons + invitations"] = _median_seconds(load_in_pandas, repeat)
        engine.dispose()
    print(f"{kind}: {report.persons:,d} personnes", flush=True)
    return figures


def main(argv: list[str] | None = None) -> None:
    """Measure each engine asked for and print seconds and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="large")
    parser.add_argument("--engines", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    results = {kind: measure(kind, args.scale, args.repeat) for kind in args.engines}
    names = list(next(iter(results.values())))
    header = "".join(f"{kind:>12s}" for kind in results)
    print(f"{'famille':40s}{header}   ratio PG/SQLite" if len(results) == 2 else header)
    for name in names:
        cells = "".join(f"{results[kind][name]:11.3f}s" for kind in results)
        ratio = ""
        if {"sqlite", "postgres"} <= results.keys():
            ratio = f"   {results['postgres'][name] / results['sqlite'][name]:6.2f}"
        print(f"{name:40s}{cells}{ratio}")
    for kind, figures in results.items():
        pandas_load = figures["pandas: lire persons + invitations"]
        print(
            f"{kind}: lire les tables dans pandas prend {pandas_load / figures['convocation']:.1f} "
            "fois le calcul de toute la famille convocation dans la base"
        )


if __name__ == "__main__":
    main()
