"""Rounding of published person counts, on a hand-built département (both engines).

Scope: 1 Jan – 31 Mar 2024, as-of 31 Mar, secrecy threshold 11, rounding base 5.

  57 CAF persons in Aubusson, T0 10 Jan; 40 of them invited on 15 Jan (5 days), 17 never.
   8 MSA persons in Aubusson, T0 31 Mar (the last day of the period), nothing yet.
  12 CAF persons in Guéret, T0 1 Feb, all invited on 3 Feb.

Exact figures: entrants 77 = 65 Aubusson + 12 Guéret; Aubusson all payers 65, CAF 57, MSA 8
(masked); [1 Jan, 30 Mar] in Aubusson: 57. Published (rounded up to a multiple of 5): 80, 65,
60, masked, 60. The reported attack, Aubusson 65 − 57 = 8, now reads 65 − 60: all payers are
61 to 65, CAF 56 to 60, so MSA is anywhere from 1 to 9.
"""

from __future__ import annotations

import pytest

from metrics import catalog, convocation
from metrics.report import metrics_report
from metrics.scope import Scope
from metrics.spec import MetricContext
from tests.conftest import make_settings
from tests.unit.metrics_data import AUBUSSON, GUERET, Dataset, day

START, END = "2024-01-01", "2024-03-31"


@pytest.fixture
def rounded_db(db):
    data = Dataset()
    for i in range(57):
        pid = data.person("2024-01-10", commune=AUBUSSON, payer="caf")
        if i < 40:
            data.invitation(pid, "2024-01-15")
    for _ in range(8):
        data.person("2024-03-31", commune=AUBUSSON, payer="msa")
    for _ in range(12):
        pid = data.person("2024-02-01", commune=GUERET, payer="caf")
        data.invitation(pid, "2024-02-03")
    data.save(db.engine)
    return db


def _compute(db, start=START, end=END, territory=None, payer=None, rounding=5):
    settings = make_settings(db.settings.database_url, secrecy_rounding=rounding)
    scope = Scope.build(day(start), day(end), day(END), territory, payer)
    return convocation.FAMILY.compute(MetricContext(db.engine, settings, scope))


def test_counts_are_rounded_to_five_and_say_so(rounded_db):
    entrants = _compute(rounded_db)["entrants"]
    assert (entrants.value, entrants.rounding, entrants.suppressed) == (80, 5, False)
    rows = {row.key: (row.value, row.rounding) for row in entrants.breakdowns["utas"]}
    assert rows == {"Aubusson": (65, 5), "Guéret": (15, 5)}  # 12 is published, as 15


def test_payer_complement_no_longer_gives_the_masked_count(rounded_db):
    every = _compute(rounded_db, territory="Aubusson")["entrants"]
    caf = _compute(rounded_db, territory="Aubusson", payer="caf")["entrants"]
    msa = _compute(rounded_db, territory="Aubusson", payer="msa")["entrants"]
    assert msa.suppressed and msa.value is None
    assert (every.value, caf.value) == (65, 60)  # exact: 65 and 57
    assert every.value - caf.value != 8


def test_a_period_one_day_shorter_no_longer_gives_the_last_day(rounded_db):
    whole = _compute(rounded_db, territory="Aubusson")["entrants"]
    shorter = _compute(rounded_db, end="2024-03-30", territory="Aubusson")["entrants"]
    last_day = _compute(rounded_db, start=END, territory="Aubusson")["entrants"]
    assert last_day.suppressed  # 8 persons entered on 31 March
    assert whole.value - shorter.value != 8


def test_the_territory_complement_no_longer_gives_the_masked_count(rounded_db):
    département = _compute(rounded_db, payer="msa")["entrants"]
    assert département.suppressed  # the 8 MSA persons are all in Aubusson: masked everywhere
    caf = _compute(rounded_db, payer="caf")["entrants"]
    caf_gueret = _compute(rounded_db, territory="Guéret", payer="caf")["entrants"]
    caf_aubusson = _compute(rounded_db, territory="Aubusson", payer="caf")["entrants"]
    # 69 CAF persons = 57 + 12, published 70, 60 and 15: the sum does not even have to match.
    assert (caf.value, caf_aubusson.value, caf_gueret.value) == (70, 60, 15)


def test_a_share_is_recomputed_from_its_rounded_terms(rounded_db):
    # CAF in Aubusson: 40 of 57 invited within 15 days, none censored before 15 days, so the
    # Kaplan–Meier share is exactly 40/57. Published: 40 of 60, and the rate 40/60 with them.
    rate = _compute(rounded_db, territory="Aubusson", payer="caf")["convocation_within_15d_rate"]
    assert (rate.numerator, rate.denominator, rate.rounding) == (40, 60, 5)
    assert rate.value == pytest.approx(40 / 60)


def test_a_kaplan_meier_share_rests_on_a_rounded_number_of_persons(rounded_db):
    # All payers in Aubusson: the 8 MSA persons are censored on their first day, so the
    # estimate is 40/57 × 65 ≈ 45.6 persons, published as 50 out of 65.
    rate = _compute(rounded_db, territory="Aubusson")["convocation_within_15d_rate"]
    assert rate.denominator == 65
    assert rate.value == pytest.approx(50 / 65)


