"""Sign-in through the whole app: nothing visible on a real database without sign-in
configured, the demo chooser only on the demo, OpenID Connect identities mapped to roles in the
database, a polite refusal without a role, expired sessions, the proxy secret of header mode,
and each role sees exactly its pages and actions (checked again on the server)."""

from __future__ import annotations

import time

import pytest
import streamlit as st
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from data_access.schema import AuditEvent
from settings import get_settings
from tests.app.conftest import ROOT, TEST_USERS, sign_in_as

TIMEOUT = 120
# What each role finds in the menu, as page titles (the exact sets, not "at least").
READER_PAGES = {
    "Vue d'ensemble",
    "Point hebdomadaire",
    "Comité de suivi",
    "Convocation et rendez-vous",
    "Orientation",
    "Contrats et accompagnement",
    "Feuille de route",
    "Instances",
    "Offre partenaires",
    "Entreprises",
    "Données disponibles",
    "Méthodologie",
    "Qualité des données",
    "Accessibilité",
}
ADMIN_ONLY = {"Imports", "Utilisateurs", "Journal d'audit"}


def _app() -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)


def _texts(app: AppTest) -> str:
    parts = [e.value for e in (*app.title, *app.markdown, *app.error, *app.info, *app.warning)]
    return "\n".join(str(p) for p in parts)


def _menu(app: AppTest) -> set[str]:
    """Titles of the pages the last run's navigation registered (AppTest keeps them to resolve
    ``switch_page``)."""
    return {info.get("page_name", "") for info in app._registered_pages.values()}


def _audit(db, action: str | None = None) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    with db.engine.connect() as conn:
        query = select(AuditEvent.actor, AuditEvent.action, AuditEvent.detail)
        if action:
            query = query.where(AuditEvent.action == action)
        return list(conn.execute(query).all())


def _reset(monkeypatch, **env: str) -> None:  # type: ignore[no-untyped-def]
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    st.cache_resource.clear()


def test_real_database_without_sign_in_shows_only_the_configuration_page(empty_db):
    app = _app().run()
    assert not app.exception
    assert [t.value for t in app.title] == ["Connexion à configurer"]
    assert not app.metric and not app.dataframe and not app.get("plotly_chart")
    assert not app.sidebar.selectbox
    assert "secrets.toml" in _texts(app)


def test_demo_mode_is_refused_on_a_real_database(empty_db, monkeypatch):
    _reset(monkeypatch, PILOTAGE_AUTH_MODE="demo")
    app = _app()
    app.session_state["auth_role"] = "admin"
    app.run()
    assert not app.exception
    assert [t.value for t in app.title] == ["Connexion à configurer"]
    assert "base de démonstration" in _texts(app)
    assert not app.metric


def test_demo_chooser_on_the_demo_defaults_to_lecture(demo_db):
    app = _app().run()
    assert not app.exception
    selector = app.sidebar.selectbox(key="auth_demo_role")
    assert "Rôle" in selector.label
    assert selector.value == "lecture"
    assert selector.options == [
        "Lecture (préfet, PCD, partenaires)",
        "Pilotage (chefs de projet)",
        "Administration",
    ]


def test_old_role_names_still_work_in_the_demo(demo_db):
    app = _app()
    app.session_state["auth_role"] = "chef_de_projet"
    app.run()
    assert not app.exception
    assert app.sidebar.selectbox(key="auth_demo_role").value == "pilotage"


def test_oidc_login_page_before_sign_in(empty_db):
    app = _app()
    sign_in_as(app, "lecture")
    app.user = {"is_logged_in": False}
    app.run()
    assert not app.exception
    assert [t.value for t in app.title] == ["Connexion"]
    assert [b.label for b in app.button] == ["Se connecter avec votre compte professionnel"]
    assert not app.metric


def test_named_proconnect_provider_gets_its_button(empty_db):
    app = _app()
    app.secrets["auth"] = {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "x" * 40,
        "proconnect": {
            "client_id": "id",
            "client_secret": "s",
            "server_metadata_url": "http://127.0.0.1:9/api/v2/.well-known/openid-configuration",
        },
    }
    app.user = {"is_logged_in": False}
    app.run()
    assert [b.label for b in app.button] == ["Se connecter avec ProConnect"]


def test_signed_in_without_a_role_gets_a_polite_refusal_only(empty_db):
    app = sign_in_as(_app(), "inconnu@exemple.fr").run()
    assert not app.exception
    assert [t.value for t in app.title] == ["Accès non autorisé"]
    assert "aucun rôle" in _texts(app)
    assert not app.metric and not app.dataframe
    refusals = _audit(empty_db, "sign_in_refused")
    assert [r.actor for r in refusals] == ["inconnu@exemple.fr"]


def test_domain_grants_a_role(empty_db):
    app = sign_in_as(_app(), "quelquun@creuse.gouv.fr")
    app.run()
    assert [t.value for t in app.title] == ["Accès non autorisé"]  # no domain grant yet
    from data_access.access import grant_role
    from data_access.db import session_scope

    with session_scope(empty_db.engine) as session:
        grant_role(session, "@creuse.gouv.fr", "lecture", actor="tests")
    try:
        app = sign_in_as(_app(), "quelquun@creuse.gouv.fr").run()
        assert not app.exception
        assert [t.value for t in app.title] == ["Vue d'ensemble"]
    finally:
        with session_scope(empty_db.engine) as session:
            from data_access.access import revoke_role

            revoke_role(session, "@creuse.gouv.fr", actor="tests")


