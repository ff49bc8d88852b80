"""Coverage of needs by the partner offer: where persons with an obstacle find no service.

Why: the roadmap asks to « s'appuyer sur les solutions structurantes locales » and to develop
the offer on health, childcare and mobility where it is missing. So, for every data·inclusion
category in which at least one person has a need:

- a service **covers** a commune when it is active at the as-of date (start and end dates, an
  empty one being open) and its ``zone_eligibilite`` holds the commune's INSEE code, the SIREN
  of the commune's EPCI, the département's code or ``france``;
- **persons** are those subject to obligations, present at the as-of date (entered on or
  before it, not exited by it), whose need was identified on or before it;
- ``need_share_<c>`` = persons with a need of category c ÷ persons present;
- ``coverage_rate_<c>`` = persons with that need living in a covered commune ÷ persons with it;
- ``in_person_coverage_<c>`` = the same, counting only services received in person (a
  remote-only service does not lift a mobility obstacle in a village without a bus);
- ``white_zone_communes_<c>`` = communes with at least one person in need and no covering
  service (a count of communes, not of persons: never masked);
- ``services_<c>`` = active services covering at least one commune of the scope, by mode;
- ``capacity_per_need_<c>`` = known places of those services ÷ persons with the need (only
  services that state a capacity count; none known = no figure).

Every figure is one grouped SQL query (a few thousand rows at most cross the wire: categories ×
communes); rates go through ``privacy.publish``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from sqlalchemy import (
    ColumnElement,
    Engine,
    Select,
    and_,
    case,
    distinct,
    func,
    literal,
    or_,
    select,
    true,
)

from data_access.schema import (
    Commune,
    Need,
    PartnerService,
    Person,
    ServiceThematique,
    ServiceZone,
)
from data_access.thematiques import CATEGORIES
from data_access.thematiques import category_label as category_label
from metrics.population import check_territory, commune_in_territory, present_at, share
from metrics.privacy import is_secret, publish, round_count, secondary_line, suppress_table
from metrics.results import BreakdownRow, MetricResult
from metrics.scope import Scope, Territory
from metrics.spec import Family, IndicatorSpec, MetricContext
from metrics.sql import date_value

CATEGORY_LABELS: dict[str, str] = CATEGORIES
IN_PERSON = "en-presentiel"
REMOTE = "a-distance"
MODE_LABELS = {
    "in_person": "En présentiel",
    "remote_only": "À distance uniquement",
    "unknown": "Mode d'accueil non précisé",
}
LEVELS = ("utas", "epci")


# --- SQL building blocks -------------------------------------------------------------------


def service_active(as_of: dt.date | ColumnElement[dt.date]) -> ColumnElement[bool]:
    """The service runs at ``as_of`` (empty start or end = open); ``as_of`` may be a column
    of dates (coverage measured at several dates at once)."""
    return and_(
        or_(PartnerService.start_date.is_(None), PartnerService.start_date <= as_of),
        or_(PartnerService.end_date.is_(None), PartnerService.end_date >= as_of),
    )


def zone_holds_commune() -> ColumnElement[bool]:
    """The service zone row covers the ``communes`` row it is joined to."""
    return or_(
        and_(ServiceZone.zone_kind == "commune", ServiceZone.zone_code == Commune.code_insee),
        and_(ServiceZone.zone_kind == "epci", ServiceZone.zone_code == Commune.epci_siren),
        and_(
            ServiceZone.zone_kind == "departement",
            ServiceZone.zone_code == Commune.departement_code,
        ),
        ServiceZone.zone_kind == "france",
    )


def in_person_flag() -> ColumnElement[int]:
    """1 when the service states an in-person reception."""
    return case((PartnerService.modes_accueil.like(f"%{IN_PERSON}%"), 1), else_=0)


def mode_key() -> ColumnElement[str]:
    """``in_person``, ``remote_only`` or ``unknown`` from ``modes_accueil``."""
    return case(
        (PartnerService.modes_accueil.like(f"%{IN_PERSON}%"), literal("in_person")),
        (PartnerService.modes_accueil == REMOTE, literal("remote_only")),
        else_=literal("unknown"),
    )


def commune_in_scope_territory(scope: Scope) -> ColumnElement[bool]:
    """The ``communes`` row lies in the scope's territory (true without territory)."""
    return true() if scope.territory is None else commune_in_territory(scope.territory)


