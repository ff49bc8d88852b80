"""Demo governance: past-dated history consistent with the steps, meetings, reproducibility."""

from __future__ import annotations

import datetime as dt

from data_access.db import session_scope
from data_access.demo.governance import STALLED, fill_demo_governance
from data_access.governance import list_actions, list_meetings, open_actions
from data_access.roadmap import list_steps, set_step_status, step_history, steps_at
from data_access.roadmap_seed import load_seed_roadmap
from metrics.roadmap import is_late

AS_OF = dt.date(2023, 9, 30)


def _fill(db, as_of=AS_OF, seed=7):
    with session_scope(db.engine) as session:
        return fill_demo_governance(session, db.settings, as_of, seed)


def test_history_is_past_and_replays_to_the_current_status(db):
    report = _fill(db)
    assert report.steps_with_history > 30 and report.meetings > 20
    history = step_history(db.engine)
    assert history and all(h.changed_at.date() <= AS_OF for h in history)
    steps = list_steps(db.engine)
    replayed = {s.step_id: s.status for s in steps_at(db.engine, AS_OF)}
    assert replayed == {s.step_id: s.status for s in steps}
    # Before the pilot, every step was still to do.
    assert {s.status for s in steps_at(db.engine, dt.date(2023, 2, 1))} == {"a_faire"}
    for step in steps:
        entries = [h for h in history if h.step_id == step.step_id]
        assert step.version == 1 + len(entries)
        assert (step.status == "fait") == (step.done_date is not None)


def test_meetings_rhythm(db):
    _fill(db)
    meetings = list_meetings(db.engine)
    committees = sorted(m.date for m in meetings if m.kind == "comite_de_suivi")
    # End of even months, on the next working day: 30 April 2023 is a Sunday and 1 May a
    # public holiday, so 2 May; 31 October is the next one, planned after 30 September.
    assert committees == [
        dt.date(2023, 2, 28),
        dt.date(2023, 5, 2),
        dt.date(2023, 6, 30),
        dt.date(2023, 8, 31),
        dt.date(2023, 10, 31),
    ]
    weekly = [m.date for m in meetings if m.kind == "point_hebdomadaire"]
    assert min(weekly) == dt.date(2023, 3, 24) and all(d.weekday() == 4 for d in weekly)
    assert not [d for d in weekly if d.month == 8]
    assert sum(1 for d in weekly if d > AS_OF) == 1  # the next weekly point is planned
    actions = list_actions(db.engine)
    assert all(a.meeting_date is None or a.meeting_date <= AS_OF for a in actions)


def test_reproducible_and_never_overwrites(db):
    with session_scope(db.engine) as session:
        load_seed_roadmap(session, db.settings)
        set_step_status(session, "DO-01", "bloqué", user="Lead", now=dt.datetime(2023, 4, 1, 9))
    first = _fill(db)
    assert first.steps_with_history <= 41  # DO-01, edited by a lead, is left alone
    assert next(s for s in list_steps(db.engine) if s.step_id == "DO-01").status == "bloque"
    assert [h.changed_by for h in step_history(db.engine, "DO-01")] == ["Lead"]
    again = _fill(db)
    assert (again.steps_with_history, again.meetings) == (0, 0)


def test_some_steps_stay_late_and_follow_ups_fall_due_within_14_days(db):
    # The demo must show the late-step alerts: the stalled steps (STALLED) are still open
    # past their due date, whatever the as-of date after them, and the last weekly point
    # (Friday 28 June 2024 for an as-of of Sunday 30 June) leaves one follow-up action per
    # late step plus one to prepare the committee, due at the next weekly point (5 July).
    as_of = dt.date(2024, 6, 30)
    _fill(db, as_of)
    late = {s.step_id: s.status for s in steps_at(db.engine, as_of) if is_late(s, as_of)}
    assert late == {s: status for s, (status, _) in STALLED.items()}
    assert set(late.values()) == {"en_cours", "bloque"}
    # the other dated steps did finish: the demo is not a roadmap in trouble
    assert sum(1 for s in list_steps(db.engine) if s.status == "fait") > 30
    soon = [
        a
        for a in open_actions(db.engine)
        if a.due_date is not None and as_of < a.due_date <= as_of + dt.timedelta(days=14)
    ]
    follow_ups = [a for a in soon if a.meeting_date == dt.date(2024, 6, 28)]
    assert sorted(a.step_id or "" for a in follow_ups) == sorted({*STALLED, ""})
    assert {a.due_date for a in follow_ups} == {dt.date(2024, 7, 5)}
    assert all(a.meeting_kind == "point_hebdomadaire" for a in follow_ups)


def test_follow_ups_during_the_summer_break_fall_due_within_14_days(db):
    # No weekly point in August: the last one is Friday 26 July, the next one in September,
    # so the follow-ups fall due 14 days after the as-of date.
    as_of = dt.date(2024, 8, 20)
    _fill(db, as_of)
    dues = {a.due_date for a in open_actions(db.engine) if a.meeting_date == dt.date(2024, 7, 26)}
    assert dt.date(2024, 9, 3) in dues
