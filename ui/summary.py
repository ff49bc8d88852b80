"""The one-glance summary (« météo ») on a page: the figures at once, the twelve months as
soon as they are computed (cached per as-of date and data version, shared by the pages)."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from charts.summary import headline, method_text, summary_html, summary_rows
from metrics.results import MetricResult
from metrics.scope import Scope
from metrics.summary import Gaps, History, MonthPoint, SummaryLine, month_history, summary_lines
from ui.context import AppContext
from ui.metrics_cache import cached_call, current_version
from ui.parallel import family_executor


def cached_history(context: AppContext, version: str | None = None) -> History:
    """Twelve months of an objective, cached per scope and data version."""
    version = version or current_version(context)

    def history(at: Scope, metric_id: str, kind: str) -> tuple[MonthPoint, ...]:
        return cached_call(context, month_history, at, metric_id, kind, version=version)

    return history


def summary_block(
    context: AppContext,
    scope: Scope,
    results: dict[str, MetricResult],
    *,
    caption: str,
    lines: Sequence[SummaryLine] | None = None,
) -> None:
    """The summary table of ``scope``: one line per objective of the roadmap (``lines`` when
    they are computed already, with their months, as on the committee page)."""
    threshold = context.settings.secrecy_threshold
    if lines is None:
        quick = summary_lines(context.settings, scope, results)
        rows = summary_rows(quick, threshold)
        if not rows:
            st.info(headline(rows))
            return
        table = st.empty()
        table.html(summary_html(rows, caption, with_trends=False, lead=headline(rows)))
        with st.spinner("Calcul des douze derniers mois…"):
            lines = summary_lines(
                context.settings, scope, results, cached_history(context), family_executor()
            )
        rows = summary_rows(lines, threshold)
        table.html(summary_html(rows, caption, lead=headline(rows)))
    else:
        rows = summary_rows(lines, threshold)
        if not rows:
            st.info(headline(rows))
            return
        st.html(summary_html(rows, caption, lead=headline(rows)))
    st.caption(method_text(Gaps.of(context.settings)))
