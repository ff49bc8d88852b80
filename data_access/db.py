"""Engine and sessions built from the settings, and the database's state.

Lower layers never commit on their own: callers use ``session_scope`` (one transaction,
rolled back on any error) so an import or an edit is all-or-nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, func, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from data_access.exceptions import DatabaseUnavailableError


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """SQLite enforces foreign keys only when asked, per connection."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str) -> Engine:
    """Create an engine; for a SQLite file, create its folder and enable foreign keys."""
    parsed = make_url(url)
    kwargs: dict = {"future": True}
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"check_same_thread": False}
    else:
        kwargs["pool_pre_ping"] = True
    engine = create_engine(url, **kwargs)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


@lru_cache(maxsize=8)
def get_engine(url: str) -> Engine:
    """One engine per URL for the whole process (the app and the CLI share this)."""
    return make_engine(url)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session whose work is committed at the end, or rolled back entirely on error."""
    session = sessionmaker(bind=engine, expire_on_commit=False)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def check_connection(engine: Engine, *, with_url: bool = True) -> None:
    """Raise DatabaseUnavailableError with a French message when the database is down
    (``with_url=False`` for a web page, which anyone may open before signing in)."""
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except SQLAlchemyError as exc:
        message = describe_connection_error(engine, exc, with_url=with_url)
        raise DatabaseUnavailableError(message) from None


def describe_connection_error(engine: Engine, exc: Exception, *, with_url: bool = True) -> str:
    """French sentence for a failed connection, without the password of the URL (and without
    the URL at all when ``with_url`` is False)."""
    safe_url = engine.url.render_as_string(hide_password=True)
    reason = "connexion refusée ou serveur injoignable"
    if isinstance(exc, OperationalError) and "does not exist" in str(exc):
        reason = "la base n'existe pas"
    elif isinstance(exc, OperationalError) and "unable to open" in str(exc):
        reason = "le fichier ne peut pas être ouvert"
    where = f" ({safe_url})" if with_url else ""
    return f"La base de données est inaccessible{where} : {reason}."


def has_schema(engine: Engine) -> bool:
    """True when the operational tables exist (the app then skips creating them)."""
    try:
        return inspect(engine).has_table("persons")
    except SQLAlchemyError as exc:
        raise DatabaseUnavailableError(describe_connection_error(engine, exc)) from None


def data_version(engine: Engine) -> str:
    """A token that changes whenever data changes: import runs (and undos), roadmap edits,
    meetings and actions, deck snapshots, the demo marker.

    Caches key on it, so a new import shows at once and nothing else is recomputed.
    """
    from data_access.schema import (
        DeckSnapshot,
        ImportRun,
        Meeting,
        MeetingAction,
        Metadata,
        RoadmapStepHistory,
    )

    parts = (
        select(func.max(ImportRun.id)),
        select(func.count(ImportRun.id)),
        select(func.count()).select_from(ImportRun).where(ImportRun.status == "undone"),
        select(func.max(RoadmapStepHistory.id)),
        select(func.count()).select_from(Meeting),
        select(func.count()).select_from(MeetingAction),
        select(func.max(DeckSnapshot.id)),
        select(Metadata.value).where(Metadata.key == "demo"),
    )
    # One statement of scalar subqueries: every render of every page reads it.
    with engine.connect() as conn:
        row = conn.execute(select(*(part.scalar_subquery() for part in parts))).one()
    last_run, runs, undone, edits, meetings, actions, snapshot, demo = row
    return (
        f"runs={last_run}:{runs}:{undone};edits={edits};"
        f"governance={meetings}:{actions}:{snapshot};demo={demo}"
    )
