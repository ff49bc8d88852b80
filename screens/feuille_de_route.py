"""« Feuille de route »: the roadmap on a timeline, its table, its edits and their history.

Statuses shown are those at the scope's as-of date (replayed from the history), so a committee
looking back sees the roadmap as it stood. Project leads change a status in the form at the top
of the page; the form remembers the version it showed when it was opened, and a concurrent
change by someone else is refused: the user's input stays, the current state is shown beside
it, and replacing that state is a separate, explicit button.
"""

import datetime as dt

import streamlit as st

from charts.builders import breakdown_chart
from charts.roadmap_timeline import roadmap_timeline, timeline_summary, timeline_table
from data_access.exceptions import DataAccessError
from data_access.governance import last_meeting
from data_access.institutions import institution_names, institutions_for
from data_access.roadmap import (
    STATUS_LABELS,
    StepConflictError,
    change_step_status,
    changes_between,
    read_step,
    step_history,
    steps_at,
)
from formatting import format_date, format_datetime
from metrics.displays import ROADMAP_KPIS as ROADMAP_IDS
from metrics.roadmap import is_late
from ui.auth import audit, can_edit_roadmap, require_role
from ui.chart_block import chart_block, figure_block
from ui.context import get_context
from ui.forms import clear, name_input, remember_name, remembered_choice, seed
from ui.indicators import indicator_cards
from ui.metrics_cache import current_version, metric_results, show_failures
from ui.plain_text import escape_markdown
from ui.scope_bar import scope_bar, scope_caption
from ui.tables import data_table, steps_table

VERSION_KEY = "fdr_version_seen"
CONFLICT_KEY = "fdr_conflicts"
FLASH_KEY = "fdr_flash"
STEP_KEY = "fdr_step"

context = get_context()
scope = scope_bar(context)
as_of = scope.as_of
threshold = context.settings.secrecy_threshold
today = dt.date.today()

st.title("Feuille de route")
st.caption(
    f"Statuts au {format_date(as_of)}, reconstitués à partir de l'historique des modifications. "
    "La feuille de route couvre tout le département : territoire et payeur ne s'appliquent pas."
)
st.caption(f"Périmètre conservé pour les autres pages : {scope_caption()}")

version = current_version(context)
computed = metric_results(context, scope, version, only=ROADMAP_IDS)
show_failures(computed)
indicator_cards(ROADMAP_IDS, computed, threshold)

steps = steps_at(context.engine, as_of)
if not steps:
    st.info("Aucune étape de feuille de route : lancez « pilotage init-db » ou importez-la.")
    st.stop()

# --- one step: detail, history and edit (first on the page, so no scrolling to reach it) --
st.header("Mettre à jour une étape")
labels = {s.step_id: f"{s.step_id} — {s.step[:90]}" for s in steps}
wanted = str(st.query_params.get("etape", "")).upper()
if wanted:
    del st.query_params["etape"]  # applied once, then the chooser is free
    if wanted in labels:
        st.session_state[STEP_KEY] = wanted
remembered_choice(STEP_KEY, list(labels))
step_id = st.selectbox(
    "Étape",
    list(labels),
    format_func=labels.__getitem__,
    key=STEP_KEY,
    help="Choisissez une étape par son identifiant ou son libellé (tapez « DO-03 »).",
)
current = read_step(context.engine, step_id)
keys = {name: f"fdr_{name}_{step_id}" for name in ("author", "status", "done", "comment")}
seen = st.session_state.setdefault(VERSION_KEY, {})
conflicts = st.session_state.setdefault(CONFLICT_KEY, {})
if seed(keys["status"], current.status):  # a fresh form: it shows the state read now
    seed(keys["done"], current.done_date or today)
    seed(keys["comment"], "")
    seen[step_id] = current.version
    conflicts.pop(step_id, None)

detail, edit = st.columns([2, 3]) if can_edit_roadmap() else (st.container(), None)
with detail:
    st.markdown(
        f"**{current.step_id} — {escape_markdown(current.target)}**  \n"
        f"{escape_markdown(current.step)}  \n"
        f"Échéance : {escape_markdown(current.due_label or '—')} "
        f"({format_date(current.due_date)}) · "
        f"Responsables : {escape_markdown(', '.join(current.owners) or 'non attribué')}"
    )
    state = f"Statut actuel : **{current.status_label}**" + (
        f" (fait le {format_date(current.done_date)})" if current.done_date else ""
    )
    if current.updated_by:
        state += (
            f", par {escape_markdown(current.updated_by)} le {format_datetime(current.updated_at)}"
        )
    (st.warning if step_id in conflicts else st.markdown)(state)
    if current.comment:
        st.caption(f"Dernier commentaire : {escape_markdown(current.comment)}")
    history = step_history(context.engine, step_id)
    with st.expander(f"Historique ({len(history)} modification(s))"):
        if history:
            data_table(
                {
                    "Date": [format_datetime(h.changed_at) for h in history],
                    "Par": [h.changed_by for h in history],
                    "Ancien statut": [STATUS_LABELS.get(h.old_status or "", "—") for h in history],
                    "Nouveau statut": [STATUS_LABELS[h.new_status] for h in history],
                    "Commentaire": [h.comment or "" for h in history],
                },
                file_stem=f"historique-{step_id}",
                key="fdr-history",
            )
        else:
            st.write("Aucune modification enregistrée.")

