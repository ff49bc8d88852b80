"""Partner offer in the national data·inclusion standard (schema v1): structures and services.

Why a module of its own: the département does not keep a register of partner offers, DORA and
data·inclusion do. Their exports (JSON or CSV) are validated with the models of the PyPI package
``data-inclusion-schema`` (the standard's own rules, not a copy of them), reduced to what the
coverage indicators need, and filtered to the département: a service is kept when its
``zone_eligibilite`` holds one of its communes, one of its EPCI, its code or ``france``.

The bundle's ``services.csv`` goes through the same normalisation (``ServiceRow`` and
``write_offer``) so that both sources feed ``partner_services`` identically.
"""

from __future__ import annotations

import ast
import json
import re
import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pydantic
from data_inclusion.schema import v1
from sqlalchemy import Connection, delete, select
from sqlalchemy.orm import Session

from data_access.exceptions import DataAccessError
from data_access.schema import (
    Commune,
    PartnerService,
    PartnerStructure,
    ServiceThematique,
    ServiceZone,
)

SOURCE = "data_inclusion"
# Networks of the IAE (insertion par l'activité économique), as the roadmap counts them.
IAE_NETWORKS: frozenset[str] = frozenset({"ei", "aci", "ai", "etti", "eiti", "geiq"})
FRANCE_CODES = frozenset({"france", "99100"})
THEMATIQUE_SEPARATOR = "--"

_LIST_SPLIT = re.compile(r"\s*[|;,]\s*")


class DataInclusionFileError(DataAccessError):
    """The file cannot be read as a data·inclusion export (not JSON/CSV, no known columns)."""


# --- territory -----------------------------------------------------------------------------


def zone_kind(code: str) -> str | None:
    """Kind of a ``zone_eligibilite`` code: commune, epci, departement, france; None if foreign.

    INSEE codes: 9 digits = EPCI SIREN, 5 characters = commune (``99xxx`` = a country, only
    ``99100`` being France), 2–3 characters = département.
    """
    value = code.strip()
    if value.lower() in FRANCE_CODES:
        return "france"
    if len(value) == 9 and value.isdigit():
        return "epci"
    if len(value) == 5:
        return None if value.startswith("99") else "commune"
    if 2 <= len(value) <= 3:
        return "departement"
    return None


@dataclass(frozen=True)
class OfferArea:
    """The département as zone codes: its code, its communes and its EPCI SIRENs."""

    departement_code: str
    communes: frozenset[str]
    epcis: frozenset[str]

    def touches(self, zones: Iterable[tuple[str, str]]) -> bool:
        """True when one of the (code, kind) zones lies in or contains the département."""
        for code, kind in zones:
            if kind == "france":
                return True
            if kind == "departement" and code.upper() == self.departement_code:
                return True
            if kind == "epci" and code in self.epcis:
                return True
            if kind == "commune" and code.upper() in self.communes:
                return True
        return False


def load_area(conn: Connection | Session, departement_code: str) -> OfferArea:
    """The département's communes and EPCI as loaded by ``init-db``."""
    rows = conn.execute(select(Commune.code_insee, Commune.epci_siren)).all()
    return OfferArea(
        departement_code=departement_code.upper(),
        communes=frozenset(r.code_insee for r in rows),
        epcis=frozenset(r.epci_siren for r in rows if r.epci_siren),
    )


# --- normalised rows -----------------------------------------------------------------------


@dataclass(frozen=True)
class StructureRow:
    """A partner structure reduced to what the dashboard uses."""

    source_id: str
    name: str
    siret: str | None = None
    code_insee: str | None = None
    reseaux_porteurs: tuple[str, ...] = ()

    @property
    def is_iae(self) -> bool:
        """True when one of its networks is an IAE network (EI, ACI, AI, ETTI, EITI, GEIQ)."""
        return any(r in IAE_NETWORKS for r in self.reseaux_porteurs)


