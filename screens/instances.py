"""« Instances »: the governance calendar, decisions, open actions, and forms to record them.

Weekly points and follow-up committees are where the roadmap moves; this page keeps their
trace (date, institutions present, decisions, actions with owner and due date) so the next
meeting starts from what was agreed. Project leads record meetings and actions here.
"""

import datetime as dt

import streamlit as st

from charts.csv_export import table_csv
from charts.roadmap_timeline import calendar_table, governance_calendar
from data_access.exceptions import DataAccessError
from data_access.governance import (
    ACTION_KIND_LABELS,
    ACTION_STATUS_LABELS,
    MEETING_KIND_LABELS,
    change_action_status,
    list_actions,
    list_meetings,
    open_actions,
    record_action,
    record_meeting,
)
from data_access.roadmap import list_steps
from data_access.schema import ACTION_STATUSES, PARTIES
from formatting import format_date
from ui.auth import can_edit_roadmap
from ui.chart_block import figure_block
from ui.context import get_context
from ui.scope_bar import scope_bar, scope_caption
from ui.tables import actions_table

OTHER_INSTITUTIONS = ("ARS", "Préfecture", "DDETS")
FLASH_KEY = "instances_flash"

context = get_context()
scope = scope_bar(context)
today = dt.date.today()
as_of = scope.as_of
as_of_label = "Aujourd'hui" if as_of == today else f"Au {format_date(as_of)}"

st.title("Instances")
st.caption(
    f"Décisions et actions telles qu'enregistrées au {format_date(as_of)} ; périmètre conservé "
    f"pour les autres pages : {scope_caption()}"
)
st.caption(
    "Points hebdomadaires (CD, PE, État ; CAF, ARS, MSA ponctuellement), comités de suivi "
    "bimestriels co-présidés par le préfet et le PCD, groupes de travail."
)
if flash := st.session_state.pop(FLASH_KEY, None):
    st.success(flash)

meetings = list_meetings(context.engine)
steps = list_steps(context.engine)

st.subheader("Calendrier")
calendar = governance_calendar(meetings, steps, as_of, today_label=as_of_label)
figure_block(
    calendar,
    key="instances-calendar",
    file_stem="calendrier-instances",
    csv=table_csv(*calendar_table(meetings, steps)),
)
upcoming = [m for m in meetings if m.date >= as_of]
if upcoming:
    nxt = upcoming[-1]
    st.markdown(f"Prochaine instance : **{nxt.title}**, le {format_date(nxt.date)}.")

st.subheader("Actions ouvertes")
actions = open_actions(context.engine, as_of)
late = [a for a in actions if a.is_late(as_of)]
if actions:
    st.caption(
        f"{len(actions)} action(s) ouverte(s), dont {len(late)} en retard au {format_date(as_of)}."
    )
    actions_table(actions)
else:
    st.info("Aucune action ouverte.")

st.subheader("Décisions")
decisions = list_actions(context.engine, kind="decision", as_of=as_of)
if decisions:
    actions_table(sorted(decisions, key=lambda a: a.meeting_date or dt.date.min, reverse=True))
else:
    st.info("Aucune décision enregistrée.")

st.subheader("Réunions")
kinds = st.multiselect(
    "Type d'instance",
    list(MEETING_KIND_LABELS),
    default=list(MEETING_KIND_LABELS),
    format_func=MEETING_KIND_LABELS.__getitem__,
    key="instances_kinds",
)
shown = [m for m in meetings if m.kind in kinds]
if shown:
    st.dataframe(
        {
            "Date": [format_date(m.date) for m in shown],
            "Instance": [m.kind_label for m in shown],
            "Intitulé": [m.title for m in shown],
            "Institutions présentes": [", ".join(m.institutions) for m in shown],
        },
        hide_index=True,
        width="stretch",
    )
    labels = {m.id: f"{format_date(m.date)} — {m.title}" for m in shown}
    chosen = st.selectbox(
        "Relevé de décisions d'une réunion",
        list(labels),
        format_func=labels.__getitem__,
        key="instances_meeting",
    )
    meeting = next(m for m in shown if m.id == chosen)
    if meeting.notes:
        st.write(meeting.notes)
    records = list_actions(context.engine, meeting_id=chosen)
    if records:
        actions_table(records)
    else:
        st.caption("Aucune décision ni action pour cette réunion.")
else:
    st.info("Aucune réunion enregistrée.")

if not can_edit_roadmap():
    st.caption("Seuls les chefs de projet et les administrateurs enregistrent les instances.")
    st.stop()

st.subheader("Enregistrer")
left, right = st.columns(2)
with left, st.form("instances_new_meeting", clear_on_submit=True):
    st.markdown("**Nouvelle réunion**")
    kind = st.selectbox(
        "Type", list(MEETING_KIND_LABELS), format_func=MEETING_KIND_LABELS.__getitem__
    )
    date = st.date_input("Date", value=today, format="DD/MM/YYYY")
    title = st.text_input("Intitulé")
    present = st.multiselect(
        "Institutions présentes", list(PARTIES) + list(OTHER_INSTITUTIONS), default=["CD", "PE"]
    )
    notes = st.text_area("Notes")
    if st.form_submit_button("Enregistrer la réunion", type="primary"):
        try:
            record_meeting(context.engine, kind, date, title, present, notes)
        except DataAccessError as exc:
            st.error(str(exc))
        else:
            st.session_state[FLASH_KEY] = f"Réunion « {title} » enregistrée."
            st.rerun()

with right, st.form("instances_new_action", clear_on_submit=True):
    st.markdown("**Nouvelle décision ou action**")
    meeting_labels = {m.id: f"{format_date(m.date)} — {m.title}" for m in meetings}
    meeting_id = st.selectbox(
        "Réunion",
        [None, *meeting_labels],
        format_func=lambda i: "Hors réunion" if i is None else meeting_labels[i],
    )
    action_kind = st.selectbox(
        "Type", list(ACTION_KIND_LABELS), index=1, format_func=ACTION_KIND_LABELS.__getitem__
    )
    text = st.text_area("Libellé")
    owner = st.selectbox("Responsable", [None, *PARTIES], format_func=lambda p: p or "—")
    due = st.date_input("Échéance", value=None, format="DD/MM/YYYY")
    step_labels = {s.step_id: f"{s.step_id} — {s.step[:70]}" for s in steps}
    step_id = st.selectbox(
        "Étape liée", [None, *step_labels], format_func=lambda i: step_labels.get(i, "—")
    )
    if st.form_submit_button("Enregistrer", type="primary"):
        try:
            record_action(
                context.engine,
                text,
                kind=action_kind,
                meeting_id=meeting_id,
                owner=owner,
                due_date=due,
                step_id=step_id,
            )
        except DataAccessError as exc:
            st.error(str(exc))
        else:
            st.session_state[FLASH_KEY] = f"{ACTION_KIND_LABELS[action_kind]} enregistrée."
            st.rerun()

if actions:
    with st.form("instances_action_status"):
        st.markdown("**Mettre à jour une action**")
        action_labels = {a.id: f"{a.text[:80]} ({a.owner or '—'})" for a in actions}
        action_id = st.selectbox("Action", list(action_labels), format_func=action_labels.get)
        status = st.selectbox(
            "Statut", list(ACTION_STATUSES), format_func=ACTION_STATUS_LABELS.__getitem__
        )
        if st.form_submit_button("Mettre à jour"):
            try:
                change_action_status(context.engine, action_id, status)
            except DataAccessError as exc:
                st.error(str(exc))
            else:
                st.session_state[FLASH_KEY] = "Action mise à jour."
                st.rerun()
