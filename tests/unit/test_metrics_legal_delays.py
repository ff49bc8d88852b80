"""The legal delays as the texts define them, on hand-built data (both engines).

Orientation (CASF D. 262-65-2): six weeks (42 days) from the receipt of the information on the
opening of the right, or on its transfer into the département (a transfer starts a new delay).
Scope 1 Jan – 31 Mar 2025, as-of 30 Jun 2025:

  L1 entry 01-06, information received 01-08, oriented 02-19        → event at 42 (in time)
  L2 entry 01-10, no information date (entry used), oriented 02-22  → event at 43 (late)
  L3 entered 2024-06-01, oriented 2024-07-01, transferred in 2025-02-01, oriented 03-01
                                                                    → event at 28 from the transfer
  L4 entered 2023, oriented 2023-02-01, transferred in 2025-03-01, never oriented since
                                                                    → censored at 121
  L5 information 02-03, exit 02-20, never oriented                  → censored at 17

Kaplan–Meier: t=17 censoring (5 → 4 at risk); t=28: S = 3/4; t=42: S = 3/4 · 2/3 = 1/2.
Within 42 days = 1/2 (2 events by day 42 out of 5). Without the restart, L3 and L4 would not
belong to the period at all, and L3's 2024 decision would count.

Contract (C. trav. D. 5411-14-1): one calendar month from the notification of the decision,
a new decision restarting it; contrat d'engagement, or CER/PPAE/PACEA/CEJ signed before 2025.

  K1 notified 01-31, contrat d'engagement 02-28       → deadline 02-28 (end of February): met
  K2 notified 01-31, contrat d'engagement 03-02       → late (30 days would have said in time)
  K3 decided 02-10, notification not dated, contract 03-10 → decision date used: met
  K4 decided 01-15 notified 01-17, re-oriented 02-10 notified 02-14, contract 03-10
        → first decision interrupted (left out), second one met (03-10 ≤ 03-14)
  K5 notified 03-03, only a CER signed 03-20 (not counted after 2025) → missed
  K6 notified 03-28, exit 04-10 without contract      → left out (left before the deadline)

Legal share = 3 met ÷ 5 counted = 0.6.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import literal, select
from sqlalchemy.types import Date

from metrics import contracts, orientation
from metrics.sql import add_months
from tests.unit.metrics_data import Dataset, compute, rows_of

START, END, AS_OF = "2025-01-01", "2025-03-31", "2025-06-30"


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        ("2025-01-31", 1, "2025-02-28"),
        ("2024-01-31", 1, "2024-02-29"),
        ("2025-03-15", 1, "2025-04-15"),
        ("2025-12-31", 1, "2026-01-31"),
        ("2025-01-31", 3, "2025-04-30"),
        ("2025-03-31", 1, "2025-04-30"),
    ],
)
def test_add_months_counts_from_date_to_date(db, start, months, expected):
    query = select(add_months(literal(dt.date.fromisoformat(start), Date), months))
    with db.engine.connect() as conn:
        value = conn.execute(query).scalar_one()
    assert str(value) == expected


@pytest.fixture
def orientation_results(db):
    data = Dataset()
    l1 = data.person("2025-01-06", right_info="2025-01-08")
    data.orientation(l1, "2025-02-19")
    l2 = data.person("2025-01-10")
    data.orientation(l2, "2025-02-22")
    l3 = data.person("2024-06-01", right_info="2024-06-01", transfer_in="2025-02-01")
    data.orientation(l3, "2024-07-01")
    data.orientation(l3, "2025-03-01", "social", "cd")
    l4 = data.person("2023-01-01", transfer_in="2025-03-01")
    data.orientation(l4, "2023-02-01")
    data.person("2025-02-01", right_info="2025-02-03", exit="2025-02-20")
    data.save(db.engine)
    return compute(db, orientation, START, END, AS_OF)


def test_orientation_within_legal_delay(orientation_results):
    legal = orientation_results["orientation_within_legal_delay_rate"]
    assert legal.value == pytest.approx(0.5)
    assert (legal.numerator, legal.denominator) == (2, 5)
    assert legal.target == 1.0


def test_transfer_in_starts_a_new_delay(orientation_results):
    months = rows_of(orientation_results["orientation_within_legal_delay_rate"], "cohort_month")
    assert set(months) == {"2025-01", "2025-02", "2025-03"}
    # L3 (transfer 02-01, oriented 28 days later) and L5 (censored at 17) start in February.
    assert months["2025-02"][1:3] == (1, 2)


def test_45_days_keeps_its_entrants_and_no_legal_target(orientation_results):
    kept = orientation_results["orientation_within_45d_rate"]
    # Entrants of the period only (L1, L2, L5): L1 at 44 and L2 at 43 days from entry.
    assert (kept.numerator, kept.denominator) == (2, 3)
    assert kept.target is None


def test_contract_within_legal_delay(db):
    data = Dataset()
    k1 = data.person("2024-12-01")
    data.orientation(k1, "2025-01-20", notified="2025-01-31")
    data.contract(k1, "2025-02-28", "engagement")
    k2 = data.person("2024-12-01")
    data.orientation(k2, "2025-01-20", notified="2025-01-31")
    data.contract(k2, "2025-03-02", "engagement")
    k3 = data.person("2025-01-05")
    data.orientation(k3, "2025-02-10", "social", "cd")
    data.contract(k3, "2025-03-10", "engagement")
    k4 = data.person("2025-01-02")
    data.orientation(k4, "2025-01-15", notified="2025-01-17")
    data.orientation(k4, "2025-02-10", "social", "cd", notified="2025-02-14")
    data.contract(k4, "2025-03-10", "engagement")
    k5 = data.person("2025-02-01")
    data.orientation(k5, "2025-03-01", notified="2025-03-03")
    data.contract(k5, "2025-03-20", "cer")
    k6 = data.person("2025-02-01", exit="2025-04-10")
    data.orientation(k6, "2025-03-25", notified="2025-03-28")
    data.save(db.engine)
    results = compute(db, contracts, START, END, AS_OF)
    legal = results["contract_within_legal_delay_rate"]
    assert legal.value == pytest.approx(0.6)
    assert (legal.numerator, legal.denominator) == (3, 5)
    # Without the restart K4's first decision would count as missed (3 ÷ 6); with 30 days
    # instead of the calendar month K2 (31 January → 2 March) would count as met (4 ÷ 5).


def test_contracts_before_2025_count_the_earlier_kinds(db):
    data = Dataset()
    early = data.person("2024-10-01")
    data.orientation(early, "2024-11-04", notified="2024-11-05")
    data.contract(early, "2024-12-05", "cer")
    late = data.person("2024-10-01")
    data.orientation(late, "2024-11-04", notified="2024-11-05")
    data.contract(late, "2024-12-06", "ppae")
    data.save(db.engine)
    legal = compute(db, contracts, "2024-11-01", "2024-11-30", "2025-03-01")[
        "contract_within_legal_delay_rate"
    ]
    assert (legal.numerator, legal.denominator) == (1, 2)


def test_drees_figures(db):
    data = Dataset()
    e1 = data.person("2025-01-31", request="2025-01-01")
    data.orientation(e1, "2025-04-29")
    e2 = data.person("2025-01-31", request="2025-01-11")
    data.orientation(e2, "2025-04-30")
    data.person("2025-01-10", request="2025-01-02")
    data.person("2025-01-20", exit="2025-02-15")
    data.save(db.engine)
    results = compute(db, orientation, "2025-01-01", "2025-01-31", AS_OF)
    three = results["orientation_within_3_months_rate"]
    # 31 January + 3 months = 30 April: E1 in time, E2 not, E3 never; E4 left before.
    assert (three.numerator, three.denominator) == (1, 3)
    assert three.target == 0.46
    mean = results["orientation_mean_days_from_request"]
    assert mean.value == pytest.approx((118 + 109) / 2)
    assert mean.target == 79.0


LEGAL_IDS = {"orientation_within_legal_delay_rate", "contract_within_legal_delay_rate"}


def test_only_the_legal_indicators_say_legal_and_they_quote_their_article():
    from metrics import catalog

    for spec in catalog.indicators():
        if "légal" in spec.label:
            assert spec.id in LEGAL_IDS, spec.id
    orientation_spec = catalog.spec_for("orientation_within_legal_delay_rate")
    assert "D. 262-65-2" in orientation_spec.definition
    assert "« En l'absence d'orientation" in orientation_spec.definition
    contract_spec = catalog.spec_for("contract_within_legal_delay_rate")
    assert "D. 5411-14-1" in contract_spec.definition
    assert "notification de la décision" in contract_spec.definition
    for kept in ("orientation_within_45d_rate", "contract_within_30d_rate"):
        spec = catalog.spec_for(kept)
        assert spec.target is None and "pas le" in spec.definition


def test_drees_references_carry_their_year_in_the_cli(db, monkeypatch, capsys):
    import json

    from cli import cli

    data = Dataset()
    for i in range(12):
        pid = data.person(f"2025-01-{i + 1:02d}", request="2024-12-15")
        data.orientation(pid, f"2025-02-{i + 1:02d}")
    data.save(db.engine)
    monkeypatch.setattr("cli._settings", lambda: db.settings)
    monkeypatch.setattr("cli._engine", lambda: db.engine)
    args = ["metrics", "--from", "2025-01-01", "--to", "2025-01-31", "--as-of", "2025-06-30"]
    with pytest.raises(SystemExit):
        cli.main(args=[*args, "--json"], prog_name="pilotage")
    metrics = json.loads(capsys.readouterr().out)["metrics"]
    mean = metrics["orientation_mean_days_from_request"]
    assert (mean["target"], mean["target_source"], mean["target_year"]) == (79, "DREES", 2023)
    assert metrics["orientation_within_3_months_rate"]["target_year"] == 2021
    assert metrics["stock_orientation_rate_lt6m"]["target_year"] == 2023
    assert metrics["orientation_within_legal_delay_rate"]["target_source"] == (
        "Décret n° 2024-1244"
    )
    with pytest.raises(SystemExit):
        cli.main(args=args, prog_name="pilotage")
    out = capsys.readouterr().out
    # 15 December → 1…12 February: 48 to 59 days, mean 53,5.
    assert (
        "Délai moyen entre la demande de RSA et la première orientation (DREES) : 53,5 j "
        "(cible 79 j, référence nationale DREES 2023 ; cible atteinte)" in out
    )
    assert "délai légal" not in out.split("Part des entrants orientés sous 45 jours")[1][:20]


def test_a_month_still_running_is_not_counted_even_when_met(db):
    data = Dataset()
    for _ in range(2):
        pid = data.person("2025-05-01")
        data.orientation(pid, "2025-06-10", notified="2025-06-12")
        data.contract(pid, "2025-06-20", "engagement")
    data.save(db.engine)
    running = compute(db, contracts, "2025-06-01", "2025-06-30", "2025-06-30")
    assert running["contract_within_legal_delay_rate"].denominator == 0
    over = compute(db, contracts, "2025-06-01", "2025-06-30", "2025-07-12")
    assert over["contract_within_legal_delay_rate"].value == 1.0
