"""Browser tests: the real app served by ``streamlit run``, driven by Playwright in Debian's
Chromium (``/usr/bin/chromium``; no browser is ever downloaded).

Without Chromium or Playwright the tests skip with the reason, unless
``PILOTAGE_REQUIRE_BROWSER=1`` (set by ``.ci/run``), which turns the skip into a failure.
Screenshots and downloaded files go to ``PILOTAGE_TEST_ARTIFACTS`` (default
``test-artifacts/``), which the test run keeps.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from data_access.db import make_engine
from data_access.demo.generate import generate_demo
from data_access.initdb import init_database
from tests.conftest import make_settings
from tests.served_app import served_app

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("PILOTAGE_CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REQUIRE_BROWSER = os.environ.get("PILOTAGE_REQUIRE_BROWSER") == "1"
DEMO_AS_OF = dt.date(2024, 6, 30)


def _unavailable_reason() -> str | None:
    if not Path(CHROMIUM).is_file():
        return f"Chromium absent ({CHROMIUM}) : installer le paquet Debian « chromium »"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright absent : installer les extras de développement"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test here ``e2e``; skip them (or fail, when required) without a browser."""
    reason = _unavailable_reason()
    for item in items:
        if Path(str(item.fspath)).parent == Path(__file__).parent:
            item.add_marker(pytest.mark.e2e)
            if reason and not REQUIRE_BROWSER:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """The folder that keeps screenshots and downloaded files after the run."""
    folder = Path(os.environ.get("PILOTAGE_TEST_ARTIFACTS", ROOT / "test-artifacts")) / "e2e"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def app_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """URL of the temporary demo database the app serves (tests read what the app wrote)."""
    reason = _unavailable_reason()
    if reason:
        pytest.fail(reason) if REQUIRE_BROWSER else pytest.skip(reason)
    folder = tmp_path_factory.mktemp("e2e")
    url_db = f"sqlite:///{folder / 'demo.sqlite'}"
    engine = make_engine(url_db)
    init_database(engine, make_settings(url_db))
    generate_demo(engine, make_settings(url_db), as_of=DEMO_AS_OF)
    engine.dispose()
    return url_db


@pytest.fixture(scope="session")
def app_url(app_database: str, artifacts: Path) -> Iterator[str]:
    """``streamlit run app.py`` on a free port against a temporary demo database."""
    url_db = app_database
    log = artifacts / "streamlit.log"
    env = {
        **os.environ,
        "PILOTAGE_DATABASE_URL": url_db,
        "PILOTAGE_AUTH_MODE": "demo",
        "PILOTAGE_CHROMIUM_PATH": CHROMIUM,
    }
    with served_app(env, log) as url:
        yield url


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    """Debian's Chromium driven by Playwright (headless, no sandbox, no network extras); one
    for the whole session, since Playwright's sync API runs one instance at a time."""
    reason = _unavailable_reason()
    if reason:
        pytest.fail(reason) if REQUIRE_BROWSER else pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=shutil.which(CHROMIUM) or CHROMIUM, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def browser(app_url: str, chromium: object) -> object:
    """The browser, once the demo dashboard is served."""
    return chromium


@pytest.fixture
def page(browser, app_url: str) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A fresh browser tab with downloads allowed, French locale, a laptop-sized window."""
    context = browser.new_context(
        viewport={"width": 1440, "height": 1000}, accept_downloads=True, locale="fr-FR"
    )
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    yield tab
    context.close()
