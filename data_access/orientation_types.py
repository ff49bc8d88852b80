"""A département's own orientation type names and their national type.

Why: RDV-Insertion lets a département define its own orientation types (« Remobilisation
renforcée »…). The import keeps such an orientation with its name as written and the national
type the setting ``PILOTAGE_ORIENTATION_TYPE_MAP`` gives it (« non renseigné » when none), so
that the mapping can be completed later and applied to what is already stored, without
re-importing (``pilotage orientation-types --apply``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Engine, func, select, update

from data_access import timeline
from data_access.importers.reading import match_key
from data_access.schema import UNKNOWN_ORIENTATION_TYPE, Orientation


@dataclass(frozen=True)
class LocalType:
    """One local type name as stored, the national type it has, and how many decisions."""

    label: str
    stored_type: str
    decisions: int


def local_types(engine: Engine) -> list[LocalType]:
    """Every local type name stored, with its national type and its number of decisions."""
    query = (
        select(
            Orientation.type_label,
            Orientation.orientation_type,
            func.count().label("decisions"),
        )
        .where(Orientation.type_label.is_not(None))
        .group_by(Orientation.type_label, Orientation.orientation_type)
        .order_by(Orientation.type_label, Orientation.orientation_type)
    )
    with engine.connect() as conn:
        return [
            LocalType(row.type_label, row.orientation_type, int(row.decisions))
            for row in conn.execute(query)
            if row.type_label is not None  # never: the query keeps named types only
        ]


def apply_mapping(engine: Engine, mapping: Mapping[str, str]) -> int:
    """Give every stored local type name the type ``mapping`` assigns it (« non renseigné »
    when it assigns none); returns the number of decisions whose type changed."""
    by_key = {match_key(name): kind for name, kind in mapping.items()}
    changed = 0
    with engine.begin() as conn:
        labels = conn.execute(
            select(Orientation.type_label).where(Orientation.type_label.is_not(None)).distinct()
        ).scalars()
        persons: set[int] = set()
        for label in [name for name in labels if name is not None]:
            kind = by_key.get(match_key(label), UNKNOWN_ORIENTATION_TYPE)
            retyped = (Orientation.type_label == label, Orientation.orientation_type != kind)
            persons.update(conn.execute(select(Orientation.person_id).where(*retyped)).scalars())
            changed += conn.execute(
                update(Orientation).where(*retyped).values(orientation_type=kind)
            ).rowcount
        # The first orientation's type is in the per-person timeline too.
        timeline.refresh(conn, persons)
    return changed
