"""French due labels → dates. Expected dates written by hand from the calendar of 2023."""

from __future__ import annotations

import datetime as dt

import pytest

from data_access.due_dates import DueDateError, parse_due_label

D = dt.date

# Every distinct due label of the Creuse seed, exactly as written, with its date worked out by
# hand (reference year 2023): « Début » → 10th, « Mi » → 15th, month alone / « Fin » → last
# day, « A / B » → last day of B, S12 → Friday of ISO week 12 (Monday 20 March 2023, since
# ISO week 1 starts on Monday 2 January 2023: 2 Jan + 11 × 7 days), fin S1 → 30 June.
SEED_LABELS = {
    "Début Avril": D(2023, 4, 10),
    "Début avril": D(2023, 4, 10),
    "Fin mars": D(2023, 3, 31),
    "Début juillet": D(2023, 7, 10),
    "Mi mai": D(2023, 5, 15),
    "Fin mai": D(2023, 5, 31),
    "Avril": D(2023, 4, 30),
    "Juillet": D(2023, 7, 31),
    "Avril / Mai": D(2023, 5, 31),
    "Au fil de l'eau – fin décembre 2023": D(2023, 12, 31),
    "Prévu fin S1": D(2023, 6, 30),
    "Mai": D(2023, 5, 31),
    "Mai/Juin": D(2023, 6, 30),
    "S12": D(2023, 3, 24),
}


@pytest.mark.parametrize(("label", "expected"), SEED_LABELS.items())
def test_every_seed_label(label, expected):
    assert parse_due_label(label, 2023) == expected


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Mi-mai", D(2023, 5, 15)),
        ("MI  MAI", D(2023, 5, 15)),
        ("fevrier", D(2023, 2, 28)),  # 2023 is not a leap year
        ("Février", D(2023, 2, 28)),
        ("Août", D(2023, 8, 31)),
        ("  fin   septembre ", D(2023, 9, 30)),
        ("Décembre", D(2023, 12, 31)),
        ("avril/mai", D(2023, 5, 31)),
        ("Juin / Mai", D(2023, 6, 30)),  # the later month wins whatever the order
        ("fin S1", D(2023, 6, 30)),
        ("Fin S2", D(2023, 12, 31)),
        ("Prévu fin S2", D(2023, 12, 31)),
        ("S1", D(2023, 1, 6)),  # Friday of ISO week 1 of 2023
        ("s 52", D(2023, 12, 29)),  # Monday 25 Dec 2023 + 4 days
        ("Prévu S12", D(2023, 3, 24)),
        ("Début mars 2024", D(2024, 3, 10)),
        ("fin décembre 2023", D(2023, 12, 31)),
        ("En continu – mi juin 2024", D(2024, 6, 15)),
        ("Mai 2024", D(2024, 5, 31)),
        ("15/03/2024", D(2024, 3, 15)),
    ],
)
def test_other_forms(label, expected):
    assert parse_due_label(label, 2023) == expected


def test_reference_year_applies_without_a_year():
    assert parse_due_label("Fin février", 2024) == D(2024, 2, 29)  # leap year
    assert parse_due_label("S1", 2024) == D(2024, 1, 5)
    assert parse_due_label("fin décembre 2023", 2030) == D(2023, 12, 31)


@pytest.mark.parametrize("label", [None, "", "   "])
def test_empty_label_has_no_date(label):
    assert parse_due_label(label) is None


@pytest.mark.parametrize("label", ["Bientôt", "Au fil de l'eau", "fin S3", "Début Brumaire", "S"])
def test_unknown_label_quotes_it(label):
    with pytest.raises(DueDateError) as info:
        parse_due_label(label)
    assert f"Échéance non reconnue : « {label} »" in str(info.value)


def test_impossible_week_is_explained():
    with pytest.raises(DueDateError, match="la semaine 53 n'existe pas"):
        parse_due_label("S53", 2023)  # 2023 has 52 ISO weeks
