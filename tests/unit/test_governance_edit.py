"""Editing, reopening and deleting meetings and actions, with their history and conflicts;
« since the last weekly point »; the e-mail exports. Hand-built data, both engines."""

from __future__ import annotations

import datetime as dt

import pytest

from charts.weekly_export import email_summary, late_items_csv
from data_access.db import session_scope
from data_access.governance import (
    GovernanceConflictError,
    action_history,
    actions_to_close,
    add_action,
    create_meeting,
    delete_action,
    delete_meeting,
    list_actions,
    list_meetings,
    read_action,
    set_action_status,
    update_action,
    update_meeting,
)
from data_access.institutions import institutions_for, read_institutions
from data_access.roadmap import RoadmapValueError, parse_party, set_step_status, steps_at
from data_access.roadmap_seed import load_seed_roadmap
from data_access.weekly_point import since_last_weekly_point

D, T = dt.date, dt.datetime


@pytest.fixture
def seeded(db):
    with session_scope(db.engine) as s:
        load_seed_roadmap(s, db.settings)
    return db


def _fields(view, **changes):
    fields = {
        "text": view.text,
        "kind": view.kind,
        "meeting_id": view.meeting_id,
        "owner": view.owner,
        "owner_person": view.owner_person,
        "due_date": view.due_date,
        "status": view.status,
        "step_id": view.step_id,
    }
    return {**fields, **changes}


def test_france_travail_and_more_institutions():
    assert parse_party("PE") == "France Travail"
    assert parse_party("Pôle emploi") == "France Travail"
    assert parse_party("ddets") == "DDETS"
    assert parse_party("ARS") == "ARS"
    assert parse_party("Préfecture") == "État"
    with pytest.raises(RoadmapValueError, match="Partenaire inconnu « Mairie »"):
        parse_party("Mairie")


def test_institutions_configurable_per_departement(tmp_path):
    path = tmp_path / "institutions.csv"
    path.write_text("nom,libelle,alias\nCD,Département,cd31\nPLIE,PLIE du Grand Toulouse,\n")
    reference = read_institutions(path)
    assert parse_party("cd31", reference) == "CD" and parse_party("plie", reference) == "PLIE"
    with pytest.raises(RoadmapValueError, match="Partenaire inconnu « ARS » : attendu CD, PLIE"):
        parse_party("ARS", reference)

    class Configured:
        institutions_file = path

    assert institutions_for(Configured()) == reference


def test_edit_every_field_reopen_and_history(seeded):
    with session_scope(seeded.engine) as s:
        meeting = create_meeting(s, "point_hebdomadaire", D(2023, 5, 5), "Point", "CD|PE")
        other = create_meeting(s, "comite_de_suivi", D(2023, 5, 12), "Comité", "CD")
        action = add_action(
            s,
            "Relancer la CAF",
            meeting_id=meeting,
            owner="CD",
            user="Agnès",
            now=T(2023, 5, 5, 18, 0),
        )
    first = read_action(seeded.engine, action)
    assert (first.status, first.version, first.owner_label) == ("ouverte", 1, "CD")
    with session_scope(seeded.engine) as s:
        update_action(
            s,
            action,
            user="Bruno",
            expected_version=1,
            now=T(2023, 5, 9, 10, 0),
            **_fields(
                first,
                text="Relancer la CAF et la MSA",
                owner="France Travail",
                owner_person="Marie Durand",
                due_date=D(2023, 5, 19),
                status="en_cours",
                step_id="do-03",
                meeting_id=other,
            ),
        )
    edited = read_action(seeded.engine, action)
    assert (edited.text, edited.owner_label, edited.due_date, edited.status) == (
        "Relancer la CAF et la MSA",
        "France Travail — Marie Durand",
        D(2023, 5, 19),
        "en_cours",
    )
    assert (edited.step_id, edited.meeting_id, edited.version) == ("DO-03", other, 2)
    # The same values again (a second click) write nothing.
    with session_scope(seeded.engine) as s:
        update_action(s, action, user="Bruno", expected_version=1, **_fields(edited))
    assert read_action(seeded.engine, action).version == 2
    # Done, then reopened.
    with session_scope(seeded.engine) as s:
        set_action_status(s, action, "faite", user="Bruno", expected_version=2)
    with session_scope(seeded.engine) as s:
        set_action_status(s, action, "en_cours", user="Agnès", expected_version=3)
    assert read_action(seeded.engine, action).status == "en_cours"
    history = action_history(seeded.engine, action)
    assert [(h.operation, h.changed_by) for h in history] == [
        ("create", "Agnès"),
        ("update", "Bruno"),
        ("update", "Bruno"),
        ("update", "Agnès"),
    ]
    assert (history[1].before["owner"], history[1].after["owner"]) == ("CD", "France Travail")
    assert [h.after["status"] for h in history[2:]] == ["faite", "en_cours"]


