"""Building blocks of the thematic pages: breakdown tabs and delay curves.

Breakdowns come with each MetricResult (by monthly cohort, by UTAS, by type); delay curves are
the Kaplan–Meier curves behind the delay indicators (``metrics.catalog.delay_curves``, masked
below the secrecy threshold), cached per scope and data version like every figure.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from charts.builders import breakdown_chart, curve_chart, trend_chart
from formatting import NO_DATA
from metrics import catalog
from metrics.catalog import label_of
from metrics.results import MetricResult
from metrics.scope import Scope
from metrics.survival import DelayCurve
from ui.chart_block import chart_block
from ui.context import AppContext, current_settings
from ui.indicators import BREAKDOWN_AXES, BREAKDOWN_LABELS
from ui.metrics_cache import Computed, cached_call

MAX_COHORT_CURVES = 6
CURVE_GROUPS = {"": "Ensemble", "utas": "Par UTAS", "cohort_month": "Par cohorte mensuelle"}


def breakdown_kind(name: str) -> str:
    """UTAS and other long labels read best as horizontal bars; cohorts as columns."""
    return "hbar" if name in ("utas", "axis", "epci", "commune") else "bar"


def breakdown_tabs(
    ids: Sequence[str], computed: Computed, scope: Scope, threshold: int, *, key: str
) -> None:
    """A selector of indicators, then one tab per breakdown of the chosen one.

    One indicator at a time keeps the page light (each chart carries its exports) and the
    reader focused; the selection is kept while the person changes the scope.
    """
    present = [i for i in ids if (result := computed.get(i)) is not None and result.breakdowns]
    if not present:
        st.info(NO_DATA)
        return
    settings = current_settings()
    metric_id = st.selectbox(
        "Indicateur à détailler",
        present,
        format_func=lambda i: label_of(i, settings),
        key=f"detail-{key}",
    )
    whole = computed.get(metric_id)
    if whole is None:
        return
    # the same figure as the card: the mature cohort's for a share or delay within X days
    result = whole.reported
    label = label_of(metric_id, settings)
    if whole.mature is not None:
        label = f"{label} — {whole.mature.label}"
    names = list(result.breakdowns)
    for tab, name in zip(st.tabs([BREAKDOWN_LABELS.get(n, n) for n in names]), names, strict=True):
        with tab:
            chart_block(
                breakdown_chart(
                    result,
                    name,
                    title=f"{label} — {BREAKDOWN_LABELS.get(name, name).lower()}",
                    x_title=BREAKDOWN_AXES.get(name, "Catégorie"),
                    as_of=scope.as_of,
                    threshold=threshold,
                    kind=breakdown_kind(name),  # type: ignore[arg-type]
                    series_name=label,
                )
            )


def results_bars(
    ids: Sequence[str],
    computed: Computed,
    scope: Scope,
    threshold: int,
    *,
    key: str,
    title: str,
    names: dict[str, str] | None = None,
    note: str | None = None,
    x_title: str = "Indicateur",
) -> None:
    """Several indicators of one unit as bars (orientation shares, stock by seniority)."""
    present: list[tuple[str, MetricResult]] = [
        (i, r) for i in ids if (r := computed.get(i)) is not None
    ]
    if not present:
        return
    chart_block(
        trend_chart(
            [(names or {}).get(i, label_of(i, current_settings())) for i, _ in present],
            {title: [r for _, r in present]},
            key=key,
            title=title,
            unit=present[0][1].unit,
            x_title=x_title,
            as_of=scope.as_of,
            threshold=threshold,
            kind="bar",
            note=note,
        )
    )


def curve_block(
    context: AppContext,
    scope: Scope,
    *,
    metric_id: str,
    title: str,
    reference_days: float,
    x_title: str = "Jours depuis l'entrée",
    key: str,
) -> None:
    """Kaplan–Meier curves of one delay, whole cohort or by group, with exports."""
    if metric_id not in catalog.delay_metric_ids():
        return
    by = st.segmented_control(
        "Courbes",
        list(CURVE_GROUPS),
        format_func=CURVE_GROUPS.__getitem__,
        default="",
        key=f"curves-{key}",
        label_visibility="collapsed",
    )
    curves: list[DelayCurve] = cached_call(
        context, "metrics.catalog:delay_curves", scope, metric_id, by or None
    )
    if by == "cohort_month":
        curves = sorted(curves, key=lambda c: c.key)[-MAX_COHORT_CURVES:]
    shown = {c.label: c.points for c in curves if not c.suppressed and c.points}
    masked = [c.label for c in curves if c.suppressed]
    note = (
        "Estimation de Kaplan–Meier : les personnes sans événement à la date d'observation "
        "sont comptées jusqu'à cette date (censure), pas exclues."
    )
    if masked:
        note += f" Groupes masqués (secret statistique) : {', '.join(masked)}."
    if not shown:
        st.markdown(f"**{title}**")
        st.info(NO_DATA)
        if masked:
            st.caption(note)
        return
    chart_block(
        curve_chart(
            shown,
            key=f"{key}-{by or 'ensemble'}",
            title=title,
            as_of=scope.as_of,
            threshold=context.settings.secrecy_threshold,
            reference_days=reference_days,
            note=note,
            x_title=x_title,
            rounding=context.settings.secrecy_rounding,
        )
    )
