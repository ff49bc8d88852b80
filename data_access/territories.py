"""Reference territories: communes with their EPCI and UTAS, and postal codes.

A département other than Creuse points ``PILOTAGE_COMMUNES_FILE`` at its own communes file;
any département can replace the commune → UTAS mapping with ``PILOTAGE_UTAS_FILE``.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from data_access.exceptions import ReferenceDataError
from data_access.schema import Commune, PostalCode
from settings import Settings

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"
DEFAULT_COMMUNES = REFERENCE_DIR / "creuse_communes.csv"
DEFAULT_POSTAL_CODES = REFERENCE_DIR / "creuse_codes_postaux.csv"
GEOJSON_FILE = REFERENCE_DIR / "creuse_communes.geojson"
COMMUNE_COLUMNS = ("code_insee", "nom", "population", "epci_siren", "epci_nom", "utas")


@dataclass(frozen=True)
class CommuneRow:
    """A commune as read from a reference file."""

    code_insee: str
    name: str
    population: int | None
    epci_siren: str | None
    epci_name: str | None
    utas: str | None


def _read_csv(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return list(csv.DictReader(handle))
    except OSError as exc:
        raise ReferenceDataError(
            f"Fichier de référence illisible : {path} ({exc.strerror})."
        ) from None


def read_communes(settings: Settings) -> list[CommuneRow]:
    """Communes of the configured département, with the UTAS mapping file applied if any."""
    path = settings.communes_file or DEFAULT_COMMUNES
    if settings.communes_file is None and settings.departement_code != "23":
        raise ReferenceDataError(
            f"Aucun fichier de communes pour le département {settings.departement_code} : "
            "indiquez-le avec PILOTAGE_COMMUNES_FILE."
        )
    rows = _read_csv(path)
    missing = [c for c in COMMUNE_COLUMNS if rows and c not in rows[0]]
    if not rows or missing:
        raise ReferenceDataError(
            f"Fichier de communes {path.name} : colonnes manquantes {', '.join(missing) or '?'}."
        )
    utas_override = read_utas_mapping(settings.utas_file) if settings.utas_file else {}
    communes = []
    for line, row in enumerate(rows, start=2):
        code = row["code_insee"].strip()
        if len(code) != 5:
            raise ReferenceDataError(
                f"Fichier de communes {path.name}, ligne {line} : code INSEE invalide « {code} »."
            )
        population = row["population"].strip()
        communes.append(
            CommuneRow(
                code_insee=code,
                name=row["nom"].strip(),
                population=int(population) if population.isdigit() else None,
                epci_siren=row["epci_siren"].strip() or None,
                epci_name=row["epci_nom"].strip() or None,
                utas=utas_override.get(code, row["utas"].strip() or None),
            )
        )
    return communes


def read_utas_mapping(path: Path) -> dict[str, str]:
    """Read a ``code_insee,utas`` file that replaces the default UTAS of each commune."""
    rows = _read_csv(path)
    if not rows or "code_insee" not in rows[0] or "utas" not in rows[0]:
        raise ReferenceDataError(
            f"Fichier UTAS {path.name} : les colonnes code_insee et utas sont attendues."
        )
    return {r["code_insee"].strip(): r["utas"].strip() for r in rows if r["utas"].strip()}


def load_territories(session: Session, settings: Settings) -> int:
    """Insert or refresh communes and postal codes; returns the number of communes."""
    communes = read_communes(settings)
    existing = {c.code_insee: c for c in session.scalars(select(Commune))}
    for row in communes:
        commune = existing.get(row.code_insee) or Commune(code_insee=row.code_insee)
        commune.name = row.name
        commune.population = row.population
        commune.epci_siren = row.epci_siren
        commune.epci_name = row.epci_name
        commune.utas = row.utas
        commune.departement_code = settings.departement_code
        session.add(commune)
    session.flush()
    known = {row.code_insee for row in communes}
    if settings.communes_file is None:
        session.execute(delete(PostalCode))
        for postal in _read_csv(DEFAULT_POSTAL_CODES):
            if postal["code_insee"] in known:
                session.add(
                    PostalCode(
                        postal_code=postal["code_postal"].strip(),
                        code_insee=postal["code_insee"].strip(),
                        name=postal["nom"].strip(),
                    )
                )
    session.flush()
    return len(communes)


def list_territories(engine: Engine) -> dict[str, list[tuple[str, str]]]:
    """Territory choices for the scope bar: (code, French label) per level."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                Commune.code_insee,
                Commune.name,
                Commune.epci_siren,
                Commune.epci_name,
                Commune.utas,
            ).order_by(Commune.name)
        ).all()
    utas = sorted({r.utas for r in rows if r.utas})
    epcis = sorted(
        {(r.epci_siren, r.epci_name or r.epci_siren) for r in rows if r.epci_siren},
        key=lambda item: item[1],
    )
    return {
        "utas": [(u, f"UTAS {u}") for u in utas],
        "epci": epcis,
        "commune": [(r.code_insee, f"{r.name} ({r.code_insee})") for r in rows],
    }


def boundaries_file(settings: Settings) -> Path:
    """The GeoJSON of the département's communes: the setting, else the Creuse file."""
    return settings.communes_geojson_file or GEOJSON_FILE


@lru_cache(maxsize=4)
def load_geojson(path: Path) -> dict[str, Any]:
    """The communes' boundaries (read once per file and process); French error if unusable.

    Read here rather than by the map: charts draw what their caller hands them."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReferenceDataError(
            f"Contours des communes illisibles ({path.name}) : {type(exc).__name__}. "
            "Vérifiez PILOTAGE_COMMUNES_GEOJSON_FILE."
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("features"), list):
        raise ReferenceDataError(
            f"Contours des communes ({path.name}) : une FeatureCollection GeoJSON est attendue."
        )
    return data
