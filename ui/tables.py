"""Tables of roadmap steps and governance actions, in French, for the pages.

Static tables (``st.table``) wrap long step texts instead of cutting them, which matters when
a committee reads them on a projector; their cells are Markdown, so every text goes through
``plain_cells`` (steps and actions are typed by people or imported). Every table names the step
id (DO-03…), since actions and discussions refer to steps by it; overdue actions and late steps
are highlighted with their days late.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from charts.csv_export import columns_csv
from data_access.governance import ActionView
from data_access.roadmap import StepView
from formatting import format_date, format_days_late
from metrics.roadmap import days_late, is_late
from ui.auth import audited_download
from ui.plain_text import plain_cells

LATE_BACKGROUND = "background-color: #fee9e6"  # DSFR « error » light tint
NO_WRAP = {"white-space": "nowrap"}


def data_table(
    columns: Mapping[str, Sequence[Any]], *, file_stem: str, key: str, download: bool = True
) -> None:
    """An interactive table, and its download through the project's formula-safe CSV.

    Streamlit's own toolbar download is switched off (``client.disableDataExport`` in
    ``.streamlit/config.toml`` and in ``app.py``): it writes cells as they are, so a comment or
    an imported name reading « =HYPERLINK(…) » would run in the reader's spreadsheet. This
    button writes the same table with such cells neutralised, in the CSV dialect Excel opens
    in French. ``download=False`` where the page offers its own (audited) download of the
    same rows. The download is an export: clicking it writes an audit row."""
    st.dataframe(dict(columns), hide_index=True, width="stretch")
    if not download:
        return
    st.download_button(
        "Télécharger le tableau (CSV)",
        data=audited_download(columns_csv(columns), f"tableau « {file_stem} » (CSV)"),
        file_name=f"{file_stem}.csv",
        mime="text/csv",
        key=f"table-csv-{key}",
        on_click="ignore",
        icon=":material/download:",
    )


def _highlighted(frame: pd.DataFrame, late: Sequence[bool], no_wrap: str) -> Any:
    """The frame styled: late rows on a light red background, ``no_wrap`` column kept whole."""
    return frame.style.apply(
        lambda row: [LATE_BACKGROUND if late[row.name] else ""] * len(row), axis=1
    ).set_properties(subset=[no_wrap], **NO_WRAP)


def steps_table(steps: Sequence[StepView], as_of: dt.date | None = None) -> None:
    """Id, axis, step, due date, owners and status of roadmap steps; with ``as_of``, late ones
    are highlighted and say how many days late they are (« en retard de 12 jours »)."""
    columns: dict[str, list[Any]] = {
        "Id": [s.step_id for s in steps],
        "Axe": [s.axis for s in steps],
        "Étape": [s.step for s in steps],
        "Échéance": [s.due_label or format_date(s.due_date) for s in steps],
        "Date": [format_date(s.due_date) for s in steps],
        "Responsables": [", ".join(s.owners) for s in steps],
        "Statut": [s.status_label for s in steps],
    }
    if as_of is not None:
        columns["Retard"] = [step_late_text(s, as_of) for s in steps]
    frame = pd.DataFrame(plain_cells(columns))
    if as_of is None:
        st.table(frame.style.set_properties(subset=["Id"], **NO_WRAP), hide_index=True)
        return
    st.table(_highlighted(frame, [is_late(s, as_of) for s in steps], "Id"), hide_index=True)


def step_late_text(step: StepView, as_of: dt.date) -> str:
    """« en retard de 12 jours » for a late step, else empty."""
    days = days_late(step, as_of)
    return format_days_late(days) if days else ""


def late_text(action: ActionView, as_of: dt.date) -> str:
    """« en retard de 12 jours » for an overdue action, else empty."""
    days = action.days_late(as_of)
    return format_days_late(days) if days else ""


def actions_table(actions: Sequence[ActionView], as_of: dt.date | None = None) -> None:
    """Decisions and actions with number, owner, due date, status, linked step and meeting;
    with ``as_of``, overdue ones are highlighted and say how many days late they are."""
    columns: dict[str, list[Any]] = {
        "N°": [a.id for a in actions],
        "Type": ["Décision" if a.kind == "decision" else "Action" for a in actions],
        "Libellé": [a.text for a in actions],
        "Responsable": [a.owner_label for a in actions],
        "Échéance": [format_date(a.due_date) for a in actions],
        "Statut": [a.status_label for a in actions],
        "Étape": [a.step_id or "—" for a in actions],
        "Instance du": [format_date(a.meeting_date) for a in actions],
    }
    frame = pd.DataFrame(plain_cells(columns))
    if as_of is None:
        st.table(frame.style.set_properties(subset=["Étape"], **NO_WRAP), hide_index=True)
        return
    frame.insert(5, "Retard", [late_text(a, as_of) for a in actions])
    st.table(_highlighted(frame, [a.is_late(as_of) for a in actions], "Étape"), hide_index=True)
