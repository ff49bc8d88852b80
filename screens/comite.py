"""« Comité de suivi »: the period since the last committee against the one before, trends
since the launch, roadmap by axis, partner offer and companies, and the deck download."""

import streamlit as st

from charts.committee import committee_charts, headline_rows
from formatting import NO_DATA, format_date
from metrics.committee import HEADLINE
from reports.deck import deck_and_snapshot
from reports.pdf_report import build_report
from ui.auth import audited_download
from ui.chart_block import chart_block
from ui.committee import page_committee
from ui.context import get_context
from ui.highlights import by_subject, highlight_editor, show_notes
from ui.metrics_cache import current_version
from ui.report_button import report_button
from ui.scope_bar import scope_bar
from ui.summary import summary_block
from ui.tables import actions_table, steps_table
from ui.territories import territories_block

context = get_context()
chosen = scope_bar(context)
version = current_version(context)
gathered = page_committee(
    context, chosen.as_of, version, territory=chosen.territory, payer=chosen.payer
)
data, failures, compute = gathered.data, gathered.failures, gathered.compute

st.title("Comité de suivi")
st.caption(f"{data.scope_text} · données au {format_date(data.scope.as_of)}")
previous = (
    f"depuis le comité du {format_date(data.previous_committee)}"
    if data.previous_committee
    else "aucun comité précédent enregistré : les deux derniers mois"
)
st.caption(
    f"Comité du {format_date(data.committee_date)} (date d'observation du périmètre) — période "
    f"{data.period_text}, {previous}. Comparée à la période précédente de même durée, "
    f"{data.previous_text}, et à la même période un an plus tôt, {data.year_before_text}. "
    "* Parts et délais « sous X jours » : dernière cohorte mensuelle "
    "suivie X jours, son mois entre parenthèses."
    + (f" {data.legal_note}" if data.legal_note else "")
)
for label, message in failures.items():
    st.warning(f"Indicateurs « {label} » indisponibles : {message}")

st.download_button(
    "Télécharger le support du comité (PowerPoint)",
    data=audited_download(
        lambda: deck_and_snapshot(context.engine, data), "support du comité (PowerPoint)"
    ),
    file_name=f"comite-de-suivi_{data.committee_date.isoformat()}.pptx",
    mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
    type="primary",
    icon=":material/slideshow:",
    on_click="ignore",
    key="deck-download",
    help="Diapositives 16:9 aux graphiques natifs modifiables ; les chiffres présentés sont "
    "conservés pour comparaison au prochain comité.",
)
report_button(
    lambda: build_report(data),
    data.committee_date,
    key="report-download",
    help="Rapport A4 à imprimer : indicateurs clés, graphiques avec leurs données, étapes en "
    "retard, décisions et actions ; périmètre, source et numéro sur chaque page. Préparé au "
    "clic, en une vingtaine de secondes (chaque graphique est dessiné).",
)

st.header("Météo des objectifs")
summary_block(
    context,
    data.scope,
    data.current,
    caption=f"Objectifs de la feuille de route au {format_date(data.scope.as_of)} : état, "
    "valeur, cible et douze derniers mois",
    lines=data.summary,
)

st.header("Territoires côte à côte")
territories_block(
    context,
    data.scope,
    data.current,
    compute,
    utas=data.territories,
    scope_text=data.scope_text,
)

st.header("Indicateurs clés")
rows = headline_rows(data)
presented = (
    f"Présenté le {format_date(data.presented.committee_date)}"
    if data.presented
    else "Présenté au dernier comité"
)
if rows:
    st.table(
        {
            "Indicateur": [r.label for r in rows],
            "Période précédente": [r.previous for r in rows],
            "Un an plus tôt": [r.year_before for r in rows],
            "Période du comité": [r.current for r in rows],
            "Évolution": [r.change for r in rows],
            "Évolution sur un an": [r.year_change for r in rows],
            presented: [r.presented for r in rows],
            "Cible": [r.target for r in rows],
        },
        hide_index=True,
    )
else:
    st.info(NO_DATA)

st.header("Faits marquants")
notes = by_subject(data.highlights)  # gathered with the figures, as the deck's
if not show_notes(notes):
    st.caption("Aucun fait marquant écrit pour la période du comité.")
highlight_editor(context, data.scope, (None, *HEADLINE), notes, key="comite")

st.header("Graphiques du comité")
for desc in committee_charts(data):
    chart_block(desc)

st.header("Feuille de route : étapes en retard")
if data.late_steps:
    steps_table(data.late_steps, data.scope.as_of)
else:
    st.success("Aucune étape en retard.")

st.header("Décisions et actions ouvertes")
if data.decisions or data.actions:
    actions_table([*data.decisions, *data.actions], data.scope.as_of)
else:
    st.info("Aucune décision ni action ouverte.")
