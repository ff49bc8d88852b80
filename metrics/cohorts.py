"""Cohort counts kept month by month, so that every cohort seen at one as-of date is counted
once per month of its cohort.

Why: a committee looks at several cohorts observed at the same date: its period, the
launch-to-date, the mature month of each « within X days » share, the twelve months of the
météo. They are unions of the same months: counted one query per cohort, the months of the
period were read four times and the launch-to-date ones twice. A delay or deadline query
already answers by cohort month (``month`` of every cell), so its answer for a run of months
splits exactly into one piece per month; a cohort is then the cells of its months, and only
the months nobody counted yet at that as-of date are queried (one statement per run of
consecutive months). A period that does not start or end on a month boundary has its first
and last months cut at its dates: those pieces are kept under their own dates.

A piece is keyed by the query, its dates, the as-of date, the territory, the payer and the
horizon (``delays.delay_counts``): everything the cells depend on. A piece counted without a
horizon also answers a query with one, its durations beyond the horizon read as horizon + 1.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, replace
from typing import Protocol, TypeVar

from sqlalchemy import Connection

from metrics.population import cohort_last_day
from metrics.scope import Scope, Territory, month_end
from metrics.survival import DelayCell, DelayCounts

# About a hundred bytes a cell: the bound keeps a store under about 50 MB at national scale,
# where a committee needs some 300 000 cells.
MAX_CELLS = 500_000


class MonthCell(Protocol):
    """A cell of a cohort query: its cohort month, « 2024-03 »."""

    @property
    def month(self) -> str: ...


Cell = TypeVar("Cell", bound=MonthCell)


@dataclass(frozen=True)
class PieceKey:
    """What the cells of one month (or part of a month) of a cohort depend on."""

    query: str
    first: dt.date
    last: dt.date
    as_of: dt.date
    territory: Territory | None
    payer: str | None
    horizon: int | None


Cells = tuple[MonthCell, ...]


@dataclass
class Claim:
    """What a caller gets for the pieces it needs: those counted already, those another
    thread is counting (to wait for), and those it must count itself (``mine``, promised
    to the others until ``deliver`` or ``fail``)."""

    found: dict[PieceKey, Cells]
    theirs: dict[PieceKey, Future[Cells]]
    mine: list[PieceKey]


class CohortStore:
    """Pieces of cohorts already counted, for one state of the data (the caller keys stores
    by data version), shared by threads; the least recently used are dropped past
    ``max_cells`` cells.

    Pages compute their periods side by side: a piece being counted by one thread is waited
    for by the others, never counted twice. A thread counts its own pieces before waiting
    for anyone's, so no two threads wait for each other."""

    def __init__(self, max_cells: int = MAX_CELLS) -> None:
        self._pieces: OrderedDict[PieceKey, Cells] = OrderedDict()
        self._pending: dict[PieceKey, Future[Cells]] = {}
        self._cells = 0
        self._max_cells = max_cells
        self._lock = threading.Lock()

    def claim(self, keys: Sequence[PieceKey]) -> Claim:
        """Sort ``keys`` into found, being counted elsewhere, and to count here."""
        claim = Claim({}, {}, [])
        with self._lock:
            for key in keys:
                if key in self._pieces:
                    self._pieces.move_to_end(key)
                    claim.found[key] = self._pieces[key]
                elif key in self._pending:
                    claim.theirs[key] = self._pending[key]
                else:
                    self._pending[key] = Future()
                    claim.mine.append(key)
        return claim

    def peek(self, key: PieceKey) -> Cells | Future[Cells] | None:
        """The cells of ``key``, the promise of them, or None (nothing claimed)."""
        with self._lock:
            if key in self._pieces:
                return self._pieces[key]
            return self._pending.get(key)

    def deliver(self, key: PieceKey, cells: Cells) -> None:
        """Keep the cells of a piece this thread claimed, and hand them to its waiters."""
        with self._lock:
            self._pieces[key] = cells
            self._cells += len(cells)
            while self._cells > self._max_cells and len(self._pieces) > 1:
                _, dropped = self._pieces.popitem(last=False)
                self._cells -= len(dropped)
            promise = self._pending.pop(key)
        promise.set_result(cells)

    def fail(self, keys: Iterable[PieceKey], error: BaseException) -> None:
        """Release pieces this thread could not count: their waiters get the error."""
        with self._lock:
            promises = [self._pending.pop(key) for key in keys if key in self._pending]
        for promise in promises:
            promise.set_exception(error)

    @property
    def cells(self) -> int:
        """Cells held (for tests and the benchmark)."""
        return self._cells


def month_pieces(first: dt.date, last: dt.date) -> list[tuple[dt.date, dt.date]]:
    """[first, last] cut at month boundaries: whole months, and the cut first and last."""
    pieces = []
    day = first
    while day <= last:
        end = min(month_end(day), last)
        pieces.append((day, end))
        day = end + dt.timedelta(days=1)
    return pieces


