"""Shared vocabulary of the demo generator: dates as day numbers, columnar tables, draws.

The generator works on whole columns (numpy arrays), never row by row, so that two million
persons take seconds. Dates are integers (days since 1970-01-01) with ``NA = -1`` for "no
date"; they become ISO strings only when loaded. Every table is a ``DemoTable``: the
SQLAlchemy table it fills and one array per column, each with an encoding that says how
missing values are represented.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import Table

EPOCH = dt.date(1970, 1, 1)
NA = -1
PILOT_START = dt.date(2023, 2, 17)

# Column encodings understood by the loader.
INT = "int"  # non-null integers
NINT = "nint"  # integers, NA (-1) = NULL
DATE = "date"  # day numbers, NA (-1) = NULL
BOOL = "bool"  # numpy booleans
FLOAT = "float"  # floats, NaN = NULL
STR = "str"  # object array of str or None


def day(value: dt.date) -> int:
    """Day number of a date (days since 1970-01-01)."""
    return (value - EPOCH).days


def to_date(value: int) -> dt.date:
    """Date of a day number."""
    return EPOCH + dt.timedelta(days=int(value))


@dataclass
class DemoTable:
    """Rows for one table, column by column, with the encoding of each column."""

    table: Table
    columns: dict[str, np.ndarray] = field(default_factory=dict)
    encodings: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, values: np.ndarray, encoding: str) -> None:
        """Add one column (all columns must have the same length)."""
        self.columns[name] = values
        self.encodings[name] = encoding

    def __len__(self) -> int:
        first = next(iter(self.columns.values()), None)
        return 0 if first is None else len(first)


def lognormal_days(rng: np.random.Generator, median: float | np.ndarray, sigma: float, n: int):
    """Whole-day delays with the given median and a right tail (log-normal), at least 0."""
    values = rng.lognormal(np.log(median), sigma, n)
    return np.rint(values).astype(np.int64)


def pick(rng: np.random.Generator, shares: dict[str, float], n: int) -> np.ndarray:
    """Draw ``n`` labels with the given shares; returns an object array of labels."""
    labels = np.array(list(shares), dtype=object)
    weights = np.array(list(shares.values()), dtype=float)
    return labels[rng.choice(len(labels), size=n, p=weights / weights.sum())]


def months_between(start: int, end: int) -> list[tuple[int, int]]:
    """(first day, last day) of each calendar month overlapping [start, end], clipped."""
    out = []
    current = to_date(start).replace(day=1)
    last = to_date(end)
    while current <= last:
        nxt = (current.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        out.append((max(start, day(current)), min(end, day(nxt) - 1)))
        current = nxt
    return out
