"""« Convocation et rendez-vous »: delays from entry to convocation and first appointment."""

import streamlit as st

from metrics.displays import CONVOCATION_BREAKDOWNS as BREAKDOWNS
from metrics.displays import CONVOCATION_KPIS as KPIS
from ui.context import get_context
from ui.indicators import indicator_cards
from ui.metrics_cache import metric_results, previous_results, show_failures
from ui.scope_bar import scope_bar, scope_caption
from ui.thematic import breakdown_tabs, curve_block

context = get_context()
scope = scope_bar(context)
threshold = context.settings.secrecy_threshold

st.title("Convocation et rendez-vous")
st.caption(scope_caption())
computed = metric_results(context, scope)
show_failures(computed)
indicator_cards(KPIS, computed, threshold, previous=previous_results(context, scope))

st.header("Délai entre l'entrée et la première convocation")
curve_block(
    context,
    scope,
    metric_id="convocation_within_15d_rate",
    title="Part des entrants convoqués, selon le nombre de jours depuis l'entrée",
    reference_days=context.settings.convocation_days,
    key="courbe-convocation",
)
st.header("Délai entre l'entrée et le premier rendez-vous honoré")
curve_block(
    context,
    scope,
    metric_id="first_appointment_median_days",
    title="Part des entrants venus à un premier rendez-vous, selon le délai depuis l'entrée",
    reference_days=context.settings.orientation_short_days,
    key="courbe-premier-rdv",
)

st.header("Détail par cohorte, par UTAS et par type")
breakdown_tabs(BREAKDOWNS, computed, scope, threshold, key="convocation")
