"""Meetings of the shared governance, and the decisions and actions they produce.

The roadmap lives through two rhythms: the weekly progress point (CD, France Travail, État,
now and then CAF, ARS, MSA) and the local follow-up committee every two months, plus working
groups. Each meeting records who attended and what was decided or assigned (owner institution
and person, due date, status, linked step); the weekly and committee pages list the open
actions so nothing agreed is forgotten. Every creation, edit and deletion is kept in
``governance_history``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any, cast

from sqlalchemy import CursorResult, Engine, Update, delete, func, insert, select, update
from sqlalchemy.orm import Session

from data_access.db import session_scope
from data_access.exceptions import ConcurrentEditError, DataAccessError
from data_access.institutions import Institution, plain
from data_access.roadmap import CLOSED_STATUSES, RoadmapValueError, get_step, parse_party
from data_access.schema import (
    ACTION_KINDS,
    ACTION_STATUSES,
    MEETING_KINDS,
    GovernanceChange,
    Meeting,
    MeetingAction,
    RoadmapStep,
)
from formatting import format_date, format_datetime

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
CLOSED_ACTION_STATUSES = ("faite", "abandonnee")
# A decision is recorded once taken: it is « faite » unless said otherwise.
DEFAULT_STATUS = {"decision": "faite", "action": "ouverte"}


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
    version: int = 1

    @property
    def kind_label(self) -> str:
        """« Comité de suivi »…"""
        return MEETING_KIND_LABELS[self.kind]

    @property
    def label(self) -> str:
        """« 14 avril 2023 — Comité de suivi n° 2 », for choosers."""
        return f"{format_date(self.date)} — {self.title}"


@dataclass(frozen=True)
class ActionView:
    """A decision or an action, with the meeting it came from and its linked step's status."""

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
    owner_person: str | None = None
    version: int = 1
    step_status: str | None = None
    created_on: dt.date | None = None
    closed_on: dt.date | None = None

    @property
    def is_open(self) -> bool:
        """Still to do (« ouverte » or « en cours »)."""
        return self.status in OPEN_ACTION_STATUSES

    @property
    def owner_label(self) -> str:
        """« CD — Marie Durand », « CD », or « — »."""
        parts = [p for p in (self.owner, self.owner_person) if p]
        return " — ".join(parts) or "—"

    @property
    def status_label(self) -> str:
        """French status (« en cours »)."""
        return ACTION_STATUS_LABELS[self.status]

    def is_late(self, as_of: dt.date) -> bool:
        """Open and due before ``as_of``."""
        return self.is_open and self.due_date is not None and self.due_date < as_of

    def days_late(self, as_of: dt.date) -> int:
        """Days past the due date at ``as_of`` (0 when not late)."""
        return (as_of - self.due_date).days if self.is_late(as_of) and self.due_date else 0

    @property
    def step_closed(self) -> bool:
        """Open while its linked step is done or abandoned: a candidate for closing."""
        return self.is_open and self.step_status in CLOSED_STATUSES

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


@dataclass(frozen=True)
class ChangeEntry:
    """One creation, edit or deletion of a meeting or an action."""

    entity: str
    entity_id: int
    operation: str
    changed_at: dt.datetime
    changed_by: str
    before: dict[str, object] | None
    after: dict[str, object] | None


class GovernanceConflictError(ConcurrentEditError):
    """The meeting or action changed since the form was opened; ``current`` holds it now."""

    def __init__(self, message: str, current: MeetingView | ActionView) -> None:
        super().__init__(message)
        self.current = current


