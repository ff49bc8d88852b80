"""RDV-Insertion exports as upstream writes them: nothing lost, nothing distorted.

Each test builds its files with ``tests/unit/upstream_exports.py`` (shapes read from the
upstream exporters, cited there) and checks what is stored and what the quality page says,
on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from data_access.importers.pipeline import run_import
from data_access.importers.rdv_insertion import RdvInsertionImporter
from data_access.importers.undo import undo_run
from data_access.orientation_types import apply_mapping, local_types
from data_access.pseudonym import pseudonymise
from data_access.schema import Invitation, Orientation, Person, PersonKeyLink
from metrics.catalog import compute_one
from metrics.quality import quality_report
from metrics.scope import Scope
from metrics.spec import MetricContext
from tests.conftest import listing_context, make_settings
from tests.unit.upstream_exports import (
    ARCHIVE_REASON,
    ARCHIVED,
    FOLLOW_UP_MOTIF,
    FOLLOW_UP_STATUS,
    NOSHOW,
    SEEN,
    WITHIN_15,
    WITHIN_30,
    fr,
    identity,
    participation,
    participations_export,
    users_export,
)

D = dt.date
LOCAL_TYPES = {"Remobilisation renforcée": "social"}


def _import(db, users: bytes, participations: bytes | None = None, types=None, skip=False):
    importer = RdvInsertionImporter(
        users,
        "Export_usagers_organisation_cd_23.csv",
        db.settings.pseudonymisation_key,
        participations,
        "Export_rdvs_organisation_cd_23.csv" if participations is not None else None,
        types if types is not None else LOCAL_TYPES,
    )
    return run_import(db.engine, importer, skip_invalid=skip)


def _key(db, identifier: str) -> str:
    return pseudonymise(identifier, db.settings.pseudonymisation_key)


def _person(db, identifier: str):
    with db.engine.connect() as conn:
        return conn.execute(
            select(Person.__table__).where(Person.person_key == _key(db, identifier))
        ).one_or_none()


def _orientations(db, identifier: str) -> list[tuple]:
    with db.engine.connect() as conn:
        query = (
            select(
                Orientation.decision_date,
                Orientation.orientation_type,
                Orientation.type_label,
                Orientation.date_rule,
            )
            .join(Person, Person.id == Orientation.person_id)
            .where(Person.person_key == _key(db, identifier))
            .order_by(Orientation.decision_date)
        )
        return [tuple(r) for r in conn.execute(query)]


def _sends(db, identifier: str) -> list[tuple]:
    with db.engine.connect() as conn:
        query = (
            select(Invitation.sent_date, Invitation.kind)
            .join(Person, Person.id == Invitation.person_id)
            .where(Person.person_key == _key(db, identifier))
            .order_by(Invitation.sent_date, Invitation.kind)
        )
        return [tuple(r) for r in conn.execute(query)]


def _count(db, model) -> int:
    with db.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model)).scalar_one()


def _quality(db, check_id: str) -> int | None:
    """Total of one quality check, secrecy threshold 2 (only counts of 1 masked)."""
    report = quality_report(listing_context(db.engine, 2))
    return next(c.total.count for c in report.checks if c.id == check_id and c.source is None)


def _user(number: int, entry: dt.date, **values: str) -> dict[str, str]:
    """A users-export row of person D<number>, created on its entry date."""
    return identity(
        number,
        **{
            "ID interne au département": f"D{number:03d}",
            "Numéro CAF": f"{1000000 + number}",
            "Date de création": fr(entry),
            "Date d'entrée flux": fr(entry),
            **values,
        },
    )


# --- 1. orientation without a type, or with a département's own type ----------------------


def test_orientation_without_type_or_with_a_local_type_is_kept(db):
    """D001–D002: « Date d'orientation » with « Type d'orientation » empty (ended) → kept as
    « non renseigné ». D003–D004: « Remobilisation renforcée », mapped onto social by the
    setting. D005–D006: « Parcours Creuse Rebond », not mapped → « non renseigné », its name
    kept. Before: the six orientations were dropped."""
    entry = D(2024, 1, 8)
    rows = [
        _user(1, entry, **{"Date d'orientation": "02/02/2024"}),
        _user(2, entry, **{"Date d'orientation": "09/02/2024"}),
        _user(
            3,
            entry,
            **{
                "Date d'orientation": "05/02/2024",
                "Type d'orientation": "Remobilisation renforcée",
            },
        ),
        _user(
            4,
            entry,
            **{
                "Date d'orientation": "06/02/2024",
                "Type d'orientation": "Remobilisation renforcée",
            },
        ),
        _user(
            5,
            entry,
            **{"Date d'orientation": "07/02/2024", "Type d'orientation": "Parcours Creuse Rebond"},
        ),
        _user(
            6,
            entry,
            **{"Date d'orientation": "08/02/2024", "Type d'orientation": "Parcours Creuse Rebond"},
        ),
    ]
    result = _import(db, users_export(rows))
    assert result.status == "success" and result.report.rows_rejected == 0
    assert _orientations(db, "D001") == [(D(2024, 2, 2), "non_renseigne", None, "usagers")]
    assert _orientations(db, "D003") == [
        (D(2024, 2, 5), "social", "Remobilisation renforcée", "usagers")
    ]
    assert _orientations(db, "D005") == [
        (D(2024, 2, 7), "non_renseigne", "Parcours Creuse Rebond", "usagers")
    ]
    assert _quality(db, "orientation_sans_type") == 4
    assert _quality(db, "orientation_type_local") == 2
    # The legal delay counts every dated decision: 6 entrants, 6 oriented within 45 days.
    settings = make_settings(db.settings.database_url, secrecy_threshold=2)
    context = MetricContext(db.engine, settings, Scope.build(entry, entry, as_of=D(2024, 6, 30)))
    assert compute_one(context, "orientation_within_45d_rate").value == pytest.approx(1.0)
    # Completing the mapping later re-types what is stored, without re-importing.
    assert apply_mapping(db.engine, {**LOCAL_TYPES, "Parcours Creuse Rebond": "socio_pro"}) == 2
    assert [(t.label, t.stored_type, t.decisions) for t in local_types(db.engine)] == [
        ("Parcours Creuse Rebond", "socio_pro", 2),
        ("Remobilisation renforcée", "social", 2),
    ]
    assert _quality(db, "orientation_sans_type") == 2


def test_orientation_types_command(run_cli, db, tmp_path, monkeypatch):
    """The CLI lists local names with their national type, applies the configured mapping."""
    entry = D(2024, 1, 8)
    rows = [
        _user(
            n,
            entry,
            **{
                "Date d'orientation": "05/02/2024",
                "Type d'orientation": "Remobilisation renforcée",
            },
        )
        for n in (1, 2)
    ]
    path = tmp_path / "Export_usagers.csv"
    path.write_bytes(users_export(rows))
    assert run_cli("import", "rdv-insertion", str(path))[0] == 0
    code, out, _ = run_cli("orientation-types")
    assert (code, out) == (
        0,
        "« Remobilisation renforcée » → Type non renseigné (< 11 décision(s))\n",
    )
    monkeypatch.setenv("PILOTAGE_ORIENTATION_TYPE_MAP", "Remobilisation renforcée=social")
    from settings import get_settings

    get_settings.cache_clear()
    code, out, _ = run_cli("orientation-types", "--apply")
    assert code == 0
    assert out.splitlines() == [
        "2 orientation(s) rattachée(s).",
        "« Remobilisation renforcée » → Sociale (< 11 décision(s))",
    ]
    monkeypatch.setenv("PILOTAGE_ORIENTATION_TYPE_MAP", "Remobilisation renforcée=emploi")
    get_settings.cache_clear()
    code, _, err = run_cli("orientation-types")
    assert code != 0 and "PILOTAGE_ORIENTATION_TYPE_MAP" in err and "emploi" in err


# --- 2. re-entry ------------------------------------------------------------------------------


def test_reentry_orientation_is_dated_from_the_participations_export(db):
    """D011–D012 re-entered on 08/01/2024 (created in 2019): « Date d'orientation » 14/03/2019
    (their first orientation ever) and « Type d'orientation » Professionnelle (today's). The
    participations export holds their orientation appointment honoured on 20/02/2024 (and the
    2019 one) → pro on 20/02/2024, rule « rendez_vous ». D013–D014: same, but no honoured
    orientation appointment since the entry (a no-show) → not oriented, counted as undated.
    D015–D016: « Date d'orientation » after the entry → rule « usagers ». Before: pro was
    stored on 14/03/2019, before the entry, and the person counted as never oriented."""
    entry, created = D(2024, 1, 8), D(2019, 1, 2)
    users, rdvs = [], []
    for n in (11, 12, 13, 14):
        user = _user(
            n,
            entry,
            **{
                "Date de création": fr(created),
                "Date d'orientation": "14/03/2019",
                "Type d'orientation": "Professionnelle",
                "Date de début d'accompagnement": "01/03/2024",
                "Structure d'orientation": "France Travail Guéret",
            },
        )
        users.append(user)
        rdvs.append(
            participation(
                user,
                **{
                    "Date du RDV": "14/03/2019",
                    "RDV pris en autonomie ?": "Oui",
                    "RDV pris le": "01/03/2019",
                    "Statut du rdv": SEEN,
                },
            )
        )
        status = SEEN if n in (11, 12) else NOSHOW
        rdvs.append(
            participation(
                user,
                **{
                    "Date du RDV": "20/02/2024",
                    "RDV pris en autonomie ?": "Oui",
                    "RDV pris le": "10/02/2024",
                    "Statut du rdv": status,
                },
            )
        )
    for n in (15, 16):
        users.append(
            _user(n, entry, **{"Date d'orientation": "15/02/2024", "Type d'orientation": "Sociale"})
        )
    result = _import(db, users_export(users), participations_export(rdvs))
    assert result.status == "success" and result.report.rows_rejected == 0
    assert _orientations(db, "D011") == [(D(2024, 2, 20), "pro", None, "rendez_vous")]
    assert _orientations(db, "D013") == []
    assert _person(db, "D013").undated_orientation is True
    assert _person(db, "D011").undated_orientation is False
    assert _orientations(db, "D015") == [(D(2024, 2, 15), "social", None, "usagers")]
    assert _quality(db, "orientation_datee_par_rendez_vous") == 2
    assert _quality(db, "orientation_non_datee") == 2
    assert _quality(db, "evenement_avant_entree") == 4  # the 2019 appointments, kept as read
    settings = make_settings(db.settings.database_url, secrecy_threshold=2)
    context = MetricContext(db.engine, settings, Scope.build(entry, entry, as_of=D(2024, 6, 30)))
    # 6 entrants; D011, D012 (43 days) and D015, D016 (38 days) oriented within 45 days.
    assert compute_one(context, "orientation_within_45d_rate").value == pytest.approx(4 / 6)


# --- 3. archiving -----------------------------------------------------------------------------


def test_archiving_in_one_organisation_is_not_an_exit_and_a_department_export_keeps_exits(db):
    """D021–D022 archived here but followed by two organisations → still in the RSA.
    D023–D024 archived in their only organisation → exit on the archive date. A later
    département-level export (no archive columns, by upstream design) keeps those exits; an
    organisation-level export where D023 is not archived any more clears its exit."""
    entry = D(2024, 1, 8)
    archived = {ARCHIVED: "30/04/2024", ARCHIVE_REASON: "Sortie du dispositif"}
    rows = [
        _user(21, entry, **{**archived, "Nombre d'organisations": "2"}),
        _user(22, entry, **{**archived, "Nombre d'organisations": "2"}),
        _user(23, entry, **archived),
        _user(24, entry, **archived),
    ]
    assert _import(db, users_export(rows)).report.rows_rejected == 0
    assert [_person(db, f"D{n:03d}").exit_date for n in (21, 22, 23, 24)] == [
        None,
        None,
        D(2024, 4, 30),
        D(2024, 4, 30),
    ]
    later = [_user(n, entry) for n in (21, 22, 23, 24)]
    result = _import(db, users_export(later, department_level=True))
    assert result.status == "success" and result.report.rows_rejected == 0
    assert [_person(db, f"D{n:03d}").exit_date for n in (23, 24)] == [D(2024, 4, 30)] * 2
    _import(db, users_export([_user(23, entry)]))
    assert _person(db, "D023").exit_date is None
    assert _person(db, "D024").exit_date == D(2024, 4, 30)


# --- 4. identifiers filled in later -----------------------------------------------------------


def test_identifier_filled_in_later_is_one_person(db):
    """D031–D032 are first exported without « ID interne au département » (known by CAF
    number + role), then with it: one person each, re-keyed, the CAF key linked (hashed);
    a later export without the id again still finds them. Before: two persons each."""
    entry = D(2024, 1, 8)
    first = [
        _user(
            n,
            entry,
            **{"ID interne au département": "", "Dernière convocation envoyée le": "15/01/2024"},
        )
        for n in (31, 32)
    ]
    _import(db, users_export(first))
    assert _count(db, Person) == 2
    second = [
        _user(n, entry, **{"Date d'orientation": "20/02/2024", "Type d'orientation": "Sociale"})
        for n in (31, 32)
    ]
    _import(db, users_export(second))
    assert _count(db, Person) == 2
    assert _person(db, "D031") is not None and _person(db, "caf:1000031:demandeur") is None
    assert _sends(db, "D031") == [(D(2024, 1, 15), "convocation")]
    assert _orientations(db, "D031") == [(D(2024, 2, 20), "social", None, "usagers")]
    with db.engine.connect() as conn:
        keys = conn.execute(select(PersonKeyLink.alias_key)).scalars().all()
    assert sorted(keys) == sorted(_key(db, f"caf:{1000000 + n}:demandeur") for n in (31, 32))
    assert not any("1000031" in k or "D031" in k for k in keys)
    assert _quality(db, "identifiants_rapproches") == 2
    third = [
        _user(n, entry, **{"ID interne au département": "", ARCHIVED: "30/06/2024"})
        for n in (31, 32)
    ]
    _import(db, users_export(third))
    assert _count(db, Person) == 2
    assert _person(db, "D031").exit_date == D(2024, 6, 30)


def test_two_persons_of_the_same_human_are_folded_and_undo_restores_them(db):
    """D041 known first by CAF number + role only, then (another organisation) by the
    département id only: two persons. An export with both folds them into one, events
    together; undoing that import gives the two persons back."""
    entry = D(2024, 1, 8)
    conv = {"Dernière convocation envoyée le": "12/01/2024"}
    _import(db, users_export([_user(41, entry, **{"ID interne au département": "", **conv})]))
    _import(
        db,
        users_export(
            [_user(41, entry, **{"Numéro CAF": "", "Dernière invitation envoyée le": "20/01/2024"})]
        ),
    )
    assert _count(db, Person) == 2
    result = _import(db, users_export([_user(41, entry)]))
    assert _count(db, Person) == 1
    assert _sends(db, "D041") == [(D(2024, 1, 12), "convocation"), (D(2024, 1, 20), "invitation")]
    assert _quality(db, "identifiants_rapproches") is None  # 1 person: masked at threshold 2
    undo_run(db.engine, result.run_id)
    assert _count(db, Person) == 2
    assert _sends(db, "caf:1000041:demandeur") == [(D(2024, 1, 12), "convocation")]
    assert _count(db, PersonKeyLink) == 0


# --- 5. convocations from the participations export -------------------------------------------


def test_first_convocation_is_the_earliest_of_both_files(db):
    """D051–D052 entered 08/01/2024; an agent booked their orientation appointment on 11/01
    (« RDV pris en autonomie ? » = Non, « RDV pris le » 11/01: a convocation sent that day)
    and, after a no-show, another on 13/02, the users export's « Dernière convocation envoyée
    le ». D053–D054 booked themselves on 12/01 after an invitation of 09/01: no convocation.
    Before: D051–D052 were convened on day 36, out of the 15 days."""
    entry = D(2024, 1, 8)
    users, rdvs = [], []
    for n in (51, 52):
        user = _user(
            n,
            entry,
            **{
                "Dernière convocation envoyée le": "13/02/2024",
                "Date du dernier RDV": "20/02/2024",
                "Motif du dernier RDV": "RSA orientation sur site",
                "Dernier RDV pris en autonomie ?": "Non",
                "Dernier RDV pris le": "13/02/2024",
                "Statut du rdv": SEEN,
            },
        )
        users.append(user)
        rdvs.append(
            participation(
                user,
                **{
                    "Date du RDV": "25/01/2024",
                    "RDV pris en autonomie ?": "Non",
                    "RDV pris le": "11/01/2024",
                    "Statut du rdv": NOSHOW,
                },
            )
        )
        rdvs.append(
            participation(
                user,
                **{
                    "Date du RDV": "20/02/2024",
                    "RDV pris en autonomie ?": "Non",
                    "RDV pris le": "13/02/2024",
                    "Statut du rdv": SEEN,
                },
            )
        )
    for n in (53, 54):
        user = _user(
            n,
            entry,
            **{
                "Première invitation envoyée le": "09/01/2024",
                "Dernière invitation envoyée le": "09/01/2024",
            },
        )
        users.append(user)
        rdvs.append(
            participation(
                user,
                **{
                    "Date du RDV": "19/01/2024",
                    "RDV pris en autonomie ?": "Oui",
                    "RDV pris le": "12/01/2024",
                    "Statut du rdv": SEEN,
                    "Motif du RDV": FOLLOW_UP_MOTIF,
                },
            )
        )
    assert _import(db, users_export(users), participations_export(rdvs)).report.rows_rejected == 0
    assert _sends(db, "D051") == [(D(2024, 1, 11), "convocation"), (D(2024, 2, 13), "convocation")]
    assert _sends(db, "D053") == [(D(2024, 1, 9), "invitation")]
    settings = make_settings(db.settings.database_url, secrecy_threshold=2)
    context = MetricContext(db.engine, settings, Scope.build(entry, entry, as_of=D(2024, 6, 30)))
    assert compute_one(context, "convocation_within_15d_rate").value == pytest.approx(1.0)


# --- 6. optional columns ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("motif_category", "department_level"), [(True, False), (False, False), (False, True)]
)
def test_optional_columns_are_read_when_present_never_required(
    db, motif_category, department_level
):
    """The three header sets upstream writes import without a rejected row or an unknown
    column; the 15/30-day flags are stored and compared with our own computation."""
    entry = D(2024, 1, 8)
    seen = {
        "Date du dernier RDV": "18/01/2024",
        "Motif du dernier RDV": "RSA orientation sur site",
        "Statut du rdv": SEEN,
        FOLLOW_UP_STATUS: "RDV honoré",
    }
    rows = [
        # Honoured on day 10: both flags « Oui », as we compute.
        _user(61, entry, **{**seen, WITHIN_30: "Oui", WITHIN_15: "Oui"}),
        _user(62, entry, **{**seen, WITHIN_30: "Oui", WITHIN_15: "Oui"}),
        # Upstream says « Non » (its follow-up was created later than the entry): mismatch.
        _user(63, entry, **{**seen, WITHIN_30: "Oui", WITHIN_15: "Non"}),
        _user(64, entry, **{**seen, WITHIN_30: "Oui", WITHIN_15: "Non"}),
        # Person in two départements: not computable upstream → no flag, no mismatch.
        _user(65, entry, **{WITHIN_30: "Non calculable", WITHIN_15: "Non calculable"}),
    ]
    result = _import(db, users_export(rows, motif_category, department_level))
    assert result.status == "success" and result.report.rows_rejected == 0
    assert all(not f.unknown_columns for f in result.report.files)
    flags = [
        (p.upstream_within_15, p.upstream_within_30)
        for p in (_person(db, f"D{n:03d}") for n in (61, 63, 65))
    ]
    assert flags == [(True, True), (False, True), (None, None)]
    assert _quality(db, "drapeau_15_jours_different") == 2
    assert _quality(db, "drapeau_30_jours_different") == 0


def test_undoing_the_import_that_linked_the_keys_restores_the_first_key(db):
    """The person re-keyed by the département id gets its CAF key back when that import is
    undone, and the link goes with it."""
    entry = D(2024, 1, 8)
    _import(db, users_export([_user(71, entry, **{"ID interne au département": ""})]))
    result = _import(db, users_export([_user(71, entry)]))
    assert "1 personne(s) déjà enregistrée(s) sous leur numéro CAF" in " ".join(result.report.notes)
    assert _person(db, "D071") is not None and _count(db, PersonKeyLink) == 1
    undo_run(db.engine, result.run_id)
    assert _person(db, "D071") is None
    assert _person(db, "caf:1000071:demandeur") is not None
    assert _count(db, PersonKeyLink) == 0
