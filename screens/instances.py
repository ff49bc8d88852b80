"""« Instances »: the governance calendar, decisions and actions, and forms to manage them.

Weekly points and follow-up committees are where the roadmap moves; this page keeps their
trace (date, institutions present, decisions, actions with owner, due date and linked step) so
the next meeting starts from what was agreed. Project leads record, edit, complete, reopen and
delete meetings and actions here; every form keeps what was typed through an error or a
conflict and is emptied after a successful save (ui/forms.py).
"""

import datetime as dt

import streamlit as st

from charts.roadmap_timeline import calendar_summary, calendar_table, governance_calendar
from data_access.exceptions import DataAccessError
from data_access.governance import (
    ACTION_KIND_LABELS,
    ACTION_STATUS_LABELS,
    MEETING_KIND_LABELS,
    OPEN_ACTION_STATUSES,
    ActionView,
    GovernanceConflictError,
    actions_to_close,
    change_action,
    change_action_status,
    change_meeting,
    list_actions,
    list_meetings,
    read_action,
    read_meeting,
    record_action,
    record_meeting,
    remove_action,
    remove_meeting,
)
from data_access.institutions import institution_names, institutions_for
from data_access.roadmap import list_steps
from data_access.schema import ACTION_STATUSES
from formatting import format_date
from ui.auth import audit, can_edit_roadmap, require_role
from ui.chart_block import figure_block
from ui.context import get_context
from ui.forms import NAME_HELP, NAME_KEY, clear, remembered_choice, seed
from ui.plain_text import escape_markdown, show_text
from ui.scope_bar import scope_bar, scope_caption
from ui.tables import actions_table, data_table

FLASH_KEY = "instances_flash"
SEEN_KEY = "instances_seen"
CONFLICT_KEY = "instances_conflicts"
DUE_FILTERS = {
    "toutes": "Toutes",
    "retard": "En retard",
    "7j": "Sous 7 jours",
    "30j": "Sous 30 jours",
    "sans": "Sans échéance",
}

context = get_context()
scope = scope_bar(context)
today = dt.date.today()
as_of = scope.as_of
as_of_label = "Aujourd'hui" if as_of == today else f"Au {format_date(as_of)}"
reference = institutions_for(context.settings)
institutions = list(institution_names(reference))
editor = can_edit_roadmap()

st.title("Instances")
st.caption(f"Périmètre conservé pour les autres pages : {scope_caption()}")
st.caption(
    "Points hebdomadaires (CD, France Travail, État ; CAF, ARS, MSA ponctuellement), comités de "
    "suivi bimestriels co-présidés par le préfet et le PCD, groupes de travail."
)
if flash := st.session_state.pop(FLASH_KEY, None):
    st.success(escape_markdown(flash))

meetings = list_meetings(context.engine)
meeting_by_id = {m.id: m for m in meetings}
steps = list_steps(context.engine)
step_labels = {s.step_id: f"{s.step_id} — {s.step[:70]}" for s in steps}
everything = list_actions(context.engine)
seen = st.session_state.setdefault(SEEN_KEY, {})
conflicts = st.session_state.setdefault(CONFLICT_KEY, {})


def _user() -> str:
    return st.session_state.get(NAME_KEY, "").strip()


def _need_user() -> str | None:
    """The name kept in the history, once the role is checked again on the server side."""
    require_role("pilotage")
    user = _user()
    if not user:
        st.error("Indiquez votre nom en haut du formulaire : il est gardé dans l'historique.")
        return None
    return user


st.header("Calendrier")
calendar = governance_calendar(meetings, steps, as_of, today_label=as_of_label)
figure_block(
    calendar,
    key="instances-calendar",
    file_stem="calendrier-instances",
    table=calendar_table(meetings, steps),
    summary=calendar_summary(meetings, steps, as_of),
)
upcoming = [m for m in meetings if m.date >= as_of]
if upcoming:
    nxt = upcoming[-1]
    st.markdown(
        f"Prochaine instance : **{escape_markdown(nxt.title)}**, le {format_date(nxt.date)}."
    )