def test_delays_are_not_counts_but_their_terms_are(rounded_db):
    median = _compute(rounded_db, territory="Aubusson", payer="caf")["convocation_median_days"]
    assert median.value == 5  # a duration: not rounded to 5
    assert (median.numerator, median.denominator) == (40, 60)


def test_json_of_pilotage_metrics_carries_the_rounding(rounded_db):
    settings = make_settings(rounded_db.settings.database_url, secrecy_rounding=5)
    scope = Scope.build(day(START), day(END), territory="Aubusson", payer="caf")
    report = metrics_report(rounded_db.engine, settings, scope, with_breakdowns=True)
    entrants = report["metrics"]["entrants"]
    assert (entrants["value"], entrants["rounding"], entrants["suppressed"]) == (60, 5, False)
    assert all(row["rounding"] == 5 for row in entrants["breakdowns"]["utas"])
    # Figures that count no one (roadmap steps, companies) stay exact and say so.
    assert report["metrics"]["roadmap_steps_total"]["rounding"] is None
    for item in report["metrics"].values():
        assert set(item) >= {"value", "numerator", "denominator", "suppressed", "rounding"}


def test_every_published_person_count_is_a_multiple_of_the_base(rounded_db):
    settings = make_settings(rounded_db.settings.database_url, secrecy_rounding=5)
    for payer in (None, "caf"):
        scope = Scope.build(day(START), day(END), payer=payer)
        for result in catalog.compute_all(
            MetricContext(rounded_db.engine, settings, scope)
        ).values():
            figures = [result, *(row for rows in result.breakdowns.values() for row in rows)]
            for figure in figures:
                if figure.rounding is None or figure.suppressed:
                    continue
                for name in ("numerator", "denominator"):
                    number = getattr(figure, name)
                    if number is not None and name in _person_terms(result.id):
                        assert number % 5 == 0, (result.id, name, number)


def _person_terms(metric_id: str) -> tuple[str, ...]:
    """The terms that count persons: not the places of a capacity, not the referents of a
    caseload."""
    if metric_id.startswith("capacity_per_need"):
        return ("denominator",)
    if metric_id == "caseload_median":
        return ("numerator",)
    return ("numerator", "denominator")


@pytest.mark.parametrize("payer", [None, "caf"])
def test_a_delay_curve_cannot_give_its_cohort_size_away(rounded_db, payer):
    # An exact curve's first step is 40/57 (CAF) or 40/57 of the at-risk (all payers): its
    # size follows. Published, each point is rounded persons over the rounded cohort, so the
    # curve at 15 days is the published share within 15 days.
    settings = make_settings(rounded_db.settings.database_url, secrecy_rounding=5)
    scope = Scope.build(day(START), day(END), territory="Aubusson", payer=payer)
    context = MetricContext(rounded_db.engine, settings, scope)
    (curve,) = catalog.delay_curves(context, "convocation_median_days")
    rate = catalog.compute_one(context, "convocation_within_15d_rate")
    assert curve.size == rate.denominator
    shares = dict(curve.points)
    assert shares[5] == pytest.approx(rate.value)
    for share in shares.values():
        persons = share * curve.size
        assert persons == pytest.approx(round(persons)) and round(persons) % 5 == 0


def test_charts_and_their_csv_say_the_counts_are_rounded(rounded_db):
    from charts.builders import breakdown_chart
    from charts.csv_export import chart_csv

    rounded = _compute(rounded_db)["entrants"]
    exact = _compute(rounded_db, rounding=1)["entrants"]
    kwargs = {"title": "Entrants", "x_title": "UTAS", "as_of": day(END), "threshold": 11}
    chart = breakdown_chart(rounded, "utas", **kwargs)
    assert "Effectifs arrondis à 5 près" in chart.footnote
    assert "Effectifs arrondis à 5 près" in chart_csv(chart).decode("utf-8-sig")
    assert "arrondis" not in breakdown_chart(exact, "utas", **kwargs).footnote


def test_pilotage_metrics_prints_rounded_counts(rounded_db, monkeypatch, capsys):
    import json

    from cli import cli

    settings = make_settings(rounded_db.settings.database_url, secrecy_rounding=5)
    monkeypatch.setattr("cli._settings", lambda: settings)
    monkeypatch.setattr("cli._engine", lambda: rounded_db.engine)
    args = ["metrics", "--from", START, "--to", END, "--territory", "Aubusson", "--payer", "caf"]
    with pytest.raises(SystemExit):
        cli.main(args=[*args, "--json"], prog_name="pilotage")
    entrants = json.loads(capsys.readouterr().out)["metrics"]["entrants"]
    assert (entrants["value"], entrants["rounding"]) == (60, 5)
    with pytest.raises(SystemExit):
        cli.main(args=args, prog_name="pilotage")
    out = capsys.readouterr().out
    assert "Entrants soumis aux droits et devoirs : 60" in out
    assert "Effectifs de personnes arrondis à 5 près" in out
