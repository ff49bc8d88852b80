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


PILOTAGE = "Pilotage (chefs de projet)"


def choose_demo_role(page: Page, label: str) -> None:
    """Pick a role in the demo role chooser (every new browser session starts as « lecture »)."""
    page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").first.click()
    page.get_by_role("option", name=label, exact=True).click()
    wait_for_app_run(page)


def open_page(page: Page, url: str, role: str | None = None) -> None:
    """Go to a URL and wait until the app is idle; with ``role``, sign in as it (demo)."""
    page.goto(url)
    wait_for_app_loaded(page)
    wait_for_app_run(page)
    if role is not None:
        choose_demo_role(page, role)


def screenshot_whole_page(page: Page, path: str, max_height: int = 8000) -> None:
    """Screenshot of the whole page: Streamlit scrolls inside its main block, not the window,
    so the window is made as tall as the content for the shot, then put back."""
    viewport = page.viewport_size or {"width": 1440, "height": 1000}
    height = page.evaluate(
        "() => { const m = document.querySelector('[data-testid=\"stMain\"]');"
        " return m ? m.scrollHeight : document.body.scrollHeight; }"
    )
    page.set_viewport_size(
        {"width": viewport["width"], "height": min(max(height, 600), max_height)}
    )
    page.wait_for_timeout(500)
    page.screenshot(path=path)
    page.set_viewport_size(viewport)
