"""Loading of the seed roadmap into ``roadmap_steps``.

The Creuse roadmap (``reference/feuille_de_route_creuse.csv``, transcribed by hand from the
département's published « Feuille de route du territoire ») is what the weekly point and the
committee review line by line, so ``init-db`` puts it in the database. Another département gives
its own file with ``PILOTAGE_ROADMAP_FILE``. Loading inserts only the steps that are missing:
it never touches a step already there, so statuses edited by project leads survive a rerun.
Due labels are parsed at load time with the configured reference year (2023 for the seed).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access.due_dates import parse_due_label
from data_access.exceptions import DataAccessError, ReferenceDataError
from data_access.institutions import Institution, institutions_for
from data_access.roadmap import owners_text, parse_owners
from data_access.schema import RoadmapStep
from settings import Settings

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"
DEFAULT_ROADMAP = REFERENCE_DIR / "feuille_de_route_creuse.csv"
SEED_COLUMNS = ("step_id", "table", "axis", "target", "step", "due_label", "owners")
REQUIRED = ("step_id", "axis", "target", "step")


@dataclass(frozen=True)
class SeedStep:
    """One step of the seed file, owners already split into canonical parties."""

    step_id: str
    table: str
    axis: str
    target: str
    step: str
    due_label: str | None
    owners: tuple[str, ...]
    position: int


def seed_path(settings: Settings) -> Path | None:
    """The roadmap file for the configured département, or None when it has none."""
    if settings.roadmap_file is not None:
        return settings.roadmap_file
    return DEFAULT_ROADMAP if settings.departement_code == "23" else None


def read_seed(path: Path, institutions: tuple[Institution, ...] | None = None) -> list[SeedStep]:
    """Read and check a roadmap file; every problem names its line and column, in French."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as exc:
        raise ReferenceDataError(
            f"Fichier de feuille de route illisible : {path} ({exc.strerror})."
        ) from None
    missing = [c for c in REQUIRED if not rows or c not in rows[0]]
    if missing:
        raise ReferenceDataError(
            f"Fichier de feuille de route {path.name} : colonnes manquantes {', '.join(missing)}."
        )
    steps: list[SeedStep] = []
    seen: set[str] = set()
    for index, row in enumerate(rows):
        line = index + 2
        values = {k: (v or "").strip() for k, v in row.items() if k}
        for column in REQUIRED:
            if not values.get(column):
                raise ReferenceDataError(
                    f"Fichier de feuille de route {path.name}, ligne {line} : "
                    f"« {column} » est vide."
                )
        if values["step_id"] in seen:
            raise ReferenceDataError(
                f"Fichier de feuille de route {path.name}, ligne {line} : identifiant "
                f"« {values['step_id']} » en double."
            )
        seen.add(values["step_id"])
        try:
            owners = parse_owners(values.get("owners"), institutions)
        except DataAccessError as exc:
            raise ReferenceDataError(
                f"Fichier de feuille de route {path.name}, ligne {line}, colonne owners : {exc}"
            ) from None
        steps.append(
            SeedStep(
                step_id=values["step_id"],
                table=values.get("table", ""),
                axis=values["axis"],
                target=values["target"],
                step=values["step"],
                due_label=values.get("due_label") or None,
                owners=owners,
                position=index + 1,
            )
        )
    return steps


def load_seed_roadmap(session: Session, settings: Settings) -> int:
    """Insert the département's seed roadmap steps that are not in the database yet.

    Returns the number of seed steps now in the database (the same on a rerun, so that
    ``init-db`` reports the same thing twice). Steps already present, edited or not, are left
    exactly as they are.
    """
    path = seed_path(settings)
    if path is None:
        return 0
    steps = read_seed(path, institutions_for(settings))
    existing = set(session.scalars(select(RoadmapStep.step_id)).all())
    for seed in steps:
        if seed.step_id in existing:
            continue
        try:
            due = parse_due_label(seed.due_label, settings.roadmap_reference_year)
        except DataAccessError as exc:
            raise ReferenceDataError(
                f"Fichier de feuille de route {path.name}, étape {seed.step_id} : {exc}"
            ) from None
        session.add(
            RoadmapStep(
                step_id=seed.step_id,
                axis=seed.axis,
                target=seed.target,
                step=seed.step,
                due_label=seed.due_label,
                due_date=due,
                owners=owners_text(seed.owners),
                status="a_faire",
                position=seed.position,
                version=1,
            )
        )
    session.flush()
    return len(steps)
