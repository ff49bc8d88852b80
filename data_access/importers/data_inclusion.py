"""Partner offer in the national data·inclusion standard (schema v1): structures and services.

Why a module of its own: the département does not keep a register of partner offers, DORA and
data·inclusion do. Their exports (JSON or CSV) are validated with the models of the PyPI package
``data-inclusion-schema`` (the standard's own rules, not a copy of them), reduced to what the
coverage indicators need, and filtered to the département: a service is kept when its
``zone_eligibilite`` holds one of its communes, one of its EPCI, its code or ``france``.

The bundle's ``services.csv`` goes through the same normalisation (``ServiceRow``, the same
area filter and ``write_offer``), registered here as a bundle file kind, so that both sources
feed ``partner_services`` identically. Both go through the one validated path of
``pipeline.run_import``: validate, then one transaction with its import run, undoable.
"""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt
import json
import re
import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pydantic
from babel.numbers import format_decimal
from data_inclusion.schema import v1
from sqlalchemy import Connection, and_, or_, select

from data_access.exceptions import DataAccessError
from data_access.importers.base import (
    Column,
    Importer,
    ParsedRow,
    RowError,
    ValidationReport,
    sha256_hex,
)
from data_access.importers.bundle import BundleContext, FileKind, register
from data_access.importers.journal import Journal, UpsertCounts
from data_access.importers.json_reading import TooManyItemsError, load_bounded
from data_access.importers.reading import (
    CellError,
    ReadLimits,
    UnreadableFileError,
    normalise_header,
    parse_date,
    parse_int,
    read_file_bytes,
    read_table,
)
from data_access.schema import (
    Commune,
    PartnerService,
    PartnerStructure,
    ServiceThematique,
    ServiceZone,
    table_of,
)
from data_access.thematiques import category_of_thematique
from settings import Settings

SOURCE = "data_inclusion"
# Networks of the IAE (insertion par l'activité économique), as the roadmap counts them.
IAE_NETWORKS: frozenset[str] = frozenset({"ei", "aci", "ai", "etti", "eiti", "geiq"})
FRANCE_CODES = frozenset({"france", "99100"})
# Skipped services listed one by one in the report, beyond which only their number is given.
SKIPPED_DETAILS = 50

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


def load_area(conn: Connection, departement_code: str) -> OfferArea:
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
    start_date: dt.date | None = None
    end_date: dt.date | None = None

    @property
    def categories(self) -> tuple[str, ...]:
        """Distinct categories of its thématiques (the part before ``--``)."""
        return tuple(dict.fromkeys(category_of_thematique(t) for t in self.thematiques))


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
    """One record as read: its kind, where a user finds it, and its fields."""

    kind: str  # "structure" | "service"
    number: int  # spreadsheet line for CSV (header = 1), 1-based object index for JSON
    data: dict[str, Any]
    from_csv: bool = False


def _kind_of(record: Mapping[str, Any]) -> str:
    """A service carries ``structure_id``; a structure does not."""
    return "service" if "structure_id" in record else "structure"


