"""The one-glance summary (« météo »): levels against targets, counted by hand, and the lines
of a hand-built département on both engines.

Levels with the default gaps (5 and 15 points; 5 % and 15 % of a count's target; three late
steps tolerated in orange):

  rate, target 100 %: 95,0 % vert, 94,9 % orange, 85,0 % orange, 84,9 % rouge
  rate, target 86 %:  81,0 % vert (5 pts), 80,0 % orange (6 pts), 70,0 % rouge (16 pts)
  count, target 50:   48 vert (4 %), 45 orange (10 %), 42 rouge (16 %)
  late steps:         0 vert, 3 orange, 4 rouge

Dataset (Guéret, caf), scope 1 May – 30 June 2024, as-of 30 June 2024:

  November 2023: N1, N2, N3 enter 11-06, each invited 5 days later; N1 oriented 12-10.
  May 2024: M1–M4 enter 05-02, invited after 5, 10, 20 and 30 days.

Convocation within 15 days, mature cohort = May 2024 (as-of − 15 days = 15 June, the last
whole month before is May): 2 of 4 → 50,0 %, 50 points under 100 % → rouge. Its twelve months
(June 2023 – May 2024): November 100 %, May 50 %, no entrant in the other ten.

Stock oriented at each month's end: none present before November; end of November 0 of 3;
end of December to end of April 1 of 3 (33,3 %); end of May and as-of (30 June) 1 of 7 →
14,3 %, 71,7 points under 86 % → rouge.
"""

from __future__ import annotations

import datetime as dt

import pytest

from metrics.results import MetricResult
from metrics.scope import Scope
from metrics.spec import MetricContext
from metrics.summary import (
    MonthPoint,
    engine_history,
    level_of,
    most_frequent_need,
    summary_lines,
)
from settings import Settings
from tests.conftest import make_settings
from tests.unit.metrics_data import Dataset

DEFAULTS = Settings(_env_file=None)  # type: ignore[call-arg]
D = dt.date


@pytest.mark.parametrize(
    ("value", "target", "unit", "expected"),
    [
        (1.0, 1.0, "ratio", "vert"),
        (0.95, 1.0, "ratio", "vert"),
        (0.9495, 1.0, "ratio", "vert"),  # written « 95,0 % »: the level agrees with the figure
        (0.949, 1.0, "ratio", "orange"),
        (0.85, 1.0, "ratio", "orange"),
        (0.849, 1.0, "ratio", "rouge"),
        (0.81, 0.86, "ratio", "vert"),
        (0.80, 0.86, "ratio", "orange"),
        (0.70, 0.86, "ratio", "rouge"),
        (0.90, 0.86, "ratio", "vert"),
        (48, 50, "count", "vert"),
        (45, 50, "count", "orange"),
        (42, 50, "count", "rouge"),
    ],
)
def test_levels_with_the_default_gaps(value, target, unit, expected):
    assert level_of(value, target, unit, True, DEFAULTS) == expected


@pytest.mark.parametrize(("late", "expected"), [(0, "vert"), (3, "orange"), (4, "rouge")])
def test_late_steps_tolerated_in_orange(late, expected):
    assert level_of(late, 0.0, "count", False, DEFAULTS, allowance=3) == expected


def test_lower_is_better_rate_and_missing_figures():
    assert level_of(0.12, 0.10, "ratio", False, DEFAULTS) == "vert"  # 2 points over
    assert level_of(0.22, 0.10, "ratio", False, DEFAULTS) == "orange"  # 12 points over
    assert level_of(0.5, 1.0, "ratio", True, DEFAULTS, suppressed=True) == "secret"
    assert level_of(None, 1.0, "ratio", True, DEFAULTS) == "sans_donnees"
    assert level_of(0.5, None, "ratio", True, DEFAULTS) == "sans_cible"


def test_the_gaps_are_settings():
    wide = Settings(_env_file=None, summary_green_gap=0.2, summary_orange_gap=0.4)  # type: ignore[call-arg]
    assert level_of(0.8, 1.0, "ratio", True, wide) == "vert"
    assert level_of(0.6, 1.0, "ratio", True, wide) == "orange"
    assert level_of(0.59, 1.0, "ratio", True, wide) == "rouge"


def test_orange_gap_below_green_gap_is_refused_in_french():
    import os

    from settings import SettingsError, load_settings

    os.environ["PILOTAGE_SUMMARY_GREEN_GAP"] = "0.2"
    os.environ["PILOTAGE_SUMMARY_ORANGE_GAP"] = "0.1"
    try:
        with pytest.raises(SettingsError) as error:
            load_settings()
    finally:
        del os.environ["PILOTAGE_SUMMARY_GREEN_GAP"], os.environ["PILOTAGE_SUMMARY_ORANGE_GAP"]
    assert "PILOTAGE_SUMMARY_ORANGE_GAP" in str(error.value)
    assert "Value error" not in str(error.value)


