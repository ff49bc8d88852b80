"""Two thread pools per server for the computations a page runs side by side.

Why: a committee compares its period with the period before, the same period a year earlier
and the months since the launch. Those are independent scans of the database; run one after
the other they add up, while the database server (or SQLite, which releases the GIL while it
reads) could run them at once. The pool is shared by every session, so a crowded server
queues the side computations instead of opening more connections than its pool holds; the
page's own thread keeps computing its period meanwhile, so nothing waits on a slot it holds.
The tasks are pure metric computations through the cached functions of ``metrics_cache``:
they draw nothing, so they need no Streamlit script context.

Two pools, so that no task waits on a slot its own pool must free: a side period (on the
first) computes its families on the second, and a family never waits on anything.
"""

from __future__ import annotations

from concurrent.futures import Executor, ThreadPoolExecutor

import streamlit as st

from metrics.deferred import FAMILY_WORKERS

# The committee's three side periods at once; more would wait on the database anyway.
SIDE_WORKERS = 3


@st.cache_resource(show_spinner=False)
def side_executor() -> Executor:
    """The server's pool for side periods (created once, kept for the process)."""
    return ThreadPoolExecutor(max_workers=SIDE_WORKERS, thread_name_prefix="pilotage-periode")


@st.cache_resource(show_spinner=False)
def family_executor() -> Executor:
    """The server's pool for the families of one scope; its tasks never wait on a pool."""
    return ThreadPoolExecutor(max_workers=FAMILY_WORKERS, thread_name_prefix="pilotage-famille")
