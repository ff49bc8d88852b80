"""Sign-in and roles: who may read, who may edit the roadmap and governance, who administers.

Three roles, each including the rights of the one before (``data_access/access.py``):
``lecture`` (préfet, PCD, partners), ``pilotage`` (roadmap, meetings, decisions, actions),
``admin`` (imports, undo, users, audit log). A role belongs to a person: their e-mail address
or its domain is looked up in the database on every run, so a role taken away takes effect at
the next click.

How a person signs in (``PILOTAGE_AUTH_MODE``):
- ``oidc``: Streamlit's native OpenID Connect (``st.login``), configured in the ``[auth]``
  section of ``.streamlit/secrets.toml``; ProConnect in production, any OIDC provider the same
  way. The identity is completed from the userinfo endpoint when the ID token lacks the e-mail
  (``identity.py``); a session ends ``PILOTAGE_SESSION_HOURS`` after authentication;
- ``demo``: a role chooser without password, only on the demo database, ``lecture`` first;
- ``header``: a reverse proxy that authenticated the person passes their e-mail address in
  ``PILOTAGE_AUTH_HEADER`` and a shared secret in ``PILOTAGE_AUTH_SECRET_HEADER``; without the
  right secret nobody gets in;
- ``auto`` (default): ``oidc`` when ``[auth]`` exists, else ``demo`` on the demo database, else
  one page saying how to configure sign-in — and nothing else.

Per-role shared passwords were removed: a shared password names nobody in the audit log and
cannot be taken away from one person.

Screens check rights with ``has_role("pilotage")`` (a boolean, to show or hide a form) and
``require_role("admin")`` (stops the script with a French message) right before every write,
not only when the page opens: the check runs on the server on every run.
"""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Callable, Mapping
from typing import Any

import streamlit as st
from sqlalchemy import Engine

from data_access.access import ROLE_LABELS, ROLES, normalise_role, role_for_email, role_includes
from data_access.audit import record_audit
from data_access.db import get_engine, session_scope
from data_access.inventory import is_demo_database
from identity import Identity, IdentityError, complete_identity
from settings import Settings
from ui.context import AppContext, get_context
from ui.context import _settings as app_settings

ALL_ROLES: tuple[str, ...] = ROLES
EDITORS: tuple[str, ...] = ("pilotage", "admin")
ADMINS: tuple[str, ...] = ("admin",)

SESSION_KEY = "auth_role"
USER_KEY = "auth_user"
IDENTITY_KEY = "auth_identity"
AUDITED_KEY = "auth_audited_sign_in"
DEMO_USER = "démonstration"
PROVIDER_LABELS = {"proconnect": "ProConnect", "default": "votre compte professionnel"}
REQUIRED_LABELS = {
    "lecture": "aux personnes ayant un rôle sur le tableau de bord",
    "pilotage": "aux rôles pilotage et administration",
    "admin": "aux administrateurs",
}


# --- what the rest of the app calls ------------------------------------------------------


def current_role() -> str | None:
    """The role of the person using this session (current name), or None before sign-in."""
    return normalise_role(st.session_state.get(SESSION_KEY))


def current_user() -> str:
    """Who acts, for the audit log and the history: an e-mail address, or « démonstration »."""
    return st.session_state.get(USER_KEY) or DEMO_USER


def has_role(required: str) -> bool:
    """True when the signed-in person has at least ``required`` (lecture < pilotage < admin)."""
    return role_includes(current_role(), required)


def require_role(required: str) -> None:
    """Stop the script with a French message unless the person has at least ``required``.

    Call it at the top of a page and again right before any write it guards."""
    if not has_role(required):
        st.error(f"Action réservée {REQUIRED_LABELS.get(required, 'à un autre rôle')}.")
        st.stop()


def allowed(role: str | None, roles: tuple[str, ...]) -> bool:
    """True when ``role`` (old names accepted) is one of ``roles``."""
    value = normalise_role(role)
    return value is not None and value in {normalise_role(r) for r in roles}


def can_edit_roadmap() -> bool:
    """Pilotage and administrators edit the roadmap and governance records."""
    return has_role("pilotage")


def can_import() -> bool:
    """Only administrators import data."""
    return has_role("admin")


def audit(action: str, detail: str = "", *, engine: Engine | None = None) -> None:
    """Write one audit row for the signed-in person (never a beneficiary's data in ``detail``)."""
    with session_scope(engine or _engine()) as session:
        record_audit(session, current_user(), action, detail)


