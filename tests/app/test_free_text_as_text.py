"""Free text typed by a user or brought by an import is shown as text, never as Markdown, and
tables are downloaded only through the formula-safe CSV.

A meeting title, its notes, an action, a decision and a roadmap comment holding a Markdown
image, a link and a spreadsheet formula are written to the database; the pages that show them
must pass them through ``ui.plain_text`` (every Markdown character escaped, or ``st.text``),
and no page may call ``st.dataframe`` itself (its toolbar download writes cells unchanged).
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from charts.builders import breakdown_chart
from charts.csv_export import columns_csv
from charts.figures import to_figure
from charts.roadmap_timeline import governance_calendar
from data_access.db import session_scope
from data_access.governance import add_action, create_meeting, list_meetings
from data_access.roadmap import list_steps, set_step_status
from data_access.roadmap_seed import load_seed_roadmap
from metrics.results import BreakdownRow, MetricResult
from settings import get_settings
from tests.app.conftest import ROOT, visible
from ui.plain_text import escape_markdown, plain_cells

IMAGE = "![pixel](http://evil.example/pixel.png)"
LINK = "[cliquez](http://evil.example/lien)"
ANCHOR = '<a href="http://evil.example/a">lien</a>'
FORMULA = '=HYPERLINK("http://evil.example/x";"ouvrir")'
TIMEOUT = 60
# Markdown that would open an image, a link, HTML or a Streamlit directive once parsed.
_ACTIVE = re.compile(
    r"(?<!\\)(!\[|\]\(|<[a-z/]|:[a-z]+\[|:material/)"  # image, link, HTML, directive
    r"|https?\\?:|www\\?\.|\w\\?@"  # addresses GFM would turn into links
)


def rendered_markdown(app: AppTest) -> list[str]:
    """Every Markdown body of a page run (markdown, captions, alerts)."""
    bodies = [e.value for e in (*app.markdown, *app.caption, *app.success, *app.info)]
    return bodies + [e.value for e in (*app.warning, *app.error)]


@pytest.fixture
def hostile_db(sqlite_db, monkeypatch):
    """The seed roadmap, a meeting, an action, a decision and a comment holding hostile text."""
    with session_scope(sqlite_db.engine) as session:
        load_seed_roadmap(session, sqlite_db.settings)
        meeting = create_meeting(
            session,
            "comite_de_suivi",
            dt.date.today() + dt.timedelta(days=7),
            f"Comité {IMAGE} {ANCHOR}",
            ["CD"],
            notes=f"Notes {IMAGE}\n{LINK}\n{FORMULA}",
        )
        add_action(session, f"Action {IMAGE} {LINK}", meeting_id=meeting, owner="CD")
        add_action(session, f"Décision {IMAGE} :red[rouge]", kind="decision", meeting_id=meeting)
        set_step_status(session, "DO-04", "en cours", user="Agnès", comment=f"Vu {IMAGE}")
    monkeypatch.setenv("PILOTAGE_DATABASE_URL", sqlite_db.settings.database_url)
    monkeypatch.setenv("PILOTAGE_AUTH_MODE", "demo")
    get_settings.cache_clear()
    st.cache_resource.clear()
    st.cache_data.clear()
    yield sqlite_db
    st.cache_resource.clear()
    st.cache_data.clear()
    get_settings.cache_clear()


def _page(name: str, **state: str) -> AppTest:
    app = AppTest.from_file(str(ROOT / "screens" / name), default_timeout=TIMEOUT)
    app.session_state["auth_role"] = "chef_de_projet"
    for key, value in state.items():
        app.session_state[key] = value
    return app.run()


def test_escaped_markdown_shows_the_same_characters_and_opens_nothing():
    hostile = (
        f"{IMAGE} {LINK} <img src=x> **gras** :red[rouge] :material/home: # titre\n- liste "
        "www.evil.example agent@evil.example"
    )
    escaped = escape_markdown(hostile)
    assert _ACTIVE.search(escaped) is None
    assert all(
        escaped[i - 1] == "\\" for i, c in enumerate(escaped) if c in "![]()<>*:#-" and i > 0
    )
    assert visible(escaped) == hostile
    assert plain_cells({"a": [IMAGE, 3, None]}) == {"a": [escape_markdown(IMAGE), 3, None]}


def test_instances_page_shows_titles_notes_and_actions_as_text(hostile_db):
    app = _page("instances.py")
    assert not app.exception
    assert all(_ACTIVE.search(body) is None for body in rendered_markdown(app))
    assert any(
        visible(m.value).startswith(f"Prochaine instance : **Comité {IMAGE} {ANCHOR}**")
        for m in app.markdown
    )
    assert [t.value for t in app.text] == [f"Notes {IMAGE}\n{LINK}\n{FORMULA}"]
    tables = [t.value for t in app.table]
    wordings = [cell for table in tables if "Libellé" in table for cell in table["Libellé"]]
    assert wordings and all(_ACTIVE.search(cell) is None for cell in wordings)
    assert {visible(cell) for cell in wordings} >= {f"Action {IMAGE} {LINK}"}


def test_roadmap_page_shows_the_comment_as_text(hostile_db):
    app = _page("feuille_de_route.py", fdr_step="DO-04")
    assert not app.exception
    captions = [c.value for c in app.caption if "Dernier commentaire" in c.value]
    assert [visible(c) for c in captions] == [f"Dernier commentaire : Vu {IMAGE}"]
    assert all(_ACTIVE.search(body) is None for body in rendered_markdown(app))


def test_plotly_labels_hold_no_markup(hostile_db):
    meetings = list_meetings(hostile_db.engine)
    figure = governance_calendar(
        meetings, list_steps(hostile_db.engine), dt.date.today(), today_label="Aujourd'hui"
    )
    hovers = [text for trace in figure.data for text in (trace.hovertext or ())]
    assert any("Comité ![pixel]" in text for text in hovers)
    assert not any("<a " in text for text in hovers)
    assert any("&lt;a href" in text for text in hovers)


def test_chart_categories_are_escaped_for_plotly():
    rows = (BreakdownRow("a", '<a href="http://evil.example">Axe</a>', 0.5, 12, 24),)
    result = MetricResult("m", 0.5, "ratio", breakdowns={"axis": rows})
    chart = breakdown_chart(
        result, "axis", title="t", x_title="Axe", as_of=dt.date(2024, 3, 12), threshold=11
    )
    figure = to_figure(chart)
    labels = [
        label
        for trace in figure.data
        for label in (trace.x if trace.orientation != "h" else trace.y)
    ]
    assert labels == ['&lt;a href="http://evil.example"&gt;Axe&lt;/a&gt;']


# --- downloads ------------------------------------------------------------------------------


def test_the_table_toolbar_download_is_off():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["disableDataExport"] is True
    assert 'st.set_option("client.disableDataExport", True)' in (ROOT / "app.py").read_text()


def test_no_page_calls_st_dataframe_itself():
    offenders = [
        path.name
        for path in sorted((ROOT / "screens").glob("*.py"))
        if "st.dataframe(" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_table_download_neutralises_formulas():
    data = columns_csv({"Intitulé": [FORMULA, "Comité"], "N°": [1, 2]})
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0] == "Intitulé;N°"
    assert lines[1].startswith("\"'=HYPERLINK(")
    assert lines[2] == "Comité;2"


def test_instances_page_offers_the_safe_download(hostile_db):
    app = _page("instances.py")
    labels = [b.proto.label for b in app.get("download_button")]
    assert "Télécharger le tableau (CSV)" in labels
