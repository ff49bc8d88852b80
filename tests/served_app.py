"""``streamlit run app.py`` on loopback, for the tests that need a real server (a browser, a
websocket client): one way to start it, wait until it answers and stop it, whatever the test.

Why not AppTest there: a real server runs each session's script in its own thread, serves the
static front end and the OpenID Connect routes, which AppTest does not.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT = 90  # seconds for the server to answer its health check (2 shared cores)


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def served_app(
    env: dict[str, str], log: Path, *, port: int | None = None, cwd: Path = ROOT
) -> Iterator[str]:
    """The dashboard served on 127.0.0.1 (``port``, else a free one) with ``env``, its output
    in ``log``; yields its base URL once ``/_stcore/health`` answers, stops it on exit.
    ``cwd``: where Streamlit looks for ``.streamlit/`` (config and secrets)."""
    port = port or free_port()
    command = [
        *(sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py")),
        *("--server.port", str(port), "--server.address", "127.0.0.1"),
        *("--server.headless", "true", "--browser.gatherUsageStats", "false"),
        *("--server.fileWatcherType", "none"),
    ]
    url = f"http://127.0.0.1:{port}"
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            _wait_healthy(url, process, log)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)


def _wait_healthy(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit s'est arrêté :\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"streamlit ne répond pas sur {url}")
