"""Thématique categories of data·inclusion, and the Carnet de Bord themes mapped onto them.

Needs (``needs.csv``) and partner services are compared category by category, so both must speak
the same vocabulary: the data·inclusion categories (value list taken from the
``data-inclusion-schema`` package, never retyped). Diagnostics made in Carnet de Bord name their
themes differently; ``CARNET_DE_BORD_THEMES`` maps them as DOMAIN.md states.
"""

from __future__ import annotations

from data_inclusion.schema.v1 import Categorie

# slug → French label, in the schema's order
CATEGORIES: dict[str, str] = {c.value: c.label for c in Categorie}

CARNET_DE_BORD_THEMES: dict[str, str] = {
    "mobilite": "mobilite",
    "contraintes_familiales": "famille",
    "logement": "logement-hebergement",
    "sante": "sante",
    "maitrise_langue": "lecture-ecriture-calcul",
    "difficulte_financiere": "difficultes-financieres",
    "difficulte_administrative": "difficultes-administratives-ou-juridiques",
    "numerique": "numerique",
    "formation": "se-former",
    "emploi": "trouver-un-emploi",
}

THEMATIQUE_SEPARATOR = "--"


def category_of_thematique(thematique: str) -> str:
    """Category of a thématique: the part before ``--`` (``famille--garde-denfants`` → famille)."""
    return thematique.strip().casefold().split(THEMATIQUE_SEPARATOR, 1)[0]


def need_category(value: str) -> str | None:
    """data·inclusion category for a need written as a category, a thématique or a Carnet de
    Bord theme; ``None`` when the value is none of these."""
    text = value.strip().casefold()
    if text in CARNET_DE_BORD_THEMES:
        return CARNET_DE_BORD_THEMES[text]
    category = category_of_thematique(text)
    return category if category in CATEGORIES else None


def category_label(category: str) -> str:
    """French label of a category (the slug itself when unknown)."""
    return CATEGORIES.get(category, category)
