"""The demo département: reproducible, realistic shares, nothing after as-of, replaced on rerun.

Runs on SQLite and PostgreSQL (``db`` fixture) with a few thousand persons for speed. The
share tolerances are about three standard errors at these sizes: e.g. 41 % socio-pro over
~1,600 decisions has a standard error of 1.2 points, so ±5 points fails only on a real change
of the generator, not on sampling noise (the seed is fixed anyway).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import statistics

import pytest
from click.testing import CliRunner
from data_inclusion.schema.v1.thematiques import Thematique
from sqlalchemy import Engine, func, insert, select, text

import cli
from data_access.db import make_engine
from data_access.demo import generate, load
from data_access.demo.generate import (
    DemoError,
    generate_demo,
    parse_scale,
    person_count,
)
from data_access.demo.load import REPLACED_TABLES
from data_access.initdb import init_database
from data_access.schema import (
    Accompaniment,
    Appointment,
    Commune,
    CompanyAction,
    Contract,
    Invitation,
    Metadata,
    Need,
    Orientation,
    PartnerService,
    Person,
    ServiceThematique,
    ServiceZone,
)
from tests.conftest import make_settings

AS_OF = dt.date(2025, 6, 30)
PERSONS = 2_000  # for the share checks
SMALL = 1_000  # where only structure matters


def content_hash(engine: Engine) -> str:
    """Hash of every replaced table's rows in primary-key order, plus the demo metadata."""
    digest = hashlib.sha256()
    with engine.connect() as conn:
        for table in REPLACED_TABLES:
            order = list(table.primary_key.columns)
            for row in conn.execute(select(table).order_by(*order)):
                digest.update(repr(tuple(row)).encode())
        demo = conn.execute(select(Metadata.value).where(Metadata.key == "demo")).scalar_one()
        digest.update(demo.encode())
    return digest.hexdigest()


def count(engine: Engine, model) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model)).scalar_one()


def test_same_seed_same_content_other_seed_other_content(db) -> None:
    generate_demo(db.engine, db.settings, scale=SMALL, seed=7, as_of=AS_OF)
    first = content_hash(db.engine)
    generate_demo(db.engine, db.settings, scale=SMALL, seed=7, as_of=AS_OF)
    assert content_hash(db.engine) == first
    generate_demo(db.engine, db.settings, scale=SMALL, seed=8, as_of=AS_OF)
    assert content_hash(db.engine) != first


def test_content_equals_a_fresh_sqlite_twin(db, tmp_path) -> None:
    """The same seed gives the same rows in another database, whatever the engine (ids
    included): the PostgreSQL half compares PostgreSQL with SQLite."""
    generate_demo(db.engine, db.settings, scale=SMALL, seed=11, as_of=AS_OF)
    url = f"sqlite:///{tmp_path / 'twin.sqlite'}"
    twin = make_engine(url)
    settings = make_settings(url)
    init_database(twin, settings)
    generate_demo(twin, settings, scale=SMALL, seed=11, as_of=AS_OF)
    assert content_hash(twin) == content_hash(db.engine)
    twin.dispose()


def test_failed_load_keeps_previous_data(db, monkeypatch) -> None:
    """All or nothing: a failure in the middle leaves the previous demo, indexes included
    (the bulk path that drops and rebuilds indexes is forced at this small size)."""
    monkeypatch.setattr(load, "DEFER_INDEXES_FROM_ROWS", 0)
    generate_demo(db.engine, db.settings, scale=500, seed=1, as_of=AS_OF)
    before = content_hash(db.engine)
    calls = []

    def failing(conn, data):
        calls.append(data.table.name)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return load.load_table(conn, data)

    monkeypatch.setattr(generate, "load_table", failing)
    with pytest.raises(RuntimeError):
        generate_demo(db.engine, db.settings, scale=800, seed=2, as_of=AS_OF)
    assert content_hash(db.engine) == before
    monkeypatch.setattr(generate, "load_table", load.load_table)
    generate_demo(db.engine, db.settings, scale=500, seed=1, as_of=AS_OF)  # indexes intact
    assert content_hash(db.engine) == before


