"""Entry point of the dashboard: context, sign-in, demo banner, navigation by role.

Run with ``streamlit run app.py`` (or ``make run``). Pages hold layout only; they read the
shared scope bar (``ui/scope_bar.py``), call ``metrics/`` and render ``charts/`` through the
chart block (``ui/chart_block.py``).

Register a page with one line in ``PAGES``: ``page("fichier.py", "Titre", "icône",
roles=...)`` (``ui/navigation.py``); ``roles`` defaults to every role, ``EDITORS`` are the
project leads and administrators, ``ADMINS`` the administrators only. A bare ``st.Page`` is
allowed for every role.
"""

from __future__ import annotations

import streamlit as st

from data_access.inventory import is_demo_database
from ui.auth import ADMINS, ALL_ROLES, EDITORS, sign_in  # noqa: F401 (roles for PAGES)
from ui.context import get_context
from ui.freshness import freshness_warning
from ui.navigation import page, pages_for_role

st.set_page_config(page_title="Pilotage RSA", page_icon="📊", layout="wide")

context = get_context()
role = sign_in(context.settings)
if context.settings.demo_banner or (
    context.settings.demo_banner is None and is_demo_database(context.engine)
):
    st.warning("**Données de démonstration** : chiffres synthétiques, aucune personne réelle.")
freshness_warning(context.engine)

PAGES = {
    "Pilotage": [
        page("vue_ensemble.py", "Vue d'ensemble", "🏠", default=True),
        page("point_hebdomadaire.py", "Point hebdomadaire", "📅"),
        page("comite.py", "Comité de suivi", "🏛️"),
    ],
    "Parcours des bénéficiaires": [
        page("convocation.py", "Convocation et rendez-vous", "✉️"),
        page("orientation.py", "Orientation", "🧭"),
        page("contrats.py", "Contrats et accompagnement", "🤝"),
    ],
    "Feuille de route et instances": [
        page("feuille_de_route.py", "Feuille de route", "🗺️"),
        page("instances.py", "Instances", "🏛️"),
    ],
    "Partenaires et entreprises": [
        page("offre_partenaires.py", "Offre partenaires", "🧩"),
        page("entreprises.py", "Entreprises", "🏭"),
    ],
    "Données": [
        page("donnees.py", "Données disponibles", "🗄️"),
        page("methodologie.py", "Méthodologie", "📖"),
        page("qualite.py", "Qualité des données", "🩺"),
        page("imports.py", "Imports", "📥", roles=ADMINS),
    ],
}

st.navigation(pages_for_role(PAGES, role)).run()
