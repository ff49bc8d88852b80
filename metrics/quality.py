"""Data quality: completeness of the key dates, inconsistencies and freshness of each source.

Why: an indicator is only as good as the dates behind it. A source that stopped sending
orientation dates, events dated before the person's entry, or an export last loaded three
weeks ago all bend the dashboard silently; this module says so, in numbers, by UTAS.

Every figure is a column of one SQL aggregate (persons grouped by source and UTAS, joined to
one per-person aggregate of each event table); nothing is loaded person by person. Counts of
persons go through ``metrics/privacy.py`` like every other count: 1 to threshold − 1 masked,
secondary suppression along each line since a total is published.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Engine,
    and_,
    case,
    column,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.sql.selectable import FromClause
from sqlalchemy.sql.util import ClauseAdapter, find_tables

from data_access.schema import (
    UNKNOWN_ORIENTATION_TYPE,
    Accompaniment,
    Appointment,
    Commune,
    Contract,
    ImportRun,
    Invitation,
    Orientation,
    Person,
    PersonKeyLink,
)
from metrics.privacy import is_secret, secondary_line
from metrics.spec import MetricContext
from metrics.sql import days_between

FRESHNESS_DAYS = 7
TOTAL = "\x00total"  # grid key of a source's total (no UTAS is named so)
# Completeness checks whose complement an inconsistency check publishes over all sources.
PUBLISHED_COMPLEMENTS = {"commune": "sans_commune"}
UNKNOWN_UTAS = ""
UNKNOWN_UTAS_LABEL = "Commune inconnue"
SOURCE_LABELS = {
    "bundle": "Lot de fichiers",
    "rdv_insertion": "RDV-Insertion",
    "data_inclusion": "data·inclusion",
    "demo": "Démonstration",
}
Category = Literal["completude", "incoherence", "deduction", "repli"]
# Categories whose count is the persons concerned (not the persons having the data).
CONCERNED = ("incoherence", "deduction", "repli")


def source_label(source: str) -> str:
    """French name of a source (the raw name when it is not a known one)."""
    return SOURCE_LABELS.get(source, source)


# --- results -----------------------------------------------------------------------------


@dataclass(frozen=True)
class QualityCell:
    """One group (a UTAS, or the total): persons concerned, persons in the group, share."""

    key: str
    label: str
    count: int | None
    persons: int | None
    rate: float | None
    suppressed: bool = False


@dataclass(frozen=True)
class QualityCheck:
    """One check with its French definition, its total and its breakdown by UTAS.

    For a completeness check ``count`` is the number of persons who HAVE the date; for an
    inconsistency, or a missing date replaced by another (``repli``), it is the number of
    persons concerned.
    """

    id: str
    category: Category
    label: str
    definition: str
    source: str | None
    total: QualityCell
    by_utas: tuple[QualityCell, ...]

    @property
    def source_label(self) -> str | None:
        return source_label(self.source) if self.source else None


@dataclass(frozen=True)
class SourceFreshness:
    """Days since the last successful import of one source, and whether it is too old."""

    source: str
    label: str
    last_import: dt.datetime
    days: int
    stale: bool


@dataclass(frozen=True)
class QualityReport:
    """Everything the « Qualité des données » page and ``pilotage quality --json`` show."""

    as_of: dt.date
    threshold_days: int
    checks: tuple[QualityCheck, ...]
    freshness: tuple[SourceFreshness, ...]

    def completeness(self) -> list[QualityCheck]:
        return [c for c in self.checks if c.category == "completude"]

    def inconsistencies(self) -> list[QualityCheck]:
        return [c for c in self.checks if c.category == "incoherence"]

    def deductions(self) -> list[QualityCheck]:
        return [c for c in self.checks if c.category == "deduction"]

    def fallbacks(self) -> list[QualityCheck]:
        """Dates the legal delays need that are missing, and the date used instead."""
        return [c for c in self.checks if c.category == "repli"]

    def to_json(self) -> dict[str, Any]:
        """JSON shape of ``pilotage quality --json`` (dates in ISO form)."""
        return {
            "as_of": self.as_of.isoformat(),
            "freshness_threshold_days": self.threshold_days,
            "freshness": [
                {**asdict(f), "last_import": f.last_import.isoformat(timespec="seconds")}
                for f in self.freshness
            ],
            "checks": [
                {
                    "id": c.id,
                    "category": c.category,
                    "label": c.label,
                    "definition": c.definition,
                    "source": c.source,
                    "total": asdict(c.total),
                    "by_utas": [asdict(cell) for cell in c.by_utas],
                }
                for c in self.checks
            ],
        }


# --- per-person conditions ---------------------------------------------------------------


PERSONS = Person.__table__
ROW_PERSON = PERSONS.alias("row_person")


class PersonScans:
    """The per-person aggregates of one quality query: each event table scanned once.

    A check asks ``has(model, *conditions)`` (the person has a row of ``model`` meeting the
    conditions) or ``first(model, column)`` (the earliest value of that column); each is one
    column of the table's aggregate (``max(CASE …)`` or ``min(…)`` grouped by person), LEFT
    JOINed to the persons. So the report reads each table once whatever the number of checks,
    rather than once per check (a subquery of distinct persons each) or, worse, an EXISTS per
    person and per check (one index probe per person each on PostgreSQL: 1,2 s for one category
    at 100 000 persons).

    The aggregate is built only once every check has asked for its columns, so a check refers
    to its column by name; names start with their table's, unique in the query. A condition
    that reads the person (``column < persons.entry_date``) reads the row's own person, joined
    inside the aggregate.
    """

    def __init__(self) -> None:
        self._columns: dict[Any, list[tuple[str, ColumnElement[Any]]]] = {}
        # (model, SQL text of the aggregate) → its column's name: several checks ask for the
        # same one (« has an orientation », the first contract…), computed once.
        self._names: dict[tuple[Any, str], str] = {}

    def has(self, model: Any, *conditions: ColumnElement[bool]) -> ColumnElement[bool]:
        row = case((and_(*conditions), 1), else_=0) if conditions else literal(1)
        return func.coalesce(self._column(model, func.max(row)), 0) == 1

    def first(self, model: Any, value: Any) -> ColumnElement[Any]:
        return self._column(model, func.min(value))

    def _column(self, model: Any, expression: ColumnElement[Any]) -> ColumnElement[Any]:
        key = (model, str(expression.compile(compile_kwargs={"literal_binds": True})))
        if key not in self._names:
            columns = self._columns.setdefault(model, [])
            self._names[key] = f"{model.__tablename__}_{len(columns)}"
            columns.append((self._names[key], expression))
        return column(self._names[key])

    def joined_to(self, persons: FromClause) -> FromClause:
        """``persons`` LEFT JOINed to every aggregate asked for (one row per person at most,
        so no count is multiplied)."""
        for model, columns in self._columns.items():
            person = f"{model.__tablename__}_person"
            source: FromClause = model.__table__
            reads_person = any(
                PERSONS in find_tables(expression, check_columns=True) for _, expression in columns
            )
            if reads_person:
                adapter = ClauseAdapter(ROW_PERSON)
                columns = [(name, adapter.traverse(expression)) for name, expression in columns]
                source = source.join(ROW_PERSON, ROW_PERSON.c.id == model.person_id)
            rows = (
                select(model.person_id.label(person), *(e.label(n) for n, e in columns))
                .select_from(source)
                .group_by(model.person_id)
                .subquery()
            )
            persons = persons.outerjoin(rows, rows.c[person] == Person.id)
        return persons


def _events_before_entry(scans: PersonScans) -> ColumnElement[bool]:
    # A row dated before the entry exists exactly when the person's earliest row is: a
    # minimum per person, compared with the entry outside the aggregate, so that these
    # tables' aggregates need not join the persons.
    return or_(
        *(
            scans.first(model, date) < Person.entry_date
            for model, date in (
                (Invitation, Invitation.sent_date),
                (Appointment, Appointment.date),
                (Orientation, Orientation.decision_date),
                (Contract, Contract.signed_date),
                (Accompaniment, Accompaniment.start_date),
            )
        )
    )


def _contract_before_orientation(scans: PersonScans) -> ColumnElement[bool]:
    # A contract signed before the person's first orientation exists exactly when the
    # person's first contract precedes it: two minimums, no subquery per contract.
    first_contract = scans.first(Contract, Contract.signed_date)
    first_orientation = scans.first(Orientation, Orientation.decision_date)
    return or_(
        first_contract < first_orientation,
        and_(scans.has(Contract), ~scans.has(Orientation)),
    )


def _twice_same_day(model: Any, date_column: str, *same: str) -> Any:
    """Persons with two rows of ``model`` on the same day (and same ``same`` columns)."""
    columns = [model.person_id, getattr(model, date_column), *(getattr(model, n) for n in same)]
    return select(model.person_id).group_by(*columns).having(func.count() > 1)


def _duplicates(_scans: PersonScans) -> ColumnElement[bool]:
    # One GROUP BY per table rather than a self-join per person: a single scan each.
    # Invitations are left out on purpose: the same send twice (person, day, kind, channel,
    # reminder or not) is already refused by the table's unique key, and what is left (an SMS
    # and an email of the same invitation on the same day) is normal practice, not a duplicate.
    return or_(
        Person.id.in_(_twice_same_day(Appointment, "date")),
        Person.id.in_(_twice_same_day(Contract, "signed_date")),
    )


def _seen_within(scans: PersonScans, days: int) -> ColumnElement[bool]:
    """An honoured orientation appointment less than ``days`` days after the entry (the
    dashboard's reading of upstream's « honoré en moins de N jours » flag)."""
    return scans.has(
        Appointment,
        Appointment.purpose == "orientation",
        Appointment.status == "seen",
        Appointment.date >= Person.entry_date,
        days_between(Appointment.date, Person.entry_date) < days,
    )


def _flag_differs(scans: PersonScans, flag: Any, days: int) -> ColumnElement[bool]:
    """Upstream's flag is given and says the opposite of the dashboard's computation."""
    ours = _seen_within(scans, days)
    return or_(and_(flag.is_(True), ~ours), and_(flag.is_(False), ours))


@dataclass(frozen=True)
class CheckSpec:
    """A check: id, category, French label and definition, and its per-person condition."""

    id: str
    category: Category
    label: str
    definition: str
    condition: Callable[[PersonScans], ColumnElement[bool]]


COMPLETENESS: tuple[CheckSpec, ...] = (
    CheckSpec(
        "date_entree",
        "completude",
        "Date d'entrée",
        "Part des personnes de la source dont la date d'entrée (date d'entrée flux ou, à "
        "défaut, date de création) est connue.",
        lambda _: Person.entry_date.is_not(None),
    ),
    CheckSpec(
        "commune",
        "completude",
        "Commune de résidence",
        "Part des personnes de la source rattachées à une commune du département (et donc à "
        "une UTAS).",
        lambda _: Person.commune_code.is_not(None),
    ),
    CheckSpec(
        "premiere_invitation",
        "completude",
        "Première invitation ou convocation",
        "Part des personnes de la source ayant au moins une date d'invitation ou de convocation.",
        lambda scans: scans.has(Invitation),
    ),
    CheckSpec(
        "rendez_vous",
        "completude",
        "Rendez-vous",
        "Part des personnes de la source ayant au moins un rendez-vous daté.",
        lambda scans: scans.has(Appointment),
    ),
    CheckSpec(
        "orientation",
        "completude",
        "Date d'orientation",
        "Part des personnes de la source ayant une date de décision d'orientation.",
        lambda scans: scans.has(Orientation),
    ),
    CheckSpec(
        "contrat",
        "completude",
        "Date de contrat",
        "Part des personnes de la source ayant une date de signature de contrat (CER, PPAE, "
        "PACEA, CEJ).",
        lambda scans: scans.has(Contract),
    ),
    CheckSpec(
        "accompagnement",
        "completude",
        "Début d'accompagnement",
        "Part des personnes de la source ayant une date de début d'accompagnement.",
        lambda scans: scans.has(Accompaniment),
    ),
)

INCONSISTENCIES: tuple[CheckSpec, ...] = (
    CheckSpec(
        "evenement_avant_entree",
        "incoherence",
        "Événements antérieurs à l'entrée",
        "Personnes ayant une invitation, un rendez-vous, une orientation, un contrat ou un "
        "début d'accompagnement daté avant leur date d'entrée.",
        _events_before_entry,
    ),
    CheckSpec(
        "orientation_sans_rendez_vous",
        "incoherence",
        "Orientation sans aucun rendez-vous",
        "Personnes orientées sans aucun rendez-vous enregistré (le rendez-vous de diagnostic "
        "manque dans les données).",
        lambda scans: and_(scans.has(Orientation), ~scans.has(Appointment)),
    ),
    CheckSpec(
        "contrat_avant_orientation",
        "incoherence",
        "Contrat avant l'orientation",
        "Personnes dont un contrat est signé avant leur première orientation, ou sans aucune "
        "orientation enregistrée.",
        _contract_before_orientation,
    ),
    CheckSpec(
        "doublons",
        "incoherence",
        "Doublons probables",
        "Personnes ayant deux rendez-vous le même jour ou deux contrats signés le même jour "
        "(un même envoi en double est déjà refusé à l'import ; un SMS et un courriel de la même "
        "invitation le même jour sont normaux).",
        _duplicates,
    ),
    CheckSpec(
        "sans_commune",
        "incoherence",
        "Personnes sans commune",
        "Personnes dont la commune de résidence est inconnue : elles manquent dans tous les "
        "indicateurs par territoire.",
        lambda _: Person.commune_code.is_(None),
    ),
    CheckSpec(
        "drapeau_15_jours_different",
        "incoherence",
        "RDV-Insertion « sous 15 jours » contredit",
        "Personnes pour qui le drapeau « Rendez-vous d'orientation (RSA) honoré en - moins de "
        "15 jours? » de l'export RDV-Insertion dit le contraire de notre calcul (un rendez-vous "
        "d'orientation honoré moins de 15 jours après la date d'entrée). RDV-Insertion compte "
        "depuis la création du suivi, nous depuis la date d'entrée : un écart signale une date "
        "d'entrée ou un rendez-vous manquant ou différent.",
        lambda scans: _flag_differs(scans, Person.upstream_within_15, 15),
    ),
    CheckSpec(
        "drapeau_30_jours_different",
        "incoherence",
        "RDV-Insertion « sous 30 jours » contredit",
        "Même comparaison pour le drapeau « … honoré en - moins de 30 jours? ».",
        lambda scans: _flag_differs(scans, Person.upstream_within_30, 30),
    ),
)

DEDUCTIONS: tuple[CheckSpec, ...] = (
    CheckSpec(
        "orientation_sans_type",
        "deduction",
        "Orientation sans type national",
        "Personnes ayant une orientation datée gardée avec le type « non renseigné » : « Type "
        "d'orientation » vide (l'orientation est terminée) ou type propre au département non "
        "rattaché (PILOTAGE_ORIENTATION_TYPE_MAP). La date compte dans les délais "
        "d'orientation ; le type manque dans les parts par type.",
        lambda scans: scans.has(
            Orientation, Orientation.orientation_type == UNKNOWN_ORIENTATION_TYPE
        ),
    ),
    CheckSpec(
        "orientation_type_local",
        "deduction",
        "Type local rattaché",
        "Personnes dont l'orientation porte un type propre au département, rattaché à un type "
        "national par la correspondance PILOTAGE_ORIENTATION_TYPE_MAP.",
        lambda scans: scans.has(
            Orientation,
            Orientation.type_label.is_not(None),
            Orientation.orientation_type != UNKNOWN_ORIENTATION_TYPE,
        ),
    ),
    CheckSpec(
        "orientation_datee_par_rendez_vous",
        "deduction",
        "Orientation datée par le rendez-vous",
        "Règle de datation : la « Date d'orientation » de l'export des usagers de "
        "RDV-Insertion est celle du tout premier rendez-vous d'orientation honoré de la "
        "personne ; quand elle précède l'entrée en cours (réentrée) ou manque, l'orientation "
        "actuelle est datée par le premier rendez-vous d'orientation honoré depuis l'entrée "
        "(export des rendez-vous). Personnes orientées selon cette règle.",
        lambda scans: scans.has(Orientation, Orientation.date_rule == "rendez_vous"),
    ),
    CheckSpec(
        "orientation_non_datee",
        "deduction",
        "Orientation actuelle non datée",
        "Personnes dont l'export donne un type d'orientation actuel mais aucune date pour "
        "l'entrée en cours (« Date d'orientation » antérieure à l'entrée et aucun rendez-vous "
        "d'orientation honoré depuis l'entrée) : comptées non orientées.",
        lambda _: Person.undated_orientation.is_(True),
    ),
    CheckSpec(
        "identifiants_rapproches",
        "deduction",
        "Identifiants rapprochés",
        "Personnes d'abord connues par le numéro CAF et le rôle, puis aussi par l'ID interne "
        "au département : les deux identifiants (hachés) désignent une seule personne.",
        lambda scans: scans.has(PersonKeyLink, PersonKeyLink.merged.is_(True)),
    ),
)


FALLBACKS: tuple[CheckSpec, ...] = (
    CheckSpec(
        "sans_reception_information",
        "repli",
        "Réception de l'information non datée → date d'entrée",
        "Personnes sans date de réception de l'information relative à l'ouverture du droit ni "
        "au transfert du droit : leur délai légal d'orientation (six semaines) court de la date "
        "d'entrée, utilisée à la place.",
        lambda _: and_(Person.right_info_date.is_(None), Person.transfer_in_date.is_(None)),
    ),
    CheckSpec(
        "sans_demande_rsa",
        "repli",
        "Demande de RSA non datée → écartée (DREES)",
        "Personnes sans date de demande de RSA : aucune date ne la remplace, elles sont "
        "écartées du délai moyen entre la demande et la première orientation (DREES).",
        lambda _: Person.rsa_request_date.is_(None),
    ),
    CheckSpec(
        "orientation_sans_notification",
        "repli",
        "Notification non datée → date de décision",
        "Personnes ayant au moins une décision d'orientation sans date de notification : le "
        "mois légal du contrat court alors de la date de la décision, utilisée à la place.",
        lambda scans: scans.has(Orientation, Orientation.notification_date.is_(None)),
    ),
)


# --- computation -------------------------------------------------------------------------


def _grouped_counts(
    engine: Engine, scans: PersonScans, conditions: Sequence[ColumnElement[bool]]
) -> dict[tuple[str, str], tuple[list[int], int]]:
    """(source, UTAS) → (persons meeting each condition, persons), in ONE query.

    Every check is a ``SUM(CASE WHEN …)`` over the same pass on the persons, joined once to
    each table's aggregate (``scans``), so the whole report costs one scan of each table.
    """
    flags = [func.sum(case((condition, 1), else_=0)) for condition in conditions]
    utas = func.coalesce(Commune.utas, literal(UNKNOWN_UTAS))
    persons = PERSONS.outerjoin(Commune, Commune.code_insee == Person.commune_code)
    query = (
        select(
            Person.source.label("source"),
            utas.label("utas"),
            func.count(Person.id).label("persons"),
            *flags,
        )
        .select_from(scans.joined_to(persons))
        .group_by(Person.source, utas)
    )
    with engine.connect() as conn:
        return {
            (row.source, row.utas): ([int(v or 0) for v in row[3:]], int(row.persons))
            for row in conn.execute(query)  # row[3:]: one count per condition, in order
        }


def _over_sources(
    grouped: dict[tuple[str, str], tuple[list[int], int]],
) -> dict[tuple[str, str], tuple[list[int], int]]:
    """The same counts summed over the sources, under the source ``""``."""
    summed: dict[tuple[str, str], tuple[list[int], int]] = {}
    for (_, utas), (values, persons) in grouped.items():
        before, total = summed.get(("", utas), ([0] * len(values), 0))
        summed[("", utas)] = ([a + b for a, b in zip(before, values, strict=True)], total + persons)
    return summed


def _secondary(
    lines: Sequence[Sequence[Any]],
    persons: dict[Any, float],
    concerned: dict[Any, float],
    masked: dict[Any, bool],
    threshold: int,
    with_concerned: Sequence[bool],
) -> None:
    """Secondary suppression over several lines of one grid, until no line changes.

    A line is a group of cells whose sum is published elsewhere; its persons always, and its
    persons concerned (or lacking the date) where ``with_concerned`` says that sum is
    published too. Masking a cell for one line can leave another with a lone masked cell,
    hence the loop. ``masked`` is updated in place.
    """
    changed = True
    while changed:
        changed = False
        for line, concerned_too in zip(lines, with_concerned, strict=True):
            flags = secondary_line([persons[k] for k in line], [masked[k] for k in line], threshold)
            if concerned_too:
                flags = secondary_line([concerned[k] for k in line], flags, threshold)
            for key, flag in zip(line, flags, strict=True):
                if flag and not masked[key]:
                    masked[key] = True
                    changed = True


def _cells(
    counts: dict[tuple[str, str], tuple[int, int]],
    sources: Sequence[str],
    utas_names: Sequence[str],
    category: Category,
    threshold: int,
    complement_published: bool = False,
) -> dict[str, tuple[QualityCell, tuple[QualityCell, ...]]]:
    """Total and per-UTAS cells of every source of one check, with statistical secrecy.

    Both numbers of a cell are person counts: the persons of the group (a share rests on it)
    and, for an inconsistency, the persons concerned (shown as such). Either one from 1 to
    threshold − 1 masks the cell. For a completeness check the persons *without* the date
    (persons − count) are just as readable, so a small complement masks the cell too.

    Then secondary suppression, since totals are published: along each source's UTAS line
    (its total), and, with several sources, across sources for each UTAS and for the totals —
    the inconsistency checks publish the persons of each UTAS over all sources, and, for
    ``complement_published`` checks (the commune, whose complement is « Personnes sans
    commune »), the complement too; a masked source could otherwise be recomputed from them.
    """
    keys = [(source, utas) for source in sources for utas in [*utas_names, TOTAL]]
    pairs = {key: counts.get(key, (0, 0)) for key in keys}
    for source in sources:
        line = [pair for (group_source, _), pair in counts.items() if group_source == source]
        pairs[(source, TOTAL)] = (sum(c for c, _ in line), sum(n for _, n in line))
    persons = {key: float(n) for key, (_, n) in pairs.items()}
    concerned = {key: float(c if category in CONCERNED else n - c) for key, (c, n) in pairs.items()}
    masked = {
        key: is_secret(persons[key], threshold) or is_secret(concerned[key], threshold)
        for key in keys
    }
    rows = [[(source, utas) for utas in utas_names] for source in sources]
    lines: list[list[tuple[str, str]]] = list(rows)
    with_concerned = [True] * len(rows)
    if len(sources) > 1:
        for utas in [*utas_names, TOTAL]:
            lines.append([(source, utas) for source in sources])
            with_concerned.append(complement_published or category in CONCERNED)
    _secondary(lines, persons, concerned, masked, threshold, with_concerned)
    result = {}
    for source in sources:
        cells = tuple(
            _cell(utas, utas or UNKNOWN_UTAS_LABEL, *pairs[(source, utas)], masked[(source, utas)])
            for utas in utas_names
        )
        total = _cell("total", "Ensemble", *pairs[(source, TOTAL)], masked[(source, TOTAL)])
        result[source] = (total, cells)
    return result


def _cell(key: str, label: str, count: int, persons: int, masked: bool) -> QualityCell:
    if masked:
        return QualityCell(key, label, None, None, None, suppressed=True)
    return QualityCell(key, label, count, persons, count / persons if persons else None)


def _utas_names(engine: Engine) -> list[str]:
    """Every UTAS of the département, then the « commune inconnue » group."""
    with engine.connect() as conn:
        names = conn.execute(
            select(Commune.utas).where(Commune.utas.is_not(None)).distinct()
        ).scalars()
        return [*sorted(name for name in names if name is not None), UNKNOWN_UTAS]


def freshness(
    engine: Engine, as_of: dt.date | None = None, threshold_days: int = FRESHNESS_DAYS
) -> tuple[SourceFreshness, ...]:
    """Days since the last successful (or partial) import of each source imported by the
    as-of date (an import finished after it did not exist yet on that date)."""
    today = as_of or dt.date.today()
    next_day = dt.datetime.combine(today + dt.timedelta(days=1), dt.time())
    query = (
        select(ImportRun.source, func.max(ImportRun.finished_at).label("last"))
        .where(
            ImportRun.status.in_(("success", "partial")),
            ImportRun.finished_at.is_not(None),
            ImportRun.finished_at < next_day,
        )
        .group_by(ImportRun.source)
        .order_by(ImportRun.source)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    result = []
    for row in rows:
        if row.last is None:  # never: the query keeps finished runs only
            continue
        days = max((today - row.last.date()).days, 0)
        result.append(
            SourceFreshness(
                row.source, source_label(row.source), row.last, days, days > threshold_days
            )
        )
    return tuple(result)


def stale_sources(
    engine: Engine, as_of: dt.date | None = None, threshold_days: int = FRESHNESS_DAYS
) -> tuple[SourceFreshness, ...]:
    """Sources whose last import is older than the threshold (the warning on every page)."""
    return tuple(f for f in freshness(engine, as_of, threshold_days) if f.stale)


def quality_report(context: MetricContext, threshold_days: int = FRESHNESS_DAYS) -> QualityReport:
    """Every check: completeness per source, inconsistencies, freshness, all by UTAS.

    The checks read the whole database (every person, whatever the scope's period, territory
    or payer: a data error is one wherever it sits); the scope gives the as-of date at which
    the freshness of the imports is measured, the settings the secrecy threshold.
    """
    engine, threshold = context.engine, context.settings.secrecy_threshold
    as_of = context.scope.as_of
    utas_names = _utas_names(engine)
    checks: list[QualityCheck] = []
    scans = PersonScans()
    specs = (*COMPLETENESS, *INCONSISTENCIES, *DEDUCTIONS, *FALLBACKS)
    by_source = _grouped_counts(engine, scans, [spec.condition(scans) for spec in specs])
    overall = _over_sources(by_source)
    sources = sorted({source for source, _ in by_source})
    for index, spec in enumerate(specs):
        per_source = spec.category == "completude"
        grouped = by_source if per_source else overall
        counts = {key: (values[index], persons) for key, (values, persons) in grouped.items()}
        cells = _cells(
            counts,
            sources if per_source else [""],
            utas_names,
            spec.category,
            threshold,
            complement_published=spec.id in PUBLISHED_COMPLEMENTS,
        )
        for source, (total, utas_cells) in cells.items():
            checks.append(
                QualityCheck(
                    spec.id,
                    spec.category,
                    spec.label,
                    spec.definition,
                    source if per_source else None,
                    total,
                    utas_cells,
                )
            )
    return QualityReport(
        as_of=as_of,
        threshold_days=threshold_days,
        checks=tuple(checks),
        freshness=freshness(engine, as_of, threshold_days),
    )


def describe_report(report: QualityReport, threshold: int) -> list[str]:
    """French text of the report for the terminal: freshness, then one line per check."""
    from babel.numbers import format_decimal, format_percent

    def number(value: int | None) -> str:
        return f"< {threshold}" if value is None else format_decimal(value, locale="fr_FR")

    def share(cell: QualityCell) -> str:
        if cell.suppressed or cell.rate is None:
            return "secret statistique" if cell.suppressed else "—"
        return format_percent(cell.rate, format="#,##0.0 %", locale="fr_FR")

    lines = ["Fraîcheur des sources :"]
    if not report.freshness:
        lines.append("  aucun import enregistré.")
    for item in report.freshness:
        flag = " — trop ancien" if item.stale else ""
        lines.append(f"  {item.label} : dernier import il y a {item.days} jour(s){flag}")
    lines.append("Complétude (part des personnes ayant la donnée) :")
    for check in report.completeness():
        total = check.total
        # A masked share may hide a large count whose complement is small: no « < 11 » then.
        counts = "" if total.suppressed else f" ({number(total.count)} sur {number(total.persons)})"
        lines.append(f"  [{check.source_label}] {check.label} : {share(total)}{counts}")
    lines.append("Incohérences (personnes concernées) :")
    for check in report.inconsistencies():
        lines.append(f"  {check.label} : {number(check.total.count)}")
    lines.append("Déductions de l'import (personnes concernées) :")
    for check in report.deductions():
        lines.append(f"  {check.label} : {number(check.total.count)}")
    lines.append(
        "Dates des délais légaux manquantes (personnes concernées, date utilisée à la place) :"
    )
    for check in report.fallbacks():
        lines.append(f"  {check.label} : {number(check.total.count)}")
    return lines
