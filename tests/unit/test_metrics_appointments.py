"""No-show rate at orientation appointments on hand-built data (both engines).

Scope: 1 Jan – 31 Mar 2024, as-of 31 Mar. Orientation appointments:

  R1 (T0 2023-12-01): 01-10 seen (after invitation), 01-20 noshow (invitation),
                      02-05 excused (convocation)
  R2 (T0 2024-01-01): 01-05 noshow (convocation), 01-15 revoked (convocation),
                      02-01 unknown (left out), 03-01 noshow (booking not recorded)
  R3 (T0 2024-02-01): 01-25 noshow (before T0: ignored), 02-10 seen (invitation),
                      04-05 noshow (after the period), 02-12 noshow at an accompaniment
                      appointment (not an orientation one)
  R4 (not subject to obligations): 01-10 noshow → excluded

Counted: 7 appointments, 3 no-shows → 3/7. After invitation 1/3; after convocation 1/3;
booking not recorded 1/1.
"""

from __future__ import annotations

import pytest

from metrics import appointments
from tests.unit.metrics_data import Dataset, compute, rows_of

START, END = "2024-01-01", "2024-03-31"


@pytest.fixture
def loaded(db):
    data = Dataset()
    r1 = data.person("2023-12-01")
    data.appointment(r1, "2024-01-10", "seen", booked_after="invitation")
    data.appointment(r1, "2024-01-20", "noshow", booked_after="invitation")
    data.appointment(r1, "2024-02-05", "excused", booked_after="convocation")
    r2 = data.person("2024-01-01")
    data.appointment(r2, "2024-01-05", "noshow", booked_after="convocation")
    data.appointment(r2, "2024-01-15", "revoked", booked_after="convocation")
    data.appointment(r2, "2024-02-01", "unknown", booked_after="convocation")
    data.appointment(r2, "2024-03-01", "noshow")
    r3 = data.person("2024-02-01")
    data.appointment(r3, "2024-01-25", "noshow", booked_after="invitation")
    data.appointment(r3, "2024-02-10", "seen", booked_after="invitation")
    data.appointment(r3, "2024-04-05", "noshow", booked_after="invitation")
    data.appointment(r3, "2024-02-12", "noshow", purpose="accompaniment")
    r4 = data.person("2024-01-01", subject=False)
    data.appointment(r4, "2024-01-10", "noshow")
    data.save(db.engine)
    return db


def test_no_show_rate_and_split(loaded):
    results = compute(loaded, appointments, START, END)
    total = results["no_show_rate"]
    assert (total.value, total.numerator, total.denominator) == (pytest.approx(3 / 7), 3, 7)
    assert total.status == "sans_cible"
    assert results["no_show_rate_after_invitation"].value == pytest.approx(1 / 3)
    assert results["no_show_rate_after_convocation"].value == pytest.approx(1 / 3)


def test_booked_after_breakdown_with_secondary_suppression(loaded):
    # "" (not recorded) rests on 1 appointment → masked; the smallest other cell (3, the
    # first in key order: convocation) is masked too; invitation stays visible.
    rows = rows_of(compute(loaded, appointments, START, END)["no_show_rate"], "booked_after")
    assert rows[""][3] and rows["convocation"][3]
    assert rows["invitation"] == (pytest.approx(1 / 3), 1, 3, False)


def test_by_month(loaded):
    # January: R1 seen, R1 noshow, R2 noshow, R2 revoked → 2/4; February: R1 excused, R3
    # seen → 0/2; March: R2 noshow → 1/1, masked, and February (2) with it.
    rows = rows_of(compute(loaded, appointments, START, END)["no_show_rate"], "cohort_month")
    assert rows["2024-01"] == (0.5, 2, 4, False)
    assert rows["2024-02"][3] and rows["2024-03"][3]


def test_as_of_hides_later_appointments(loaded):
    # As-of 31 Jan: only the four January appointments exist → 2/4.
    results = compute(loaded, appointments, START, END, as_of="2024-01-31")
    assert results["no_show_rate"].value == pytest.approx(0.5)
    assert results["no_show_rate"].denominator == 4
