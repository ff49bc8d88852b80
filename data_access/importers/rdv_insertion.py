"""RDV-Insertion exports: the users list and the per-appointment list.

Why a module of its own: RDV-Insertion is where the département's invitations, convocations,
appointments and orientations really live, and its exports carry names, addresses, phones and
e-mails that must never reach the database. This module reads them as the tool writes them
(``;``, UTF-8 with BOM, ``dd/mm/YYYY``, French headers) and as they arrive after a spreadsheet
has been through them (cp1252, ``,``, .xlsx, other header case: ``reading.py`` absorbs that),
keeps only dates, statuses, a commune and a keyed hash of the identifier, and turns each user
into one person with its events.

Reading the export (``parse_users`` / ``parse_appointments``) is pure: it returns records and
row errors (line, column, French reason) and never echoes a personal value in a message.
Writing (``write_export``) happens inside the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Connection, select

from data_access.importers.base import (
    FileReport,
    Importer,
    RowError,
    ValidationReport,
    count_rejected,
    sha256_hex,
)
from data_access.importers.bulk import key_in, lookup_chunk
from data_access.importers.journal import Journal, UpsertCounts
from data_access.importers.reading import (
    CellError,
    Table,
    UnreadableFileError,
    match_columns,
    match_key,
    parse_date,
    read_file_bytes,
    read_table,
)
from data_access.importers.town_matching import TownMatcher, split_address_tail
from data_access.pseudonym import pseudonymise
from data_access.schema import (
    UNKNOWN_ORIENTATION_TYPE,
    Accompaniment,
    Appointment,
    Invitation,
    Orientation,
    Person,
    PersonKeyLink,
    table_of,
)

SOURCE = "rdv_insertion"
UNKNOWN_REFERENT = "inconnu"
MAX_STORED_WARNINGS = 500

# --- columns -----------------------------------------------------------------------------
# Each field the importer reads, with the headers RDV-Insertion has used for it over time.

IDENTITY_COLUMNS: dict[str, tuple[str, ...]] = {
    "department_id": ("ID interne au département",),
    "caf_number": ("Numéro CAF", "Numéro d'allocataire", "Numéro allocataire"),
    "role": ("Rôle",),
    "created": ("Date de création",),
    "rights_opening": ("Date d'entrée flux",),
    "civility": ("Civilité",),
    "birth_date": ("Date de naissance",),
    "postal_code": ("CP", "Code postal"),
    "town": ("Ville", "Commune"),
    "address": ("Adresse",),
    "referents": ("Référent(s)", "Référents", "Référent"),
    "tags": ("Tags",),
}

USER_COLUMNS: dict[str, tuple[str, ...]] = {
    **IDENTITY_COLUMNS,
    "first_invitation": ("Première invitation envoyée le",),
    "last_invitation": ("Dernière invitation envoyée le",),
    "last_convocation": ("Dernière convocation envoyée le",),
    "last_rdv_date": ("Date du dernier RDV",),
    "last_rdv_time": ("Heure du dernier RDV",),
    "last_rdv_motif": ("Motif du dernier RDV",),
    "last_rdv_nature": ("Nature du dernier RDV",),
    "last_rdv_autonomy": ("Dernier RDV pris en autonomie ?",),
    "last_rdv_booked": ("Dernier RDV pris le",),
    "last_rdv_status": ("Statut du rdv", "Statut du dernier RDV", "Statut"),
    "orientation_date": ("Date d'orientation",),
    "orientation_type": ("Type d'orientation",),
    "orientation_structure": ("Structure d'orientation",),
    "accompaniment_start": ("Date de début d'accompagnement",),
    "accompaniment_end": ("Date de fin d'accompagnement",),
    "organisations_count": ("Nombre d'organisations",),
    "organisations": ("Nom des organisations",),
    "archived": ("Archivé le",),
    "archive_reason": ("Motif d'archivage",),
    # Optional columns: upstream writes them only for some exports (the follow-up status when
    # the export is restricted to one motif category, the archive columns only at organisation
    # level); read when present, never required.
    "follow_up_status": ("Statut de la catégorie de motifs",),
    "upstream_within_30": (
        "Rendez-vous d'orientation (RSA) honoré en - moins de 30 jours?",
        "1er RDV honoré en - de 30 jours ?",
        "RDV honoré en - de 30 jours ?",
    ),
    "upstream_within_15": ("Rendez-vous d'orientation (RSA) honoré en - moins de 15 jours?",),
}

APPOINTMENT_COLUMNS: dict[str, tuple[str, ...]] = {
    **IDENTITY_COLUMNS,
    "rdv_date": ("Date du RDV",),
    "rdv_time": ("Heure du RDV",),
    "rdv_motif": ("Motif du RDV",),
    "rdv_nature": ("Nature du RDV",),
    "rdv_autonomy": ("RDV pris en autonomie ?",),
    "rdv_booked": ("RDV pris le",),
    "rdv_status": ("Statut du rdv", "Statut"),
    "rdv_organisation": ("Organisation du rendez-vous",),
}

# Columns RDV-Insertion writes that the dashboard deliberately does not read: personal data
# (dropped at the door) and columns it can recompute. Listed so they are not reported as
# unknown columns in the preview.
IGNORED_COLUMNS: tuple[str, ...] = (
    "Nom",
    "Prénom",
    "Email",
    "Téléphone",
    "Numéro de sécurité sociale",
    "ID France Travail",
    "ID Pôle Emploi",
    "Numéro du département",
    "Rendez-vous prescrit ?",
    "Rendez-vous prescrit ? (interne)",
    "Prénom du prescripteur",
    "Prénom du prescripteur (interne)",
    "Nom du prescripteur",
    "Nom du prescripteur (interne)",
    "Mail du prescripteur",
    "Mail du prescripteur (interne)",
)

# --- value lists -------------------------------------------------------------------------

# RDV-Insertion's French labels (``rdv.statuses``) and the English values of its API/webhooks;
# the order matters: « Absence non excusée » must be read before « excusé ».
_STATUS_PATTERNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("noshow", ("noshow", "no show", "non excuse", "lapin")),
    ("excused", ("excused", "excuse")),
    ("noshow", ("absen",)),
    ("revoked", ("revoked", "par le service", "revoque", "annule")),
    ("seen", ("seen", "honore", "present", "realise", "effectue")),
    (
        "unknown",
        ("unknown", "non determine", "a venir", "a preciser", "inconnu", "non renseigne"),
    ),
)
_ORIENTATION_TYPES = {
    "sociale": "social",
    "social": "social",
    "professionnelle": "pro",
    "professionnel": "pro",
    "pro": "pro",
    "emploi": "pro",
    "socio professionnelle": "socio_pro",
    "socio professionnel": "socio_pro",
    "socioprofessionnelle": "socio_pro",
    "socio pro": "socio_pro",
}
_ORIENTATION_MOTIFS = ("orientation", "diagnostic", "premier rendez vous", "1er rendez vous")
_ACCOMPANIMENT_MOTIFS = ("accompagnement", "suivi", "referent", "cer", "contrat", "entretien")
_FRANCE_TRAVAIL = ("france travail", "pole emploi", "ft ", "agence ft")
_DEPARTEMENT = ("departement", "departemental", "conseil", "cd ", "utas", "mds", "solidarite")
_ROLES = {"demandeur": "demandeur", "dem": "demandeur", "conjoint": "conjoint", "conj": "conjoint"}
_YES = {"oui", "true", "vrai", "1", "yes", "o"}
_NO = {"non", "false", "faux", "0", "no", "n"}


@lru_cache(maxsize=4096)
def appointment_status(label: str) -> str | None:
    """Status value for an RDV-Insertion status label (French or English), None if unknown."""
    key = match_key(label)
    if not key:
        return None
    padded = f" {key} "
    for status, patterns in _STATUS_PATTERNS:
        if any(f" {pattern}" in padded for pattern in patterns):
            return status
    return None


@lru_cache(maxsize=4096)
def orientation_type(label: str) -> str | None:
    """« Sociale » → social, « Professionnelle » → pro, « Socio-professionnelle » → socio_pro."""
    return _ORIENTATION_TYPES.get(match_key(label))


@lru_cache(maxsize=4096)
def organism(structure: str) -> str | None:
    """Organism of « Structure d'orientation »: France Travail, the CD, another one, or None."""
    key = f" {match_key(structure)} "
    if not key.strip():
        return None
    if any(f" {word}" in key for word in _FRANCE_TRAVAIL):
        return "france_travail"
    if any(f" {word}" in key for word in _DEPARTEMENT):
        return "cd"
    return "other"


