"""The warning shown on every page when a source has not been imported for over a week.

Why: a committee reading last month's figures as this week's takes wrong decisions; the
banner says which source is late and since when, computed by ``metrics/quality.py``.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st
from sqlalchemy import Engine

from data_access.exceptions import DataAccessError
from metrics.quality import FRESHNESS_DAYS, stale_sources
from ui.metrics_cache import render_version


@st.cache_data(ttl=600, show_spinner=False, max_entries=16)
def _stale(url: str, version: str, today: dt.date, _engine: Engine) -> list[tuple[str, int]]:
    """(source label, days) of late sources; cached per database, data version and day."""
    return [(item.label, item.days) for item in stale_sources(_engine, today)]


def freshness_warning(engine: Engine) -> None:
    """Show « Données anciennes » when a source's last import is older than 7 days."""
    try:
        late = _stale(
            engine.url.render_as_string(hide_password=True),
            render_version(engine),
            dt.date.today(),
            engine,
        )
    except DataAccessError:
        return
    if late:
        sources = ", ".join(f"{label} (dernier import il y a {days} jours)" for label, days in late)
        st.warning(
            f"**Données anciennes** : {sources}. Au-delà de {FRESHNESS_DAYS} jours, les "
            "indicateurs ne reflètent plus les dernières semaines ; voir « Qualité des données »."
        )
