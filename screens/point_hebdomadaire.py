"""« Point hebdomadaire »: what changed since the last weekly point, the last 7 days, the
12-week trend, steps due or late (each one a click away from its edit form), open actions, and
the list of late items ready to send by e-mail."""

import datetime as dt
from dataclasses import replace

import streamlit as st

from charts.builders import trend_chart
from charts.weekly_export import email_summary, late_items_csv
from data_access.governance import open_actions
from data_access.roadmap import STATUS_LABELS, steps_at
from data_access.weekly_point import since_last_weekly_point
from formatting import format_date, format_datetime, format_day_month
from metrics import catalog
from metrics.catalog import label_of
from metrics.displays import WEEK_KPIS as WEEK_IDS
from metrics.displays import WEEK_TREND_COUNTS as TREND_COUNTS
from metrics.displays import WEEK_TREND_RATES as TREND_RATES
from metrics.roadmap import days_late, is_due_soon, is_late
from reports.pdf_report import committee_report
from ui.auth import audited_download, can_edit_roadmap
from ui.chart_block import chart_block
from ui.context import get_context
from ui.highlights import highlight_editor, highlights_for, show_notes
from ui.indicators import indicator_cards
from ui.metrics_cache import current_version, metric_results, show_failures
from ui.plain_text import plain_cells
from ui.report_button import report_button
from ui.scope_bar import scope_bar, scope_caption, scope_text_for
from ui.tables import actions_table, steps_table

WEEKS = 12

context = get_context()
chosen = scope_bar(context)
threshold = context.settings.secrecy_threshold
as_of = chosen.as_of
week = replace(chosen, start=as_of - dt.timedelta(days=6), end=as_of)

st.title("Point hebdomadaire")
st.caption(
    f"Les 7 derniers jours : du {format_date(week.start)} au {format_date(week.end)} "
    "(la période choisie dans le périmètre ne s'applique pas ; territoire et payeur, si)."
)
st.caption(f"{scope_text_for(week)} · périmètre choisi : {scope_caption()}")
report_button(
    lambda: committee_report(
        context.engine, context.settings, as_of, territory=chosen.territory, payer=chosen.payer
    ),
    as_of,
    key="hebdo_report",
    help="Le rapport A4 du comité en préparation (période depuis le dernier comité, à la date "
    "d'observation), le même que sur la page « Comité de suivi ». Préparé au clic, en une "
    "vingtaine de secondes.",
)

# --- since the last weekly point -------------------------------------------------------------
digest = since_last_weekly_point(context.engine, as_of)
since_label = (
    f"point du {format_date(digest.last_weekly_point)}"
    if digest.last_weekly_point
    else f"aucun point hebdomadaire avant : 7 derniers jours, depuis le {format_date(digest.since)}"
)
st.header("Depuis le dernier point hebdomadaire")
st.caption(f"Du lendemain du {since_label} au {format_date(as_of)} inclus.")
cards = st.columns(5)
cards[0].metric("Étapes déplacées", len(digest.steps_moved))
cards[1].metric("Décisions", len(digest.decisions))
cards[2].metric("Actions créées", len(digest.actions_created))
cards[3].metric("Actions closes", len(digest.actions_closed))
cards[4].metric("Actions en retard", len(digest.actions_overdue))
if digest.steps_moved:
    st.markdown("**Étapes qui ont changé de statut**")
    st.table(
        plain_cells(
            {
                "Id": [c.step_id for c in digest.steps_moved],
                "Étape": [c.step for c in digest.steps_moved],
                "Avant": [STATUS_LABELS[c.status_before] for c in digest.steps_moved],
                "Maintenant": [STATUS_LABELS[c.status_after] for c in digest.steps_moved],
                "Modifié le": [format_datetime(c.last_changed_at) for c in digest.steps_moved],
                "Par": [c.last_changed_by for c in digest.steps_moved],
            }
        ),
        hide_index=True,
    )
for title, items in (
    ("Décisions", digest.decisions),
    ("Actions créées", digest.actions_created),
    ("Actions closes", digest.actions_closed),
    ("Actions en retard", digest.actions_overdue),
):
    if items:
        st.markdown(f"**{title} ({len(items)})**")
        actions_table(items, as_of)

version = current_version(context)
computed = metric_results(context, week, version, only=WEEK_IDS)
previous = metric_results(context, week.previous(), version, only=WEEK_IDS)
show_failures(computed)

st.header("La semaine")
notes = highlights_for(context, week, (None, *WEEK_IDS))
indicator_cards(
    WEEK_IDS,
    computed,
    threshold,
    previous=previous,
    previous_name="la semaine d'avant",
    notes=notes,
)
show_notes({None: notes[None]} if None in notes else {})
highlight_editor(context, week, (None, *WEEK_IDS), notes, key="hebdo")