def test_stale_action_form_is_refused_with_current_state(seeded):
    with session_scope(seeded.engine) as s:
        action = add_action(s, "Écrire la convention", owner="CD", user="Agnès")
    seen = read_action(seeded.engine, action)
    with session_scope(seeded.engine) as s:
        set_action_status(s, action, "en_cours", user="Agnès", expected_version=1)
    with (
        pytest.raises(GovernanceConflictError, match="modifiée par Agnès") as info,
        session_scope(seeded.engine) as s,
    ):
        update_action(s, action, user="Bruno", expected_version=1, **_fields(seen, status="faite"))
    assert info.value.current.status == "en_cours" and info.value.current.version == 2
    # Saving again on purpose, against the version now shown, goes through.
    with session_scope(seeded.engine) as s:
        update_action(s, action, user="Bruno", expected_version=2, **_fields(seen, status="faite"))
    assert read_action(seeded.engine, action).status == "faite"


def test_delete_is_kept_in_history_and_meetings_complete(seeded):
    with session_scope(seeded.engine) as s:
        planned = create_meeting(s, "comite_de_suivi", D(2023, 6, 30), "Comité n° 3")
        action = add_action(s, "Préparer le support", meeting_id=planned, user="Agnès")
    with (
        pytest.raises(RoadmapValueError, match="a encore 1 décision"),
        session_scope(seeded.engine) as s,
    ):
        delete_meeting(s, planned, user="Agnès")
    with session_scope(seeded.engine) as s:
        delete_action(s, action, user="Bruno", expected_version=1)
    assert list_actions(seeded.engine) == []
    (_, deleted) = action_history(seeded.engine, action)
    assert (deleted.operation, deleted.changed_by, deleted.after) == ("delete", "Bruno", None)
    assert deleted.before["text"] == "Préparer le support"
    # The planned meeting is completed: attendance and notes added, same meeting.
    with session_scope(seeded.engine) as s:
        update_meeting(
            s,
            planned,
            user="Agnès",
            expected_version=1,
            kind="comite_de_suivi",
            date=D(2023, 6, 30),
            title="Comité n° 3",
            institutions=["CD", "ARS"],
            notes="Relevé de décisions",
        )
    (meeting,) = list_meetings(seeded.engine)
    assert (meeting.institutions, meeting.notes, meeting.version) == (
        ("CD", "ARS"),
        "Relevé de décisions",
        2,
    )
    with session_scope(seeded.engine) as s:
        delete_meeting(s, planned, user="Agnès", expected_version=2)
    assert list_meetings(seeded.engine) == []


def test_decisions_default_to_done_and_double_submissions_write_once(seeded):
    with session_scope(seeded.engine) as s:
        meeting = create_meeting(s, "comite_de_suivi", D(2023, 4, 14), "Comité")
        again = create_meeting(s, "comite_de_suivi", D(2023, 4, 14), "Comité ")
        decision = add_action(s, "Ouvrir la PMSMP", kind="decision", meeting_id=meeting)
        twice = add_action(s, "Ouvrir la PMSMP", kind="decision", meeting_id=meeting)
    assert again == meeting and twice == decision
    assert [a.status for a in list_actions(seeded.engine)] == ["faite"]


