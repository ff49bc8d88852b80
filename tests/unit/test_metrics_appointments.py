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
    # After convocation would be 1/3, but its booked_after row is masked (secondary
    # suppression of the lone unrecorded appointment): publishing it would undo that.
    assert results["no_show_rate_after_convocation"].suppressed


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


def _appointments(data: Dataset, month: str, booked: str | None, seen: int, noshow: int):
    """``seen`` + ``noshow`` appointments on the 10th of ``month``, one person each."""
    for status, n in (("seen", seen), ("noshow", noshow)):
        for _ in range(n):
            pid = data.person("2024-01-01")
            data.appointment(pid, f"{month}-10", status, booked_after=booked)


def test_sub_indicators_do_not_give_the_masked_booking_group_away(db):
    # The review's UTAS Aubusson case, threshold 11, March 2024: invitation 2/15, convocation
    # 0/17, booking not recorded 1/1 → overall 3/33. In the booked_after breakdown "" (1) is
    # masked and, as secondary suppression, the smallest visible cell (invitation, 15). If
    # no_show_rate_after_invitation still said 2/15, 3/33 − 2/15 − 0/17 = 1/1 would reveal the
    # masked group; so it is masked whole, and convocation (visible row) stays published.
    data = Dataset()
    _appointments(data, "2024-03", "invitation", seen=13, noshow=2)
    _appointments(data, "2024-03", "convocation", seen=17, noshow=0)
    _appointments(data, "2024-03", None, seen=0, noshow=1)
    data.save(db.engine)
    results = compute(db, appointments, START, END, threshold=11)
    total = results["no_show_rate"]
    assert (total.numerator, total.denominator) == (3, 33)
    booked = rows_of(total, "booked_after")
    assert booked[""][3] and booked["invitation"][3] and not booked["convocation"][3]
    invitation = results["no_show_rate_after_invitation"]
    assert invitation.suppressed and invitation.value is None and invitation.status == "secret"
    assert all(row.suppressed for rows in invitation.breakdowns.values() for row in rows)
    convocation = results["no_show_rate_after_convocation"]
    assert (convocation.value, convocation.numerator, convocation.denominator) == (0, 0, 17)


def test_sub_indicator_months_do_not_give_the_unknown_group_away(db):
    # Threshold 11. January: invitation 12, convocation 12, not recorded 1 (total 25);
    # February: invitation 12, convocation 12, not recorded 20. Overall "" = 21 is visible, so
    # both sub-indicators are published; but in January total − invitation − convocation
    # would give the lone unrecorded appointment. The month × mode table masks one more cell
    # in January (convocation, first of the two 12s in key order), then, for its column,
    # convocation's February row too (a lone masked row under a published total).
    data = Dataset()
    for month, unknown in (("2024-01", 1), ("2024-02", 20)):
        _appointments(data, month, "invitation", seen=12, noshow=0)
        _appointments(data, month, "convocation", seen=11, noshow=1)
        _appointments(data, month, None, seen=unknown, noshow=0)
    data.save(db.engine)
    results = compute(db, appointments, START, END, threshold=11)
    total = rows_of(results["no_show_rate"], "cohort_month")
    invitation = rows_of(results["no_show_rate_after_invitation"], "cohort_month")
    convocation = rows_of(results["no_show_rate_after_convocation"], "cohort_month")
    assert convocation["2024-01"][3] and convocation["2024-02"][3]
    assert invitation["2024-01"] == (0, 0, 12, False)
    for month, row in total.items():
        parts = (invitation[month], convocation[month])
        if row[3] or any(part[3] for part in parts):
            continue
        rest = row[2] - sum(part[2] for part in parts)
        assert rest == 0 or rest >= 11, month