st.header(f"Tendance sur {WEEKS} semaines")
st.caption(
    "Semaines calendaires (lundi–dimanche), la dernière arrêtée à la date d'observation ; "
    "chaque semaine est vue avec les données connues à cette date."
)
weeks = [
    replace(week, start=start, end=end, as_of=as_of)
    for start, end in catalog.periods(as_of, "week", WEEKS)
]
history = [metric_results(context, w, version, only=TREND_COUNTS + TREND_RATES) for w in weeks]
labels = [f"sem. du {format_day_month(w.start)}" for w in weeks]
trend_scope = scope_text_for(replace(week, start=weeks[0].start))
counts = [i for i in TREND_COUNTS if any(h.get(i) is not None for h in history)]
rates = [i for i in TREND_RATES if any(h.get(i) is not None for h in history)]
if counts:
    chart_block(
        trend_chart(
            labels,
            {label_of(i, context.settings): [h.get(i) for h in history] for i in counts},
            key="hebdo-activite-12-semaines",
            title=f"Activité par semaine, {WEEKS} dernières semaines",
            unit="count",
            x_title="Semaine",
            as_of=as_of,
            threshold=threshold,
        ),
        scope_text=trend_scope,
    )
if rates:
    chart_block(
        trend_chart(
            labels,
            {label_of(i, context.settings): [h.get(i) for h in history] for i in rates},
            key="hebdo-taux-12-semaines",
            title=(
                f"Convocation sous {context.settings.convocation_days} jours et absence, "
                f"{WEEKS} dernières semaines"
            ),
            unit="ratio",
            x_title="Semaine",
            as_of=as_of,
            threshold=threshold,
        ),
        scope_text=trend_scope,
    )
if not counts and not rates:
    st.info("Aucune donnée sur la période")

st.header("Feuille de route : étapes en retard ou à échéance sous 14 jours")
steps = steps_at(context.engine, as_of)
late = sorted((s for s in steps if is_late(s, as_of)), key=lambda s: -days_late(s, as_of))
soon = [s for s in steps if is_due_soon(s, as_of)]
if late:
    st.markdown(f"**En retard ({len(late)})**")
    steps_table(late, as_of)
if soon:
    st.markdown(f"**À échéance dans les 14 jours ({len(soon)})**")
    steps_table(soon)
if not late and not soon:
    st.success("Aucune étape en retard ni à échéance dans les 14 jours.")
if (late or soon) and can_edit_roadmap():
    pick_labels = {s.step_id: f"{s.step_id} — {s.step[:80]}" for s in [*late, *soon]}
    pick, go = st.columns([4, 1], vertical_alignment="bottom")
    target = pick.selectbox(
        "Mettre à jour une de ces étapes",
        list(pick_labels),
        format_func=pick_labels.__getitem__,
        key="hebdo_step",
    )
    if go.button("Ouvrir le formulaire", key="hebdo_open_step"):
        st.session_state["fdr_step__remembered"] = target
        st.session_state.pop("fdr_step", None)
        st.switch_page("screens/feuille_de_route.py")

st.header("Actions ouvertes")
actions = open_actions(context.engine, as_of)
if actions:
    overdue = [a for a in actions if a.is_late(as_of)]
    st.caption(f"{len(actions)} action(s) ouverte(s), dont {len(overdue)} en retard.")
    actions_table(
        sorted(actions, key=lambda a: (-a.days_late(as_of), a.due_date or dt.date.max)), as_of
    )
    to_close = [a for a in actions if a.step_closed]
    if to_close:
        ids = ", ".join(f"n° {a.id} ({a.step_id})" for a in to_close)
        st.info(
            f"{len(to_close)} action(s) liée(s) à une étape terminée, à clore dans la page "
            f"« Instances » : {ids}."
        )
else:
    st.info("Aucune action ouverte.")

st.header("Envoyer les points en retard par courriel")
st.caption(
    "Étapes en retard et actions ouvertes : un fichier CSV (séparateur « ; », dates "
    "JJ/MM/AAAA) à joindre, et un résumé à coller dans le corps du message."
)
summary = email_summary(context.settings.departement_name, as_of, late, actions, digest)
st.download_button(
    "Télécharger la liste (CSV)",
    audited_download(late_items_csv(late, actions, as_of), "liste des points en retard (CSV)"),
    file_name=f"points-en-retard_{as_of.isoformat()}.csv",
    mime="text/csv",
    key="hebdo_csv",
)
st.code(summary, language=None, wrap_lines=True)
