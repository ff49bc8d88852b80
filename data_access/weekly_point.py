"""What changed since the last weekly point: steps moved, decisions, actions created, closed
and overdue.

The weekly point opens on this list: the project leads review what moved since they last met
instead of re-reading the whole roadmap. The window runs from the end of the last weekly
point's day (strictly before the as-of date) to the end of the as-of date; without an earlier
weekly point it is the last 7 days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine

from data_access.governance import (
    CLOSED_ACTION_STATUSES,
    OPEN_ACTION_STATUSES,
    ActionView,
    governance_changes,
    last_meeting,
    list_actions,
)
from data_access.roadmap import StepChange, changes_between

DEFAULT_WINDOW_DAYS = 7


@dataclass(frozen=True)
class WeeklyDigest:
    """Everything that moved in ``(since, until]``."""

    since: dt.date
    until: dt.date
    last_weekly_point: dt.date | None
    steps_moved: list[StepChange]
    decisions: list[ActionView]
    actions_created: list[ActionView]
    actions_closed: list[ActionView]
    actions_overdue: list[ActionView]


def _end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.max)


def since_last_weekly_point(engine: Engine, as_of: dt.date) -> WeeklyDigest:
    """Steps moved, decisions taken, actions created and closed since the last weekly point
    before ``as_of``, and the actions overdue at ``as_of`` (most days late first)."""
    last = last_meeting(engine, "point_hebdomadaire", before=as_of)
    since = last.date if last else as_of - dt.timedelta(days=DEFAULT_WINDOW_DAYS)
    changes = governance_changes(engine, _end_of(since), _end_of(as_of), "action")
    actions = {a.id: a for a in list_actions(engine)}
    created = {c.entity_id for c in changes if c.operation == "create"}
    closed = {
        c.entity_id
        for c in changes
        if c.operation == "update"
        and (c.before or {}).get("status") in OPEN_ACTION_STATUSES
        and (c.after or {}).get("status") in CLOSED_ACTION_STATUSES
    }
    decisions = [
        a
        for a in actions.values()
        if a.kind == "decision"
        and (a.id in created or (a.meeting_date is not None and since < a.meeting_date <= as_of))
    ]
    overdue = sorted(
        (a for a in actions.values() if a.kind == "action" and a.is_late(as_of)),
        key=lambda a: (-a.days_late(as_of), a.id),
    )
    return WeeklyDigest(
        since=since,
        until=as_of,
        last_weekly_point=last.date if last else None,
        steps_moved=changes_between(engine, since, as_of),
        decisions=decisions,
        actions_created=[
            actions[i] for i in sorted(created) if i in actions and actions[i].kind == "action"
        ],
        actions_closed=[
            actions[i]
            for i in sorted(closed)
            if i in actions and actions[i].status in CLOSED_ACTION_STATUSES
        ],
        actions_overdue=overdue,
    )