def covering_services(as_of: dt.date) -> Select:
    """(commune, service, category, in-person flag) of every active service covering a commune.

    A service with several thématiques of one category appears once per category.
    """
    return (
        select(
            Commune.code_insee.label("commune"),
            PartnerService.id.label("service_pk"),
            ServiceThematique.category.label("category"),
            in_person_flag().label("in_person"),
        )
        .select_from(Commune)
        .join(ServiceZone, zone_holds_commune())
        .join(PartnerService, PartnerService.id == ServiceZone.service_pk)
        .join(ServiceThematique, ServiceThematique.service_pk == PartnerService.id)
        .where(service_active(as_of))
        .distinct()
    )


def covered_communes(as_of: dt.date) -> Select:
    """(commune, category, number of services, in_person) for every covered pair."""
    cover = covering_services(as_of).subquery("cover")
    return select(
        cover.c.commune,
        cover.c.category,
        func.count(distinct(cover.c.service_pk)).label("services"),
        func.max(cover.c.in_person).label("in_person"),
    ).group_by(cover.c.commune, cover.c.category)


# --- grouped facts -------------------------------------------------------------------------


@dataclass(frozen=True)
class TerritoryCount:
    """Persons present in one commune of the scope (one row of the grouped count)."""

    commune: str | None
    utas: str | None
    epci: str | None
    epci_name: str | None
    persons: int


@dataclass(frozen=True)
class NeedCell:
    """Persons with a need of one category in one commune, and whether it is covered there."""

    category: str
    commune: str | None
    commune_name: str | None
    utas: str | None
    epci: str | None
    epci_name: str | None
    persons: int
    covered: bool
    in_person: bool
    services: int


def persons_present(engine: Engine, scope: Scope) -> list[TerritoryCount]:
    """Persons present at as-of, counted per commune (SQL GROUP BY)."""
    query = (
        select(
            Person.commune_code.label("commune"),
            Commune.utas,
            Commune.epci_siren.label("epci"),
            Commune.epci_name,
            func.count(Person.id).label("persons"),
        )
        .select_from(Person)
        .outerjoin(Commune, Commune.code_insee == Person.commune_code)
        .where(*present_at(scope))
        .group_by(Person.commune_code, Commune.utas, Commune.epci_siren, Commune.epci_name)
    )
    with engine.connect() as conn:
        return [TerritoryCount(**row) for row in conn.execute(query).mappings()]


def need_cells(engine: Engine, scope: Scope) -> list[NeedCell]:
    """Persons in need per (category, commune) with the commune's coverage for that category.

    Needs are counted per (category, commune) first (one row per person and category, by the
    table's unique key), and only those few thousand groups meet the communes and the coverage.
    """
    counts = (
        select(
            Need.category.label("category"),
            Person.commune_code.label("commune"),
            func.count().label("persons"),
        )
        .select_from(Need)
        .join(Person, Person.id == Need.person_id)
        .where(*present_at(scope), Need.identified_date <= date_value(scope.as_of))
        .group_by(Need.category, Person.commune_code)
        .subquery("need_counts")
    )
    covered = covered_communes(scope.as_of).subquery("covered")
    query = (
        select(
            counts.c.category,
            counts.c.commune,
            Commune.name.label("commune_name"),
            Commune.utas,
            Commune.epci_siren.label("epci"),
            Commune.epci_name,
            counts.c.persons,
            case((covered.c.commune.is_not(None), 1), else_=0).label("covered"),
            func.coalesce(covered.c.in_person, 0).label("in_person"),
            func.coalesce(covered.c.services, 0).label("services"),
        )
        .select_from(counts)
        .outerjoin(Commune, Commune.code_insee == counts.c.commune)
        .outerjoin(
            covered,
            and_(covered.c.commune == counts.c.commune, covered.c.category == counts.c.category),
        )
    )
    with engine.connect() as conn:
        return [
            NeedCell(
                category=row.category,
                commune=row.commune,
                commune_name=row.commune_name,
                utas=row.utas,
                epci=row.epci,
                epci_name=row.epci_name,
                persons=int(row.persons),
                covered=bool(row.covered),
                in_person=bool(row.in_person),
                services=int(row.services or 0),
            )
            for row in conn.execute(query)
        ]


@dataclass(frozen=True)
class OfferCount:
    """Active services of one category covering the scope, by mode, with known capacity."""

    category: str
    mode: str
    services: int
    capacity: int | None
    with_capacity: int


