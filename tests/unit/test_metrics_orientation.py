"""Orientation of the flow (Kaplan–Meier, DREES mean), shares by type and organism, and the
orientation rate of the stock by seniority, on hand-built data (both engines).

Scope: 1 Jan – 30 Jun 2024, as-of 30 Jun 2024. Flow cohort (Guéret unless said):

  P1 T0 01-01, decided 01-31 pro/France Travail          → event at 30
  P2 T0 01-01, decided 02-15 social/CD                    → event at 45
  P3 T0 01-10, decided 01-05 (before T0: ignored, a data error), then 03-10 socio_pro/CD
                                                          → event at 60
  P4 T0 02-01, exits 02-20, decided 03-01 social/CD (after exit) → censored at 19
  P5 T0 06-01, nothing                                    → censored at 29
  P6 T0 03-01 (Aubusson), decided 03-21 pro/France Travail → event at 20
  P7 T0 05-01, decided 07-15 (after as-of)                → censored at 60 (tie with P3)

Kaplan–Meier (events before censorings at equal times):
  t=20: 6 at risk → S = 5/6;  t=30: 4 at risk (P1 P2 P3 P7) → 5/6 · 3/4 = 5/8
  t=45: 3 at risk → 5/8 · 2/3 = 5/12;  t=60: 2 at risk (P3 event, P7 censored) → 5/24
  within 45 = 1 − 5/12 = 7/12; within 30 = 1 − 5/8 = 3/8; median = 45 (S(30) = 0.625 > 0.5).
  DREES mean over the oriented: (30 + 45 + 60 + 20) / 4 = 38.75.
"""

from __future__ import annotations

import pytest

from metrics import orientation
from tests.unit.metrics_data import AUBUSSON, Dataset, compute, rows_of

START, END = "2024-01-01", "2024-06-30"


def _data() -> Dataset:
    data = Dataset()
    p1 = data.person("2024-01-01")
    data.orientation(p1, "2024-01-31", "pro", "france_travail")
    p2 = data.person("2024-01-01")
    data.orientation(p2, "2024-02-15", "social", "cd")
    p3 = data.person("2024-01-10")
    data.orientation(p3, "2024-01-05", "pro", "france_travail")
    data.orientation(p3, "2024-03-10", "socio_pro", "cd")
    p4 = data.person("2024-02-01", exit="2024-02-20")
    data.orientation(p4, "2024-03-01", "social", "cd")
    data.person("2024-06-01")  # P5
    p6 = data.person("2024-03-01", commune=AUBUSSON)
    data.orientation(p6, "2024-03-21", "pro", "france_travail")
    p7 = data.person("2024-05-01")
    data.orientation(p7, "2024-07-15", "pro", "france_travail")
    # The stock (entered before the period).
    s1 = data.person("2023-03-01")  # 487 days at as-of → ≥ 12 months
    data.orientation(s1, "2024-04-10", "pro", "other")
    data.person("2023-12-30")  # S2: 183 days → 6–12 months, not oriented
    data.person("2023-12-31")  # S3: 182 days → < 6 months, not oriented
    s4 = data.person("2023-07-01")  # S4: 365 days → ≥ 12 months, oriented before the period
    data.orientation(s4, "2023-08-01", "social", "cd")
    s5 = data.person("2023-07-02")  # S5: 364 days → 6–12 months
    data.orientation(s5, "2023-06-15", "pro", "france_travail")  # before T0: not oriented
    data.person("2023-01-01", exit="2024-06-30")  # S6: exits on the as-of date → not present
    s7 = data.person("2023-01-01", subject=False)  # S7: not subject to obligations
    data.orientation(s7, "2024-02-01", "pro", "france_travail")
    return data


@pytest.fixture
def results(db):
    _data().save(db.engine)
    return compute(db, orientation, START, END)


