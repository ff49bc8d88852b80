"""« Point hebdomadaire »: the last 7 days, the 12-week trend, steps due or late, open actions."""

import datetime as dt
from dataclasses import replace

import streamlit as st

from charts.builders import trend_chart
from data_access.governance import open_actions
from data_access.roadmap import steps_at
from formatting import format_date, format_day_month
from metrics import catalog
from metrics.roadmap import is_due_soon, is_late
from ui.chart_block import chart_block
from ui.context import get_context
from ui.indicators import indicator_cards, label_of
from ui.metrics_cache import current_version, metric_results, show_failures
from ui.scope_bar import scope_bar, scope_caption, scope_text_for
from ui.tables import actions_table, steps_table

WEEK_IDS = (
    "entrants",
    "invitations_sent",
    "convocation_median_days",
    "convocation_within_15d_rate",
    "appointments_held",
    "no_show_rate",
    "orientations_decided",
    "contracts_signed",
)
TREND_COUNTS = (
    "entrants",
    "invitations_sent",
    "appointments_held",
    "orientations_decided",
    "contracts_signed",
)
TREND_RATES = ("convocation_within_15d_rate", "no_show_rate")
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

version = current_version(context)
computed = metric_results(context, week, version)
previous = metric_results(context, week.previous(), version)
show_failures(computed)

st.subheader("La semaine")
indicator_cards(
    WEEK_IDS, computed, threshold, previous=previous, previous_name="la semaine d'avant"
)

st.subheader(f"Tendance sur {WEEKS} semaines")
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
            {label_of(i): [h.get(i) for h in history] for i in counts},
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
            {label_of(i): [h.get(i) for h in history] for i in rates},
            key="hebdo-taux-12-semaines",
            title=f"Convocation sous 15 jours et absence, {WEEKS} dernières semaines",
            unit="ratio",
            x_title="Semaine",
            as_of=as_of,
            threshold=threshold,
        ),
        scope_text=trend_scope,
    )
if not counts and not rates:
    st.info("Aucune donnée sur la période")

st.subheader("Feuille de route : étapes en retard ou à échéance sous 14 jours")
steps = steps_at(context.engine, as_of)
late = [s for s in steps if is_late(s, as_of)]
soon = [s for s in steps if is_due_soon(s, as_of)]
if late:
    st.markdown(f"**En retard ({len(late)})**")
    steps_table(late)
if soon:
    st.markdown(f"**À échéance dans les 14 jours ({len(soon)})**")
    steps_table(soon)
if not late and not soon:
    st.success("Aucune étape en retard ni à échéance dans les 14 jours.")

st.subheader("Actions ouvertes")
actions = open_actions(context.engine, as_of)
if actions:
    actions_table(actions)
else:
    st.info("Aucune action ouverte.")
