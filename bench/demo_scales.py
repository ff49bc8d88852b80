"""How long ``pilotage demo`` takes at each scale, on SQLite and on PostgreSQL.

Wall-clock durations depend on what else runs on the machine, so the CPU time of this
process is printed too (on SQLite it includes the database work; on PostgreSQL the server's
share is not in it).

Each run starts from an empty database at the schema head with the reference communes, as
``pilotage init-db && pilotage demo --scale …`` would. SQLite uses a file in a temporary
folder; PostgreSQL a throw-away database created next to the one named by
``PILOTAGE_BENCH_POSTGRES_URL`` (or ``PILOTAGE_TEST_POSTGRES_URL``), dropped afterwards.

    python -m bench.demo_scales --scales creuse large national --engines sqlite postgres
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import make_url

from data_access.db import make_engine
from data_access.demo.generate import generate_demo
from data_access.initdb import init_database
from settings import Settings

POSTGRES_ENVS = ("PILOTAGE_BENCH_POSTGRES_URL", "PILOTAGE_TEST_POSTGRES_URL")


@contextmanager
def sqlite_url() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as folder:
        yield f"sqlite:///{Path(folder) / 'bench.sqlite'}"


@contextmanager
def postgres_url(base: str | None = None) -> Iterator[str]:
    """A throw-away database next to ``base`` (else the one named by the environment)."""
    base = base or next((os.environ[name] for name in POSTGRES_ENVS if os.environ.get(name)), None)
    if base is None:
        raise SystemExit("PostgreSQL : définir PILOTAGE_BENCH_POSTGRES_URL pour ce moteur.")
    admin_url = make_url(base)
    name = f"pilotage_bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(admin_url.render_as_string(hide_password=False))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def measure(engine_kind: str, scale: str, seed: int, as_of: dt.date) -> None:
    """One demo run on a fresh database; prints one line of figures."""
    opener = sqlite_url if engine_kind == "sqlite" else postgres_url
    with opener() as url:
        settings = Settings(_env_file=None, database_url=url)  # type: ignore[call-arg]
        engine = make_engine(url)
        init_database(engine, settings)
        started, cpu = time.perf_counter(), time.process_time()
        report = generate_demo(engine, settings, scale=scale, seed=seed, as_of=as_of)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        engine.dispose()
    rows = sum(report.counts.values())
    print(
        f"{engine_kind:9s} {scale:9s} {report.persons:>10,d} persons {rows:>11,d} rows  "
        f"generation {report.generation_seconds:7.1f} s  loading {report.loading_seconds:7.1f} s  "
        f"total {wall:7.1f} s  (Python CPU {cpu:6.1f} s)",
        flush=True,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", nargs="+", default=["creuse", "large"])
    parser.add_argument("--engines", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2026, 11, 29))
    args = parser.parse_args(argv)
    for engine_kind in args.engines:
        if engine_kind == "postgres" and not any(os.environ.get(n) for n in POSTGRES_ENVS):
            print("postgres  ignoré : PILOTAGE_BENCH_POSTGRES_URL non défini")
            continue
        for scale in args.scales:
            measure(engine_kind, scale, args.seed, args.as_of)


if __name__ == "__main__":
    main()