def offer_counts(engine: Engine, scope: Scope) -> list[OfferCount]:
    """Active services covering at least one commune of the scope, per category and mode."""
    reached = (
        select(
            PartnerService.id.label("service_pk"),
            ServiceThematique.category.label("category"),
            mode_key().label("mode"),
            PartnerService.capacity.label("capacity"),
        )
        .select_from(Commune)
        .join(ServiceZone, zone_holds_commune())
        .join(PartnerService, PartnerService.id == ServiceZone.service_pk)
        .join(ServiceThematique, ServiceThematique.service_pk == PartnerService.id)
        .where(service_active(scope.as_of), commune_in_scope_territory(scope))
        .distinct()
        .subquery("reached")
    )
    query = select(
        reached.c.category,
        reached.c.mode,
        func.count(reached.c.service_pk).label("services"),
        func.sum(reached.c.capacity).label("capacity"),
        func.count(reached.c.capacity).label("with_capacity"),
    ).group_by(reached.c.category, reached.c.mode)
    with engine.connect() as conn:
        return [
            OfferCount(
                row.category, row.mode, int(row.services), row.capacity, int(row.with_capacity)
            )
            for row in conn.execute(query)
        ]


# --- indicators ----------------------------------------------------------------------------

NEED_SHARE = IndicatorSpec(
    id="need_share_<category>",
    label="Part des personnes ayant un besoin de la catégorie",
    definition=(
        "Parmi les personnes soumises aux droits et devoirs présentes à la date d'observation, "
        "part de celles dont un besoin de cette catégorie data·inclusion a été identifié au "
        "diagnostic (au plus tard à cette date)."
    ),
    formula="personnes ayant ce besoin ÷ personnes présentes",
    unit="ratio",
    breakdowns=LEVELS,
)
COVERAGE_RATE = IndicatorSpec(
    id="coverage_rate_<category>",
    label="Taux de couverture des besoins par l'offre partenaire",
    definition=(
        "Part des personnes ayant un besoin de cette catégorie qui habitent une commune couverte "
        "par au moins un service actif de la même catégorie (zone d'éligibilité contenant la "
        "commune, son EPCI, le département ou la France entière)."
    ),
    formula="personnes ayant ce besoin dans une commune couverte ÷ personnes ayant ce besoin",
    unit="ratio",
    breakdowns=LEVELS,
)
IN_PERSON_COVERAGE = IndicatorSpec(
    id="in_person_coverage_<category>",
    label="Taux de couverture par une offre en présentiel",
    definition=(
        "Comme le taux de couverture, en ne comptant que les services qui accueillent en "
        "présentiel : une offre uniquement à distance ne lève pas toujours le frein."
    ),
    formula=(
        "personnes ayant ce besoin dans une commune couverte en présentiel ÷ personnes ayant "
        "ce besoin"
    ),
    unit="ratio",
    breakdowns=LEVELS,
)
WHITE_ZONES = IndicatorSpec(
    id="white_zone_communes_<category>",
    label="Communes en zone blanche",
    definition=(
        "Nombre de communes où habite au moins une personne ayant un besoin de cette catégorie "
        "et qu'aucun service actif de la catégorie ne couvre."
    ),
    formula="communes avec au moins un besoin et aucun service couvrant",
    unit="count",
    higher_is_better=False,
    person_based=False,
    breakdowns=LEVELS,
)
SERVICES = IndicatorSpec(
    id="services_<category>",
    label="Services partenaires actifs sur le territoire",
    definition=(
        "Nombre de services actifs à la date d'observation, d'une thématique de cette "
        "catégorie, couvrant au moins une commune du territoire ; détail par mode d'accueil "
        "(présentiel, à distance uniquement, non précisé)."
    ),
    formula="services actifs couvrant le territoire",
    unit="count",
    person_based=False,
    breakdowns=("mode",),
)
CAPACITY = IndicatorSpec(
    id="capacity_per_need_<category>",
    label="Places connues pour une personne ayant le besoin",
    definition=(
        "Somme des capacités déclarées des services actifs couvrant le territoire, rapportée "
        "au nombre de personnes ayant ce besoin ; seuls les services dont la capacité est "
        "connue comptent (aucune capacité connue : pas de valeur)."
    ),
    formula="places déclarées ÷ personnes ayant ce besoin",
    unit="ratio",
)
SPECS = (NEED_SHARE, COVERAGE_RATE, IN_PERSON_COVERAGE, WHITE_ZONES, SERVICES, CAPACITY)


def _concrete(spec: IndicatorSpec, category: str) -> IndicatorSpec:
    """The spec of one category (``coverage_rate_mobilite``)."""
    return replace(spec, id=spec.id.replace("<category>", category))