# --- decisions and actions, filtered ---------------------------------------------------------
st.header("Décisions et actions")
open_items = [a for a in everything if a.kind == "action" and a.is_open]
late = [a for a in open_items if a.is_late(as_of)]
st.caption(
    f"{len(open_items)} action(s) ouverte(s), dont {len(late)} en retard au {format_date(as_of)}."
)
f_kind, f_owner, f_status, f_due = st.columns([2, 3, 3, 2])
kinds = f_kind.multiselect(
    "Type",
    list(ACTION_KIND_LABELS),
    default=["action"],
    format_func=ACTION_KIND_LABELS.__getitem__,
    key="instances_filter_kind",
    placeholder="Décisions et actions",
)
owners = f_owner.multiselect(
    "Responsable", institutions, key="instances_filter_owner", placeholder="Toutes les institutions"
)
statuses = f_status.multiselect(
    "Statut",
    list(ACTION_STATUSES),
    default=list(OPEN_ACTION_STATUSES),
    format_func=ACTION_STATUS_LABELS.__getitem__,
    key="instances_filter_status",
    placeholder="Tous les statuts",
)
due_filter = f_due.selectbox(
    "Échéance", list(DUE_FILTERS), format_func=DUE_FILTERS.__getitem__, key="instances_filter_due"
)


def _due_ok(action: ActionView) -> bool:
    due = action.due_date
    if due_filter == "retard":
        return action.is_late(as_of)
    if due_filter == "sans":
        return due is None
    if due_filter in ("7j", "30j"):
        days = 7 if due_filter == "7j" else 30
        return due is not None and as_of <= due <= as_of + dt.timedelta(days=days)
    return True


shown_actions = [
    a
    for a in everything
    if (not kinds or a.kind in kinds)
    and (not owners or a.owner in owners)
    and (not statuses or a.status in statuses)
    and _due_ok(a)
]
shown_actions.sort(key=lambda a: (-a.days_late(as_of), a.due_date or dt.date.max, a.id))
if shown_actions:
    actions_table(shown_actions, as_of)
else:
    st.info("Aucune décision ni action pour ces filtres.")

to_close = actions_to_close(context.engine)
if to_close:
    st.markdown(f"**Actions dont l'étape liée est terminée ({len(to_close)})**")
    st.caption("L'étape de feuille de route est faite ou abandonnée : ces actions sont à clore.")
    actions_table(to_close, as_of)
    if editor:
        with st.form("instances_close_done"):
            picked = st.multiselect(
                "Actions à clore",
                [a.id for a in to_close],
                default=[a.id for a in to_close],
                format_func=lambda i: f"n° {i} — {next(a.text for a in to_close if a.id == i)}",
            )
            if st.form_submit_button("Marquer « faites »") and (user := _need_user()):
                for action_id in picked:
                    change_action_status(context.engine, action_id, "faite", user=user)
                audit("edit", f"{len(picked)} action(s) close(s) (étape liée terminée)")
                st.session_state[FLASH_KEY] = f"{len(picked)} action(s) close(s)."
                st.rerun()

# --- meetings ---------------------------------------------------------------------------------
st.header("Réunions")
meeting_kinds = st.multiselect(
    "Type d'instance",
    list(MEETING_KIND_LABELS),
    default=list(MEETING_KIND_LABELS),
    format_func=MEETING_KIND_LABELS.__getitem__,
    key="instances_kinds",
)
shown = [m for m in meetings if m.kind in meeting_kinds]
chosen = None
if shown:
    data_table(
        {
            "N°": [m.id for m in shown],
            "Date": [format_date(m.date) for m in shown],
            "Instance": [m.kind_label for m in shown],
            "Intitulé": [m.title for m in shown],
            "Institutions présentes": [", ".join(m.institutions) for m in shown],
        },
        file_stem="reunions",
        key="instances-reunions",
    )
    remembered_choice("instances_meeting", [m.id for m in shown])
    chosen = st.selectbox(
        "Réunion choisie (relevé, modification)",
        [m.id for m in shown],
        format_func=lambda i: meeting_by_id[i].label,
        key="instances_meeting",
    )
    meeting = meeting_by_id[chosen]
    if meeting.notes:
        show_text(meeting.notes)
    records = [a for a in everything if a.meeting_id == chosen]
    if records:
        actions_table(records, as_of)
    else:
        st.caption("Aucune décision ni action pour cette réunion.")
else:
    st.info("Aucune réunion enregistrée.")

if not editor:
    st.caption("Seuls les rôles pilotage et administration enregistrent les instances.")
    st.stop()

# --- forms ------------------------------------------------------------------------------------
st.header("Enregistrer")
seed("instances_author", st.session_state.get(NAME_KEY, ""))
st.session_state[NAME_KEY] = st.text_input(
    "Votre nom", key="instances_author", help=NAME_HELP, max_chars=120
).strip()

