"""French texts of metric results, shared by the pages and the deck (no Streamlit here).

A masked value reads « < 11 (secret statistique) », a missing one « Aucune donnée sur la
période », never 0; changes read in points for rates and in days for delays.
"""

from __future__ import annotations

from formatting import NO_DATA, format_days, format_int, format_rate, secret_label
from metrics.results import MetricResult

STATUS_LABELS = {
    "atteint": "cible atteinte",
    "non_atteint": "cible non atteinte",
    "sans_cible": "sans cible",
    "secret": "secret statistique",
    "sans_donnees": "aucune donnée",
}


def format_unit(value: float | None, unit: str) -> str:
    """A value in its unit, French style."""
    if unit == "ratio":
        return format_rate(value)
    if unit == "days":
        return format_days(value)
    return format_int(value)


def value_text(result: MetricResult | None, threshold: int) -> str:
    """« 87,5 % », « < 11 (secret statistique) » or « Aucune donnée sur la période »."""
    if result is None:
        return NO_DATA
    if result.suppressed:
        return secret_label(threshold)
    if result.value is None:
        return NO_DATA
    return format_unit(result.value, result.unit)


def difference_text(current: float | None, previous: float | None, unit: str) -> str | None:
    """« +3,2 pts », « −2 j », « +12 », or None when either side is missing."""
    if current is None or previous is None:
        return None
    diff = current - previous
    sign = "+" if diff >= 0 else "−"
    if unit == "ratio":
        return f"{sign}{format_rate(abs(diff), 1).replace(' %', '')} pts"
    if unit == "days":
        return f"{sign}{format_days(abs(diff))}"
    return f"{sign}{format_int(abs(diff))}"


def delta_text(current: MetricResult | None, previous: MetricResult | None) -> str | None:
    """The change between two results of the same indicator, or None."""
    if current is None or previous is None:
        return None
    return difference_text(current.value, previous.value, current.unit)


def target_text(result: MetricResult | None) -> str | None:
    """« Cible : 90,0 % — cible non atteinte », or None without target."""
    if result is None or result.target is None:
        return None
    status = STATUS_LABELS.get(result.status, result.status)
    return f"Cible : {format_unit(result.target, result.unit)} — {status}"