def _level_keys(level: str, cell: NeedCell | TerritoryCount) -> tuple[str, str] | None:
    """(key, French label) of a commune's UTAS or EPCI; None when unknown."""
    if level == "utas":
        return (cell.utas, f"UTAS {cell.utas}") if cell.utas else None
    return (cell.epci, cell.epci_name or cell.epci) if cell.epci else None


def _rate_rows(
    level: str,
    cells: Iterable[NeedCell],
    numerator: str,
    denominators: dict[str, tuple[str, float]] | None = None,
) -> list[BreakdownRow]:
    """Breakdown rows of a rate by territory level.

    ``numerator``: ``persons`` (need share, with ``denominators`` = persons present),
    ``covered`` or ``in_person`` (coverage rates, denominator = persons in need).
    """
    num: dict[str, float] = defaultdict(float)
    den: dict[str, float] = defaultdict(float)
    labels: dict[str, str] = {}
    for cell in cells:
        keys = _level_keys(level, cell)
        if keys is None:
            continue
        key, label = keys
        labels[key] = label
        if numerator == "persons":
            num[key] += cell.persons
        else:
            den[key] += cell.persons
            if getattr(cell, numerator):
                num[key] += cell.persons
    if denominators is not None:
        for key, (label, size) in denominators.items():
            labels.setdefault(key, label)
            den[key] = size
    return [
        BreakdownRow(key, labels[key], share(num[key], den[key]), num[key], den[key])
        for key in sorted(labels, key=lambda k: labels[k])
    ]


def _present_by_level(level: str, counts: Iterable[TerritoryCount]) -> dict[str, tuple[str, float]]:
    totals: dict[str, tuple[str, float]] = {}
    for row in counts:
        keys = _level_keys(level, row)
        if keys is None:
            continue
        key, label = keys
        totals[key] = (label, totals.get(key, (label, 0.0))[1] + row.persons)
    return totals


def _white_zone_rows(level: str, cells: Iterable[NeedCell]) -> list[BreakdownRow]:
    counts: dict[str, float] = defaultdict(float)
    labels: dict[str, str] = {}
    for cell in cells:
        keys = _level_keys(level, cell)
        if keys is None:
            continue
        key, label = keys
        labels[key] = label
        if not cell.covered and cell.commune:
            counts[key] += 1
    return [
        BreakdownRow(key, labels[key], counts[key])
        for key in sorted(labels, key=lambda k: labels[k])
    ]


def categories_in_need(cells: Iterable[NeedCell]) -> list[str]:
    """Categories with at least one need, in the order of the data·inclusion list."""
    present = {cell.category for cell in cells if cell.persons}
    order = list(CATEGORY_LABELS)
    return sorted(present, key=lambda c: (order.index(c) if c in order else len(order), c))


def categories_from_results(results: dict[str, MetricResult]) -> list[str]:
    """Categories that have coverage indicators among computed results, in list order."""
    prefix = COVERAGE_RATE.id.split("<", 1)[0]
    found = [key[len(prefix) :] for key in results if key.startswith(prefix)]
    order = list(CATEGORY_LABELS)
    return sorted(found, key=lambda c: (order.index(c) if c in order else len(order), c))