left, right = st.columns(2)
NEW_MEETING = ("im_kind", "im_date", "im_title", "im_present", "im_notes")
seed("im_kind", "point_hebdomadaire")
seed("im_date", today)
seed("im_title", "")
seed("im_present", [i for i in ("CD", "France Travail") if i in institutions])
seed("im_notes", "")
with left, st.form("instances_new_meeting"):
    st.markdown("**Nouvelle réunion**")
    kind = st.selectbox(
        "Type",
        list(MEETING_KIND_LABELS),
        format_func=MEETING_KIND_LABELS.__getitem__,
        key="im_kind",
    )
    date = st.date_input("Date", format="DD/MM/YYYY", key="im_date")
    title = st.text_input("Intitulé", key="im_title")
    present = st.multiselect(
        "Institutions présentes", institutions, key="im_present", placeholder="Choisir"
    )
    notes = st.text_area("Notes", key="im_notes")
    if st.form_submit_button("Enregistrer la réunion", type="primary") and (user := _need_user()):
        try:
            new_id = record_meeting(
                context.engine, kind, date, title, present, notes, user=user, reference=reference
            )
        except DataAccessError as exc:
            st.error(escape_markdown(exc))
        else:
            clear([*NEW_MEETING, "ia_meeting", "instances_meeting"])
            st.session_state["ia_meeting__remembered"] = new_id
            st.session_state["instances_meeting__remembered"] = new_id
            audit("edit", f"réunion n° {new_id} enregistrée ({kind}, {date.isoformat()})")
            st.session_state[FLASH_KEY] = f"Réunion « {title.strip()} » enregistrée."
            st.rerun()

NEW_ACTION = ("ia_text", "ia_owner", "ia_person", "ia_due", "ia_step")
meeting_options = [None, *meeting_by_id]
remembered_choice("ia_meeting", meeting_options, default=chosen)
seed("ia_kind", "action")
seed("ia_text", "")
seed("ia_owner", None)
seed("ia_person", "")
seed("ia_due", None)
seed("ia_step", None)
with right, st.form("instances_new_action"):
    st.markdown("**Nouvelle décision ou action**")
    meeting_id = st.selectbox(
        "Réunion",
        meeting_options,
        format_func=lambda i: "Hors réunion" if i is None else meeting_by_id[i].label,
        key="ia_meeting",
    )
    action_kind = st.selectbox(
        "Type", list(ACTION_KIND_LABELS), format_func=ACTION_KIND_LABELS.__getitem__, key="ia_kind"
    )
    text = st.text_area("Libellé", key="ia_text")
    o_left, o_right = st.columns(2)
    owner = o_left.selectbox(
        "Responsable",
        [None, *institutions],
        format_func=lambda p: p or "—",
        key="ia_owner",
        placeholder="—",
    )
    person = o_right.text_input("Personne (facultatif)", key="ia_person", max_chars=120)
    due = st.date_input("Échéance", format="DD/MM/YYYY", key="ia_due")
    step_id = st.selectbox(
        "Étape liée",
        [None, *step_labels],
        format_func=lambda i: step_labels.get(i, "—"),
        key="ia_step",
        placeholder="—",
    )
    if st.form_submit_button("Enregistrer", type="primary") and (user := _need_user()):
        try:
            record_action(
                context.engine,
                text,
                kind=action_kind,
                meeting_id=meeting_id,
                owner=owner,
                owner_person=person,
                due_date=due,
                step_id=step_id,
                user=user,
                reference=reference,
            )
        except DataAccessError as exc:
            st.error(escape_markdown(exc))
        else:
            clear(NEW_ACTION)
            audit("edit", f"{ACTION_KIND_LABELS[action_kind]} enregistrée (étape {step_id or '—'})")
            st.session_state[FLASH_KEY] = f"{ACTION_KIND_LABELS[action_kind]} enregistrée."
            st.rerun()


def _edit_buttons(
    in_conflict: bool, save_label: str, delete_label: str, confirm_key: str
) -> tuple[bool, bool, bool, bool]:
    """The buttons of an edit form (inside it): save, drop my input (only after a conflict,
    where saving over the current state is an explicit choice), confirm and delete."""
    b1, b2, b3 = st.columns([3, 2, 2])
    if in_conflict:
        save = b1.form_submit_button(
            "Enregistrer ma saisie à la place de l'état actuel", type="primary"
        )
        drop = b2.form_submit_button("Abandonner ma saisie")
    else:
        save = b1.form_submit_button(save_label, type="primary")
        drop = False
    confirm = b3.checkbox("Confirmer la suppression", key=confirm_key)
    return save, drop, confirm, b3.form_submit_button(delete_label)


