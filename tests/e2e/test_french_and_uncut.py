"""Every page in French and nothing cut off, at 1280 px and 1920 px, in the real browser.

The framework draws some texts of its own (file uploader, date and select widgets, table
toolbar) and plotly.js others (toolbar, hover, « Double-click… »): the visible text and the
names read by screen readers (``aria-label``, ``title``, ``placeholder``, plotly's
``data-title``) are searched for the English phrases they would show. A card title, a button
or a chart's legend, tick or axis title cut off by its box is found by geometry: a text wider
than its box, or a chart text outside the chart's drawing.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.app_utils import open_page, screenshot_whole_page, wait_for_app_run
from tests.e2e.conftest import DEMO_AS_OF

QUERY = f"?au_jour={DEMO_AS_OF.isoformat()}&periode=comite"
ENGLISH = re.compile(
    r"Drag and drop|Browse files|Download plot|Limit \d+\s?MB|per file|Choose an? option|"
    r"Choose options|No results|Reset axes|Autoscale|Zoom in|Zoom out|Box Select|Lasso|"
    r"Produced with Plotly|Double-click|Download as CSV|Clear all|Show/hide columns|"
    r"\bSearch\b|\bFullscreen\b|\bSelect all\b|Press to|"
    # a French title lowered whole: « par utas » for « par UTAS »
    r"\bpar (?:utas|epci)\b"
)

# The texts and names of the page (visible text, then the attributes screen readers read).
PAGE_TEXTS = """() => {
  const main = document.querySelector('[data-testid="stAppViewContainer"]') || document.body;
  const texts = [main.innerText];
  for (const attr of ['aria-label', 'title', 'placeholder', 'data-title']) {
    for (const e of main.querySelectorAll(`[${attr}]`)) { texts.push(e.getAttribute(attr)); }
  }
  return texts;
}"""

# Texts cut by their box: card titles and values, buttons, tabs, widget labels; chart texts
# (legend, ticks, axis titles, annotations, values on bars) drawn outside the chart's drawing.
CUT_TEXTS = """() => {
  const cut = [];
  const visible = (e) => e.checkVisibility({visibilityProperty: true});
  const boxes = document.querySelectorAll(
    '[data-testid="stMetricLabel"], [data-testid="stMetricValue"], button, [role="tab"]');
  for (const e of boxes) {
    if (!visible(e) || !e.textContent.trim()) { continue; }
    for (const inner of [e, ...e.querySelectorAll('p, div, span')]) {
      const clips = getComputedStyle(inner).overflow !== 'visible';
      if (clips && inner.scrollWidth > inner.clientWidth + 1) {
        cut.push(`boîte : ${e.textContent.trim().slice(0, 60)}`);
        break;
      }
    }
  }
  // widget labels: only an ellipsis is a cut (their boxes hold a help icon beside the text)
  const labels = document.querySelectorAll(
    '[data-testid="stWidgetLabel"] *, [data-testid="stCheckbox"] label *');
  for (const e of labels) {
    const style = getComputedStyle(e);
    if (visible(e) && style.textOverflow === 'ellipsis' && e.scrollWidth > e.clientWidth + 1) {
      cut.push(`libellé : ${e.textContent.trim().slice(0, 60)}`);
    }
  }
  for (const chart of document.querySelectorAll('[data-testid="stPlotlyChart"]')) {
    const svg = chart.querySelector('svg.main-svg');
    if (!svg || !visible(chart)) { continue; }
    const frame = svg.getBoundingClientRect();
    const texts = chart.querySelectorAll(
      '.legendtext, .xtick text, .ytick text, .g-xtitle text, .g-ytitle text, .annotation-text,'
      + ' .bartext');
    for (const t of texts) {
      const r = t.getBoundingClientRect();
      if (!t.textContent.trim() || r.width === 0) { continue; }
      if (r.left < frame.left - 1 || r.right > frame.right + 1 || r.top < frame.top - 1
          || r.bottom > frame.bottom + 1) {
        cut.push(`graphique : ${t.textContent.trim().slice(0, 60)}`);
      }
    }
  }
  return cut;
}"""


def _paths(page: Page, app_url: str) -> list[str]:
    links = page.get_by_test_id("stSidebarNav").locator("a")
    expect(links.first).to_be_visible()
    return [
        urlparse(links.nth(i).get_attribute("href") or "").path.strip("/")
        for i in range(links.count())
    ]


@pytest.mark.parametrize("width", [1280, 1920])
def test_every_page_is_french_and_uncut(page: Page, app_url: str, artifacts: Path, width: int):
    page.set_viewport_size({"width": width, "height": 1000})
    open_page(page, app_url + QUERY, role="Administration")
    paths = _paths(page, app_url)
    assert "imports" in paths, paths
    problems: list[str] = []
    links = page.get_by_test_id("stSidebarNav").locator("a")
    for index, path in enumerate(paths):
        links.nth(index).click()
        page.wait_for_url(re.compile(rf"/{re.escape(path)}(\?.*)?$"))
        wait_for_app_run(page, settle_ms=1200)
        name = path or "accueil"
        for text in page.evaluate(PAGE_TEXTS):
            for match in ENGLISH.finditer(text or ""):
                problems.append(f"{name} ({width} px) : anglais « {match.group(0)} »")
        problems += [f"{name} ({width} px) : coupé, {c}" for c in page.evaluate(CUT_TEXTS)]
        screenshot_whole_page(page, str(artifacts / f"francais-{width}-{name}.png"))
    assert not problems, "\n".join(sorted(set(problems)))


def test_the_check_sees_english(page: Page, app_url: str):
    """The search can fail: the uploader's English, written back into the page, is found."""
    open_page(page, app_url + QUERY)
    page.evaluate(
        "() => { const p = document.createElement('p'); p.textContent = 'Drag and drop your"
        " own files'; document.querySelector('[data-testid=\"stMain\"]').appendChild(p); }"
    )
    found = [m.group(0) for t in page.evaluate(PAGE_TEXTS) for m in ENGLISH.finditer(t or "")]
    assert "Drag and drop" in found
