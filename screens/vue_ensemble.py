"""« Vue d'ensemble »: headline indicators against targets, change, alerts."""

from dataclasses import replace

import streamlit as st

from charts.builders import comparison_chart
from charts.texts import cohort_label, cohort_note, value_text
from data_access.roadmap import steps_at
from formatting import format_date
from metrics.catalog import label_of
from metrics.committee import LAUNCH_DATE, previous_period
from metrics.displays import OVERVIEW_COMPARED_RATES as COMPARED_RATES
from metrics.displays import OVERVIEW_HEADLINE as HEADLINE
from metrics.roadmap import is_late
from ui.chart_block import chart_block
from ui.context import get_context
from ui.indicators import (
    indicator_cards,
    is_off_target,
    spec_or_none,
    target_text,
)
from ui.metrics_cache import metric_results, previous_results, show_failures
from ui.scope_bar import scope_bar, scope_caption
from ui.tables import steps_table

context = get_context()
scope = scope_bar(context)
settings = context.settings
threshold = settings.secrecy_threshold

st.title("Vue d'ensemble")
st.caption(scope_caption())

computed = metric_results(context, scope)
before = previous_period(scope)
previous = previous_results(context, scope)
show_failures(computed)

st.header("Indicateurs clés")
st.caption(
    f"Évolution par rapport à la période précédente de même durée (du "
    f"{format_date(before.start)} au {format_date(before.end)})."
    if before is not None
    else "Sans comparaison : la période précédente de même durée serait antérieure au "
    f"lancement ({format_date(LAUNCH_DATE)})."
)
st.caption(
    "Parts et délais « sous X jours » : mesurés sur la dernière cohorte mensuelle suivie X "
    "jours (nommée sous chaque chiffre) ; la mesure, à ce jour, sur les entrants de la "
    "période est donnée à côté quand elle existe."
)
indicator_cards(HEADLINE, computed, threshold, previous=previous)

st.header("Alertes")
off_target = [
    spec_id
    for spec_id, result in computed.results.items()
    if is_off_target(result) and spec_or_none(spec_id) is not None
]
if off_target:
    st.error(
        "**Indicateurs hors cible**\n\n"
        + "\n".join(
            f"- {label_of(i, settings)} : {value_text(computed.results[i].reported, threshold)} "
            f"({target_text(computed.results[i].reported)})"
            + (f", {cohort_label(computed.get(i))}" if cohort_label(computed.get(i)) else "")
            for i in off_target
        )
    )
else:
    st.success("Aucun indicateur publié n'est hors de sa cible sur la période.")

if computed.get("roadmap_late_steps") is not None:
    late = [s for s in steps_at(context.engine, scope.as_of) if is_late(s, scope.as_of)]
    if late:
        st.warning(f"**{len(late)} étape(s) de la feuille de route en retard**")
        steps_table(late)
    else:
        st.success("Aucune étape de la feuille de route en retard.")

rates = [i for i in COMPARED_RATES if computed.get(i) is not None]
if rates:
    st.header("Taux clés : période et période précédente")
    chart_block(
        replace(
            comparison_chart(
                [label_of(i, settings) for i in rates],
                [computed.results[i].reported for i in rates],
                [r.reported if previous and (r := previous.get(i)) else None for i in rates],
                key="vue-ensemble-taux",
                title="Taux clés, période choisie et période précédente",
                unit="ratio",
                current_name="Période choisie",
                previous_name="Période précédente",
                as_of=scope.as_of,
                threshold=threshold,
            ),
            note=cohort_note(
                {i: computed.results[i] for i in rates},
                {i: label_of(i, settings) for i in rates},
            ),
        )
    )