def _conflict_box(key: str, current_text: str) -> bool:
    """The conflict message and the current state, beside the user's kept input."""
    if key not in conflicts:
        return False
    st.error(escape_markdown(conflicts[key]["message"]))
    st.warning(f"État actuel : {escape_markdown(current_text)}")
    return True


# --- edit, reopen or delete an action ---------------------------------------------------------
st.header("Modifier, rouvrir ou supprimer une décision ou une action")
if everything:
    # Open actions first (the ones a lead updates), most overdue first; then the rest, newest.
    ordered = sorted(
        everything,
        key=lambda a: (
            (not a.is_open, -a.days_late(as_of), a.due_date or dt.date.max)
            if a.is_open
            else (True, 0, dt.date.max, -a.id)
        ),
    )
    action_ids = [a.id for a in ordered]
    labels = {
        a.id: f"n° {a.id} — {a.text[:70]} ({a.owner_label}, {a.status_label})" for a in everything
    }
    remembered_choice("ea_action", action_ids)
    action_id = st.selectbox(
        "Décision ou action", action_ids, format_func=labels.__getitem__, key="ea_action"
    )
    current = read_action(context.engine, action_id)
    ckey = f"action-{action_id}"
    k = {
        f: f"ea_{f}_{action_id}"
        for f in ("text", "kind", "meeting", "owner", "person", "due", "status", "step")
    }
    if seed(k["text"], current.text):
        seed(k["kind"], current.kind)
        seed(k["meeting"], current.meeting_id if current.meeting_id in meeting_by_id else None)
        seed(k["owner"], current.owner if current.owner in institutions else None)
        seed(k["person"], current.owner_person or "")
        seed(k["due"], current.due_date)
        seed(k["status"], current.status)
        seed(k["step"], current.step_id if current.step_id in step_labels else None)
        seen[ckey] = current.version
        conflicts.pop(ckey, None)
    in_conflict = _conflict_box(
        ckey,
        f"« {current.text} » ; {current.owner_label} ; échéance {format_date(current.due_date)} ; "
        f"{current.status_label} ; étape {current.step_id or '—'}",
    )
    with st.form(f"instances_edit_action_{action_id}"):
        e1, e2, e3 = st.columns(3)
        e_kind = e1.selectbox(
            "Type",
            list(ACTION_KIND_LABELS),
            format_func=ACTION_KIND_LABELS.__getitem__,
            key=k["kind"],
        )
        e_status = e2.selectbox(
            "Statut",
            list(ACTION_STATUSES),
            format_func=ACTION_STATUS_LABELS.__getitem__,
            key=k["status"],
            help="Remettre « ouverte » ou « en cours » rouvre une action faite.",
        )
        e_due = e3.date_input("Échéance", format="DD/MM/YYYY", key=k["due"])
        e_text = st.text_area("Libellé", key=k["text"])
        e4, e5 = st.columns(2)
        e_owner = e4.selectbox(
            "Responsable",
            [None, *institutions],
            format_func=lambda p: p or "—",
            key=k["owner"],
            placeholder="—",
        )
        e_person = e5.text_input("Personne (facultatif)", key=k["person"], max_chars=120)
        e6, e7 = st.columns(2)
        e_meeting = e6.selectbox(
            "Réunion",
            meeting_options,
            format_func=lambda i: "Hors réunion" if i is None else meeting_by_id[i].label,
            key=k["meeting"],
        )
        e_step = e7.selectbox(
            "Étape liée",
            [None, *step_labels],
            format_func=lambda i: step_labels.get(i, "—"),
            key=k["step"],
            placeholder="—",
        )
        save, drop, confirm, wipe = _edit_buttons(
            in_conflict, "Enregistrer les modifications", "Supprimer", f"ea_confirm_{action_id}"
        )
    if drop:
        clear(k.values())
        conflicts.pop(ckey, None)
        st.rerun()
    if (save or wipe) and (user := _need_user()):
        expected = conflicts[ckey]["version"] if ckey in conflicts else seen[ckey]
        try:
            if wipe:
                if not confirm:
                    raise DataAccessError("Cochez « Confirmer la suppression » pour supprimer.")
                remove_action(context.engine, action_id, user=user, expected_version=expected)
                message = f"N° {action_id} supprimée (la suppression est gardée dans l'historique)."
            else:
                saved = change_action(
                    context.engine,
                    action_id,
                    user=user,
                    expected_version=expected,
                    text=e_text,
                    kind=e_kind,
                    meeting_id=e_meeting,
                    owner=e_owner,
                    owner_person=e_person,
                    due_date=e_due,
                    status=e_status,
                    step_id=e_step,
                    reference=reference,
                )
                message = f"N° {action_id} enregistrée ({saved.status_label})."
        except GovernanceConflictError as exc:
            conflicts[ckey] = {"version": exc.current.version, "message": str(exc)}
            st.rerun()
        except DataAccessError as exc:
            st.error(escape_markdown(exc))
        else:
            clear([*k.values(), f"ea_confirm_{action_id}"])
            conflicts.pop(ckey, None)
            audit(
                "edit", f"décision ou action n° {action_id} {'supprimée' if wipe else 'modifiée'}"
            )
            st.session_state[FLASH_KEY] = message
            st.rerun()
