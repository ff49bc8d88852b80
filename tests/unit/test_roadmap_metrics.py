"""Roadmap indicators on the seed at fixed as-of dates; expected figures counted by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from data_access.db import session_scope
from data_access.roadmap import changes_between, set_step_status, steps_at
from data_access.roadmap_seed import load_seed_roadmap
from metrics import catalog
from metrics.scope import Scope
from metrics.spec import MetricContext

D = dt.date
T = dt.datetime


@pytest.fixture
def seeded(db):
    with session_scope(db.engine) as session:
        load_seed_roadmap(session, db.settings)
    return db


def _results(db, as_of):
    scope = Scope.build(D(2023, 1, 1), as_of)
    context = MetricContext(db.engine, db.settings, scope)
    return catalog.compute_all(context)


def _set(db, step_id, status, when):
    with session_scope(db.engine) as session:
        set_step_status(session, step_id, status, user="test", now=when)


def _rows(result, by):
    return {row.key: row.value for row in result.breakdowns[by]}


def test_family_is_registered_and_valid():
    ids = {spec.id for spec in catalog.indicators()}
    assert {
        "roadmap_steps_total",
        "roadmap_done_rate",
        "roadmap_late_steps",
        "roadmap_due_next_14d",
    } <= ids
    assert catalog.validate() == []
    assert not any(catalog.spec_for(i).person_based for i in ids if i.startswith("roadmap_"))


def test_late_and_due_soon_on_25_march_2023(seeded):
    r = _results(seeded, D(2023, 3, 25))
    assert r["roadmap_steps_total"].value == 42
    # Late: due before 25 March and not done: only GP-01 (S12 = Friday 24 March).
    assert r["roadmap_late_steps"].value == 1
    # Due in (25 Mar, 8 Apr]: the « Fin mars » steps DO-03, DO-04, DO-05, DO-06, GP-02, NU-01.
    # « Début avril » (10 April) is two days too late.
    assert r["roadmap_due_next_14d"].value == 6
    assert _rows(r["roadmap_due_next_14d"], "axis") == {
        "Macro-processus": 0,
        "Diagnostic / orientation": 4,
        "Accompagnement": 0,
        "Mobilisation des entreprises": 0,
        "Gouvernance partagée": 1,
        "Numérique": 1,
    }
    assert r["roadmap_done_rate"].value == 0
    assert r["roadmap_done_rate"].denominator == 42
    assert not r["roadmap_late_steps"].suppressed  # one step is not a person: never masked


def test_late_on_1_may_2023_then_after_progress(seeded):
    # Due before 1 May 2023: Fin mars ×6 (DO-03..06, GP-02, NU-01), S12 ×1 (GP-01),
    # Début avril ×7 (DO-01, DO-02, DO-07, DO-08, DO-09, ME-02, NU-02),
    # Avril = 30 April ×5 (AC-01, AC-02, AC-07, ME-01, NU-03): 19 steps late.
    r = _results(seeded, D(2023, 5, 1))
    assert r["roadmap_late_steps"].value == 19
    # Due in (1 May, 15 May]: DO-11 and DO-12 (Mi mai).
    assert r["roadmap_due_next_14d"].value == 2

    _set(seeded, "DO-03", "fait", T(2023, 3, 30, 10, 0))
    _set(seeded, "DO-04", "fait", T(2023, 4, 20, 10, 0))
    _set(seeded, "GP-01", "fait", T(2023, 3, 24, 10, 0))
    _set(seeded, "DO-05", "en cours", T(2023, 3, 28, 10, 0))
    _set(seeded, "ME-05", "abandonné", T(2023, 4, 15, 10, 0))
    _set(seeded, "DO-11", "fait", T(2023, 4, 28, 10, 0))

    r = _results(seeded, D(2023, 5, 1))
    # 19 late minus DO-03, DO-04, GP-01 (done); DO-05 is only in progress: 16.
    assert r["roadmap_late_steps"].value == 16
    # DO-11 done early: only DO-12 still due in the next 14 days.
    assert r["roadmap_due_next_14d"].value == 1
    # Done: DO-03, DO-04, GP-01, DO-11 = 4; not abandoned: 42 − 1 (ME-05) = 41.
    rate = r["roadmap_done_rate"]
    assert (rate.numerator, rate.denominator) == (4, 41)
    assert rate.value == pytest.approx(4 / 41)
    by_axis = {row.key: (row.numerator, row.denominator) for row in rate.breakdowns["axis"]}
    assert by_axis["Diagnostic / orientation"] == (3, 14)
    assert by_axis["Gouvernance partagée"] == (1, 2)
    assert by_axis["Mobilisation des entreprises"] == (0, 6)
    # By owner: DO-03 (CD, Beta.gouv), DO-04 (Beta.gouv, CD, FT), GP-01 (FT, CD, État),
    # DO-11 (CD, FT) → CD 4 done, France Travail 3, Beta.gouv 2, État 1; CAF and MSA 0.
    by_owner = {row.key: row.numerator for row in rate.breakdowns["owner"]}
    assert by_owner == {
        "CD": 4,
        "France Travail": 3,
        "CAF": 0,
        "MSA": 0,
        "Beta.gouv": 2,
        "État": 1,
        "": 0,
    }
    assert [row.label for row in rate.breakdowns["owner"]][-1] == "Non attribué"
    late_owner = _rows(r["roadmap_late_steps"], "owner")
    # Late steps owned by MSA: DO-01 only (CD & CAF & MSA, Début avril).
    assert late_owner["MSA"] == 1


def test_indicators_at_a_past_as_of_use_the_status_then(seeded):
    _set(seeded, "DO-03", "en cours", T(2023, 3, 15, 10, 0))
    _set(seeded, "DO-03", "fait", T(2023, 4, 20, 10, 0))
    # On 10 April DO-03 (Fin mars) was in progress, so still late; on 21 April it is done.
    before = _results(seeded, D(2023, 4, 10))
    after = _results(seeded, D(2023, 4, 21))
    # Due before 10 April: Fin mars ×6 + S12 ×1 = 7, all open then.
    assert before["roadmap_late_steps"].value == 7
    assert before["roadmap_done_rate"].numerator == 0
    # Due before 21 April: 7 + Début avril ×7 = 14, minus DO-03 done = 13.
    assert after["roadmap_late_steps"].value == 13
    assert after["roadmap_done_rate"].numerator == 1


def test_due_soon_bounds(seeded):
    # as-of 27 March: (27 Mar, 10 Apr] holds Fin mars ×6 and Début avril ×7 (10 April is the
    # 14th day, included) = 13.
    assert _results(seeded, D(2023, 3, 27))["roadmap_due_next_14d"].value == 13
    # as-of 31 March: Fin mars is not after the as-of date, so only Début avril ×7 = 7;
    # the Fin mars steps are not late yet either (late means due strictly before as-of).
    r = _results(seeded, D(2023, 3, 31))
    assert r["roadmap_due_next_14d"].value == 7
    assert r["roadmap_late_steps"].value == 1  # GP-01 only


def test_changes_since_last_committee(seeded):
    _set(seeded, "DO-03", "en cours", T(2023, 3, 15, 10, 0))
    _set(seeded, "DO-03", "fait", T(2023, 4, 20, 10, 0))
    _set(seeded, "ME-01", "en cours", T(2023, 4, 18, 10, 0))
    moved = changes_between(seeded.engine, D(2023, 4, 14), D(2023, 6, 16))
    assert [(c.step_id, c.status_before, c.status_after) for c in moved] == [
        ("DO-03", "en_cours", "fait"),
        ("ME-01", "a_faire", "en_cours"),
    ]
    at = {s.step_id: s.status for s in steps_at(seeded.engine, D(2023, 4, 1))}
    assert at["DO-03"] == "en_cours" and at["ME-01"] == "a_faire"


def test_blocked_steps_as_they_stood_at_the_as_of_date(seeded):
    # DO-03 (Diagnostic / orientation, due « Fin mars ») blocked on 15 March, unblocked on
    # 20 April; GP-01 (Gouvernance partagée) blocked on 1 April and still blocked.
    _set(seeded, "DO-03", "bloqué", T(2023, 3, 15, 10, 0))
    _set(seeded, "GP-01", "bloqué", T(2023, 4, 1, 9, 0))
    _set(seeded, "DO-03", "en cours", T(2023, 4, 20, 10, 0))
    assert _results(seeded, D(2023, 3, 14))["roadmap_blocked_steps"].value == 0
    on_1_april = _results(seeded, D(2023, 4, 1))["roadmap_blocked_steps"]
    assert on_1_april.value == 2
    by_axis = _rows(on_1_april, "axis")
    assert by_axis["Diagnostic / orientation"] == 1 and by_axis["Gouvernance partagée"] == 1
    assert sum(by_axis.values()) == 2
    blocked = _results(seeded, D(2023, 5, 1))["roadmap_blocked_steps"]
    assert blocked.value == 1 and not blocked.suppressed  # steps are not persons
    assert _rows(blocked, "axis")["Gouvernance partagée"] == 1
