"""The interchange bundle: a folder of CSV (or .xlsx) files exported by a département's system.

``pilotage import bundle DIR`` loads every known file of the folder as ONE import run, in ONE
transaction, through the validated path of ``pipeline``. Each file kind is a :class:`FileKind`:
its columns (parsed by ``base.parse_table``), a ``check`` applying the rules that need context
(known communes, known persons, date order, duplicates), and a ``write`` doing set-based upserts
on the table's natural key through the journal. Kinds are written in ``order`` (persons first,
since every event points at a person).

Adding a file kind (e.g. ``services.csv``, ``roadmap_steps.csv``) from another module::

    from data_access.importers.bundle import FileKind, register
    register(FileKind(file_name="services.csv", order=60, columns=..., key=(...),
                      key_label="service_id", check=_check, write=_write))

and add that module's dotted name to ``BUNDLE_MODULES`` below (one line), so the bundle imports
it before listing the kinds. ``check(ctx, rows)`` receives the parsed rows, calls
``ctx.reject(...)`` for each rule violation and returns the rows to keep with values named as
the table's columns; ``write(ctx, journal, rows)`` returns the journal's ``UpsertCounts``.
Person identifiers are hashed with ``ctx.hash`` and never kept in clear.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, select

from data_access.exceptions import DataAccessError, ImportValidationError
from data_access.importers.base import (
    Column,
    Importer,
    ParsedRow,
    RowError,
    ValidationReport,
    count_rejected,
    parse_table,
)
from data_access.importers.bulk import key_in, lookup_chunk
from data_access.importers.journal import Journal, UpsertCounts
from data_access.importers.reading import (
    CellError,
    ReadLimits,
    UnreadableFileError,
    choice_parser,
    parse_bool,
    parse_date,
    parse_decimal,
    parse_int,
    read_file_bytes,
    read_table,
)
from data_access.pseudonym import pseudonymise
from data_access.schema import (
    APPOINTMENT_PURPOSES,
    APPOINTMENT_STATUSES,
    CHANNELS,
    COMPANY_ACTIONS,
    CONTRACT_TYPES,
    INVITATION_KINDS,
    ORGANISMS,
    ORIENTATION_TYPES,
    PAYERS,
    SEXES,
    Accompaniment,
    Appointment,
    Commune,
    CompanyAction,
    Contract,
    Invitation,
    Need,
    Orientation,
    Person,
    table_of,
)
from data_access.thematiques import need_category
from settings import Settings

SOURCE = "bundle"
READABLE_SUFFIXES = (".csv", ".txt", ".xlsx")
# Modules that register further file kinds when imported (services, roadmap steps…).
BUNDLE_MODULES: tuple[str, ...] = (
    "data_access.importers.roadmap_steps",
    "data_access.importers.data_inclusion",
)

UNKNOWN_PERSON = "personne inconnue : identifiant absent de beneficiaries.csv et de la base"


class _Absent:
    """Value of an optional column missing from the file (or empty on every line): the column
    is then not written, so a bundle made before the column existed does not erase what
    another import stored. In a column with some values, an empty cell is a plain NULL."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT = _Absent()


class BundleError(DataAccessError):
    """The bundle folder cannot be used at all (missing, or holding no known file)."""


# --- context shared by the checks and writes of one bundle --------------------------------


@dataclass
class BundleContext:
    """What the kinds of one bundle share: connection, settings, report, persons seen."""

    conn: Connection
    settings: Settings
    report: ValidationReport
    bundle_persons: set[str] = field(default_factory=set)
    _communes: set[str] | None = None
    _known_in_db: set[str] = field(default_factory=set)
    _person_ids: dict[str, int] = field(default_factory=dict)

    def reject(self, file_name: str, row: ParsedRow, column: str, message: str) -> None:
        """Record a rule violation of one row."""
        self.report.errors.append(RowError(file_name, row.line, column, message))

    def hash(self, identifier: str) -> str:
        """Keyed hash of a person (or referent, company) identifier: the only stored form."""
        return pseudonymise(identifier, self.settings.pseudonymisation_key)

    @property
    def communes(self) -> set[str]:
        """INSEE codes of the communes loaded in the database."""
        if self._communes is None:
            self._communes = set(self.conn.execute(select(Commune.code_insee)).scalars())
        return self._communes

    def known_persons(self, keys: Iterable[str]) -> set[str]:
        """The keys that are persons of this bundle's valid beneficiaries or of the database."""
        wanted = set(keys)
        lookup = sorted(wanted - self.bundle_persons - self._known_in_db)
        for batch in _chunks(lookup, lookup_chunk(self.conn)):
            column = table_of(Person).c.person_key
            query = select(column).where(key_in(self.conn, column, batch))
            self._known_in_db.update(self.conn.execute(query).scalars())
        return wanted & (self.bundle_persons | self._known_in_db)

    def person_ids(self, keys: Iterable[str]) -> dict[str, int]:
        """Database ids of persons by key (after the beneficiaries are written)."""
        missing = sorted(set(keys) - self._person_ids.keys())
        for batch in _chunks(missing, lookup_chunk(self.conn)):
            table = table_of(Person)
            query = select(table.c.person_key, table.c.id).where(
                key_in(self.conn, table.c.person_key, batch)
            )
            self._person_ids.update({key: pk for key, pk in self.conn.execute(query)})
        return self._person_ids


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- file kinds --------------------------------------------------------------------------