else:
    st.info("Aucune décision ni action enregistrée.")

# --- complete, edit or delete the chosen meeting ----------------------------------------------
if chosen is not None:
    meeting = read_meeting(context.engine, chosen)
    planned = meeting.date > today
    st.header(
        "Compléter la réunion prévue" if planned else "Modifier ou supprimer la réunion choisie"
    )
    st.caption(
        f"{escape_markdown(meeting.label)} : ajoutez les présents et le relevé, puis ses "
        "décisions et actions dans « Nouvelle décision ou action »."
    )
    mkey = f"meeting-{chosen}"
    m = {f: f"em_{f}_{chosen}" for f in ("kind", "date", "title", "present", "notes")}
    if seed(m["title"], meeting.title):
        seed(m["kind"], meeting.kind)
        seed(m["date"], meeting.date)
        seed(m["present"], [i for i in meeting.institutions if i in institutions])
        seed(m["notes"], meeting.notes or "")
        seen[mkey] = meeting.version
        conflicts.pop(mkey, None)
    in_conflict = _conflict_box(
        mkey,
        f"{meeting.label} ; présents : {', '.join(meeting.institutions) or '—'} ; "
        f"notes : {meeting.notes or '—'}",
    )
    with st.form(f"instances_edit_meeting_{chosen}"):
        c1, c2 = st.columns(2)
        m_kind = c1.selectbox(
            "Type",
            list(MEETING_KIND_LABELS),
            format_func=MEETING_KIND_LABELS.__getitem__,
            key=m["kind"],
        )
        m_date = c2.date_input("Date", format="DD/MM/YYYY", key=m["date"])
        m_title = st.text_input("Intitulé", key=m["title"])
        m_present = st.multiselect(
            "Institutions présentes", institutions, key=m["present"], placeholder="Choisir"
        )
        m_notes = st.text_area("Notes, relevé de décisions", key=m["notes"])
        save, drop, confirm, wipe = _edit_buttons(
            in_conflict,
            "Enregistrer la réunion modifiée",
            "Supprimer la réunion",
            f"em_confirm_{chosen}",
        )
    if drop:
        clear(m.values())
        conflicts.pop(mkey, None)
        st.rerun()
    if (save or wipe) and (user := _need_user()):
        expected = conflicts[mkey]["version"] if mkey in conflicts else seen[mkey]
        try:
            if wipe:
                if not confirm:
                    raise DataAccessError("Cochez « Confirmer la suppression » pour supprimer.")
                remove_meeting(context.engine, chosen, user=user, expected_version=expected)
                message = "Réunion supprimée (la suppression est gardée dans l'historique)."
            else:
                change_meeting(
                    context.engine,
                    chosen,
                    user=user,
                    expected_version=expected,
                    kind=m_kind,
                    date=m_date,
                    title=m_title,
                    institutions=m_present,
                    notes=m_notes,
                    reference=reference,
                )
                message = f"Réunion « {m_title.strip()} » enregistrée."
        except GovernanceConflictError as exc:
            conflicts[mkey] = {"version": exc.current.version, "message": str(exc)}
            st.rerun()
        except DataAccessError as exc:
            st.error(escape_markdown(exc))
        else:
            clear([*m.values(), f"em_confirm_{chosen}"])
            conflicts.pop(mkey, None)
            audit("edit", f"réunion n° {chosen} {'supprimée' if wipe else 'modifiée'}")
            st.session_state[FLASH_KEY] = message
            st.rerun()
