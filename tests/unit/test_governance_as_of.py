"""Decisions and actions read as they stood on the as-of date (both engines): a deck rebuilt
later for a past committee lists neither what was recorded after it nor, as closed, what was
still open then."""

from __future__ import annotations

import datetime as dt
import io

from pptx import Presentation

from charts.deck import build_deck
from data_access.db import session_scope
from data_access.demo import generate_demo
from data_access.governance import (
    add_action,
    create_meeting,
    list_actions,
    open_actions,
    set_action_status,
)
from metrics.committee import gather_committee

D = dt.date
JUNE_COMMITTEE = D(2024, 6, 28)
AS_OF = D(2024, 6, 30)


def _governance(db) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with session_scope(db.engine) as s:
        june = create_meeting(s, "comite_de_suivi", JUNE_COMMITTEE, "Comité de suivi n° 9")
        later = create_meeting(s, "comite_de_suivi", D(2026, 11, 20), "Comité de suivi n° 23")
        ids = {
            "decision": add_action(
                s, "Valider le calendrier", kind="decision", meeting_id=june, status="faite",
                created_on=JUNE_COMMITTEE, closed_on=JUNE_COMMITTEE,
            ),
            "closed_after": add_action(
                s, "Relancer les partenaires", meeting_id=june, due_date=D(2024, 7, 10),
                status="faite", created_on=JUNE_COMMITTEE, closed_on=D(2024, 7, 8),
            ),
            "closed_before": add_action(
                s, "Préparer le comité", meeting_id=june, due_date=D(2024, 6, 20),
                status="faite", created_on=D(2024, 6, 1), closed_on=D(2024, 6, 15),
            ),
            "recorded_later": add_action(
                s, "Former les agents", meeting_id=later, due_date=D(2026, 12, 4),
                created_on=D(2026, 11, 20),
            ),
        }  # fmt: skip
    return ids


def test_open_actions_as_of_a_past_date(db) -> None:
    ids = _governance(db)
    then = open_actions(db.engine, AS_OF)
    assert [a.id for a in then] == [ids["closed_after"]]
    assert then[0].status == "ouverte"  # done on 8 July: still open on 30 June
    assert [a.id for a in open_actions(db.engine, D(2026, 12, 1))] == [ids["recorded_later"]]
    decisions = list_actions(db.engine, kind="decision", as_of=D(2024, 6, 27))
    assert decisions == []
    assert [a.id for a in list_actions(db.engine, kind="decision", as_of=AS_OF)] == [
        ids["decision"]
    ]


def test_closing_an_action_records_the_day(db) -> None:
    ids = _governance(db)
    with session_scope(db.engine) as s:
        set_action_status(s, ids["recorded_later"], "faite", now=dt.datetime(2026, 12, 2, 10))
    assert open_actions(db.engine, D(2026, 12, 1))[0].id == ids["recorded_later"]
    assert open_actions(db.engine, D(2026, 12, 2)) == []
    with session_scope(db.engine) as s:
        set_action_status(s, ids["recorded_later"], "en_cours")
    assert [a.closed_on for a in open_actions(db.engine)] == [None]


def test_deck_of_the_june_2024_committee_rebuilt_later_lists_only_what_was_known(db) -> None:
    # The demo is built as of the end of 2024: it holds actions recorded in the autumn.
    generate_demo(db.engine, db.settings, as_of=D(2024, 12, 31))
    data = gather_committee(
        db.engine, db.settings, AS_OF, period_from=D(2024, 6, 1), period_to=AS_OF
    )
    assert data.actions, "the June committee had open actions"
    recorded = {a.id: a for a in list_actions(db.engine)}
    for action in [*data.actions, *data.decisions]:
        assert (recorded[action.id].created_on or D.min) <= AS_OF
    assert all(a.due_date is None or a.due_date <= D(2024, 8, 15) for a in data.actions)
    prs = Presentation(io.BytesIO(build_deck(data)))
    texts = " ".join(
        shape.text_frame.text
        for slide in prs.slides
        if slide.shapes.title is not None
        and slide.shapes.title.text.startswith("Décisions et actions ouvertes")
        for shape in slide.shapes
        if shape.has_text_frame
    ) + " ".join(
        cell.text
        for slide in prs.slides
        if slide.shapes.title is not None
        and slide.shapes.title.text.startswith("Décisions et actions ouvertes")
        for shape in slide.shapes
        if shape.has_table
        for row in shape.table.rows
        for cell in row.cells
    )
    assert "2025" not in texts and "décembre 2024" not in texts
