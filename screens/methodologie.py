"""« Méthodologie »: the catalogue of indicators, the secrecy rule and the thresholds."""

import streamlit as st

from formatting import format_days, format_int, format_rate
from metrics import catalog
from metrics.privacy import round_count
from ui.context import get_context
from ui.indicators import format_unit

UNIT_NAMES = {"ratio": "taux", "days": "jours", "count": "effectif"}

context = get_context()
settings = context.settings

st.title("Méthodologie")
st.markdown(
    "Chaque chiffre du tableau de bord vient du catalogue ci-dessous : identifiant stable, "
    "définition, formule, unité et cible. Les délais sont en jours calendaires ; les parts "
    "« sous N jours » et les médianes sont estimées par la méthode de Kaplan–Meier, qui compte "
    "les personnes encore sans événement jusqu'à la date d'observation au lieu de les exclure."
)
st.subheader("Secret statistique")
st.markdown(
    f"Seuls des agrégats sont affichés. Un effectif de 1 à {settings.secrecy_threshold - 1} "
    f"personnes est masqué, ainsi que tout taux ou délai calculé sur moins de "
    f"{settings.secrecy_threshold} personnes ; il s'affiche « < {settings.secrecy_threshold} "
    "(secret statistique) », jamais 0. Zéro n'est pas secret. Dans un tableau avec totaux, une "
    "seconde case est masquée quand la première pourrait être retrouvée par différence."
)
base, threshold = settings.secrecy_rounding, settings.secrecy_threshold


def shown(count: int) -> float:
    """A count as the dashboard publishes it."""
    return round_count(count, base, threshold) or 0.0


def band(start: int) -> str:
    """« 11 à 15 s'affichent 15 »: the counts published as one value, from ``start``."""
    return f"{start} à {start + base - 1} s'affichent {format_int(shown(start))}"


if base > 1:
    st.markdown(
        "**Secret entre périmètres voisins.** Le périmètre se choisit librement : payeur, période "
        "au jour près, UTAS, EPCI ou commune. Avec des chiffres exacts, une soustraction suffirait "
        "à retrouver un effectif masqué : tous payeurs moins CAF donne la MSA, la période du "
        "1er janvier au 31 mars moins celle du 1er janvier au 30 mars donne les entrants du "
        "31 mars, le département moins les autres UTAS donne une UTAS.\n\n"
        "C'est pourquoi tout effectif de personnes publié est **arrondi par tranches de "
        f"{base}** calées sur le seuil ({band(threshold)}, {band(threshold + base)}, "
        f"57 s'affiche {format_int(shown(57))}) : effectifs, numérateurs "
        "et dénominateurs des taux et des délais, au total comme dans chaque ventilation, "
        "courbes comprises, à l'écran, dans les CSV, dans le support du comité et dans "
        "`pilotage metrics --json` (champ `rounding`). Le masquage se décide avant, sur "
        f"l'effectif exact. Chaque chiffre publié représente {base} valeurs possibles, la "
        "première tranche publiée comprise : la différence de deux chiffres n'est connue qu'à "
        f"± {base - 1} près : aucune soustraction de deux chiffres, ni plusieurs soustractions "
        "visant le même effectif, ne désigne un effectif masqué.\n\n"
        "Les taux restent cohérents avec ce qui est affiché à côté : une part est recalculée sur "
        f"le numérateur et le dénominateur arrondis (57 personnes sur 65 se publient "
        f"{format_int(shown(57))} sur {format_int(shown(65))}, soit "
        f"{format_rate(shown(57) / shown(65))}) ; une part estimée par "
        "Kaplan–Meier, et chaque point de sa courbe, devient le nombre arrondi de personnes "
        "qu'elle représente rapporté au dénominateur arrondi ; un délai moyen est donné au "
        "dixième de jour, un délai médian tel quel. Sur un petit périmètre, un taux peut donc "
        "s'écarter de quelques points du taux exact ; au niveau du département, de moins d'un "
        "point. Les comparaisons entre périodes (comité, tendances) portent sur ces chiffres "
        "publiés. Les chiffres qui ne comptent pas des personnes (étapes de la feuille de route, "
        "entreprises, services, places) restent exacts."
    )
st.subheader("Seuils en vigueur")
st.table(
    {
        "Paramètre": [
            "Convocation après l'entrée",
            "Orientation après l'entrée (délai légal)",
            "Orientation (délai court)",
            "Contrat après l'orientation",
            "Heures d'activité hebdomadaires visées",
            "Seuil du secret statistique",
            "Arrondi des effectifs de personnes publiés",
        ],
        "Valeur": [
            format_days(settings.convocation_days),
            format_days(settings.orientation_days),
            format_days(settings.orientation_short_days),
            format_days(settings.contract_days),
            f"{settings.activity_hours_min:g} h",
            f"{settings.secrecy_threshold} personnes",
            f"par tranches de {base}" if base > 1 else "aucun",
        ],
    }
)

families = catalog.families()
if not families:
    st.info("Aucun indicateur n'est encore enregistré dans le catalogue.")
for family in families:
    st.subheader(family.label)
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
