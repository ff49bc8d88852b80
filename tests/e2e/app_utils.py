"""Waiting for the app the way Streamlit's own e2e tests do: the connection is up and the
script has finished (``data-test-script-state`` = ``notRunning``), with no spinner or loading
skeleton left (elements whose code is loaded lazily show a skeleton first)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

APP = "[data-testid='stApp']"


def wait_for_app_loaded(page: Page) -> None:
    """The websocket is connected and the app view is on screen."""
    expect(page.locator(f"{APP}[data-test-connection-state='CONNECTED']")).to_be_attached()
    expect(page.get_by_test_id("stAppViewContainer")).to_be_visible()


def wait_for_app_run(page: Page, settle_ms: int = 300) -> None:
    """The script run is over and every spinner gone (then a short pause for the frontend)."""
    expect(page.locator(f"{APP}[data-test-script-state='notRunning']")).to_be_attached(
        timeout=90_000
    )
    expect(page.get_by_test_id("stSpinner")).to_have_count(0, timeout=90_000)
    expect(page.get_by_test_id("stSkeleton")).to_have_count(0, timeout=30_000)
    page.wait_for_timeout(settle_ms)


def open_page(page: Page, url: str) -> None:
    """Go to a URL and wait until the app is idle."""
    page.goto(url)
    wait_for_app_loaded(page)
    wait_for_app_run(page)
