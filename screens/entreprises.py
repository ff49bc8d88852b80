"""« Entreprises »: companies engaged (cumulative) and their actions month by month."""

import streamlit as st

from charts.builders import breakdown_chart, breakdowns_trend
from metrics.catalog import label_of
from metrics.displays import COMPANY_ACTIONS as ACTIONS
from metrics.displays import COMPANY_KPIS as KPIS
from ui.chart_block import chart_block
from ui.context import get_context
from ui.highlights import highlight_editor, highlights_for
from ui.indicators import indicator_cards
from ui.metrics_cache import metric_results, previous_results, show_failures
from ui.scope_bar import scope_bar, scope_caption

context = get_context()
scope = scope_bar(context)
threshold = context.settings.secrecy_threshold

st.title("Entreprises")
st.caption(scope_caption())
st.markdown(
    "Mobilisation des entreprises (« les entreprises s'engagent ») : entreprises engagées en "
    "cumul et actions menées sur la période. Ces chiffres comptent des entreprises et des "
    "actions, pas des personnes : ils ne sont pas soumis au secret statistique et ne dépendent "
    "ni du territoire ni du payeur choisis."
)
computed = metric_results(context, scope, only=KPIS)
show_failures(computed)
notes = highlights_for(context, scope, KPIS)
previous = previous_results(context, scope, only=KPIS)
indicator_cards(KPIS, computed, threshold, previous=previous, notes=notes)
highlight_editor(context, scope, KPIS, notes, key="entreprises")

engaged = computed.get("companies_engaged")
if engaged is not None:
    st.header("Entreprises engagées, en cumul")
    chart_block(
        breakdown_chart(
            engaged,
            "month",
            title="Entreprises engagées (cumul en fin de mois)",
            x_title="Mois",
            as_of=scope.as_of,
            threshold=threshold,
            kind="line",
            series_name=label_of("companies_engaged", context.settings),
        )
    )

present = {label_of(i, context.settings): r for i in ACTIONS if (r := computed.get(i)) is not None}
if present:
    st.header("Actions des entreprises, par mois")
    chart_block(
        breakdowns_trend(
            present,
            "month",
            key="entreprises-actions-mensuelles",
            title="Immersions, offres, recrutements et parrainages par mois",
            x_title="Mois",
            as_of=scope.as_of,
            threshold=threshold,
            kind="bar",
        )
    )
