"""Loading of the seed roadmap into ``roadmap_steps`` (filled in by the roadmap work)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from settings import Settings


def load_seed_roadmap(session: Session, settings: Settings) -> int:
    """Insert the département's seed roadmap steps that are not in the database yet."""
    return 0
