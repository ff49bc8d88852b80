"""Territories side by side on a page: UTAS by default, EPCI on demand (each EPCI is its own
scope, computed only when asked for)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from charts.territories import territories_figure, territories_summary, territories_table
from data_access.territories import list_territories
from metrics.results import MetricResult
from metrics.scope import Scope
from metrics.territories import TerritoryRanking, territory_rankings
from ui.chart_block import figure_block
from ui.context import AppContext

LEVEL_CHOICES = {"utas": "UTAS", "epci": "EPCI"}


def territories_block(
    context: AppContext,
    scope: Scope,
    results: dict[str, MetricResult],
    compute: Callable[[Scope, tuple[str, ...]], dict[str, MetricResult]],
    *,
    utas: Sequence[TerritoryRanking] | None = None,
    scope_text: str | None = None,
    key: str = "territoires",
) -> None:
    """The ranking chart, with the UTAS / EPCI choice."""
    level = st.radio(
        "Territoires comparés",
        list(LEVEL_CHOICES),
        format_func=LEVEL_CHOICES.__getitem__,
        horizontal=True,
        key=f"{key}-niveau",
        help="Les EPCI sont calculés chacun sur son propre périmètre (un peu plus long).",
    )
    settings = context.settings
    if level == "utas" and utas is not None:
        rankings = list(utas)
    elif level == "utas":
        rankings = territory_rankings(settings, scope, results)
    else:
        with st.spinner("Calcul de chaque EPCI…"):
            rankings = territory_rankings(
                settings,
                scope,
                results,
                level="epci",
                territories=list_territories(context.engine).get("epci", []),
                compute=compute,
            )
    threshold = settings.secrecy_threshold
    if not rankings:
        st.info("Aucun objectif mesuré par territoire sur ce périmètre.")
        return
    figure = territories_figure(rankings, level, scope.as_of, threshold, scope_text=scope_text)
    figure_block(
        figure,
        key=f"{key}-{level}",
        file_stem=f"territoires-cote-a-cote-{level}",
        table=territories_table(rankings, threshold),
        summary=territories_summary(rankings, threshold),
    )
