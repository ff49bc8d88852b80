"""Weekly activity hours and referents' caseloads at the as-of date (both engines).

As-of 30 Jun 2024. Accompaniments (Guéret unless said; T0 1 Jan 2024):

  T1: referent A from 01-10, 20 h                          → active, reaches 15 h
  T2: referent A 02-01 → 06-30 (ends on the as-of: not active), 20 h;
      referent B from 03-01, hours not recorded            → active, does not reach
  T3: referent B from 04-01, 10 h; referent C from 05-01, 15 h → max 15 h: reaches
  T4: referent A from 07-01 (after as-of)                   → not accompanied
  T5: referent A from 2023-12-01 (before T0: ignored), 30 h → not accompanied
  T6 (Aubusson): referent C from 06-30 (starts on the as-of: active), 14.5 h → does not reach
  T7 (not subject to obligations): referent A, 20 h         → excluded

Accompanied: T1 T2 T3 T6 = 4; reaching 15 h: T1 T3 → 2/4.
Caseloads: A {T1} = 1, B {T2, T3} = 2, C {T3, T6} = 2 → median 2, over 4 persons.
"""

from __future__ import annotations

import pytest

from metrics import accompaniment
from tests.unit.metrics_data import AUBUSSON, Dataset, compute, rows_of

START, END = "2024-01-01", "2024-06-30"


@pytest.fixture
def results(db):
    data = Dataset()
    t1 = data.person("2024-01-01")
    data.accompaniment(t1, "A", "2024-01-10", hours=20)
    t2 = data.person("2024-01-01")
    data.accompaniment(t2, "A", "2024-02-01", end="2024-06-30", hours=20)
    data.accompaniment(t2, "B", "2024-03-01")
    t3 = data.person("2024-01-01")
    data.accompaniment(t3, "B", "2024-04-01", hours=10)
    data.accompaniment(t3, "C", "2024-05-01", hours=15)
    t4 = data.person("2024-01-01")
    data.accompaniment(t4, "A", "2024-07-01", hours=20)
    t5 = data.person("2024-01-01")
    data.accompaniment(t5, "A", "2023-12-01", hours=30)
    t6 = data.person("2024-01-01", commune=AUBUSSON)
    data.accompaniment(t6, "C", "2024-06-30", hours=14.5)
    t7 = data.person("2024-01-01", subject=False)
    data.accompaniment(t7, "A", "2024-01-10", hours=20)
    data.save(db.engine)
    return compute(db, accompaniment, START, END)


def test_activity_15h_rate(results):
    rate = results["activity_15h_rate"]
    assert (rate.value, rate.numerator, rate.denominator) == (0.5, 2, 4)
    # Guéret 2/3, Aubusson 0/1 → Aubusson masked, Guéret with it (secondary suppression).
    rows = rows_of(rate, "utas")
    assert rows["Aubusson"][3] and rows["Guéret"][3]


def test_caseload_median(results):
    caseload = results["caseload_median"]
    assert caseload.value == 2
    assert (caseload.numerator, caseload.denominator) == (4, 3)  # 4 persons, 3 referents
    assert caseload.status == "atteint"  # target 70 at most


def test_activity_threshold_comes_from_settings(db):
    data = Dataset()
    for hours in (14.5, 15, 20):
        pid = data.person("2024-01-01")
        data.accompaniment(pid, "A", "2024-01-10", hours=hours)
    data.save(db.engine)
    from metrics.scope import Scope
    from metrics.spec import MetricContext
    from tests.conftest import make_settings
    from tests.unit.metrics_data import day

    settings = make_settings(db.settings.database_url, secrecy_threshold=2, activity_hours_min=20)
    context = MetricContext(db.engine, settings, Scope.build(day(START), day(END)))
    assert accompaniment.compute(context)["activity_15h_rate"].value == pytest.approx(1 / 3)


def test_persons_who_left_do_not_count_even_with_an_open_accompaniment(db):
    # As-of 30 Jun. Guéret, referent A, all from 01-10 and never closed, 20 h:
    #   E1, E2 still present; E3 exited 06-30 (on the as-of: absent); E4 exited 05-15;
    #   E5 exits 07-01 (after the as-of: present). Referent B follows E3 and E4 only.
    # Present and accompanied: E1 E2 E5 → 3/3 reach 15 h. Caseloads: A = 3, B had only
    # persons who left → no portfolio; median 3, 3 persons, 1 referent (before: A 5, B 2 →
    # median 3.5 over 5 persons; rate 5/5).
    data = Dataset()
    for exit_date in (None, None, "2024-06-30", "2024-05-15", "2024-07-01"):
        pid = data.person("2024-01-01", exit=exit_date)
        data.accompaniment(pid, "A", "2024-01-10", hours=20)
        if exit_date in ("2024-06-30", "2024-05-15"):
            data.accompaniment(pid, "B", "2024-01-10", hours=20)
    data.save(db.engine)
    results = compute(db, accompaniment, START, END)
    rate = results["activity_15h_rate"]
    assert (rate.value, rate.numerator, rate.denominator) == (1.0, 3, 3)
    caseload = results["caseload_median"]
    assert (caseload.value, caseload.numerator, caseload.denominator) == (3, 3, 1)


def test_caseload_in_one_commune_gets_no_verdict(db):
    # Guéret (23096): referent A follows 3 persons there. 3 ≤ 70 would read « atteint », but
    # a commune holds only a sliver of a portfolio: no target, no status. Département-wide the
    # same figure keeps its target.
    data = Dataset()
    for _ in range(3):
        data.accompaniment(data.person("2024-01-01"), "A", "2024-01-10", hours=20)
    data.save(db.engine)
    commune = compute(db, accompaniment, START, END, territory="23096")["caseload_median"]
    assert (commune.value, commune.target, commune.status) == (3, None, "sans_cible")
    wide = compute(db, accompaniment, START, END)["caseload_median"]
    assert (wide.value, wide.target, wide.status) == (3, 70, "atteint")
