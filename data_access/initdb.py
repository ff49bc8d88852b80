"""``init-db``: bring the schema to head and load the reference data (safe to run twice)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from data_access.db import check_connection, session_scope
from data_access.migrate import upgrade_to_head
from data_access.territories import load_territories
from settings import Settings


@dataclass(frozen=True)
class InitReport:
    """What init-db did, for the CLI's French summary."""

    communes: int
    roadmap_steps: int


def init_database(engine: Engine, settings: Settings) -> InitReport:
    """Migrate to head, then load communes, postal codes and the seed roadmap."""
    from data_access.roadmap_seed import load_seed_roadmap

    check_connection(engine)
    upgrade_to_head(engine)
    with session_scope(engine) as session:
        communes = load_territories(session, settings)
        steps = load_seed_roadmap(session, settings)
    return InitReport(communes=communes, roadmap_steps=steps)
