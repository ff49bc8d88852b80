"""The production settings of ``.streamlit/config.toml`` hold without command-line flags: a
plain ``streamlit run app.py`` listens on the machine itself only, refuses cross-site
requests, shows no error details and sends no usage statistics."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONFIG = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))


def test_plain_streamlit_run_listens_on_loopback_only():
    # Without it Streamlit listens on every interface: the proxy would be optional.
    assert CONFIG["server"]["address"] == "127.0.0.1"


def test_make_run_listens_on_loopback_only():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^ADDRESS \?= 127\.0\.0\.1$", makefile, re.MULTILINE)
    assert "--server.address $(ADDRESS)" in makefile


def test_production_settings():
    assert CONFIG["server"]["enableXsrfProtection"] is True
    assert CONFIG["server"]["enableCORS"] is True
    assert 1 <= CONFIG["server"]["maxUploadSize"] <= 200
    assert CONFIG["server"]["headless"] is True
    assert CONFIG["browser"]["gatherUsageStats"] is False
    assert CONFIG["client"]["showErrorDetails"] == "none"
    assert CONFIG["client"]["disableDataExport"] is True
