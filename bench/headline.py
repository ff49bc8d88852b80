"""Six headline indicators computed three ways: ours (in the database), pandas, DuckDB.

The yardsticks follow the definitions of ``metrics/`` (docs/ARCHITECTURE.md: aggregation in the
database, never a table of persons in a page): the cohort is the persons subject to obligations
who entered in the period (up to the as-of date); a delay runs from the entry date to the first
event dated between the entry and the end of observation (exit or as-of date), and Kaplan–Meier
censors whoever has not reached it yet. Both yardsticks hand the same (duration, event, persons)
counts to ``metrics.survival.kaplan_meier``, so only the data work is compared. Published values
go through secrecy (counts in bands), so agreement is checked with that tolerance.

The pandas way reads the four person-level tables whole, as an analyst's notebook would; DuckDB
gets the same frames (its load is timed apart from its queries: nothing is downloaded at run
time, so its PostgreSQL and SQLite scanners are not used).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from metrics import catalog
from metrics.scope import Scope
from metrics.spec import MetricContext
from metrics.survival import kaplan_meier
from settings import Settings

TABLES = ("persons", "invitations", "appointments", "orientations")
HEADLINE_IDS = (
    "entrants",
    "convocation_within_15d_rate",
    "convocation_median_days",
    "first_appointment_median_days",
    "orientation_median_days",
    "no_show_rate",
)
FAMILIES = ("convocation", "appointments", "orientation")
DATE_COLUMNS = {
    "persons": ("entry_date", "exit_date"),
    "invitations": ("sent_date",),
    "appointments": ("date",),
    "orientations": ("decision_date",),
}


def ours(engine: Engine, settings: Settings, scope: Scope) -> dict[str, float | None]:
    """The headline values from the families that hold them, asked for these six only (as
    a page that shows them asks, ``MetricContext.only``)."""
    context = MetricContext(engine, settings, scope, frozenset(HEADLINE_IDS))
    results: dict[str, Any] = {}
    for family in catalog.families():
        if family.name in FAMILIES:
            results.update(family.compute(context))
    return {metric_id: results[metric_id].value for metric_id in HEADLINE_IDS}


def load_frames(engine: Engine) -> dict[str, pd.DataFrame]:
    """The four person-level tables, whole, in pandas (dates as datetime64)."""
    frames = {}
    with engine.connect() as conn:
        for table in TABLES:
            frame = pd.read_sql_table(table, conn)
            for column in DATE_COLUMNS[table]:
                frame[column] = pd.to_datetime(frame[column])
            frames[table] = frame
    return frames


def _headline(
    entrants: int,
    convocation: list[tuple[int, bool, int]],
    appointment: list[tuple[int, bool, int]],
    orientation: list[tuple[int, bool, int]],
    no_show: tuple[int, int],
    within_days: int,
) -> dict[str, float | None]:
    convocation_curve = kaplan_meier(convocation)
    noshow, seen = no_show
    return {
        "entrants": float(entrants),
        "convocation_within_15d_rate": convocation_curve.within(within_days),
        "convocation_median_days": _median(convocation_curve),
        "first_appointment_median_days": _median(kaplan_meier(appointment)),
        "orientation_median_days": _median(kaplan_meier(orientation)),
        "no_show_rate": noshow / seen if seen else None,
    }


def _median(curve) -> float | None:  # type: ignore[no-untyped-def]
    median = curve.median()
    return None if median is None else float(median)


# --- pandas ----------------------------------------------------------------------------------


def pandas_headline(
    frames: dict[str, pd.DataFrame], scope: Scope, settings: Settings
) -> dict[str, float | None]:
    """The six values computed on the data frames."""
    persons = frames["persons"]
    start, last = pd.Timestamp(scope.start), pd.Timestamp(min(scope.end, scope.as_of))
    as_of = pd.Timestamp(scope.as_of)
    counted = persons[persons["subject_to_obligations"].astype(bool)]
    cohort = counted[(counted["entry_date"] >= start) & (counted["entry_date"] <= last)].copy()
    exit_date = cohort["exit_date"]
    cohort["end"] = exit_date.where(exit_date.notna() & (exit_date < as_of), as_of)
    cohort = cohort[["id", "entry_date", "end"]].rename(columns={"id": "person_id"})

    def delays(events: pd.DataFrame, column: str) -> list[tuple[int, bool, int]]:
        joined = events[["person_id", column]].merge(cohort, on="person_id")
        valid = joined[(joined[column] >= joined["entry_date"]) & (joined[column] <= joined["end"])]
        first = valid.groupby("person_id")[column].min().rename("event")
        people = cohort.merge(first, left_on="person_id", right_index=True, how="left")
        reached = people["event"].notna()
        duration = (people["event"].fillna(people["end"]) - people["entry_date"]).dt.days
        counts = pd.DataFrame({"duration": duration, "event": reached}).value_counts()
        return [(int(d), bool(e), int(n)) for (d, e), n in counts.items()]

    appointments = frames["appointments"]
    orientation_appointments = appointments[appointments["purpose"] == "orientation"]
    seen = orientation_appointments[orientation_appointments["status"] == "seen"]
    rated = orientation_appointments[orientation_appointments["status"] != "unknown"].merge(
        counted[["id", "entry_date"]], left_on="person_id", right_on="id"
    )
    rated = rated[
        (rated["date"] >= start) & (rated["date"] <= last) & (rated["date"] >= rated["entry_date"])
    ]
    return _headline(
        len(cohort),
        delays(frames["invitations"], "sent_date"),
        delays(seen, "date"),
        delays(frames["orientations"], "decision_date"),
        (int((rated["status"] == "noshow").sum()), len(rated)),
        settings.convocation_days,
    )


# --- DuckDB ----------------------------------------------------------------------------------


def duckdb_load(frames: dict[str, pd.DataFrame]):  # type: ignore[no-untyped-def]
    """An in-memory DuckDB database holding the four tables (copied, not referenced)."""
    import duckdb

    con = duckdb.connect(":memory:")
    for table, frame in frames.items():
        con.register("incoming", frame)
        con.execute(f"CREATE TABLE {table} AS SELECT * FROM incoming")
        con.unregister("incoming")
    return con


_COHORT = """
WITH cohort AS (
    SELECT id AS person_id, entry_date,
           CASE WHEN exit_date IS NOT NULL AND exit_date < $as_of THEN exit_date
                ELSE $as_of END AS obs_end
    FROM persons
    WHERE subject_to_obligations AND entry_date BETWEEN $start AND $last
)
"""
_DELAYS = (
    _COHORT
    + """,
