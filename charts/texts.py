"""French texts of metric results, shared by the pages and the deck (no Streamlit here).

A masked value reads « < 11 (secret statistique) », a missing one « Aucune donnée sur la
période », never 0; changes read in points for rates and in days for delays.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Decimal

from babel.dates import format_date as babel_date

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
    """« +3,2 pts », « −2 j », « +12 », or None when either side is missing.

    The difference of the two figures as they are shown (a rate to 0,1 point, a delay to the
    tenth of a day): 64,3 % → 53,8 % reads −10,5 pts, the subtraction a reader makes."""
    if current is None or previous is None:
        return None
    digits = {"ratio": 3, "days": 1}.get(unit, 0)
    diff = _shown(current, digits) - _shown(previous, digits)
    sign = "+" if diff >= 0 else "−"
    if unit == "ratio":
        return f"{sign}{format_rate(abs(diff), 1).replace(' %', '')} pts"
    if unit == "days":
        return f"{sign}{format_days(abs(diff))}"
    return f"{sign}{format_int(abs(diff))}"


def _shown(value: float, digits: int) -> float:
    """The value as written on screen (Babel rounds half to even), ready to subtract."""
    scale = 10**digits
    return float(Decimal(str(value * scale)).quantize(Decimal(1), ROUND_HALF_EVEN)) / scale


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


def cohort_month(result: MetricResult | None) -> str | None:
    """« avril 2024 »: the month of the cohort a figure is reported on, or None."""
    if result is None or result.mature is None:
        return None
    return babel_date(result.mature.start, "MMMM y", locale="fr_FR")


def cohort_label(result: MetricResult | None) -> str | None:
    """« entrants d'avril 2024, observés 45 jours », or None for a figure of the period."""
    return result.mature.label if result is not None and result.mature is not None else None


def reported_text(result: MetricResult | None, threshold: int) -> str:
    """The reported figure with its cohort's month: « 50,0 % (avril 2024) »."""
    month = cohort_month(result)
    text = value_text(result.reported if result is not None else None, threshold)
    return f"{text} ({month})" if month else text


def reported_delta(current: MetricResult | None, previous: MetricResult | None) -> str | None:
    """The change between the reported figures of two results (mature cohorts compared with
    mature cohorts), or None."""
    return delta_text(
        current.reported if current is not None else None,
        previous.reported if previous is not None else None,
    )


def is_no_change(delta: str | None) -> bool:
    """True when a change reads as zero once rounded (« +0,0 j », « +0,0 pts »): it gets no
    arrow and no colour, whatever the unrounded values."""
    return delta is not None and not re.sub(r"[^1-9]", "", delta)


def cohort_note(results: dict[str, MetricResult], labels: dict[str, str]) -> str | None:
    """The footnote of a chart of shares within X days: which cohort each one is measured on
    (« Parts sous X jours mesurées sur … : Convocation : entrants d'avril 2024, … »)."""
    named = [
        f"{labels[metric_id]} : {label}"
        for metric_id, result in results.items()
        if (label := cohort_label(result))
    ]
    if not named:
        return None
    return (
        "Parts sous X jours mesurées sur la dernière cohorte suivie X jours ("
        + " ; ".join(named)
        + ")."
    )