def _result(metric_id, value, suppressed=False):
    return MetricResult(id=metric_id, value=value, unit="ratio", suppressed=suppressed)


def test_most_frequent_need_ignores_masked_shares():
    results = {
        "need_share_mobilite": _result("need_share_mobilite", 0.4),
        "need_share_sante": _result("need_share_sante", None, suppressed=True),
        "need_share_famille": _result("need_share_famille", 0.4),
        "need_share_logement": _result("need_share_logement", 0.2),
    }
    assert most_frequent_need(results) == "famille"  # tie with mobilité: first by name
    assert most_frequent_need({}) is None


def _dataset() -> Dataset:
    data = Dataset()
    for number in range(3):
        pid = data.person("2023-11-06")
        data.invitation(pid, "2023-11-11")
        if number == 0:
            data.orientation(pid, "2023-12-10")
    for days in (5, 10, 20, 30):
        pid = data.person("2024-05-02")
        data.invitation(pid, (D(2024, 5, 2) + dt.timedelta(days=days)).isoformat())
    return data


def _lines(db, threshold=2):
    _dataset().save(db.engine)
    settings = make_settings(db.settings.database_url, secrecy_threshold=threshold)
    scope = Scope.build(D(2024, 5, 1), D(2024, 6, 30))
    context = MetricContext(db.engine, settings, scope)
    from metrics import catalog

    results = catalog.compute_all(context)
    return {
        line.key: line
        for line in summary_lines(settings, scope, results, engine_history(db.engine, settings))
    }


def test_summary_lines_on_a_hand_built_departement(db):
    lines = _lines(db)
    assert list(lines) == [
        "convocation",
        "orientation",
        "contract",
        "activity",
        "stock",
        "roadmap",
        "companies",
    ]  # no need identified: no coverage line
    convocation = lines["convocation"]
    assert convocation.value == pytest.approx(0.5)
    assert convocation.target == 1.0
    assert convocation.level == "rouge"
    assert convocation.cohort == "entrants de mai 2024, observés 15 jours"
    history = {p.month: p.value for p in convocation.history}
    assert [p.month for p in convocation.history] == [
        D(2023, 6, 1) if m == 0 else D(2023 + (5 + m) // 12, (5 + m) % 12 + 1, 1) for m in range(12)
    ]
    assert history[D(2023, 11, 1)] == pytest.approx(1.0)
    assert history[D(2024, 5, 1)] == pytest.approx(0.5)
    assert [m for m, v in history.items() if v is not None] == [D(2023, 11, 1), D(2024, 5, 1)]

    stock = lines["stock"]
    assert stock.value == pytest.approx(1 / 7)
    assert stock.target == pytest.approx(0.86)
    assert stock.level == "rouge"
    assert stock.history[0] == MonthPoint(D(2023, 7, 1), None)
    values = [p.value for p in stock.history]
    assert values[:4] == [None, None, None, None]  # July – October 2023: no one present
    assert values[4] == 0.0  # end of November
    assert values[5:10] == [pytest.approx(1 / 3)] * 5  # December – April
    assert values[10:] == [pytest.approx(1 / 7)] * 2  # end of May, 30 June

    assert lines["roadmap"].value == 0  # no step: nothing late
    assert lines["roadmap"].level == "vert"
    assert lines["companies"].target == 50
    assert lines["companies"].level == "rouge"


def test_masked_figures_stay_masked_in_the_summary(db):
    lines = _lines(db, threshold=11)
    convocation = lines["convocation"]
    assert convocation.suppressed and convocation.value is None
    assert convocation.level == "secret"
    assert all(p.value is None for p in convocation.history)
    assert lines["stock"].level == "secret"


def test_every_objective_names_an_indicator_of_the_catalogue():
    from metrics import catalog
    from metrics.summary import COMPANIONS, COVERAGE_PREFIX, OBJECTIVES

    for objective in OBJECTIVES:
        metric_id = objective.metric_id
        if metric_id == COVERAGE_PREFIX:
            metric_id += "mobilite"
        assert catalog.spec_for(metric_id).unit in ("ratio", "count")
    for metric_id in COMPANIONS.values():
        catalog.spec_for(metric_id)


def test_convocation_objective_follows_the_setting():
    settings = Settings(_env_file=None, convocation_days=10)  # type: ignore[call-arg]
    results = {
        "convocation_within_15d_rate": MetricResult(
            "convocation_within_15d_rate", 0.9, "ratio", target=1.0
        )
    }
    scope = Scope.build(D(2024, 5, 1), D(2024, 6, 30))
    (line,) = summary_lines(settings, scope, results)
    assert line.label == "Convocation sous 10 jours"
    assert line.level == "orange"  # 10 points under 100 %