def test_rerun_replaces_and_records_metadata(db) -> None:
    communes_before = count(db.engine, Commune)
    first = generate_demo(db.engine, db.settings, scale=SMALL, seed=1, as_of=AS_OF)
    second = generate_demo(db.engine, db.settings, scale=800, seed=2, as_of=AS_OF)
    assert first.persons == SMALL and second.persons == 800
    assert count(db.engine, Person) == 800
    assert count(db.engine, Appointment) == second.counts["appointments"]
    assert count(db.engine, PartnerService) == second.counts["partner_services"]
    assert count(db.engine, CompanyAction) == second.counts["company_actions"]
    with db.engine.connect() as conn:
        values = conn.execute(select(Metadata.value).where(Metadata.key == "demo")).all()
        communes = conn.execute(select(func.count()).select_from(Commune)).scalar_one()
    assert len(values) == 1
    assert json.loads(values[0][0]) == {"scale": 800, "seed": 2, "as_of": "2025-06-30"}
    assert communes == communes_before > 200  # reference data kept


def test_tables_accept_new_rows_after_the_demo(db) -> None:
    """Explicit ids must not leave PostgreSQL sequences behind (a later import inserts)."""
    generate_demo(db.engine, db.settings, scale=300, as_of=AS_OF)
    with db.engine.begin() as conn:
        new_id = conn.execute(
            insert(Person)
            .values(person_key="x" * 64, entry_date=AS_OF, subject_to_obligations=True)
            .returning(Person.id)
        ).scalar_one()
        conn.execute(
            insert(Invitation).values(
                person_id=new_id, sent_date=AS_OF, kind="invitation", channel="sms"
            )
        )
    assert new_id == 301


@pytest.mark.parametrize("defer_from", [0, 10**9], ids=["bulk-indexes", "kept-indexes"])
def test_constraints_hold_and_sqlite_foreign_keys_are_back_on(db, monkeypatch, defer_from) -> None:
    monkeypatch.setattr(load, "DEFER_INDEXES_FROM_ROWS", defer_from)
    generate_demo(db.engine, db.settings, scale=SMALL, as_of=AS_OF)
    with db.engine.connect() as conn:
        if db.kind == "sqlite":
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
            indexes = conn.exec_driver_sql(
                "SELECT count(*) FROM sqlite_master WHERE name = 'ix_appointments_date'"
            ).scalar_one()
        else:
            indexes = conn.execute(
                text("SELECT count(*) FROM pg_indexes WHERE indexname = 'ix_appointments_date'")
            ).scalar_one()
            fks = conn.execute(
                text(
                    "SELECT count(*) FROM pg_constraint WHERE conname = "
                    "'fk_appointments_person_id_persons'"
                )
            ).scalar_one()
            assert fks == 1
    assert indexes == 1


def test_nothing_after_as_of_except_future_unknown_appointments(db) -> None:
    generate_demo(db.engine, db.settings, scale=PERSONS, as_of=AS_OF)
    with db.engine.connect() as conn:

        def latest(column) -> dt.date:
            return conn.execute(select(func.max(column))).scalar_one()

        for column in (
            Person.entry_date,
            Person.exit_date,
            Invitation.sent_date,
            Orientation.decision_date,
            Contract.signed_date,
            Accompaniment.start_date,
            Accompaniment.end_date,
            Need.identified_date,
            PartnerService.start_date,
            PartnerService.end_date,
            CompanyAction.date,
        ):
            assert latest(column) <= AS_OF, column
        future = conn.execute(
            select(Appointment.status, func.count())
            .where(Appointment.date > AS_OF)
            .group_by(Appointment.status)
        ).all()
    assert future and {status for status, _ in future} == {"unknown"}


