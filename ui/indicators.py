"""Headline indicators on a page: French value, change, target and status, from MetricResults.

A masked value reads « < 11 (secret statistique) », an empty scope « Aucune donnée sur la
période », never 0: the card shows a dash as its figure and the reason in words under it.
Changes are shown in points for rates, in days for delays.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from charts.texts import (  # noqa: F401 (re-exported for the pages)
    STATUS_LABELS,
    cohort_label,
    delta_text,
    format_unit,
    is_no_change,
    reported_delta,
    target_text,
    value_text,
)
from formatting import NO_DATA
from metrics import catalog
from metrics.exceptions import UnknownMetricError
from metrics.results import MetricResult
from metrics.spec import IndicatorSpec
from ui.context import current_settings
from ui.metrics_cache import Computed

MISSING_MARK = "—"
BREAKDOWN_LABELS = {
    "cohort_month": "Par cohorte mensuelle d'entrée",
    "month": "Par mois",
    "utas": "Par UTAS",
    "epci": "Par EPCI",
    "commune": "Par commune",
    "type": "Par type",
    "orientation_type": "Par type d'orientation",
    "organism": "Par organisme",
    "contract_type": "Par type de contrat",
    "booked_after": "Après invitation ou convocation",
    "seniority": "Par ancienneté",
    "axis": "Par axe",
    "owner": "Par partie responsable",
    "channel": "Par canal",
    "payer": "Par payeur",
}
BREAKDOWN_AXES = {
    "cohort_month": "Mois d'entrée",
    "month": "Mois",
    "utas": "UTAS",
    "axis": "Axe",
    "owner": "Partie",
}


def spec_or_none(metric_id: str) -> IndicatorSpec | None:
    """The catalogue entry of an id, or None while its family is not registered."""
    try:
        return catalog.spec_for(metric_id)
    except UnknownMetricError:
        return None


def is_off_target(result: MetricResult | None) -> bool:
    """True when a reported value (the mature cohort's for a share within X days) misses
    its target."""
    return result is not None and result.reported.status == "non_atteint"


def _is_empty_count(result: MetricResult | None, spec: IndicatorSpec | None) -> bool:
    """A person count of zero means nobody in scope: the card says « Aucune donnée sur la
    période » rather than a bare 0 that reads like a measured result."""
    return (
        result is not None
        and spec is not None
        and spec.person_based
        and spec.unit == "count"
        and result.value == 0
    )


def indicator_cards(
    ids: Sequence[str],
    computed: Computed,
    threshold: int,
    *,
    previous: Computed | None = None,
    columns: int = 4,
    previous_name: str = "la période précédente de même durée",
) -> None:
    """One ``st.metric`` per indicator, in rows of ``columns``; absent families are skipped."""
    shown = [i for i in ids if spec_or_none(i) is not None or computed.get(i) is not None]
    if not shown:
        st.info(NO_DATA)
        return
    for start in range(0, len(shown), columns):
        cells = st.columns(columns)
        for cell, metric_id in zip(cells, shown[start : start + columns], strict=False):
            with cell.container(border=True):
                _card(metric_id, computed.get(metric_id), previous, threshold, previous_name)


def _card(
    metric_id: str,
    whole: MetricResult | None,
    previous: Computed | None,
    threshold: int,
    previous_name: str,
) -> None:
    """One card: the reported figure (a share within X days on its latest mature cohort,
    named under it), its change against the same figure of the previous period, its target,
    and the period's own Kaplan–Meier estimate when it differs."""
    spec = spec_or_none(metric_id)
    result = whole.reported if whole is not None else None
    before = previous.get(metric_id) if previous else None
    delta = reported_delta(whole, before)
    settings = current_settings()
    help_parts = [spec.definition_for(settings) if spec else ""]
    if delta:
        help_parts.append(f"Évolution par rapport à {previous_name}.")
    text = NO_DATA if _is_empty_count(result, spec) else value_text(result, threshold)
    if whole is not None and whole.mature is not None and whole.mature.reason:
        text = whole.mature.reason
    unchanged = is_no_change(delta)
    has_value = (
        result is not None
        and not result.suppressed
        and result.value is not None
        and not _is_empty_count(result, spec)
    )
    st.metric(
        label=catalog.label_of(metric_id, settings),
        value=text if has_value else MISSING_MARK,
        # Streamlit points the arrow down only for an ASCII minus.
        delta=delta.replace("−", "-") if delta else None,
        delta_color=(
            "off" if unchanged else "normal" if spec is None or spec.higher_is_better else "inverse"
        ),
        delta_arrow="off" if unchanged else "auto",
        help=" ".join(p for p in help_parts if p) or None,
    )
    if not has_value:
        # Too long for the big figure: the French reason goes right under it.
        st.markdown(f"**{text}**")
    cohort = cohort_label(whole)
    if cohort:
        st.caption(cohort[0].upper() + cohort[1:])
    if (
        whole is not None
        and whole.mature is not None
        and whole.value is not None
        and not whole.suppressed
        and result is not None
        and whole.value != result.value
    ):
        noun = spec.cohort_noun if spec else "entrants"
        st.caption(f"{noun.capitalize()} de la période, à ce jour : {value_text(whole, threshold)}")
    target = target_text(result)
    if target:
        st.caption(target)
