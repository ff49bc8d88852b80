"""Town names as agents type them, matched to the Creuse reference postal codes."""

from __future__ import annotations

import csv

import pytest

from data_access.importers.town_matching import (
    TownMatcher,
    normalise_postal_code,
    split_address_tail,
    town_key,
)
from data_access.territories import DEFAULT_COMMUNES, DEFAULT_POSTAL_CODES


@pytest.fixture(scope="module")
def matcher() -> TownMatcher:
    with DEFAULT_POSTAL_CODES.open(encoding="utf-8") as handle:
        postal = [(r["code_postal"], r["code_insee"], r["nom"]) for r in csv.DictReader(handle)]
    with DEFAULT_COMMUNES.open(encoding="utf-8") as handle:
        communes = [(r["code_insee"], r["nom"]) for r in csv.DictReader(handle)]
    return TownMatcher(postal, communes)


def test_town_key_ignores_case_accents_hyphens_apostrophes_articles_and_saint():
    assert town_key("Saint-Léger-le-Guérétois") == town_key("ST LEGER LE GUERETOIS")
    assert town_key("Bénévent-l'Abbaye") == town_key("BENEVENT L ABBAYE")
    assert town_key("La Souterraine") == town_key("Souterraine") == "SOUTERRAINE"
    assert town_key("Sainte-Feyre") == town_key("STE FEYRE")
    assert town_key("Guéret Cedex 9") == "GUERET"
    assert town_key("Le Mas-d’Artige") == town_key("Mas-d'Artige")


@pytest.mark.parametrize(
    ("postal_code", "town", "code"),
    [
        ("23000", "Guéret", "23096"),
        ("23000", "GUERET", "23096"),
        ("23 000", "gueret cedex", "23096"),
        ("23000.0", "Guéret", "23096"),
        ("23320", "ST VAURY", "23247"),
        ("23300", "LA SOUTERRAINE", "23176"),
        ("23300", "St Maurice la Souterraine", "23219"),
        ("23000", "Ste Feyre", "23193"),
        ("23500", "Sainte Feyre la Montagne", "23194"),
        ("23100", "La Courtine", "23067"),
        ("", "Aubusson", "23008"),
        ("23201", "Aubusson", "23008"),  # mistyped postal code, unique town name
    ],
)
def test_matches(matcher, postal_code, town, code):
    assert matcher.match(postal_code, town).code_insee == code


@pytest.mark.parametrize(
    ("postal_code", "town", "field"),
    [
        ("23000", "Atlantis", "Ville"),
        ("23000", "", "Ville"),  # 23000 covers 15 communes
        ("87000", "Limoges", "CP"),
        ("87000", "Aubusson", "CP"),  # outside the département: never guessed
        ("2300", "Guéret", "CP"),
        ("abc", "Guéret", "CP"),
        ("", "", "CP"),
        ("", "Atlantis", "Ville"),
    ],
)
def test_unmatched_rows_name_the_field(matcher, postal_code, town, field):
    found = matcher.match(postal_code, town)
    assert found.code_insee is None
    assert found.failed_field == field
    assert found.reason


def test_postal_code_and_address_tail():
    assert normalise_postal_code(" 23 000 ") == "23000"
    assert normalise_postal_code("1000") == "01000"
    assert normalise_postal_code("ABCDE") is None
    assert split_address_tail("3 rue du Pont 23000 Guéret") == ("23000", "Guéret")
    assert split_address_tail("3 rue du Pont") is None
