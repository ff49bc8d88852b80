"""The dashboard in a real browser: every page opens without an exception (screenshot of
each kept), a chart downloads as PNG, the committee deck downloads and opens."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path
from urllib.parse import urlparse

from playwright.sync_api import Page, expect
from pptx import Presentation

from tests.e2e.app_utils import open_page, screenshot_whole_page, wait_for_app_run
from tests.e2e.conftest import DEMO_AS_OF

QUERY = f"?au_jour={DEMO_AS_OF.isoformat()}&periode=comite"


def _nav_paths(page: Page, app_url: str) -> list[str]:
    open_page(page, app_url + QUERY)
    links = page.get_by_test_id("stSidebarNav").locator("a")
    expect(links.first).to_be_visible()
    paths = [urlparse(links.nth(i).get_attribute("href") or "").path for i in range(links.count())]
    return [p.strip("/") for p in paths]


def test_every_page_opens_without_exception(page: Page, app_url: str, artifacts: Path):
    paths = _nav_paths(page, app_url)
    assert len(paths) >= 8, paths
    timings = []
    links = page.get_by_test_id("stSidebarNav").locator("a")
    for index, path in enumerate(paths):
        started = time.perf_counter()
        links.nth(index).click()
        page.wait_for_url(re.compile(rf"/{re.escape(path)}(\?.*)?$"))
        wait_for_app_run(page)
        timings.append((path or "accueil", time.perf_counter() - started))
        expect(page.get_by_test_id("stException")).to_have_count(0)
        expect(page.locator("h1").first).to_be_visible()
        screenshot_whole_page(page, str(artifacts / f"page-{path or 'accueil'}.png"))
    (artifacts / "page-load-seconds.txt").write_text(
        "".join(f"{name}\t{seconds:.2f}\n" for name, seconds in timings), encoding="utf-8"
    )


def test_chart_downloads_as_png(page: Page, app_url: str, artifacts: Path):
    open_page(page, f"{app_url}/convocation{QUERY}")
    button = page.get_by_test_id("stDownloadButton").get_by_role("button", name="PNG").first
    expect(button).to_be_enabled()
    started = time.perf_counter()
    with page.expect_download(timeout=90_000) as info:
        button.click()
    download = info.value
    target = artifacts / download.suggested_filename
    download.save_as(target)
    (artifacts / "png-export-seconds.txt").write_text(
        f"{time.perf_counter() - started:.2f}\n", encoding="utf-8"
    )
    assert target.suffix == ".png"
    assert target.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert target.stat().st_size > 20_000


def test_committee_deck_downloads(page: Page, app_url: str, artifacts: Path):
    open_page(page, f"{app_url}/comite{QUERY}")
    button = page.get_by_role("button", name="Télécharger le support du comité (PowerPoint)")
    started = time.perf_counter()
    with page.expect_download(timeout=120_000) as info:
        button.click()
    download = info.value
    target = artifacts / download.suggested_filename
    download.save_as(target)
    (artifacts / "deck-download-seconds.txt").write_text(
        f"{time.perf_counter() - started:.2f}\n", encoding="utf-8"
    )
    assert target.name == f"comite-de-suivi_{DEMO_AS_OF.isoformat()}.pptx"
    deck = Presentation(io.BytesIO(target.read_bytes()))
    assert deck.slides[0].shapes.title.text == "Comité de suivi RSA — Creuse"
    assert len(deck.slides) > 10
    wait_for_app_run(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)


def _nav_hrefs(page: Page) -> list[str]:
    links = page.get_by_test_id("stSidebarNav").locator("a")
    return [links.nth(i).get_attribute("href") or "" for i in range(links.count())]


def test_demo_role_selector_filters_the_navigation(page: Page, app_url: str):
    open_page(page, app_url + QUERY)
    chooser = page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").first
    before = page.get_by_test_id("stSidebarNav").locator("a").count()
    # lecture by default: no administrators' page
    assert not any(p.rstrip("/").endswith("/imports") for p in _nav_hrefs(page))
    chooser.click()
    page.get_by_role("option", name="Administration", exact=True).click()
    wait_for_app_run(page)
    expect(page.get_by_test_id("stSidebarNav").locator("a")).not_to_have_count(before)
    assert any(p.rstrip("/").endswith("/imports") for p in _nav_hrefs(page))
    assert any(p.rstrip("/").endswith("/utilisateurs") for p in _nav_hrefs(page))
    expect(page.get_by_test_id("stException")).to_have_count(0)
