"""A signed-in administrator for the page measurements, without importing the tests.

The pages are opened through Streamlit's AppTest as a person signed in through OpenID Connect
(the bench database is no demo database, so nobody gets in otherwise): an administrator sees
every page. The provider address points nowhere: AppTest never calls it.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Engine

from data_access.access import grant_role
from data_access.db import session_scope

BENCH_ADMIN = "bench.admin@example.org"
OIDC_SECRETS = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "secret-du-banc-de-mesure-des-pages",
    "client_id": "pilotage-rsa-bench",
    "client_secret": "secret-client-bench",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}


def grant_bench_admin(engine: Engine) -> None:
    """Give the bench's administrator its role in the measured database."""
    with session_scope(engine) as session:
        grant_role(session, BENCH_ADMIN, "admin", actor="bench")


def sign_in_admin(app: Any, _role: str = "admin") -> Any:
    """Make an AppTest run as the bench's administrator (ID token claims of OpenID Connect)."""
    app.secrets["auth"] = dict(OIDC_SECRETS)
    app.user = {
        "is_logged_in": True,
        "email": BENCH_ADMIN,
        "sub": "sub-bench-admin",
        "name": "bench.admin",
        "iat": int(time.time()),
    }
    return app
