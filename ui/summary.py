"""The one-glance summary (« météo ») on a page: the figures at once, the twelve months as
soon as they are computed (cached per as-of date and data version, shared by the pages)."""

from __future__ import annotations

import streamlit as st

from charts.summary import headline, summary_html, summary_rows
from formatting import format_rate
from metrics.results import MetricResult
from metrics.scope import Scope
from metrics.summary import MonthPoint, summary_lines
from ui.context import AppContext
from ui.metrics_cache import cached_call, current_version


def method_text(context: AppContext) -> str:
    """How the levels are set, in French, with the settings' values."""
    settings = context.settings
    green = format_rate(settings.summary_green_gap, 0).replace(" %", "")
    orange = format_rate(settings.summary_orange_gap, 0).replace(" %", "")
    return (
        f"Au vert : à moins de {green} points de la cible (taux) ou de {green} % de la cible "
        f"(effectif) ; à surveiller : jusqu'à {orange} points (ou {orange} %) ; hors cible "
        f"au-delà. Étapes en retard : aucune au vert, jusqu'à "
        f"{settings.summary_late_steps_orange} à surveiller. Parts « sous X jours » : dernière "
        "cohorte mensuelle suivie X jours. Douze derniers mois : par mois d'entrée pour les "
        "délais, situation à chaque fin de mois pour les autres objectifs."
    )


def summary_block(
    context: AppContext, scope: Scope, results: dict[str, MetricResult], *, caption: str
) -> None:
    """The summary table of ``scope``: one line per objective of the roadmap."""
    settings = context.settings
    threshold = settings.secrecy_threshold
    lines = summary_lines(settings, scope, results)
    rows = summary_rows(lines, threshold)
    st.markdown(f"**{headline(rows)}**")
    if not rows:
        return
    table = st.empty()
    table.html(summary_html(rows, caption, with_trends=False))
    version = current_version(context)

    def history(at: Scope, metric_id: str, kind: str) -> tuple[MonthPoint, ...]:
        return cached_call(
            context, "metrics.summary:month_history", at, metric_id, kind, version=version
        )

    with st.spinner("Calcul des douze derniers mois…"):
        lines = summary_lines(settings, scope, results, history)
    table.html(summary_html(summary_rows(lines, threshold), caption))
    st.caption(method_text(context))
