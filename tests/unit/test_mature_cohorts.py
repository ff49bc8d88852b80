"""A « within X days » share is reported on the latest cohort followed X days (both engines).

Committee of 30 June 2024, period June 2024: nobody who entered in June has been followed 45
days, so the period's own share within 45 days cannot be measured (Kaplan–Meier gives
nothing). The mature cohort is the latest month ending on or before min(period end,
as-of − 45 days) = 16 May → April 2024:

  A1 T0 04-01, oriented 04-20 → 19 days (within 45)
  A2 T0 04-10, oriented 05-30 → 50 days (not within 45)
  A3 T0 04-15, oriented 05-20 → 35 days (within 45)
  A4 T0 04-30, not oriented (followed 61 days)
  → 2 of 4 = 50 %.
  M1 T0 05-05, oriented 05-10 (May: the 30-day share's mature cohort, as-of − 30 = 31 May)
  J1 T0 06-10, nothing (the period's only entrant)

Contracts (X = 30): persons first oriented in May (M1, A2, A3): M1 signs 05-20 (10 days), A2
signs 07-15 (after as-of), A3 never → 1 of 3, « orientés de mai 2024 ».
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from metrics import catalog, contracts, orientation
from metrics.report import metrics_report
from metrics.scope import Scope
from metrics.spec import MetricContext
from tests.conftest import make_settings
from tests.unit.metrics_data import Dataset, day


def _data() -> Dataset:
    data = Dataset()
    a1 = data.person("2024-04-01")
    data.orientation(a1, "2024-04-20")
    a2 = data.person("2024-04-10")
    data.orientation(a2, "2024-05-30")
    data.contract(a2, "2024-07-15")
    a3 = data.person("2024-04-15")
    data.orientation(a3, "2024-05-20")
    data.person("2024-04-30")
    m1 = data.person("2024-05-05")
    data.orientation(m1, "2024-05-10")
    data.contract(m1, "2024-05-20")
    data.person("2024-06-10")
    return data


def _context(db, start: str, end: str, as_of: str | None = None) -> MetricContext:
    settings = make_settings(db.settings.database_url, secrecy_threshold=2)
    return MetricContext(db.engine, settings, Scope.build(day(start), day(end), day(as_of or end)))


def test_share_within_45_days_reports_the_april_cohort_at_the_june_committee(db) -> None:
    _data().save(db.engine)
    context = _context(db, "2024-06-01", "2024-06-30")
    results = catalog.compute_family(orientation.FAMILY, context)
    within = results["orientation_within_45d_rate"]
    assert within.value is None  # the period's own estimate: unchanged, not measurable
    assert within.mature is not None
    assert (within.mature.start, within.mature.end) == (day("2024-04-01"), day("2024-04-30"))
    assert within.mature.label == "entrants d'avril 2024, observés 45 jours"
    mature = within.reported
    assert (mature.value, mature.numerator, mature.denominator) == (0.5, 2.0, 4.0)
    # The 45-day share is kept for continuity without a target: the legal share (six weeks,
    # 42 days) carries the target.
    assert mature.status == "sans_cible"
    legal = results["orientation_within_legal_delay_rate"].mature
    assert legal is not None and legal.label.endswith("observés 42 jours")
    short = results["orientation_within_30d_rate"].mature
    assert short is not None and short.start == day("2024-05-01")
    assert short.label == "entrants de mai 2024, observés 30 jours"


@pytest.mark.parametrize(
    ("start", "end", "as_of"),
    [
        ("2024-07-01", "2024-07-01", "2024-07-01"),  # the 1st of a month: a one-day period
        ("2024-06-21", "2024-07-10", "2024-07-10"),  # 19 days after a committee of 20 June
        ("2024-06-01", "2024-06-30", "2024-06-30"),
    ],
)
def test_mature_cohort_is_april_at_several_as_of_dates(db, start, end, as_of) -> None:
    _data().save(db.engine)
    within = catalog.compute_one(_context(db, start, end, as_of), "orientation_within_45d_rate")
    assert within.mature is not None
    assert within.mature.start == day("2024-04-01")
    assert within.reported.value == 0.5


def test_a_past_period_seen_later_keeps_its_own_last_month(db) -> None:
    _data().save(db.engine)
    context = _context(db, "2024-04-01", "2024-04-30", "2024-12-31")
    within = catalog.compute_one(context, "orientation_within_45d_rate")
    assert within.mature is not None and within.mature.start == day("2024-04-01")
    assert within.value == within.reported.value == 0.5


def test_contract_share_names_the_oriented_of_may(db) -> None:
    _data().save(db.engine)
    results = catalog.compute_family(contracts.FAMILY, _context(db, "2024-06-01", "2024-06-30"))
    within = results["contract_within_30d_rate"]
    assert within.mature is not None
    assert within.mature.label == "orientés de mai 2024, observés 30 jours"
    assert (within.reported.numerator, within.reported.denominator) == (1.0, 3.0)
    assert within.reported.value == pytest.approx(1 / 3)


def test_an_empty_mature_cohort_says_why_in_french(db) -> None:
    _data().save(db.engine)
    within = catalog.compute_one(
        _context(db, "2024-03-01", "2024-03-31", "2024-05-31"), "orientation_within_45d_rate"
    )
    assert within.mature is not None and within.reported.value is None
    assert within.mature.reason == (
        "Aucune cohorte suivie 45 jours : le périmètre ne compte aucun des entrants de mars 2024."
    )


def test_metrics_json_gives_the_mature_cohort_as_a_new_field(db) -> None:
    _data().save(db.engine)
    settings = make_settings(db.settings.database_url, secrecy_threshold=2)
    scope = Scope.build(dt.date(2024, 6, 1), dt.date(2024, 6, 30))
    report = metrics_report(db.engine, settings, scope)["metrics"]
    within = report["orientation_within_45d_rate"]
    assert within["value"] is None  # the existing field keeps its meaning
    assert within["mature_cohort"]["from"] == "2024-04-01"
    assert within["mature_cohort"]["to"] == "2024-04-30"
    assert within["mature_cohort"]["observed_days"] == 45
    assert within["mature_cohort"]["value"] == 0.5
    assert within["mature_cohort"]["label"] == "entrants d'avril 2024, observés 45 jours"
    assert "mature_cohort" in report["convocation_within_15d_rate"]
    assert report["orientation_median_days"]["mature_cohort"]["from"] == "2024-04-01"
    assert "mature_cohort" not in report["first_appointment_median_days"]


def test_median_and_mean_are_reported_on_the_same_cohort_as_the_share(db) -> None:
    # April's oriented: 19, 35, 50 days; A4 censored at 61. KM median: S(19) = 3/4,
    # S(35) = 1/2 → 35 days; mean among the oriented = (19 + 35 + 50) / 3 = 34 2/3.
    _data().save(db.engine)
    results = catalog.compute_family(orientation.FAMILY, _context(db, "2024-06-01", "2024-06-30"))
    median = results["orientation_median_days"]
    mean = results["orientation_mean_days"]
    share = results["orientation_within_45d_rate"]
    assert median.mature is not None and mean.mature is not None and share.mature is not None
    assert median.mature.start == mean.mature.start == share.mature.start == day("2024-04-01")
    assert median.reported.value == 35.0
    assert mean.reported.value == pytest.approx(104 / 3)
    assert median.reported.denominator == share.reported.denominator == 4.0


def test_legal_contract_share_reports_the_last_month_whose_deadlines_have_passed(db) -> None:
    """No June decision has reached its one-month deadline on 30 June, so the period's own
    share is blank; April's decisions have all reached theirs (31 days after 30 April):
    P1 04-05 signs 04-25 (in time), P2 04-10 signs 05-20 (after 10 May), P3 04-30 never
    → 1 of 3, « orientés d'avril 2024, observés un mois »."""
    data = Dataset()
    for entry, oriented, signed in (
        ("2024-03-01", "2024-04-05", "2024-04-25"),
        ("2024-03-02", "2024-04-10", "2024-05-20"),
        ("2024-03-03", "2024-04-30", None),
    ):
        pid = data.person(entry)
        data.orientation(pid, oriented)
        if signed:
            data.contract(pid, signed)
    data.save(db.engine)
    results = catalog.compute_family(contracts.FAMILY, _context(db, "2024-06-01", "2024-06-30"))
    legal = results["contract_within_legal_delay_rate"]
    assert legal.value is None
    assert legal.mature is not None
    assert legal.mature.label == "orientés d'avril 2024, observés un mois"
    assert (legal.reported.numerator, legal.reported.denominator) == (1.0, 3.0)


