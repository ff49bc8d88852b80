"""A computation started now on an executor, or left to be run when its result is asked.

Why one helper: the committee's side periods, the families of a page's scope and those of
``pilotage metrics``, and the twelve months of each objective of the météo all run independent
scans that may go side by side; each caller then reads the results in its own order, with its
own error handling, whether an executor was given or not.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from functools import partial
from typing import Any, TypeVar

T = TypeVar("T")

# Families of one scope computed at once (the server's pool and « pilotage metrics »): a few
# more than the cores of a small server, since a family mostly waits on the database.
FAMILY_WORKERS = 4


def deferred(parallel: Executor | None, function: Callable[..., T], *args: Any) -> Callable[[], T]:
    """``function(*args)`` started on ``parallel`` (the getter waits for it and re-raises its
    error), or, without an executor, run by the getter itself."""
    if parallel is None:
        return partial(function, *args)
    return parallel.submit(function, *args).result
