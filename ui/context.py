"""The app's context: settings and engine, created once per server process.

A bad setting or a database that is down becomes a French message on the page (``st.error``
then ``st.stop``), never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from sqlalchemy import Engine

from data_access.db import check_connection, get_engine, has_schema
from data_access.exceptions import DataAccessError
from settings import Settings, SettingsError, load_settings


@dataclass(frozen=True)
class AppContext:
    """What every page needs: the settings and the engine."""

    settings: Settings
    engine: Engine


@st.cache_resource(show_spinner=False)
def _settings() -> Settings:
    return load_settings()


def current_settings() -> Settings:
    """The settings of the running app, for helpers drawn inside a page (labels that say the
    configured delays) once ``get_context`` has checked them."""
    return _settings()


def _prepare_default_database(engine: Engine, settings: Settings) -> None:
    """On the embedded default URL with no schema yet: create it and fill the demo."""
    from data_access.demo.generate import generate_demo
    from data_access.initdb import init_database

    with st.spinner("Première ouverture : création de la base de démonstration…"):
        init_database(engine, settings)
        generate_demo(engine, settings)


def get_context() -> AppContext:
    """Settings and engine, or a French error on the page and a stop."""
    try:
        settings = _settings()
    except SettingsError as exc:
        st.error(str(exc))
        st.stop()
    engine = get_engine(settings.database_url)
    try:
        # No address on the page: anyone may open it before signing in.
        check_connection(engine, with_url=False)
        if not has_schema(engine):
            if settings.is_default_database:
                _prepare_default_database(engine, settings)
            else:
                st.error(
                    "La base de données est vide : lancez « pilotage init-db » puis un import "
                    "(ou « pilotage demo »)."
                )
                st.stop()
    except DataAccessError as exc:
        st.error(str(exc))
        st.stop()
    return AppContext(settings=settings, engine=engine)