@lru_cache(maxsize=4096)
def appointment_purpose(motif: str) -> str:
    """orientation (orientation, diagnostic…), accompaniment (suivi, CER…) or other."""
    key = f" {match_key(motif)} "
    if any(f" {word}" in key for word in _ORIENTATION_MOTIFS):
        return "orientation"
    if any(f" {word} " in key for word in _ACCOMPANIMENT_MOTIFS):
        return "accompaniment"
    return "other"


@lru_cache(maxsize=4096)
def booked_after(autonomy: str) -> str | None:
    """« pris en autonomie ? » oui → booked after an invitation, non → set by a convocation."""
    word = match_key(autonomy)
    if word in _YES:
        return "invitation"
    if word in _NO:
        return "convocation"
    return None


# --- records -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AppointmentFact:
    """One appointment of a person."""

    date: dt.date
    purpose: str
    status: str
    booked_after: str | None


@dataclass(frozen=True)
class AccompanimentFact:
    """One accompaniment period with its pseudonymised referent."""

    referent_key: str
    start_date: dt.date
    end_date: dt.date | None


@dataclass(frozen=True)
class OrientationFact:
    """An orientation decision as it will be stored: type, organism, local name, dating rule."""

    kind: str
    organism: str | None
    type_label: str | None = None
    date_rule: str = "usagers"


@dataclass(frozen=True)
class UsersOrientation:
    """What the users export says of the orientation, before it is dated for the entry.

    Upstream writes « Date d'orientation » as the date of the person's first honoured
    orientation appointment ever, and « Type d'orientation » as the type of the orientation
    active today: for a re-entry they describe two different orientations.
    """

    date: dt.date | None
    type_given: bool
    fact: OrientationFact


@dataclass
class PersonRecord:
    """Everything kept about one person of the export (no name, no contact, no raw id)."""

    person_key: str
    line: int
    entry_date: dt.date
    commune_code: str | None = None
    exit_date: dt.date | None = None
    birth_year: int | None = None
    sex: str | None = None
    from_users: bool = True
    # Second keyed hash of the same person (« Numéro CAF » + « Rôle » when the département's
    # id is there too), and the aliases folded into this record within the import.
    alias_key: str | None = None
    merged_aliases: set[str] = field(default_factory=set)
    # Exit: what the archive columns say, row by row; ``exit_action`` is decided at the end
    # (``set``, ``clear``, or None when nothing in the files says anything about an exit).
    archive_columns: bool = False
    archived_dates: list[dt.date] = field(default_factory=list)
    active_rows: int = 0
    organisations: int = 0
    exit_action: str | None = None
    flags_present: bool = False
    upstream_within_15: bool | None = None
    upstream_within_30: bool | None = None
    users_orientation: UsersOrientation | None = None
    undated_orientation: bool | None = None
    right_info_date: dt.date | None = None  # « Date d'entrée flux »: receipt of the opening
    invitations: set[tuple[dt.date, str]] = field(default_factory=set)
    appointments: dict[tuple[dt.date, str], AppointmentFact] = field(default_factory=dict)
    orientations: dict[dt.date, OrientationFact] = field(default_factory=dict)
    accompaniments: dict[tuple[str, dt.date], AccompanimentFact] = field(default_factory=dict)

    def merge(self, other: PersonRecord) -> None:
        """Fold a second row of the same person in (two organisations, or two exports).

        Dates of events are unions; the entry date is the earliest; archive facts add up
        (the exit is decided once every row is in, see :func:`decide_exit`).
        """
        self.entry_date = min(self.entry_date, other.entry_date)
        self.commune_code = self.commune_code or other.commune_code
        received = [d for d in (self.right_info_date, other.right_info_date) if d]
        self.right_info_date = min(received) if received else None
        self.from_users = self.from_users or other.from_users
        self.birth_year = self.birth_year or other.birth_year
        self.sex = self.sex or other.sex
        self.alias_key = self.alias_key or other.alias_key
        self.merged_aliases |= other.merged_aliases
        self.archive_columns = self.archive_columns or other.archive_columns
        self.archived_dates += other.archived_dates
        self.active_rows += other.active_rows
        self.organisations = max(self.organisations, other.organisations)
        if other.flags_present and not self.flags_present:
            self.flags_present = True
            self.upstream_within_15 = other.upstream_within_15
            self.upstream_within_30 = other.upstream_within_30
        self.users_orientation = self.users_orientation or other.users_orientation
        self.invitations |= other.invitations
        for slot, appointment in other.appointments.items():
            self.appointments.setdefault(slot, appointment)
        for decided, orientation in other.orientations.items():
            self.orientations.setdefault(decided, orientation)
        for started, accompaniment in other.accompaniments.items():
            self.accompaniments.setdefault(started, accompaniment)

    def merge_appointments(self, other: PersonRecord) -> None:
        """Fold a row of the per-appointment export in: its status wins for the same date."""
        self.appointments.update(other.appointments)
        self.invitations |= other.invitations
        self.entry_date = min(self.entry_date, other.entry_date)
        self.commune_code = self.commune_code or other.commune_code
        self.alias_key = self.alias_key or other.alias_key


