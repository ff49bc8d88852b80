"""Every page of the dashboard rendered through Streamlit's AppTest: cold, after an import, warm.

- cold: the metric caches (``st.cache_data``) emptied, a new session; the engine and the
  imported modules stay (``st.cache_resource`` is kept), as on a server that has been up;
- after an import: a data-version bump, namely a failed import run recorded in
  ``import_runs`` (what the import pipeline writes when a file is refused: no data row
  changes). Every cache key changes, so each figure is computed again, while the database's
  own pages stay hot, as after a real import;
- warm: the same page run again in the same session.

SQL statements are counted with a SQLAlchemy ``before_cursor_execute`` listener on every
engine of the process (the app makes its own). The app signs in through OpenID Connect as an
administrator, the way the dashboard tests do, so the administrators' pages are included.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import streamlit as st
from sqlalchemy import Engine, event, insert
from streamlit.testing.v1 import AppTest

from data_access.db import session_scope
from data_access.schema import ImportRun

ROOT = Path(__file__).resolve().parents[1]
_REGISTERED = re.compile(r"""page\(\s*["']([\w]+\.py)["']""")
TIMEOUT = 600


class QueryCounter:
    """Counts the SQL statements sent by any engine while active."""

    def __init__(self) -> None:
        self.count = 0
        event.listen(Engine, "before_cursor_execute", self._seen)

    def close(self) -> None:
        """Stop counting (the listener is on the Engine class, for every engine)."""
        event.remove(Engine, "before_cursor_execute", self._seen)

    def _seen(self, *args: object) -> None:
        self.count += 1

    @contextmanager
    def counting(self) -> Iterator[list[int]]:
        """Yields a one-item list that holds the statements counted in the block."""
        box = [0]
        before = self.count
        try:
            yield box
        finally:
            box[0] = self.count - before


def registered_pages() -> list[str]:
    """Page files named in app.py, in menu order."""
    source = (ROOT / "app.py").read_text(encoding="utf-8").split("PAGES = {", 1)[1]
    return list(dict.fromkeys(_REGISTERED.findall(source)))


def bump_data_version(engine: Engine) -> None:
    """What a refused import leaves behind for the caches: a new failed import run."""
    now = dt.datetime.now()
    with session_scope(engine) as session:
        session.execute(
            insert(ImportRun).values(
                source="rdv_insertion",
                file_name="mesure-de-vitesse.csv",
                started_at=now,
                finished_at=now,
                status="failed",
            )
        )


def new_app(sign_in) -> AppTest:  # type: ignore[no-untyped-def]
    return sign_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT), "admin")


def render(app: AppTest, page: str, counter: QueryCounter) -> tuple[float, int]:
    """Seconds and SQL statements of one run of ``page``; raises when the page fails."""
    app.switch_page(f"screens/{page}")
    with counter.counting() as queries:
        started = time.perf_counter()
        app.run()
        seconds = time.perf_counter() - started
    if app.exception:
        raise RuntimeError(f"{page}: {app.exception[0].message}")
    return seconds, queries[0]


def measure_pages(
    engine: Engine, pages: list[str], repeat: int, counter: QueryCounter, sign_in
) -> dict[str, dict[str, float]]:  # type: ignore[no-untyped-def]
    """Per page, medians of cold / after-import / warm seconds and the queries of each."""
    runs: dict[str, dict[str, list[float]]] = {p: {} for p in pages}
    # One discarded render first: importing plotly, pandas and the pages' modules is a cost
    # of the server's start, not of whichever page happens to be measured first.
    render(new_app(sign_in), pages[0], counter)
    for _ in range(repeat):
        for page in pages:
            st.cache_data.clear()
            app = new_app(sign_in)
            cells = runs[page]
            for label, prepare in (
                ("cold", None),
                ("import", lambda: bump_data_version(engine)),
                ("warm", None),
            ):
                if prepare is not None:
                    prepare()
                seconds, queries = render(app, page, counter)
                cells.setdefault(label, []).append(seconds)
                cells.setdefault(f"{label}_queries", []).append(queries)
    return {
        page: {key: statistics.median(values) for key, values in cells.items()}
        for page, cells in runs.items()
    }
