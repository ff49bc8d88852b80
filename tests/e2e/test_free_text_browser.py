"""In the real browser, free text holding Markdown images and links loads nothing and links
nowhere, on every page that shows steps, meetings, decisions, actions or comments.

A small HTTP server on loopback stands for the attacker's address and counts the requests it
receives; the app is served against a database whose roadmap, meeting, actions and comment
point images and links at it. Before the fix, the pages loaded those images (the review found
five pages doing so). The browser is the session's Chromium of ``conftest.py``.
"""

from __future__ import annotations

import datetime as dt
import http.server
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from sqlalchemy import insert, update

from data_access.db import make_engine, session_scope
from data_access.governance import add_action, create_meeting
from data_access.initdb import init_database
from data_access.roadmap import set_step_status
from data_access.schema import Metadata, RoadmapStep
from tests.conftest import make_settings
from tests.e2e.app_utils import open_page
from tests.served_app import served_app

PAGES = ("feuille_de_route", "instances", "point_hebdomadaire", "comite", "vue_ensemble")
SHOWING_TEXT = PAGES[:4]  # « Vue d'ensemble » lists late steps only once data is imported


class _Counter(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).hits.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def evil_host() -> Iterator[tuple[str, list[str]]]:
    """``http://127.0.0.1:<port>`` and the list of paths requested from it."""
    server = http.server.HTTPServer(("127.0.0.1", 0), _Counter)
    _Counter.hits = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Counter.hits
    server.shutdown()
    server.server_close()


@pytest.fixture
def hostile_app(tmp_path: Path, evil_host: tuple[str, list[str]]) -> Iterator[str]:
    """The app served on loopback against a database full of hostile free text."""
    host, _ = evil_host
    url = f"sqlite:///{tmp_path / 'hostile.sqlite'}"
    engine = make_engine(url)
    settings = make_settings(url)
    init_database(engine, settings)
    image = "![pixel](" + host + "/{}.png) [lien](" + host + "/{}-lien) " + host + "/{}-nu"
    soon = dt.date.today() + dt.timedelta(days=5)
    with session_scope(engine) as session:
        meeting = create_meeting(
            session, "comite_de_suivi", soon, image.format(*["titre"] * 3), ["CD"], notes="x"
        )
        add_action(session, image.format(*["action"] * 3), meeting_id=meeting, due_date=soon)
        add_action(session, image.format(*["decision"] * 3), kind="decision", meeting_id=meeting)
        set_step_status(session, "DO-04", "en cours", user="A", comment=image.format(*["com"] * 3))
    with engine.begin() as conn:
        conn.execute(
            update(RoadmapStep.__table__)
            .where(RoadmapStep.__table__.c.step_id == "DO-05")
            .values(step=image.format(*["etape"] * 3), due_date=soon, status="a_faire")
        )
    with engine.begin() as conn:
        # marked as a demo database: the demo role chooser (lecture) lets the test in
        conn.execute(insert(Metadata), {"key": "demo", "value": "hostile free text"})
    engine.dispose()
    log = tmp_path / "streamlit.log"
    env = {**os.environ, "PILOTAGE_DATABASE_URL": url, "PILOTAGE_AUTH_MODE": "demo"}
    with served_app(env, log) as app_url:
        yield app_url


def test_free_text_loads_no_image_and_shows_no_link(hostile_app, evil_host, browser):
    host, hits = evil_host
    requested: list[str] = []
    found: dict[str, list[str]] = {}
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="fr-FR")
    try:
        tab = context.new_page()
        tab.set_default_timeout(60_000)
        tab.on("request", lambda r: requested.append(r.url) if r.url.startswith(host) else None)
        for name in PAGES:
            open_page(tab, f"{hostile_app}/{name}")
            links = tab.locator(f"img[src^='{host}'], a[href^='{host}']")
            found[name] = [links.nth(i).evaluate("e => e.outerHTML") for i in range(links.count())]
            text = tab.get_by_test_id("stMain").inner_text()
            if name in SHOWING_TEXT and "![pixel](" not in text:
                found[name].append("texte absent")
    finally:
        context.close()
    assert requested == [] and hits == []
    assert found == {name: [] for name in PAGES}
