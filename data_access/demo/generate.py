"""A reproducible synthetic département: ``pilotage demo`` and the app's first run.

``generate_demo`` REPLACES the operational data (persons and every event table, the partner
offer, company actions) with synthetic data laid over the configured département's communes,
from the pilot start (17 Feb 2023) to the as-of date, and records what it did in
``app_metadata`` (key ``demo``). Communes, postal codes, roadmap and import history stay.

The same seed, scale, as-of date and pseudonymisation key always give the same database
content: every draw comes from one seeded numpy generator per part (persons, offer,
companies), identifiers are written explicitly, and nothing reads the clock except the
default as-of date. Scales: ``creuse`` (a stock of about 2,700 households and about 200
entrants a month), ``large`` (100,000 persons), ``national`` (2,000,000), or a number of
persons; the larger scales keep the same shapes, only the counts grow.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Engine, delete, insert, select
from sqlalchemy.orm import Session

from data_access import timeline
from data_access.db import check_connection, has_schema
from data_access.demo.governance import fill_demo_governance
from data_access.demo.load import (
    bulk_connection,
    clear_operational_data,
    deferred_indexes,
    load_table,
)
from data_access.demo.model import PILOT_START, day
from data_access.demo.offer import Territory, company_table, offer_tables
from data_access.demo.people import creuse_person_count, generate_people
from data_access.exceptions import DataAccessError, SchemaError
from data_access.schema import Commune, Metadata
from settings import Settings

SCALES = {"creuse": None, "large": 100_000, "national": 2_000_000}
MIN_PERSONS = 100
METADATA_KEY = "demo"


class DemoError(DataAccessError):
    """The demo cannot be generated as asked (bad scale, date, or no communes)."""


@dataclass(frozen=True)
class DemoReport:
    """What the demo wrote, for the CLI's French summary and the benchmarks."""

    scale: str
    seed: int
    as_of: dt.date
    persons: int
    counts: dict[str, int]
    generation_seconds: float
    loading_seconds: float

    @property
    def seconds(self) -> float:
        """Total duration (generation + loading)."""
        return self.generation_seconds + self.loading_seconds


def parse_scale(value: str | int) -> str | int:
    """``creuse``, ``large``, ``national`` or a number of persons (at least 100)."""
    if isinstance(value, int):
        number = value
    else:
        cleaned = str(value).strip().lower().replace("_", "").replace(" ", "")
        if cleaned in SCALES:
            return cleaned
        if not cleaned.isdigit():
            raise DemoError(
                f"Échelle inconnue « {value} » : choisir creuse, large, national "
                "ou un nombre de personnes."
            )
        number = int(cleaned)
    if number < MIN_PERSONS:
        raise DemoError(f"L'échelle doit compter au moins {MIN_PERSONS} personnes.")
    return number


def person_count(scale: str | int, as_of: dt.date) -> int:
    """Number of persons for a scale: Creuse depends on the length of the period."""
    if isinstance(scale, int):
        return scale
    return SCALES[scale] or creuse_person_count(day(as_of))


