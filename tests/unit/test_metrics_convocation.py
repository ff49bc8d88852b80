"""Entrants, convocation delay and first-appointment delay on a hand-built cohort (both engines).

Scope: 1 Jan – 31 Mar 2024, as-of 31 Mar 2024. Persons (Guéret unless said):

  A  T0 01-01, invited 01-06                                  → event at 5
  B  T0 01-01, invited 2023-12-20 (before T0: ignored), convened 01-21 → event at 20
  C  T0 01-10, exits 01-15, invited 01-20 (after exit)         → censored at 5
  D  T0 03-25, nothing                                         → censored at 6 (as-of)
  E  T0 02-01, invited 02-11, reminder 02-15                   → event at 10
  F  T0 02-01, invited 04-05 (after as-of: does not exist yet) → censored at 59
  G  T0 01-05, Aubusson, invited 01-10                         → event at 5
  K  T0 03-01, Aubusson, payer MSA, nothing                    → censored at 30
Not in the cohort: H (not subject to obligations), I (T0 2023-12-31), J (T0 04-02).

Kaplan–Meier, events before censorings at equal times:
  t=5 : 8 at risk (C, censored at 5, still counts), 2 events → S = 6/8 = 3/4
  t=6 : D censored;  t=10 : 4 at risk (E, B, K, F), 1 event → S = 3/4 × 3/4 = 9/16
  t=20: 3 at risk (B, K, F), 1 event → S = 9/16 × 2/3 = 3/8
  within 15 days = 1 − 9/16 = 7/16; median = first t with S ≤ 1/2 = 20.
(Censorings first would give S(5) = 5/7 and within 15 = 1 − 15/28: the test tells them apart.)
"""

from __future__ import annotations

import pytest

from metrics import convocation
from tests.unit.metrics_data import AUBUSSON, Dataset, compute, rows_of

START, END = "2024-01-01", "2024-03-31"


def _cohort() -> Dataset:
    data = Dataset()
    a = data.person("2024-01-01")
    data.invitation(a, "2024-01-06")
    data.appointment(a, "2024-01-15", "seen")
    b = data.person("2024-01-01")
    data.invitation(b, "2023-12-20")
    data.invitation(b, "2024-01-21", kind="convocation")
    data.appointment(b, "2024-01-25", "noshow")
    data.appointment(b, "2024-02-05", "seen")
    c = data.person("2024-01-10", exit="2024-01-15")
    data.invitation(c, "2024-01-20")
    data.person("2024-03-25")  # D
    e = data.person("2024-02-01")
    data.invitation(e, "2024-02-11")
    data.invitation(e, "2024-02-15", reminder=True)
    data.appointment(e, "2024-02-20", "seen")
    f = data.person("2024-02-01")
    data.invitation(f, "2024-04-05")
    data.appointment(f, "2024-02-10", "seen", purpose="accompaniment")
    g = data.person("2024-01-05", commune=AUBUSSON)
    data.invitation(g, "2024-01-10")
    data.appointment(g, "2024-01-03", "seen")
    data.person("2024-03-01", commune=AUBUSSON, payer="msa")  # K
    h = data.person("2024-01-02", subject=False)
    data.invitation(h, "2024-01-03")
    data.person("2023-12-31")  # I
    data.person("2024-04-02")  # J
    return data


@pytest.fixture
def cohort_db(db):
    _cohort().save(db.engine)
    return db


def test_entrants_counts_the_cohort_only(cohort_db):
    result = compute(cohort_db, convocation, START, END)["entrants"]
    assert result.value == 8
    assert rows_of(result, "cohort_month") == {
        "2024-01": (4, None, None, False),  # A, B, C, G
        "2024-02": (2, None, None, False),  # E, F
        "2024-03": (2, None, None, False),  # D, K
    }
    assert rows_of(result, "utas") == {
        "Guéret": (6, None, None, False),
        "Aubusson": (2, None, None, False),
    }
    # One MSA person: masked (1 < 2); the CAF cell (7) would give it away as 8 − 7, so it is
    # masked too (secondary suppression).
    assert rows_of(result, "payer") == {
        "caf": (None, None, None, True),
        "msa": (None, None, None, True),
    }