def _check(value: str, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed:
        raise RoadmapValueError(f"{what} inconnu « {value} » : attendu {', '.join(allowed)}.")
    return value


def _clean(text: str | None) -> str | None:
    return text.strip() if text and text.strip() else None


def parse_institutions(
    names: list[str] | tuple[str, ...] | str,
    institutions: tuple[Institution, ...] | None = None,
) -> tuple[str, ...]:
    """Institutions present: known ones under their stored name, others as written."""
    items = names.split("|") if isinstance(names, str) else list(names)
    result: list[str] = []
    for item in items:
        if not item.strip():
            continue
        try:
            name = parse_party(item, institutions)
        except RoadmapValueError:
            name = item.strip()
        if name not in result:
            result.append(name)
    return tuple(result)


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now().replace(microsecond=0)


def _meeting_snapshot(m: Meeting) -> dict[str, object]:
    return {
        "kind": m.kind,
        "date": m.date.isoformat(),
        "title": m.title,
        "institutions": m.institutions,
        "notes": m.notes,
    }


def _action_snapshot(a: MeetingAction) -> dict[str, object]:
    return {
        "meeting_id": a.meeting_id,
        "kind": a.kind,
        "text": a.text,
        "owner": a.owner,
        "owner_person": a.owner_person,
        "due_date": a.due_date.isoformat() if a.due_date else None,
        "status": a.status,
        "step_id": a.step_id,
    }


def _log(
    session: Session,
    entity: str,
    entity_id: int,
    operation: str,
    user: str,
    moment: dt.datetime,
    before: dict[str, object] | None,
    after: dict[str, object] | None,
) -> None:
    session.execute(
        insert(GovernanceChange).values(
            entity=entity,
            entity_id=entity_id,
            operation=operation,
            changed_at=moment,
            changed_by=user,
            before=before,
            after=after,
        )
    )


def _last_change(session: Session, entity: str, entity_id: int) -> ChangeEntry | None:
    row = session.scalars(
        select(GovernanceChange)
        .where(GovernanceChange.entity == entity, GovernanceChange.entity_id == entity_id)
        .order_by(GovernanceChange.changed_at.desc(), GovernanceChange.id.desc())
        .limit(1)
    ).first()
    return _change_view(row) if row is not None else None


def _change_view(row: GovernanceChange) -> ChangeEntry:
    return ChangeEntry(
        entity=row.entity,
        entity_id=row.entity_id,
        operation=row.operation,
        changed_at=row.changed_at,
        changed_by=row.changed_by,
        before=row.before,
        after=row.after,
    )


def _meeting_view(m: Meeting) -> MeetingView:
    return MeetingView(
        id=m.id,
        kind=m.kind,
        date=m.date,
        title=m.title,
        institutions=tuple(i for i in m.institutions.split("|") if i),
        notes=m.notes,
        version=m.version,
    )


def _meeting_row(session: Session, meeting_id: int) -> Meeting:
    row = session.execute(
        select(Meeting).where(Meeting.id == meeting_id).execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if row is None:
        raise UnknownMeetingError(f"Réunion inconnue : n° {meeting_id}.")
    return row


def _updated(session: Session, statement: Update) -> CursorResult[Any]:
    """Run an UPDATE; its rowcount tells whether a concurrent edit got there first (the
    version no longer matched). ``Session.execute`` is typed for any statement, hence the cast."""
    return cast(CursorResult[Any], session.execute(statement))


def _action_row(session: Session, action_id: int) -> MeetingAction:
    row = session.execute(
        select(MeetingAction)
        .where(MeetingAction.id == action_id)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if row is None:
        raise UnknownMeetingError(f"Action inconnue : n° {action_id}.")
    return row


def _conflict_message(what: str, change: ChangeEntry | None) -> str:
    who = change.changed_by if change else "un autre utilisateur"
    when = format_datetime(change.changed_at) if change else "entre-temps"
    verb = "supprimée" if change and change.operation == "delete" else "modifiée"
    return (
        f"{what} a été {verb} par {who} le {when} pendant votre saisie. Votre saisie est "
        "conservée ci-dessous, à côté de l'état actuel : enregistrez-la à nouveau seulement si "
        "elle doit remplacer cet état."
    )


def _meeting_values(
    kind: str,
    title: str,
    institutions: list[str] | tuple[str, ...] | str,
    notes: str | None,
    reference: tuple[Institution, ...] | None,
) -> dict[str, object]:
    _check(kind, MEETING_KINDS, "Type de réunion")
    if not title.strip():
        raise RoadmapValueError("Le titre de la réunion est vide.")
    return {
        "kind": kind,
        "title": title.strip(),
        "institutions": "|".join(parse_institutions(institutions, reference)),
        "notes": _clean(notes),
    }


def create_meeting(
    session: Session,
    kind: str,
    date: dt.date,
    title: str,
    institutions: list[str] | tuple[str, ...] | str = (),
    notes: str | None = None,
    *,
    user: str = "—",
    now: dt.datetime | None = None,
    reference: tuple[Institution, ...] | None = None,
) -> int:
    """Record a meeting; returns its id.

    The same meeting (kind, date, title) sent twice is recorded once: a second click on the
    form's button returns the first one instead of writing a duplicate.
    """
    values = _meeting_values(kind, title, institutions, notes, reference)
    existing = session.scalar(
        select(Meeting.id).where(
            Meeting.kind == kind, Meeting.date == date, Meeting.title == values["title"]
        )
    )
    if existing is not None:
        return existing
    meeting = Meeting(date=date, version=1, **values)
    session.add(meeting)
    session.flush()
    _log(
        session, "meeting", meeting.id, "create", user, _now(now), None, _meeting_snapshot(meeting)
    )
    return meeting.id


def update_meeting(
    session: Session,
    meeting_id: int,
    *,
    user: str,
    expected_version: int | None,
    kind: str,
    date: dt.date,
    title: str,
    institutions: list[str] | tuple[str, ...] | str = (),
    notes: str | None = None,
    now: dt.datetime | None = None,
    reference: tuple[Institution, ...] | None = None,
) -> MeetingView:
    """Edit or complete a meeting (a planned one gets its attendance and notes), guarded by
    the version the user saw; an edit that changes nothing writes nothing."""
    values = _meeting_values(kind, title, institutions, notes, reference)
    row = _meeting_row(session, meeting_id)
    before = _meeting_snapshot(row)
    after = {**values, "date": date.isoformat()}
    after = {key: after[key] for key in before}
    if after == before:
        return _meeting_view(row)
    version = row.version if expected_version is None else expected_version
    result = _updated(
        session,
        update(Meeting)
        .where(Meeting.id == meeting_id, Meeting.version == version)
        .values(date=date, version=Meeting.version + 1, **values)
        .execution_options(synchronize_session=False),
    )
    if result.rowcount != 1:
        current = _meeting_view(_meeting_row(session, meeting_id))
        change = _last_change(session, "meeting", meeting_id)
        raise GovernanceConflictError(
            _conflict_message(f"La réunion « {current.title} »", change), current
        )
    _log(session, "meeting", meeting_id, "update", user, _now(now), before, after)
    return _meeting_view(_meeting_row(session, meeting_id))


def delete_meeting(
    session: Session,
    meeting_id: int,
    *,
    user: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> None:
    """Delete a meeting recorded by mistake; its last state stays in the history.

    A meeting that still has decisions or actions is refused: they would lose where they came
    from. Delete or move them first.
    """
    row = _meeting_row(session, meeting_id)
    if expected_version is not None and row.version != expected_version:
        raise GovernanceConflictError(
            _conflict_message(
                f"La réunion « {row.title} »", _last_change(session, "meeting", meeting_id)
            ),
            _meeting_view(row),
        )
    linked = session.scalar(
        select(func.count())
        .select_from(MeetingAction)
        .where(MeetingAction.meeting_id == meeting_id)
    )
    if linked:
        raise RoadmapValueError(
            f"La réunion « {row.title} » a encore {linked} décision(s) ou action(s) : "
            "supprimez-les ou rattachez-les à une autre réunion d'abord."
        )
    before = _meeting_snapshot(row)
    session.execute(delete(Meeting).where(Meeting.id == meeting_id))
    _log(session, "meeting", meeting_id, "delete", user, _now(now), before, None)


def _action_values(
    session: Session,
    text: str,
    kind: str,
    meeting_id: int | None,
    owner: str | None,
    owner_person: str | None,
    due_date: dt.date | None,
    status: str | None,
    step_id: str | None,
    reference: tuple[Institution, ...] | None,
) -> dict[str, object]:
    _check(kind, ACTION_KINDS, "Type")
    code = status or DEFAULT_STATUS[kind]
    _check(code, ACTION_STATUSES, "Statut d'action")
    if not text.strip():
        raise RoadmapValueError("Le texte de la décision ou de l'action est vide.")
    if meeting_id is not None and session.get(Meeting, meeting_id) is None:
        raise UnknownMeetingError(f"Réunion inconnue : n° {meeting_id}.")
    if step_id is not None and step_id.strip():
        step_id = get_step(session, step_id).step_id
    else:
        step_id = None
    person = _clean(owner_person)
    if person is not None and len(person) > 120:
        raise RoadmapValueError("Le nom de la personne responsable dépasse 120 caractères.")
    return {
        "meeting_id": meeting_id,
        "kind": kind,
        "text": text.strip(),
        "owner": parse_party(owner, reference) if owner and owner.strip() else None,
        "owner_person": person,
        "due_date": due_date,
        "status": code,
        "step_id": step_id,
    }


def add_action(
    session: Session,
    text: str,
    *,
    kind: str = "action",
    meeting_id: int | None = None,
    owner: str | None = None,
    owner_person: str | None = None,
    due_date: dt.date | None = None,
    status: str | None = None,
    step_id: str | None = None,
    created_on: dt.date | None = None,
    closed_on: dt.date | None = None,
    user: str = "—",
    now: dt.datetime | None = None,
    reference: tuple[Institution, ...] | None = None,
) -> int:
    """Record a decision or an action (owner institution and person, due date, status, linked
    step); returns its id. A decision is « faite » and an action « ouverte » unless said.

    The same decision or action sent twice (same meeting, text, owner, due date and step) is
    recorded once: a second click returns the first one. ``created_on`` (by default its
    meeting's date, or the day it is recorded without a meeting) and, for a closed row,
    ``closed_on`` (by default the day it is recorded) let pages and decks read the row as it
    stood on an earlier date.
    """
    values = _action_values(
        session, text, kind, meeting_id, owner, owner_person, due_date, status, step_id, reference
    )
    same = [
        getattr(MeetingAction, key).is_(None)
        if value is None
        else getattr(MeetingAction, key) == value
        for key, value in values.items()
        if key != "status"
    ]
    existing = session.scalar(select(MeetingAction.id).where(*same).limit(1))
    if existing is not None:
        return existing
    today = (now or dt.datetime.now()).date()
    meeting = session.get(Meeting, meeting_id) if meeting_id is not None else None
    if created_on is None:  # agreed at its meeting: known from that day
        created_on = min(meeting.date, today) if meeting is not None else today
    closed = values["status"] not in OPEN_ACTION_STATUSES
    action = MeetingAction(
        version=1,
        created_on=created_on,
        closed_on=(closed_on or today) if closed else None,
        **values,
    )
    session.add(action)
    session.flush()
    _log(session, "action", action.id, "create", user, _now(now), None, _action_snapshot(action))
    return action.id


def update_action(
    session: Session,
    action_id: int,
    *,
    user: str,
    expected_version: int | None,
    text: str,
    kind: str,
    meeting_id: int | None,
    owner: str | None,
    owner_person: str | None,
    due_date: dt.date | None,
    status: str,
    step_id: str | None,
    now: dt.datetime | None = None,
    reference: tuple[Institution, ...] | None = None,
) -> ActionView:
    """Edit every field of a decision or an action (reopening one is setting it back to
    « ouverte » or « en cours »), guarded by the version the user saw; recorded in the history.

    An edit that changes nothing writes nothing, so a second click cannot write twice.
    """
    values = _action_values(
        session, text, kind, meeting_id, owner, owner_person, due_date, status, step_id, reference
    )
    row = _action_row(session, action_id)
    before = _action_snapshot(row)
    after = {
        **values,
        "due_date": due_date.isoformat() if due_date else None,
    }
    after = {key: after[key] for key in before}
    if after == before:
        return read_action_in(session, action_id)
    version = row.version if expected_version is None else expected_version
    result = _updated(
        session,
        update(MeetingAction)
        .where(MeetingAction.id == action_id, MeetingAction.version == version)
        .values(version=MeetingAction.version + 1, closed_on=_closed_on(row, values, now), **values)
        .execution_options(synchronize_session=False),
    )
    if result.rowcount != 1:
        current = read_action_in(session, action_id)
        change = _last_change(session, "action", action_id)
        what = "La décision" if current.kind == "decision" else "L'action"
        raise GovernanceConflictError(_conflict_message(f"{what} n° {action_id}", change), current)
    _log(session, "action", action_id, "update", user, _now(now), before, after)
    return read_action_in(session, action_id)


def set_action_status(
    session: Session,
    action_id: int,
    status: str,
    *,
    user: str = "—",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> ActionView:
    """Move an action to another status (ouverte, en cours, faite, abandonnée), other fields
    unchanged."""
    _check(status, ACTION_STATUSES, "Statut d'action")
    row = _action_row(session, action_id)
    return update_action(
        session,
        action_id,
        user=user,
        expected_version=expected_version,
        text=row.text,
        kind=row.kind,
        meeting_id=row.meeting_id,
        owner=row.owner,
        owner_person=row.owner_person,
        due_date=row.due_date,
        status=status,
        step_id=row.step_id,
        now=now,
        reference=None if row.owner is None else (_stored_owner(row.owner),),
    )


def _closed_on(
    row: MeetingAction, values: dict[str, object], now: dt.datetime | None
) -> dt.date | None:
    """The closing day after an edit: kept while the status stays closed, the edit's day when
    it closes, cleared when it is reopened (so the row reads right as of any date)."""
    if values["status"] in OPEN_ACTION_STATUSES:
        return None
    if row.status not in OPEN_ACTION_STATUSES and row.closed_on is not None:
        return row.closed_on
    return (now or dt.datetime.now()).date()


def _stored_owner(name: str) -> Institution:
    """An already stored owner stays valid even if the reference list changed since."""
    return Institution(name, name, (plain(name),))


def delete_action(
    session: Session,
    action_id: int,
    *,
    user: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> None:
    """Delete a decision or an action; its last state stays in the history (who, when)."""
    row = _action_row(session, action_id)
    if expected_version is not None and row.version != expected_version:
        current = read_action_in(session, action_id)
        what = "La décision" if current.kind == "decision" else "L'action"
        raise GovernanceConflictError(
            _conflict_message(f"{what} n° {action_id}", _last_change(session, "action", action_id)),
            current,
        )
    before = _action_snapshot(row)
    session.execute(delete(MeetingAction).where(MeetingAction.id == action_id))
    _log(session, "action", action_id, "delete", user, _now(now), before, None)


def _actions_query():
    return (
        select(MeetingAction, Meeting.date, Meeting.kind, RoadmapStep.status)
        .outerjoin(Meeting, Meeting.id == MeetingAction.meeting_id)
        .outerjoin(RoadmapStep, RoadmapStep.step_id == MeetingAction.step_id)
    )


def _action_view(a: MeetingAction, meeting_date, meeting_kind, step_status) -> ActionView:
    return ActionView(
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
        owner_person=a.owner_person,
        version=a.version,
        step_status=step_status,
        created_on=a.created_on,
        closed_on=a.closed_on,
    )


def read_action_in(session: Session, action_id: int) -> ActionView:
    """One decision or action as stored now; raises UnknownMeetingError."""
    row = session.execute(
        _actions_query()
        .where(MeetingAction.id == action_id)
        .execution_options(populate_existing=True)
    ).first()
    if row is None:
        raise UnknownMeetingError(f"Action inconnue : n° {action_id}.")
    return _action_view(*row)


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
        return [_meeting_view(m) for m in session.scalars(query).all()]


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
        return None if m is None else _meeting_view(m)


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
    query = _actions_query()
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
        views = [_action_view(*row) for row in session.execute(query).all()]
    if as_of is None:
        return views
    kept = [v for v in views if (v.is_open_at(as_of) if open_only else v.recorded_by(as_of))]
    return [v.as_at(as_of) for v in kept]


def open_actions(engine: Engine, as_of: dt.date | None = None) -> list[ActionView]:
    """Actions still open or in progress (decisions are records, not work to do), now or,
    with ``as_of``, on that date."""
    return list_actions(engine, open_only=True, kind="action", as_of=as_of)


def actions_to_close(engine: Engine) -> list[ActionView]:
    """Open actions whose linked roadmap step is done or abandoned: proposed for closing."""
    return [a for a in open_actions(engine) if a.step_closed]


def governance_changes(
    engine: Engine, after: dt.datetime, until: dt.datetime, entity: str | None = None
) -> list[ChangeEntry]:
    """Creations, edits and deletions recorded in ``(after, until]``, oldest first."""
    query = (
        select(GovernanceChange)
        .where(GovernanceChange.changed_at > after, GovernanceChange.changed_at <= until)
        .order_by(GovernanceChange.changed_at, GovernanceChange.id)
    )
    if entity is not None:
        query = query.where(GovernanceChange.entity == entity)
    with Session(engine) as session:
        return [_change_view(row) for row in session.scalars(query).all()]


def action_history(engine: Engine, action_id: int) -> list[ChangeEntry]:
    """Every change of one decision or action, oldest first (its deletion included)."""
    query = (
        select(GovernanceChange)
        .where(GovernanceChange.entity == "action", GovernanceChange.entity_id == action_id)
        .order_by(GovernanceChange.changed_at, GovernanceChange.id)
    )
    with Session(engine) as session:
        return [_change_view(row) for row in session.scalars(query).all()]


# --- one transaction each: what the pages and the CLI call ----------------------------------


def read_action(engine: Engine, action_id: int) -> ActionView:
    """One decision or action as stored now, for a form about to edit it."""
    with Session(engine) as session:
        return read_action_in(session, action_id)


def read_meeting(engine: Engine, meeting_id: int) -> MeetingView:
    """One meeting as stored now, for a form about to edit it."""
    with Session(engine) as session:
        return _meeting_view(_meeting_row(session, meeting_id))


def record_meeting(
    engine: Engine,
    kind: str,
    date: dt.date,
    title: str,
    institutions: list[str] | tuple[str, ...] | str = (),
    notes: str | None = None,
    **options: object,
) -> int:
    """``create_meeting`` in its own transaction (the form of the « Instances » page)."""
    with session_scope(engine) as session:
        return create_meeting(session, kind, date, title, institutions, notes, **options)  # type: ignore[arg-type]


def record_action(engine: Engine, text: str, **fields: object) -> int:
    """``add_action`` in its own transaction (the form of the « Instances » page)."""
    with session_scope(engine) as session:
        return add_action(session, text, **fields)  # type: ignore[arg-type]


def change_action(engine: Engine, action_id: int, **fields: object) -> ActionView:
    """``update_action`` in its own transaction."""
    with session_scope(engine) as session:
        return update_action(session, action_id, **fields)  # type: ignore[arg-type]


def change_action_status(engine: Engine, action_id: int, status: str, **options: object) -> None:
    """``set_action_status`` in its own transaction."""
    with session_scope(engine) as session:
        set_action_status(session, action_id, status, **options)  # type: ignore[arg-type]


def remove_action(engine: Engine, action_id: int, **options: object) -> None:
    """``delete_action`` in its own transaction."""
    with session_scope(engine) as session:
        delete_action(session, action_id, **options)  # type: ignore[arg-type]


def change_meeting(engine: Engine, meeting_id: int, **fields: object) -> MeetingView:
    """``update_meeting`` in its own transaction."""
    with session_scope(engine) as session:
        return update_meeting(session, meeting_id, **fields)  # type: ignore[arg-type]


def remove_meeting(engine: Engine, meeting_id: int, **options: object) -> None:
    """``delete_meeting`` in its own transaction."""
    with session_scope(engine) as session:
        delete_meeting(session, meeting_id, **options)  # type: ignore[arg-type]