def test_shares_within_tolerances(db) -> None:
    report = generate_demo(db.engine, db.settings, scale=PERSONS, as_of=AS_OF)
    with db.engine.connect() as conn:
        persons = conn.execute(
            select(Person.id, Person.entry_date, Person.subject_to_obligations, Person.payer)
        ).all()
        entry = {p.id: p.entry_date for p in persons}
        invitations = conn.execute(select(Invitation.person_id, Invitation.sent_date)).all()
        statuses = conn.execute(
            select(Appointment.status, Appointment.booked_after).where(
                Appointment.purpose == "orientation", Appointment.date <= AS_OF
            )
        ).all()
        orientations = conn.execute(
            select(Orientation.person_id, Orientation.decision_date, Orientation.orientation_type)
        ).all()
        seen = conn.execute(
            select(Appointment.person_id).where(
                Appointment.purpose == "orientation", Appointment.status == "seen"
            )
        ).all()
        needs = conn.execute(select(Need.person_id, Need.category)).all()
        caseloads = (
            conn.execute(
                select(func.count(func.distinct(Accompaniment.person_id)))
                .where(
                    Accompaniment.start_date <= AS_OF,
                    (Accompaniment.end_date.is_(None)) | (Accompaniment.end_date > AS_OF),
                )
                .group_by(Accompaniment.referent_key)
            )
            .scalars()
            .all()
        )
    assert report.persons == len(persons) == PERSONS

    # Stock at the pilot start: 2,700 of the Creuse-size population, scaled to PERSONS.
    stock = sum(1 for p in persons if p.entry_date < dt.date(2023, 2, 17))
    expected_stock = PERSONS * 2_700 / person_count("creuse", AS_OF)
    assert abs(stock - expected_stock) <= 1
    assert 0.07 <= sum(p.payer == "msa" for p in persons) / len(persons) <= 0.13

    # Convocation within 15 days among mature entrant cohorts (entered ≥ 60 days before).
    first: dict[int, dt.date] = {}
    for person_id, sent in invitations:
        if sent >= entry[person_id] and (person_id not in first or sent < first[person_id]):
            first[person_id] = sent
    mature = [
        p.id
        for p in persons
        if p.subject_to_obligations
        and dt.date(2023, 2, 17) <= p.entry_date <= AS_OF - dt.timedelta(days=60)
    ]
    within = sum(1 for i in mature if i in first and (first[i] - entry[i]).days <= 15)
    assert 0.65 <= within / len(mature) <= 0.85
    delays = sorted((first[i] - entry[i]).days for i in mature if i in first)
    assert 7 <= statistics.median(delays) <= 11

    known = [s for s, _ in statuses if s != "unknown"]
    noshow = sum(s == "noshow" for s in known) / len(known)
    assert 0.12 <= noshow <= 0.18
    assert any(s == "excused" for s in known) and any(s == "revoked" for s in known)

    types = [o.orientation_type for o in orientations]
    assert abs(types.count("socio_pro") / len(types) - 0.41) <= 0.05
    assert abs(types.count("pro") / len(types) - 0.35) <= 0.05

    assert 50 <= statistics.median(caseloads) <= 70

    diagnosed = {pid for (pid,) in seen} | {
        o.person_id for o in orientations if o.decision_date >= entry[o.person_id]
    }
    for category, share in {
        "mobilite": 0.43,
        "sante": 0.29,
        "famille": 0.25,
        "logement-hebergement": 0.20,
        "difficultes-administratives-ou-juridiques": 0.15,
        "lecture-ecriture-calcul": 0.12,
    }.items():
        with_need = sum(1 for pid, c in needs if c == category and pid in diagnosed)
        assert abs(with_need / len(diagnosed) - share) <= 0.05, category


def test_contracts_mostly_within_a_month_and_activity_hours(db) -> None:
    generate_demo(db.engine, db.settings, scale=PERSONS, as_of=AS_OF)
    with db.engine.connect() as conn:
        entries = dict(conn.execute(select(Person.id, Person.entry_date)).all())
        orientations = conn.execute(
            select(Orientation.person_id, Orientation.decision_date).order_by(
                Orientation.person_id, Orientation.decision_date
            )
        ).all()
        contracts = conn.execute(select(Contract.person_id, Contract.signed_date)).all()
        hours = conn.execute(
            select(Accompaniment.person_id, Accompaniment.weekly_activity_hours).where(
                Accompaniment.start_date <= AS_OF,
                (Accompaniment.end_date.is_(None)) | (Accompaniment.end_date > AS_OF),
            )
        ).all()
    first_orientation: dict[int, dt.date] = {}
    for pid, decided in orientations:
        if decided >= entries[pid]:
            first_orientation.setdefault(pid, decided)
    signed: dict[int, int] = {}
    for pid, date in contracts:
        if pid in first_orientation and date >= first_orientation[pid]:
            delay = (date - first_orientation[pid]).days
            signed[pid] = min(delay, signed.get(pid, delay))
    # Oriented at least 30 days before as-of, so that the 30-day window is fully observed.
    mature = [p for p, d in first_orientation.items() if d <= AS_OF - dt.timedelta(days=30)]
    share = sum(1 for p in mature if signed.get(p, 999) <= 30) / len(mature)
    assert 0.6 <= share <= 0.8
    best: dict[int, float] = {}
    for pid, value in hours:
        best[pid] = max(best.get(pid, -1.0), -1.0 if value is None else value)
    reaching = sum(1 for v in best.values() if 15 <= v <= 20) / len(best)
    assert 0.65 <= reaching <= 0.85
    assert any(v < 0 for v in best.values()) and any(0 <= v < 15 for v in best.values())