def test_convocation_kaplan_meier_with_ties_censoring_and_early_events(cohort_db):
    results = compute(cohort_db, convocation, START, END)
    within = results["convocation_within_15d_rate"]
    assert within.value == pytest.approx(7 / 16)
    assert (within.numerator, within.denominator) == (3, 8)  # A, G, E observed within 15 days
    assert within.target == 1.0 and within.status == "non_atteint"
    median = results["convocation_median_days"]
    assert median.value == 20
    assert (median.numerator, median.denominator) == (4, 8)
    assert median.status == "non_atteint"  # target 15 days, lower is better


def test_convocation_breakdowns(cohort_db):
    results = compute(cohort_db, convocation, START, END)
    # Guéret: A5e C5c D6c E10e B20e F59c → S(5)=5/6, S(10)=5/6·2/3=5/9, S(20)=5/18.
    # Aubusson: G5e K30c → S(5)=1/2.
    within = rows_of(results["convocation_within_15d_rate"], "utas")
    assert within["Guéret"][0] == pytest.approx(4 / 9)
    assert within["Aubusson"][0] == pytest.approx(1 / 2)
    median = rows_of(results["convocation_median_days"], "utas")
    assert median["Guéret"][0] == 20
    assert median["Aubusson"][0] == 5
    # January: A5e G5e C5c B20e → S(5)=1/2 → median 5; February: E10e F59c → median 10;
    # March: D6c K30c, nobody convened → share 0, median never reached (None).
    months = rows_of(results["convocation_median_days"], "cohort_month")
    assert {key: row[0] for key, row in months.items()} == {
        "2024-01": 5,
        "2024-02": 10,
        "2024-03": None,
    }
    shares = rows_of(results["convocation_within_15d_rate"], "cohort_month")
    assert shares["2024-03"][0] == 0


def test_first_seen_orientation_appointment(cohort_db):
    # Events: A 01-15 (14 days), E 02-20 (19), B 02-05 (35; its no-show does not count).
    # F's seen appointment is an accompaniment one; G's is before T0 (ignored) → censored
    # at 86 (01-05 → 03-31). Censored: C 5, D 6, K 30, F 59, G 86.
    # t=14: 6 at risk → 5/6; t=19: 5 → 5/6·4/5 = 2/3; t=35: 3 (B, F, G) → 2/3·2/3 = 4/9.
    result = compute(cohort_db, convocation, START, END)["first_appointment_median_days"]
    assert result.value == 35
    assert (result.numerator, result.denominator) == (3, 8)


def test_as_of_cuts_the_cohort(cohort_db):
    # As-of 15 Jan: D, E, F, K have not entered yet (entries after the as-of date are not
    # known); A (5e), G (5e), C (5c, exit 01-15), B (censored at 14: convened 01-21 later).
    # t=5: 4 at risk, 2 events → S = 1/2 → median 5. The longest follow-up is 14 days (B)
    # with S still 1/2: "within 15 days" is not estimable yet, so no value (not 1/2).
    results = compute(cohort_db, convocation, START, END, as_of="2024-01-15")
    assert results["entrants"].value == 4
    assert results["convocation_within_15d_rate"].value is None
    assert not results["convocation_within_15d_rate"].suppressed
    assert results["convocation_median_days"].value == 5


def test_territory_and_payer_filters(cohort_db):
    aubusson = compute(cohort_db, convocation, START, END, territory="Aubusson")
    assert aubusson["entrants"].value == 2
    assert aubusson["convocation_median_days"].value == 5
    commune = compute(cohort_db, convocation, START, END, territory=AUBUSSON)
    assert commune["entrants"].value == 2
    # EPCI of Guéret (CA du Grand Guéret).
    epci = compute(cohort_db, convocation, START, END, territory="200034825")
    assert epci["entrants"].value == 6
    msa = compute(cohort_db, convocation, START, END, payer="msa")
    assert msa["entrants"].value is None and msa["entrants"].suppressed  # 1 person
    caf = compute(cohort_db, convocation, START, END, payer="caf")
    assert caf["entrants"].value == 7


def test_default_threshold_masks_this_small_cohort(cohort_db):
    results = compute(cohort_db, convocation, START, END, threshold=11)
    for result in results.values():
        assert result.suppressed and result.value is None and result.status == "secret"


def test_empty_period_gives_zero_and_no_data(db):
    results = compute(db, convocation, START, END)
    assert results["entrants"].value == 0 and not results["entrants"].suppressed
    assert results["convocation_within_15d_rate"].value is None
    assert results["convocation_within_15d_rate"].status == "sans_donnees"