@dataclass(frozen=True)
class ServiceRow:
    """A partner service reduced to what the coverage indicators use (one for both sources)."""

    service_id: str
    name: str
    thematiques: tuple[str, ...]
    zones: tuple[tuple[str, str], ...]
    structure_source_id: str | None = None
    structure_name: str | None = None
    modes_accueil: tuple[str, ...] = ()
    capacity: int | None = None
    start_date: Any = None
    end_date: Any = None

    @property
    def categories(self) -> tuple[str, ...]:
        """Distinct categories of its thématiques (the part before ``--``)."""
        return tuple(dict.fromkeys(category_of(t) for t in self.thematiques))


def category_of(thematique: str) -> str:
    """Category of a thématique: ``mobilite--preparer-un-permis`` → ``mobilite``."""
    return thematique.split(THEMATIQUE_SEPARATOR, 1)[0]


def zones_of(codes: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """(code, kind) of each code, foreign countries dropped, duplicates removed."""
    zones: dict[str, str] = {}
    for code in codes:
        kind = zone_kind(code)
        if kind is None:
            continue
        key = "france" if kind == "france" else code.strip().upper()
        zones.setdefault(key, kind)
    return tuple(zones.items())


# --- reading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RawRecord:
    """One record as read: its kind, its position in the file and its fields."""

    kind: str  # "structure" | "service"
    number: int  # spreadsheet line for CSV (header = 1), 1-based record index for JSON
    data: dict[str, Any]


@dataclass(frozen=True)
class RecordError:
    """A record refused by validation, with where it is and why (French)."""

    file_name: str
    number: int
    position: str  # "ligne", "enregistrement", "structure n°" or "service n°"
    field: str | None
    message: str

    def describe(self) -> str:
        """One French line: file, position, field and reason."""
        where = f"{self.file_name}, {self.position} {self.number}"
        if self.field:
            return f"{where}, champ « {self.field} » : {self.message}"
        return f"{where} : {self.message}"


@dataclass(frozen=True)
class SkippedService:
    """A valid service whose eligibility zone lies outside the département."""

    file_name: str
    number: int
    position: str
    service_id: str
    zones: tuple[str, ...]

    def describe(self) -> str:
        """One French line naming the service and its zone."""
        zone = ", ".join(self.zones) if self.zones else "aucune zone d'éligibilité"
        return (
            f"{self.file_name}, {self.position} {self.number} : service « {self.service_id} » "
            f"hors du département (zone : {zone})"
        )


@dataclass
class OfferBatch:
    """Everything read from one or more files, before writing."""

    structures: list[StructureRow] = field(default_factory=list)
    services: list[ServiceRow] = field(default_factory=list)
    skipped: list[SkippedService] = field(default_factory=list)
    skipped_structures: int = 0
    errors: list[RecordError] = field(default_factory=list)
    structures_read: int = 0
    services_read: int = 0

    @property
    def rows_read(self) -> int:
        """Records read, valid or not."""
        return self.structures_read + self.services_read


def _kind_of(record: Mapping[str, Any]) -> str:
    """A service carries ``structure_id``; a structure does not."""
    return "service" if "structure_id" in record else "structure"


def read_json_records(path: Path, text: str) -> list[RawRecord]:
    """Records of a JSON export: a list, ``{"structures": […], "services": […]}`` or the
    paginated API shape ``{"items": […]}``."""
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataInclusionFileError(
            f"{path.name} : JSON invalide (ligne {exc.lineno}, colonne {exc.colno})."
        ) from None
    groups: list[tuple[str | None, list]] = []
    if isinstance(payload, list):
        groups.append((None, payload))
    elif isinstance(payload, dict) and any(k in payload for k in ("structures", "services")):
        groups += [("structure", payload.get("structures") or [])]
        groups += [("service", payload.get("services") or [])]
    elif isinstance(payload, dict) and isinstance(payload.get("items"), list):
        groups.append((None, payload["items"]))
    else:
        raise DataInclusionFileError(
            f"{path.name} : une liste de structures ou de services data·inclusion est attendue."
        )
    records: list[RawRecord] = []
    for forced_kind, items in groups:
        for index, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                item = {"__invalid__": item}
            records.append(RawRecord(forced_kind or _kind_of(item), index, item))
    return records


def read_csv_records(path: Path, rows: Sequence[Mapping[str, str]]) -> list[RawRecord]:
    """Records of a CSV export; the kind follows the columns (``structure_id`` = services)."""
    if not rows:
        return []
    kind = _kind_of(rows[0])
    if "id" not in rows[0]:
        raise DataInclusionFileError(
            f"{path.name} : colonne « id » absente, ce n'est pas un export data·inclusion."
        )
    return [RawRecord(kind, line, dict(row)) for line, row in enumerate(rows, start=2)]


# --- validation with the data·inclusion models ---------------------------------------------


def _is_list_field(annotation: Any) -> bool:
    """True for ``set[X] | None`` / ``list[X] | None`` fields of the models."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return any(_is_list_field(arg) for arg in typing.get_args(annotation))
    return typing.get_origin(annotation) in (list, set)


LIST_FIELDS: dict[str, frozenset[str]] = {
    kind: frozenset(name for name, f in model.model_fields.items() if _is_list_field(f.annotation))
    for kind, model in (("service", v1.Service), ("structure", v1.Structure))
}
MODELS: dict[str, type[pydantic.BaseModel]] = {"service": v1.Service, "structure": v1.Structure}


def split_list(value: Any) -> list[str] | None:
    """A list field as CSV exports write it: JSON array, ``{a,b}``, ``['a']`` or ``a|b``."""
    if value is None:
        return None
    if isinstance(value, list | tuple | set):
        return [str(v) for v in value]
    text = str(value).strip()
    if not text:
        return None
    if text.startswith("["):
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError:
            try:
                parsed = ast.literal_eval(text)
            except (ValueError, SyntaxError):
                parsed = None
        if isinstance(parsed, list):
            return [str(v) for v in parsed]
    if text.startswith("{") and text.endswith("}"):
        text = text[1:-1]
    return [part.strip().strip("\"'") for part in _LIST_SPLIT.split(text) if part.strip()]


def _prepared(kind: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """Empty strings as missing values, list fields as lists (CSV gives only strings)."""
    prepared: dict[str, Any] = {}
    for key, value in data.items():
        if key is None:
            continue
        name = str(key).strip()
        if isinstance(value, str):
            value = value.strip()
            if value == "":
                continue
        if value is None:
            continue
        if name in LIST_FIELDS[kind]:
            value = split_list(value)
            if value is None:
                continue
        prepared[name] = value
    return prepared


_FIELD_LABELS = {"zone_eligibilite": "zone_eligibilite", "nom": "nom", "date_maj": "date_maj"}


def _french_message(error: Mapping[str, Any]) -> str:
    """A pydantic error of the data·inclusion models as a French sentence."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    value = error.get("input")
    if kind == "missing":
        return "valeur obligatoire manquante"
    if kind == "string_too_short":
        return f"texte trop court (au moins {ctx.get('min_length')} caractères)"
    if kind == "string_too_long":
        return f"texte trop long (au plus {ctx.get('max_length')} caractères)"
    if kind == "too_short":
        return "liste vide"
    if kind == "string_pattern_mismatch":
        return f"format invalide « {value} »"
    if kind == "enum":
        return f"valeur inconnue « {value} »"
    if kind.startswith("date") or kind.startswith("datetime"):
        return f"date invalide « {value} » (format AAAA-MM-JJ attendu)"
    if kind.startswith("url"):
        return f"adresse web invalide « {value} »"
    if kind in ("float_parsing", "int_parsing", "float_type", "int_type", "int_from_float"):
        return f"nombre attendu, « {value} » lu"
    if kind in ("greater_than_equal", "greater_than"):
        return f"valeur trop petite « {value} »"
    if kind == "value_error":
        message = str(error.get("msg", ""))
        if "email" in message:
            return f"adresse électronique invalide « {value} »"
        return message.removeprefix("Value error, ")
    if kind in ("string_type", "list_type", "set_type"):
        return f"type de valeur inattendu « {value} »"
    return f"valeur invalide « {value} »"


def french_errors(exc: pydantic.ValidationError) -> list[tuple[str, str]]:
    """(field, French message) per faulty value; a bad zone code gives one message, not five."""
    messages: dict[tuple[str, Any], tuple[str, str]] = {}
    for error in exc.errors():
        loc = error["loc"]
        name = str(loc[0]) if loc else ""
        index = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else None
        key = (name, index)
        if key in messages:
            continue
        if name == "zone_eligibilite" and index is not None:
            messages[key] = (name, f"code de zone invalide « {error.get('input')} »")
        elif name == "thematiques" and error["type"] == "enum":
            messages[key] = (name, f"thématique inconnue « {error.get('input')} »")
        else:
            messages[key] = (name, _french_message(error))
    return list(messages.values())


def _validate(kind: str, data: Mapping[str, Any]) -> pydantic.BaseModel | list[tuple[str, str]]:
    """The validated model, or the (field, message) list of what is wrong."""
    if "__invalid__" in data:
        return [("", "un objet JSON est attendu")]
    try:
        return MODELS[kind].model_validate(_prepared(kind, data))
    except pydantic.ValidationError as exc:
        return french_errors(exc)


def structure_row(model: v1.Structure) -> StructureRow:
    """The dashboard's view of a validated structure."""
    networks = tuple(sorted(r.value for r in model.reseaux_porteurs or ()))
    return StructureRow(
        source_id=model.id,
        name=model.nom,
        siret=model.siret,
        code_insee=model.code_insee,
        reseaux_porteurs=networks,
    )


def service_row(model: v1.Service, structure_name: str | None) -> ServiceRow:
    """The dashboard's view of a validated service (schema v1 has no dates nor capacity)."""
    return ServiceRow(
        service_id=model.id,
        name=model.nom,
        thematiques=tuple(sorted(t.value for t in model.thematiques or ())),
        zones=zones_of(model.zone_eligibilite or ()),
        structure_source_id=model.structure_id,
        structure_name=structure_name,
        modes_accueil=tuple(sorted(m.value for m in model.modes_accueil or ())),
    )


def _position(file_name: str, record: RawRecord) -> str:
    """How a user finds the record: spreadsheet line for CSV, numbered object for JSON."""
    if file_name.lower().endswith(".csv"):
        return "ligne"
    return f"{record.kind} n°"


def parse_records(
    file_name: str, records: Iterable[RawRecord], area: OfferArea, batch: OfferBatch
) -> None:
    """Validate records and sort them into kept, skipped (out of area) and rejected."""
    structures: dict[str, StructureRow] = {}
    services: list[tuple[RawRecord, v1.Service]] = []
    for record in records:
        position = _position(file_name, record)
        if record.kind == "structure":
            batch.structures_read += 1
        else:
            batch.services_read += 1
        result = _validate(record.kind, record.data)
        if isinstance(result, list):
            batch.errors += [
                RecordError(file_name, record.number, position, name or None, message)
                for name, message in result
            ]
            continue
        if isinstance(result, v1.Structure):
            structures[result.id] = structure_row(result)
        else:
            services.append((record, result))  # type: ignore[arg-type]
    for record, model in services:
        position = _position(file_name, record)
        owner = structures.get(model.structure_id)
        row = service_row(model, owner.name if owner else None)
        if area.touches(row.zones):
            batch.services.append(row)
        else:
            batch.skipped.append(
                SkippedService(
                    file_name,
                    record.number,
                    position,
                    model.id,
                    tuple(model.zone_eligibilite or ()),
                )
            )
    used = {s.structure_source_id for s in batch.services}
    for row in structures.values():
        if row.source_id in used or (row.code_insee or "").upper() in area.communes:
            batch.structures.append(row)
        else:
            batch.skipped_structures += 1


def read_file_records(path: Path, csv_rows: Sequence[Mapping[str, str]] | None) -> list[RawRecord]:
    """Records of one export file; CSV rows come already decoded by the shared reader."""
    if path.suffix.lower() == ".json":
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise DataInclusionFileError(f"{path.name} : fichier illisible ({exc}).") from None
        return read_json_records(path, text)
    if csv_rows is None:
        raise DataInclusionFileError(
            f"{path.name} : format non reconnu, un fichier .json ou .csv est attendu."
        )
    return read_csv_records(path, csv_rows)


# --- writing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class WriteCounts:
    """What ``write_offer`` changed."""

    structures: int
    services: int


def write_offer(
    session: Session,
    structures: Sequence[StructureRow],
    services: Sequence[ServiceRow],
    import_run_id: int | None,
) -> WriteCounts:
    """Upsert structures (on their id) and services (on their id) with thématiques and zones.

    The caller owns the transaction. A service's thématiques and zones are replaced as a whole,
    so re-importing the same file leaves the same rows.
    """
    known = {
        s.source_id: s
        for s in session.scalars(
            select(PartnerStructure).where(
                PartnerStructure.source_id.in_(
                    {r.source_id for r in structures}
                    | {r.structure_source_id for r in services if r.structure_source_id}
                )
            )
        )
    }
    for row in structures:
        structure = known.get(row.source_id) or PartnerStructure(source_id=row.source_id)
        structure.name = row.name
        structure.siret = row.siret
        structure.code_insee = row.code_insee
        structure.reseaux_porteurs = "|".join(row.reseaux_porteurs) or None
        structure.is_iae = row.is_iae
        structure.import_run_id = import_run_id
        session.add(structure)
        known[row.source_id] = structure
    session.flush()
    existing = {
        s.service_id: s
        for s in session.scalars(
            select(PartnerService).where(
                PartnerService.service_id.in_({r.service_id for r in services})
            )
        )
    }
    for row in services:
        service = existing.get(row.service_id) or PartnerService(service_id=row.service_id)
        owner = known.get(row.structure_source_id) if row.structure_source_id else None
        service.name = row.name
        service.structure_id = owner.id if owner else None
        service.structure_name = row.structure_name or (owner.name if owner else None)
        service.modes_accueil = "|".join(row.modes_accueil) or None
        service.capacity = row.capacity
        service.start_date = row.start_date
        service.end_date = row.end_date
        service.import_run_id = import_run_id
        session.add(service)
        existing[row.service_id] = service
    session.flush()
    pks = [existing[r.service_id].id for r in services]
    for start in range(0, len(pks), 500):
        chunk = pks[start : start + 500]
        session.execute(delete(ServiceThematique).where(ServiceThematique.service_pk.in_(chunk)))
        session.execute(delete(ServiceZone).where(ServiceZone.service_pk.in_(chunk)))
    thematiques = [
        {"service_pk": existing[r.service_id].id, "thematique": t, "category": category_of(t)}
        for r in services
        for t in dict.fromkeys(r.thematiques)
    ]
    zones = [
        {"service_pk": existing[r.service_id].id, "zone_code": code, "zone_kind": kind}
        for r in services
        for code, kind in r.zones
    ]
    if thematiques:
        session.execute(ServiceThematique.__table__.insert(), thematiques)
    if zones:
        session.execute(ServiceZone.__table__.insert(), zones)
    return WriteCounts(structures=len(structures), services=len(services))