def read_json_records(
    file_name: str, text: str, limits: ReadLimits | None = None
) -> list[RawRecord]:
    """Records of a JSON export: a list, ``{"structures": […], "services": […]}`` or the
    paginated API shape ``{"items": […]}``."""
    limits = limits or ReadLimits.current()
    try:
        payload = load_bounded(text, limits.max_rows)
    except TooManyItemsError:
        raise DataInclusionFileError(
            f"{file_name} : fichier refusé, {limits.too_many_rows()}."
        ) from None
    except json.JSONDecodeError as exc:
        raise DataInclusionFileError(
            f"{file_name} : JSON invalide (ligne {exc.lineno}, colonne {exc.colno})."
        ) from None
    # The C decoder stops at the interpreter's recursion limit (about 1 000 levels, reached
    # in microseconds): an export of structures and services nests 3 or 4 levels.
    except RecursionError:
        raise DataInclusionFileError(
            f"{file_name} : JSON refusé, objets imbriqués trop profondément."
        ) from None
    except ValueError:  # a number of more than 4 300 digits, among others
        raise DataInclusionFileError(f"{file_name} : JSON invalide (valeur illisible).") from None
    groups: list[tuple[str | None, list]] = []
    if isinstance(payload, list):
        groups.append((None, payload))
    elif isinstance(payload, dict) and any(k in payload for k in ("structures", "services")):
        groups.append(("structure", payload.get("structures") or []))
        groups.append(("service", payload.get("services") or []))
    elif isinstance(payload, dict) and isinstance(payload.get("items"), list):
        items = payload["items"]
        if items and all(_is_search_result(item) for item in items):
            groups += _unwrap_search_results(items)
        else:
            groups.append((None, items))
    else:
        raise DataInclusionFileError(
            f"{file_name} : une liste de structures ou de services data·inclusion est attendue."
        )
    if not all(isinstance(items, list) for _, items in groups):
        raise DataInclusionFileError(
            f"{file_name} : une liste de structures ou de services data·inclusion est attendue."
        )
    records: list[RawRecord] = []
    for forced_kind, items in groups:
        for index, item in enumerate(items, start=1):
            data = item if isinstance(item, dict) else {"__invalid__": item}
            records.append(RawRecord(forced_kind or _kind_of(data), index, data))
    return records


def _is_search_result(item: Any) -> bool:
    """An item of ``/api/v1/search/services``: ``{"service": {…}, "distance": n}``."""
    return isinstance(item, dict) and isinstance(item.get("service"), dict)


def _unwrap_search_results(items: list) -> list[tuple[str | None, list]]:
    """The services of a search page, and the structures they embed (each structure once).

    The search endpoint nests the owning structure inside each service
    (``service.structure``); the dashboard reads them as the list endpoints give them.
    """
    services: list[dict[str, Any]] = []
    structures: dict[str, dict[str, Any]] = {}
    for item in items:
        service = dict(item["service"])
        structure = service.pop("structure", None)
        services.append(service)
        if isinstance(structure, dict):
            structures.setdefault(str(structure.get("id")), structure)
    return [("structure", list(structures.values())), ("service", services)]


def read_csv_records(
    data: bytes, file_name: str, limits: ReadLimits | None = None
) -> list[RawRecord]:
    """Records of a CSV (or .xlsx) export; ``structure_id`` among the columns = services."""
    table = read_table(data, file_name, limits)
    headers = [normalise_header(h) for h in table.headers]
    if "id" not in headers:
        raise DataInclusionFileError(
            f"{file_name} : colonne « id » absente, ce n'est pas un export data·inclusion."
        )
    kind = "service" if "structure_id" in headers else "structure"
    records = []
    for row in table.rows:
        values = dict(zip(headers, row.cells, strict=False))
        records.append(RawRecord(kind, row.line, values, from_csv=True))
    return records


def read_records(file_name: str, data: bytes, limits: ReadLimits | None = None) -> list[RawRecord]:
    """Records of one export file, JSON or CSV/xlsx, decided by content then by name."""
    limits = limits or ReadLimits.current()
    if len(data) > limits.max_file_bytes:
        raise DataInclusionFileError(f"{file_name} : fichier refusé ({limits.too_big()}).")
    stripped = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if file_name.lower().endswith(".json") or stripped[:1] in (b"[", b"{"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise DataInclusionFileError(
                f"{file_name} : un fichier JSON doit être encodé en UTF-8."
            ) from None
        return read_json_records(file_name, text, limits)
    return read_csv_records(data, file_name, limits)


def where(file_name: str, record: RawRecord) -> tuple[str, int | None]:
    """(file label, line) of a record for a RowError.

    CSV: the spreadsheet line. JSON has no useful line (exports are often on one line), so
    the label names the object: « services.json, service n° 3 ».
    """
    if record.from_csv:
        return file_name, record.number
    return f"{file_name}, {record.kind} n° {record.number}", None


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
        except (ValueError, RecursionError):
            try:
                parsed = ast.literal_eval(text)
            except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError):
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