CheckFn = Callable[[BundleContext, list[ParsedRow]], list[ParsedRow]]
WriteFn = Callable[[BundleContext, Journal, list[ParsedRow]], UpsertCounts]


@dataclass(frozen=True)
class FileKind:
    """One file of a bundle: name, load order, columns, natural key, rules and writer.

    ``key`` names the values (as returned by ``check``) that identify a row; two lines of a
    file with the same key are an error. ``key_label`` says it in the file's column names.
    ``columns_for``, when given, builds the columns from the context, so that a cell checked
    against the database (a commune code) is reported with the other cell errors of its row.
    """

    file_name: str
    order: int
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    key_label: str
    check: CheckFn
    write: WriteFn
    columns_for: Callable[[BundleContext], tuple[Column, ...]] | None = None

    @property
    def stem(self) -> str:
        return self.file_name.rsplit(".", 1)[0]


FILE_KINDS: dict[str, FileKind] = {}


def register(kind: FileKind) -> FileKind:
    """Make a file kind part of every bundle (the extension point for other modules)."""
    FILE_KINDS[kind.stem] = kind
    return kind


def file_kinds() -> list[FileKind]:
    """Every registered kind, extension modules included, in load order."""
    for module in BUNDLE_MODULES:
        importlib.import_module(module)
    return sorted(FILE_KINDS.values(), key=lambda kind: kind.order)


def choice(values: Sequence[str]) -> Callable[[str], str]:
    """Cell parser for a closed value list (the lists of schema.py)."""
    return choice_parser(tuple(values))


def commune_code(value: str) -> str:
    """INSEE code as text; a code that lost its leading zero in a spreadsheet gets it back."""
    text = value.strip().upper()
    return text.zfill(5) if text.isdigit() and len(text) == 4 else text


# --- beneficiaries -----------------------------------------------------------------------

BENEFICIARY_COLUMNS = (
    Column("person_id"),
    Column("entry_date", parse_date),
    Column("commune_code", commune_code),
    Column("payer", choice(PAYERS)),
    Column("subject_to_obligations", parse_bool),
    Column("exit_date", parse_date, required=False),
    Column("birth_year", parse_int, required=False),
    Column("sex", choice(SEXES), required=False),
    # Dates of the legal delays (optional; see the README table).
    Column("rsa_request_date", parse_date, required=False, default=ABSENT),
    Column("right_info_date", parse_date, required=False, default=ABSENT),
    Column("transfer_in_date", parse_date, required=False, default=ABSENT),
)
LEGAL_DATE_COLUMNS = ("rsa_request_date", "right_info_date", "transfer_in_date")


def known_commune(ctx: BundleContext) -> Callable[[str], str]:
    """Cell parser: an INSEE code of one of the département's communes."""
    communes = ctx.communes

    def parse(value: str) -> str:
        code = commune_code(value)
        if code not in communes:
            raise CellError("commune inconnue : code INSEE absent des communes du département")
        return code

    return parse


def _beneficiary_columns(ctx: BundleContext) -> tuple[Column, ...]:
    return tuple(
        Column(c.name, known_commune(ctx), c.required) if c.name == "commune_code" else c
        for c in BENEFICIARY_COLUMNS
    )


