"""Every module the pages use, imported once, whole, before any page runs.

Streamlit runs each browser session's script in its own thread. On a server that has just
started, twenty sessions opening at once used to import pandas, numpy, plotly's trace classes
and our own modules for the first time in twenty threads, each entering from a different page:
when two threads enter a package's internal import cycle from opposite ends, Python breaks the
deadlock by handing one of them the partially initialised module, and the page fails with
« partially initialized module 'pandas' has no attribute 'Series' ».

``app.py`` imports this module before anything else. The first session imports it while every
other session waits on the same module lock, holding no other lock, so no cycle can form; when
they go on, everything below is complete in ``sys.modules`` and the imports pages and libraries
do later, including those inside functions, are plain look-ups.
"""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil

import babel.dates
import babel.numbers
import numpy
import openpyxl
import pandas
import plotly.graph_objects as go
import plotly.io
import pptx
import pyarrow
import sqlalchemy.dialects.postgresql.psycopg
import sqlalchemy.dialects.sqlite.pysqlite
import streamlit.dataframe_util

import charts
import data_access
import formatting
import metrics
import settings
import ui

_PACKAGES = (data_access, metrics, charts, ui)
_LAZY_THIRD_PARTY = (babel.dates, babel.numbers, numpy, openpyxl, pandas, plotly.io, pptx, pyarrow)
_DRIVERS = (sqlalchemy.dialects.postgresql.psycopg, sqlalchemy.dialects.sqlite.pysqlite)
_REFERENCED = (formatting, settings, streamlit.dataframe_util, *_LAZY_THIRD_PARTY, *_DRIVERS)


def _import_project_modules() -> None:
    """Every module of the project's packages, in a fixed order (migrations excepted: Alembic
    runs them as scripts)."""
    for package in _PACKAGES:
        for module in sorted(
            pkgutil.walk_packages(package.__path__, f"{package.__name__}."),
            key=lambda info: info.name,
        ):
            if ".migrations" not in module.name and module.name != __name__:
                importlib.import_module(module.name)


def _load_plotly_traces() -> None:
    """plotly imports each trace and layout class on first attribute access: do them all."""
    for name in go.__all__:
        getattr(go, name)


def _load_locale_data() -> None:
    """Babel reads its French locale file on first use."""
    formatting.format_int(1234)
    formatting.format_date(dt.date(2024, 3, 12))


_import_project_modules()
_load_plotly_traces()
_load_locale_data()
