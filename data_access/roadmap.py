"""Roadmap steps: reading them, changing their status with history, and their past states.

Project leads of several institutions edit the same roadmap between two meetings. Every change
goes through ``set_step_status``: one UPDATE guarded by the ``version`` read when the form was
opened (optimistic locking), so that the second of two concurrent edits is refused with the
current state instead of silently overwriting the first, and one row in
``roadmap_step_history`` (who, when, old → new, comment). The history lets the committee see
the roadmap as it stood at any past date, and what moved since the last committee.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any, cast

from sqlalchemy import CursorResult, Engine, func, insert, select, update
from sqlalchemy.orm import Session

from data_access.db import session_scope
from data_access.exceptions import ConcurrentEditError, DataAccessError
from data_access.institutions import Institution, find_institution, institution_names, plain
from data_access.schema import ROADMAP_STATUSES, RoadmapStep, RoadmapStepHistory
from formatting import format_date, format_datetime

STATUS_LABELS: dict[str, str] = {
    "a_faire": "à faire",
    "en_cours": "en cours",
    "fait": "fait",
    "bloque": "bloqué",
    "abandonne": "abandonné",
}
CLOSED_STATUSES = ("fait", "abandonne")
REPEAT_WINDOW_SECONDS = 60
OWNER_SEPARATORS = ("|", "&", ",", ";", "/", " et ")


class UnknownStepError(DataAccessError):
    """No roadmap step has this identifier."""


class RoadmapValueError(DataAccessError):
    """A status or a party that the roadmap does not know."""


@dataclass(frozen=True)
class StepView:
    """One roadmap step as pages and the CLI show it."""

    step_id: str
    axis: str
    target: str
    step: str
    due_label: str | None
    due_date: dt.date | None
    owners: tuple[str, ...]
    status: str
    done_date: dt.date | None
    comment: str | None
    position: int
    version: int
    updated_at: dt.datetime | None
    updated_by: str | None

    @property
    def status_label(self) -> str:
        """French name of the status (« en cours »)."""
        return STATUS_LABELS[self.status]

    def to_json(self, last_comment: HistoryEntry | None = None) -> dict[str, object]:
        """The JSON shape of ``pilotage roadmap list --json``; ``last_comment`` is the latest
        history row with a comment (who wrote it and when), else the step's own comment."""
        comment_by = last_comment.changed_by if last_comment else self.updated_by
        comment_at = last_comment.changed_at if last_comment else self.updated_at
        return {
            "id": self.step_id,
            "axis": self.axis,
            "target": self.target,
            "step": self.step,
            "due_label": self.due_label,
            "due_date": self.due_date.isoformat() if self.due_date else None,
            "owners": list(self.owners),
            "status": self.status,
            "done_date": self.done_date.isoformat() if self.done_date else None,
            "updated_at": self.updated_at.isoformat() if self.updated_at else None,
            "updated_by": self.updated_by,
            "last_comment": last_comment.comment if last_comment else self.comment,
            "last_comment_by": comment_by if (last_comment or self.comment) else None,
            "last_comment_at": (
                comment_at.isoformat() if comment_at and (last_comment or self.comment) else None
            ),
        }


@dataclass(frozen=True)
class HistoryEntry:
    """One change of a step: who, when, old → new status and done date, comment."""

    step_id: str
    changed_at: dt.datetime
    changed_by: str
    old_status: str | None
    new_status: str
    old_done_date: dt.date | None
    new_done_date: dt.date | None
    comment: str | None


@dataclass(frozen=True)
class StepChange:
    """A step whose status differs between two dates (for « ce qui a bougé »)."""

    step_id: str
    axis: str
    step: str
    status_before: str
    status_after: str
    last_changed_at: dt.datetime
    last_changed_by: str


class StepConflictError(ConcurrentEditError):
    """The step changed since the form was opened; ``current`` holds its state now."""

    def __init__(self, message: str, current: StepView) -> None:
        super().__init__(message)
        self.current = current


def _plain(text: str) -> str:
    return plain(text)


def parse_status(text: str) -> str:
    """Status code from a code or its French name (« En cours », « bloqué », « a_faire »)."""
    key = _plain(text).replace(" ", "_").replace("-", "_")
    if key in ROADMAP_STATUSES:
        return key
    names = ", ".join(f"« {label} »" for label in STATUS_LABELS.values())
    raise RoadmapValueError(f"Statut inconnu « {text} » : attendu {names}.")


def parse_party(text: str, institutions: tuple[Institution, ...] | None = None) -> str:
    """Stored institution name (CD, France Travail, État, ARS…) from the way people write it
    (« Pôle emploi », « PE », « Etat »), against the département's institutions."""
    found = find_institution(text, institutions)
    if found is None:
        raise RoadmapValueError(
            f"Partenaire inconnu « {text.strip()} » : attendu "
            f"{', '.join(institution_names(institutions))}."
        )
    return found.name


