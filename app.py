"""Entry point of the dashboard: context, sign-in, demo banner, navigation by role.

Run with ``streamlit run app.py`` (or ``make run``). Pages hold layout only; they read the
shared scope bar (``ui/scope_bar.py``), call ``metrics/`` and render ``charts/`` through the
chart block (``ui/chart_block.py``).

Register a page with one line in ``PAGES``: ``page("fichier.py", "Titre", ":material/icone:",
roles=...)`` (``ui/navigation.py``); ``roles`` defaults to every role, ``EDITORS`` are the
``pilotage`` and ``admin`` roles, ``ADMINS`` the administrators only. A bare ``st.Page`` is
allowed for every role. Nothing is drawn before sign-in: on a database that is not the demo,
without sign-in configured, the only page is the one saying how to configure it. Opening a
page listed in ``SENSITIVE_PAGES`` is written to the audit log.
"""

from __future__ import annotations

import streamlit as st

# First, before any other project import: concurrent first sessions must not import modules
# in parallel (see ui/preload.py).
import ui.preload  # noqa: F401
from data_access.inventory import is_demo_database
from ui.accessibility import page_setup
from ui.auth import ADMINS, ALL_ROLES, EDITORS, audit, sign_in  # noqa: F401 (roles for PAGES)
from ui.context import get_context
from ui.freshness import freshness_warning
from ui.navigation import page, pages_for_role

st.set_page_config(page_title="Pilotage RSA", page_icon="📊", layout="wide")
page_setup()
# Also when started without the project's .streamlit/config.toml: table downloads go through
# our formula-safe CSV button only (ui/tables.py), never through the table toolbar.
st.set_option("client.disableDataExport", True)

context = get_context()
role = sign_in(context)
if context.settings.demo_banner or (
    context.settings.demo_banner is None and is_demo_database(context.engine)
):
    st.warning("**Données de démonstration** : chiffres synthétiques, aucune personne réelle.")
freshness_warning(context.engine)

PAGES = {
    "Pilotage": [
        page("vue_ensemble.py", "Vue d'ensemble", ":material/dashboard:", default=True),
        page("point_hebdomadaire.py", "Point hebdomadaire", ":material/event_repeat:"),
        page("comite.py", "Comité de suivi", ":material/groups:"),
    ],
    "Parcours des bénéficiaires": [
        page("convocation.py", "Convocation et rendez-vous", ":material/mail:"),
        page("orientation.py", "Orientation", ":material/explore:"),
        page("contrats.py", "Contrats et accompagnement", ":material/handshake:"),
    ],
    "Feuille de route et instances": [
        page("feuille_de_route.py", "Feuille de route", ":material/route:"),
        page("instances.py", "Instances", ":material/event:"),
    ],
    "Partenaires et entreprises": [
        page("offre_partenaires.py", "Offre partenaires", ":material/map:"),
        page("entreprises.py", "Entreprises", ":material/factory:"),
    ],
    "Données": [
        page("donnees.py", "Données disponibles", ":material/database:"),
        page("methodologie.py", "Méthodologie", ":material/menu_book:"),
        page("qualite.py", "Qualité des données", ":material/fact_check:"),
        page("imports.py", "Imports", ":material/upload_file:", roles=ADMINS),
        page("accessibilite.py", "Accessibilité", ":material/accessibility:"),
    ],
    "Administration": [
        page("utilisateurs.py", "Utilisateurs", ":material/manage_accounts:", roles=ADMINS),
        page("journal.py", "Journal d'audit", ":material/history:", roles=ADMINS),
    ],
}
SENSITIVE_PAGES = {"imports", "utilisateurs", "journal", "qualite"}

current = st.navigation(pages_for_role(PAGES, role), expanded=True)
if current.url_path in SENSITIVE_PAGES and st.session_state.get("audit_page") != current.url_path:
    audit("page_view", current.title, engine=context.engine)
st.session_state["audit_page"] = current.url_path
current.run()