def decide_exit(person: PersonRecord) -> None:
    """Set ``exit_action``/``exit_date`` from the archive facts of every row of the person.

    Only information that says so sets or clears an exit: no archive column at all (the
    département-level export has none, by upstream design) leaves the stored exit untouched; a
    row with « Archivé le » empty says the person is followed there (exit cleared); archived in
    fewer organisations than « Nombre d'organisations » is not an exit (another one still
    follows the person); archived everywhere is an exit, dated by the latest archive.
    """
    if not person.archive_columns:
        person.exit_action = None
    elif person.active_rows:
        person.exit_action, person.exit_date = "clear", None
    elif person.archived_dates and len(person.archived_dates) >= max(1, person.organisations):
        person.exit_action = "set"
        person.exit_date = max(max(person.archived_dates), person.entry_date)
    else:
        person.exit_action = None


def first_seen_orientation(person: PersonRecord) -> dt.date | None:
    """The first honoured orientation appointment on or after the person's entry."""
    dates = [
        fact.date
        for fact in person.appointments.values()
        if fact.purpose == "orientation"
        and fact.status == "seen"
        and fact.date >= person.entry_date
    ]
    return min(dates) if dates else None


def date_orientation(person: PersonRecord) -> None:
    """Date the orientation of the current entry from what both exports say.

    Rule « usagers »: « Date d'orientation » on or after the entry dates the orientation of
    « Type d'orientation ». Rule « rendez_vous »: when it is absent or earlier than the entry
    (a re-entry: it is the first orientation ever), the first honoured orientation appointment
    on or after the entry (participations export, or the users export's last appointment)
    dates the current type; an old date is never paired with the current type. Without such
    an appointment the current orientation stays undated (counted on the quality page).
    """
    given = person.users_orientation
    if given is None:
        return
    person.undated_orientation = False
    if given.date is not None and given.date >= person.entry_date:
        person.orientations[given.date] = given.fact
        return
    if not given.type_given:
        return
    seen = first_seen_orientation(person)
    if seen is None:
        person.undated_orientation = True
        return
    fact = given.fact
    person.orientations[seen] = OrientationFact(
        fact.kind, fact.organism, fact.type_label, "rendez_vous"
    )


def link_aliases(persons: dict[str, PersonRecord]) -> int:
    """Fold records keyed by an alias (CAF number + role) into the record that names it.

    Returns the number of records folded (each a person that would otherwise count twice).
    """
    folded = 0
    for record in list(persons.values()):
        alias = record.alias_key
        if not alias or alias == record.person_key or record.person_key not in persons:
            continue
        other = persons.pop(alias, None)
        if other is None:
            continue
        if record.from_users and not other.from_users:
            record.merge_appointments(other)
            record.merged_aliases.add(alias)
        elif other.from_users and not record.from_users:
            other.merge_appointments(record)
            other.person_key, other.alias_key = record.person_key, alias
            other.merged_aliases.add(alias)
            persons[record.person_key] = other
        else:
            record.merge(other)
            record.merged_aliases.add(alias)
        folded += 1
    return folded


@dataclass
class ParsedExport:
    """The outcome of reading one or two files: persons by key, row errors, warnings, columns."""

    persons: dict[str, PersonRecord] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    unknown_columns: dict[str, list[str]] = field(default_factory=dict)
    rows_read: int = 0
    rows_accepted: int = 0
    appointments_read: int = 0
    merged_rows: int = 0
    aliases_folded: int = 0

    def finish(self) -> None:
        """Once every file is read: fold aliases, date orientations, decide exits."""
        self.aliases_folded = link_aliases(self.persons)
        for person in self.persons.values():
            date_orientation(person)
            decide_exit(person)


class ExportStructureError(ValueError):
    """The file is not an RDV-Insertion export at all (a French message for the user)."""


# --- parsing -----------------------------------------------------------------------------


class _Row:
    """Cells of one row by field name, with typed getters that record errors by header.

    The row keeps the tuple of cells and shares the field → position map of its file, so no
    dictionary is built per row (200,000 rows × 35 columns).
    """

    __slots__ = ("cells", "errors", "file_name", "headers", "line", "positions", "warnings")

    def __init__(
        self,
        cells: tuple[str, ...],
        positions: Mapping[str, int],
        headers: Mapping[str, str],
        file_name: str,
        line: int,
    ):
        self.cells = cells
        self.positions = positions
        self.headers = headers
        self.file_name = file_name
        self.line = line
        self.errors: list[RowError] = []
        self.warnings: list[RowError] = []

    def text(self, name: str) -> str:
        # ``reading`` already stripped every cell; short rows read as empty cells.
        index = self.positions.get(name)
        if index is None or index >= len(self.cells):
            return ""
        return self.cells[index]

    def header(self, name: str) -> str:
        return self.headers.get(name, name)

    def fail(self, name: str, message: str) -> None:
        self.errors.append(
            RowError(self.file_name, self.line, self.header(name), printable(message))
        )

    def warn(self, name: str, message: str) -> None:
        self.warnings.append(
            RowError(self.file_name, self.line, self.header(name), printable(message))
        )

    def date(self, name: str) -> dt.date | None:
        value = self.text(name)
        if not value:
            return None
        try:
            return _cached_date(value)
        except CellError:
            # The value is not echoed: when a stray separator shifts the cells, a date column
            # may hold a name, a phone number or an e-mail.
            reason = "date inexistante" if _DATE_SHAPE.match(value) else "date illisible"
            self.fail(name, f"{reason} : format attendu JJ/MM/AAAA (ou AAAA-MM-JJ)")
            return None