def test_deliberate_data_errors_exist(db) -> None:
    """The quality page needs events dated before entry."""
    generate_demo(db.engine, db.settings, scale=5_000, as_of=AS_OF)
    with db.engine.connect() as conn:
        early = conn.execute(
            select(func.count())
            .select_from(Invitation)
            .join(Person, Person.id == Invitation.person_id)
            .where(Invitation.sent_date < Person.entry_date)
        ).scalar_one()
    assert early > 0


def test_partner_offer_has_real_gaps_and_valid_thematiques(db) -> None:
    generate_demo(db.engine, db.settings, scale=500, as_of=AS_OF)
    with db.engine.connect() as conn:
        communes = conn.execute(select(Commune.code_insee, Commune.epci_siren)).all()
        services = conn.execute(
            select(PartnerService.id, PartnerService.start_date, PartnerService.end_date)
        ).all()
        thematiques = conn.execute(
            select(ServiceThematique.service_pk, ServiceThematique.thematique)
        ).all()
        zones = conn.execute(
            select(ServiceZone.service_pk, ServiceZone.zone_code, ServiceZone.zone_kind)
        ).all()
    assert {t for _, t in thematiques} <= {t.value for t in Thematique}  # data·inclusion v1
    assert {k for _, _, k in zones} == {"commune", "epci", "departement", "france"}
    assert any(end is not None and end <= AS_OF for _, _, end in services)  # a few ended
    active = {
        sid for sid, start, end in services if start <= AS_OF and (end is None or end > AS_OF)
    }

    def covered(category: str) -> set[str]:
        ids = {sid for sid, t in thematiques if t.split("--")[0] == category and sid in active}
        codes = {(code, kind) for sid, code, kind in zones if sid in ids}
        if any(kind in ("departement", "france") for _, kind in codes):
            return {c for c, _ in communes}
        return {c for c, epci in communes if (c, "commune") in codes or (epci, "epci") in codes}

    everywhere = {c for c, _ in communes}
    for category in ("mobilite", "famille"):
        assert covered(category) and covered(category) != everywhere, category
    assert covered("sante") == everywhere


def test_scale_parsing_and_errors(db) -> None:
    assert parse_scale("Creuse") == "creuse"
    assert parse_scale("national") == "national"
    assert parse_scale("12_000") == 12_000
    assert person_count("large", AS_OF) == 100_000
    assert 8_000 < person_count("creuse", AS_OF) < 8_800  # 2,700 + ~200 × 28.4 months
    with pytest.raises(DemoError, match="Échelle inconnue « énorme »"):
        parse_scale("énorme")
    with pytest.raises(DemoError, match="au moins 100 personnes"):
        parse_scale("10")
    with pytest.raises(DemoError, match="17 février 2023"):
        generate_demo(db.engine, db.settings, scale=300, as_of=dt.date(2022, 12, 31))


def test_cli_demo_prints_french_summary(sqlite_db, monkeypatch) -> None:
    monkeypatch.setattr(cli, "_settings", lambda: sqlite_db.settings)
    monkeypatch.setattr(cli, "_engine", lambda: sqlite_db.engine)
    result = CliRunner().invoke(
        cli.cli, ["demo", "--scale", "1200", "--seed", "5", "--as-of", "2024-06-30"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        "Démonstration générée (échelle 1200, graine 5, au 30 juin 2024) : 1\u202f200 personnes"
    )
    assert "Durée :" in result.output
    bad = CliRunner().invoke(cli.cli, ["demo", "--scale", "beaucoup"])
    assert bad.exit_code != 0
    assert "Échelle inconnue « beaucoup »" in str(bad.exception)
