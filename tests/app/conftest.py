"""Fixtures of the dashboard tests: one demo database for the session, an empty one per test.

The demo is built once by the same seeded function as ``pilotage demo`` (fixed as-of date, so
figures do not move with the calendar); tests that write (deck snapshots) take a copy. The app
reads its settings from the environment, so each fixture points ``PILOTAGE_DATABASE_URL`` at
its database and clears the cached settings around the test.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from data_access.access import grant_role, normalise_role
from data_access.db import make_engine, session_scope
from data_access.demo.generate import generate_demo
from data_access.initdb import init_database
from settings import Settings, get_settings
from tests.conftest import Database, make_settings

ROOT = Path(__file__).resolve().parents[2]
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


def visible(markdown: str) -> str:
    """What a reader sees of a Markdown body written with ``escape_markdown``."""
    return _ESCAPED.sub(r"\1", markdown).replace("  \n", "\n").replace("\u2060", "")


DEMO_AS_OF = dt.date(2024, 6, 30)
# One person per role, granted in every test database file; ``sign_in_as`` signs in as them
# through OpenID Connect the way AppTest allows (``AppTest.user``, ``AppTest.secrets``).
TEST_USERS = {
    "lecture": "prefet@creuse.gouv.fr",
    "pilotage": "cheffe.projet@creuse.fr",
    "admin": "admin.pilotage@creuse.fr",
}
OIDC_SECRETS = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "secret-de-test-des-cookies-de-connexion",
    "client_id": "pilotage-rsa-test",
    "client_secret": "secret-client-test",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}


def grant_test_users(engine) -> None:  # type: ignore[no-untyped-def]
    """Give each test person their role."""
    with session_scope(engine) as session:
        for role, email in TEST_USERS.items():
            grant_role(session, email, role, actor="tests")


def sign_in_as(app: AppTest, role_or_email: str, **claims: object) -> AppTest:
    """Make ``app`` run as a person signed in through OpenID Connect (ID token claims)."""
    role = normalise_role(role_or_email)
    email = TEST_USERS[role] if role else role_or_email
    app.secrets["auth"] = dict(OIDC_SECRETS)
    app.user = {
        "is_logged_in": True,
        "email": email,
        "sub": f"sub-{email}",
        "name": email.split("@")[0],
        "iat": int(time.time()),
        **claims,
    }
    return app


def _reset_caches() -> None:
    """Forget the settings (the URL changes between tests). Metric results stay cached: their
    keys hold the database URL and data version, and every test database has its own file."""
    get_settings.cache_clear()
    st.cache_resource.clear()


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo database file (Creuse scale, as of 30 June 2024), built once."""
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    settings = make_settings(url)
    init_database(engine, settings)
    generate_demo(engine, settings, as_of=DEMO_AS_OF)
    grant_test_users(engine)
    engine.dispose()
    return path


def _use(monkeypatch: pytest.MonkeyPatch, url: str, **env: str) -> Database:
    monkeypatch.setenv("PILOTAGE_DATABASE_URL", url)
    monkeypatch.delenv("PILOTAGE_AUTH_MODE", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    _reset_caches()
    # The app publishes rounded counts (the default rounding): so do the expected figures.
    rounding = Settings.model_fields["secrecy_rounding"].default
    settings = make_settings(url, secrecy_rounding=rounding)
    return Database(engine=make_engine(url), settings=settings, kind="sqlite")


@pytest.fixture
def demo_db(demo_file: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    """The shared demo database, read only; the app points at it."""
    db = _use(monkeypatch, f"sqlite:///{demo_file}")
    yield db
    db.engine.dispose()
    _reset_caches()


@pytest.fixture
def demo_copy(
    demo_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Database]:
    """A private copy of the demo database, for tests that write (deck snapshots)."""
    path = tmp_path / "demo.sqlite"
    shutil.copy(demo_file, path)
    db = _use(monkeypatch, f"sqlite:///{path}")
    yield db
    db.engine.dispose()
    _reset_caches()


@pytest.fixture(scope="session")
def empty_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with the schema, communes and seed roadmap but no beneficiary, built once."""
    path = tmp_path_factory.mktemp("empty") / "empty.sqlite"
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    init_database(engine, make_settings(url))
    grant_test_users(engine)
    engine.dispose()
    return path


@pytest.fixture
def empty_db(empty_file: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    """The shared empty database, read only; the app points at it."""
    db = _use(monkeypatch, f"sqlite:///{empty_file}")
    yield db
    db.engine.dispose()
    _reset_caches()
