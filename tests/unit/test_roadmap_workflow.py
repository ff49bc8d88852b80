"""Status changes: history rows, done dates, optimistic locking, the roadmap at a past date."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from data_access.db import session_scope
from data_access.roadmap import (
    RoadmapValueError,
    StepConflictError,
    UnknownStepError,
    changes_between,
    get_step,
    parse_owners,
    parse_status,
    set_step_status,
    step_history,
    steps_at,
)
from data_access.roadmap_seed import load_seed_roadmap

T = dt.datetime


@pytest.fixture
def seeded(db):
    with session_scope(db.engine) as session:
        load_seed_roadmap(session, db.settings)
    return db


def _set(db, step_id, status, when, user="cheffe.projet", **kwargs):
    with session_scope(db.engine) as session:
        return set_step_status(session, step_id, status, user=user, now=when, **kwargs)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("fait", "fait"),
        ("En cours", "en_cours"),
        ("en-cours", "en_cours"),
        ("à faire", "a_faire"),
        ("Bloqué", "bloque"),
        ("abandonné", "abandonne"),
        ("a_faire", "a_faire"),
    ],
)
def test_status_in_french_or_code(text, code):
    assert parse_status(text) == code


def test_unknown_status_and_party_are_french_errors():
    with pytest.raises(RoadmapValueError, match="Statut inconnu « presque »"):
        parse_status("presque")
    with pytest.raises(RoadmapValueError, match="Partenaire inconnu « Mairie »"):
        parse_owners("CD & Mairie")
    assert parse_owners("Pôle emploi, Etat et CD") == ("France Travail", "État", "CD")


def test_change_is_recorded_in_history(seeded):
    _set(seeded, "DO-03", "en cours", T(2023, 3, 20, 9, 0), comment="Réunion DSP fixée")
    step = _set(seeded, "DO-03", "fait", T(2023, 4, 2, 10, 30), user="adjoint.pe")
    assert (step.status, step.done_date, step.version) == ("fait", dt.date(2023, 4, 2), 3)
    assert step.comment == "Réunion DSP fixée"  # no new comment keeps the last one
    history = step_history(seeded.engine, "DO-03")
    assert [(h.changed_by, h.old_status, h.new_status, h.comment) for h in history] == [
        ("cheffe.projet", "a_faire", "en_cours", "Réunion DSP fixée"),
        ("adjoint.pe", "en_cours", "fait", None),
    ]
    assert history[1].changed_at == T(2023, 4, 2, 10, 30)
    assert history[1].new_done_date == dt.date(2023, 4, 2)


def test_done_date_given_and_cleared(seeded):
    step = _set(seeded, "DO-04", "fait", T(2023, 4, 5, 8, 0), done_date=dt.date(2023, 3, 30))
    assert step.done_date == dt.date(2023, 3, 30)
    step = _set(seeded, "DO-04", "bloqué", T(2023, 4, 6, 8, 0), comment="Recette à refaire")
    assert (step.status, step.done_date) == ("bloque", None)
    assert step_history(seeded.engine, "DO-04")[-1].old_done_date == dt.date(2023, 3, 30)


def test_same_status_without_comment_writes_nothing(seeded):
    _set(seeded, "DO-06", "en cours", T(2023, 3, 20, 9, 0))
    step = _set(seeded, "DO-06", "En cours", T(2023, 3, 21, 9, 0), user="autre")
    # No « en cours → en cours » row, no version bump, the last editor is unchanged.
    assert (step.status, step.version, step.updated_by) == ("en_cours", 2, "cheffe.projet")
    assert len(step_history(seeded.engine, "DO-06")) == 1
    _set(seeded, "DO-06", "fait", T(2023, 4, 1, 9, 0), done_date=dt.date(2023, 3, 31))
    step = _set(seeded, "DO-06", "fait", T(2023, 4, 2, 9, 0))
    assert (step.version, step.done_date) == (3, dt.date(2023, 3, 31))  # not reset to today
    # A comment, or a corrected done date, is a change worth a history row.
    step = _set(seeded, "DO-06", "fait", T(2023, 4, 3, 9, 0), comment="Compte rendu envoyé")
    assert step.version == 4
    step = _set(seeded, "DO-06", "fait", T(2023, 4, 4, 9, 0), done_date=dt.date(2023, 3, 30))
    assert (step.version, step.done_date) == (5, dt.date(2023, 3, 30))
    assert len(step_history(seeded.engine, "DO-06")) == 4
    # A form opened at an older version still gets the conflict, even for the same status.
    with pytest.raises(StepConflictError):
        _set(seeded, "DO-06", "fait", T(2023, 4, 5, 9, 0), expected_version=4)


def test_unknown_step(seeded):
    with pytest.raises(UnknownStepError, match="« ZZ-99 »"), session_scope(seeded.engine) as s:
        set_step_status(s, "ZZ-99", "fait", user="x")


def test_stale_version_is_refused_with_current_state(seeded):
    # Two leads open the form on DO-05 at version 1; the first saves, then the second.
    _set(seeded, "DO-05", "en cours", T(2023, 3, 21, 14, 5), user="Agnès", expected_version=1)
    with pytest.raises(StepConflictError) as info:
        _set(seeded, "DO-05", "bloqué", T(2023, 3, 21, 14, 7), user="Bruno", expected_version=1)
    error = info.value
    assert error.current.status == "en_cours" and error.current.version == 2
    assert str(error) == (
        "L'étape DO-05 a été modifiée par Agnès le 21 mars 2023 à 14:05 pendant votre saisie : "
        "son statut est maintenant « en cours ». Votre modification n'a pas été enregistrée ; "
        "votre saisie est conservée, l'état actuel est affiché à côté."
    )
    # Nothing of the refused edit was written: one history row only.
    assert [h.changed_by for h in step_history(seeded.engine, "DO-05")] == ["Agnès"]


def test_two_open_transactions_cannot_both_win(seeded):
    """Both sessions read version 1 before either writes; the second UPDATE matches no row."""
    first = Session(seeded.engine)
    second = Session(seeded.engine)
    try:
        seen_first = get_step(first, "DO-06").version
        seen_second = get_step(second, "DO-06").version
        set_step_status(first, "DO-06", "fait", user="A", expected_version=seen_first)
        first.commit()
        with pytest.raises(StepConflictError) as info:
            set_step_status(second, "DO-06", "abandonné", user="B", expected_version=seen_second)
        second.rollback()
        assert info.value.current.status == "fait"
    finally:
        first.close()
        second.close()
    with session_scope(seeded.engine) as session:
        assert get_step(session, "DO-06").status == "fait"


def test_roadmap_at_a_past_date(seeded):
    _set(seeded, "DO-01", "en cours", T(2023, 3, 1, 9, 0))
    _set(seeded, "DO-01", "fait", T(2023, 4, 12, 9, 0))
    _set(seeded, "DO-02", "en cours", T(2023, 4, 20, 9, 0))
    _set(seeded, "ME-05", "abandonné", T(2023, 5, 2, 9, 0))

    def state(day):
        return {s.step_id: s.status for s in steps_at(seeded.engine, day)}

    # 28 Feb: nothing had changed yet; each step had the « old » status of its first change.
    assert {state(dt.date(2023, 2, 28))[k] for k in ("DO-01", "DO-02", "ME-05")} == {"a_faire"}
    # 1 Apr: DO-01 in progress since 1 Mar; DO-02 still to do.
    april = state(dt.date(2023, 4, 1))
    assert (april["DO-01"], april["DO-02"], april["ME-05"]) == ("en_cours", "a_faire", "a_faire")
    # 12 Apr (end of day): DO-01 done that very day.
    assert state(dt.date(2023, 4, 12))["DO-01"] == "fait"
    done = {s.step_id: s.done_date for s in steps_at(seeded.engine, dt.date(2023, 4, 12))}
    assert done["DO-01"] == dt.date(2023, 4, 12)
    # A step never changed has its current status at any date.
    assert state(dt.date(2023, 1, 1))["AC-01"] == "a_faire"


def test_what_moved_between_two_committees(seeded):
    _set(seeded, "DO-01", "en cours", T(2023, 3, 1, 9, 0))
    _set(seeded, "DO-01", "fait", T(2023, 4, 12, 9, 0))
    _set(seeded, "DO-02", "en cours", T(2023, 4, 20, 9, 0), user="Chloé")
    _set(seeded, "DO-07", "en cours", T(2023, 4, 3, 9, 0))
    _set(seeded, "DO-07", "a_faire", T(2023, 4, 25, 9, 0))  # back where it was: no net move
    moved = changes_between(seeded.engine, dt.date(2023, 3, 31), dt.date(2023, 4, 30))
    assert [(c.step_id, c.status_before, c.status_after) for c in moved] == [
        ("DO-01", "en_cours", "fait"),
        ("DO-02", "a_faire", "en_cours"),
    ]
    assert moved[1].last_changed_by == "Chloé"
    with pytest.raises(RoadmapValueError, match="Période invalide"):
        changes_between(seeded.engine, dt.date(2023, 5, 1), dt.date(2023, 4, 1))


def test_step_ids_are_case_blind(seeded):
    step = _set(seeded, " do-06 ", "en cours", T(2023, 4, 1, 9, 0))
    assert step.step_id == "DO-06"
    assert [h.step_id for h in step_history(seeded.engine, "DO-06")] == ["DO-06"]


def test_a_repeated_submission_writes_one_history_row(seeded):
    """A double click sends the same change twice, the second with the version the form
    showed: it is the change already saved, not a conflict and not a second row."""
    _set(seeded, "DO-06", "bloqué", T(2023, 4, 1, 9, 0), user="Bruno", comment="Attente CNAF")
    step = _set(
        seeded,
        "DO-06",
        "bloqué",
        T(2023, 4, 1, 9, 0, 2),
        user="Bruno",
        comment="Attente CNAF",
        expected_version=1,
    )
    assert step.version == 2
    assert len(step_history(seeded.engine, "DO-06")) == 1
    # Someone else sending the same thing from a stale form still gets the conflict.
    with pytest.raises(StepConflictError):
        _set(
            seeded,
            "DO-06",
            "bloqué",
            T(2023, 4, 1, 9, 1),
            user="Agnès",
            comment="Attente CNAF",
            expected_version=1,
        )


def test_done_date_in_the_future_is_refused(seeded):
    with pytest.raises(RoadmapValueError, match="Date de réalisation dans le futur"):
        _set(seeded, "DO-06", "fait", T(2023, 4, 1, 9, 0), done_date=dt.date(2023, 4, 2))
