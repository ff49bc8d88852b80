"""« Faits marquants »: short comments of project leads on an indicator or on a whole committee.

A figure alone does not say that the information system was down in May or that a new
referent started in Bourganeuf; the lead who knows writes it once, and the committee page, the
indicator pages and the deck carry it next to the figure. Each comment belongs to the period it
was written for (the committee's period on the committee page) and is kept with every version
of its text: an edit adds a version, a withdrawal adds a withdrawn version, nothing is erased.
Reads take an as-of date and return each comment as it stood at the end of that day, so a deck
rebuilt later for an earlier committee shows what had been written by then.

The text is plain text typed by a person: it is cleaned here (control and bidirectional
characters dropped, length capped) and shown as text by every interface, never as Markdown or
HTML. Error messages never quote it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import Engine, Select, and_, false, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from data_access.db import session_scope
from data_access.exceptions import ConcurrentEditError, DataAccessError
from data_access.schema import Highlight, HighlightVersion
from formatting import format_date

MAX_LENGTH = 500
MAX_AUTHOR_LENGTH = 120
COMMITTEE_WIDE = "Comité dans son ensemble"
# C0/C1 controls except the line feed, and the bidirectional embeddings, overrides and
# isolates that can make a text read differently from what it holds.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_BLANK_LINES = re.compile(r"\n{3,}")
_METRIC_ID = re.compile(r"^[a-z][a-z0-9_]{0,79}$")


class HighlightError(DataAccessError):
    """A comment that cannot be recorded (message in French, never quoting the text)."""


class HighlightConflictError(ConcurrentEditError):
    """The comment changed since the form was opened; ``current`` holds it as it is now."""

    def __init__(self, message: str, current: HighlightView) -> None:
        super().__init__(message)
        self.current = current


@dataclass(frozen=True)
class HighlightView:
    """A comment as it stands at one moment: its latest text then, and who wrote it."""

    id: int
    metric_id: str | None
    period_start: dt.date
    period_end: dt.date
    text: str
    version: int
    written_at: dt.datetime
    written_by: str
    created_at: dt.datetime
    created_by: str
    withdrawn: bool = False

    @property
    def is_committee_wide(self) -> bool:
        """About the committee as a whole rather than one indicator."""
        return self.metric_id is None

    @property
    def signature(self) -> str:
        """« Marie Durand, 12 juin 2024 » (« modifié le … » once edited)."""
        if self.version == 1:
            return f"{self.written_by}, {format_date(self.written_at.date())}"
        return (
            f"{self.created_by}, {format_date(self.created_at.date())} ; modifié par "
            f"{self.written_by} le {format_date(self.written_at.date())}"
        )

    @property
    def period_text(self) -> str:
        """« du 1er mai 2024 au 30 juin 2024 »."""
        return f"du {format_date(self.period_start)} au {format_date(self.period_end)}"


@dataclass(frozen=True)
class HighlightVersionView:
    """One entry of a comment's history."""

    version: int
    text: str
    withdrawn: bool
    written_at: dt.datetime
    written_by: str


def clean_text(text: str) -> str:
    """The comment as stored: plain text, line breaks kept (at most one blank line), tabs as
    spaces, control and bidirectional characters dropped, outer spaces trimmed. Markup is kept
    as typed: interfaces show it as text."""
    value = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    value = _CONTROLS.sub("", value)
    value = "\n".join(line.rstrip() for line in value.split("\n"))
    return _BLANK_LINES.sub("\n\n", value).strip()


def _checked_text(text: str) -> str:
    value = clean_text(text)
    if not value:
        raise HighlightError("Le commentaire est vide.")
    if len(value) > MAX_LENGTH:
        raise HighlightError(
            f"Le commentaire dépasse {MAX_LENGTH} caractères ({len(value)}) : raccourcissez-le."
        )
    return value