def _check_beneficiaries(ctx: BundleContext, rows: list[ParsedRow]) -> list[ParsedRow]:
    file_name = "beneficiaries.csv"
    kept = []
    for row in rows:
        v = row.values
        problems = []
        if v["exit_date"] is not None and v["exit_date"] < v["entry_date"]:
            problems.append(("exit_date", "date de sortie antérieure à la date d'entrée"))
        if v["birth_year"] is not None and not 1900 <= v["birth_year"] <= 2100:
            problems.append(("birth_year", "année de naissance impossible (1900 à 2100)"))
        request = v["rsa_request_date"]
        if request is not ABSENT and request is not None and request > v["entry_date"]:
            problems.append(("rsa_request_date", "date de demande de RSA postérieure à l'entrée"))
        for column, message in problems:
            ctx.reject(file_name, row, column, message)
        if problems:
            continue
        key = ctx.hash(v["person_id"])
        kept.append(
            ParsedRow(
                row.line,
                {
                    "person_key": key,
                    "entry_date": v["entry_date"],
                    "commune_code": v["commune_code"],
                    "payer": v["payer"],
                    "subject_to_obligations": v["subject_to_obligations"],
                    "exit_date": v["exit_date"],
                    "birth_year": v["birth_year"],
                    "sex": v["sex"],
                    "source": SOURCE,
                    **{name: v[name] for name in LEGAL_DATE_COLUMNS},
                },
            )
        )
    ctx.bundle_persons.update(row.values["person_key"] for row in kept)
    return drop_absent(kept)


def drop_absent(rows: list[ParsedRow]) -> list[ParsedRow]:
    """Drop the optional columns that no row carries; elsewhere an ABSENT cell is NULL, so
    that every row has the same keys (the bulk writers need it)."""
    names = {name for row in rows for name, value in row.values.items() if value is ABSENT}
    unused = {name for name in names if all(row.values[name] is ABSENT for row in rows)}
    for row in rows:
        for name in names:
            if name in unused:
                del row.values[name]
            elif row.values[name] is ABSENT:
                row.values[name] = None
    return rows


def _write_beneficiaries(
    ctx: BundleContext, journal: Journal, rows: list[ParsedRow]
) -> UpsertCounts:
    return journal.upsert(table_of(Person), [r.values for r in rows], key=("person_key",))


register(
    FileKind(
        "beneficiaries.csv",
        10,
        BENEFICIARY_COLUMNS,
        ("person_key",),
        "person_id",
        _check_beneficiaries,
        _write_beneficiaries,
        columns_for=_beneficiary_columns,
    )
)


# --- events of a person ------------------------------------------------------------------

RuleFn = Callable[[dict[str, Any]], list[tuple[str, str]]]


def person_event_kind(
    file_name: str,
    order: int,
    table: Table,
    columns: tuple[Column, ...],
    key: tuple[str, ...],
    transform: Callable[[BundleContext, dict[str, Any]], dict[str, Any]] | None = None,
    rules: RuleFn | None = None,
) -> FileKind:
    """A file of events of persons: ``person_id`` must be a known person (bundle or base).

    ``transform`` turns parsed values into table values (default: same names); ``rules``
    returns (column, French message) pairs for violations of one row.
    """

    def check(ctx: BundleContext, rows: list[ParsedRow]) -> list[ParsedRow]:
        hashed = [ctx.hash(row.values["person_id"]) for row in rows]
        known = ctx.known_persons(hashed)
        kept = []
        for row, person_key in zip(rows, hashed, strict=True):
            problems = [] if person_key in known else [("person_id", UNKNOWN_PERSON)]
            if rules is not None:
                problems.extend(rules(row.values))
            for column, message in problems:
                ctx.reject(file_name, row, column, message)
            if problems:
                continue
            values = {k: v for k, v in row.values.items() if k != "person_id"}
            if transform is not None:
                values = transform(ctx, values)
            kept.append(ParsedRow(row.line, {"person_key": person_key, **values}))
        return drop_absent(kept)

    def write(ctx: BundleContext, journal: Journal, rows: list[ParsedRow]) -> UpsertCounts:
        ids = ctx.person_ids(row.values["person_key"] for row in rows)
        records = []
        for row in rows:
            values = dict(row.values)
            values["person_id"] = ids[values.pop("person_key")]
            records.append(values)
        upsert_key = tuple("person_id" if k == "person_key" else k for k in key)
        return journal.upsert(table, records, key=upsert_key)

    label = ", ".join("person_id" if k == "person_key" else k for k in key)
    return FileKind(file_name, order, columns, key, label, check, write)


