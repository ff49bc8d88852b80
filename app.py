"""Entry point of the dashboard: context, demo banner, navigation.

Run with ``streamlit run app.py`` (or ``make run``). Pages hold layout only; they read the
shared scope, call ``metrics/`` and render ``charts/``.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from data_access.inventory import is_demo_database
from ui.context import get_context

PAGES_DIR = Path(__file__).resolve().parent / "pages"

st.set_page_config(page_title="Pilotage RSA", page_icon="📊", layout="wide")

context = get_context()
if context.settings.demo_banner or (
    context.settings.demo_banner is None and is_demo_database(context.engine)
):
    st.warning("**Données de démonstration** : chiffres synthétiques, aucune personne réelle.")

PAGES = {
    "Pilotage": [
        st.Page(
            str(PAGES_DIR / "donnees.py"),
            title="Données disponibles",
            icon="🗄️",
            url_path="donnees",
            default=True,
        ),
    ],
}

st.navigation(PAGES).run()
