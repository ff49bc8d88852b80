"""Accessibility of every page in a real browser (RGAA 4.1 / WCAG 2.1 AA).

axe-core (npm package, installed by ``.ci/run``; ``PILOTAGE_AXE_PATH`` elsewhere) is injected
into each page of the menu and run on WCAG 2.1 A/AA rules and best practices; any violation
fails, except the framework's own defects listed in ``ui.accessibility.FRAMEWORK_VIOLATIONS``
(rule id and the element they sit in), which the « Accessibilité » page states. The same visit
checks what axe cannot see: the page language as set, h1 → h2 → h3 without a jump and no heading
before the h1, no heading anchor or Plotly toolbar in the tab order, and a text alternative for
every chart (an image named by its title, a summary, a data table named after the chart).
"""

from __future__ import annotations

import itertools
import json
import os
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.app_utils import PILOTAGE, open_page, wait_for_app_run
from tests.e2e.conftest import DEMO_AS_OF, REQUIRE_BROWSER, ROOT
from ui.accessibility import FRAMEWORK_VIOLATIONS

QUERY = f"?au_jour={DEMO_AS_OF.isoformat()}&periode=comite"
AXE_FILE = Path(
    os.environ.get(
        "PILOTAGE_AXE_PATH", ROOT / ".ci" / "node" / "node_modules" / "axe-core" / "axe.min.js"
    )
)
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]

# Each violation node: rule id, its target, and whether it sits inside an allowed selector.
RUN_AXE = """async ([tags, allowed]) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  const found = [];
  for (const v of result.violations) {
    for (const node of v.nodes) {
      const el = document.querySelector(node.target[0]);
      const selectors = allowed[v.id] || [];
      const framework = !!el && selectors.some((s) => el.closest(s) !== null);
      found.push({rule: v.id, target: node.target.join(' '), framework, help: v.help});
    }
  }
  return found;
}"""

PAGE_FACTS = """() => {
  const visible = (e) => e.checkVisibility({visibilityProperty: true});
  const focusable = [...document.querySelectorAll(
    'a[href],button,input,select,textarea,summary,[tabindex]')].filter(
    (e) => e.tabIndex >= 0 && !e.disabled && visible(e));
  const headings = [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].filter(visible)
    .map((h) => [Number(h.tagName[1]), h.textContent.trim()]);
  const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].map((c) => ({
    role: c.getAttribute('role'), label: c.getAttribute('aria-label') || ''}));
  const name = (e) => {
    const copy = e.cloneNode(true);
    copy.querySelectorAll('[aria-hidden="true"]').forEach((h) => h.remove());
    return copy.textContent.trim();
  };
  const expanders = [...document.querySelectorAll('[data-testid="stExpander"] summary')]
    .map(name);
  const namedIcons = [...document.querySelectorAll('[data-testid="stIconMaterial"]')]
    .filter((i) => i.getAttribute('aria-hidden') !== 'true').length;
  return {
    lang: document.documentElement.lang,
    tabStops: focusable.length,
    anchorStops: focusable.filter((e) => e.closest('[data-testid="stHeaderActionElements"]'))
      .length,
    toolbarStops: focusable.filter((e) => e.closest('.modebar')).length,
    headings, charts, expanders, namedIcons,
    summaries: document.querySelectorAll('p.pilotage-chart-summary').length,
  };
}"""


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE_FILE.is_file():
        reason = f"axe-core absent ({AXE_FILE}) : npm install --prefix .ci/node axe-core"
        pytest.fail(reason) if REQUIRE_BROWSER else pytest.skip(reason)
    return AXE_FILE.read_text(encoding="utf-8")


def _nav_urls(page: Page, app_url: str) -> list[str]:
    open_page(page, app_url + QUERY)
    links = page.get_by_test_id("stSidebarNav").locator("a")
    expect(links.first).to_be_visible()
    return [links.nth(i).get_attribute("href") or "" for i in range(links.count())]


