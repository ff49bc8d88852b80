"""Twenty sessions opening at once on a server that has just started show no traceback.

Each session of a Streamlit server runs its script in its own thread; on a cold server the
first twenty ran the imports of their pages concurrently and some showed « partially
initialized module 'pandas' has no attribute 'Series' » (ui/preload.py says why). The test
starts ``streamlit run app.py`` on loopback against the demo database, opens twenty
websocket sessions at once (the browser's own protocol, one page each across every page),
waits until each script run finishes, and collects every exception element sent to them.
The server is stopped at the end whatever happens, and every wait is bounded.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from tests.served_app import served_app

SESSIONS = 20
RUN_TIMEOUT = 240  # seconds for all twenty script runs (2 shared cores, cold imports)
PAGES = (
    "vue_ensemble",
    "point_hebdomadaire",
    "comite",
    "convocation",
    "orientation",
    "contrats",
    "feuille_de_route",
    "instances",
    "offre_partenaires",
    "entreprises",
    "donnees",
    "methodologie",
    "qualite",
    "imports",
)


@pytest.fixture
def cold_server(demo_file: Path, tmp_path: Path) -> Iterator[str]:
    """A freshly started ``streamlit run app.py`` on loopback; its websocket URL."""
    env = {
        **os.environ,
        "PILOTAGE_DATABASE_URL": f"sqlite:///{demo_file}",
        "PILOTAGE_AUTH_MODE": "demo",
    }
    with served_app(env, tmp_path / "streamlit.log") as url:
        yield f"ws://{url.removeprefix('http://')}/_stcore/stream"


async def _open_session(url: str, page: str) -> list[str]:
    """Run one page in a new session; the exceptions the browser would show."""
    shown: list[str] = []
    async with websockets.connect(url, subprotocols=["streamlit"], max_size=None) as ws:
        message = BackMsg()
        message.rerun_script.query_string = ""
        message.rerun_script.page_name = page
        await ws.send(message.SerializeToString())
        while True:
            forward = ForwardMsg()
            forward.ParseFromString(await ws.recv())
            kind = forward.WhichOneof("type")
            if kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
                element = forward.delta.new_element
                if element.WhichOneof("type") == "exception":
                    shown.append(f"{page} : {element.exception.type}: {element.exception.message}")
            elif kind == "session_event":
                event = forward.session_event
                if event.WhichOneof("type") == "script_compilation_exception":
                    shown.append(f"{page} : {event.script_compilation_exception.message}")
            elif kind == "script_finished":
                return shown


async def _open_all(url: str) -> list[str]:
    runs = [_open_session(url, PAGES[i % len(PAGES)]) for i in range(SESSIONS)]
    results = await asyncio.wait_for(asyncio.gather(*runs), RUN_TIMEOUT)
    return [line for shown in results for line in shown]


def test_twenty_sessions_at_once_on_a_cold_server_show_no_traceback(cold_server):
    assert asyncio.run(_open_all(cold_server)) == []