def test_flow_delays(results):
    assert results["orientation_within_45d_rate"].value == pytest.approx(7 / 12)
    assert results["orientation_within_45d_rate"].denominator == 7
    assert results["orientation_within_45d_rate"].numerator == 3  # P6, P1, P2 observed ≤ 45
    assert results["orientation_within_30d_rate"].value == pytest.approx(3 / 8)
    assert results["orientation_median_days"].value == 45
    # Target: the legal six weeks (42 days), lower is better; 45 days misses it.
    assert results["orientation_median_days"].status == "non_atteint"
    mean = results["orientation_mean_days"]
    assert mean.value == pytest.approx(38.75)
    assert mean.denominator == 4
    assert mean.target == 79 and mean.status == "atteint"


def test_flow_breakdown_by_utas(results):
    # Aubusson holds P6 only: masked (1 < 2), and Guéret with it (secondary suppression).
    rows = rows_of(results["orientation_within_45d_rate"], "utas")
    assert rows["Aubusson"][3] and rows["Guéret"][3]
    assert rows["Guéret"][0] is None


def test_shares_by_type_and_organism(results):
    # Decisions dated in the period, ≥ T0, persons subject to obligations: P1 pro/FT,
    # P2 social/CD, P3 socio_pro/CD (its 01-05 decision is before T0), P4 social/CD (the
    # decision counts as an act of the period even though P4 had left), P6 pro/FT,
    # S1 pro/other. P7's decision is after the period; S7 is not subject. Total 6.
    assert results["orientation_share_pro"].value == pytest.approx(3 / 6)
    assert results["orientation_share_socio_pro"].value == pytest.approx(1 / 6)
    assert results["orientation_share_social"].value == pytest.approx(2 / 6)
    assert results["orientation_share_pro"].denominator == 6
    # Share of « pro » among each organism's decisions: France Travail 2/2, CD 0/3, other
    # 1/1. « other » rests on one decision → masked; France Travail (the smallest other
    # cell) is masked too so that it cannot be recomputed from the total.
    rows = rows_of(results["orientation_share_pro"], "organism")
    assert rows == {
        "cd": (0.0, 0.0, 3.0, False),
        "france_travail": (None, None, None, True),
        "other": (None, None, None, True),
    }


def test_stock_by_seniority(results):
    # Present at 30 Jun: P1 P2 P3 P5 P6 P7 S1 S2 S3 S4 S5 = 11 (P4 and S6 left, S7 not
    # subject). Oriented by then: P1 P2 P3 P6 S1 S4 = 6.
    stock = results["stock_orientation_rate"]
    assert (stock.value, stock.numerator, stock.denominator) == (pytest.approx(6 / 11), 6, 11)
    # < 6 months: P1 (181 d) P2 P3 P5 P6 P7 S3 (182 d) → 4 oriented of 7.
    lt6 = results["stock_orientation_rate_lt6m"]
    assert (lt6.numerator, lt6.denominator) == (4, 7)
    # 6–12 months: S2 (183 d), S5 (364 d, its decision predates T0) → 0 of 2.
    mid = results["stock_orientation_rate_6to12m"]
    assert (mid.value, mid.denominator) == (0, 2)
    # ≥ 12 months: S1 (487 d), S4 (365 d) → 2 of 2.
    old = results["stock_orientation_rate_ge12m"]
    assert (old.value, old.denominator) == (1, 2)
    bands = rows_of(stock, "seniority")
    assert list(bands) == ["lt6m", "6to12m", "ge12m"]
    assert bands["6to12m"][2] == 2


def test_as_of_in_the_past_changes_the_stock_and_the_flow(db):
    _data().save(db.engine)
    # As-of 31 Mar: flow cohort P1 P2 P3 P4 P6 (P5, P7 not entered yet). P3 decided on
    # 03-10 (60 days), P4 censored at 19; S1's decision (04-10) does not exist yet.
    results = compute(db, orientation, START, END, as_of="2024-03-31")
    assert results["orientation_within_45d_rate"].denominator == 5
    stock = results["stock_orientation_rate"]
    # Present at 31 Mar: P1 P2 P3 P6 S1 S2 S3 S4 S5 S6 = 10 (P4 left on 02-20; S6 leaves
    # only on 30 Jun);
    # oriented: P1 P2 P3 P6 S4 = 5.
    assert (stock.numerator, stock.denominator) == (5, 10)
