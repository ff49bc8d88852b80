"""The demo carries plausible dates for the legal delays, never after the as-of date, and
contrats d'engagement from 2025 (both engines)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from data_access.demo.generate import generate_demo
from data_access.schema import Contract, Orientation, Person

AS_OF = dt.date(2025, 6, 30)
PILOT_START = dt.date(2023, 2, 17)


def test_legal_dates_of_the_demo(db) -> None:
    generate_demo(db.engine, db.settings, scale=2_000, seed=5, as_of=AS_OF)
    with db.engine.connect() as conn:
        flow = Person.entry_date >= PILOT_START

        def share(condition) -> float:
            total = conn.execute(select(func.count()).where(flow)).scalar_one()
            hits = conn.execute(select(func.count()).where(flow, condition)).scalar_one()
            return hits / total

        assert 0.83 <= share(Person.right_info_date.is_not(None)) <= 0.95
        assert 0.02 <= share(Person.transfer_in_date.is_not(None)) <= 0.07
        assert 0.72 <= share(Person.rsa_request_date.is_not(None)) <= 0.88
        for column in (Person.right_info_date, Person.transfer_in_date):
            assert conn.execute(select(func.max(column))).scalar_one() <= AS_OF
        assert (
            conn.execute(
                select(func.count()).where(Person.rsa_request_date > Person.entry_date)
            ).scalar_one()
            == 0
        )
        notified = conn.execute(
            select(Orientation.decision_date, Orientation.notification_date).where(
                Orientation.decision_date >= PILOT_START
            )
        ).all()
        dated = [(d, n) for d, n in notified if n is not None]
        assert 0.85 <= len(dated) / len(notified) <= 0.97
        assert all(d < n <= AS_OF for d, n in dated)
        kinds = conn.execute(
            select(Contract.signed_date >= dt.date(2025, 1, 1), Contract.contract_type).distinct()
        ).all()
    assert {kind for recent, kind in kinds if recent} == {"engagement"}
    assert "engagement" not in {kind for recent, kind in kinds if not recent}
