"""Regression: fifty invented persons exported as RDV-Insertion writes them, every edge case.

Three imports, in the order a département receives them: an early organisation-level users
export (three persons without « ID interne au département » yet), the main organisation-level
users export with its participations export, and a later département-level users export
(no archive columns, by upstream design). Files built by ``tests/unit/upstream_exports.py``
from the upstream exporters (cited there).

Everyone enters on Monday 8 January 2024 (« Date d'entrée flux »); « dN » = 8 January + N
days. The persons, by group:

- P01–P08  invited d5, convened d10, orientation appointment honoured d20 → oriented d20.
- P09–P12  invited d20, convened d23, honoured d40 → oriented d40.
- P13–P16  invited d10, convened d14, honoured d50 → oriented d50.
- P17–P20  invited d5, convened d10, « Date d'orientation » d30 with the type empty.
- P21–P23  invited and convened d16, type « Remobilisation renforcée » (mapped: social) d44.
- P24      invited d5, convened d10, type « Parcours Creuse Rebond » (not mapped) d46.
- P25–P28  re-entries (created 2019): first invitation 2019, last invitation d5, « Date
           d'orientation » 14/03/2019 (first ever) and type Professionnelle (today's); the
           participations export holds the 2019 appointment and the current one, booked by an
           agent on d10 for d36: honoured for P25–P27, a no-show for P28.
- P29–P31  profile of P01 but archived on 30/04/2024 in one of their two organisations.
- P32–P33  profile of P01, archived on 30/04/2024 in their only organisation.
- P34      invited d5, never oriented, archived in its only organisation on d60.
- P35–P37  early export without the département id, convened d3; main export with the id,
           convened d36, honoured d40 → oriented d40.
- P38–P42  an agent booked an appointment on d3 (no-show d17) and another on d36 (honoured
           d43); the users export only says « Dernière convocation envoyée le » d36.
- P43–P45  invited d12, booked themselves on d14, honoured d21 → oriented d21.
- P46–P48  nothing yet.
- P49–P50  profile of P01, but upstream's 30-day flag says « Non ».

Hand count, cohort of 50 (as of 31/12/2024, nobody censored before day 45 but never oriented
persons, P34 leaving on d60):
- convened within 15 days (first send of any kind by d15): P01–P08 (d5), P13–P16 (d10),
  P17–P20 (d5), P24 (d5), P25–P28 (d5), P29–P34 (d5), P35–P37 (d3), P38–P42 (d3),
  P43–P45 (d12), P49–P50 (d5) = 8 + 4 + 4 + 1 + 4 + 6 + 3 + 5 + 3 + 2 = 40 → 80,0 %;
- oriented within 45 days: P01–P12 (d20, d40), P17–P20 (d30), P21–P23 (d44), P25–P27 (d36),
  P29–P33 (d20), P35–P37 (d40), P38–P42 (d43), P43–P45 (d21), P49–P50 (d20)
  = 12 + 4 + 3 + 3 + 5 + 3 + 5 + 3 + 2 = 40 → 80,0 %.
Measured with the importer as it was before it knew these formats: 53 entrants (P35–P37
counted twice), 56,6 % oriented within 45 days (untyped, local and re-entry orientations
lost) and 66,0 % convened within 15 days (agents' bookings ignored).
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from data_access.importers.pipeline import run_import
from data_access.importers.rdv_insertion import RdvInsertionImporter
from data_access.pseudonym import pseudonymise
from data_access.schema import Invitation, Orientation, Person
from metrics.catalog import compute_one
from metrics.quality import quality_report
from metrics.scope import Scope
from metrics.spec import MetricContext
from tests.conftest import listing_context, make_settings
from tests.unit.upstream_exports import (
    ARCHIVE_REASON,
    ARCHIVED,
    FOLLOW_UP_STATUS,
    NOSHOW,
    ORIENTATION_MOTIF,
    SECRET_FIELDS,
    SEEN,
    WITHIN_15,
    WITHIN_30,
    fr,
    hour,
    identity,
    participation,
    participations_export,
    users_export,
)

D = dt.date
ENTRY = D(2024, 1, 8)
CREATED_2019 = D(2019, 1, 2)
FIRST_EVER = D(2019, 3, 14)


def d(days: int) -> dt.date:
    return ENTRY + dt.timedelta(days=days)


# --- the files ---------------------------------------------------------------------------


def _person(
    n: int,
    *,
    invited: dt.date | None = None,
    last_invited: dt.date | None = None,
    convened: dt.date | None = None,
    rdvs: tuple[tuple[dt.date, str, str, dt.date], ...] = (),
    oriented: dt.date | None = None,
    kind: str = "",
    organisations: int = 1,
    archived: dt.date | None = None,
    flags: tuple[str, str] = ("Non", "Non"),
    created: dt.date = ENTRY,
    department_id: bool = True,
) -> tuple[dict[str, str], list[dict[str, str]]]:
    """Users row and participations rows of person P<n>; ``rdvs`` = (date, status, « pris en
    autonomie ? », « pris le ») of orientation appointments."""
    last = max(rdvs, default=None, key=lambda r: r[0])
    user = identity(
        n,
        **{
            "Numéro CAF": f"{2000000 + n}",
            "ID interne au département": f"P{n:02d}" if department_id else "",
            "Date de création": fr(created),
            "Date d'entrée flux": fr(ENTRY),
            "Première invitation envoyée le": fr(invited),
            "Dernière invitation envoyée le": fr(last_invited or invited),
            "Dernière convocation envoyée le": fr(convened),
            "Date du dernier RDV": fr(last[0]) if last else "",
            "Heure du dernier RDV": hour(9, 30) if last else "",
            "Motif du dernier RDV": ORIENTATION_MOTIF if last else "",
            "Nature du dernier RDV": "individuel" if last else "",
            "Dernier RDV pris en autonomie ?": last[2] if last else "",
            "Dernier RDV pris le": fr(last[3]) if last else "",
            "Statut du rdv": last[1] if last else "",
            FOLLOW_UP_STATUS: "RDV honoré" if last and last[1] == SEEN else "Non invité",
            WITHIN_30: flags[0],
            WITHIN_15: flags[1],
            "Date d'orientation": fr(oriented),
            "Type d'orientation": kind,
            "Date de début d'accompagnement": fr(oriented) if kind else "",
            "Structure d'orientation": "CD 23 - UTAS Guéret" if kind else "",
            "Nombre d'organisations": str(organisations),
            "Nom des organisations": ", ".join(
                ["CD 23 - UTAS Guéret", "France Travail Guéret"][:organisations]
            ),
            ARCHIVED: fr(archived),
            ARCHIVE_REASON: "Sortie du RSA" if archived else "",
        },
    )
    rows = [
        participation(
            user,
            **{
                "Date du RDV": fr(date),
                "RDV pris en autonomie ?": autonomy,
                "RDV pris le": fr(booked),
                "Statut du rdv": status,
            },
        )
        for date, status, autonomy, booked in rdvs
    ]
    return user, rows


def _seen(day: int, booked: int, autonomy: str = "Oui") -> tuple:
    return (d(day), SEEN, autonomy, d(booked))


TYPES = ("Sociale", "Professionnelle", "Socio-professionnelle")
PLAIN = {"invited": d(5), "convened": d(10), "rdvs": (_seen(20, 8),), "oriented": d(20)}


def _everyone() -> list[tuple[dict[str, str], list[dict[str, str]]]]:
    people = []
    for n in range(1, 9):
        people.append(_person(n, **PLAIN, kind=TYPES[n % 3], flags=("Oui", "Non")))
    for n in range(9, 13):
        people.append(
            _person(n, invited=d(20), convened=d(23), rdvs=(_seen(40, 25),), oriented=d(40),
                    kind="Sociale")
        )  # fmt: skip
    for n in range(13, 17):
        people.append(
            _person(n, invited=d(10), convened=d(14), rdvs=(_seen(50, 30),), oriented=d(50),
                    kind="Professionnelle")
        )  # fmt: skip
    for n in range(17, 21):
        people.append(_person(n, invited=d(5), convened=d(10), oriented=d(30)))
    for n in range(21, 24):
        people.append(
            _person(n, invited=d(16), convened=d(16), oriented=d(44),
                    kind="Remobilisation renforcée")
        )  # fmt: skip
    people.append(
        _person(24, invited=d(5), convened=d(10), oriented=d(46), kind="Parcours Creuse Rebond")
    )
    for n in range(25, 29):
        status = SEEN if n < 28 else NOSHOW
        rdvs = (
            (FIRST_EVER, SEEN, "Oui", D(2019, 3, 1)),
            (d(36), status, "Non", d(10)),
        )
        people.append(
            _person(n, invited=D(2019, 2, 20), last_invited=d(5), rdvs=rdvs,
                    oriented=FIRST_EVER, kind="Professionnelle", created=CREATED_2019,
                    flags=("Non calculable", "Non calculable"))
        )  # fmt: skip
    for n in range(29, 32):
        people.append(
            _person(n, **PLAIN, kind="Sociale", organisations=2, archived=D(2024, 4, 30),
                    flags=("Oui", "Non"))
        )  # fmt: skip
    for n in range(32, 34):
        people.append(
            _person(n, **PLAIN, kind="Sociale", archived=D(2024, 4, 30), flags=("Oui", "Non"))
        )
    people.append(_person(34, invited=d(5), archived=d(60)))
    for n in range(35, 38):
        people.append(
            _person(n, convened=d(36), rdvs=(_seen(40, 36, "Non"),), oriented=d(40),
                    kind="Sociale")
        )  # fmt: skip
    for n in range(38, 43):
        rdvs = ((d(17), NOSHOW, "Non", d(3)), _seen(43, 36, "Non"))
        people.append(_person(n, convened=d(36), rdvs=rdvs, oriented=d(43), kind="Sociale"))
    for n in range(43, 46):
        people.append(
            _person(n, invited=d(12), rdvs=(_seen(21, 14),), oriented=d(21),
                    kind="Professionnelle", flags=("Oui", "Non"))
        )  # fmt: skip
    for n in range(46, 49):
        people.append(_person(n))
    for n in range(49, 51):
        people.append(_person(n, **PLAIN, kind="Sociale", flags=("Non", "Non")))
    return people


def _early_export() -> bytes:
    """P35–P37 before their département id was filled in, convened on d3."""
    rows = [_person(n, convened=d(3), department_id=False)[0] for n in range(35, 38)]
    return users_export(rows)


# --- expectations, written by hand from the story above -----------------------------------

J18, J28 = D(2024, 1, 18), D(2024, 1, 28)
APR30 = D(2024, 4, 30)
# person: (exit date, first convocation, first orientation decision on or after the entry)
EXPECTED: dict[int, tuple[dt.date | None, dt.date | None, dt.date | None]] = {
    **{n: (None, J18, J28) for n in range(1, 9)},
    **{n: (None, D(2024, 1, 31), D(2024, 2, 17)) for n in range(9, 13)},
    **{n: (None, D(2024, 1, 22), D(2024, 2, 27)) for n in range(13, 17)},
    **{n: (None, J18, D(2024, 2, 7)) for n in range(17, 21)},
    **{n: (None, D(2024, 1, 24), D(2024, 2, 21)) for n in range(21, 24)},
    24: (None, J18, D(2024, 2, 23)),
    **{n: (None, J18, D(2024, 2, 13)) for n in range(25, 28)},
    28: (None, J18, None),
    **{n: (None, J18, J28) for n in range(29, 32)},
    **{n: (APR30, J18, J28) for n in range(32, 34)},
    34: (D(2024, 3, 8), None, None),
    **{n: (None, D(2024, 1, 11), D(2024, 2, 17)) for n in range(35, 38)},
    **{n: (None, D(2024, 1, 11), D(2024, 2, 20)) for n in range(38, 43)},
    **{n: (None, None, D(2024, 1, 29)) for n in range(43, 46)},
    **{n: (None, None, None) for n in range(46, 49)},
    **{n: (None, J18, J28) for n in range(49, 51)},
}
EXPECTED_TYPES = {
    17: "non_renseigne",
    21: "social",
    24: "non_renseigne",
    25: "pro",
    38: "social",
}


def _import_all(db) -> None:
    secret = db.settings.pseudonymisation_key
    types = {"Remobilisation renforcée": "social"}
    people = _everyone()
    users = users_export([user for user, _ in people])
    rdvs = participations_export([row for _, rows in people for row in rows])
    department = users_export(
        [user for user, _ in people], motif_category=False, department_level=True
    )
    for files in (
        (_early_export(), "Export_usagers_organisation_utas_gueret.csv", None),
        (users, "Export_usagers_organisation_utas_gueret.csv", rdvs),
        (department, "Export_usagers_departement_creuse.csv", None),
    ):
        importer = RdvInsertionImporter(
            files[0], files[1], secret, files[2], "Export_rdvs.csv", types
        )
        result = run_import(db.engine, importer)
        assert result.status == "success" and result.report.rows_rejected == 0


def _stored(db) -> dict[int, tuple]:
    """(entry, exit, first convocation, first orientation ≥ entry) of each P<n>."""
    secret = db.settings.pseudonymisation_key
    keys = {pseudonymise(f"P{n:02d}", secret): n for n in range(1, 51)}
    conv = (
        select(Invitation.person_id, func.min(Invitation.sent_date).label("first"))
        .where(Invitation.kind == "convocation")
        .group_by(Invitation.person_id)
        .subquery()
    )
    orient = (
        select(Orientation.person_id, func.min(Orientation.decision_date).label("first"))
        .join(Person, Person.id == Orientation.person_id)
        .where(Orientation.decision_date >= Person.entry_date)
        .group_by(Orientation.person_id)
        .subquery()
    )
    query = (
        select(Person.person_key, Person.entry_date, Person.exit_date, conv.c.first, orient.c.first)
        .outerjoin(conv, conv.c.person_id == Person.id)
        .outerjoin(orient, orient.c.person_id == Person.id)
    )
    with db.engine.connect() as conn:
        return {keys.get(row[0], row[0]): tuple(row[1:]) for row in conn.execute(query)}


def test_fifty_persons_every_date_as_written_by_hand(db):
    _import_all(db)
    stored = _stored(db)
    assert sorted(stored, key=str) == sorted(range(1, 51), key=str)  # 50 persons, no stray key
    for n, (exit_date, convocation, orientation) in EXPECTED.items():
        assert stored[n] == (ENTRY, exit_date, convocation, orientation), f"P{n:02d}"
    secret = db.settings.pseudonymisation_key
    with db.engine.connect() as conn:
        for n, kind in EXPECTED_TYPES.items():
            stored_kind = conn.execute(
                select(Orientation.orientation_type)
                .join(Person, Person.id == Orientation.person_id)
                .where(
                    Person.person_key == pseudonymise(f"P{n:02d}", secret),
                    Orientation.decision_date >= Person.entry_date,
                )
            ).scalar_one()
            assert stored_kind == kind, f"P{n:02d}"
        dump = " ".join(str(v) for row in conn.execute(select(Person.__table__)) for v in row)
    assert not any(value in dump for value in SECRET_FIELDS)


def test_fifty_persons_headline_indicators_match_the_hand_count(db):
    _import_all(db)
    settings = make_settings(db.settings.database_url)
    scope = Scope.build(D(2024, 1, 1), D(2024, 1, 31), as_of=D(2024, 12, 31))
    context = MetricContext(db.engine, settings, scope)
    assert compute_one(context, "entrants").value == 50
    assert compute_one(context, "orientation_within_45d_rate").value == pytest.approx(0.8)
    assert compute_one(context, "convocation_within_15d_rate").value == pytest.approx(0.8)
    checks = {
        c.id: c.total.count
        for c in quality_report(listing_context(db.engine, 2)).checks
        if not c.source
    }
    assert checks["orientation_sans_type"] == 5  # P17–P20, P24
    assert checks["orientation_type_local"] == 3  # P21–P23
    assert checks["orientation_datee_par_rendez_vous"] == 3  # P25–P27
    assert checks["orientation_non_datee"] is None  # P28 alone: masked
    assert checks["identifiants_rapproches"] == 3  # P35–P37
    assert checks["drapeau_30_jours_different"] == 2  # P49–P50
    assert checks["drapeau_15_jours_different"] == 0
    assert checks["evenement_avant_entree"] == 4  # P25–P28: their 2019 events
