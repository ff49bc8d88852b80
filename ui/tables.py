"""Tables of roadmap steps and governance actions, in French, for the pages.

Static tables (``st.table``) wrap long step texts instead of cutting them, which matters when
a committee reads them on a projector. Every table names the step id (DO-03…), since actions
and discussions refer to steps by it; overdue actions are highlighted with their days late.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
import streamlit as st

from data_access.governance import ActionView
from data_access.roadmap import StepView
from formatting import format_date

LATE_BACKGROUND = "background-color: #fee9e6"  # DSFR « error » light tint


NO_WRAP = {"white-space": "nowrap"}


def steps_table(steps: Sequence[StepView]) -> None:
    """Id, axis, step, due date, owners and status of roadmap steps."""
    frame = pd.DataFrame(
        {
            "Id": [s.step_id for s in steps],
            "Axe": [s.axis for s in steps],
            "Étape": [s.step for s in steps],
            "Échéance": [s.due_label or format_date(s.due_date) for s in steps],
            "Date": [format_date(s.due_date) for s in steps],
            "Responsables": [", ".join(s.owners) for s in steps],
            "Statut": [s.status_label for s in steps],
        }
    )
    st.table(frame.style.set_properties(subset=["Id"], **NO_WRAP), hide_index=True)


def late_text(action: ActionView, as_of: dt.date) -> str:
    """« 12 j de retard » for an overdue action, else empty."""
    days = action.days_late(as_of)
    return f"{days} j de retard" if days else ""


def actions_table(actions: Sequence[ActionView], as_of: dt.date | None = None) -> None:
    """Decisions and actions with number, owner, due date, status, linked step and meeting;
    with ``as_of``, overdue ones are highlighted and say how many days late they are."""
    frame = pd.DataFrame(
        {
            "N°": [a.id for a in actions],
            "Type": ["Décision" if a.kind == "decision" else "Action" for a in actions],
            "Libellé": [a.text for a in actions],
            "Responsable": [a.owner_label for a in actions],
            "Échéance": [format_date(a.due_date) for a in actions],
            "Statut": [a.status_label for a in actions],
            "Étape": [a.step_id or "—" for a in actions],
            "Instance du": [format_date(a.meeting_date) for a in actions],
        }
    )
    if as_of is None:
        st.table(frame.style.set_properties(subset=["Étape"], **NO_WRAP), hide_index=True)
        return
    frame.insert(5, "Retard", [late_text(a, as_of) for a in actions])
    late = [a.is_late(as_of) for a in actions]
    styled = frame.style.apply(
        lambda row: [LATE_BACKGROUND if late[row.name] else ""] * len(row), axis=1
    ).set_properties(subset=["Étape"], **NO_WRAP)
    st.table(styled, hide_index=True)
