"""The whole OpenID Connect sign-in in a real browser, against a provider started by the test
on loopback (``oidc-provider-mock``) made to behave like ProConnect: its ID token carries only
the subject, and its userinfo endpoint answers a JWT signed with the provider's key
(``application/jwt``) holding the e-mail, names and SIRET.

The dashboard runs with ``[auth]`` in a secrets file of its own working folder, on a demo
database where one agent has the ``lecture`` role: the agent signs in, reads the dashboard
without the administrators' pages, signs out through the provider's end-session endpoint; a
person without a role is politely refused. The audit log holds both sign-ins.
"""

from __future__ import annotations

import os
import secrets
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from data_access.access import grant_role
from data_access.db import make_engine, session_scope
from data_access.demo.generate import generate_demo
from data_access.initdb import init_database
from data_access.schema import AuditEvent
from tests.conftest import make_settings
from tests.e2e.app_utils import wait_for_app_loaded, wait_for_app_run
from tests.e2e.conftest import CHROMIUM, DEMO_AS_OF, ROOT, _unavailable_reason
from tests.served_app import free_port, served_app

AGENT = "agnes"
AGENT_CLAIMS = {
    "email": "Agnes.Martin@creuse.fr",
    "given_name": "Agnès",
    "usual_name": "Martin",
    "siret": "22230001800019",
    "uid": "4242",
}
CLIENT_ID = "pilotage-rsa-e2e"


def _proconnect_like(app, client_id: str) -> None:  # type: ignore[no-untyped-def]
    """ID tokens with the subject only; userinfo as a JWT signed with the provider's key."""
    import flask
    from joserfc import jwt
    from joserfc.jwk import RSAKey
    from oidc_provider_mock import _app as mock_app
    from oidc_provider_mock._storage import storage

    mock_app.OpenIDCode.generate_user_info = lambda self, user, scope: {"sub": user.sub}

    @app.after_request
    def sign_userinfo(response):  # type: ignore[no-untyped-def]
        if flask.request.path != "/userinfo" or response.status_code != 200:
            return response
        claims = {
            **response.get_json(),
            "iss": flask.request.host_url.rstrip("/"),
            "aud": client_id,
        }
        key = RSAKey.import_key(storage.jwk.as_dict(is_private=True))
        header = {"alg": "RS256", **({"kid": key.kid} if key.kid else {})}
        token = jwt.encode(header, claims, key)
        response.set_data(token)
        response.headers["Content-Type"] = "application/jwt"
        return response


@pytest.fixture(scope="module")
def provider_url() -> Iterator[str]:
    reason = _unavailable_reason()
    if reason:
        pytest.skip(reason)
    import werkzeug.serving
    from oidc_provider_mock import User, app

    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"  # plain http on loopback
    original = __import__("oidc_provider_mock._app", fromlist=["OpenIDCode"]).OpenIDCode
    saved = original.generate_user_info
    provider = app(user_claims=[User(sub=AGENT, claims=AGENT_CLAIMS)])
    _proconnect_like(provider, CLIENT_ID)
    server = werkzeug.serving.make_server("127.0.0.1", free_port(), provider, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        original.generate_user_info = saved


@pytest.fixture(scope="module")
def oidc_app(tmp_path_factory, provider_url: str, artifacts: Path) -> Iterator[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """The dashboard with ``[auth]`` configured, on a demo database; (app URL, database URL)."""
    folder = tmp_path_factory.mktemp("oidc")
    url_db = f"sqlite:///{folder / 'demo.sqlite'}"
    engine = make_engine(url_db)
    init_database(engine, make_settings(url_db))
    generate_demo(engine, make_settings(url_db), as_of=DEMO_AS_OF)
    with session_scope(engine) as session:
        grant_role(session, "agnes.martin@creuse.fr", "lecture", actor="tests")
    engine.dispose()
    port = free_port()
    (folder / ".streamlit").mkdir()
    shutil.copy(ROOT / ".streamlit" / "config.toml", folder / ".streamlit" / "config.toml")
    (folder / ".streamlit" / "secrets.toml").write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_urlsafe(32)}"\n'
        'expose_tokens = ["id", "access"]\n'
        f'client_id = "{CLIENT_ID}"\n'
        'client_secret = "secret-e2e"\n'
        f'server_metadata_url = "{provider_url}/.well-known/openid-configuration"\n'
        # ProConnect's scopes, plus « profile », which the mock needs to hand out given_name
        'client_kwargs = { scope = "openid email profile given_name usual_name siret uid", '
        'prompt = "login" }\n',
        encoding="utf-8",
    )
    log = artifacts / "streamlit-oidc.log"
    env = {
        **os.environ,
        "PILOTAGE_DATABASE_URL": url_db,
        "PILOTAGE_CHROMIUM_PATH": CHROMIUM,
        "PYTHONPATH": str(ROOT),
    }
    env.pop("PILOTAGE_AUTH_MODE", None)
    with served_app(env, log, port=port, cwd=folder) as url:
        yield url, url_db


