"""Entry point of the dashboard: context, sign-in, demo banner, navigation by role.

Run with ``streamlit run app.py`` (or ``make run``). Pages hold layout only; they read the
shared scope bar (``ui/scope_bar.py``), call ``metrics/`` and render ``charts/`` through the
chart block (``ui/chart_block.py``).

Register a page with one line in ``PAGES``: ``page("fichier.py", "Titre", ":material/icone:",
roles=...)`` (``ui/navigation.py``); ``roles`` defaults to every role, ``EDITORS`` are the
project leads and administrators, ``ADMINS`` the administrators only. A bare ``st.Page`` is
allowed for every role.
"""

from __future__ import annotations

import streamlit as st

from data_access.inventory import is_demo_database
from ui.accessibility import page_setup
from ui.auth import ADMINS, ALL_ROLES, EDITORS, sign_in  # noqa: F401 (roles for PAGES)
from ui.context import get_context
from ui.freshness import freshness_warning
from ui.navigation import page, pages_for_role

st.set_page_config(page_title="Pilotage RSA", page_icon="📊", layout="wide")
page_setup()

context = get_context()
role = sign_in(context.settings)
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
}

st.navigation(pages_for_role(PAGES, role), expanded=True).run()
