"""Tables of roadmap steps and governance actions, in French, for the pages.

Static tables (``st.table``) wrap long step texts instead of cutting them, which matters when
a committee reads them on a projector.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from data_access.governance import ActionView
from data_access.roadmap import StepView
from formatting import format_date

ACTION_STATUS_LABELS = {
    "ouverte": "ouverte",
    "en_cours": "en cours",
    "faite": "faite",
    "abandonnee": "abandonnée",
}


def steps_table(steps: Sequence[StepView]) -> None:
    """Axis, step, due date, owners and status of roadmap steps."""
    st.table(
        {
            "Axe": [s.axis for s in steps],
            "Étape": [s.step for s in steps],
            "Échéance": [s.due_label or format_date(s.due_date) for s in steps],
            "Date": [format_date(s.due_date) for s in steps],
            "Responsables": [", ".join(s.owners) for s in steps],
            "Statut": [s.status_label for s in steps],
        },
        hide_index=True,
    )


def actions_table(actions: Sequence[ActionView]) -> None:
    """Decisions and actions with owner, due date, status and the meeting they came from."""
    st.table(
        {
            "Type": ["Décision" if a.kind == "decision" else "Action" for a in actions],
            "Libellé": [a.text for a in actions],
            "Responsable": [a.owner or "—" for a in actions],
            "Échéance": [format_date(a.due_date) for a in actions],
            "Statut": [ACTION_STATUS_LABELS.get(a.status, a.status) for a in actions],
            "Instance du": [format_date(a.meeting_date) for a in actions],
        },
        hide_index=True,
    )