def test_actions_of_a_done_step_are_proposed_for_closing(seeded):
    with session_scope(seeded.engine) as s:
        add_action(s, "Relancer l'étape AC-05", owner="CD", step_id="AC-05")
        add_action(s, "Autre action", owner="CD", step_id="AC-06")
    assert actions_to_close(seeded.engine) == []
    with session_scope(seeded.engine) as s:
        set_step_status(s, "ac-05", "fait", user="Agnès")
    assert [a.text for a in actions_to_close(seeded.engine)] == ["Relancer l'étape AC-05"]


def test_since_last_weekly_point(seeded):
    with session_scope(seeded.engine) as s:
        create_meeting(s, "point_hebdomadaire", D(2023, 5, 5), "Point du 5 mai")
        friday = create_meeting(s, "point_hebdomadaire", D(2023, 5, 12), "Point du 12 mai")
        committee = create_meeting(s, "comite_de_suivi", D(2023, 5, 10), "Comité")
        add_action(s, "Décision du comité", kind="decision", meeting_id=committee)
        add_action(s, "Vieille décision", kind="decision", meeting_id=None, now=T(2023, 5, 1, 9, 0))
        old = add_action(s, "Ancienne", owner="CD", due_date=D(2023, 5, 8), now=T(2023, 5, 2, 9, 0))
        late = add_action(
            s, "En retard", owner="CD", due_date=D(2023, 5, 10), now=T(2023, 5, 3, 9, 0)
        )
        new = add_action(s, "Nouvelle", meeting_id=friday, owner="CD", now=T(2023, 5, 8, 9, 0))
        set_action_status(s, old, "faite", user="Agnès", now=T(2023, 5, 9, 9, 0))
        set_step_status(s, "DO-03", "en cours", user="Agnès", now=T(2023, 5, 9, 11, 0))
        set_step_status(s, "DO-04", "en cours", user="Agnès", now=T(2023, 5, 4, 11, 0))
    digest = since_last_weekly_point(seeded.engine, D(2023, 5, 12))
    assert (digest.since, digest.last_weekly_point) == (D(2023, 5, 5), D(2023, 5, 5))
    assert [c.step_id for c in digest.steps_moved] == ["DO-03"]
    assert [a.text for a in digest.decisions] == ["Décision du comité"]
    assert [a.id for a in digest.actions_created] == [new]
    assert [a.id for a in digest.actions_closed] == [old]
    assert [(a.id, a.days_late(D(2023, 5, 12))) for a in digest.actions_overdue] == [(late, 2)]


def test_email_exports(seeded):
    with session_scope(seeded.engine) as s:
        add_action(
            s,
            "=Relancer",
            owner="CD",
            owner_person="Marie",
            due_date=D(2023, 5, 10),
            step_id="DO-03",
        )
    as_of = D(2023, 5, 12)
    late_steps = [s for s in steps_at(seeded.engine, as_of) if s.step_id == "DO-01"]
    actions = list_actions(seeded.engine)
    text = late_items_csv(late_steps, actions, as_of).decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == "Type;Id;Libellé;Responsable;Échéance;Jours de retard;Statut;Étape liée"
    assert (
        lines[1].startswith("Étape en retard;DO-01;") and ";10/04/2023;32;à faire;DO-01" in lines[1]
    )
    assert lines[2] == "Action ouverte;A-1;'=Relancer;CD — Marie;10/05/2023;2;ouverte;DO-03"
    summary = email_summary("Creuse", as_of, late_steps, actions)
    assert summary.startswith("Point hebdomadaire RSA — Creuse — 12 mai 2023\n")
    assert "- DO-01 " in summary and "en retard de 32 jours, à faire" in summary
    assert (
        "- =Relancer [étape DO-03] (CD — Marie) : échéance 10 mai 2023, en retard de 2 jours"
        in summary
    )
