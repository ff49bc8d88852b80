"""Targets only where they are defined, no comparison with a period before the launch, and a
change that rounds to zero has no arrow (both engines for the metric)."""

from __future__ import annotations

import datetime as dt

import pytest

from charts.texts import is_no_change
from metrics import catalog
from metrics.committee import LAUNCH_DATE, previous_period
from metrics.scope import Scope
from metrics.spec import MetricContext
from tests.conftest import make_settings
from tests.unit.metrics_data import Dataset, day


def _caseload(db, territory: str | None = None, payer: str | None = None):  # type: ignore[no-untyped-def]
    settings = make_settings(db.settings.database_url, secrecy_threshold=2)
    scope = Scope.build(day("2024-01-01"), day("2024-06-30"), None, territory, payer)
    return catalog.compute_one(MetricContext(db.engine, settings, scope), "caseload_median")


@pytest.mark.parametrize(
    ("territory", "payer"), [(None, None), ("Guéret", None), (None, "caf"), ("Guéret", "caf")]
)
def test_caseload_target_only_for_the_whole_departement(db, territory, payer) -> None:
    data = Dataset()
    for referent in ("A", "A", "B", "B", "B"):
        pid = data.person("2024-01-01")
        data.accompaniment(pid, referent, "2024-02-01")
    data.save(db.engine)
    result = _caseload(db, territory, payer)
    assert result.value == 2.5
    if territory is None and payer is None:
        assert (result.target, result.status) == (70.0, "atteint")
    else:  # a referent's portfolio is not cut by territory or payer: no target, no status
        assert (result.target, result.status) == (None, "sans_cible")


def test_since_the_launch_is_compared_with_nothing() -> None:
    launch = Scope.build(LAUNCH_DATE, dt.date(2026, 12, 1))
    assert previous_period(launch) is None
    june = Scope.build(dt.date(2024, 6, 1), dt.date(2024, 6, 30))
    assert previous_period(june) == june.previous()
    first_weeks = Scope.build(LAUNCH_DATE, dt.date(2023, 3, 31))
    assert previous_period(first_weeks) is None


@pytest.mark.parametrize(
    ("delta", "unchanged"),
    [("+0,0 j", True), ("−0,0 pts", True), ("+0", True), ("+0,1 j", False), ("+10", False)],
)
def test_a_change_that_rounds_to_zero_is_no_change(delta, unchanged) -> None:
    assert is_no_change(delta) is unchanged


def test_a_change_is_the_difference_of_the_figures_as_shown():
    """64,3 % → 53,8 % reads −10,5 pts (not −10,6 from the unrounded 0,6434 and 0,5376)."""
    from charts.texts import difference_text

    assert difference_text(0.5376, 0.6434, "ratio") == "−10,5 pts"
    assert difference_text(0.6667, 0.6559, "ratio") == "+1,1 pts"


def test_a_whole_month_compares_with_the_month_before():
    """June with May (not 2–31 May, the 30 days before); a quarter with the quarter before;
    any other period with the same number of days just before it."""
    import datetime as dt

    from metrics.scope import Scope

    def previous(start: tuple[int, int, int], end: tuple[int, int, int]) -> tuple[str, str]:
        scope = Scope.build(dt.date(*start), dt.date(*end)).previous()
        return scope.start.isoformat(), scope.end.isoformat()

    assert previous((2024, 6, 1), (2024, 6, 30)) == ("2024-05-01", "2024-05-31")
    assert previous((2024, 3, 1), (2024, 3, 31)) == ("2024-02-01", "2024-02-29")
    assert previous((2024, 1, 1), (2024, 3, 31)) == ("2023-10-01", "2023-12-31")
    assert previous((2024, 5, 3), (2024, 6, 10)) == ("2024-03-25", "2024-05-02")
