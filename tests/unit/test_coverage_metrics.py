"""Coverage indicators on a hand-built département, on SQLite and PostgreSQL.

The dataset (as-of 30 June 2024, secrecy threshold 11):

Services (zone → what it covers):
- S1 commune 23096 (Guéret), mobilité, en présentiel, capacity 20, open → covers Guéret.
- S2 EPCI 242300135 (Pays Sostranien), famille, à distance only → covers La Souterraine.
- S3 département 23, three thématiques: two of santé and one of logement → covers every
  commune for santé and for logement, counted once per category.
- S4 france, numérique, mode not stated → covers every commune.
- S5 commune 23176 (La Souterraine), mobilité, ended 31 May 2024 → inactive.
- S6 commune 23008 (Aubusson), mobilité, starts 1 July 2024 → not started.
- S7 département 87 only, mobilité → covers nothing here.

Persons present (subject to obligations, entered before, not exited):
- Guéret: 15 with a mobilité need, 12 of whom also have a santé need, and one more person
  whose need was identified after the as-of date (present, not in need) → 16 present.
- La Souterraine: 15 present, 12 with mobilité, 12 with famille.
- Aubusson: 12 present, 11 with mobilité, 11 with numérique.
Not counted: 3 in Guéret who exited on 1 June (mobilité need), 2 not subject to obligations,
2 entered after the as-of date.

Hence present = 16 + 15 + 12 = 43; mobilité needs = 15 + 12 + 11 = 38, covered only in
Guéret (S5 ended, S6 not started, S7 elsewhere): 15.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from sqlalchemy import insert

from data_access.schema import (
    Need,
    PartnerService,
    Person,
    ServiceThematique,
    ServiceZone,
)
from metrics import coverage
from metrics.scope import Scope
from metrics.spec import MetricContext

AS_OF = dt.date(2024, 6, 30)
SCOPE = Scope.build(dt.date(2024, 1, 1), AS_OF)
_keys = itertools.count(1)

SERVICES = [
    # (id, thematiques, zones, modes, capacity, start, end)
    (
        "S1",
        ["mobilite--preparer-un-permis"],
        [("23096", "commune")],
        "en-presentiel",
        20,
        None,
        None,
    ),
    ("S2", ["famille--garde-denfants"], [("242300135", "epci")], "a-distance", None, None, None),
    (
        "S3",
        [
            "sante--acces-aux-soins",
            "sante--sante-mentale",
            "logement-hebergement--louer-un-logement",
        ],
        [("23", "departement")],
        None,
        None,
        None,
        None,
    ),
    ("S4", ["numerique--acquerir-un-equipement"], [("france", "france")], None, None, None, None),
    (
        "S5",
        ["mobilite--acceder-a-un-vehicule"],
        [("23176", "commune")],
        "en-presentiel",
        None,
        None,
        dt.date(2024, 5, 31),
    ),
    (
        "S6",
        ["mobilite--acceder-a-un-vehicule"],
        [("23008", "commune")],
        "en-presentiel",
        None,
        dt.date(2024, 7, 1),
        None,
    ),
    (
        "S7",
        ["mobilite--acceder-a-un-vehicule"],
        [("87", "departement")],
        "en-presentiel",
        None,
        None,
        None,
    ),
]


def add_services(engine, services=SERVICES) -> None:
    with engine.begin() as conn:
        for sid, thematiques, zones, modes, capacity, start, end in services:
            pk = conn.execute(
                insert(PartnerService).returning(PartnerService.id),
                {
                    "service_id": sid,
                    "name": f"Service {sid}",
                    "modes_accueil": modes,
                    "capacity": capacity,
                    "start_date": start,
                    "end_date": end,
                },
            ).scalar_one()
            for thematique in thematiques:
                conn.execute(
                    insert(ServiceThematique),
                    {
                        "service_pk": pk,
                        "thematique": thematique,
                        "category": thematique.split("--")[0],
                    },
                )
            for code, kind in zones:
                conn.execute(
                    insert(ServiceZone), {"service_pk": pk, "zone_code": code, "zone_kind": kind}
                )


def add_persons(
    engine,
    commune: str,
    count: int,
    needs: tuple[str, ...] = (),
    *,
    entry: dt.date = dt.date(2023, 3, 1),
    exit_date: dt.date | None = None,
    subject: bool = True,
    identified: dt.date = dt.date(2024, 2, 1),
) -> None:
    with engine.begin() as conn:
        for _ in range(count):
            pid = conn.execute(
                insert(Person).returning(Person.id),
                {
                    "person_key": f"p{next(_keys)}",
                    "entry_date": entry,
                    "exit_date": exit_date,
                    "commune_code": commune,
                    "payer": "caf",
                    "subject_to_obligations": subject,
                },
            ).scalar_one()
            for category in needs:
                conn.execute(
                    insert(Need),
                    {"person_id": pid, "category": category, "identified_date": identified},
                )


def build_departement(engine) -> None:
    add_services(engine)
    add_persons(engine, "23096", 12, ("mobilite", "sante"))
    add_persons(engine, "23096", 3, ("mobilite",))
    add_persons(engine, "23096", 1, ("famille",), identified=dt.date(2024, 7, 15))
    add_persons(engine, "23176", 12, ("mobilite", "famille"))
    add_persons(engine, "23176", 3)
    add_persons(engine, "23008", 11, ("mobilite", "numerique"))
    add_persons(engine, "23008", 1)
    # Not counted: exited, not subject to obligations, entered after the as-of date.
    add_persons(engine, "23096", 3, ("mobilite",), exit_date=dt.date(2024, 6, 1))
    add_persons(engine, "23176", 2, ("mobilite",), subject=False)
    add_persons(engine, "23008", 2, ("mobilite",), entry=dt.date(2024, 7, 2))


def compute(db, scope: Scope = SCOPE, **overrides):
    settings = db.settings.model_copy(update=overrides) if overrides else db.settings
    return coverage.compute(MetricContext(db.engine, settings, scope))


def test_every_kind_of_zone_and_inactive_services(db) -> None:
    build_departement(db.engine)
    results = compute(db)

    # Mobilité: only S1 (commune zone) is active and covers Guéret's 15 persons out of 38.
    mobility = results["coverage_rate_mobilite"]
    assert (mobility.numerator, mobility.denominator) == (15, 38)
    assert mobility.value == pytest.approx(15 / 38)
    assert results["in_person_coverage_mobilite"].value == pytest.approx(15 / 38)
    # La Souterraine (S5 ended) and Aubusson (S6 not started) are white zones.
    assert results["white_zone_communes_mobilite"].value == 2
    assert results["need_share_mobilite"].value == pytest.approx(38 / 43)
    assert results["need_share_mobilite"].denominator == 43

    # Famille: the EPCI zone of S2 covers La Souterraine; remote only, so no in-person cover.
    # The Guéret person whose need came after the as-of date is not counted.
    assert results["coverage_rate_famille"].value == 1.0
    assert results["coverage_rate_famille"].denominator == 12
    assert results["in_person_coverage_famille"].value == 0.0
    assert results["white_zone_communes_famille"].value == 0

    # Santé: the département zone of S3 covers Guéret; numérique: the france zone of S4.
    assert results["coverage_rate_sante"].value == 1.0
    assert results["coverage_rate_numerique"].value == 1.0
    assert results["coverage_rate_numerique"].denominator == 11

    # Logement is offered by S3 but nobody has that need: no indicator for it.
    assert "coverage_rate_logement-hebergement" not in results


def test_service_with_several_thematiques_counts_once_per_category(db) -> None:
    build_departement(db.engine)
    results = compute(db)
    # S3 has two santé thématiques: one santé service, not two.
    assert results["services_sante"].value == 1
    # Active mobilité services reaching the département: S1 only (S5, S6 inactive, S7 away).
    services = results["services_mobilite"]
    assert services.value == 1
    modes = {row.key: row.value for row in services.breakdowns["mode"]}
    assert modes == {"in_person": 1, "remote_only": 0, "unknown": 0}
    family = {row.key: row.value for row in results["services_famille"].breakdowns["mode"]}
    assert family["remote_only"] == 1
    listed = coverage.services_for(MetricContext(db.engine, db.settings, SCOPE), "sante")
    assert [s.service_id for s in listed] == ["S3"]


def test_capacity_against_needs_only_where_known(db) -> None:
    build_departement(db.engine)
    results = compute(db)
    # S1 declares 20 places for 38 persons with a mobilité need.
    capacity = results["capacity_per_need_mobilite"]
    assert (capacity.numerator, capacity.denominator) == (20, 38)
    assert capacity.value == pytest.approx(20 / 38)
    # No santé service states a capacity: no figure rather than a false zero.
    assert results["capacity_per_need_sante"].value is None
    assert results["capacity_per_need_sante"].status == "sans_donnees"


def test_breakdown_by_utas_and_epci(db) -> None:
    build_departement(db.engine)
    results = compute(db)
    rows = {row.key: row for row in results["coverage_rate_mobilite"].breakdowns["utas"]}
    assert (rows["Guéret"].numerator, rows["Guéret"].denominator) == (15, 15)
    assert rows["La Souterraine"].value == 0.0
    assert rows["Aubusson"].denominator == 11
    epci = {row.key: row for row in results["white_zone_communes_mobilite"].breakdowns["epci"]}
    assert epci["242300135"].value == 1
    assert epci["200034825"].value == 0
    share = {row.key: row for row in results["need_share_mobilite"].breakdowns["utas"]}
    # Guéret: 15 in need among 16 present.
    assert (share["Guéret"].numerator, share["Guéret"].denominator) == (15, 16)


def test_territory_scope(db) -> None:
    build_departement(db.engine)
    scope = Scope.build(dt.date(2024, 1, 1), AS_OF, territory="242300135")
    results = compute(db, scope)
    assert results["coverage_rate_mobilite"].value == 0.0
    assert results["coverage_rate_mobilite"].denominator == 12
    assert results["coverage_rate_famille"].value == 1.0
    assert results["white_zone_communes_mobilite"].value == 1
    assert "coverage_rate_sante" not in results


def test_secrecy_on_coverage_rates(db) -> None:
    build_departement(db.engine)
    # Five persons with a mobilité need in Boussac (UTAS Boussac): its row is secret, and a
    # second row is masked so that it cannot be recomputed from the total.
    add_persons(db.engine, "23031", 5, ("mobilite",))
    results = compute(db)
    rate = results["coverage_rate_mobilite"]
    assert rate.denominator == 43 and rate.suppressed is False
    rows = {row.key: row for row in rate.breakdowns["utas"]}
    assert rows["Boussac"].suppressed and rows["Boussac"].value is None
    assert sum(row.suppressed for row in rows.values()) >= 2

    # Scoped on Boussac alone: 5 persons, every person-based figure is masked…
    scope = Scope.build(dt.date(2024, 1, 1), AS_OF, territory="23031")
    local = compute(db, scope)
    assert local["coverage_rate_mobilite"].suppressed
    assert local["coverage_rate_mobilite"].value is None
    assert local["coverage_rate_mobilite"].status == "secret"
    assert local["need_share_mobilite"].suppressed
    # …but the white zone is a commune, not a person: shown.
    assert local["white_zone_communes_mobilite"].value == 1
    assert not local["white_zone_communes_mobilite"].suppressed


def test_commune_map_and_matrix(db) -> None:
    build_departement(db.engine)
    add_persons(db.engine, "23031", 5, ("mobilite",))
    communes = {
        c.code: c
        for c in coverage.commune_coverage(MetricContext(db.engine, db.settings, SCOPE), "mobilite")
    }
    assert len(communes) == 255
    assert communes["23096"].covered and communes["23096"].persons_in_need == 15
    assert communes["23008"].white_zone and communes["23008"].persons_in_need == 11
    # Five persons in Boussac: the commune is a white zone, its count is secret.
    assert communes["23031"].white_zone and communes["23031"].persons_in_need is None
    # A commune without anyone in need is not a white zone.
    assert not communes["23002"].white_zone

    matrix = coverage.coverage_matrix(MetricContext(db.engine, db.settings, SCOPE), "utas")
    cells = {(c.territory, c.category): c for c in matrix}
    assert cells[("Guéret", "mobilite")].rate == 1.0
    assert cells[("Boussac", "mobilite")].suppressed
    assert cells[("Boussac", "mobilite")].rate is None


def test_commune_counts_get_secondary_suppression() -> None:
    """UTAS U holds c1 (5 persons, secret), c2 (20), c3 (0); EPCI E holds c2 and c4 (30).

    c1 alone masked in U could be recomputed as U's total minus c2, so c2 is masked too (the
    smallest positive visible cell; c3's zero is public on the map and never picked). Then c2
    alone masked in E: c4 is masked as well.
    """
    sizes = {"c1": 5.0, "c2": 20.0, "c3": 0.0, "c4": 30.0}
    groups = [["c1", "c2", "c3"], ["c2", "c4"]]
    assert coverage.mask_with_totals(sizes, groups, 11) == {"c1", "c2", "c4"}
    # Nothing small: nothing masked.
    assert coverage.mask_with_totals({"a": 12.0, "b": 0.0}, [["a", "b"]], 11) == set()


def test_payer_scope(db) -> None:
    build_departement(db.engine)
    # Every person of the dataset is paid by the CAF: nobody in need on the MSA side.
    scope = Scope.build(dt.date(2024, 1, 1), AS_OF, payer="msa")
    assert compute(db, scope) == {}
    scope = Scope.build(dt.date(2024, 1, 1), AS_OF, payer="caf")
    assert compute(db, scope)["coverage_rate_mobilite"].denominator == 38


def test_unknown_territory_is_a_french_error(db) -> None:
    from metrics.exceptions import ScopeError

    with pytest.raises(ScopeError, match="Territoire inconnu"):
        compute(db, Scope.build(dt.date(2024, 1, 1), AS_OF, territory="Atlantide"))


def test_person_leaving_on_the_as_of_date_is_not_present(db) -> None:
    # Issue 3: present at as-of = entered on or before it and no exit on or before it, the
    # rule the orientation stock uses too (metrics.population.present_at). Guéret: 12 persons with
    # a mobilité need still here, 3 more who exit on the as-of date itself (30 June) and 2 who
    # exit the day after (still present). Present with the need: 12 + 2 = 14, not 17.
    add_services(db.engine)
    add_persons(db.engine, "23096", 12, ("mobilite",))
    add_persons(db.engine, "23096", 3, ("mobilite",), exit_date=AS_OF)
    add_persons(db.engine, "23096", 2, ("mobilite",), exit_date=AS_OF + dt.timedelta(days=1))
    results = compute(db)
    assert results["need_share_mobilite"].denominator == 14
    assert results["coverage_rate_mobilite"].denominator == 14


def test_services_behind_a_heat_map_cell_use_the_shared_territory_rule(db) -> None:
    # services_for filters communes with metrics.population.commune_in_territory, the rule the
    # person metrics use. Mobilité in EPCI 242300135 (La Souterraine): S5 ended → none; in
    # commune 23096 (Guéret): S1; santé in UTAS Guéret: S3 (département zone).
    build_departement(db.engine)

    def ids(category, level, code):
        listed = coverage.services_for(
            MetricContext(db.engine, db.settings, SCOPE), category, level, code
        )
        return [s.service_id for s in listed]

    assert ids("mobilite", "epci", "242300135") == []
    assert ids("mobilite", "commune", "23096") == ["S1"]
    assert ids("sante", "utas", "Guéret") == ["S3"]


def test_map_and_matrix_publish_rounded_counts(db) -> None:
    build_departement(db.engine)
    settings = db.settings.model_copy(update={"secrecy_rounding": 5})
    communes = {
        c.code: c
        for c in coverage.commune_coverage(MetricContext(db.engine, settings, SCOPE), "mobilite")
    }
    # 15 and 11 persons in need: both published 15 (rounded up; 11 is not masked).
    assert communes["23096"].persons_in_need == 15
    assert communes["23008"].persons_in_need == 15
    cells = {
        (c.territory, c.category): c
        for c in coverage.coverage_matrix(MetricContext(db.engine, settings, SCOPE), "utas")
    }
    aubusson = cells[("Aubusson", "mobilite")]
    assert (aubusson.persons_in_need, aubusson.covered) == (15, 0)
    guéret = cells[("Guéret", "mobilite")]
    assert guéret.rate == guéret.covered / guéret.persons_in_need
