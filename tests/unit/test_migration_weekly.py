"""Migration 0005 on a database written before it: « PE » becomes « France Travail » in roadmap
owners, action owners and meeting attendance; meetings and actions get a version."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from data_access.db import make_engine
from data_access.migrate import alembic_config


def _upgrade(engine, revision: str) -> None:  # type: ignore[no-untyped-def]
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def test_pe_becomes_france_travail(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    _upgrade(engine, "0001")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO roadmap_steps (step_id, axis, target, step, owners, status, "
                "position, version) VALUES ('X-1', 'Axe', 'Cible', 'Faire', 'PE|CD', "
                "'a_faire', 1, 1), ('X-2', 'Axe', 'Cible', 'Faire', 'CD|CAF', 'a_faire', 2, 1)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO meetings (id, kind, date, title, institutions) VALUES "
                "(1, 'point_hebdomadaire', '2023-05-05', 'Point', 'CD|PE|État')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO meeting_actions (id, meeting_id, kind, text, owner, status) "
                "VALUES (1, 1, 'action', 'Relancer', 'PE', 'ouverte')"
            )
        )
    _upgrade(engine, "head")
    with engine.connect() as conn:
        owners = dict(conn.execute(text("SELECT step_id, owners FROM roadmap_steps")).all())
        meeting = conn.execute(text("SELECT institutions, version FROM meetings")).one()
        action = conn.execute(
            text("SELECT owner, owner_person, version FROM meeting_actions")
        ).one()
    assert owners == {"X-1": "France Travail|CD", "X-2": "CD|CAF"}
    assert tuple(meeting) == ("CD|France Travail|État", 1)
    assert tuple(action) == ("France Travail", None, 1)
    engine.dispose()
