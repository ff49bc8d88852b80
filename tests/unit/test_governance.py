"""Meetings, decisions and actions of the shared governance."""

from __future__ import annotations

import datetime as dt

import pytest

from data_access.db import session_scope
from data_access.governance import (
    UnknownMeetingError,
    add_action,
    create_meeting,
    last_meeting,
    list_actions,
    list_meetings,
    open_actions,
    set_action_status,
)
from data_access.roadmap import RoadmapValueError
from data_access.roadmap_seed import load_seed_roadmap

D = dt.date


def test_meetings_decisions_and_open_actions(db):
    with session_scope(db.engine) as s:
        load_seed_roadmap(s, db.settings)
        committee = create_meeting(
            s,
            "comite_de_suivi",
            D(2023, 4, 14),
            "Comité de suivi n° 2",
            ["Etat", "CD", "Pôle emploi", "ARS"],
        )
        weekly = create_meeting(
            s, "point_hebdomadaire", D(2023, 4, 21), "Point hebdo", "CD|PE|État"
        )
        add_action(s, "Ouvrir la PMSMP aux SIAE", kind="decision", meeting_id=committee)
        first = add_action(
            s,
            "Envoyer la segmentation du stock",
            meeting_id=committee,
            owner="CD",
            due_date=D(2023, 5, 15),
            step_id="DO-11",
        )
        add_action(
            s,
            "Caler l'atelier entreprises",
            meeting_id=weekly,
            owner="Etat",
            due_date=D(2023, 5, 5),
        )
        add_action(s, "Former les agents", meeting_id=weekly, owner="pe")
    meetings = list_meetings(db.engine)
    assert [m.kind_label for m in meetings] == ["Point hebdomadaire", "Comité de suivi"]
    assert meetings[1].institutions == ("État", "CD", "France Travail", "ARS")
    assert list_meetings(db.engine, start=D(2023, 4, 15)) == meetings[:1]
    previous = last_meeting(db.engine, "comite_de_suivi", before=D(2023, 6, 1))
    assert previous is not None and previous.date == D(2023, 4, 14)
    assert last_meeting(db.engine, "comite_de_suivi", before=D(2023, 4, 14)) is None

    actions = open_actions(db.engine)
    # Decisions are not work to do; dated actions first, by due date.
    assert [(a.text, a.owner) for a in actions] == [
        ("Caler l'atelier entreprises", "État"),
        ("Envoyer la segmentation du stock", "CD"),
        ("Former les agents", "France Travail"),
    ]
    assert actions[0].is_late(D(2023, 5, 6)) and not actions[0].is_late(D(2023, 5, 5))
    assert actions[1].meeting_date == D(2023, 4, 14) and actions[1].step_id == "DO-11"

    with session_scope(db.engine) as s:
        set_action_status(s, first, "faite")
    assert len(open_actions(db.engine)) == 2
    assert len(list_actions(db.engine, meeting_id=committee)) == 2


def test_bad_values_are_french_errors(db):
    with (
        pytest.raises(RoadmapValueError, match="Type de réunion inconnu « apero »"),
        session_scope(db.engine) as s,
    ):
        create_meeting(s, "apero", D(2023, 1, 1), "x")
    with (
        pytest.raises(UnknownMeetingError, match="Réunion inconnue : n° 999"),
        session_scope(db.engine) as s,
    ):
        add_action(s, "x", meeting_id=999)
    with (
        pytest.raises(RoadmapValueError, match="Partenaire inconnu « Mairie »"),
        session_scope(db.engine) as s,
    ):
        add_action(s, "x", owner="Mairie")
    with pytest.raises(UnknownMeetingError, match="Action inconnue"), session_scope(db.engine) as s:
        set_action_status(s, 12345, "faite")
    assert list_meetings(db.engine) == [] and list_actions(db.engine) == []
