"""Sign-in and roles: who may read, who may edit the roadmap, who may import.

Three roles, each including the rights of the one before:
- ``lecture``: préfet, PCD, partners; they read every dashboard page;
- ``chef_de_projet``: project leads; they also edit the roadmap and governance records;
- ``administrateur``: they also import data.

How a person gets a role depends on ``PILOTAGE_AUTH_MODE``:
- ``demo``: a selector in the sidebar, no password (demo databases and local use);
- ``password``: one password per role, stored as a PBKDF2 hash in the settings
  (``pilotage hash-password`` prints one), checked with a constant-time comparison;
- ``header``: a reverse proxy that already authenticated the person passes the role in an HTTP
  header (``PILOTAGE_AUTH_HEADER``); the app trusts it and shows no form.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

import streamlit as st

from settings import Settings

ROLES: tuple[str, ...] = ("lecture", "chef_de_projet", "administrateur")
ROLE_LABELS = {
    "lecture": "Lecture (préfet, PCD, partenaires)",
    "chef_de_projet": "Chef de projet",
    "administrateur": "Administrateur",
}
ALL_ROLES: tuple[str, ...] = ROLES
EDITORS: tuple[str, ...] = ("chef_de_projet", "administrateur")
ADMINS: tuple[str, ...] = ("administrateur",)

SESSION_KEY = "auth_role"
_HASH_SCHEME = "pbkdf2_sha256"
_ITERATIONS = 260_000


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """A PBKDF2-SHA256 hash ``pbkdf2_sha256$iterations$salt$digest`` to put in the settings."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, _ITERATIONS)
    encode = base64.urlsafe_b64encode
    return f"{_HASH_SCHEME}${_ITERATIONS}${encode(salt).decode()}${encode(digest).decode()}"


def verify_password(password: str, stored: str | None) -> bool:
    """True when ``password`` matches ``stored``; a malformed or missing hash never matches."""
    if not stored:
        return False
    try:
        scheme, iterations, salt, digest = stored.split("$")
        if scheme != _HASH_SCHEME:
            return False
        expected = base64.urlsafe_b64decode(digest)
        actual = hashlib.pbkdf2_hmac(
            "sha256", password.encode("utf-8"), base64.urlsafe_b64decode(salt), int(iterations)
        )
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)


def role_for_password(settings: Settings, password: str, role: str) -> str | None:
    """The role if the password matches that role's hash, else None."""
    stored = getattr(settings, f"auth_password_{role}", None)
    return role if role in ROLES and verify_password(password, stored) else None


def allowed(role: str | None, roles: tuple[str, ...]) -> bool:
    """True when ``role`` is one of ``roles``."""
    return role is not None and role in roles


def current_role() -> str | None:
    """The role of the person using this session, or None before sign-in."""
    return st.session_state.get(SESSION_KEY)


def can_edit_roadmap() -> bool:
    """Project leads and administrators edit the roadmap and governance records."""
    return allowed(current_role(), EDITORS)


def can_import() -> bool:
    """Only administrators import data."""
    return allowed(current_role(), ADMINS)


def _header_role(settings: Settings) -> str | None:
    value = (st.context.headers.get(settings.auth_header) or "").strip().lower()
    return value if value in ROLES else None


def _remember_demo_role() -> None:
    st.session_state[SESSION_KEY] = st.session_state["auth_demo_role"]


def _demo_selector() -> str:
    """The role selector of demo mode.

    The role lives in a plain session key; the widget is re-seeded from it on every run, so
    moving between pages (which may drop a widget's own state) never changes the role.
    """
    role = st.session_state.get(SESSION_KEY) or "administrateur"
    st.session_state[SESSION_KEY] = role
    st.session_state["auth_demo_role"] = role
    st.sidebar.selectbox(
        "Rôle (démonstration)",
        ROLES,
        format_func=ROLE_LABELS.__getitem__,
        help="Mode démonstration : choisissez un rôle pour voir ce qu'il permet, sans mot "
        "de passe.",
        key="auth_demo_role",
        on_change=_remember_demo_role,
    )
    return role


def _password_form(settings: Settings) -> None:
    st.title("Connexion")
    st.write(
        "Pilotage RSA : choisissez votre rôle et saisissez le mot de passe qui lui est associé."
    )
    with st.form("sign_in"):
        role = st.selectbox("Rôle", ROLES, format_func=ROLE_LABELS.__getitem__)
        password = st.text_input("Mot de passe", type="password")
        submitted = st.form_submit_button("Se connecter", type="primary")
    if submitted:
        if role_for_password(settings, password, role):
            st.session_state[SESSION_KEY] = role
            st.rerun()
        st.error("Mot de passe incorrect pour ce rôle.")


def _sign_out_button() -> None:
    if st.sidebar.button("Se déconnecter", key="auth_sign_out"):
        st.session_state.pop(SESSION_KEY, None)
        st.rerun()


def sign_in(settings: Settings) -> str:
    """The role of this session; shows the sign-in form and stops the script until there is one."""
    if settings.auth_mode == "demo":
        return _demo_selector()
    if settings.auth_mode == "header":
        role = _header_role(settings)
        if role is None:
            st.error(
                f"Accès refusé : le mandataire d'authentification n'a pas transmis de rôle "
                f"reconnu (en-tête {settings.auth_header})."
            )
            st.stop()
        st.session_state[SESSION_KEY] = role
        st.sidebar.caption(f"Connecté : {ROLE_LABELS[role]}")
        return role
    role = current_role()
    if role is None:
        _password_form(settings)
        st.stop()
    st.sidebar.caption(f"Connecté : {ROLE_LABELS[role]}")
    _sign_out_button()
    return role
