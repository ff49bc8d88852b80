"""« Méthodologie »: the catalogue of indicators, the secrecy rule and the thresholds."""

import streamlit as st

from formatting import format_days
from metrics import catalog
from ui.context import get_context
from ui.indicators import format_unit
from ui.scope_bar import keep_scope

UNIT_NAMES = {"ratio": "taux", "days": "jours", "count": "effectif"}

context = get_context()
settings = context.settings

st.title("Méthodologie")
st.caption(keep_scope())
st.markdown(
    "Chaque chiffre du tableau de bord vient du catalogue ci-dessous : identifiant stable, "
    "définition, formule, unité et cible. Les délais sont en jours calendaires ; les parts "
    "« sous N jours » et les médianes sont estimées par la méthode de Kaplan–Meier, qui compte "
    "les personnes encore sans événement jusqu'à la date d'observation au lieu de les exclure."
)
st.markdown(
    "Une part « sous X jours » ne se mesure que sur des personnes suivies X jours : les cartes, "
    "le comité, les alertes et les exports la donnent pour la **dernière cohorte mensuelle "
    "suivie X jours** (par exemple « entrants d'avril 2024, observés 45 jours » au 30 juin), "
    "avec les délais médian et moyen de la même cohorte ; l'estimation de Kaplan–Meier des "
    "entrants de la période est donnée à côté quand elle existe."
)
st.header("Secret statistique")
st.markdown(
    f"Seuls des agrégats sont affichés. Un effectif de 1 à {settings.secrecy_threshold - 1} "
    f"personnes est masqué, ainsi que tout taux ou délai calculé sur moins de "
    f"{settings.secrecy_threshold} personnes ; il s'affiche « < {settings.secrecy_threshold} "
    "(secret statistique) », jamais 0. Zéro n'est pas secret. Dans un tableau avec totaux, une "
    "seconde case est masquée quand la première pourrait être retrouvée par différence."
)
st.header("Seuils en vigueur")
st.table(
    {
        "Paramètre": [
            "Convocation après l'entrée",
            "Orientation après l'entrée (délai légal)",
            "Orientation (délai court)",
            "Contrat après l'orientation",
            "Heures d'activité hebdomadaires visées",
        ],
        "Valeur": [
            format_days(settings.convocation_days),
            format_days(settings.orientation_days),
            format_days(settings.orientation_short_days),
            format_days(settings.contract_days),
            f"{settings.activity_hours_min:g} h",
        ],
    }
)

families = catalog.families()
if not families:
    st.info("Aucun indicateur n'est encore enregistré dans le catalogue.")
for family in families:
    st.header(family.label)
    rows = []
    for spec in family.indicators:
        target = spec.target_for(settings)
        rows.append(
            {
                "Indicateur": f"{spec.label} ({spec.id})",
                "Définition": spec.definition,
                "Formule": spec.formula,
                "Unité": UNIT_NAMES.get(spec.unit, spec.unit),
                "Cible": (
                    f"{format_unit(target, spec.unit)} ({spec.target_source})"
                    if target is not None
                    else "—"
                ),
                "Secret statistique": "oui" if spec.person_based else "non",
            }
        )
    st.table(rows, hide_index=True)
