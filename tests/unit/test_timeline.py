"""The per-person timeline and the per-decision one stay equal to a rebuild from their sources
after every kind of write: imports (bundle, RDV-Insertion with persons folded), undo, the
orientation-type mapping and the demo; the migrations' own fills give the same rows."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select, text

from data_access import timeline
from data_access.demo.generate import generate_demo
from data_access.importers.bundle import BundleImporter
from data_access.importers.pipeline import run_import
from data_access.importers.undo import undo_run
from data_access.orientation_types import apply_mapping
from data_access.schema import Contract, DecisionTimeline, Orientation, PersonTimeline, table_of
from tests.unit.bundle_data import VALID_BUNDLE, as_bytes
from tests.unit.test_import_undo import NEWER
from tests.unit.test_upstream_exports import LOCAL_TYPES, _import, _user
from tests.unit.upstream_exports import users_export

D = dt.date
TIMELINE = table_of(PersonTimeline)
DECISIONS = table_of(DecisionTimeline)


def _normal(value):
    """Dates as ISO text: SQLite hands back what the INSERT … SELECT stored."""
    return value.isoformat() if isinstance(value, dt.date) else value


def _read(engine, query) -> list[tuple]:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [tuple(_normal(v) for v in row) for row in rows]


def stored(engine) -> list[tuple]:
    return _read(engine, select(TIMELINE).order_by(TIMELINE.c.person_id))


def rebuilt(engine) -> list[tuple]:
    """What a rebuild from scratch gives, computed without writing."""
    return _read(engine, timeline.timeline_select().order_by(text("person_id")))


def stored_decisions(engine) -> list[tuple]:
    return _read(engine, select(DECISIONS).order_by(DECISIONS.c.orientation_id))


def rebuilt_decisions(engine) -> list[tuple]:
    return _read(engine, timeline.decisions_select().order_by(text("orientation_id")))


def assert_exact(engine) -> list[tuple]:
    rows = stored(engine)
    assert rows == rebuilt(engine)
    assert stored_decisions(engine) == rebuilt_decisions(engine)
    return rows


def test_bundle_imports_and_undo_keep_the_timeline_exact(db):
    first = run_import(db.engine, BundleImporter(as_bytes(VALID_BUNDLE), "lot", db.settings))
    after_first = assert_exact(db.engine)
    assert after_first and any(row[3] is not None for row in after_first)  # invitations seen
    second = run_import(db.engine, BundleImporter(as_bytes(NEWER), "lot", db.settings))
    assert assert_exact(db.engine) != after_first
    undo_run(db.engine, second.run_id)
    assert assert_exact(db.engine) == after_first
    undo_run(db.engine, first.run_id)
    assert assert_exact(db.engine) == []


def test_folded_persons_and_the_type_mapping_keep_the_timeline_exact(db):
    entry = D(2024, 1, 8)
    conv = {"Dernière convocation envoyée le": "12/01/2024"}
    _import(db, users_export([_user(41, entry, **{"ID interne au département": "", **conv})]))
    _import(
        db,
        users_export(
            [_user(41, entry, **{"Numéro CAF": "", "Dernière invitation envoyée le": "20/01/2024"})]
        ),
    )
    assert len(assert_exact(db.engine)) == 2
    folded = _import(db, users_export([_user(41, entry)]))
    assert len(assert_exact(db.engine)) == 1
    undo_run(db.engine, folded.run_id)
    assert len(assert_exact(db.engine)) == 2

    local = {"Date d'orientation": "07/02/2024", "Type d'orientation": "Parcours Creuse Rebond"}
    _import(db, users_export([_user(5, entry, **local)]))
    before = assert_exact(db.engine)
    assert "non_renseigne" in {row[6] for row in before}
    assert apply_mapping(db.engine, {**LOCAL_TYPES, "Parcours Creuse Rebond": "socio_pro"}) == 1
    after = assert_exact(db.engine)
    assert "socio_pro" in {row[6] for row in after}


def test_demo_fills_the_timeline_and_the_migration_fill_agrees(db):
    generate_demo(db.engine, db.settings, scale=1_000, seed=5, as_of=D(2025, 6, 30))
    rows = assert_exact(db.engine)
    assert len(rows) == 1_000
    assert sum(1 for row in rows if row[5] is not None) > 100  # oriented persons
    assert sum(1 for row in rows if row[8] is not None) > 50  # contracts after orientation
    # A decision before the entry counts for the legal delay when the delay started before.
    with db.engine.begin() as conn:
        conn.execute(delete(TIMELINE))
        conn.execute(text(_migration_fill("0007_person_timeline", "FILL")))
    assert stored(db.engine) == rows
    decisions = stored_decisions(db.engine)
    assert len(decisions) > 100
    assert sum(1 for row in decisions if row[5] is not None) > 10  # a later decision
    assert sum(1 for row in decisions if row[6] is not None) > 50  # a contract after it
    with db.engine.begin() as conn:
        conn.execute(delete(DECISIONS))
        conn.execute(text(_migration_fill("0010_decision_timeline", "FILL")))
    assert stored_decisions(db.engine) == decisions
    # Running the demo again replaces the rows, still exact.
    generate_demo(db.engine, db.settings, scale=800, seed=6, as_of=D(2025, 6, 30))
    assert len(assert_exact(db.engine)) == 800


def test_refresh_of_a_few_persons_equals_a_rebuild(db):
    generate_demo(db.engine, db.settings, scale=600, seed=3, as_of=D(2025, 6, 30))
    with db.engine.begin() as conn:
        ids = list(conn.execute(select(Orientation.person_id).limit(5)).scalars())
        # Written behind the timeline's back, then refreshed for those persons only.
        conn.execute(delete(Orientation).where(Orientation.person_id.in_(ids)))
        conn.execute(delete(Contract).where(Contract.person_id.in_(ids[:2])))
        assert timeline.refresh(conn, ids) == len(set(ids))
    assert_exact(db.engine)


def _migration_fill(name: str, attribute: str):  # type: ignore[no-untyped-def]
    import importlib

    return getattr(importlib.import_module(f"data_access.migrations.versions.{name}"), attribute)