def parse_owners(
    text: str | None, institutions: tuple[Institution, ...] | None = None
) -> tuple[str, ...]:
    """Parties of an owners cell (« CD & CAF & MSA », « PE|CD », « Etat ») in written order."""
    if text is None or not text.strip():
        return ()
    parts = [text]
    for separator in OWNER_SEPARATORS:
        parts = [piece for part in parts for piece in part.split(separator)]
    owners: list[str] = []
    for part in parts:
        if part.strip():
            party = parse_party(part, institutions)
            if party not in owners:
                owners.append(party)
    return tuple(owners)


def owners_text(owners: tuple[str, ...] | list[str]) -> str:
    """How owners are stored: ``CD|PE``."""
    return "|".join(owners)


def _view(row: RoadmapStep) -> StepView:
    return StepView(
        step_id=row.step_id,
        axis=row.axis,
        target=row.target,
        step=row.step,
        due_label=row.due_label,
        due_date=row.due_date,
        owners=tuple(o for o in (row.owners or "").split("|") if o),
        status=row.status,
        done_date=row.done_date,
        comment=row.comment,
        position=row.position,
        version=row.version,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


def list_steps(engine: Engine) -> list[StepView]:
    """Every step, in roadmap order (position, then id)."""
    with Session(engine) as session:
        rows = session.scalars(
            select(RoadmapStep).order_by(RoadmapStep.position, RoadmapStep.step_id)
        ).all()
        return [_view(row) for row in rows]


def get_step(session: Session, step_id: str) -> StepView:
    """One step as stored now, its id written in any case (« do-03 »); raises UnknownStepError."""
    row = session.execute(
        select(RoadmapStep)
        .where(func.upper(RoadmapStep.step_id) == step_id.strip().upper())
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if row is None:
        raise UnknownStepError(f"Étape de feuille de route inconnue : « {step_id} ».")
    return _view(row)


def _conflict_message(current: StepView) -> str:
    who = current.updated_by or "un autre utilisateur"
    when = format_datetime(current.updated_at) if current.updated_at else "entre-temps"
    done = f", fait le {format_date(current.done_date)}" if current.done_date else ""
    return (
        f"L'étape {current.step_id} a été modifiée par {who} le {when} pendant votre saisie : "
        f"son statut est maintenant « {current.status_label} »{done}. Votre modification n'a "
        "pas été enregistrée ; votre saisie est conservée, l'état actuel est affiché à côté."
    )


def set_step_status(
    session: Session,
    step_id: str,
    status: str,
    *,
    user: str,
    expected_version: int | None = None,
    comment: str | None = None,
    done_date: dt.date | None = None,
    now: dt.datetime | None = None,
) -> StepView:
    """Change a step's status, guarded by the version the user saw; record the change.

    ``expected_version`` is the version shown in the form; None means « the version I read
    just now » (the CLI). A step set to « fait » without a done date is done today; any other
    status clears the done date. Raises StepConflictError (with the current state) when the
    step changed in between, UnknownStepError, RoadmapValueError.

    Setting the status a step already has, without a comment or a new done date, writes
    nothing and returns the step as it is: a history row « en cours → en cours » would only
    bump the version and make the next editor's form stale for no reason.
    """
    code = parse_status(status)
    moment = now or dt.datetime.now().replace(microsecond=0)
    before = get_step(session, step_id)
    step_id = before.step_id
    version = before.version if expected_version is None else expected_version
    new_done = (done_date or moment.date()) if code == "fait" else None
    note = comment.strip() if comment and comment.strip() else None
    same_state = code == before.status and (done_date is None or new_done == before.done_date)
    if same_state and version == before.version and note is None:
        return before  # a stale form still gets the conflict below
    if same_state and _repeated_submission(before, user, note, moment):
        return before
    if done_date is not None and done_date > moment.date():
        raise RoadmapValueError(
            f"Date de réalisation dans le futur : le {format_date(done_date)} est après "
            "aujourd'hui."
        )
    # An UPDATE gives a CursorResult (with rowcount); Session.execute is typed for any statement.
    statement = (
        update(RoadmapStep)
        .where(RoadmapStep.step_id == step_id, RoadmapStep.version == version)
        .values(
            status=code,
            done_date=new_done,
            comment=note if note is not None else RoadmapStep.comment,
            version=RoadmapStep.version + 1,
            updated_at=moment,
            updated_by=user,
        )
        .execution_options(synchronize_session=False)
    )
    result = cast(CursorResult[Any], session.execute(statement))
    if result.rowcount != 1:
        current = get_step(session, step_id)
        raise StepConflictError(_conflict_message(current), current)
    session.execute(
        insert(RoadmapStepHistory).values(
            step_id=step_id,
            changed_at=moment,
            changed_by=user,
            old_status=before.status,
            new_status=code,
            old_done_date=before.done_date,
            new_done_date=new_done,
            comment=note,
        )
    )
    return get_step(session, step_id)


def _repeated_submission(
    before: StepView, user: str, note: str | None, moment: dt.datetime
) -> bool:
    """The same person sending the same change again within a minute (a double click, a
    resent form): the change is already saved, a second history row would only repeat it."""
    return (
        before.updated_by == user
        and before.updated_at is not None
        and abs((moment - before.updated_at).total_seconds()) <= REPEAT_WINDOW_SECONDS
        and (note is None or note == before.comment)
    )


def step_history(engine: Engine, step_id: str | None = None) -> list[HistoryEntry]:
    """Changes of one step (or of all steps), oldest first."""
    query = select(RoadmapStepHistory).order_by(
        RoadmapStepHistory.changed_at, RoadmapStepHistory.id
    )
    if step_id is not None:
        query = query.where(RoadmapStepHistory.step_id == step_id)
    with Session(engine) as session:
        return [
            HistoryEntry(
                step_id=row.step_id,
                changed_at=row.changed_at,
                changed_by=row.changed_by,
                old_status=row.old_status,
                new_status=row.new_status,
                old_done_date=row.old_done_date,
                new_done_date=row.new_done_date,
                comment=row.comment,
            )
            for row in session.scalars(query).all()
        ]


def last_comments(engine: Engine) -> dict[str, HistoryEntry]:
    """The latest commented change of every step that has one."""
    latest: dict[str, HistoryEntry] = {}
    for entry in step_history(engine):
        if entry.comment:
            latest[entry.step_id] = entry
    return latest


def _end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.max)


def states_at(
    steps: list[StepView], history: list[HistoryEntry], day: dt.date
) -> dict[str, tuple[str, dt.date | None]]:
    """Status and done date of every step at the end of ``day``, replayed from the history.

    A step never changed keeps its current state; a step changed only later had the « old »
    state of its first change.
    """
    cutoff = _end_of(day)
    by_step: dict[str, list[HistoryEntry]] = {}
    for entry in history:
        by_step.setdefault(entry.step_id, []).append(entry)
    states: dict[str, tuple[str, dt.date | None]] = {}
    for step in steps:
        entries = by_step.get(step.step_id)
        if not entries:
            states[step.step_id] = (step.status, step.done_date)
            continue
        passed = [e for e in entries if e.changed_at <= cutoff]
        if passed:
            states[step.step_id] = (passed[-1].new_status, passed[-1].new_done_date)
        else:
            first = entries[0]
            states[step.step_id] = (first.old_status or "a_faire", first.old_done_date)
    return states


def steps_at(engine: Engine, day: dt.date) -> list[StepView]:
    """Every step with the status and done date it had at the end of ``day``."""
    steps = list_steps(engine)
    states = states_at(steps, step_history(engine), day)
    return [
        replace(step, status=states[step.step_id][0], done_date=states[step.step_id][1])
        for step in steps
    ]


def changes_between(engine: Engine, start: dt.date, end: dt.date) -> list[StepChange]:
    """Steps whose status at the end of ``end`` differs from the one at the end of ``start``.

    This is what the committee reviews: what moved since the last committee.
    """
    if start > end:
        raise RoadmapValueError(
            f"Période invalide : le {start.isoformat()} est après le {end.isoformat()}."
        )
    steps = list_steps(engine)
    history = step_history(engine)
    before = states_at(steps, history, start)
    after = states_at(steps, history, end)
    lower, upper = _end_of(start), _end_of(end)
    changes: list[StepChange] = []
    for step in steps:
        if before[step.step_id][0] == after[step.step_id][0]:
            continue
        moves = [e for e in history if e.step_id == step.step_id and lower < e.changed_at <= upper]
        last = moves[-1]
        changes.append(
            StepChange(
                step_id=step.step_id,
                axis=step.axis,
                step=step.step,
                status_before=before[step.step_id][0],
                status_after=after[step.step_id][0],
                last_changed_at=last.changed_at,
                last_changed_by=last.changed_by,
            )
        )
    return changes


def read_step(engine: Engine, step_id: str) -> StepView:
    """One step as stored now, for a form about to edit it; raises UnknownStepError."""
    with Session(engine) as session:
        return get_step(session, step_id)


def change_step_status(
    engine: Engine,
    step_id: str,
    status: str,
    *,
    user: str,
    expected_version: int | None,
    comment: str | None = None,
    done_date: dt.date | None = None,
) -> StepView:
    """``set_step_status`` in its own transaction (the edit form of the page)."""
    with session_scope(engine) as session:
        return set_step_status(
            session,
            step_id,
            status,
            user=user,
            expected_version=expected_version,
            comment=comment,
            done_date=done_date,
        )