first AS (
    SELECT c.person_id, min(e.{column}) AS event
    FROM cohort c JOIN {table} e ON e.person_id = c.person_id
    WHERE e.{column} BETWEEN c.entry_date AND c.obs_end {extra}
    GROUP BY c.person_id
)
SELECT date_diff('day', c.entry_date, coalesce(f.event, c.obs_end)) AS duration,
       f.event IS NOT NULL AS event, count(*) AS persons
FROM cohort c LEFT JOIN first f ON f.person_id = c.person_id
GROUP BY ALL
"""
)
_NO_SHOW = """
SELECT count(*) FILTER (WHERE a.status = 'noshow'), count(*)
FROM appointments a JOIN persons p ON p.id = a.person_id
WHERE p.subject_to_obligations AND a.purpose = 'orientation' AND a.status <> 'unknown'
  AND a.date BETWEEN $start AND $last AND a.date >= p.entry_date
"""


def duckdb_headline(con, scope: Scope, settings: Settings) -> dict[str, float | None]:  # type: ignore[no-untyped-def]
    """The six values computed by DuckDB queries on the loaded tables."""
    params = {
        "start": dt.datetime.combine(scope.start, dt.time()),
        "last": dt.datetime.combine(min(scope.end, scope.as_of), dt.time()),
        "as_of": dt.datetime.combine(scope.as_of, dt.time()),
    }

    def delays(table: str, column: str, extra: str = "") -> list[tuple[int, bool, int]]:
        sql = _DELAYS.format(table=table, column=column, extra=extra)
        return [(int(d), bool(e), int(n)) for d, e, n in con.execute(sql, params).fetchall()]

    cohort_params = {key: params[key] for key in ("start", "last", "as_of")}
    entrants = con.execute(_COHORT + "SELECT count(*) FROM cohort", cohort_params).fetchone()[0]
    no_show = con.execute(_NO_SHOW, {"start": params["start"], "last": params["last"]}).fetchone()
    return _headline(
        int(entrants),
        delays("invitations", "sent_date"),
        delays("appointments", "date", "AND e.status = 'seen' AND e.purpose = 'orientation'"),
        delays("orientations", "decision_date"),
        (int(no_show[0]), int(no_show[1])),
        settings.convocation_days,
    )


def agree(reference: dict[str, float | None], other: dict[str, float | None]) -> list[str]:
    """Indicators on which ``other`` differs from ours beyond publication rounding."""
    differ = []
    for metric_id, ours_value in reference.items():
        value = other.get(metric_id)
        if ours_value is None or value is None:
            # ours may be masked (secrecy) where the yardstick is not: not a disagreement
            continue
        tolerance = 5.0 if metric_id == "entrants" else 0.011
        if abs(ours_value - value) > tolerance:
            differ.append(f"{metric_id}: nous {ours_value}, autre {value}")
    return differ