def _orientation_rules(values: dict[str, Any]) -> list[tuple[str, str]]:
    notified = values["notification_date"]
    if notified is not ABSENT and notified is not None and notified < values["decision_date"]:
        return [("notification_date", "date de notification antérieure à la décision")]
    return []


def _accompaniment_rules(values: dict[str, Any]) -> list[tuple[str, str]]:
    problems = []
    if values["end_date"] is not None and values["end_date"] < values["start_date"]:
        problems.append(("end_date", "date de fin antérieure à la date de début"))
    hours = values["weekly_activity_hours"]
    if hours is not None and not 0 <= hours <= 80:
        problems.append(
            ("weekly_activity_hours", "heures d'activité hebdomadaires hors de l'intervalle 0 à 80")
        )
    return problems


def _accompaniment_values(ctx: BundleContext, values: dict[str, Any]) -> dict[str, Any]:
    referent = values.pop("referent_id")
    return {"referent_key": ctx.hash(referent), **values}


def _need_category(value: str) -> str:
    category = need_category(value)
    if category is None:
        raise CellError(
            "catégorie inconnue : catégorie data·inclusion attendue "
            "(ex. mobilite, famille, sante, logement-hebergement) ou thème Carnet de Bord "
            "(ex. contraintes_familiales, logement)"
        )
    return category


register(
    person_event_kind(
        "invitations.csv",
        20,
        table_of(Invitation),
        (
            Column("person_id"),
            Column("sent_date", parse_date),
            Column("kind", choice(INVITATION_KINDS)),
            Column("channel", choice(CHANNELS)),
            Column("is_reminder", parse_bool, required=False, default=False),
        ),
        ("person_key", "sent_date", "kind", "channel", "is_reminder"),
    )
)
register(
    person_event_kind(
        "appointments.csv",
        30,
        table_of(Appointment),
        (
            Column("person_id"),
            Column("date", parse_date),
            Column("purpose", choice(APPOINTMENT_PURPOSES)),
            Column("status", choice(APPOINTMENT_STATUSES)),
            Column("booked_after", choice(INVITATION_KINDS), required=False),
        ),
        ("person_key", "date", "purpose"),
    )
)
register(
    person_event_kind(
        "orientations.csv",
        40,
        table_of(Orientation),
        (
            Column("person_id"),
            Column("decision_date", parse_date),
            Column("orientation_type", choice(ORIENTATION_TYPES)),
            Column("organism", choice(ORGANISMS)),
            Column("notification_date", parse_date, required=False, default=ABSENT),
        ),
        ("person_key", "decision_date"),
        rules=_orientation_rules,
    )
)
register(
    person_event_kind(
        "contracts.csv",
        50,
        table_of(Contract),
        (
            Column("person_id"),
            Column("signed_date", parse_date),
            Column("contract_type", choice(CONTRACT_TYPES)),
        ),
        ("person_key", "signed_date", "contract_type"),
    )
)
register(
    person_event_kind(
        "accompaniments.csv",
        55,
        table_of(Accompaniment),
        (
            Column("person_id"),
            Column("referent_id"),
            Column("start_date", parse_date),
            Column("end_date", parse_date, required=False),
            Column("weekly_activity_hours", parse_decimal, required=False),
        ),
        ("person_key", "referent_key", "start_date"),
        transform=_accompaniment_values,
        rules=_accompaniment_rules,
    )
)
register(
    person_event_kind(
        "needs.csv",
        57,
        table_of(Need),
        (
            Column("person_id"),
            Column("category", _need_category),
            Column("identified_date", parse_date),
        ),
        ("person_key", "category"),
    )
)


# --- company actions ---------------------------------------------------------------------


def _check_company_actions(ctx: BundleContext, rows: list[ParsedRow]) -> list[ParsedRow]:
    kept = []
    for row in rows:
        v = row.values
        if v["count"] < 0:
            ctx.reject("company_actions.csv", row, "count", "nombre négatif")
            continue
        kept.append(
            ParsedRow(
                row.line,
                {
                    "date": v["date"],
                    "company_key": ctx.hash(v["company_id"]),
                    "action": v["action"],
                    "count": v["count"],
                },
            )
        )
    return kept


def _write_company_actions(
    ctx: BundleContext, journal: Journal, rows: list[ParsedRow]
) -> UpsertCounts:
    return journal.upsert(
        table_of(CompanyAction), [r.values for r in rows], key=("date", "company_key", "action")
    )