def _runs(pieces: list[tuple[dt.date, dt.date]]) -> list[list[tuple[dt.date, dt.date]]]:
    """Missing pieces grouped into runs of consecutive days (one query each)."""
    runs: list[list[tuple[dt.date, dt.date]]] = []
    for piece in pieces:
        if runs and runs[-1][-1][1] + dt.timedelta(days=1) == piece[0]:
            runs[-1].append(piece)
        else:
            runs.append([piece])
    return runs


def assemble(
    store: CohortStore,
    query: str,
    scope: Scope,
    fetch: Callable[[Scope], Iterable[Cell]],
    horizon: int | None = None,
    clip: Callable[[tuple[Cell, ...], int], tuple[Cell, ...]] | None = None,
) -> list[Cell]:
    """The cells of ``fetch`` for the cohort of ``scope``, its months read from ``store``
    where counted already (or being counted by another thread), the others fetched (one call
    per run of consecutive months) and kept.

    ``fetch(scope)`` must answer for the cohort of its scope, one cell per cohort month
    (``month``), as every delay and deadline query does; ``clip`` reads a piece counted
    without horizon under ``horizon``."""
    pieces = month_pieces(scope.start, cohort_last_day(scope))

    def key(piece: tuple[dt.date, dt.date], with_horizon: int | None) -> PieceKey:
        return PieceKey(
            query, piece[0], piece[1], scope.as_of, scope.territory, scope.payer, with_horizon
        )

    # A piece counted without horizon answers under any horizon: look for it first.
    whole: dict[tuple[dt.date, dt.date], Cells | Future[Cells]] = {}
    if horizon is not None and clip is not None:
        for piece in pieces:
            known = store.peek(key(piece, None))
            if known is not None:
                whole[piece] = known
    claim = store.claim([key(piece, horizon) for piece in pieces if piece not in whole])
    mine = [(k.first, k.last) for k in claim.mine]
    try:
        for run in _runs(mine):
            by_month: dict[str, list[Cell]] = defaultdict(list)
            for cell in fetch(replace(scope, start=run[0][0], end=run[-1][1])):
                by_month[cell.month].append(cell)
            for piece in run:
                counted = tuple(by_month.get(f"{piece[0]:%Y-%m}", ()))
                store.deliver(key(piece, horizon), counted)
                claim.found[key(piece, horizon)] = counted
    except BaseException as error:
        store.fail(claim.mine, error)
        raise
    out: list[Cell] = []
    for piece in pieces:
        if piece in whole:
            known = whole[piece]
            cells = known.result() if isinstance(known, Future) else known
            out += clip(cells, horizon)  # type: ignore[arg-type, misc]
            continue
        piece_key = key(piece, horizon)
        if piece_key in claim.theirs:
            out += claim.theirs[piece_key].result()  # type: ignore[arg-type]
        else:
            out += claim.found[piece_key]  # type: ignore[arg-type]
    return out


def query_name(function: Callable[..., object]) -> str:
    """The key of a counting function: its module and name."""
    return f"{function.__module__}.{function.__qualname__}"


def clip_delays(cells: tuple[DelayCell, ...], horizon: int) -> tuple[DelayCell, ...]:
    """Cells counted without horizon, read under ``horizon`` (``delays.delay_counts``):
    every duration beyond it becomes horizon + 1, equal cells merged."""
    merged: dict[DelayCell, int] = defaultdict(int)
    for cell in cells:
        duration = cell.duration if cell.duration <= horizon else horizon + 1
        merged[replace(cell, duration=duration, persons=0)] += cell.persons
    return tuple(replace(cell, persons=persons) for cell, persons in merged.items())


def delay_counts_of(
    store: CohortStore | None,
    conn: Connection,
    scope: Scope,
    count: Callable[..., DelayCounts],
    horizon: int | None = None,
) -> DelayCounts:
    """``count(conn, scope[, horizon])`` (a delay query of ``metrics/``), through ``store``
    when there is one."""

    def fetch(at: Scope) -> Sequence[DelayCell]:
        counted = count(conn, at) if horizon is None else count(conn, at, horizon)
        return counted.cells

    if store is None:
        return DelayCounts(tuple(fetch(scope)))
    cells = assemble(store, query_name(count), scope, fetch, horizon, clip_delays)
    return DelayCounts(tuple(cells))


class CohortStores:
    """The stores of a long-lived process (the Streamlit server), one per state of the data:
    keyed by what identifies that state (database, data version…); the latest few are kept,
    so that a new import starts an empty store and the old one is dropped."""

    def __init__(self, keep: int = 2) -> None:
        self._stores: OrderedDict[tuple[str, ...], CohortStore] = OrderedDict()
        self._keep = keep
        self._lock = threading.Lock()

    def store(self, *key: str) -> CohortStore:
        """The store of this state of the data, created empty the first time."""
        with self._lock:
            store = self._stores.get(key)
            if store is None:
                store = self._stores[key] = CohortStore()
                while len(self._stores) > self._keep:
                    self._stores.popitem(last=False)
            else:
                self._stores.move_to_end(key)
            return store
