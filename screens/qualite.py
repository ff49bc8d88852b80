"""« Qualité des données »: freshness of each source, completeness of key dates, inconsistencies."""

import datetime as dt

import streamlit as st

from data_access.db import data_version
from formatting import format_date, format_datetime, format_int, format_rate
from metrics.quality import QualityCheck, QualityReport, quality_report
from metrics.scope import Scope
from metrics.spec import MetricContext
from ui.context import get_context
from ui.scope_bar import keep_scope, kept_as_of
from ui.tables import data_table

context = get_context()
threshold = context.settings.secrecy_threshold
SECRET = "secret"


@st.cache_data(show_spinner="Calcul des contrôles de qualité…", max_entries=8)
def _report(url: str, version: str, secrecy: int, today: dt.date) -> QualityReport:
    """Cached on the database, its data version and the day: a new import (or a new day, for
    freshness) recomputes at once."""
    day = Scope.build(today, today)
    return quality_report(MetricContext(context.engine, context.settings, day))


def _share(cell) -> str:
    return SECRET if cell.suppressed else format_rate(cell.rate)


def _count(cell) -> str:
    return SECRET if cell.suppressed else format_int(cell.count)


def _table(checks: list[QualityCheck], value) -> dict[str, list[str]]:
    """One row per check, the whole département first (visible without scrolling on a
    laptop screen), then one column per UTAS."""
    columns: dict[str, list[str]] = {"Contrôle": [c.label for c in checks]}
    columns["Ensemble"] = [value(c.total) for c in checks]
    if checks:
        for index, cell in enumerate(checks[0].by_utas):
            columns[cell.label] = [value(c.by_utas[index]) for c in checks]
    return columns


def _definitions(checks: list[QualityCheck]) -> None:
    with st.expander("Définitions"):
        for check in checks:
            st.markdown(f"**{check.label}** : {check.definition}")


report = _report(
    context.settings.database_url,
    data_version(context.engine),
    threshold,
    kept_as_of(dt.date.today()),
)

st.title("Qualité des données")
st.caption(keep_scope())
st.caption(
    f"Contrôles au {format_date(report.as_of)}, par UTAS. Effectifs de 1 à {threshold - 1} "
    "personnes masqués (« secret »), ainsi que les cellules qui permettraient de les retrouver."
)

st.header("Fraîcheur des sources")
if not report.freshness:
    st.info("Aucun import enregistré : les données viennent d'une démonstration ou d'une saisie.")
else:
    stale = [f for f in report.freshness if f.stale]
    if stale:
        st.warning(
            "Sources non mises à jour depuis plus de "
            f"{report.threshold_days} jours : {', '.join(f.label for f in stale)}."
        )
    data_table(
        {
            "Source": [f.label for f in report.freshness],
            "Dernier import": [format_datetime(f.last_import) for f in report.freshness],
            "Ancienneté (jours)": [format_int(f.days) for f in report.freshness],
            "État": ["à mettre à jour" if f.stale else "à jour" for f in report.freshness],
        },
        file_stem="fraicheur-des-sources",
        key="qualite-fraicheur",
    )

st.header("Complétude des dates clés")
st.write("Part des personnes de chaque source pour qui la donnée est renseignée.")
completeness = report.completeness()
if not completeness:
    st.info("Aucune personne dans la base.")
for source in sorted({c.source for c in completeness if c.source}):
    checks = [c for c in completeness if c.source == source]
    st.markdown(f"**{checks[0].source_label}**")
    data_table(_table(checks, _share), file_stem=f"completude-{source}", key=f"qualite-{source}")
_definitions(
    [c for c in completeness if c.source == (completeness[0].source if completeness else None)]
)

st.header("Incohérences")
st.write("Nombre de personnes concernées par chaque anomalie.")
inconsistencies = report.inconsistencies()
data_table(_table(inconsistencies, _count), file_stem="incoherences", key="qualite-incoherences")
_definitions(inconsistencies)

st.header("Ce que l'import a déduit")
st.write(
    "Nombre de personnes dont une donnée ne vient pas telle quelle des fichiers mais d'une "
    "règle appliquée à l'import. Règles : l'orientation de l'entrée en cours est datée par la "
    "« Date d'orientation » si elle suit l'entrée, sinon par le premier rendez-vous "
    "d'orientation honoré depuis l'entrée ; un rendez-vous pris par un agent (« RDV pris en "
    "autonomie ? » = Non) est une convocation envoyée le jour où il a été pris, et la première "
    "convocation est la plus ancienne des deux fichiers ; une sortie n'est enregistrée que si "
    "la personne est archivée dans toutes ses organisations, et un export sans colonne "
    "« Archivé le » ne change aucune sortie."
)
deductions = report.deductions()
data_table(_table(deductions, _count), file_stem="deductions-import", key="qualite-deductions")
_definitions(deductions)

st.header("Dates des délais légaux")
st.write(
    "Nombre de personnes à qui manque une date dont dépend un délai légal ou un chiffre "
    "comparable à ceux de la DREES, et la date utilisée à la place."
)
fallbacks = report.fallbacks()
data_table(_table(fallbacks, _count), file_stem="dates-delais-legaux", key="qualite-repli")
_definitions(fallbacks)