def compute(context: MetricContext) -> dict[str, MetricResult]:
    """Every coverage indicator for every category with at least one need in the scope."""
    engine, settings, scope = context.engine, context.settings, context.scope
    with engine.connect() as conn:
        check_territory(conn, scope.territory)
    present = persons_present(engine, scope)
    total_present = sum(row.persons for row in present)
    cells = need_cells(engine, scope)
    offers = offer_counts(engine, scope)
    present_levels = {level: _present_by_level(level, present) for level in LEVELS}
    results: dict[str, MetricResult] = {}
    for category in categories_in_need(cells):
        mine = [cell for cell in cells if cell.category == category]
        in_need = sum(cell.persons for cell in mine)
        covered = sum(cell.persons for cell in mine if cell.covered)
        in_person = sum(cell.persons for cell in mine if cell.in_person)
        white = sum(1 for cell in mine if cell.commune and not cell.covered)
        spec = _concrete(NEED_SHARE, category)
        results[spec.id] = publish(
            spec,
            settings,
            share(in_need, total_present),
            in_need,
            total_present,
            breakdowns={
                level: _rate_rows(level, mine, "persons", present_levels[level]) for level in LEVELS
            },
        )
        for base, flag, numerator in (
            (COVERAGE_RATE, "covered", covered),
            (IN_PERSON_COVERAGE, "in_person", in_person),
        ):
            spec = _concrete(base, category)
            results[spec.id] = publish(
                spec,
                settings,
                share(numerator, in_need),
                numerator,
                in_need,
                breakdowns={level: _rate_rows(level, mine, flag) for level in LEVELS},
            )
        spec = _concrete(WHITE_ZONES, category)
        results[spec.id] = publish(
            spec,
            settings,
            white,
            breakdowns={level: _white_zone_rows(level, mine) for level in LEVELS},
        )
        mine_offers = [o for o in offers if o.category == category]
        spec = _concrete(SERVICES, category)
        results[spec.id] = publish(
            spec,
            settings,
            sum(o.services for o in mine_offers),
            breakdowns={
                "mode": [
                    BreakdownRow(
                        mode,
                        MODE_LABELS[mode],
                        sum(o.services for o in mine_offers if o.mode == mode),
                    )
                    for mode in MODE_LABELS
                ]
            },
        )
        known = [o for o in mine_offers if o.with_capacity]
        places = sum(o.capacity or 0 for o in known)
        spec = _concrete(CAPACITY, category)
        results[spec.id] = publish(
            spec,
            settings,
            share(places, in_need) if known else None,
            places if known else None,
            in_need,
            person_fields=("denominator",),  # places are not persons
        )
    return results


FAMILY = Family(
    name="coverage",
    label="Couverture des besoins par l'offre partenaire",
    indicators=SPECS,
    compute=compute,
    as_of_only=True,
)


# --- page-level tables (map, heat map, services behind a cell) -----------------------------


@dataclass(frozen=True)
class CommuneCoverage:
    """One commune for the map: covered or not for a category, services, persons in need.

    ``persons_in_need`` is ``None`` when secret (1 to threshold − 1 persons).
    """

    code: str
    name: str
    utas: str | None
    epci_name: str | None
    covered: bool
    in_person: bool
    services: int
    persons_in_need: int | None
    has_need: bool

    @property
    def white_zone(self) -> bool:
        """At least one person in need and no covering service."""
        return self.has_need and not self.covered


