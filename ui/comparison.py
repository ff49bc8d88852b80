"""What a page compares its period with: the period of the same length just before, or the
same period one year earlier (seasons weigh on entries and delays: June against the June
before says whether things improve, June against May partly says it is summer)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import streamlit as st

from formatting import format_date
from metrics.committee import LAUNCH_DATE, previous_period, year_before_period
from metrics.scope import Scope
from ui.context import AppContext
from ui.metrics_cache import Computed, metric_results

CHOICES = {
    "precedente": "la période précédente de même durée",
    "un_an": "la même période un an plus tôt",
}
SHORT_NAMES = {"precedente": "Période précédente", "un_an": "Un an plus tôt"}


@dataclass(frozen=True)
class Comparison:
    """The chosen comparison: its period (None before the launch) and its results."""

    choice: str
    scope: Scope | None
    results: Computed | None

    @property
    def name(self) -> str:
        """« la même période un an plus tôt »."""
        return CHOICES[self.choice]

    @property
    def short_name(self) -> str:
        """« Un an plus tôt » (a legend, a column)."""
        return SHORT_NAMES[self.choice]

    @property
    def caption(self) -> str:
        """The French sentence under the cards: what the changes are measured against."""
        if self.scope is None:
            return (
                f"Sans comparaison : {self.name} serait antérieure au lancement "
                f"({format_date(LAUNCH_DATE)})."
            )
        return (
            f"Évolution par rapport à {self.name} (du {format_date(self.scope.start)} au "
            f"{format_date(self.scope.end)}, données au {format_date(self.scope.as_of)})."
        )


def comparison_choice(
    context: AppContext,
    scope: Scope,
    *,
    key: str = "comparaison",
    only: Iterable[str] | None = None,
) -> Comparison:
    """The « Comparer avec » choice and the results of the period it names (``only``: the
    indicators the page compares, as for ``metric_results``)."""
    choice = st.radio(
        "Comparer avec",
        list(CHOICES),
        format_func=lambda k: CHOICES[k][0].upper() + CHOICES[k][1:],
        horizontal=True,
        key=key,
    )
    before = previous_period(scope) if choice == "precedente" else year_before_period(scope)
    return Comparison(
        choice, before, metric_results(context, before, only=only) if before else None
    )
