"""PNG and SVG files of a figure through kaleido (≥ 1) and the system's Chromium.

Starting Chromium costs about two seconds, so one kaleido server is started on first use and
reused for the life of the process; a lock serialises calls because the server handles one
figure at a time. Without Chromium, ``ImageExportUnavailable`` carries a French explanation that
the page shows next to the buttons; everything else keeps working.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import plotly.graph_objects as go

from charts.theme import EXPORT_HEIGHT, EXPORT_WIDTH

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
IMAGE_FORMATS = ("png", "svg")
_lock = threading.Lock()
_server_started = False


class ImageExportUnavailable(Exception):
    """Images cannot be produced here; the message says why, in French."""


def chromium_path() -> str | None:
    """The Chromium executable kaleido will drive, or None when it is not installed."""
    configured = os.environ.get("PILOTAGE_CHROMIUM_PATH")
    candidates = [configured] if configured else []
    candidates += [*CHROMIUM_CANDIDATES, shutil.which("chromium") or ""]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def unavailable_reason() -> str | None:
    """Why PNG/SVG exports are impossible here (French), or None when they work."""
    if chromium_path() is None:
        return (
            "Export PNG/SVG indisponible : le navigateur Chromium n'est pas installé sur le "
            "serveur (paquet Debian « chromium »). Les données restent téléchargeables en CSV."
        )
    return None


def _ensure_server(path: str) -> None:
    global _server_started
    if _server_started:
        return
    import kaleido

    kaleido.start_sync_server(path=path, mathjax=False, silence_warnings=True)
    _server_started = True


def figure_image(
    fig: go.Figure, fmt: str, *, width: int = EXPORT_WIDTH, height: int = EXPORT_HEIGHT
) -> bytes:
    """The figure as PNG or SVG bytes, at the export size (or the size of the box it goes
    in, such as a slide's), with the screen's template."""
    if fmt not in IMAGE_FORMATS:
        raise ValueError(f"format d'image inconnu : {fmt}")
    reason = unavailable_reason()
    if reason:
        raise ImageExportUnavailable(reason)
    import kaleido

    opts = {
        "format": fmt,
        "width": width,
        "height": height,
        "scale": 2 if fmt == "png" else 1,
    }
    with _lock:
        try:
            _ensure_server(chromium_path() or "")
            data = kaleido.calc_fig_sync(fig, opts=opts)
        except Exception as exc:
            raise ImageExportUnavailable(
                f"Export {fmt.upper()} impossible : le rendu par Chromium a échoué "
                f"({type(exc).__name__})."
            ) from exc
    return data if isinstance(data, bytes) else str(data).encode("utf-8")