def _checked_author(user: str) -> str:
    value = clean_text(user).replace("\n", " ")
    if not value:
        raise HighlightError("Indiquez votre nom : il est gardé dans l'historique.")
    return value[:MAX_AUTHOR_LENGTH]


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now().replace(microsecond=0)


def _end_of(day: dt.date) -> dt.datetime:
    """The first moment after ``day``: what was written on ``day`` counts for it."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time())


def add_highlight(
    engine: Engine,
    text: str,
    *,
    metric_id: str | None,
    period_start: dt.date,
    period_end: dt.date,
    user: str,
    now: dt.datetime | None = None,
) -> HighlightView:
    """Record a new comment on ``metric_id`` (None: the committee as a whole) for a period.

    The same comment sent twice (same subject, period, author and text, not withdrawn) is
    recorded once: a second click returns the first. The indicator id is checked for its form
    only: the interfaces offer catalogue ids."""
    if metric_id is not None and not _METRIC_ID.match(metric_id):
        raise HighlightError("Indicateur inconnu : choisissez-le dans la liste.")
    if period_start > period_end:
        raise HighlightError("La période du commentaire finit avant de commencer.")
    value, author, moment = _checked_text(text), _checked_author(user), _now(now)
    with session_scope(engine) as session:
        same = session.execute(
            _views_query().where(
                Highlight.metric_id.is_(None)
                if metric_id is None
                else Highlight.metric_id == metric_id,
                Highlight.period_start == period_start,
                Highlight.period_end == period_end,
                Highlight.created_by == author,
            )
        ).all()
        for found, version in same:  # a second click sends the same comment again
            if version.text == value and not version.withdrawn:
                return _view(found, version)
        row = Highlight(
            metric_id=metric_id,
            period_start=period_start,
            period_end=period_end,
            created_at=moment,
            created_by=author,
        )
        session.add(row)
        session.flush()
        session.add(
            HighlightVersion(
                highlight_id=row.id,
                version=1,
                text=value,
                withdrawn=False,
                written_at=moment,
                written_by=author,
            )
        )
        session.flush()
        return _current(session, row.id)


def edit_highlight(
    engine: Engine,
    highlight_id: int,
    text: str,
    *,
    user: str,
    expected_version: int,
    now: dt.datetime | None = None,
) -> HighlightView:
    """Write a new version of a comment, guarded by the version the person saw.

    The same text again writes nothing (a second click cannot add a version)."""
    value, author = _checked_text(text), _checked_author(user)
    return _write(engine, highlight_id, value, False, author, expected_version, _now(now))


def withdraw_highlight(
    engine: Engine,
    highlight_id: int,
    *,
    user: str,
    expected_version: int,
    now: dt.datetime | None = None,
) -> HighlightView:
    """Withdraw a comment from that moment on: a withdrawn version keeps its last text, and
    earlier as-of dates still show it."""
    author = _checked_author(user)
    return _write(engine, highlight_id, None, True, author, expected_version, _now(now))


def _write(
    engine: Engine,
    highlight_id: int,
    text: str | None,
    withdrawn: bool,
    author: str,
    expected_version: int,
    moment: dt.datetime,
) -> HighlightView:
    try:
        with session_scope(engine) as session:
            current = _current(session, highlight_id)
            if current.withdrawn:
                raise HighlightError(
                    f"Le commentaire n° {highlight_id} est déjà retiré : écrivez-en un nouveau."
                )
            if current.version != expected_version:
                raise HighlightConflictError(_conflict_message(current), current)
            if not withdrawn and text == current.text:
                return current
            session.add(
                HighlightVersion(
                    highlight_id=highlight_id,
                    version=current.version + 1,
                    text=current.text if text is None else text,
                    withdrawn=withdrawn,
                    written_at=moment,
                    written_by=author,
                )
            )
            session.flush()
            return _current(session, highlight_id)
    except IntegrityError:  # someone saved the same version in between
        with Session(engine) as session:
            now_current = _current(session, highlight_id)
        raise HighlightConflictError(_conflict_message(now_current), now_current) from None


def _conflict_message(current: HighlightView) -> str:
    return (
        f"Le commentaire n° {current.id} a été modifié entre-temps par {current.written_by} "
        f"(le {format_date(current.written_at.date())}) : relisez-le avant de l'enregistrer."
    )


def _views_query(
    written_before: dt.datetime | None = None,
) -> Select[Highlight, HighlightVersion]:
    """Each comment with its latest version written before ``written_before`` (or ever)."""
    latest = select(
        HighlightVersion.highlight_id, func.max(HighlightVersion.version).label("version")
    )
    if written_before is not None:
        latest = latest.where(HighlightVersion.written_at < written_before)
    latest_sq = latest.group_by(HighlightVersion.highlight_id).subquery()
    return (
        select(Highlight, HighlightVersion)
        .join(latest_sq, latest_sq.c.highlight_id == Highlight.id)
        .join(
            HighlightVersion,
            and_(
                HighlightVersion.highlight_id == Highlight.id,
                HighlightVersion.version == latest_sq.c.version,
            ),
        )
        .order_by(Highlight.created_at, Highlight.id)
    )


def _view(row: Highlight, version: HighlightVersion) -> HighlightView:
    return HighlightView(
        id=row.id,
        metric_id=row.metric_id,
        period_start=row.period_start,
        period_end=row.period_end,
        text=version.text,
        version=version.version,
        written_at=version.written_at,
        written_by=version.written_by,
        created_at=row.created_at,
        created_by=row.created_by,
        withdrawn=version.withdrawn,
    )


def _current(session: Session, highlight_id: int) -> HighlightView:
    found = session.execute(_views_query().where(Highlight.id == highlight_id)).first()
    if found is None:
        raise HighlightError(f"Aucun commentaire n° {highlight_id}.")
    return _view(found[0], found[1])


def read_highlight(engine: Engine, highlight_id: int) -> HighlightView:
    """One comment as it stands now (withdrawn or not), for a form about to edit it."""
    with Session(engine) as session:
        return _current(session, highlight_id)


def highlights_as_of(
    engine: Engine,
    as_of: dt.date,
    *,
    start: dt.date,
    end: dt.date,
    metric_ids: tuple[str | None, ...] | None = None,
) -> list[HighlightView]:
    """The comments shown for the period ``start``–``end`` at ``as_of``, oldest first.

    A comment shows on every period that overlaps the one it was written for (written on the
    committee page, it shows on the month and week pages inside the committee's period, not
    on the next committee's); each shows its latest text written by the end of ``as_of``,
    and a comment withdrawn by then is left out. ``metric_ids`` keeps only those indicators
    (``None`` in it: the committee-wide comments)."""
    query = _views_query(_end_of(as_of)).where(
        Highlight.period_start <= end, Highlight.period_end >= start
    )
    if metric_ids is not None:
        ids = [m for m in metric_ids if m is not None]
        conditions = [Highlight.metric_id.in_(ids)] if ids else []
        if None in metric_ids:
            conditions.append(Highlight.metric_id.is_(None))
        query = query.where(or_(*conditions)) if conditions else query.where(false())
    with Session(engine) as session:
        views = [_view(highlight, version) for highlight, version in session.execute(query).all()]
    return [v for v in views if not v.withdrawn]


def highlight_history(engine: Engine, highlight_id: int) -> list[HighlightVersionView]:
    """Every version of one comment, oldest first (its withdrawal included)."""
    query = (
        select(HighlightVersion)
        .where(HighlightVersion.highlight_id == highlight_id)
        .order_by(HighlightVersion.version)
    )
    with Session(engine) as session:
        return [
            HighlightVersionView(
                version=v.version,
                text=v.text,
                withdrawn=v.withdrawn,
                written_at=v.written_at,
                written_by=v.written_by,
            )
            for v in session.scalars(query).all()
        ]
