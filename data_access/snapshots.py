"""Committee memory: the date of the last committee and the figures each deck presented.

Each exported committee deck stores its figures as a ``DeckSnapshot``; the next committee
compares « depuis le dernier comité » against what was actually shown on the slides, even if
data were corrected afterwards. The last committee is the latest « comité de suivi » meeting
recorded (roadmap governance) or, failing that, the latest committee a deck was exported for.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, func, select

from data_access.db import session_scope
from data_access.schema import DeckSnapshot, Meeting

COMMITTEE_KIND = "comite_de_suivi"


@dataclass(frozen=True)
class Snapshot:
    """The figures of one exported deck, keyed by indicator id."""

    id: int
    created_at: dt.datetime
    committee_date: dt.date
    period_from: dt.date
    period_to: dt.date
    as_of: dt.date
    figures: dict[str, Any]


def last_committee_date(engine: Engine, before: dt.date) -> dt.date | None:
    """The date of the latest committee strictly before ``before`` (meeting or deck), or None."""
    with engine.connect() as conn:
        meeting = conn.execute(
            select(func.max(Meeting.date)).where(
                Meeting.kind == COMMITTEE_KIND, Meeting.date < before
            )
        ).scalar_one()
        deck = conn.execute(
            select(func.max(DeckSnapshot.committee_date)).where(
                DeckSnapshot.committee_date < before
            )
        ).scalar_one()
    dates = [d for d in (meeting, deck) if d is not None]
    return max(dates) if dates else None


def save_snapshot(
    engine: Engine,
    *,
    committee_date: dt.date,
    period_from: dt.date,
    period_to: dt.date,
    as_of: dt.date,
    figures: dict[str, Any],
) -> int:
    """Store the figures of an exported deck (one transaction) and return the snapshot id."""
    with session_scope(engine) as session:
        row = DeckSnapshot(
            created_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
            committee_date=committee_date,
            period_from=period_from,
            period_to=period_to,
            as_of=as_of,
            figures=figures,
        )
        session.add(row)
        session.flush()
        return row.id


def _snapshot(row: DeckSnapshot) -> Snapshot:
    return Snapshot(
        id=row.id,
        created_at=row.created_at,
        committee_date=row.committee_date,
        period_from=row.period_from,
        period_to=row.period_to,
        as_of=row.as_of,
        figures=dict(row.figures or {}),
    )


def latest_snapshot(engine: Engine, before: dt.date | None = None) -> Snapshot | None:
    """The most recent deck snapshot (for a committee strictly before ``before`` if given)."""
    query = select(DeckSnapshot).order_by(
        DeckSnapshot.committee_date.desc(), DeckSnapshot.created_at.desc(), DeckSnapshot.id.desc()
    )
    if before is not None:
        query = query.where(DeckSnapshot.committee_date < before)
    with session_scope(engine) as session:
        row = session.scalars(query.limit(1)).first()
        return _snapshot(row) if row else None


def list_snapshots(engine: Engine) -> list[Snapshot]:
    """Every deck snapshot, newest committee first."""
    query = select(DeckSnapshot).order_by(
        DeckSnapshot.committee_date.desc(), DeckSnapshot.id.desc()
    )
    with session_scope(engine) as session:
        return [_snapshot(row) for row in session.scalars(query)]