@lru_cache(maxsize=65536)
def _cached_date(value: str) -> dt.date:
    """Exports repeat the same few hundred dates: parse each text once."""
    return parse_date(_date_part(value))


@lru_cache(maxsize=4096)
def _key(value: str) -> str:
    """Cached :func:`match_key` for the short labels that repeat on every row."""
    return match_key(value)


_DATE_SHAPE = re.compile(r"^\d{1,2}/\d{1,2}/\d{4}$|^\d{4}-\d{1,2}-\d{1,2}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def printable(text: str) -> str:
    """Text without control characters: messages echo cells, and PostgreSQL refuses NUL."""
    return _CONTROL.sub("", text)


def _date_part(value: str) -> str:
    """``12/03/2024 14:05`` or an Excel ``2024-03-12 14:05:00`` → the date alone."""
    return value.split(" ", 1)[0] if re.match(r"^\d", value) else value


def _locate(table: Table, columns: Mapping[str, tuple[str, ...]]) -> tuple[dict, dict, list]:
    """Positions of each field (first alias present), its header as written, unknown columns."""
    aliases = [alias for names in columns.values() for alias in names]
    match = match_columns(table.headers, [*aliases, *IGNORED_COLUMNS])
    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    for name, names in columns.items():
        for alias in names:
            if alias in match.positions:
                positions[name] = match.positions[alias]
                headers[name] = printable(table.headers[match.positions[alias]].strip())
                break
    return positions, headers, match.unknown


def _check_structure(table: Table, positions: Mapping[str, int], kind: str) -> None:
    """Refuse a file that lacks the identifier or the entry date columns altogether."""
    if "department_id" not in positions and "caf_number" not in positions:
        raise ExportStructureError(
            f"ce n'est pas un {kind} RDV-Insertion, il manque la colonne "
            "« ID interne au département » ou « Numéro CAF »."
        )
    if "rights_opening" not in positions and "created" not in positions:
        raise ExportStructureError(
            "il manque la colonne « Date d'entrée flux » ou « Date de "
            "création » (date d'entrée dans le parcours)."
        )


def _alias_key(row: _Row, secret: str) -> str | None:
    """Keyed hash of « Numéro CAF » + « Rôle » when both are there (None otherwise)."""
    caf_number = row.text("caf_number")
    role = _ROLES.get(_key(row.text("role")))
    if not caf_number or role is None:
        return None
    return pseudonymise(f"caf:{caf_number}:{role}", secret)


def _person_key(row: _Row, secret: str) -> str | None:
    """Keyed hash of « ID interne au département », else of « Numéro CAF » + « Rôle »."""
    department_id = row.text("department_id")
    if department_id:
        return pseudonymise(department_id, secret)
    caf_number = row.text("caf_number")
    if not caf_number:
        row.fail(
            "department_id",
            "identifiant absent : « ID interne au département » ou « Numéro CAF » attendu",
        )
        return None
    role = _ROLES.get(_key(row.text("role")))
    if role is None:
        row.fail(
            "role",
            "rôle absent ou inconnu (demandeur ou conjoint attendu) : sans ID interne au "
            "département, la personne est identifiée par son numéro CAF et son rôle",
        )
        return None
    return pseudonymise(f"caf:{caf_number}:{role}", secret)


def _commune(row: _Row, towns: TownMatcher) -> str | None:
    """Commune from « CP » + « Ville » (or the end of « Adresse »); unmatched rows are warned."""
    postal_code, town = row.text("postal_code"), row.text("town")
    if not postal_code and not town and row.text("address"):
        tail = split_address_tail(row.text("address"))
        if tail:
            postal_code, town = tail
    if not postal_code and not town:
        row.warn("postal_code", "commune inconnue : « CP » et « Ville » sont vides")
        return None
    found = towns.match(postal_code, town)
    if found.code_insee is None:
        column = "postal_code" if found.failed_field == "CP" else "town"
        row.warn(column, f"commune non reconnue : {found.reason}")
    return found.code_insee


def _identity(
    row: _Row, secret: str, towns: TownMatcher, from_users: bool = True
) -> PersonRecord | None:
    """The person fields common to both exports, or None with errors recorded on the row.

    The appointments export usually has no « CP »/« Ville »: its persons take their commune
    from the users export, so a missing commune is only reported for the users export.
    """
    key = _person_key(row, secret)
    rights_opening = row.date("rights_opening")
    created = row.date("created")
    entry = rights_opening or created
    if entry is None and not row.errors:
        row.fail(
            "rights_opening" if "rights_opening" in row.headers else "created",
            "date d'entrée absente : « Date d'entrée flux » ou « Date de création » attendue",
        )
    warnings = len(row.warnings)
    commune = _commune(row, towns)
    if not from_users:
        del row.warnings[warnings:]
    if key is None or entry is None:
        return None
    birth_year = None
    birth = row.text("birth_date")
    if birth:
        try:
            year = parse_date(_date_part(birth)).year
            birth_year = year if 1900 <= year <= 2100 else None
        except CellError:
            row.warn("birth_date", "date de naissance illisible : ignorée")
    civility = _key(row.text("civility"))
    sex = {"madame": "F", "mme": "F", "monsieur": "M", "m": "M", "mr": "M"}.get(civility)
    alias = _alias_key(row, secret) if row.text("department_id") else None
    return PersonRecord(
        person_key=key,
        line=row.line,
        entry_date=entry,
        commune_code=commune,
        birth_year=birth_year,
        sex=sex,
        from_users=from_users,
        alias_key=alias,
        right_info_date=rights_opening,
    )


def _referent_key(row: _Row, secret: str) -> str:
    """Keyed hash of the first referent listed (their e-mail), never the e-mail itself."""
    referents = sorted(r for r in re.split(r"[,;]\s*", row.text("referents")) if r.strip())
    if not referents:
        return UNKNOWN_REFERENT
    return pseudonymise(f"referent:{referents[0]}", secret)


def _user_events(row: _Row, person: PersonRecord, secret: str, type_map: Mapping[str, str]) -> None:
    """Invitations, last appointment, orientation, accompaniment and exit of a users row."""
    for name in ("first_invitation", "last_invitation"):
        sent = row.date(name)
        if sent:
            person.invitations.add((sent, "invitation"))
    convocation = row.date("last_convocation")
    if convocation:
        person.invitations.add((convocation, "convocation"))
    rdv_date = row.date("last_rdv_date")
    if rdv_date:
        status = _status(row, "last_rdv_status", rdv_date)
        purpose = appointment_purpose(row.text("last_rdv_motif"))
        booked = booked_after(row.text("last_rdv_autonomy"))
        person.appointments[(rdv_date, purpose)] = AppointmentFact(
            rdv_date, purpose, status, booked
        )
        _booking_convocation(row, person, "last_rdv_booked", booked)
    _users_orientation(row, person, type_map)
    start = row.date("accompaniment_start")
    end = row.date("accompaniment_end")
    if start:
        if end and end < start:
            row.fail("accompaniment_end", "fin d'accompagnement antérieure à son début")
        else:
            referent = _referent_key(row, secret)
            person.accompaniments[(referent, start)] = AccompanimentFact(referent, start, end)
    elif end:
        row.warn("accompaniment_start", "fin d'accompagnement sans date de début : ignorée")
    _archive(row, person)
    _upstream_flags(row, person)


def _booking_convocation(row: _Row, person: PersonRecord, column: str, booked: str | None) -> None:
    """An appointment an agent booked (« pris en autonomie ? » = Non) is a convocation sent
    on the day it was booked (« RDV pris le »): upstream notifies the person then."""
    if booked != "convocation":
        return
    booked_on = row.date(column)
    if booked_on:
        person.invitations.add((booked_on, "convocation"))


def resolve_orientation_type(label: str, type_map: Mapping[str, str]) -> tuple[str, str | None]:
    """(type, local name) of a « Type d'orientation »: a standard name gives its type; a
    département's own name gives its mapped type, or « non renseigné », and is kept as
    written; an empty cell gives « non renseigné »."""
    if not label:
        return UNKNOWN_ORIENTATION_TYPE, None
    kind = orientation_type(label)
    if kind is not None:
        return kind, None
    return type_map.get(_key(label), UNKNOWN_ORIENTATION_TYPE), printable(label)[:120]


def _users_orientation(row: _Row, person: PersonRecord, type_map: Mapping[str, str]) -> None:
    """Keep what the row says of the orientation; it is dated once both files are read."""
    oriented = row.date("orientation_date")
    label = row.text("orientation_type")
    if oriented is None and not label:
        return
    kind, local = resolve_orientation_type(label, type_map)
    if label and kind == UNKNOWN_ORIENTATION_TYPE:
        row.warn(
            "orientation_type",
            "type d'orientation propre au département, non rattaché à un type national : "
            "orientation gardée avec le type « non renseigné » (voir PILOTAGE_ORIENTATION_"
            "TYPE_MAP et « pilotage orientation-types »)",
        )
    fact = OrientationFact(kind, organism(row.text("orientation_structure")), local)
    person.users_orientation = UsersOrientation(oriented, bool(label), fact)


def _archive(row: _Row, person: PersonRecord) -> None:
    """Archive facts of the row (decided per person by :func:`decide_exit`)."""
    if "archived" not in row.positions:
        return
    person.archive_columns = True
    count = row.text("organisations_count")
    if count.isdigit():
        person.organisations = max(person.organisations, int(count))
    archived = row.date("archived")
    if archived:
        if archived < person.entry_date:
            row.fail("archived", "date d'archivage antérieure à la date d'entrée")
        person.archived_dates.append(archived)
    elif not row.errors:
        person.active_rows += 1


_FLAG_VALUES = {"oui": True, "non": False}


def _upstream_flags(row: _Row, person: PersonRecord) -> None:
    """Upstream's own « honoured within 30 / 15 days » flags (« Non calculable » = unknown)."""
    present = [
        name for name in ("upstream_within_15", "upstream_within_30") if name in row.positions
    ]
    if not present:
        return
    person.flags_present = True
    for name in present:
        setattr(person, name, _FLAG_VALUES.get(_key(row.text(name))))


def _status(row: _Row, name: str, date: dt.date) -> str:
    """Status of an appointment; a label RDV-Insertion does not use is warned, read unknown."""
    label = row.text(name)
    status = appointment_status(label) if label else None
    if status is None:
        if label and _key(label) not in {"archive", "rdv pris", "non invite"}:
            row.warn(name, "statut de rendez-vous non reconnu : lu « inconnu »")
        return "unknown"
    return status


def _collect(parsed: ParsedExport, row: _Row, person: PersonRecord | None) -> None:
    """Keep the row's errors and warnings; merge its person if it has no error."""
    parsed.warnings.extend(row.warnings)
    if row.errors or person is None:
        parsed.errors.extend(row.errors)
        return
    parsed.rows_accepted += 1
    known = parsed.persons.get(person.person_key)
    if known is None:
        parsed.persons[person.person_key] = person
    else:
        parsed.merged_rows += 1
        known.merge(person)


def parse_users(
    table: Table,
    secret: str,
    towns: TownMatcher,
    parsed: ParsedExport | None = None,
    type_map: Mapping[str, str] | None = None,
) -> ParsedExport:
    """Read the users export: one person per identifier, however many rows describe them.

    ``type_map`` maps a département's own orientation type names (as :func:`match_key` forms)
    onto pro, socio_pro or social.
    """
    parsed = parsed or ParsedExport()
    positions, headers, unknown = _locate(table, USER_COLUMNS)
    _check_structure(table, positions, "export des usagers")
    parsed.unknown_columns[table.file_name] = [printable(name) for name in unknown]
    for table_row in table.rows:
        parsed.rows_read += 1
        row = _Row(table_row.cells, positions, headers, table.file_name, table_row.line)
        person = _identity(row, secret, towns)
        if person is not None:
            _user_events(row, person, secret, type_map or {})
        _collect(parsed, row, person)
    return parsed


def parse_appointments(
    table: Table,
    secret: str,
    towns: TownMatcher,
    parsed: ParsedExport | None = None,
    type_map: Mapping[str, str] | None = None,
) -> ParsedExport:
    """Read the per-appointment export: each row one appointment of one person."""
    parsed = parsed or ParsedExport()
    positions, headers, unknown = _locate(table, APPOINTMENT_COLUMNS)
    _check_structure(table, positions, "export des rendez-vous")
    if "rdv_date" not in positions:
        raise ExportStructureError(
            "ce n'est pas un export des rendez-vous RDV-Insertion, il "
            "manque la colonne « Date du RDV »."
        )
    parsed.unknown_columns[table.file_name] = [printable(name) for name in unknown]
    for table_row in table.rows:
        parsed.appointments_read += 1
        row = _Row(table_row.cells, positions, headers, table.file_name, table_row.line)
        person = _identity(row, secret, towns, from_users=False)
        rdv_date = row.date("rdv_date")
        if rdv_date is None and not row.errors:
            row.fail("rdv_date", "date du rendez-vous absente")
        if person is not None and rdv_date is not None:
            purpose = appointment_purpose(row.text("rdv_motif"))
            booked = booked_after(row.text("rdv_autonomy"))
            fact = AppointmentFact(rdv_date, purpose, _status(row, "rdv_status", rdv_date), booked)
            person.appointments[(rdv_date, purpose)] = fact
            _booking_convocation(row, person, "rdv_booked", booked)
        parsed.warnings.extend(row.warnings)
        if row.errors or person is None:
            parsed.errors.extend(row.errors)
            continue
        known = parsed.persons.get(person.person_key)
        if known is None:
            parsed.persons[person.person_key] = person
        else:
            # The appointments export is the more precise: its status wins for the same date.
            known.merge_appointments(person)
    return parsed


# --- the importer ------------------------------------------------------------------------


@dataclass
class RdvInsertionFileReport(FileReport):
    """A file report that also carries warnings (unmatched towns…) and rows merged by person.

    Warnings do not reject a row: the person is imported (e.g. without a commune) and the
    warning is shown in the preview and kept in the import run's details.
    """

    warnings: list[RowError] = field(default_factory=list)
    merged_rows: int = 0
    tables: dict[str, dict[str, int]] = field(default_factory=dict)

    def as_dict(self) -> dict:
        data = super().as_dict()
        data["warnings_count"] = len(self.warnings)
        data["warnings"] = [
            {"line": w.line, "field": w.field, "message": w.message}
            for w in self.warnings[:MAX_STORED_WARNINGS]
        ]
        data["merged_rows"] = self.merged_rows
        data["tables"] = self.tables
        return data

    def add(self, table: str, counts: UpsertCounts) -> None:
        """Add one table's upsert counts to the file's written counts."""
        self.rows_inserted += counts.inserted
        self.rows_updated += counts.updated
        self.rows_unchanged += counts.unchanged
        totals = self.tables.setdefault(table, {"inserted": 0, "updated": 0, "unchanged": 0})
        totals["inserted"] += counts.inserted
        totals["updated"] += counts.updated
        totals["unchanged"] += counts.unchanged


class RdvInsertionImporter(Importer):
    """The users export (mandatory) and the per-appointment export (optional) of RDV-Insertion.

    Every person of an RDV-Insertion export is subject to rights and duties: the tool holds
    only them. Re-importing a newer export updates persons (matched by their keyed hash) and
    adds the events the new export reveals; nothing is duplicated.
    """

    source = SOURCE

    def __init__(
        self,
        users: bytes,
        users_name: str,
        secret: str,
        appointments: bytes | None = None,
        appointments_name: str | None = None,
        orientation_types: Mapping[str, str] | None = None,
    ) -> None:
        self.files: list[tuple[str, bytes, str]] = [("users", users, users_name)]
        if appointments is not None:
            self.files.append(("appointments", appointments, appointments_name or "rdvs.csv"))
        self.secret = secret
        # Local orientation type names (``settings.orientation_types``), matched like headers.
        self.type_map = {match_key(k): v for k, v in (orientation_types or {}).items()}
        self.parsed = ParsedExport()
        self.reports: dict[str, RdvInsertionFileReport] = {}
        self._report: ValidationReport | None = None

    @property
    def warnings(self) -> list[RowError]:
        """Every warning of the last validation (all files)."""
        return [w for report in self.reports.values() for w in report.warnings]

    def validate(self, conn: Connection) -> ValidationReport:
        """Read both files, map every row, report errors by line and column; writes nothing."""
        names = " + ".join(name for _, _, name in self.files)
        digest = sha256_hex(b"".join(data for _, data, _ in self.files))
        report = ValidationReport(source=SOURCE, file_name=names, file_hash=digest)
        towns = TownMatcher.from_connection(conn)
        self.parsed = ParsedExport()
        self.reports = {}
        for kind, data, name in self.files:
            file_report = RdvInsertionFileReport(name)
            report.files.append(file_report)
            self.reports[kind] = file_report
            self._validate_file(kind, data, name, towns, report, file_report)
        self.parsed.finish()
        count_rejected(report)
        self.reports["users"].merged_rows = self.parsed.merged_rows
        report.notes.extend(summary_notes(self.parsed.merged_rows, self.warnings))
        report.notes.extend(inference_notes(self.parsed))
        self._report = report
        return report

    def _validate_file(
        self,
        kind: str,
        data: bytes,
        name: str,
        towns: TownMatcher,
        report: ValidationReport,
        file_report: RdvInsertionFileReport,
    ) -> None:
        errors_before = len(self.parsed.errors)
        warnings_before = len(self.parsed.warnings)
        try:
            table = read_table(data, name)
            file_report.rows_read = len(table.rows)
            parse = parse_users if kind == "users" else parse_appointments
            parse(table, self.secret, towns, self.parsed, self.type_map)
        except (UnreadableFileError, ExportStructureError) as exc:
            message = str(exc).removeprefix(f"{name} : ")
            report.errors.append(RowError(name, None, None, message))
            return
        file_report.unknown_columns = self.parsed.unknown_columns.get(name, [])
        file_report.warnings = self.parsed.warnings[warnings_before:]
        report.errors.extend(self.parsed.errors[errors_before:])

    def write(self, conn: Connection, journal: Journal) -> None:
        """Write persons, then their events, through the journal (so the run can be undone).

        Keys are linked first (a person known by CAF number + role and now also by the
        département's id stays one person). Persons already in the database are upserted (a
        newer export updates them); new persons and all their events are plain inserts,
        which spares the lookups of the upsert on a first import. Persons known only from the
        appointments export are created if missing but never overwrite what a users export
        said (that export has no commune).
        """
        links = _resolve_links(conn, journal, self.parsed)
        merged = sum(1 for link in links if link.merged) - self.parsed.aliases_folded
        if merged > 0 and self._report is not None:
            self._report.notes.append(
                f"{merged} personne(s) déjà enregistrée(s) sous leur numéro CAF et leur rôle, "
                "désormais aussi connue(s) par l'ID interne au département : rapprochée(s)."
            )
        persons = list(self.parsed.persons.values())
        users_report = self.reports["users"]
        existing = _person_ids(conn, [p.person_key for p in persons])
        new = [p for p in persons if p.person_key not in existing]
        update = [p for p in persons if p.person_key in existing and p.from_users]
        inserted = journal.insert(table_of(Person), [_person_row(p, full=True) for p in new])
        counts = UpsertCounts(0, 0, 0)
        for rows in _grouped_by_columns([_person_row(p) for p in update]):
            part = journal.upsert(table_of(Person), rows, KEY)
            counts = UpsertCounts(
                counts.inserted + part.inserted,
                counts.updated + part.updated,
                counts.unchanged + part.unchanged,
            )
        unchanged = counts.unchanged + sum(
            1 for p in persons if p.person_key in existing and not p.from_users
        )
        users_report.add("persons", UpsertCounts(inserted, counts.updated, unchanged))
        new_ids = _person_ids(conn, [p.person_key for p in new])
        _write_links(journal, links, {**existing, **new_ids})
        for label, group, ids in (("new", new, new_ids), ("known", persons, existing)):
            known_only = [p for p in group if p.person_key in ids]
            for table, key, rows in _event_rows(known_only, ids):
                target = users_report
                if table is table_of(Appointment) and "appointments" in self.reports:
                    target = self.reports["appointments"]
                if label == "new":
                    target.add(table.name, UpsertCounts(journal.insert(table, rows), 0, 0))
                else:
                    target.add(table.name, journal.upsert(table, rows, key))


def _grouped_by_columns(rows: list[dict]) -> list[list[dict]]:
    """Rows split by their set of columns: a person's exit or flags are written only when the
    files said something about them, and an upsert needs the same columns on every row."""
    groups: dict[tuple[str, ...], list[dict]] = {}
    for row in rows:
        groups.setdefault(tuple(row), []).append(row)
    return list(groups.values())


@dataclass(frozen=True)
class PendingLink:
    """An alias hash to link to the person whose key is ``person_key`` once it is written."""

    alias_key: str
    person_key: str
    merged: bool


def _resolve_links(conn: Connection, journal: Journal, parsed: ParsedExport) -> list[PendingLink]:
    """Bring the records and the database to one person per human before writing.

    A record keyed by an alias already linked takes its person's key. A record that names an
    alias (CAF number + role) under which the database holds a person of its own: that person
    takes the record's key (re-keyed, journaled), or, if the record's key already has a
    person too, hands its events over to it and is deleted (journaled, so undo restores it).
    Returns the links to write once every person has an id.
    """
    persons = parsed.persons
    # Only a key without an alias can itself be an alias (a CAF number + role key).
    candidates = [p.alias_key or p.person_key for p in persons.values()]
    links = _links_of(conn, candidates)
    for key in [k for k in persons if k in links]:
        target = _key_of(conn, links[key])
        record = persons.pop(key)
        if target in persons:
            persons[target].merge(record)
        else:
            record.person_key = target
            persons[target] = record
    pending: list[PendingLink] = []
    waiting = [p for p in persons.values() if p.alias_key and p.alias_key not in links]
    alias_ids = _person_ids(conn, [p.alias_key for p in waiting if p.alias_key])
    own_ids = _person_ids(conn, [p.person_key for p in waiting if p.alias_key in alias_ids])
    for record in list(persons.values()):
        alias = record.alias_key
        if not alias or alias in links or alias == record.person_key:
            continue
        merged = alias in record.merged_aliases
        alias_id = alias_ids.get(alias)
        if alias_id is not None:
            merged = True
            if record.person_key in own_ids:
                _fold_person(conn, journal, alias_id, own_ids[record.person_key])
            else:
                journal.upsert(
                    table_of(Person), [{"id": alias_id, "person_key": record.person_key}], ("id",)
                )
        pending.append(PendingLink(alias, record.person_key, merged))
    return pending


def _write_links(journal: Journal, links: list[PendingLink], ids: Mapping[str, int]) -> None:
    rows = [
        {"alias_key": link.alias_key, "person_id": ids[link.person_key], "merged": link.merged}
        for link in links
        if link.person_key in ids
    ]
    journal.insert(table_of(PersonKeyLink), rows)


def _links_of(conn: Connection, keys: list[str]) -> dict[str, int]:
    """Person id of each alias hash already linked."""
    table = table_of(PersonKeyLink)
    found: dict[str, int] = {}
    chunk = lookup_chunk(conn)
    for start in range(0, len(keys), chunk):
        query = select(table.c.alias_key, table.c.person_id).where(
            key_in(conn, table.c.alias_key, keys[start : start + chunk])
        )
        found.update({alias: pid for alias, pid in conn.execute(query)})
    return found


def _key_of(conn: Connection, person_id: int) -> str:
    return conn.execute(select(Person.person_key).where(Person.id == person_id)).scalar_one()


_EVENT_KEYS = {
    table_of(Invitation): ("sent_date", "kind", "channel", "is_reminder"),
    table_of(Appointment): ("date", "purpose"),
    table_of(Orientation): ("decision_date",),
    table_of(Accompaniment): ("referent_key", "start_date"),
}


def _fold_person(conn: Connection, journal: Journal, alias_id: int, person_id: int) -> None:
    """Give the events of person ``alias_id`` to ``person_id``, then delete ``alias_id``.

    Events are copied (those the target lacks) and the originals deleted through the
    journal, then the person: undo re-inserts the deleted rows, parents first, and deletes
    the copies, which carry this run's stamp.
    """
    for table, natural in _EVENT_KEYS.items():
        rows = [
            dict(r)
            for r in conn.execute(select(table).where(table.c.person_id == alias_id)).mappings()
        ]
        if not rows:
            continue
        have = {
            tuple(r)
            for r in conn.execute(
                select(*(table.c[n] for n in natural)).where(table.c.person_id == person_id)
            )
        }
        copies = [
            {
                **{k: v for k, v in row.items() if k not in ("id", "import_run_id")},
                "person_id": person_id,
            }
            for row in rows
            if tuple(row[n] for n in natural) not in have
        ]
        journal.delete_where(table, table.c.person_id == alias_id)
        journal.insert(table, copies)
    journal.delete_where(table_of(PersonKeyLink), PersonKeyLink.person_id == alias_id)
    journal.delete_where(table_of(Person), Person.id == alias_id)


KEY = ("person_key",)
NOTES_LISTED = 20


def summary_notes(merged_rows: int, warnings: list[RowError]) -> list[str]:
    """French notes of the preview and of the run: merged rows, then warnings (first 20)."""
    notes = []
    if merged_rows:
        plural = "s" if merged_rows > 1 else ""
        notes.append(
            f"{merged_rows} ligne{plural} décrivai{'en' if plural else ''}t une personne déjà "
            "présente (plusieurs organisations) : fusionnée"
            f"{plural} pour ne compter chaque personne qu'une fois."
        )
    if warnings:
        count = len(warnings)
        notes.append(
            f"{count} avertissement{'s' if count > 1 else ''} (lignes importées quand même) :"
        )
        notes.extend(f"  {w.describe()}" for w in warnings[:NOTES_LISTED])
        if count > NOTES_LISTED:
            notes.append(f"  … et {count - NOTES_LISTED} autres.")
    return notes


def inference_notes(parsed: ParsedExport) -> list[str]:
    """French notes on what the import inferred rather than read (counts only, no values)."""
    persons = parsed.persons.values()
    counts = {
        "alias": parsed.aliases_folded,
        "rdv": sum(
            1 for p in persons if any(f.date_rule == "rendez_vous" for f in p.orientations.values())
        ),
        "undated": sum(1 for p in persons if p.undated_orientation),
        "untyped": sum(
            1
            for p in persons
            if any(f.kind == UNKNOWN_ORIENTATION_TYPE for f in p.orientations.values())
        ),
        "partial": sum(1 for p in persons if p.archived_dates and p.exit_action is None),
    }
    texts = {
        "alias": "personne(s) connue(s) sous deux identifiants (numéro CAF + rôle, puis ID "
        "interne au département) : rapprochée(s)",
        "rdv": "orientation(s) actuelle(s) datée(s) par le premier rendez-vous d'orientation "
        "honoré depuis l'entrée (la « Date d'orientation » précède l'entrée : réentrée)",
        "undated": "orientation(s) actuelle(s) sans date pour l'entrée en cours (aucun rendez-"
        "vous d'orientation honoré depuis l'entrée dans les fichiers) : non enregistrée(s)",
        "untyped": "orientation(s) gardée(s) avec le type « non renseigné »",
        "partial": "personne(s) archivée(s) dans une organisation mais suivie(s) par une "
        "autre : pas de sortie",
    }
    notes = [f"{counts[name]} {text}." for name, text in texts.items() if counts[name]]
    if parsed.persons and not any(p.archive_columns for p in persons):
        notes.append(
            "Export sans colonne « Archivé le » (export départemental) : les sorties déjà "
            "enregistrées sont conservées."
        )
    return notes


def _person_row(p: PersonRecord, full: bool = False) -> dict:
    """The person's columns; exit and upstream flags only when the files said something of
    them (``full``: every column, for a new person)."""
    row = {
        "person_key": p.person_key,
        "entry_date": p.entry_date,
        "commune_code": p.commune_code,
        "subject_to_obligations": True,
        "birth_year": p.birth_year,
        "sex": p.sex,
        "source": SOURCE,
    }
    if full or p.right_info_date is not None:
        row["right_info_date"] = p.right_info_date
    if full or p.exit_action is not None:
        row["exit_date"] = p.exit_date
    if full or p.flags_present:
        row["upstream_within_15"] = p.upstream_within_15
        row["upstream_within_30"] = p.upstream_within_30
    if full or p.undated_orientation is not None:
        row["undated_orientation"] = p.undated_orientation
    return row


def _person_ids(conn: Connection, keys: list[str]) -> dict[str, int]:
    """Database id of each person key, fetched in chunks."""
    ids: dict[str, int] = {}
    chunk = lookup_chunk(conn)
    for start in range(0, len(keys), chunk):
        batch = keys[start : start + chunk]
        query = select(Person.person_key, Person.id).where(
            key_in(conn, table_of(Person).c.person_key, batch)
        )
        ids.update({key: pk for key, pk in conn.execute(query)})
    return ids


def _event_rows(persons: list[PersonRecord], ids: Mapping[str, int]) -> list[tuple]:
    """(table, natural key, rows) of every event of the persons, ready for the journal."""
    invitations, appointments, orientations, accompaniments = [], [], [], []
    for person in persons:
        pid = ids[person.person_key]
        for sent, kind in sorted(person.invitations):
            invitations.append(
                {
                    "person_id": pid,
                    "sent_date": sent,
                    "kind": kind,
                    "channel": "unknown",
                    "is_reminder": False,
                }
            )
        for appointment in person.appointments.values():
            appointments.append(
                {
                    "person_id": pid,
                    "date": appointment.date,
                    "purpose": appointment.purpose,
                    "status": appointment.status,
                    "booked_after": appointment.booked_after,
                }
            )
        for decided, orientation in person.orientations.items():
            orientations.append(
                {
                    "person_id": pid,
                    "decision_date": decided,
                    "orientation_type": orientation.kind,
                    "organism": orientation.organism,
                    "type_label": orientation.type_label,
                    "date_rule": orientation.date_rule,
                }
            )
        for accompaniment in person.accompaniments.values():
            accompaniments.append(
                {
                    "person_id": pid,
                    "referent_key": accompaniment.referent_key,
                    "start_date": accompaniment.start_date,
                    "end_date": accompaniment.end_date,
                }
            )
    return [
        (
            table_of(Invitation),
            ("person_id", "sent_date", "kind", "channel", "is_reminder"),
            invitations,
        ),
        (table_of(Appointment), ("person_id", "date", "purpose"), appointments),
        (table_of(Orientation), ("person_id", "decision_date"), orientations),
        (table_of(Accompaniment), ("person_id", "referent_key", "start_date"), accompaniments),
    ]


def importer_from_paths(
    users: str | Path,
    secret: str,
    appointments: str | Path | None = None,
    orientation_types: Mapping[str, str] | None = None,
) -> RdvInsertionImporter:
    """Build the importer from file paths (the CLI); an unreadable path is a French error."""
    users_path = Path(users)
    appointments_path = Path(appointments) if appointments else None
    return RdvInsertionImporter(
        read_file_bytes(users_path),
        users_path.name,
        secret,
        read_file_bytes(appointments_path) if appointments_path else None,
        appointments_path.name if appointments_path else None,
        orientation_types,
    )