def commune_coverage(context: MetricContext, category: str) -> list[CommuneCoverage]:
    """Every commune of the scope with its coverage for one category (for the map).

    The coverage of a commune is a property of the offer, not of persons, so it is shown for
    every commune; the number of persons in need is masked below the secrecy threshold, and
    beyond it where the UTAS and EPCI totals would give a masked count away.
    """
    engine, settings, scope = context.engine, context.settings, context.scope
    covered = covered_communes(scope.as_of).subquery("covered")
    needs = (
        select(Person.commune_code.label("commune"), func.count(distinct(Person.id)).label("n"))
        .select_from(Need)
        .join(Person, Person.id == Need.person_id)
        .where(
            *present_at(scope),
            Need.category == category,
            Need.identified_date <= date_value(scope.as_of),
        )
        .group_by(Person.commune_code)
        .subquery("needs")
    )
    query = (
        select(
            Commune.code_insee,
            Commune.name,
            Commune.utas,
            Commune.epci_name,
            covered.c.services,
            covered.c.in_person,
            needs.c.n,
            Commune.epci_siren,
        )
        .select_from(Commune)
        .outerjoin(
            covered,
            and_(covered.c.commune == Commune.code_insee, covered.c.category == category),
        )
        .outerjoin(needs, needs.c.commune == Commune.code_insee)
        .where(commune_in_scope_territory(scope))
        .order_by(Commune.name)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    sizes = {row.code_insee: float(row.n or 0) for row in rows}
    groups = [
        [row.code_insee for row in rows if row.utas == utas] for utas in {row.utas for row in rows}
    ]
    groups += [
        [row.code_insee for row in rows if row.epci_siren == epci]
        for epci in {row.epci_siren for row in rows}
    ]
    masked = mask_with_totals(sizes, groups, settings.secrecy_threshold)
    rounding, threshold = settings.secrecy_rounding, settings.secrecy_threshold
    return [
        CommuneCoverage(
            code=row.code_insee,
            name=row.name,
            utas=row.utas,
            epci_name=row.epci_name,
            covered=bool(row.services),
            in_person=bool(row.in_person),
            services=int(row.services or 0),
            persons_in_need=None
            if row.code_insee in masked
            else int(round_count(row.n or 0, rounding, threshold) or 0),
            has_need=bool(row.n),
        )
        for row in rows
    ]


def mask_with_totals(
    sizes: dict[str, float], groups: Iterable[Sequence[str]], threshold: int
) -> set[str]:
    """Communes whose count of persons must be hidden.

    Primary suppression (1 to threshold − 1), then secondary suppression inside every group
    whose total is published elsewhere (a UTAS or an EPCI, whose figures the page shows): a
    lone masked commune could otherwise be recomputed as the total minus the visible ones.
    Repeated until stable, since masking for a UTAS may expose a cell of an EPCI.
    """
    masked = {code for code, size in sizes.items() if is_secret(size, threshold)}
    lines = [list(group) for group in groups if group]
    changed = True
    while changed:
        changed = False
        for line in lines:
            # A commune without need is shown as such on the map: its zero is public, so it is
            # never picked to hide another cell (None = not a candidate).
            flags = secondary_line(
                [sizes[code] or None for code in line],
                [code in masked for code in line],
                threshold,
            )
            for code, flag in zip(line, flags, strict=True):
                if flag and code not in masked:
                    masked.add(code)
                    changed = True
    return masked


@dataclass(frozen=True)
class CoverageCell:
    """One cell of the territory × category heat map (rate masked when secret)."""

    territory: str
    territory_label: str
    category: str
    rate: float | None
    covered: float | None
    persons_in_need: float | None
    suppressed: bool


def coverage_matrix(context: MetricContext, level: str) -> list[CoverageCell]:
    """Coverage rate per territory (UTAS or EPCI) and category, secrecy applied.

    The table is published with the département's totals, so secondary suppression runs on
    the persons in need (the rates' denominators) over the whole table.
    """
    engine, settings, scope = context.engine, context.settings, context.scope
    if level not in LEVELS:
        raise ValueError(level)
    cells = need_cells(engine, scope)
    num: dict[tuple[str, str], float] = defaultdict(float)
    den: dict[tuple[str, str], float] = defaultdict(float)
    labels: dict[str, str] = {}
    for cell in cells:
        keys = _level_keys(level, cell)
        if keys is None:
            continue
        labels[keys[0]] = keys[1]
        den[(keys[0], cell.category)] += cell.persons
        if cell.covered:
            num[(keys[0], cell.category)] += cell.persons
    masked = suppress_table(dict(den), settings.secrecy_threshold)
    rounding, threshold = settings.secrecy_rounding, settings.secrecy_threshold
    order = list(CATEGORY_LABELS)
    result = []
    for key in sorted(
        den, key=lambda k: (labels[k[0]], order.index(k[1]) if k[1] in order else 99)
    ):
        secret = key in masked
        # published like any person count: rounded, the rate on the rounded terms
        covered = round_count(num[key], rounding, threshold) or 0.0
        in_need = round_count(den[key], rounding, threshold) or 0.0
        result.append(
            CoverageCell(
                territory=key[0],
                territory_label=labels[key[0]],
                category=key[1],
                rate=None if secret else share(covered, in_need),
                covered=None if secret else covered,
                persons_in_need=None if secret else in_need,
                suppressed=secret,
            )
        )
    return result


@dataclass(frozen=True)
class ServiceLine:
    """A service behind a heat-map cell (partner offer: public, never masked)."""

    service_id: str
    name: str
    structure: str | None
    modes_accueil: str | None
    capacity: int | None
    start_date: dt.date | None
    end_date: dt.date | None


def services_for(
    context: MetricContext,
    category: str,
    level: str | None = None,
    code: str | None = None,
) -> list[ServiceLine]:
    """Active services of a category covering at least one commune of a territory."""
    engine, scope = context.engine, context.scope
    condition: ColumnElement[bool] = commune_in_scope_territory(scope)
    if level and code:
        condition = and_(condition, commune_in_territory(Territory(level, code)))
    query = (
        select(
            PartnerService.service_id,
            PartnerService.name,
            PartnerService.structure_name.label("structure"),
            PartnerService.modes_accueil,
            PartnerService.capacity,
            PartnerService.start_date,
            PartnerService.end_date,
        )
        .select_from(Commune)
        .join(ServiceZone, zone_holds_commune())
        .join(PartnerService, PartnerService.id == ServiceZone.service_pk)
        .join(ServiceThematique, ServiceThematique.service_pk == PartnerService.id)
        .where(service_active(scope.as_of), ServiceThematique.category == category, condition)
        .distinct()
        .order_by(PartnerService.name)
    )
    with engine.connect() as conn:
        return [ServiceLine(**row) for row in conn.execute(query).mappings()]
