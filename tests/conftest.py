"""Shared fixtures: a fresh database per test on SQLite and (when reachable) PostgreSQL.

``db`` is parametrised over both engines, so every test that takes it runs twice. PostgreSQL
tests read ``PILOTAGE_TEST_POSTGRES_URL`` and skip with a reason when it is unset or down;
``.ci/run`` sets ``PILOTAGE_REQUIRE_POSTGRES=1`` so that a skip becomes a failure there.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from data_access.db import make_engine, session_scope
from data_access.migrate import upgrade_to_head
from data_access.schema import Base
from data_access.territories import load_territories
from metrics.scope import Scope
from metrics.spec import MetricContext
from settings import Settings

POSTGRES_ENV = "PILOTAGE_TEST_POSTGRES_URL"
REQUIRE_POSTGRES = os.environ.get("PILOTAGE_REQUIRE_POSTGRES") == "1"


@dataclass
class Database:
    """A ready database for one test: engine, the settings pointing at it, and its kind."""

    engine: Engine
    settings: Settings
    kind: str  # "sqlite" | "postgres"


def make_settings(url: str, **overrides: object) -> Settings:
    """Settings for tests: explicit values, nothing read from the developer's .env.

    Published counts are exact here (no rounding) so that metric tests compare with their
    hand-computed answers; the secrecy tests ask for the rounding they check.
    """
    overrides.setdefault("secrecy_rounding", 1)
    return Settings(_env_file=None, database_url=url, **overrides)  # type: ignore[call-arg]


def listing_context(
    engine: Engine, threshold: int = 11, as_of: dt.date | None = None, **overrides: object
) -> MetricContext:
    """The MetricContext of a listing read at one date (quality checks, coverage tables):
    the engine, settings with this secrecy threshold, a one-day scope at ``as_of``."""
    day = as_of or dt.date.today()
    settings = make_settings(str(engine.url), secrecy_threshold=threshold, **overrides)
    return MetricContext(engine, settings, Scope.build(day, day))


def _postgres_unavailable_reason() -> str | None:
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        return f"PostgreSQL non configuré : définir {POSTGRES_ENV} pour ces tests"
    try:
        engine = make_engine(url)
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        engine.dispose()
    except Exception as exc:
        return f"PostgreSQL injoignable ({type(exc).__name__})"
    return None


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throw-away PostgreSQL database for the whole session, migrated to head once."""
    reason = _postgres_unavailable_reason()
    if reason:
        if REQUIRE_POSTGRES:
            pytest.fail(reason)
        pytest.skip(reason)
    admin_url = make_url(os.environ[POSTGRES_ENV])
    name = f"pilotage_test_{uuid.uuid4().hex[:10]}"
    admin = make_engine(admin_url.render_as_string(hide_password=False))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    upgrade_to_head(engine)
    engine.dispose()
    yield url
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def _truncate_postgres(engine: Engine) -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


def _fresh(engine: Engine, settings: Settings) -> None:
    with session_scope(engine) as session:
        load_territories(session, settings)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head with the communes loaded, built once per session.

    Each test gets a byte copy of it: migrating per test cost about 1.5 s, a copy a few ms.
    """
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade_to_head(engine)
    _fresh(engine, make_settings(url))
    engine.dispose()
    return path


def _sqlite_copy(template: Path, tmp_path: Path) -> Database:
    target = tmp_path / "test.sqlite"
    shutil.copyfile(template, target)
    url = f"sqlite:///{target}"
    return Database(engine=make_engine(url), settings=make_settings(url), kind="sqlite")


@pytest.fixture(params=["sqlite", "postgres"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A fresh database with the schema and the Creuse communes, on each engine in turn."""
    if request.param == "sqlite":
        database = _sqlite_copy(request.getfixturevalue("sqlite_template"), tmp_path)
    else:
        url = request.getfixturevalue("postgres_url")
        engine = make_engine(url)
        _truncate_postgres(engine)
        settings = make_settings(url)
        _fresh(engine, settings)
        database = Database(engine=engine, settings=settings, kind="postgres")
    yield database
    database.engine.dispose()


@pytest.fixture
def sqlite_db(sqlite_template: Path, tmp_path: Path) -> Iterator[Database]:
    """A fresh SQLite database only, for tests that do not concern the engine."""
    database = _sqlite_copy(sqlite_template, tmp_path)
    yield database
    database.engine.dispose()


@pytest.fixture
def run_cli(
    db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Callable[..., tuple[int, str, str]]]:
    """Run ``pilotage ARGS…`` against the test database: returns (exit code, stdout, stderr).

    Goes through ``cli.main`` like the console script, so the French one-line errors and the
    exit codes are what a user gets. The warning about the public demo pseudonymisation key
    (printed by every import, since tests use that key) is taken out of stderr so that tests
    read the errors themselves; tests/unit/test_cli_key_warning.py checks it.
    """
    import cli
    from settings import DEFAULT_KEY_WARNING, get_settings

    monkeypatch.setenv("PILOTAGE_DATABASE_URL", db.settings.database_url)
    # A real key: imports refuse the public demo key outside the demo database.
    monkeypatch.setenv("PILOTAGE_PSEUDONYMISATION_KEY", "cle-secrete-des-tests-cli")
    get_settings.cache_clear()

    def invoke(*args: str) -> tuple[int, str, str]:
        code = 0
        try:
            cli.main(list(args))
        except SystemExit as exc:
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        err = err.replace(DEFAULT_KEY_WARNING + "\n", "", 1)
        return code, out, err

    yield invoke
    get_settings.cache_clear()
