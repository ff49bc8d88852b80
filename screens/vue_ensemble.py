"""« Vue d'ensemble »: headline indicators against targets, change, alerts."""

from dataclasses import replace

import streamlit as st

from charts.builders import comparison_chart
from charts.texts import cohort_label, cohort_note, value_text
from data_access.roadmap import steps_at
from formatting import format_date
from metrics.catalog import label_of
from metrics.displays import OVERVIEW_COMPARED_RATES as COMPARED_RATES
from metrics.displays import OVERVIEW_HEADLINE as HEADLINE
from metrics.roadmap import is_late
from ui.chart_block import chart_block
from ui.comparison import comparison_choice
from ui.context import get_context
from ui.highlights import highlight_editor, highlights_for, show_notes
from ui.indicators import (
    indicator_cards,
    is_off_target,
    spec_or_none,
    target_text,
)
from ui.metrics_cache import metric_results, show_failures
from ui.parallel import family_executor
from ui.scope_bar import scope_bar, scope_caption
from ui.summary import summary_block
from ui.tables import steps_table

context = get_context()
scope = scope_bar(context)
settings = context.settings
threshold = settings.secrecy_threshold

st.title("Vue d'ensemble")
st.caption(scope_caption())

computed = metric_results(context, scope, parallel=family_executor())
show_failures(computed)

st.header("Météo des objectifs")
summary_block(
    context,
    scope,
    computed.results,
    caption=f"Objectifs de la feuille de route au {format_date(scope.as_of)} : état, valeur, "
    "cible et douze derniers mois",
)

st.header("Indicateurs clés")
comparison = comparison_choice(context, scope, only=(*HEADLINE, *COMPARED_RATES))
previous = comparison.results
st.caption(comparison.caption)
st.caption(
    "Parts et délais « sous X jours » : mesurés sur la dernière cohorte mensuelle suivie X "
    "jours (nommée sous chaque chiffre) ; la mesure, à ce jour, sur les entrants de la "
    "période est donnée à côté quand elle existe."
)
notes = highlights_for(context, scope, (None, *HEADLINE))
indicator_cards(
    HEADLINE, computed, threshold, previous=previous, previous_name=comparison.name, notes=notes
)
show_notes({None: notes[None]} if None in notes else {})
highlight_editor(context, scope, (None, *HEADLINE), notes, key="vue_ensemble")

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
        steps_table(late, scope.as_of)
    else:
        st.success("Aucune étape de la feuille de route en retard.")

rates = [i for i in COMPARED_RATES if computed.get(i) is not None]
if rates:
    st.header(f"Taux clés : période et {comparison.short_name.lower()}")
    chart_block(
        replace(
            comparison_chart(
                [label_of(i, settings) for i in rates],
                [computed.results[i].reported for i in rates],
                [r.reported if previous and (r := previous.get(i)) else None for i in rates],
                key="vue-ensemble-taux",
                title=f"Taux clés, période choisie et {comparison.short_name.lower()}",
                unit="ratio",
                current_name="Période choisie",
                previous_name=comparison.short_name,
                as_of=scope.as_of,
                threshold=threshold,
            ),
            note=cohort_note(
                {i: computed.results[i] for i in rates},
                {i: label_of(i, settings) for i in rates},
            ),
        )
    )