def _french_message(error: Mapping[str, Any]) -> str:
    """A pydantic error of the data·inclusion models as a French sentence."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return "valeur obligatoire manquante"
    if kind == "string_too_short":
        return f"texte trop court (au moins {ctx.get('min_length')} caractères)"
    if kind == "string_too_long":
        return f"texte trop long (au plus {ctx.get('max_length')} caractères)"
    if kind == "too_short":
        return "liste vide"
    if kind == "string_pattern_mismatch":
        return "format invalide"
    if kind == "enum":
        return "valeur inconnue"
    if kind.startswith("date") or kind.startswith("datetime"):
        return "date invalide (format AAAA-MM-JJ attendu)"
    if kind.startswith("url"):
        return "adresse web invalide"
    if kind in ("float_parsing", "int_parsing", "float_type", "int_type", "int_from_float"):
        return "nombre attendu"
    if kind in ("greater_than_equal", "greater_than"):
        return "valeur trop petite"
    if kind == "value_error":
        if "email" in str(error.get("msg", "")):
            return "adresse électronique invalide"
        return "valeur invalide"
    if kind in ("string_type", "list_type", "set_type"):
        return "type de valeur inattendu"
    return "valeur invalide"


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
            messages[key] = (name, "code de zone invalide")
        elif name == "thematiques" and error["type"] == "enum":
            messages[key] = (name, "thématique inconnue")
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


# --- sorting records: kept, out of area, rejected ------------------------------------------


@dataclass(frozen=True)
class SkippedService:
    """A valid service whose eligibility zone lies outside the département."""

    label: str
    service_id: str
    zones: tuple[str, ...]

    def describe(self) -> str:
        """One French line naming the service and its zone."""
        zone = ", ".join(self.zones) if self.zones else "aucune zone d'éligibilité"
        return f"{self.label} : service hors du département (zone : {zone})"


@dataclass
class OfferBatch:
    """Everything read from the files, sorted, before writing."""

    structures: list[StructureRow] = field(default_factory=list)
    services: list[ServiceRow] = field(default_factory=list)
    origin: dict[tuple[str, str], str] = field(default_factory=dict)  # (kind, id) → file
    skipped: list[SkippedService] = field(default_factory=list)
    skipped_structures: int = 0
    errors: list[RowError] = field(default_factory=list)

    def notes(self) -> list[str]:
        """French lines for the import report: services and structures left out, and why."""
        lines = []
        if self.skipped:
            lines.append(
                f"{counted(len(self.skipped), 'service ignoré', 'services ignorés')} : zone "
                "d'éligibilité hors du département"
            )
            lines += [f"  {s.describe()}" for s in self.skipped[:SKIPPED_DETAILS]]
            if len(self.skipped) > SKIPPED_DETAILS:
                others = len(self.skipped) - SKIPPED_DETAILS
                lines.append(f"  … et {counted(others, 'autre', 'autres')}")
        if self.skipped_structures:
            several = self.skipped_structures > 1
            lines.append(
                f"{counted(self.skipped_structures, 'structure ignorée', 'structures ignorées')}"
                f" : ni située{'s' if several else ''} dans le département ni "
                f"porteuse{'s' if several else ''} d'un service retenu"
            )
        return lines


def counted(value: int, singular: str, plural: str) -> str:
    """« 1 service retenu », « 0 service retenu », « 1 234 services retenus »."""
    return f"{format_decimal(value, locale='fr_FR')} {singular if value < 2 else plural}"


def sort_records(
    files: Sequence[tuple[str, Sequence[RawRecord]]],
    area: OfferArea,
    waited_for: frozenset[str] = frozenset(),
) -> tuple[OfferBatch, dict[str, set[int]]]:
    """Validate every record of every file, then keep, skip or reject each one.

    Services are resolved after all files are read, so a ``services.csv`` can name the
    structures of a ``structures.csv`` given in the same import; ``waited_for`` names the
    structures that services imported earlier are waiting for (kept wherever they are).
    Returns the batch and, per file, the numbers of its rejected records.
    """
    batch = OfferBatch()
    rejected: dict[str, set[int]] = {name: set() for name, _ in files}
    structures: dict[str, StructureRow] = {}
    services: list[tuple[str, RawRecord, v1.Service]] = []
    for file_name, records in files:
        for record in records:
            result = _validate(record.kind, record.data)
            if isinstance(result, list):
                label, line = where(file_name, record)
                batch.errors += [
                    RowError(label, line, name or None, message) for name, message in result
                ]
                rejected[file_name].add(record.number)
            elif isinstance(result, v1.Structure):
                structures[result.id] = structure_row(result)
                batch.origin[("structure", result.id)] = file_name
            elif isinstance(result, v1.Service):
                services.append((file_name, record, result))
    for file_name, record, model in services:
        owner = structures.get(model.structure_id)
        row = service_row(model, owner.name if owner else None)
        if model.zone_eligibilite is None:
            # For data·inclusion a service without an eligibility zone is eligible everywhere
            # (its search endpoint returns it for any commune): it covers the département.
            row = dataclasses.replace(row, zones=((area.departement_code, "departement"),))
        if area.touches(row.zones):
            batch.services.append(row)
            batch.origin[("service", row.service_id)] = file_name
        else:
            label, line = where(file_name, record)
            if line is not None:
                label = f"{label}, ligne {line}"
            zones = tuple(model.zone_eligibilite or ())
            batch.skipped.append(SkippedService(label, model.id, zones))
    used = {s.structure_source_id for s in batch.services}
    for structure in structures.values():
        if (
            structure.source_id in used
            or structure.source_id in waited_for
            or (structure.code_insee or "").upper() in area.communes
        ):
            batch.structures.append(structure)
        else:
            batch.skipped_structures += 1
    return batch, rejected


# --- writing (through the pipeline's journal) ----------------------------------------------


def write_structures(journal: Journal, structures: Sequence[StructureRow]) -> UpsertCounts:
    """Upsert structures on their data·inclusion id, then give their name to the services
    imported before them (the services name them by id only)."""
    counts = journal.upsert(
        table_of(PartnerStructure),
        [
            {
                "source_id": row.source_id,
                "name": row.name,
                "siret": row.siret,
                "code_insee": row.code_insee,
                "reseaux_porteurs": "|".join(row.reseaux_porteurs) or None,
                "is_iae": row.is_iae,
            }
            for row in structures
        ],
        key=("source_id",),
    )
    _link_waiting_services(journal, structures)
    return counts


def _link_waiting_services(journal: Journal, structures: Sequence[StructureRow]) -> None:
    """Services that name one of these structures but are not linked to it yet: link them and
    give them its name (journaled, so undoing the structures' import unlinks them)."""
    conn = journal.conn
    ids = sorted({row.source_id for row in structures})
    services, owners = table_of(PartnerService), table_of(PartnerStructure)
    updates = []
    for start in range(0, len(ids), 2_000):
        chunk = ids[start : start + 2_000]
        query = (
            select(services.c.service_id, owners.c.id, owners.c.name)
            .join(owners, owners.c.source_id == services.c.structure_source_id)
            .where(
                services.c.structure_source_id.in_(chunk),
                or_(services.c.structure_id.is_(None), services.c.structure_name.is_(None)),
            )
        )
        updates += [
            {"service_id": sid, "structure_id": pk, "structure_name": name}
            for sid, pk, name in conn.execute(query)
        ]
    if updates:
        journal.upsert(services, updates, key=("service_id",))


def write_services(
    conn: Connection, journal: Journal, services: Sequence[ServiceRow]
) -> UpsertCounts:
    """Upsert services on their id (after their structures), then their thématiques and zones.

    Child rows are diffed against the database: only thématiques and zones that appeared are
    inserted and only those that vanished are deleted, all through the journal, so re-importing
    the same file changes nothing and undo is exact.
    """
    wanted = sorted({r.structure_source_id for r in services if r.structure_source_id})
    owners: dict[str, tuple[int, str]] = {}
    for start in range(0, len(wanted), 2_000):
        chunk = wanted[start : start + 2_000]
        query = select(PartnerStructure.source_id, PartnerStructure.id, PartnerStructure.name)
        for source_id, pk, name in conn.execute(query.where(PartnerStructure.source_id.in_(chunk))):
            owners[source_id] = (pk, name)
    service_rows = []
    for row in services:
        owner = owners.get(row.structure_source_id or "")
        service_rows.append(
            {
                "service_id": row.service_id,
                "name": row.name,
                "structure_id": owner[0] if owner else None,
                "structure_name": row.structure_name or (owner[1] if owner else None),
                "structure_source_id": row.structure_source_id,
                "modes_accueil": "|".join(row.modes_accueil) or None,
                "capacity": row.capacity,
                "start_date": row.start_date,
                "end_date": row.end_date,
            }
        )
    counts = journal.upsert(table_of(PartnerService), service_rows, key=("service_id",))
    _write_children(conn, journal, services)
    return counts


def _write_children(conn: Connection, journal: Journal, services: Sequence[ServiceRow]) -> None:
    """Bring each service's thématiques and zones to what the file says (diff, journaled)."""
    ids = sorted({r.service_id for r in services})
    pks: dict[str, int] = {}
    for start in range(0, len(ids), 2_000):
        chunk = ids[start : start + 2_000]
        query = select(PartnerService.service_id, PartnerService.id)
        pks.update(dict(conn.execute(query.where(PartnerService.service_id.in_(chunk))).all()))
    all_pks = sorted(pks.values())
    have_t: set[tuple[int, str, str]] = set()
    have_z: set[tuple[int, str, str]] = set()
    t_table, z_table = table_of(ServiceThematique), table_of(ServiceZone)
    for start in range(0, len(all_pks), 2_000):
        pk_chunk = all_pks[start : start + 2_000]
        have_t |= set(
            tuple(row)
            for row in conn.execute(
                select(t_table.c.service_pk, t_table.c.thematique, t_table.c.category).where(
                    t_table.c.service_pk.in_(pk_chunk)
                )
            )
        )
        have_z |= set(
            tuple(row)
            for row in conn.execute(
                select(z_table.c.service_pk, z_table.c.zone_code, z_table.c.zone_kind).where(
                    z_table.c.service_pk.in_(pk_chunk)
                )
            )
        )
    want_t = {
        (pks[r.service_id], t, category_of_thematique(t)) for r in services for t in r.thematiques
    }
    want_z = {(pks[r.service_id], code, kind) for r in services for code, kind in r.zones}
    for pk, thematique, _ in sorted(have_t - want_t):
        journal.delete_where(
            t_table, and_(t_table.c.service_pk == pk, t_table.c.thematique == thematique)
        )
    for pk, code, _ in sorted(have_z - want_z):
        journal.delete_where(z_table, and_(z_table.c.service_pk == pk, z_table.c.zone_code == code))
    journal.insert(
        t_table,
        [
            {"service_pk": pk, "thematique": t, "category": c}
            for pk, t, c in sorted(want_t - have_t)
        ],
    )
    journal.insert(
        z_table,
        [
            {"service_pk": pk, "zone_code": z, "zone_kind": k}
            for pk, z, k in sorted(want_z - have_z)
        ],
    )


# --- the importer --------------------------------------------------------------------------


class DataInclusionImporter(Importer):
    """One or more data·inclusion / DORA export files (structures, services), one run."""

    source = SOURCE

    def __init__(self, files: Mapping[str, bytes], settings: Settings) -> None:
        self.files = dict(files)
        self.settings = settings
        self.name = ", ".join(self.files)
        digest = "".join(f"{name}:{sha256_hex(data)};" for name, data in sorted(files.items()))
        self.hash = sha256_hex(digest.encode("utf-8"))
        self._batch: OfferBatch | None = None
        self._report: ValidationReport | None = None

    @classmethod
    def from_paths(cls, paths: Iterable[Path | str], settings: Settings) -> DataInclusionImporter:
        """Read the files; a missing one is a French error before anything happens."""
        files: dict[str, bytes] = {}
        for item in paths:
            path = Path(item)
            files[path.name] = read_file_bytes(path, ReadLimits.from_settings(settings))
        if not files:
            raise DataInclusionFileError("Aucun fichier data·inclusion indiqué.")
        return cls(files, settings)

    def validate(self, conn: Connection) -> ValidationReport:
        report = ValidationReport(self.source, self.name, self.hash)
        area = load_area(conn, self.settings.departement_code)
        limits = ReadLimits.from_settings(self.settings)
        readable: list[tuple[str, list[RawRecord]]] = []
        for file_name, data in self.files.items():
            file_report = report.file(file_name)
            try:
                records = read_records(file_name, data, limits)
            except (DataInclusionFileError, UnreadableFileError) as exc:
                report.errors.append(RowError(file_name, None, None, str(exc).split(" : ", 1)[-1]))
                continue
            file_report.rows_read = len(records)
            readable.append((file_name, records))
        batch, rejected = sort_records(readable, area, _waited_for(conn, readable))
        for file_name, numbers in rejected.items():
            report.file(file_name).rows_rejected = len(numbers)
        for file_name in self.files:
            if not any(name == file_name for name, _ in readable):
                report.file(file_name).rows_rejected = report.file(file_name).rows_read
        report.errors.extend(batch.errors)
        report.notes.extend(batch.notes())
        self._batch, self._report = batch, report
        return report

    def write(self, conn: Connection, journal: Journal) -> None:
        batch, report = self._batch, self._report
        if batch is None or report is None:
            raise DataInclusionFileError(
                "Import non validé : la validation doit précéder l'écriture."
            )
        totals = [0, 0, 0]
        for kind, rows in (("structure", batch.structures), ("service", batch.services)):
            for file_name in self.files:
                mine = [r for r in rows if batch.origin.get((kind, _row_id(r))) == file_name]
                if not mine:
                    continue
                if kind == "structure":
                    counts = write_structures(journal, mine)  # type: ignore[arg-type]
                else:
                    counts = write_services(conn, journal, mine)  # type: ignore[arg-type]
                file_report = report.file(file_name)
                file_report.rows_inserted += counts.inserted
                file_report.rows_updated += counts.updated
                file_report.rows_unchanged += counts.unchanged
                if kind == "service":
                    totals = [
                        totals[0] + counts.inserted,
                        totals[1] + counts.updated,
                        totals[2] + counts.unchanged,
                    ]
        iae = sum(1 for s in batch.structures if s.is_iae)
        report.notes.insert(
            0,
            f"{counted(len(batch.structures), 'structure retenue', 'structures retenues')}, "
            f"dont {iae} de l'IAE ; "
            f"{counted(len(batch.services), 'service retenu', 'services retenus')} : "
            f"{counted(totals[0], 'nouveau', 'nouveaux')}, "
            f"{counted(totals[1], 'modifié', 'modifiés')}, "
            f"{counted(totals[2], 'inchangé', 'inchangés')}",
        )


def _waited_for(conn: Connection, files: Sequence[tuple[str, list[RawRecord]]]) -> frozenset[str]:
    """Ids of the files' structures that services already in the database name."""
    ids = sorted(
        {
            str(r.data["id"])
            for _, records in files
            for r in records
            if r.kind == "structure" and r.data.get("id")
        }
    )
    found: set[str] = set()
    column = table_of(PartnerService).c.structure_source_id
    for start in range(0, len(ids), 2_000):
        query = select(column).where(column.in_(ids[start : start + 2_000])).distinct()
        found.update(conn.execute(query).scalars())
    return frozenset(found)


def _row_id(row: StructureRow | ServiceRow) -> str:
    return row.source_id if isinstance(row, StructureRow) else row.service_id


def importer_from_paths(paths: Iterable[Path | str], settings: Settings) -> DataInclusionImporter:
    """The importer of ``pilotage import data-inclusion FILE…``."""
    return DataInclusionImporter.from_paths(paths, settings)


# --- the bundle's services.csv -------------------------------------------------------------

BUNDLE_FILE = "services.csv"
_THEMATIQUES = frozenset(t.value for t in v1.Thematique)
_CATEGORIES = frozenset(c.value for c in v1.Categorie)
_MODES = frozenset(m.value for m in v1.ModeAccueil)
_ZONE_CODE = pydantic.TypeAdapter(
    typing.get_args(typing.get_args(v1.Service.model_fields["zone_eligibilite"].annotation)[0])[0]
)


def _pipe_list(value: str) -> list[str]:
    return [part.strip() for part in value.split("|") if part.strip()]


def parse_thematiques(value: str) -> tuple[str, ...]:
    """``|``-separated thématiques, each a data·inclusion category or ``categorie--suffix``."""
    items = tuple(dict.fromkeys(t.casefold() for t in _pipe_list(value)))
    unknown = [t for t in items if t not in _THEMATIQUES and t not in _CATEGORIES]
    if unknown:
        raise CellError("thématique inconnue (liste data·inclusion)")
    if not items:
        raise CellError("au moins une thématique attendue")
    return items


def parse_zones(value: str) -> tuple[tuple[str, str], ...]:
    """``|``-separated zone codes checked by the data·inclusion schema's own code types."""
    codes = _pipe_list(value)
    for code in codes:
        try:
            _ZONE_CODE.validate_python(code)
        except pydantic.ValidationError:
            raise CellError(
                "code de zone invalide : code commune, EPCI, département ou france"
            ) from None
    zones = zones_of(codes)
    if not zones:
        raise CellError("au moins un code de zone en France attendu")
    return zones


def parse_modes(value: str) -> tuple[str, ...]:
    """``|``-separated modes d'accueil (a-distance, en-presentiel)."""
    modes = tuple(sorted({m.casefold() for m in _pipe_list(value)}))
    unknown = [m for m in modes if m not in _MODES]
    if unknown:
        raise CellError(f"mode d'accueil inconnu : valeurs possibles {', '.join(sorted(_MODES))}")
    return modes


def parse_capacity(value: str) -> int:
    number = parse_int(value)
    if number < 0:
        raise CellError("capacité négative")
    return number


SERVICE_COLUMNS = (
    Column("service_id"),
    Column("name"),
    Column("structure_name", required=False),
    Column("thematiques", parse_thematiques),
    Column("zone_eligibilite", parse_zones),
    Column("modes_accueil", parse_modes, required=False, default=()),
    Column("capacity", parse_capacity, required=False),
    Column("start_date", parse_date, required=False),
    Column("end_date", parse_date, required=False),
)


def _check_services(ctx: BundleContext, rows: list[ParsedRow]) -> list[ParsedRow]:
    """Date order, then the département filter shared with data·inclusion imports."""
    area = load_area(ctx.conn, ctx.settings.departement_code)
    kept: list[ParsedRow] = []
    skipped: list[SkippedService] = []
    for row in rows:
        v = row.values
        if v["start_date"] and v["end_date"] and v["end_date"] < v["start_date"]:
            ctx.reject(BUNDLE_FILE, row, "end_date", "date de fin antérieure à la date de début")
            continue
        service = ServiceRow(
            service_id=v["service_id"],
            name=v["name"],
            thematiques=v["thematiques"],
            zones=v["zone_eligibilite"],
            structure_name=v["structure_name"],
            modes_accueil=v["modes_accueil"] or (),
            capacity=v["capacity"],
            start_date=v["start_date"],
            end_date=v["end_date"],
        )
        if not area.touches(service.zones):
            zones = tuple(code for code, _ in service.zones)
            skipped.append(
                SkippedService(f"{BUNDLE_FILE}, ligne {row.line}", service.service_id, zones)
            )
            continue
        kept.append(ParsedRow(row.line, {"service_id": service.service_id, "row": service}))
    ctx.report.notes.extend(OfferBatch(skipped=skipped).notes())
    return kept


def _write_services(ctx: BundleContext, journal: Journal, rows: list[ParsedRow]) -> UpsertCounts:
    return write_services(ctx.conn, journal, [r.values["row"] for r in rows])


register(
    FileKind(
        BUNDLE_FILE,
        60,
        SERVICE_COLUMNS,
        ("service_id",),
        "service_id",
        _check_services,
        _write_services,
    )
)
