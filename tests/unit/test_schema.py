"""The schema: migrations reach head on both engines, match the models, reject bad rows."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import IntegrityError

from data_access.db import session_scope
from data_access.initdb import init_database
from data_access.schema import Accompaniment, Appointment, Base, Commune, Person, RoadmapStep


def test_migrations_match_models(db):
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_every_table_exists(db):
    tables = set(inspect(db.engine).get_table_names())
    assert {t.name for t in Base.metadata.sorted_tables} <= tables


def test_init_db_is_idempotent(db):
    first = init_database(db.engine, db.settings)
    second = init_database(db.engine, db.settings)
    assert first == second
    assert first.communes == 255
    with db.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Commune)).scalar_one() == 255
        steps = conn.execute(select(func.count()).select_from(RoadmapStep)).scalar_one()
        utas = conn.execute(select(func.count(func.distinct(Commune.utas)))).scalar_one()
    assert steps == first.roadmap_steps > 0  # inserted once, never duplicated
    assert utas == 6


def _person(**kwargs) -> Person:
    values = {"person_key": "k1", "entry_date": dt.date(2024, 1, 1), "commune_code": "23096"}
    values.update(kwargs)
    return Person(**values)


@pytest.mark.parametrize(
    "make_row",
    [
        lambda pid: Appointment(
            person_id=pid, date=dt.date(2024, 1, 5), purpose="orientation", status="venu"
        ),
        lambda pid: Accompaniment(
            person_id=pid,
            referent_key="r",
            start_date=dt.date(2024, 1, 5),
            weekly_activity_hours=-2,
        ),
    ],
    ids=["unknown-status", "negative-hours"],
)
def test_constraints_reject_impossible_rows(db, make_row):
    with session_scope(db.engine) as session:
        person = _person()
        session.add(person)
        session.flush()
        pid = person.id
    with pytest.raises(IntegrityError), session_scope(db.engine) as session:
        session.add(make_row(pid))


def test_exit_before_entry_is_rejected(db):
    with pytest.raises(IntegrityError), session_scope(db.engine) as session:
        session.add(_person(exit_date=dt.date(2023, 12, 31)))
