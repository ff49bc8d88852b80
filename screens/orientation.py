"""« Orientation »: delay to orientation, types and organisms, the stock by seniority."""

import streamlit as st

from metrics.displays import ORIENTATION_BREAKDOWNS as BREAKDOWNS
from metrics.displays import ORIENTATION_KPIS as KPIS
from metrics.displays import ORIENTATION_SHARES as SHARES
from metrics.displays import ORIENTATION_STOCK as STOCK
from ui.context import get_context
from ui.indicators import indicator_cards
from ui.metrics_cache import metric_results, previous_results, show_failures
from ui.scope_bar import scope_bar, scope_caption
from ui.thematic import breakdown_tabs, curve_block, results_bars

context = get_context()
scope = scope_bar(context)
threshold = context.settings.secrecy_threshold

st.title("Orientation")
st.caption(scope_caption())
computed = metric_results(context, scope)
show_failures(computed)
indicator_cards(KPIS, computed, threshold, previous=previous_results(context, scope))

st.header("Délai légal d'orientation")
st.caption(
    "Six semaines à compter de la réception par le département de l'information relative à "
    "l'ouverture du droit ou à son transfert dans le département (CASF art. D. 262-65-2) ; "
    "un transfert ouvre un nouveau délai. Détail sur la page « Méthodologie »."
)
curve_block(
    context,
    scope,
    metric_id="orientation_within_legal_delay_rate",
    title="Part des bénéficiaires orientés, selon le nombre de jours depuis la réception de "
    "l'information",
    reference_days=context.settings.orientation_legal_days,
    x_title="Jours depuis la réception de l'information (ouverture ou transfert du droit)",
    key="courbe-orientation",
)

st.header("Types d'orientation")
results_bars(
    SHARES,
    computed,
    scope,
    threshold,
    key="orientation-types",
    title="Répartition des orientations décidées sur la période",
    names={
        "orientation_share_pro": "Professionnelle",
        "orientation_share_socio_pro": "Socio-professionnelle",
        "orientation_share_social": "Sociale",
    },
    x_title="Type d'orientation",
)

st.header("Stock orienté, par ancienneté dans le RSA")
results_bars(
    STOCK,
    computed,
    scope,
    threshold,
    key="orientation-stock-anciennete",
    title="Part des bénéficiaires présents déjà orientés, par ancienneté",
    names={
        "stock_orientation_rate_lt6m": "Moins de 6 mois",
        "stock_orientation_rate_6to12m": "6 à 12 mois",
        "stock_orientation_rate_ge12m": "1 an ou plus",
        "stock_orientation_rate": "Ensemble",
    },
    note="Repères DREES fin 2023 (France) : 57 %, 82 %, 90 % ; 86 % au total.",
    x_title="Ancienneté dans le RSA",
)

st.header("Détail par cohorte, par UTAS et par type")
breakdown_tabs(BREAKDOWNS, computed, scope, threshold, key="orientation")