def _engine() -> Engine:
    """The process's engine, without the connection checks of ``get_context`` (already done
    by the page that is running): download buttons are many on a page."""
    return get_engine(app_settings().database_url)


def audited_download(data: bytes | Callable[[], bytes], what: str) -> Callable[[], bytes]:
    """The ``data`` of a download button that writes an ``export`` audit row when clicked.

    Streamlit calls it on the server when the person clicks; the person and the scope (the
    page's query string) are taken now, while the script runs."""
    engine = _engine()
    actor = current_user()
    scope = scope_text()

    def produce() -> bytes:
        content = data() if callable(data) else data
        with session_scope(engine) as session:
            record_audit(session, actor, "export", f"{what} — {scope}")
        return content

    return produce


def scope_text() -> str:
    """The scope kept in the page's address, as « période=…, territoire=… » (or « défaut »)."""
    params = {k: v for k, v in st.query_params.items() if v}
    return ", ".join(f"{k}={v}" for k, v in sorted(params.items())) or "périmètre par défaut"


# --- sign-in ---------------------------------------------------------------------------------


def auth_secrets() -> dict[str, Any] | None:
    """The ``[auth]`` section of ``.streamlit/secrets.toml``, or None when there is none."""
    try:
        section = st.secrets.get("auth")
    except Exception:  # no secrets file at all: Streamlit raises on first access
        return None
    return dict(section) if section else None


def providers(section: dict[str, Any]) -> list[str]:
    """Named providers (``[auth.proconnect]``…), or ``default`` for a flat ``[auth]``."""
    named = [k for k, v in section.items() if isinstance(v, Mapping) and "client_id" in v]
    return named or ["default"]


def sign_in_mode(settings: Settings, engine: Engine) -> tuple[str | None, str]:
    """The sign-in mode to use, or None with the French reason why nobody may enter."""
    mode = settings.auth_mode
    oidc_ready = auth_secrets() is not None
    if mode in ("auto", "oidc") and oidc_ready:
        return "oidc", ""
    if mode == "oidc":
        return (
            None,
            "PILOTAGE_AUTH_MODE vaut oidc mais .streamlit/secrets.toml n'a pas de section [auth].",
        )
    if mode == "header":
        if not settings.auth_header_secret:
            return (
                None,
                "PILOTAGE_AUTH_MODE vaut header mais PILOTAGE_AUTH_HEADER_SECRET "
                "(secret partagé avec le mandataire) n'est pas défini.",
            )
        return "header", ""
    if is_demo_database(engine):
        return "demo", ""
    if mode == "demo":
        return (
            None,
            "Le choix du rôle sans mot de passe (PILOTAGE_AUTH_MODE=demo) n'est "
            "possible que sur la base de démonstration.",
        )
    return None, "Aucune connexion n'est configurée et la base n'est pas celle de démonstration."


def _configuration_page(reason: str) -> None:
    st.title("Connexion à configurer")
    st.write(
        "Ce tableau de bord n'affiche aucune donnée tant que la connexion des utilisateurs n'est "
        "pas configurée."
    )
    st.info(reason)
    st.markdown(
        "Pour ouvrir l'accès aux agents avec **ProConnect** (ou tout autre fournisseur "
        "OpenID Connect), l'administrateur du serveur :\n\n"
        "1. crée le fichier `.streamlit/secrets.toml` à côté de `app.py` avec une section "
        "`[auth]` (exemple ci-dessous, valeurs fournies par ProConnect lors de "
        "l'inscription du service) ;\n"
        "2. désigne le premier administrateur : `PILOTAGE_ADMIN_EMAIL=prenom.nom@departement.fr` "
        "ou `pilotage users add prenom.nom@departement.fr admin` ;\n"
        "3. redémarre le tableau de bord. Le détail est dans le README, section « Mise en "
        "production »."
    )
    st.code(
        '[auth]\nredirect_uri = "https://pilotage.departement.fr/oauth2callback"\n'
        'cookie_secret = "une longue chaîne aléatoire"\n'
        'expose_tokens = ["id", "access"]\n\n'
        "[auth.proconnect]\n"
        'client_id = "…"\nclient_secret = "…"\n'
        'server_metadata_url = "https://auth.agentconnect.gouv.fr/api/v2/.well-known/openid-configuration"\n'
        'client_kwargs = { scope = "openid email given_name usual_name siret uid", '
        'prompt = "login" }',
        language="toml",
    )


