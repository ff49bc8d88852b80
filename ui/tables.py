"""Tables of roadmap steps and governance actions, in French, for the pages.

Static tables (``st.table``) wrap long step texts instead of cutting them, which matters when
a committee reads them on a projector; their cells are Markdown, so every text goes through
``plain_cells`` (steps and actions are typed by people or imported).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import streamlit as st

from charts.csv_export import columns_csv
from data_access.governance import ActionView
from data_access.roadmap import StepView
from formatting import format_date
from ui.plain_text import plain_cells

ACTION_STATUS_LABELS = {
    "ouverte": "ouverte",
    "en_cours": "en cours",
    "faite": "faite",
    "abandonnee": "abandonnée",
}


def data_table(columns: Mapping[str, Sequence[Any]], *, file_stem: str, key: str) -> None:
    """An interactive table, and its download through the project's formula-safe CSV.

    Streamlit's own toolbar download is switched off (``client.disableDataExport`` in
    ``.streamlit/config.toml`` and in ``app.py``): it writes cells as they are, so a comment or
    an imported name reading « =HYPERLINK(…) » would run in the reader's spreadsheet. This
    button writes the same table with such cells neutralised, in the CSV dialect Excel opens
    in French."""
    st.dataframe(dict(columns), hide_index=True, width="stretch")
    st.download_button(
        "Télécharger le tableau (CSV)",
        data=columns_csv(columns),
        file_name=f"{file_stem}.csv",
        mime="text/csv",
        key=f"table-csv-{key}",
        on_click="ignore",
        icon=":material/download:",
    )


def steps_table(steps: Sequence[StepView]) -> None:
    """Axis, step, due date, owners and status of roadmap steps."""
    st.table(
        plain_cells(
            {
                "Axe": [s.axis for s in steps],
                "Étape": [s.step for s in steps],
                "Échéance": [s.due_label or format_date(s.due_date) for s in steps],
                "Date": [format_date(s.due_date) for s in steps],
                "Responsables": [", ".join(s.owners) for s in steps],
                "Statut": [s.status_label for s in steps],
            }
        ),
        hide_index=True,
    )


def actions_table(actions: Sequence[ActionView]) -> None:
    """Decisions and actions with owner, due date, status and the meeting they came from."""
    st.table(
        plain_cells(
            {
                "Type": ["Décision" if a.kind == "decision" else "Action" for a in actions],
                "Libellé": [a.text for a in actions],
                "Responsable": [a.owner or "—" for a in actions],
                "Échéance": [format_date(a.due_date) for a in actions],
                "Statut": [ACTION_STATUS_LABELS.get(a.status, a.status) for a in actions],
                "Instance du": [format_date(a.meeting_date) for a in actions],
            }
        ),
        hide_index=True,
    )
