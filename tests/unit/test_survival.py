"""Kaplan–Meier conventions, and the dialect-portable SQL date expressions on both engines."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from metrics.sql import date_value, days_between, month_bucket
from metrics.survival import from_durations, kaplan_meier


def test_no_censoring_is_the_plain_empirical_share():
    # Events at 2, 4, 4, 9: S(2) = 3/4, S(4) = 1/4, S(9) = 0.
    curve = from_durations([2, 4, 4, 9], [True, True, True, True])
    assert curve.within(1) == 0
    assert curve.within(3) == pytest.approx(1 / 4)
    assert curve.within(4) == pytest.approx(3 / 4)
    assert curve.within(100) == pytest.approx(1)
    assert curve.median() == 4


def test_events_come_before_censorings_at_equal_times():
    # Event at 3 and censoring at 3, then an event at 5.
    # Events first: 3 at risk at t=3 → S = 2/3; at t=5 one at risk → S = 0.
    curve = from_durations([3, 3, 5], [True, False, True])
    assert curve.survival_at(3) == pytest.approx(2 / 3)
    assert curve.survival_at(5) == 0
    assert curve.median() == 5


def test_censored_persons_are_not_failures_nor_dropped():
    # 4 persons: events at 10 and 30, censored at 20 and 40.
    # t=10: 4 at risk → 3/4; t=30: 2 at risk (30, 40) → 3/4 · 1/2 = 3/8.
    curve = from_durations([10, 20, 30, 40], [True, False, True, False])
    assert curve.within(25) == pytest.approx(1 / 4)
    assert curve.within(30) == pytest.approx(5 / 8)
    assert curve.median() == 30
    assert (curve.size, curve.events) == (4, 2)


def test_median_is_none_when_half_is_never_reached():
    curve = from_durations([1, 5, 6, 7], [True, False, False, False])
    assert curve.median() is None
    assert curve.within(7) == pytest.approx(1 / 4)


def test_median_at_exactly_one_half():
    # S(2) = 1/2 exactly: the median is 2 (S ≤ 0.5), not the next event.
    assert from_durations([2, 2, 8, 9], [True, True, True, True]).median() == 2


def test_aggregated_counts_equal_one_row_per_person():
    rows = [(4, True, 3), (4, False, 2), (7, True, 1), (12, False, 4)]
    expanded = [(d, e) for d, e, n in rows for _ in range(n)]
    aggregated = kaplan_meier(rows)
    individual = from_durations([d for d, _ in expanded], [e for _, e in expanded])
    assert aggregated == individual


def test_empty_cohort_has_no_estimate():
    curve = kaplan_meier([])
    assert curve.within(15) is None
    assert curve.median() is None
    assert curve.points() == ()


def test_event_on_day_zero_and_curve_points():
    # Day 0 event (same day as entry), then 3 and a censoring at 6.
    # t=0: 3 at risk → 2/3; t=3: 2 at risk → 1/3. Curve 1 − S from day 0 to day 6.
    curve = from_durations([0, 3, 6], [True, True, False])
    points = curve.points()
    assert [p[0] for p in points] == [0, 3, 6]
    assert points[0][1] == pytest.approx(1 / 3)
    assert points[1][1] == pytest.approx(2 / 3)
    assert points[2][1] == pytest.approx(2 / 3)


@pytest.mark.parametrize(
    ("end", "start", "days"),
    [
        ("2024-03-01", "2024-02-28", 2),  # leap year
        ("2023-03-01", "2023-02-28", 1),
        ("2024-01-01", "2023-12-31", 1),
        ("2024-06-30", "2024-06-30", 0),
        ("2024-01-01", "2024-01-31", -30),
        ("2025-01-01", "2024-01-01", 366),
    ],
)
def test_days_between_on_both_engines(db, end, start, days):
    end_date, start_date = dt.date.fromisoformat(end), dt.date.fromisoformat(start)
    with db.engine.connect() as conn:
        value = conn.execute(select(days_between(date_value(end_date), date_value(start_date))))
        assert value.scalar_one() == days


def test_month_bucket_on_both_engines(db):
    with db.engine.connect() as conn:
        value = conn.execute(select(month_bucket(date_value(dt.date(2024, 3, 9)))))
        assert value.scalar_one() == "2024-03"


def test_share_beyond_the_longest_follow_up_is_not_estimable():
    """A cohort followed at most 6 days, 2 of 4 convened on day 2: the share within 6 days is
    1/2, the share within 15 days is unknown (None), not 1/2 passed off as a 15-day figure.
    Once everyone has had the event, S = 0 is known for every later day."""
    curve = from_durations([2, 2, 6, 6], [True, True, False, False])
    assert curve.within(6) == pytest.approx(0.5)
    assert curve.within(15) is None
    everyone = from_durations([1, 3], [True, True])
    assert everyone.within(15) == pytest.approx(1.0)