def _login_page(section: dict[str, Any], notice: str | None = None) -> None:
    st.title("Connexion")
    if notice:
        st.info(notice)
    st.write(
        "Pilotage RSA est réservé aux agents et partenaires du département. Connectez-vous avec "
        "votre compte professionnel."
    )
    for provider in providers(section):
        label = PROVIDER_LABELS.get(provider, provider)
        if st.button(f"Se connecter avec {label}", type="primary", key=f"auth_login_{provider}"):
            st.login() if provider == "default" else st.login(provider)


def _authenticated_at(user: dict[str, Any]) -> dt.datetime | None:
    """When the ID token was issued, i.e. when the person signed in to the dashboard (not
    ``auth_time``: with single sign-on that is the provider's older session, and an old one
    would expire every new sign-in at once)."""
    stamp = user.get("iat")
    try:
        return dt.datetime.fromtimestamp(int(stamp), dt.UTC) if stamp else None
    except (TypeError, ValueError, OverflowError):
        return None


@st.cache_resource(show_spinner=False)
def _identities() -> dict[str, Identity]:
    """Identities completed in this server process, keyed by provider, subject and sign-in time:
    a second tab of the same sign-in needs no userinfo call (ProConnect's access token lives
    60 seconds). The keys come from Streamlit's signed cookie, so they cannot be forged."""
    return {}


def _oidc_identity(user: dict[str, Any], section: dict[str, Any], oldest: dt.datetime) -> Identity:
    provider = str(user.get("provider") or "default")
    key = f"{provider}|{user.get('sub')}|{user.get('iat')}"
    cache = _identities()
    if key in cache:
        return cache[key]
    for stale in [k for k in cache if _key_time(k) < oldest]:  # sessions over: forget them
        cache.pop(stale, None)
    config = section if provider == "default" else dict(section.get(provider) or {})
    try:
        access_token = st.user.tokens.get("access")
    except Exception:  # tokens not exposed: identity must then be complete in the ID token
        access_token = None
    identity = complete_identity(
        user,
        access_token=access_token,
        server_metadata_url=config.get("server_metadata_url"),
        client_id=config.get("client_id"),
    )
    cache[key] = identity
    return identity


def _key_time(key: str) -> dt.datetime:
    try:
        return dt.datetime.fromtimestamp(int(key.rsplit("|", 1)[1]), dt.UTC)
    except (ValueError, OverflowError):
        return dt.datetime.min.replace(tzinfo=dt.UTC)


def _sign_out_button(label: str) -> None:
    # The name comes from the identity provider: shown as plain text, never as Markdown.
    st.sidebar.text(f"Connecté : {label}")
    if st.sidebar.button("Se déconnecter", key="auth_sign_out"):
        audit("sign_out")
        for key in (SESSION_KEY, USER_KEY, IDENTITY_KEY, AUDITED_KEY):
            st.session_state.pop(key, None)
        st.logout()


def _refusal(identity_label: str) -> None:
    st.title("Accès non autorisé")
    st.write(
        "Bonjour, vous êtes bien connecté(e), mais aucun rôle ne vous a été attribué sur le "
        "tableau de bord de pilotage du RSA. Si vous pensez devoir y accéder, demandez à un "
        "administrateur du tableau de bord de vous ajouter en lui indiquant l'adresse "
        "ci-dessous ; merci de votre compréhension."
    )
    st.text(f"Adresse utilisée : {identity_label}")
    if st.button("Se déconnecter", key="auth_refused_sign_out"):
        st.logout()


def _remember(context: AppContext, email: str, role: str | None, detail: str) -> None:
    """Keep the person and role in the session; audit the sign-in (or refusal) once."""
    st.session_state[USER_KEY] = email
    st.session_state[SESSION_KEY] = role
    stamp = f"{email}|{role}"
    if st.session_state.get(AUDITED_KEY) != stamp:
        st.session_state[AUDITED_KEY] = stamp
        action = "sign_in" if role else "sign_in_refused"
        audit(action, detail if role is None else f"rôle {role} — {detail}", engine=context.engine)


