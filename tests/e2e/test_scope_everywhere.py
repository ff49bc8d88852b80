"""One scope on every page, in a real browser: chosen once (UTAS Guéret · CAF, custom period,
as-of date), it survives a walk through every page of the menu, including the pages that do
not use it (« Données disponibles », « Qualité des données », « Méthodologie »): after each
step the URL holds it and the page's caption says it."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.e2e.app_utils import open_page, wait_for_app_run

SCOPE = {
    "periode": "perso",
    "du": "2024-03-01",
    "au": "2024-04-30",
    "au_jour": "2024-06-30",
    "niveau": "utas",
    "territoire": "Guéret",
    "payeur": "caf",
}
CAPTION = "Du 1er mars 2024 au 30 avril 2024 · données au 30 juin 2024 · UTAS Guéret · CAF"
SCOPE_WORDS = "UTAS Guéret · CAF"  # every page's caption names the territory and payer


def _query(page: Page) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}


def _choose(page: Page, label: str, option: str) -> None:
    """Pick an option of a selectbox of the scope bar, as a person does."""
    sidebar = page.get_by_test_id("stSidebar")
    box = sidebar.get_by_test_id("stSelectbox").filter(has=page.get_by_text(label, exact=True))
    choice = page.get_by_role("option", name=option, exact=True)
    for _ in range(3):  # a click during a rerun may not open the list: try again
        box.click()
        try:
            choice.wait_for(state="visible", timeout=10_000)
            break
        except PlaywrightTimeoutError:
            wait_for_app_run(page)
    choice.click()
    wait_for_app_run(page)


def test_the_scope_survives_every_page(page: Page, app_url: str):
    # period and as-of date from a link, territory and payer picked in the bar
    query = "&".join(f"{k}={SCOPE[k]}" for k in ("periode", "du", "au", "au_jour"))
    open_page(page, f"{app_url}/?{query}")
    _choose(page, "Territoire", "UTAS")
    _choose(page, "UTAS", "UTAS Guéret")
    _choose(page, "Payeur", "CAF")
    expect(page.get_by_text(CAPTION, exact=True).first).to_be_visible()
    links = page.get_by_test_id("stSidebarNav").locator("a")
    count = links.count()
    assert count >= 10
    walked, lost = [], []
    for index in [*range(count), 0]:  # every page, then back to the first
        link = page.get_by_test_id("stSidebarNav").locator("a").nth(index)
        path = urlparse(link.get_attribute("href") or "").path.strip("/")
        link.click()
        page.wait_for_url(re.compile(rf"/{re.escape(path)}(\?.*)?$"))
        wait_for_app_run(page)
        expect(page.get_by_test_id("stException")).to_have_count(0)
        if _query(page) != SCOPE:
            lost.append((path or "accueil", "adresse", page.url))
        if not page.get_by_text(SCOPE_WORDS).count():
            lost.append((path or "accueil", "légende", ""))
        walked.append(path)
    assert not lost, "\n".join(map(str, lost))
    assert {"donnees", "methodologie", "qualite"} <= set(walked)
    expect(page.get_by_text(CAPTION, exact=True).first).to_be_visible()