def _heading_problems(headings: list[list]) -> list[str]:
    """A page starts with its h1 and never skips a level going down."""
    problems = []
    if not headings or headings[0][0] != 1:
        problems.append(f"premier titre : {headings[:1]}")
    for (before, _), (level, text) in itertools.pairwise(headings):
        if level > before + 1:
            problems.append(f"h{before} → h{level} ({text})")
    return problems


def test_every_page_passes_axe_and_has_clean_headings_and_chart_alternatives(
    page: Page, app_url: str, axe_source: str, artifacts: Path
):
    report: dict[str, dict] = {}
    failures: list[str] = []
    for href in _nav_urls(page, app_url):
        url = href if href.startswith("http") else app_url + href
        open_page(page, url)
        page.wait_for_timeout(1000)
        path = urlparse(url).path.strip("/")
        name = path or "accueil"
        page.add_script_tag(content=axe_source)
        violations = page.evaluate(RUN_AXE, [AXE_TAGS, FRAMEWORK_VIOLATIONS])
        facts = page.evaluate(PAGE_FACTS)
        report[name] = {"violations": violations, **facts}
        ours = [v for v in violations if not v["framework"]]
        failures += [f"{name} : axe {v['rule']} sur {v['target']} ({v['help']})" for v in ours]
        if facts["lang"] != "fr":
            failures.append(f"{name} : langue {facts['lang']!r}")
        failures += [f"{name} : {p}" for p in _heading_problems(facts["headings"])]
        if facts["namedIcons"]:
            failures.append(f"{name} : {facts['namedIcons']} icône(s) lue(s) comme du texte")
        if facts["anchorStops"] or facts["toolbarStops"]:
            failures.append(f"{name} : ancres ou barre Plotly dans la tabulation {facts}")
        for chart in facts["charts"]:
            if chart["role"] != "img" or not chart["label"].startswith("Graphique : "):
                failures.append(f"{name} : graphique sans nom {chart}")
        data = [e for e in facts["expanders"] if e.startswith("Données du graphique")]
        if len(data) != len(set(data)) or any(
            not e.startswith("Données du graphique : ") for e in data
        ):
            failures.append(f"{name} : tableaux de données mal nommés {data}")
        if len(data) < len(facts["charts"]) or facts["summaries"] < len(facts["charts"]):
            failures.append(f"{name} : graphique sans tableau ou sans résumé")
    (artifacts / "accessibility.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    (artifacts / "tab-stops.txt").write_text(
        "".join(f"{name}\t{facts['tabStops']}\n" for name, facts in report.items()),
        encoding="utf-8",
    )
    assert len(report) >= 14, sorted(report)
    assert not failures, "\n".join(failures)


def test_sidebar_links_show_a_visible_focus(page: Page, app_url: str):
    open_page(page, app_url + QUERY)
    link = page.get_by_test_id("stSidebarNav").locator("a").nth(1)
    link.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    style = link.evaluate(
        "(e) => { const s = getComputedStyle(e);"
        " return [document.activeElement === e, s.outlineStyle, s.outlineWidth, s.outlineColor]; }"
    )
    assert style == [True, "solid", "3px", "rgb(0, 0, 145)"]


def test_focus_goes_to_the_message_after_a_form_is_submitted(page: Page, app_url: str):
    open_page(page, f"{app_url}/feuille_de_route{QUERY}", role=PILOTAGE)
    form = page.get_by_test_id("stForm")
    # the step's current status, unchanged and without comment: nothing is written
    form.get_by_label("Votre nom", exact=True).fill("Test accessibilité")
    form.get_by_role("button", name="Enregistrer").click()
    wait_for_app_run(page)
    page.wait_for_timeout(1000)
    focused = page.evaluate(
        "() => { const e = document.activeElement;"
        " return [e.tagName, e.getAttribute('data-testid') || '', e.textContent.slice(0, 80)]; }"
    )
    assert focused[0] != "BODY", focused
    assert re.search("enregistré", focused[2]), focused