def read_territory(engine: Engine, settings: Settings) -> Territory:
    """The configured département's communes, from the ``communes`` table."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                Commune.code_insee,
                Commune.name,
                Commune.population,
                Commune.epci_siren,
                Commune.epci_name,
            )
            .where(Commune.departement_code == settings.departement_code)
            .order_by(Commune.code_insee)
        ).all()
    if not rows:
        raise DemoError(
            f"Aucune commune du département {settings.departement_code} dans la base : "
            "lancez d'abord « pilotage init-db »."
        )
    return Territory(
        codes=np.array([r.code_insee for r in rows], dtype=object),
        names=np.array([r.name for r in rows], dtype=object),
        populations=np.array([r.population or 0 for r in rows], dtype=np.int64),
        epci_sirens=np.array([r.epci_siren for r in rows], dtype=object),
        epci_names=np.array([r.epci_name for r in rows], dtype=object),
        departement=settings.departement_code,
    )


def generate_demo(
    engine: Engine,
    settings: Settings,
    scale: str | int = "creuse",
    seed: int = 2023,
    as_of: dt.date | None = None,
) -> DemoReport:
    """Replace the operational data with the synthetic département; all or nothing."""
    started = time.perf_counter()
    scale = parse_scale(scale)
    as_of = as_of or dt.date.today()
    if as_of < PILOT_START:
        raise DemoError("La date d'observation doit être postérieure au 17 février 2023.")
    check_connection(engine)
    if not has_schema(engine):
        raise SchemaError("La base n'a pas de schéma : lancez d'abord « pilotage init-db ».")
    territory = read_territory(engine, settings)
    persons = person_count(scale, as_of)
    factor = persons / creuse_person_count(day(as_of))
    # A fourth stream for the dates of the legal delays: the first three, hence every other
    # column, are those the same seed always gave.
    people_rng, offer_rng, company_rng, legal_rng = (
        np.random.default_rng(child) for child in np.random.SeedSequence(seed).spawn(4)
    )
    people = generate_people(
        people_rng,
        persons,
        day(as_of),
        territory.codes,
        territory.populations,
        settings.pseudonymisation_key,
        legal_rng,
    )
    tables = [
        *people.tables,
        *offer_tables(offer_rng, territory, day(as_of)),
        company_table(company_rng, factor, day(as_of)),
    ]
    generated = time.perf_counter()
    counts: dict[str, int] = {}
    with bulk_connection(engine) as conn, conn.begin():
        # On SQLite the DELETEs open the transaction the index changes then join.
        clear_operational_data(conn)
        with deferred_indexes(conn, sum(len(table) for table in tables)):
            for table in tables:
                counts[table.table.name] = load_table(conn, table)
        # Derived from the rows just loaded (after their indexes are back), in the same
        # transaction: the dashboard never sees persons without their timeline.
        timeline.rebuild(conn)
        conn.execute(delete(Metadata).where(Metadata.key == METADATA_KEY))
        conn.execute(
            insert(Metadata).values(
                key=METADATA_KEY,
                value=json.dumps(
                    {"scale": scale, "seed": seed, "as_of": as_of.isoformat()}, sort_keys=True
                ),
            )
        )
        fill_demo_governance(Session(bind=conn), settings, as_of, seed)
    # Fresh planner statistics on everything just replaced (the server may run without
    # autovacuum, and a planner that believes the tables empty picks nested loops).
    with engine.begin() as conn:
        timeline.refresh_statistics(conn, every_table=True)
    return DemoReport(
        scale=str(scale),
        seed=seed,
        as_of=as_of,
        persons=persons,
        counts=counts,
        generation_seconds=generated - started,
        loading_seconds=time.perf_counter() - generated,
    )


TABLE_LABELS_FR = {
    "persons": "personnes",
    "invitations": "invitations et convocations",
    "appointments": "rendez-vous",
    "orientations": "orientations",
    "contracts": "contrats",
    "accompaniments": "accompagnements",
    "needs": "besoins",
    "partner_services": "services partenaires",
    "company_actions": "actions d'entreprises",
}


def describe_report(report: DemoReport) -> str:
    """The French summary the CLI prints: scale, seed, as-of date, counts and durations."""
    from babel.numbers import format_decimal

    from formatting import format_date

    def number(value: float, pattern: str | None = None) -> str:
        return format_decimal(value, format=pattern, locale="fr_FR")

    counts = ", ".join(
        f"{number(report.counts.get(table, 0))} {label}" for table, label in TABLE_LABELS_FR.items()
    )
    return (
        f"Démonstration générée (échelle {report.scale}, graine {report.seed}, "
        f"au {format_date(report.as_of)}) : {counts}. "
        f"Durée : {number(report.seconds, '0.0')} s (génération "
        f"{number(report.generation_seconds, '0.0')} s, chargement "
        f"{number(report.loading_seconds, '0.0')} s)."
    )
