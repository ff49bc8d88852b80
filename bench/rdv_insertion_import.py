"""Speed of the RDV-Insertion import: a users export of N rows, first import then re-import.

``python -m bench.rdv_insertion_import --rows 200000 [--url postgresql+psycopg://…]``

The export is built like RDV-Insertion writes it (``bench/rdv_export.large_users``). Wall
time and this process's CPU time are both printed: on a shared machine the wall time also
counts the time spent waiting for a CPU. With ``--url`` pointing at PostgreSQL the database's
``public`` schema is DROPPED and recreated: give it a throw-away database.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

from bench.rdv_export import large_users
from data_access.db import make_engine, session_scope
from data_access.importers.pipeline import run_import
from data_access.importers.rdv_insertion import RdvInsertionImporter
from data_access.migrate import upgrade_to_head
from data_access.territories import load_territories
from settings import Settings


def measure(url: str, rows: int) -> list[str]:
    """Build a fresh database at ``url``, import the export twice, return French lines."""
    data = large_users(rows).encode("utf-8")
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade_to_head(engine)
    settings = Settings(_env_file=None, database_url=url)  # type: ignore[call-arg]
    with session_scope(engine) as session:
        load_territories(session, settings)
    lines = [f"{engine.dialect.name}, {rows} lignes ({len(data) // 1_000_000} Mo) :"]
    for label in ("premier import", "réimport identique"):
        importer = RdvInsertionImporter(data, "usagers.csv", settings.pseudonymisation_key)
        wall, cpu = time.perf_counter(), time.process_time()
        result = run_import(engine, importer)
        lines.append(
            f"  {label} : {time.perf_counter() - wall:.1f} s (CPU de ce processus "
            f"{time.process_time() - cpu:.1f} s), {result.report.rows_written} lignes écrites"
        )
    engine.dispose()
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--url", default=None, help="base jetable (SQLite temporaire sinon)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.url or f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        for line in measure(url, args.rows):
            print(line)


if __name__ == "__main__":
    main()
