"""What the database holds: row counts per table, period covered, last import.

These are counts of records (not of persons in a territory), shown to administrators on the
« Données » page; they reveal nothing about an individual.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, func, select

from data_access.schema import (
    Accompaniment,
    Appointment,
    CompanyAction,
    Contract,
    ImportRun,
    Invitation,
    Meeting,
    Metadata,
    Need,
    Orientation,
    PartnerService,
    Person,
    RoadmapStep,
)

TABLE_LABELS_FR = {
    Person: "Bénéficiaires",
    Invitation: "Invitations et convocations",
    Appointment: "Rendez-vous",
    Orientation: "Orientations",
    Contract: "Contrats",
    Accompaniment: "Accompagnements",
    Need: "Besoins (freins)",
    PartnerService: "Services partenaires",
    CompanyAction: "Actions des entreprises",
    RoadmapStep: "Étapes de la feuille de route",
    Meeting: "Instances",
}


@dataclass(frozen=True)
class LastImport:
    """The most recent import run."""

    source: str
    file_name: str
    finished_at: dt.datetime | None
    status: str


@dataclass(frozen=True)
class DatabaseSummary:
    """Counts per table, the period the entries cover, the last import, the demo marker."""

    counts: dict[str, int]
    first_entry: dt.date | None
    last_entry: dt.date | None
    last_import: LastImport | None
    demo: str | None


def database_summary(engine: Engine) -> DatabaseSummary:
    """Collect the inventory in a handful of aggregate queries."""
    with engine.connect() as conn:
        counts = {
            label: conn.execute(select(func.count()).select_from(model)).scalar_one()
            for model, label in TABLE_LABELS_FR.items()
        }
        first, last = conn.execute(
            select(func.min(Person.entry_date), func.max(Person.entry_date))
        ).one()
        run = conn.execute(
            select(ImportRun.source, ImportRun.file_name, ImportRun.finished_at, ImportRun.status)
            .order_by(ImportRun.id.desc())
            .limit(1)
        ).first()
        demo = conn.execute(
            select(Metadata.value).where(Metadata.key == "demo")
        ).scalar_one_or_none()
    last_import = LastImport(*run) if run else None
    return DatabaseSummary(counts, first, last, last_import, demo)


def is_demo_database(engine: Engine) -> bool:
    """True when the data were made by ``pilotage demo`` (the app then shows a banner)."""
    with engine.connect() as conn:
        return (
            conn.execute(select(Metadata.value).where(Metadata.key == "demo")).scalar_one_or_none()
            is not None
        )