def test_first_administrator_from_the_settings(empty_db, monkeypatch):
    _reset(monkeypatch, PILOTAGE_ADMIN_EMAIL="Premiere.Admin@creuse.fr")
    app = sign_in_as(_app(), "premiere.admin@creuse.fr").run()
    assert not app.exception
    assert app.session_state["auth_role"] == "admin"


def test_expired_session_asks_to_sign_in_again(empty_db):
    app = sign_in_as(_app(), "lecture", iat=int(time.time()) - 9 * 3600).run()
    assert not app.exception
    assert [t.value for t in app.title] == ["Session expirée"]
    assert not app.metric
    assert [b.label for b in app.button] == ["Se reconnecter"]


def test_sign_in_is_audited_once_per_session(empty_db):
    app = sign_in_as(_app(), "pilotage").run()
    app.run()
    rows = [r for r in _audit(empty_db, "sign_in") if r.actor == TEST_USERS["pilotage"]]
    assert len(rows) == 1
    assert "pilotage" in rows[0].detail


@pytest.mark.parametrize(
    ("role", "pages"),
    [
        ("lecture", READER_PAGES),
        ("pilotage", READER_PAGES),
        ("admin", READER_PAGES | ADMIN_ONLY),
    ],
)
def test_each_role_sees_exactly_its_pages(empty_db, role, pages):
    app = sign_in_as(_app(), role).run()
    assert not app.exception
    assert app.session_state["auth_role"] == role
    assert _menu(app) == pages


@pytest.mark.parametrize(("role", "can_edit"), [("lecture", False), ("pilotage", True)])
def test_roadmap_form_only_for_pilotage(demo_db, role, can_edit):
    app = sign_in_as(_app(), role).run()
    app.switch_page("screens/feuille_de_route.py").run()
    assert not app.exception
    assert any(b.label == "Enregistrer" for b in app.get("form_submit_button")) is can_edit


@pytest.mark.parametrize("page", ["imports.py", "utilisateurs.py", "journal.py"])
def test_admin_pages_check_the_role_themselves(empty_db, page):
    """A page opened without going through the menu still refuses a reader."""
    app = AppTest.from_file(str(ROOT / "screens" / page), default_timeout=TIMEOUT)
    app.session_state["auth_role"] = "lecture"
    app.run()
    assert not app.exception
    assert [e.value for e in app.error] == ["Action réservée aux administrateurs."]
    assert not app.dataframe and not app.button


def test_sensitive_page_view_is_audited(empty_db):
    app = sign_in_as(_app(), "admin").run()
    app.switch_page("screens/journal.py").run()
    assert not app.exception
    assert [t.value for t in app.title] == ["Journal d'audit"]
    views = [r for r in _audit(empty_db, "page_view") if r.actor == TEST_USERS["admin"]]
    assert [r.detail for r in views][-1:] == ["Journal d'audit"]


def test_header_mode_refuses_a_request_without_the_proxy_secret(empty_db, monkeypatch):
    _reset(
        monkeypatch,
        PILOTAGE_AUTH_MODE="header",
        PILOTAGE_AUTH_HEADER_SECRET="secret-partage-du-mandataire-0123456789",
    )
    app = _app().run()  # AppTest sends no header at all, like a browser without the proxy
    assert not app.exception
    assert [t.value for t in app.title] == ["Accès refusé"]
    assert not app.metric


def test_proxy_email_needs_the_exact_secret():
    from tests.conftest import make_settings
    from ui.auth import proxy_email

    settings = make_settings(
        "sqlite://",
        auth_mode="header",
        auth_header_secret="secret-partage-du-mandataire-0123456789",
    )
    forged = {"X-Pilotage-User": TEST_USERS["admin"], "X-Pilotage-Role": "administrateur"}
    assert proxy_email(settings, forged)[0] is None
    wrong = {**forged, "X-Pilotage-Proxy-Secret": "secret-partage-du-mandataire-012345678X"}
    assert proxy_email(settings, wrong)[0] is None
    right = {**forged, "X-Pilotage-Proxy-Secret": "secret-partage-du-mandataire-0123456789"}
    assert proxy_email(settings, right) == (TEST_USERS["admin"], "")
    assert proxy_email(make_settings("sqlite://", auth_mode="header"), right)[0] is None


def test_header_mode_without_a_secret_is_not_configured(empty_db, monkeypatch):
    _reset(monkeypatch, PILOTAGE_AUTH_MODE="header")
    app = _app().run()
    assert [t.value for t in app.title] == ["Connexion à configurer"]


def test_id_token_without_issue_time_counts_as_expired(empty_db):
    app = sign_in_as(_app(), "lecture")
    app.user = {k: v for k, v in app.user.items() if k != "iat"}
    app.run()
    assert [t.value for t in app.title] == ["Session expirée"]
    assert not app.metric
