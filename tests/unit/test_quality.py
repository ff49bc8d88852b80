"""Data-quality checks on a hand-built database whose answers are counted by hand.

The dataset (``_build``), all entries on 10/01/2024 unless said otherwise:

- Guéret (commune 23096, UTAS Guéret), source « bundle », persons g1…g40:
  - g1–g20: one orientation appointment on 20/01 and an orientation on 01/02;
  - g21–g31 (11 persons): oriented on 05/02 without any appointment;
  - g1–g12 (12): an invitation on 05/01, before their entry; g13–g20 (8): invited on 12/01;
  - g1–g11 (11): a contract on 25/01, before their orientation of 01/02; g12–g20: contract on
    15/02 (after); g32–g33 (2): a contract and no orientation at all;
  - g14–g16 (3): a second appointment (purpose « other ») the same day 20/01: duplicates.
- Aubusson (commune 23008, UTAS Aubusson), source « rdv_insertion », a1…a15, entry 01/03,
  all invited on 05/03.
- No commune, source « rdv_insertion », u1…u12, entry 01/03, nothing else.

Hence, secrecy threshold 11:
- completeness « bundle »: orientation 31/40 (g1–g31), invitation 20/40, appointment 20/40,
  contract 22/40 (g1–g20 and g32–g33), commune 40/40, accompaniment 0/40;
- completeness « rdv_insertion »: invitation 15/27 (Aubusson 15/15, no commune 0/12);
  commune 15/27;
- events before entry 12 (Guéret), orientation without appointment 11, contract before
  orientation 11 + 2 = 13, persons without commune 12; duplicates 3 → secret (1–10), and
  since a total is published, one more cell of that line is masked too.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import insert

import cli
from data_access.schema import Appointment, Contract, ImportRun, Invitation, Orientation, Person
from metrics.quality import freshness, quality_report, stale_sources
from settings import get_settings
from tests.conftest import listing_context

D = dt.date


def _build(engine) -> None:
    persons, invitations, appointments, orientations, contracts = [], [], [], [], []
    pid = 0

    def person(commune, source, entry):
        nonlocal pid
        pid += 1
        persons.append(
            {
                "id": pid,
                "person_key": f"k{pid:04d}",
                "entry_date": entry,
                "commune_code": commune,
                "source": source,
                "subject_to_obligations": True,
            }
        )
        return pid

    g = {n: person("23096", "bundle", D(2024, 1, 10)) for n in range(1, 41)}
    for n in range(1, 21):
        appointments.append((g[n], D(2024, 1, 20), "orientation"))
        orientations.append((g[n], D(2024, 2, 1)))
    for n in range(21, 32):
        orientations.append((g[n], D(2024, 2, 5)))
    for n in range(1, 13):
        invitations.append((g[n], D(2024, 1, 5)))
    for n in range(13, 21):
        invitations.append((g[n], D(2024, 1, 12)))
    for n in range(1, 12):
        contracts.append((g[n], D(2024, 1, 25)))
    for n in range(12, 21):
        contracts.append((g[n], D(2024, 2, 15)))
    for n in (32, 33):
        contracts.append((g[n], D(2024, 2, 15)))
    for n in (14, 15, 16):
        appointments.append((g[n], D(2024, 1, 20), "other"))
    for _ in range(15):
        invitations.append((person("23008", "rdv_insertion", D(2024, 3, 1)), D(2024, 3, 5)))
    for _ in range(12):
        person(None, "rdv_insertion", D(2024, 3, 1))
    with engine.begin() as conn:
        conn.execute(insert(Person), persons)
        conn.execute(
            insert(Invitation),
            [
                {"person_id": p, "sent_date": d, "kind": "invitation", "channel": "sms"}
                for p, d in invitations
            ],
        )
        conn.execute(
            insert(Appointment),
            [
                {"person_id": p, "date": d, "purpose": purpose, "status": "seen"}
                for p, d, purpose in appointments
            ],
        )
        conn.execute(
            insert(Orientation),
            [
                {"person_id": p, "decision_date": d, "orientation_type": "social"}
                for p, d in orientations
            ],
        )
        conn.execute(
            insert(Contract),
            [{"person_id": p, "signed_date": d, "contract_type": "cer"} for p, d in contracts],
        )
        conn.execute(
            insert(ImportRun),
            [
                {
                    "source": "bundle",
                    "file_name": "lot.zip",
                    "started_at": dt.datetime(2024, 3, 1, 9),
                    "finished_at": dt.datetime(2024, 3, 1, 9, 5),
                    "status": "success",
                },
                {
                    "source": "rdv_insertion",
                    "file_name": "usagers.csv",
                    "started_at": dt.datetime(2024, 3, 20, 9),
                    "finished_at": dt.datetime(2024, 3, 20, 9, 1),
                    "status": "partial",
                },
                {
                    "source": "rdv_insertion",
                    "file_name": "refuse.csv",
                    "started_at": dt.datetime(2024, 3, 24, 9),
                    "finished_at": dt.datetime(2024, 3, 24, 9, 1),
                    "status": "failed",
                },
            ],
        )


@pytest.fixture
def report(db):
    _build(db.engine)
    return quality_report(listing_context(db.engine, 11, D(2024, 3, 25)))


def _check(report, check_id, source=None):
    (found,) = [c for c in report.checks if c.id == check_id and c.source == source]
    return found


def _utas(check, name):
    (cell,) = [c for c in check.by_utas if c.key == name]
    return cell


@pytest.mark.parametrize(
    ("check_id", "count"),
    [
        ("premiere_invitation", 20),
        ("rendez_vous", 20),
        ("contrat", 22),
        ("commune", 40),
        ("date_entree", 40),
        ("accompagnement", 0),
    ],
)
def test_completeness_of_the_bundle_source(report, check_id, count):
    check = _check(report, check_id, "bundle")
    assert (check.total.count, check.total.persons) == (count, 40)
    assert check.total.rate == pytest.approx(count / 40)
    gueret = _utas(check, "Guéret")
    assert (gueret.count, gueret.persons, gueret.suppressed) == (count, 40, False)
    assert check.definition.startswith("Part des personnes")


def test_completeness_with_few_persons_missing_the_date_is_masked(report):
    # 31 of the 40 bundle persons have an orientation: the 9 without one are a small group
    # (persons − count), so the share is masked like the count of 9 would be.
    check = _check(report, "orientation", "bundle")
    assert check.total.suppressed and check.total.count is None
    assert _utas(check, "Guéret").suppressed


def test_completeness_of_rdv_insertion_by_utas(report):
    invited = _check(report, "premiere_invitation", "rdv_insertion")
    assert (invited.total.count, invited.total.persons) == (15, 27)
    assert (_utas(invited, "Aubusson").count, _utas(invited, "Aubusson").rate) == (15, 1.0)
    unknown = _utas(invited, "")
    assert (unknown.label, unknown.count, unknown.persons) == ("Commune inconnue", 0, 12)
    commune = _check(report, "commune", "rdv_insertion")
    assert (commune.total.count, commune.total.persons) == (15, 27)


@pytest.mark.parametrize(
    ("check_id", "utas", "count"),
    [
        ("evenement_avant_entree", "Guéret", 12),
        ("orientation_sans_rendez_vous", "Guéret", 11),
        ("contrat_avant_orientation", "Guéret", 13),
        ("sans_commune", "", 12),
    ],
)
def test_inconsistencies_counted_by_utas(report, check_id, utas, count):
    check = _check(report, check_id)
    assert check.total.count == count
    assert check.total.persons == 67
    cell = _utas(check, utas)
    assert (cell.count, cell.suppressed) == (count, False)
    others = [c for c in check.by_utas if c.key != utas]
    assert all(c.count == 0 for c in others)


def test_small_counts_are_masked_with_secondary_suppression(report):
    duplicates = _check(report, "doublons")
    assert duplicates.total.suppressed and duplicates.total.count is None
    gueret = _utas(duplicates, "Guéret")
    assert gueret.suppressed and gueret.count is None and gueret.rate is None
    # The lone masked cell would be total − visible cells: at least one more cell is masked.
    assert sum(c.suppressed for c in duplicates.by_utas) >= 2


def test_freshness_per_source(report, db):
    fresh = {f.source: (f.days, f.stale) for f in report.freshness}
    # bundle: 01/03 → 25/03 = 24 days (stale); rdv_insertion: the failed run does not count,
    # last good one 20/03 → 5 days.
    assert fresh == {"bundle": (24, True), "rdv_insertion": (5, False)}
    assert [s.label for s in stale_sources(db.engine, as_of=D(2024, 3, 25))] == ["Lot de fichiers"]


def test_freshness_as_of_an_earlier_date_ignores_later_imports(report, db):
    # On 10 March the RDV-Insertion export of 20 March did not exist yet.
    then = {f.source: f.days for f in freshness(db.engine, as_of=D(2024, 3, 10))}
    assert then == {"bundle": 9}


def test_quality_json_from_the_cli(db, monkeypatch, capsys):
    _build(db.engine)
    monkeypatch.setenv("PILOTAGE_DATABASE_URL", db.settings.database_url)
    get_settings.cache_clear()
    try:
        cli.main(["quality", "--json"])
        out = capsys.readouterr().out
        data = json.loads(out)
        ids = {c["id"] for c in data["checks"]}
        assert {"doublons", "sans_commune", "orientation"} <= ids
        duplicates = next(c for c in data["checks"] if c["id"] == "doublons")
        assert duplicates["total"]["count"] is None and duplicates["total"]["suppressed"]
        cli.main(["quality"])
        text = capsys.readouterr().out
        assert "Orientation sans aucun rendez-vous : 11" in text
        assert "Doublons probables : < 11" in text
        # 31 of 40 have an orientation, masked for the 9 without: no false « < 11 sur < 11 ».
        assert "[Lot de fichiers] Date d'orientation : secret statistique\n" in text
    finally:
        get_settings.cache_clear()


def test_contract_before_its_own_orientation_even_after_others_orientations(db):
    """11 persons are oriented on 1 Feb and sign on 1 Mar (fine); 11 others sign on 1 Mar but
    are oriented only on 1 Apr: their contract precedes THEIR orientation although it follows
    the earliest orientation of the base. Expected: exactly the 11 late-oriented persons."""
    rows = []
    for n in range(22):
        late = n >= 11
        rows.append((n + 1, D(2024, 4, 1) if late else D(2024, 2, 1)))
    with db.engine.begin() as conn:
        conn.execute(
            insert(Person),
            [
                {
                    "id": pid,
                    "person_key": f"q{pid}",
                    "entry_date": D(2024, 1, 10),
                    "commune_code": "23096",
                    "source": "bundle",
                    "subject_to_obligations": True,
                }
                for pid, _ in rows
            ],
        )
        conn.execute(
            insert(Orientation),
            [{"person_id": pid, "decision_date": d, "orientation_type": "pro"} for pid, d in rows],
        )
        conn.execute(
            insert(Contract),
            [
                {"person_id": pid, "signed_date": D(2024, 3, 1), "contract_type": "ppae"}
                for pid, _ in rows
            ],
        )
    report = quality_report(listing_context(db.engine, 11, D(2024, 6, 30)))
    check = _check(report, "contrat_avant_orientation")
    assert (check.total.count, check.total.persons) == (11, 22)


def test_completeness_hides_a_small_complement(db):
    # 30 persons with a commune in Guéret and 8 without, all from the bundle. « Personnes sans
    # commune » is masked (8 < 11); the commune completeness used to print « 30 sur 38 », which
    # gives the 8 back (38 − 30). Its total is masked now, like any completeness whose
    # complement is 1 … 10; by UTAS, « Commune inconnue » (8 persons) is masked and, as
    # secondary suppression, Guéret with it.
    rows = [
        {
            "id": n,
            "person_key": f"c{n:03d}",
            "entry_date": D(2024, 1, 10),
            "commune_code": "23096" if n <= 30 else None,
            "source": "bundle",
            "subject_to_obligations": True,
        }
        for n in range(1, 39)
    ]
    with db.engine.begin() as conn:
        conn.execute(insert(Person), rows)
    report = quality_report(listing_context(db.engine, 11, D(2024, 3, 25)))
    assert _check(report, "sans_commune").total.suppressed
    commune = _check(report, "commune", "bundle")
    assert commune.total.suppressed and commune.total.count is None
    assert _utas(commune, "").suppressed and _utas(commune, "Guéret").suppressed
    # The entry date is known for all 38: complement 0, nothing to hide.
    entry = _check(report, "date_entree", "bundle")
    assert (entry.total.count, entry.total.persons, entry.total.suppressed) == (38, 38, False)


def test_an_sms_and_an_email_of_one_invitation_are_not_duplicates(db):
    # 12 persons in Guéret, each invited on 5 January by SMS and by email (same kind, not a
    # reminder): normal multi-channel practice. Before, invitations were grouped by
    # (person, day, kind, reminder) without the channel and all 12 were « doublons probables »;
    # the same send twice cannot be stored (unique key with the channel), so none is now.
    rows = [
        {
            "id": n,
            "person_key": f"s{n:03d}",
            "entry_date": D(2024, 1, 1),
            "commune_code": "23096",
            "source": "bundle",
            "subject_to_obligations": True,
        }
        for n in range(1, 13)
    ]
    sends = [
        {"person_id": n, "sent_date": D(2024, 1, 5), "kind": "invitation", "channel": channel}
        for n in range(1, 13)
        for channel in ("sms", "email")
    ]
    with db.engine.begin() as conn:
        conn.execute(insert(Person), rows)
        conn.execute(insert(Invitation), sends)
    duplicates = _check(quality_report(listing_context(db.engine, 11, D(2024, 3, 25))), "doublons")
    assert (duplicates.total.count, duplicates.total.persons) == (0, 12)
    assert not duplicates.total.suppressed


def test_a_masked_source_cannot_be_recomputed_from_the_other_sources(db):
    # Two sources, all in Guéret or without commune. Bundle: 30 with a commune, 8 without;
    # RDV-Insertion: 20 with, 20 without. « Personnes sans commune » publishes 28 (all
    # sources), so the bundle's masked 8 would be 28 − 20 from RDV-Insertion's commune line:
    # that line is masked too (total and the « Commune inconnue » cell, whose 28 persons are
    # also published by every inconsistency check). Other checks (entry date, complement 0
    # everywhere) keep both sources visible.
    rows = []
    for n, (source, commune) in enumerate(
        [("bundle", "23096")] * 30
        + [("bundle", None)] * 8
        + [("rdv_insertion", "23096")] * 20
        + [("rdv_insertion", None)] * 20,
        start=1,
    ):
        rows.append(
            {
                "id": n,
                "person_key": f"m{n:03d}",
                "entry_date": D(2024, 1, 10),
                "commune_code": commune,
                "source": source,
                "subject_to_obligations": True,
            }
        )
    with db.engine.begin() as conn:
        conn.execute(insert(Person), rows)
    report = quality_report(listing_context(db.engine, 11, D(2024, 3, 25)))
    sans_commune = _check(report, "sans_commune")
    assert (sans_commune.total.count, sans_commune.total.suppressed) == (28, False)
    rdv = _check(report, "commune", "rdv_insertion")
    assert rdv.total.suppressed and _utas(rdv, "").suppressed
    assert _check(report, "commune", "bundle").total.suppressed
    for source in ("bundle", "rdv_insertion"):
        assert not _check(report, "date_entree", source).total.suppressed