register(
    FileKind(
        "company_actions.csv",
        70,
        (
            Column("date", parse_date),
            Column("company_id"),
            Column("action", choice(COMPANY_ACTIONS)),
            Column("count", parse_int, required=False, default=1),
        ),
        ("date", "company_key", "action"),
        "date, company_id, action",
        _check_company_actions,
        _write_company_actions,
    )
)


# --- the importer ------------------------------------------------------------------------


def bundle_hash(files: Mapping[str, bytes]) -> str:
    """One hash for the whole bundle: file names and contents, in name order."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode("utf-8") + b"\0" + hashlib.sha256(files[name]).digest())
    return digest.hexdigest()


class BundleImporter(Importer):
    """All known files of a bundle, validated together and written as one run."""

    source = SOURCE

    def __init__(self, files: Mapping[str, bytes], name: str, settings: Settings) -> None:
        self.name = name
        self.settings = settings
        kinds = {kind.stem: kind for kind in file_kinds()}
        self.files: list[tuple[FileKind, str, bytes]] = []
        self.ignored: list[str] = []
        for file_name, data in sorted(files.items()):
            stem, _, suffix = file_name.lower().rpartition(".")
            kind = kinds.get(stem)
            if kind is None or f".{suffix}" not in READABLE_SUFFIXES:
                self.ignored.append(file_name)
            else:
                self.files.append((kind, file_name, data))
        self.files.sort(key=lambda item: item[0].order)
        self.hash = bundle_hash(files)
        self._kept: list[tuple[FileKind, str, list[ParsedRow]]] = []
        self._context: BundleContext | None = None

    @classmethod
    def from_directory(cls, directory: Path | str, settings: Settings) -> BundleImporter:
        """Read the files of a folder; refuse a folder without any known file."""
        path = Path(directory)
        if not path.is_dir():
            raise BundleError(f"Dossier introuvable : {path}.")
        limits = ReadLimits.from_settings(settings)
        files = {p.name: read_file_bytes(p, limits) for p in sorted(path.iterdir()) if p.is_file()}
        importer = cls(files, path.name or str(path), settings)
        if not importer.files:
            expected = ", ".join(kind.file_name for kind in file_kinds())
            raise BundleError(f"Aucun fichier reconnu dans {path} : fichiers attendus {expected}.")
        return importer

    def validate(self, conn: Connection) -> ValidationReport:
        report = ValidationReport(self.source, self.name, self.hash)
        report.notes.extend(f"fichier ignoré (non reconnu) : {name}" for name in self.ignored)
        context = BundleContext(conn, self.settings, report)
        self._kept = []
        limits = ReadLimits.from_settings(self.settings)
        for kind, file_name, data in self.files:
            try:
                table = read_table(data, file_name, limits)
            except UnreadableFileError as exc:
                report.file(file_name)
                reason = str(exc).removeprefix(f"{file_name} : ")
                report.errors.append(RowError(file_name, None, None, reason))
                continue
            columns = kind.columns if kind.columns_for is None else kind.columns_for(context)
            parsed = parse_table(table, columns, report)
            kept = self._without_duplicates(kind, file_name, kind.check(context, parsed), report)
            self._kept.append((kind, file_name, kept))
        count_rejected(report)
        self._context = context
        return report

    @staticmethod
    def _without_duplicates(
        kind: FileKind, file_name: str, rows: list[ParsedRow], report: ValidationReport
    ) -> list[ParsedRow]:
        """Reject every line repeating the natural key of an earlier line of the file."""
        first_line: dict[tuple, int] = {}
        kept = []
        for row in rows:
            key = tuple(row.values[k] for k in kind.key)
            if key in first_line:
                report.errors.append(
                    RowError(
                        file_name,
                        row.line,
                        kind.key_label.split(",")[0],
                        f"doublon de la ligne {first_line[key]} (même {kind.key_label})",
                    )
                )
            else:
                first_line[key] = row.line
                kept.append(row)
        return kept

    def write(self, conn: Connection, journal: Journal) -> None:
        if self._context is None or self._context.conn is not conn:
            raise ImportValidationError(
                "Import non validé : la validation doit précéder l'écriture."
            )
        report = self._context.report
        for kind, file_name, rows in self._kept:
            counts = kind.write(self._context, journal, rows)
            file_report = report.file(file_name)
            file_report.rows_inserted = counts.inserted
            file_report.rows_updated = counts.updated
            file_report.rows_unchanged = counts.unchanged
