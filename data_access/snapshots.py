"""Committee memory: the date of the last committee and the figures each deck presented.

Each exported committee deck stores its figures as a ``DeckSnapshot``; the next committee
compares « depuis le dernier comité » against what was actually shown on the slides, even if
data were corrected afterwards. The last committee is the latest « comité de suivi » meeting
recorded (roadmap governance) or, failing that, the latest committee a deck was exported for.

A deck is exported for a scope (whole département or one territory, all payers or one): its
figures only make sense next to a deck of the same scope, so snapshots are matched on it —
a commune's 16 entrants must never read as « présenté » beside the département's 477.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Engine, and_, func, select

from data_access.db import session_scope
from data_access.schema import DeckSnapshot, Meeting

COMMITTEE_KIND = "comite_de_suivi"


@dataclass(frozen=True)
class DeckScope:
    """The territory and payer a deck was exported for (None = whole département / all)."""

    territory_level: str | None = None
    territory_code: str | None = None
    payer: str | None = None

    def condition(self) -> ColumnElement[bool]:
        """SQL condition selecting the snapshots of exactly this scope (NULL matches NULL)."""
        return and_(
            *(
                column.is_(None) if value is None else column == value
                for column, value in (
                    (DeckSnapshot.territory_level, self.territory_level),
                    (DeckSnapshot.territory_code, self.territory_code),
                    (DeckSnapshot.payer, self.payer),
                )
            )
        )


DEPARTEMENT = DeckScope()


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
    scope: DeckScope = DEPARTEMENT


def last_committee_date(
    engine: Engine, before: dt.date, scope: DeckScope = DEPARTEMENT
) -> dt.date | None:
    """The date of the latest committee strictly before ``before`` (meeting or deck), or None.

    Committee meetings concern every scope; an exported deck only counts for its own scope.
    """
    with engine.connect() as conn:
        meeting = conn.execute(
            select(func.max(Meeting.date)).where(
                Meeting.kind == COMMITTEE_KIND, Meeting.date < before
            )
        ).scalar_one()
        deck = conn.execute(
            select(func.max(DeckSnapshot.committee_date)).where(
                DeckSnapshot.committee_date < before, scope.condition()
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
    scope: DeckScope = DEPARTEMENT,
) -> int:
    """Store the figures of an exported deck (one transaction) and return the snapshot id."""
    with session_scope(engine) as session:
        row = DeckSnapshot(
            created_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
            committee_date=committee_date,
            period_from=period_from,
            period_to=period_to,
            as_of=as_of,
            territory_level=scope.territory_level,
            territory_code=scope.territory_code,
            payer=scope.payer,
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
        scope=DeckScope(row.territory_level, row.territory_code, row.payer),
    )


def latest_snapshot(
    engine: Engine, before: dt.date | None = None, scope: DeckScope = DEPARTEMENT
) -> Snapshot | None:
    """The most recent deck snapshot of ``scope`` (for a committee strictly before ``before``)."""
    query = (
        select(DeckSnapshot)
        .where(scope.condition())
        .order_by(
            DeckSnapshot.committee_date.desc(),
            DeckSnapshot.created_at.desc(),
            DeckSnapshot.id.desc(),
        )
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