def test_a_mature_month_computes_only_the_indicators_that_carry_one(db) -> None:
    """The mature month of a family feeds only its « within X days » shares and the medians
    published beside them: asking it for the family's other indicators (counts, splits by
    type) would scan the month for figures nobody reads."""
    _data().save(db.engine)
    context = _context(db, "2024-06-01", "2024-06-30")
    asked: dict[Scope, frozenset[str] | None] = {}

    def compute(scope: Scope, ids: frozenset[str] | None = None) -> dict:
        asked[scope] = ids
        return orientation.FAMILY.compute(MetricContext(db.engine, context.settings, scope, ids))

    results = catalog.compute_family(orientation.FAMILY, context, compute)
    carrying = {i for i, r in orientation.FAMILY.compute(context).items() if r.mature_days}
    assert carrying and carrying < {spec.id for spec in orientation.FAMILY.indicators}
    mature_scopes = [scope for scope in asked if scope != context.scope]
    assert mature_scopes
    for scope in mature_scopes:
        assert asked[scope] is not None and asked[scope] <= carrying
    # and the mature figures are those of the whole family computed on that month
    for metric_id in carrying:
        mature = results[metric_id].mature
        assert mature is not None
        whole = orientation.FAMILY.compute(
            MetricContext(
                db.engine,
                context.settings,
                replace(context.scope, start=mature.start, end=mature.end),
            )
        )
        assert mature.result.value == whole[metric_id].value
        assert mature.result.denominator == whole[metric_id].denominator