if edit is not None:
    with edit:
        if flash := st.session_state.pop(FLASH_KEY, None):
            st.success(escape_markdown(flash))
        if step_id in conflicts:
            st.error(escape_markdown(conflicts[step_id]["message"]))
        with st.form(f"fdr_edit_{step_id}"):
            st.markdown("**Modifier le statut**")
            author = name_input(keys["author"])
            statuses = list(STATUS_LABELS)
            new_status = st.selectbox(
                "Nouveau statut",
                statuses,
                format_func=STATUS_LABELS.__getitem__,
                key=keys["status"],
            )
            done_on = st.date_input(
                "Fait le (si « fait »)", max_value=today, format="DD/MM/YYYY", key=keys["done"]
            )
            comment = st.text_area("Commentaire", key=keys["comment"])
            if step_id in conflicts:
                override = st.form_submit_button(
                    "Enregistrer ma saisie à la place de l'état actuel", type="primary"
                )
                drop = st.form_submit_button("Abandonner ma saisie")
                submitted = False
            else:
                submitted = st.form_submit_button("Enregistrer", type="primary")
                override = drop = False
        if drop:
            clear(keys.values())
            conflicts.pop(step_id, None)
            st.rerun()
        if submitted or override:
            require_role("pilotage")
            remember_name(author)
            expected = conflicts[step_id]["version"] if override else seen[step_id]
            if not author:
                st.error("Indiquez votre nom : il est gardé dans l'historique.")
            else:
                try:
                    saved = change_step_status(
                        context.engine,
                        step_id,
                        new_status,
                        user=author,
                        expected_version=expected,
                        comment=comment,
                        done_date=done_on if new_status == "fait" else None,
                    )
                except StepConflictError as exc:
                    conflicts[step_id] = {"version": exc.current.version, "message": str(exc)}
                    st.rerun()
                except DataAccessError as exc:
                    st.error(escape_markdown(exc))
                else:
                    audit("edit", f"feuille de route {saved.step_id} : statut {saved.status}")
                    conflicts.pop(step_id, None)
                    clear(keys[name] for name in ("status", "done", "comment"))
                    seen[step_id] = saved.version
                    st.session_state[FLASH_KEY] = (
                        f"{saved.step_id} : statut « {saved.status_label} » enregistré."
                    )
                    st.rerun()
else:
    st.caption("Seuls les rôles pilotage et administration modifient la feuille de route.")

# --- timeline ------------------------------------------------------------------------------
st.header("Calendrier des étapes")
today_label = "Aujourd'hui" if as_of == today else f"Au {format_date(as_of)}"
timeline = roadmap_timeline(steps, as_of, today_label=today_label)
figure_block(
    timeline,
    key="fdr-timeline",
    file_stem=f"feuille-de-route_{as_of.isoformat()}",
    table=timeline_table(steps, as_of),
    summary=timeline_summary(steps, as_of),
)
undated = [s for s in steps if s.due_date is None]
if undated:
    st.caption(
        f"{len(undated)} étape(s) sans échéance (questions du macro-processus) ne figurent pas "
        "sur le calendrier ; elles sont dans le tableau ci-dessous."
    )

done_rate = computed.get("roadmap_done_rate")
if done_rate is not None:
    left, right = st.columns(2)
    with left:
        chart_block(
            breakdown_chart(
                done_rate,
                "axis",
                title="Part des étapes réalisées par axe",
                x_title="Axe",
                as_of=as_of,
                threshold=threshold,
                kind="hbar",
            )
        )
    with right:
        chart_block(
            breakdown_chart(
                done_rate,
                "owner",
                title="Part des étapes réalisées par responsable",
                x_title="Responsable",
                as_of=as_of,
                threshold=threshold,
                kind="hbar",
                note="Une étape portée par plusieurs partenaires compte pour chacun.",
            )
        )

# --- what moved since the last committee ---------------------------------------------------
committee = last_meeting(context.engine, "comite_de_suivi", before=as_of)
if committee is not None:
    st.header(f"Ce qui a bougé depuis le comité du {format_date(committee.date)}")
    moved = changes_between(context.engine, committee.date, as_of)
    if moved:
        data_table(
            {
                "Étape": [c.step_id for c in moved],
                "Axe": [c.axis for c in moved],
                "Libellé": [c.step for c in moved],
                "Avant": [STATUS_LABELS[c.status_before] for c in moved],
                "Maintenant": [STATUS_LABELS[c.status_after] for c in moved],
                "Modifié le": [format_datetime(c.last_changed_at) for c in moved],
                "Par": [c.last_changed_by for c in moved],
            },
            file_stem="changements-depuis-comite",
            key="fdr-changes",
        )
    else:
        st.info("Aucun changement de statut depuis ce comité.")

# --- table with filters --------------------------------------------------------------------
st.header("Toutes les étapes")
axes = list(dict.fromkeys(s.axis for s in steps))
f_axis, f_status, f_owner, f_late = st.columns([3, 3, 3, 2])
chosen_axes = f_axis.multiselect("Axe", axes, key="fdr_filter_axis", placeholder="Tous")
chosen_status = f_status.multiselect(
    "Statut",
    list(STATUS_LABELS),
    format_func=STATUS_LABELS.__getitem__,
    key="fdr_filter_status",
    placeholder="Tous",
)
chosen_owners = f_owner.multiselect(
    "Responsable",
    list(institution_names(institutions_for(context.settings))),
    key="fdr_filter_owner",
)
only_late = f_late.checkbox("En retard seulement", key="fdr_filter_late")
shown = [
    s
    for s in steps
    if (not chosen_axes or s.axis in chosen_axes)
    and (not chosen_status or s.status in chosen_status)
    and (not chosen_owners or set(s.owners) & set(chosen_owners))
    and (not only_late or is_late(s, as_of))
]
st.caption(f"{len(shown)} étape(s) sur {len(steps)}.")
if shown:
    steps_table(shown)