@pytest.fixture
def tab(chromium) -> Iterator[Page]:  # type: ignore[no-untyped-def]
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()


def _sign_in(tab: Page, url: str, sub: str) -> None:
    tab.goto(url)
    wait_for_app_loaded(tab)
    wait_for_app_run(tab)
    expect(tab.get_by_role("heading", name="Connexion")).to_be_visible()
    expect(tab.get_by_test_id("stMetric")).to_have_count(0)
    tab.get_by_role("button", name="Se connecter avec votre compte professionnel").click()
    tab.wait_for_url("**/oauth2/authorize**")
    tab.locator("input[name=sub]").fill(sub)
    tab.get_by_role("button", name="Authorize").click()
    tab.wait_for_url(f"{url}/**")
    wait_for_app_loaded(tab)
    wait_for_app_run(tab)


def _audit(url_db: str) -> list[tuple[str, str, str | None]]:
    engine = make_engine(url_db)
    with engine.connect() as conn:
        rows = conn.execute(select(AuditEvent.actor, AuditEvent.action, AuditEvent.detail)).all()
    engine.dispose()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def test_agent_signs_in_with_a_signed_userinfo_reads_and_signs_out(oidc_app, tab, artifacts):
    url, url_db = oidc_app
    _sign_in(tab, url, AGENT)
    expect(tab.get_by_role("heading", name="Vue d'ensemble")).to_be_visible()
    sidebar = tab.get_by_test_id("stSidebar")
    expect(sidebar).to_contain_text("Agnès Martin — Lecture")
    nav = tab.get_by_test_id("stSidebarNav")
    expect(nav).to_contain_text("Méthodologie")
    expect(nav).not_to_contain_text("Imports")
    expect(nav).not_to_contain_text("Utilisateurs")
    expect(tab.get_by_test_id("stException")).to_have_count(0)
    tab.screenshot(path=str(artifacts / "oidc-signed-in.png"))
    assert (
        "agnes.martin@creuse.fr",
        "sign_in",
        "rôle lecture — OpenID Connect, SIRET 22230001800019",
    ) in _audit(url_db)

    sidebar.get_by_role("button", name="Se déconnecter").click()
    tab.wait_for_url("**/oauth2/end_session**")
    tab.get_by_role("button", name="End session").click()
    tab.wait_for_url(f"{url}/**")
    wait_for_app_loaded(tab)
    wait_for_app_run(tab)
    expect(tab.get_by_role("heading", name="Connexion")).to_be_visible()
    expect(tab.get_by_test_id("stMetric")).to_have_count(0)
    assert ("agnes.martin@creuse.fr", "sign_out", None) in _audit(url_db)


def test_person_without_a_role_is_politely_refused(oidc_app, tab, artifacts):
    url, url_db = oidc_app
    _sign_in(tab, url, "inconnu@exemple.fr")
    expect(tab.get_by_role("heading", name="Accès non autorisé")).to_be_visible()
    expect(tab.get_by_test_id("stMetric")).to_have_count(0)
    expect(tab.get_by_test_id("stSidebarNav")).to_have_count(0)
    tab.screenshot(path=str(artifacts / "oidc-refused.png"))
    assert any(
        actor == "inconnu@exemple.fr" and action == "sign_in_refused"
        for actor, action, _ in _audit(url_db)
    )