def _oidc(context: AppContext) -> str:
    section = auth_secrets() or {}
    if not st.user.is_logged_in:
        for key in (SESSION_KEY, USER_KEY):
            st.session_state.pop(key, None)
        _login_page(section)
        st.stop()
    user = st.user.to_dict()
    signed_in_at = _authenticated_at(user)
    oldest = dt.datetime.now(dt.UTC) - dt.timedelta(hours=context.settings.session_hours)
    # No authentication time (required in every ID token) counts as expired.
    if signed_in_at is None or signed_in_at < oldest:
        st.title("Session expirée")
        st.info(
            f"Votre session a duré plus de {context.settings.session_hours:g} heures : "
            "reconnectez-vous pour continuer."
        )
        if st.button("Se reconnecter", type="primary", key="auth_expired"):
            st.logout()
        st.stop()
    try:
        identity = _oidc_identity(user, section, oldest)
    except IdentityError as exc:
        st.title("Connexion impossible")
        st.error(str(exc))
        if st.button("Se déconnecter", key="auth_identity_sign_out"):
            st.logout()
        st.stop()
    role = role_for_email(context.engine, identity.email, context.settings.admin_email)
    siret = f", SIRET {identity.siret}" if identity.siret else ""
    _remember(context, identity.email, role, f"OpenID Connect{siret}")
    if role is None:
        _refusal(identity.email)
        st.stop()
    _sign_out_button(f"{identity.name} — {ROLE_LABELS[role]}")
    return role


def proxy_email(settings: Settings, headers: Mapping[str, str]) -> tuple[str | None, str]:
    """The e-mail address the reverse proxy vouches for, or None with the French reason.

    The proxy must send the shared secret on every request: a browser talking to the app
    directly cannot, so a forged address header alone gets nobody in. Each header must come
    once: a proxy that adds its own after the browser's would pass both, and Streamlit answers
    the first, the browser's."""
    repeated = [
        name
        for name in (settings.auth_secret_header, settings.auth_header)
        if len(_all_values(headers, name)) > 1
    ]
    if repeated:
        return None, (
            "Accès refusé : l'en-tête " + " et ".join(repeated) + " est reçu plusieurs fois ; "
            "le mandataire d'authentification doit remplacer celui du navigateur, pas s'y ajouter."
        )
    secret = headers.get(settings.auth_secret_header) or ""
    expected = settings.auth_header_secret or ""
    if not expected or not hmac.compare_digest(secret.encode(), expected.encode()):
        return None, (
            "Accès refusé : la requête ne vient pas du mandataire d'authentification "
            "configuré (secret absent ou incorrect)."
        )
    email = (headers.get(settings.auth_header) or "").strip().lower()
    if not email:
        return None, (
            f"Accès refusé : le mandataire d'authentification n'a pas transmis l'adresse de la "
            f"personne (en-tête {settings.auth_header})."
        )
    return email, ""


def _all_values(headers: Mapping[str, str], name: str) -> list[str]:
    """Every value of a header (Streamlit keeps repeated ones; a plain mapping has one)."""
    get_all = getattr(headers, "get_all", None)
    if callable(get_all):
        return list(get_all(name))
    value = headers.get(name)
    return [] if value is None else [value]


def _header(context: AppContext) -> str:
    email, reason = proxy_email(context.settings, st.context.headers)
    if email is None:
        st.title("Accès refusé")
        st.error(reason)
        st.stop()
    role = role_for_email(context.engine, email, context.settings.admin_email)
    _remember(context, email, role, "mandataire d'authentification")
    if role is None:
        _refusal(email)
        st.stop()
    st.sidebar.text(f"Connecté : {email} — {ROLE_LABELS[role]}")
    return role


def _remember_demo_role() -> None:
    st.session_state[SESSION_KEY] = st.session_state["auth_demo_role"]


def _demo_selector() -> str:
    """The role chooser of the demo database, ``lecture`` first.

    The role lives in a plain session key; the widget is re-seeded from it on every run, so
    moving between pages (which may drop a widget's own state) never changes the role."""
    role = current_role() or "lecture"
    st.session_state[SESSION_KEY] = role
    st.session_state[USER_KEY] = DEMO_USER
    st.session_state["auth_demo_role"] = role
    st.sidebar.selectbox(
        "Rôle (démonstration)",
        ROLES,
        format_func=ROLE_LABELS.__getitem__,
        help="Base de démonstration : choisissez un rôle pour voir ce qu'il permet, sans mot "
        "de passe. Sur une base réelle, la connexion passe par ProConnect.",
        key="auth_demo_role",
        on_change=_remember_demo_role,
    )
    return role


def sign_in(context: AppContext | Settings | None = None) -> str:
    """The role of this session; shows the sign-in (or configuration) page and stops the
    script until there is one."""
    if not isinstance(context, AppContext):
        context = get_context()
    mode, reason = sign_in_mode(context.settings, context.engine)
    if mode is None:
        for key in (SESSION_KEY, USER_KEY):
            st.session_state.pop(key, None)
        _configuration_page(reason)
        st.stop()
    if mode == "oidc":
        return _oidc(context)
    if mode == "header":
        return _header(context)
    return _demo_selector()
