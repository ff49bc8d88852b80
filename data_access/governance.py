"""Meetings of the shared governance, and the decisions and actions they produce.

The roadmap lives through two rhythms: the weekly progress point (CD, PE, État, now and then
CAF, ARS, MSA) and the local follow-up committee every two months, plus working groups. Each
meeting records who attended and what was decided or assigned (owner party, due date, status);
the weekly and committee pages list the open actions so nothing agreed is forgotten.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from data_access.db import session_scope
from data_access.exceptions import DataAccessError
from data_access.roadmap import RoadmapValueError, parse_party
from data_access.schema import (
    ACTION_KINDS,
    ACTION_STATUSES,
    MEETING_KINDS,
    Meeting,
    MeetingAction,
    RoadmapStep,
)

MEETING_KIND_LABELS: dict[str, str] = {
    "point_hebdomadaire": "Point hebdomadaire",
    "comite_de_suivi": "Comité de suivi",
    "groupe_de_travail": "Groupe de travail",
}
ACTION_KIND_LABELS: dict[str, str] = {"decision": "Décision", "action": "Action"}
ACTION_STATUS_LABELS: dict[str, str] = {
    "ouverte": "ouverte",
    "en_cours": "en cours",
    "faite": "faite",
    "abandonnee": "abandonnée",
}
OPEN_ACTION_STATUSES = ("ouverte", "en_cours")


class UnknownMeetingError(DataAccessError):
    """No meeting or action has this identifier."""


@dataclass(frozen=True)
class MeetingView:
    """A meeting as pages show it."""

    id: int
    kind: str
    date: dt.date
    title: str
    institutions: tuple[str, ...]
    notes: str | None

    @property
    def kind_label(self) -> str:
        """« Comité de suivi »…"""
        return MEETING_KIND_LABELS[self.kind]


@dataclass(frozen=True)
class ActionView:
    """A decision or an action, with the meeting it came from."""

    id: int
    meeting_id: int | None
    meeting_date: dt.date | None
    meeting_kind: str | None
    kind: str
    text: str
    owner: str | None
    due_date: dt.date | None
    status: str
    step_id: str | None
    created_on: dt.date | None = None
    closed_on: dt.date | None = None

    def is_late(self, as_of: dt.date) -> bool:
        """Open and due before ``as_of``."""
        return (
            self.status in OPEN_ACTION_STATUSES
            and self.due_date is not None
            and self.due_date < as_of
        )

    def recorded_by(self, as_of: dt.date) -> bool:
        """Known on ``as_of``: recorded that day or before (rows without a recording date
        count from their meeting's date, or always when they have neither)."""
        known_from = self.created_on or self.meeting_date
        return known_from is None or known_from <= as_of

    def as_at(self, as_of: dt.date) -> ActionView:
        """The row as it stood on ``as_of``: closed after that date, it was still open then
        (« ouverte »: whether work had started is not recorded)."""
        if self.status in OPEN_ACTION_STATUSES or not self.is_open_at(as_of):
            return self
        return replace(self, status="ouverte", closed_on=None)

    def is_open_at(self, as_of: dt.date) -> bool:
        """Recorded and still open on ``as_of``: open now, or closed only after that date."""
        if not self.recorded_by(as_of):
            return False
        if self.status in OPEN_ACTION_STATUSES:
            return True
        return self.closed_on is not None and self.closed_on > as_of


def _check(value: str, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed:
        raise RoadmapValueError(f"{what} inconnu « {value} » : attendu {', '.join(allowed)}.")
    return value


def parse_institutions(names: list[str] | tuple[str, ...] | str) -> tuple[str, ...]:
    """Institutions present: known parties in canonical form, others (ARS…) as written."""
    items = names.split("|") if isinstance(names, str) else list(names)
    result: list[str] = []
    for item in items:
        if not item.strip():
            continue
        try:
            name = parse_party(item)
        except RoadmapValueError:
            name = item.strip()
        if name not in result:
            result.append(name)
    return tuple(result)


def create_meeting(
    session: Session,
    kind: str,
    date: dt.date,
    title: str,
    institutions: list[str] | tuple[str, ...] | str = (),
    notes: str | None = None,
) -> int:
    """Record a meeting; returns its id."""
    _check(kind, MEETING_KINDS, "Type de réunion")
    if not title.strip():
        raise RoadmapValueError("Le titre de la réunion est vide.")
    meeting = Meeting(
        kind=kind,
        date=date,
        title=title.strip(),
        institutions="|".join(parse_institutions(institutions)),
        notes=notes.strip() if notes and notes.strip() else None,
    )
    session.add(meeting)
    session.flush()
    return meeting.id


def add_action(
    session: Session,
    text: str,
    *,
    kind: str = "action",
    meeting_id: int | None = None,
    owner: str | None = None,
    due_date: dt.date | None = None,
    status: str = "ouverte",
    step_id: str | None = None,
    created_on: dt.date | None = None,
    closed_on: dt.date | None = None,
) -> int:
    """Record a decision or an action (owner party, due date, status); returns its id.

    ``created_on`` (by default its meeting's date, or today without a meeting) and, for a
    closed row, ``closed_on`` (today by default) let pages and decks read the row as it stood
    on an earlier date."""
    _check(kind, ACTION_KINDS, "Type")
    _check(status, ACTION_STATUSES, "Statut d'action")
    if not text.strip():
        raise RoadmapValueError("Le texte de la décision ou de l'action est vide.")
    meeting = session.get(Meeting, meeting_id) if meeting_id is not None else None
    if meeting_id is not None and meeting is None:
        raise UnknownMeetingError(f"Réunion inconnue : n° {meeting_id}.")
    today = dt.date.today()
    if created_on is None:  # agreed at its meeting: known from that day
        created_on = min(meeting.date, today) if meeting is not None else today
    if step_id is not None and session.get(RoadmapStep, step_id) is None:
        raise RoadmapValueError(f"Étape de feuille de route inconnue : « {step_id} ».")
    action = MeetingAction(
        meeting_id=meeting_id,
        kind=kind,
        text=text.strip(),
        owner=parse_party(owner) if owner and owner.strip() else None,
        due_date=due_date,
        status=status,
        step_id=step_id,
        created_on=created_on,
        closed_on=None if status in OPEN_ACTION_STATUSES else closed_on or today,
    )
    session.add(action)
    session.flush()
    return action.id


def set_action_status(
    session: Session, action_id: int, status: str, on: dt.date | None = None
) -> None:
    """Move an action to another status (ouverte, en cours, faite, abandonnée); closing it
    records the day (``on``, today by default), reopening it clears that day."""
    _check(status, ACTION_STATUSES, "Statut d'action")
    closed_on = None if status in OPEN_ACTION_STATUSES else on or dt.date.today()
    result = session.execute(
        update(MeetingAction)
        .where(MeetingAction.id == action_id)
        .values(status=status, closed_on=closed_on)
    )
    if result.rowcount != 1:
        raise UnknownMeetingError(f"Action inconnue : n° {action_id}.")


def list_meetings(
    engine: Engine, start: dt.date | None = None, end: dt.date | None = None
) -> list[MeetingView]:
    """Meetings between two dates (both included), most recent first."""
    query = select(Meeting).order_by(Meeting.date.desc(), Meeting.id.desc())
    if start is not None:
        query = query.where(Meeting.date >= start)
    if end is not None:
        query = query.where(Meeting.date <= end)
    with Session(engine) as session:
        return [
            MeetingView(
                id=m.id,
                kind=m.kind,
                date=m.date,
                title=m.title,
                institutions=tuple(i for i in m.institutions.split("|") if i),
                notes=m.notes,
            )
            for m in session.scalars(query).all()
        ]


def last_meeting(engine: Engine, kind: str, before: dt.date) -> MeetingView | None:
    """The latest meeting of a kind strictly before a date (e.g. the previous committee)."""
    _check(kind, MEETING_KINDS, "Type de réunion")
    query = (
        select(Meeting)
        .where(Meeting.kind == kind, Meeting.date < before)
        .order_by(Meeting.date.desc(), Meeting.id.desc())
        .limit(1)
    )
    with Session(engine) as session:
        m = session.scalars(query).first()
        if m is None:
            return None
        return MeetingView(
            id=m.id,
            kind=m.kind,
            date=m.date,
            title=m.title,
            institutions=tuple(i for i in m.institutions.split("|") if i),
            notes=m.notes,
        )


def list_actions(
    engine: Engine,
    *,
    meeting_id: int | None = None,
    open_only: bool = False,
    kind: str | None = None,
    as_of: dt.date | None = None,
) -> list[ActionView]:
    """Decisions and actions, by due date (undated last) then id; with ``as_of``, only the
    rows recorded by that date, and ``open_only`` means open on that date."""
    query = select(MeetingAction, Meeting.date, Meeting.kind).outerjoin(
        Meeting, Meeting.id == MeetingAction.meeting_id
    )
    if meeting_id is not None:
        query = query.where(MeetingAction.meeting_id == meeting_id)
    if open_only and as_of is None:
        query = query.where(MeetingAction.status.in_(OPEN_ACTION_STATUSES))
    if kind is not None:
        query = query.where(MeetingAction.kind == _check(kind, ACTION_KINDS, "Type"))
    query = query.order_by(
        MeetingAction.due_date.is_(None), MeetingAction.due_date, MeetingAction.id
    )
    with Session(engine) as session:
        views = [
            ActionView(
                id=a.id,
                meeting_id=a.meeting_id,
                meeting_date=meeting_date,
                meeting_kind=meeting_kind,
                kind=a.kind,
                text=a.text,
                owner=a.owner,
                due_date=a.due_date,
                status=a.status,
                step_id=a.step_id,
                created_on=a.created_on,
                closed_on=a.closed_on,
            )
            for a, meeting_date, meeting_kind in session.execute(query).all()
        ]
    if as_of is None:
        return views
    kept = [v for v in views if (v.is_open_at(as_of) if open_only else v.recorded_by(as_of))]
    return [v.as_at(as_of) for v in kept]


def open_actions(engine: Engine, as_of: dt.date | None = None) -> list[ActionView]:
    """Actions still open or in progress (decisions are records, not work to do), now or,
    with ``as_of``, on that date."""
    return list_actions(engine, open_only=True, kind="action", as_of=as_of)


def record_meeting(
    engine: Engine,
    kind: str,
    date: dt.date,
    title: str,
    institutions: list[str] | tuple[str, ...] | str = (),
    notes: str | None = None,
) -> int:
    """``create_meeting`` in its own transaction (the form of the « Instances » page)."""
    with session_scope(engine) as session:
        return create_meeting(session, kind, date, title, institutions, notes)


def record_action(engine: Engine, text: str, **fields: object) -> int:
    """``add_action`` in its own transaction (the form of the « Instances » page)."""
    with session_scope(engine) as session:
        return add_action(session, text, **fields)  # type: ignore[arg-type]


def change_action_status(engine: Engine, action_id: int, status: str) -> None:
    """``set_action_status`` in its own transaction."""
    with session_scope(engine) as session:
        set_action_status(session, action_id, status)
