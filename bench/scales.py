"""``python -m bench`` (``make bench``): the whole speed picture, one run per scale and engine.

For each engine (SQLite, PostgreSQL) and scale (``creuse``, ``large``; ``national`` when asked),
on a fresh demo database (seed 2023, as of 30 June 2025) with planner statistics refreshed:

- the committee indicator set of 30 June 2024, cold (metric caches emptied) and warm, through
  the functions the committee page calls, with its SQL statements;
- every page through AppTest, cold / after an import / warm, with SQL statements per run
  (``bench.app_pages`` says what each state means);
- ``pilotage metrics --from 2024-05-01 --to 2024-06-30 --json`` as a whole process;
- six headline indicators computed by us, the pandas way and in DuckDB (``bench.headline``),
  with reading and DuckDB's load reported apart from computing, and a check that all three agree;
- the peak memory of each process (its high-water resident set, ``VmHWM``).

Each measurement runs in a process of its own (``bench.worker``), so peak memory is its own.
Times are medians of ``--repeat`` runs; the ratios printed at the end (ours/pandas,
ours/DuckDB, PostgreSQL/SQLite, large/creuse) are measured in this one run, which is what holds
on a shared machine where absolute seconds drift with the load (printed too).

    python -m bench --scales creuse large --engines sqlite postgres --repeat 3 --out run.json

PostgreSQL needs ``PILOTAGE_BENCH_POSTGRES_URL`` (a server where the user may create a
database: a throw-away one is created for each scale and dropped afterwards).
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bench.demo_scales import POSTGRES_ENVS, postgres_url, sqlite_url
from bench.worker import high_water_mb
from data_access.db import make_engine
from data_access.demo import generate_demo
from data_access.initdb import init_database
from settings import Settings

DEMO_AS_OF = dt.date(2025, 6, 30)
SEED = 2023
METRICS_ARGS = ("metrics", "--from", "2024-05-01", "--to", "2024-06-30", "--json")
ROOT = Path(__file__).resolve().parents[1]


def machine() -> dict[str, Any]:
    """Cores, memory and load: what the absolute figures depend on."""
    memory_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    return {
        "cpus": os.cpu_count(),
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "load": [round(x, 2) for x in os.getloadavg()],
        "python": sys.version.split()[0],
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


@contextmanager
def demo_database(kind: str, scale: str, postgres_base: str | None) -> Iterator[dict[str, Any]]:
    """A fresh demo database at ``scale``, statistics refreshed; yields its URL and figures."""
    opener = sqlite_url() if kind == "sqlite" else postgres_url(postgres_base)
    with opener as url:
        settings = Settings(_env_file=None, database_url=url)  # type: ignore[call-arg]
        engine = make_engine(url)
        init_database(engine, settings)
        started = time.perf_counter()
        report = generate_demo(engine, settings, scale=scale, seed=SEED, as_of=DEMO_AS_OF)
        generated = time.perf_counter() - started
        started = time.perf_counter()
        if kind == "postgres":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM (ANALYZE)")
        else:
            with engine.begin() as conn:
                conn.execute(text("ANALYZE"))
        analysed = time.perf_counter() - started
        from bench.signed_in import grant_bench_admin

        grant_bench_admin(engine)  # the pages are opened signed in as an administrator
        engine.dispose()
        yield {
            "url": url,
            "persons": report.persons,
            "rows": sum(report.counts.values()),
            "demo_seconds": generated,
            "analyse_seconds": analysed,
        }


def worker(mode: str, url: str, repeat: int, pages: list[str] | None) -> dict[str, Any]:
    """Run ``bench.worker`` in a new process and return its JSON."""
    command = [sys.executable, "-m", "bench.worker", mode, url, "--repeat", str(repeat)]
    if pages is not None:
        command += ["--pages", *pages]
    done = subprocess.run(
        command, cwd=ROOT, env=_env(url), capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise SystemExit(f"bench.worker {mode} a échoué :\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _env(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PILOTAGE_")}
    env["PILOTAGE_DATABASE_URL"] = url
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def metrics_process(url: str, repeat: int) -> dict[str, float]:
    """``pilotage metrics … --json`` as a whole process: median wall seconds, peak memory.

    The peak is the child's ``VmHWM`` read every 20 ms until it exits (its last reading is
    within 20 ms of the end, when memory is being released, not taken).
    """
    script = Path(sys.executable).with_name("pilotage")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "cli"]
    walls, peaks = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        process = subprocess.Popen(
            [*command, *METRICS_ARGS], cwd=ROOT, env=_env(url), stdout=subprocess.DEVNULL
        )
        peak = 0.0
        while process.poll() is None:
            peak = max(peak, high_water_mb(process.pid) or 0.0)
            time.sleep(0.02)
        walls.append(time.perf_counter() - started)
        if process.returncode:
            raise SystemExit("pilotage metrics a échoué")
        peaks.append(peak)
    return {"seconds": statistics.median(walls), "peak_mb": max(peaks)}


def measure(
    kind: str, scale: str, repeat: int, pages: list[str] | None, postgres_base: str | None
) -> dict[str, Any]:
    """Every figure for one engine and scale."""
    load_before = os.getloadavg()[0]
    with demo_database(kind, scale, postgres_base) as database:
        url = database.pop("url")
        print(f"{kind} {scale}: démo prête ({database['persons']:,d} personnes)", flush=True)
        figures = {
            **database,
            "metrics_process": metrics_process(url, repeat),
            "pandas": worker("pandas", url, repeat, None),
            "duckdb": worker("duckdb", url, repeat, None),
            "ours": worker("ours", url, repeat, pages),
        }
    figures["load"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    return figures


# --- printing --------------------------------------------------------------------------------


def _disagreements(figures: dict[str, Any]) -> list[str]:
    from bench.headline import agree

    ours = figures["ours"]["headline_values"]
    return [
        f"{name} : {line}"
        for name in ("pandas", "duckdb")
        for line in agree(ours, figures[name]["headline_values"])
    ]


def summary(kind: str, scale: str, f: dict[str, Any]) -> list[str]:
    """French lines for one engine and scale."""
    ours, pandas, duck, process = f["ours"], f["pandas"], f["duckdb"], f["metrics_process"]
    pages = ours["pages"]
    lines = [
        f"== {kind} {scale} : {f['persons']:,d} personnes, {f['rows']:,d} lignes ; démo "
        f"{f['demo_seconds']:.1f} s, statistiques {f['analyse_seconds']:.1f} s ; charge "
        f"{f['load'][0]} → {f['load'][1]}",
        f"  comité, jeu d'indicateurs : froid {ours['committee_cold']:.3f} s "
        f"({ours['committee_cold_queries']:.0f} requêtes, CPU du processus "
        f"{ours['committee_cold_cpu']:.3f} s), chaud {ours['committee_warm']:.3f} s "
        f"({ours['committee_warm_queries']:.0f} requêtes)",
        f"  pilotage metrics (processus entier) : {process['seconds']:.3f} s, "
        f"mémoire max {process['peak_mb']:.0f} Mo",
        f"  six indicateurs de tête : nous {ours['headline_ours']:.3f} s ; pandas lecture "
        f"{pandas['read']:.3f} s + calcul {pandas['compute']:.3f} s ; DuckDB chargement "
        f"{duck['load']:.3f} s + requêtes {duck['compute']:.3f} s",
        f"  mémoire max : nous {ours['peak_mb_committee']:.0f} Mo (comité), "
        f"{ours['peak_mb']:.0f} Mo (avec les pages) ; pandas {pandas['peak_mb']:.0f} Mo ; "
        f"DuckDB {duck['peak_mb']:.0f} Mo",
        f"  {'page':24s}{'froid':>9s}{'après import':>14s}{'chaud':>9s}   requêtes f/i/c",
    ]
    for page, cells in pages.items():
        lines.append(
            f"  {page.removesuffix('.py'):24s}{cells['cold']:8.3f}s{cells['import']:13.3f}s"
            f"{cells['warm']:8.3f}s   {cells['cold_queries']:.0f}/{cells['import_queries']:.0f}/"
            f"{cells['warm_queries']:.0f}"
        )
    differ = _disagreements(f)
    lines.append(
        "  valeurs : pandas et DuckDB donnent les nôtres"
        if not differ
        else "  ÉCARTS : " + " ; ".join(differ)
    )
    return lines


def key_figures(f: dict[str, Any]) -> dict[str, float]:
    """The figures that ratios are taken of."""
    ours, pages = f["ours"], f["ours"]["pages"]
    return {
        "comité froid": ours["committee_cold"],
        "comité chaud": ours["committee_warm"],
        "pilotage metrics": f["metrics_process"]["seconds"],
        "indicateurs de tête (nous)": ours["headline_ours"],
        "page la plus lente, froid": max((c["cold"] for c in pages.values()), default=0.0),
        "pages, somme à froid": sum(c["cold"] for c in pages.values()),
        "mémoire max (nous)": ours["peak_mb"],
        "mémoire max (pilotage metrics)": f["metrics_process"]["peak_mb"],
    }


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else "—"


def ratios(results: dict[tuple[str, str], dict[str, Any]]) -> list[str]:
    """Ratios between figures of this one run."""
    lines = ["== Rapports mesurés dans cette exécution"]
    for (kind, scale), f in results.items():
        ours, pandas, duck = f["ours"], f["pandas"], f["duckdb"]
        lines.append(
            f"  {kind} {scale} : pilotage metrics / lecture pandas des 4 tables = "
            f"{f['metrics_process']['seconds'] / pandas['read']:.2f} ; nos 6 indicateurs / "
            f"pandas (lecture + calcul) = "
            f"{ours['headline_ours'] / (pandas['read'] + pandas['compute']):.2f} ; "
            f"nous / requêtes DuckDB = {ours['headline_ours'] / duck['compute']:.1f}"
        )
    for scale in dict.fromkeys(scale for _, scale in results):
        if ("sqlite", scale) in results and ("postgres", scale) in results:
            sqlite = key_figures(results[("sqlite", scale)])
            postgres = key_figures(results[("postgres", scale)])
            cells = ", ".join(f"{name} {_ratio(postgres[name], sqlite[name])}" for name in sqlite)
            lines.append(f"  PostgreSQL / SQLite, {scale} : {cells}")
    scales = list(dict.fromkeys(scale for _, scale in results))
    for kind in dict.fromkeys(kind for kind, _ in results):
        for small, big in itertools.pairwise(scales):
            if (kind, small) in results and (kind, big) in results:
                a, b = results[(kind, small)], results[(kind, big)]
                growth = b["persons"] / a["persons"]
                fa, fb = key_figures(a), key_figures(b)
                cells = ", ".join(
                    f"{name} ×{_ratio(fb[name], fa[name])}" for name in fa if fb[name]
                )
                lines.append(f"  {kind}, {big} / {small} : données ×{growth:.1f} ; {cells}")
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", nargs="+", default=["creuse", "large"])
    parser.add_argument("--engines", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (median)")
    parser.add_argument("--pages", nargs="*", default=None, help="page files (all by default)")
    parser.add_argument(
        "--national-pages",
        nargs="*",
        default=["comite.py", "point_hebdomadaire.py"],
        help="pages measured at the national scale (each takes minutes there)",
    )
    parser.add_argument("--out", type=Path, default=None, help="also write every figure as JSON")
    args = parser.parse_args(argv)
    postgres_base = next((os.environ[n] for n in POSTGRES_ENVS if os.environ.get(n)), None)
    print("machine :", json.dumps(machine(), ensure_ascii=False), flush=True)
    results: dict[tuple[str, str], dict[str, Any]] = {}
    for kind in args.engines:
        if kind == "postgres" and postgres_base is None:
            print("postgres ignoré : PILOTAGE_BENCH_POSTGRES_URL non défini", flush=True)
            continue
        for scale in args.scales:
            if kind == "sqlite" and scale == "national":
                print("sqlite national ignoré : cette échelle se mesure sur PostgreSQL", flush=True)
                continue
            pages = args.national_pages if scale == "national" else args.pages
            results[(kind, scale)] = measure(kind, scale, args.repeat, pages, postgres_base)
            for line in summary(kind, scale, results[(kind, scale)]):
                print(line, flush=True)
            if args.out:  # after each scale: an interrupted run keeps what it measured
                payload = {f"{k} {s}": figures for (k, s), figures in results.items()}
                args.out.write_text(json.dumps(payload, indent=1, ensure_ascii=False), "utf-8")
    for line in ratios(results):
        print(line)
    print("machine en fin d'exécution :", json.dumps(machine(), ensure_ascii=False))


if __name__ == "__main__":
    main()
