"""A tiny writer of hand-built datasets for the metric tests (SQLAlchemy Core, both engines).

Rows are buffered and written in one transaction by ``save()``; person ids are given
explicitly so that events can point at them before anything is written.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import Engine, delete, insert

from data_access import timeline
from data_access.schema import (
    Accompaniment,
    Appointment,
    Contract,
    Invitation,
    Orientation,
    Person,
)

GUERET = "23096"
AUBUSSON = "23008"
LA_SOUTERRAINE = "23176"


def day(text: str) -> dt.date:
    """``"2024-01-05"`` → date (keeps the datasets readable)."""
    return dt.date.fromisoformat(text)


class Dataset:
    """Persons and their events, written in one go."""

    TABLES = (Invitation, Appointment, Orientation, Contract, Accompaniment)

    def __init__(self) -> None:
        self.rows: dict[type, list[dict[str, Any]]] = defaultdict(list)
        self.next_id = 1

    def person(
        self,
        entry: str,
        commune: str | None = GUERET,
        payer: str | None = "caf",
        exit: str | None = None,
        subject: bool = True,
        request: str | None = None,
        right_info: str | None = None,
        transfer_in: str | None = None,
    ) -> int:
        pid = self.next_id
        self.next_id += 1
        self.rows[Person].append(
            {
                "id": pid,
                "person_key": f"p{pid}",
                "entry_date": day(entry),
                "commune_code": commune,
                "payer": payer,
                "exit_date": day(exit) if exit else None,
                "subject_to_obligations": subject,
                "rsa_request_date": day(request) if request else None,
                "right_info_date": day(right_info) if right_info else None,
                "transfer_in_date": day(transfer_in) if transfer_in else None,
            }
        )
        return pid

    def invitation(
        self, pid: int, sent: str, kind: str = "invitation", reminder: bool = False
    ) -> None:
        self.rows[Invitation].append(
            {
                "person_id": pid,
                "sent_date": day(sent),
                "kind": kind,
                "channel": "sms",
                "is_reminder": reminder,
            }
        )

    def appointment(
        self,
        pid: int,
        date: str,
        status: str,
        purpose: str = "orientation",
        booked_after: str | None = None,
    ) -> None:
        self.rows[Appointment].append(
            {
                "person_id": pid,
                "date": day(date),
                "purpose": purpose,
                "status": status,
                "booked_after": booked_after,
            }
        )

    def orientation(
        self,
        pid: int,
        date: str,
        kind: str = "pro",
        organism: str | None = "france_travail",
        notified: str | None = None,
    ) -> None:
        self.rows[Orientation].append(
            {
                "person_id": pid,
                "decision_date": day(date),
                "orientation_type": kind,
                "organism": organism,
                "notification_date": day(notified) if notified else None,
            }
        )

    def contract(self, pid: int, date: str, kind: str = "cer") -> None:
        self.rows[Contract].append(
            {"person_id": pid, "signed_date": day(date), "contract_type": kind}
        )

    def accompaniment(
        self,
        pid: int,
        referent: str,
        start: str,
        end: str | None = None,
        hours: float | None = None,
    ) -> None:
        self.rows[Accompaniment].append(
            {
                "person_id": pid,
                "referent_key": referent,
                "start_date": day(start),
                "end_date": day(end) if end else None,
                "weekly_activity_hours": hours,
            }
        )

    def save(self, engine: Engine) -> None:
        """Write every buffered row in one transaction."""
        with engine.begin() as conn:
            if self.rows[Person]:
                conn.execute(insert(Person), self.rows[Person])
            for model in self.TABLES:
                if self.rows[model]:
                    conn.execute(insert(model), self.rows[model])
            # Like every writer of persons and events, keep their timeline exact.
            timeline.rebuild(conn)


def clear(engine: Engine) -> None:
    """Remove every person and event (property tests reuse one database per test)."""
    with engine.begin() as conn:
        for model in (*Dataset.TABLES, Person):
            conn.execute(delete(model))
        timeline.rebuild(conn)


def compute(
    db: Any,
    family: Any,
    start: str,
    end: str,
    as_of: str | None = None,
    territory: str | None = None,
    payer: str | None = None,
    threshold: int = 2,
) -> dict[str, Any]:
    """Results of one family module on the test database, with a low secrecy threshold
    (2: only groups of one person are masked) unless told otherwise."""
    from metrics.scope import Scope
    from metrics.spec import MetricContext
    from tests.conftest import make_settings

    settings = make_settings(db.settings.database_url, secrecy_threshold=threshold)
    scope = Scope.build(day(start), day(end), day(as_of) if as_of else None, territory, payer)
    context = MetricContext(db.engine, settings, scope)
    results: dict[str, Any] = {}
    for each in getattr(family, "FAMILIES", (family.FAMILY,)):  # a module may hold two
        results.update(each.compute(context))
    return results


def rows_of(result: Any, breakdown: str) -> dict[str, tuple]:
    """A breakdown as {key: (value, numerator, denominator, suppressed)}."""
    return {
        row.key: (row.value, row.numerator, row.denominator, row.suppressed)
        for row in result.breakdowns[breakdown]
    }
