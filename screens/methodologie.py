"""« Méthodologie »: the catalogue of indicators, the secrecy rule, the thresholds, the legal
delays with the articles they apply, and the DREES-comparable figures of the chosen scope."""

import datetime as dt
from dataclasses import replace

import streamlit as st

from charts.texts import value_text
from formatting import format_date, format_days, format_int, format_rate
from metrics import catalog
from metrics.contracts import CONTRACT_ARTICLE, COUNTED_CONTRACTS_TEXT, MONTH_RULE_TEXT
from metrics.orientation import ORIENTATION_ARTICLE
from metrics.privacy import round_count
from ui.context import get_context
from ui.indicators import format_unit
from ui.metrics_cache import metric_results, show_failures
from ui.scope_bar import scope_bar, scope_caption

UNIT_NAMES = {"ratio": "taux", "days": "jours", "count": "effectif"}

# DREES-comparable indicators, with the survey or file their national reference comes from.
DREES_SOURCES = {
    "orientation_mean_days_from_request": "Enquête OARSA : délai entre la demande de RSA et la "
    "première orientation",
    "orientation_mean_days": "Même délai mesuré depuis l'entrée (demande souvent inconnue)",
    "orientation_within_3_months_rate": "Fichiers RI-insertion : part orientée en moins de "
    "trois mois",
    "stock_orientation_rate_lt6m": "Enquête OARSA : stock orienté, ancienneté < 6 mois",
    "stock_orientation_rate_6to12m": "Enquête OARSA : stock orienté, ancienneté 6 à 12 mois",
    "stock_orientation_rate_ge12m": "Enquête OARSA : stock orienté, ancienneté ≥ 1 an",
    "stock_orientation_rate": "Enquête OARSA : stock orienté, ensemble",
    "contract_mean_days": "DREES : délai moyen entre l'orientation et le premier contrat",
}

context = get_context()
settings = context.settings
scope = scope_bar(context)

st.title("Méthodologie")
st.caption(scope_caption())
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
st.header("Seuils en vigueur")
st.table(
    {
        "Paramètre": [
            "Convocation après l'entrée",
            "Orientation : délai légal, depuis la réception de l'information",
            "Orientation : délai suivi depuis l'entrée (continuité des séries)",
            "Orientation (délai court)",
            "Contrat : délai légal, depuis la notification de l'orientation",
            "Contrat : délai suivi par le département, depuis la première orientation",
            "Heures d'activité hebdomadaires visées",
            "Seuil du secret statistique",
            "Arrondi des effectifs de personnes publiés",
        ],
        "Valeur": [
            format_days(settings.convocation_days),
            format_days(settings.orientation_legal_days),
            format_days(settings.orientation_days),
            format_days(settings.orientation_short_days),
            "1 mois calendaire",
            format_days(settings.contract_days),
            f"{settings.activity_hours_min:g} h",
            f"{settings.secrecy_threshold} personnes",
            f"par tranches de {base}" if base > 1 else "aucun",
        ],
    }
)

st.header("Délais légaux")
st.markdown(
    f"**Orientation : six semaines ({format_days(settings.orientation_legal_days)}).** "
    f"{ORIENTATION_ARTICLE}"
)
st.markdown(
    "Le délai court de la réception par le département de l'information d'ouverture du droit "
    "ou, pour une personne arrivée d'un autre département, de l'information de transfert : un "
    "transfert ouvre un nouveau délai et seule une décision prise après lui compte. Sans date "
    "de réception, la date d'entrée la remplace ; la page « Qualité des données » dit pour "
    f"combien de personnes. Le délai de {settings.orientation_days} jours depuis l'entrée, "
    "suivi depuis l'origine du tableau de bord, reste publié pour la continuité des séries ; "
    "ce n'est pas le délai légal."
)
st.markdown(f"**Contrat : un mois calendaire.** {CONTRACT_ARTICLE}")
st.markdown(
    f"{COUNTED_CONTRACTS_TEXT} {MONTH_RULE_TEXT} Sans date de notification, la date de la "
    "décision la remplace (page « Qualité des données »). Le délai de "
    f"{settings.contract_days} jours depuis la première orientation reste publié comme délai "
    "suivi par le département."
)
st.markdown(
    "Les règles légales s'appliquent depuis le 1er janvier 2025 ; pour une période antérieure, "
    "les parts « dans le délai légal » montrent ce qu'aurait donné la règle."
)

st.header("Chiffres comparables à ceux de la DREES")
# The DREES publishes yearly cohorts of entrants: the last complete calendar year before the
# as-of date, seen from that date; the stock is read at the as-of date.
year = scope.as_of.year - 1
drees_scope = replace(scope, start=dt.date(year, 1, 1), end=dt.date(year, 12, 31))
st.caption(
    f"Entrants de l'année {year} (dernière année civile complète), observés au "
    f"{format_date(scope.as_of)} ; stock au {format_date(scope.as_of)} ; territoire et payeur "
    "du périmètre choisi (la période choisie ne s'applique pas à ce tableau)."
)
computed = metric_results(context, drees_scope, only=tuple(DREES_SOURCES))
show_failures(computed)
threshold = settings.secrecy_threshold
drees_rows = []
for metric_id, source in DREES_SOURCES.items():
    spec = catalog.spec_for(metric_id)
    reference = spec.target_for(settings)
    drees_rows.append(
        {
            "Indicateur": spec.label_for(settings),
            "Définition DREES": source,
            "Département": value_text(computed.get(metric_id), threshold),
            "Référence nationale": format_unit(reference, spec.unit) if reference else "—",
            "Année": str(spec.reference_year) if spec.reference_year else "—",
        }
    )
st.table(drees_rows, hide_index=True)
st.caption(
    "Stock : ancienneté du foyer dans le RSA à la date d'observation ; références nationales "
    "à la fin de 2023. Les délais moyens ne comptent que les personnes orientées ; la part en "
    "moins de trois mois ne compte que les entrants dont les trois mois sont écoulés."
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
                "Indicateur": f"{spec.label_for(settings)} ({spec.id})",
                "Définition": spec.definition_for(settings),
                "Formule": spec.formula_for(settings),
                "Unité": UNIT_NAMES.get(spec.unit, spec.unit),
                "Cible": (
                    f"{format_unit(target, spec.unit)} ({spec.target_source}"
                    + (f", {spec.reference_year})" if spec.reference_year else ")")
                    if target is not None
                    else "—"
                ),
                "Secret statistique": "oui" if spec.person_based else "non",
            }
        )
    st.table(rows, hide_index=True)
