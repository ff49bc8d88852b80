"""« Contrats et accompagnement »: contracts after orientation, activity hours, caseloads."""

import streamlit as st

from metrics.displays import CONTRACT_BREAKDOWNS as BREAKDOWNS
from metrics.displays import CONTRACT_KPIS as KPIS
from ui.context import get_context
from ui.indicators import indicator_cards
from ui.metrics_cache import metric_results, previous_results, show_failures
from ui.scope_bar import scope_bar, scope_caption
from ui.thematic import breakdown_tabs, curve_block

context = get_context()
scope = scope_bar(context)
threshold = context.settings.secrecy_threshold

st.title("Contrats et accompagnement")
st.caption(scope_caption())
computed = metric_results(context, scope)
show_failures(computed)
indicator_cards(KPIS, computed, threshold, previous=previous_results(context, scope))

st.header("Délai entre l'orientation et le contrat")
st.caption(
    "Délai légal : un mois calendaire à compter de la notification de la décision "
    "d'orientation, rouvert par une nouvelle décision (C. trav. art. D. 5411-14-1) ; contrats "
    "comptés : le contrat d'engagement et, avant 2025, CER, PPAE, PACEA, CEJ. La courbe "
    "ci-dessous suit tous les contrats en jours depuis la première orientation."
)
curve_block(
    context,
    scope,
    metric_id="contract_within_30d_rate",
    title="Part des personnes orientées ayant signé un contrat, selon le délai",
    reference_days=context.settings.contract_days,
    x_title="Jours depuis l'orientation",
    key="courbe-contrat",
)

st.header("Détail par cohorte, par UTAS et par type")
breakdown_tabs(BREAKDOWNS, computed, scope, threshold, key="contrats")
