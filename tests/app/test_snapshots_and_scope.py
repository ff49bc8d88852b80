"""Committee memory on both engines, the scope bar's presets and URL parsing, sign-in roles."""

from __future__ import annotations

import datetime as dt

import pytest

from data_access.db import session_scope
from data_access.governance import create_meeting
from data_access.snapshots import (
    DeckScope,
    last_committee_date,
    latest_snapshot,
    save_snapshot,
)
from metrics.committee import committee_scope, two_months_before
from ui.auth import ADMINS, ALL_ROLES, EDITORS
from ui.navigation import PageEntry, pages_for_role
from ui.scope_bar import (
    DEFAULT_PRESET,
    ScopeChoice,
    build_scope,
    choice_params,
    preset_label,
    preset_period,
    read_choice,
)

AS_OF = dt.date(2024, 3, 12)


def test_last_committee_is_the_latest_meeting_or_deck_before_the_date(db):
    assert last_committee_date(db.engine, AS_OF) is None
    with session_scope(db.engine) as session:
        create_meeting(session, "comite_de_suivi", dt.date(2024, 1, 10), "Comité 1", ["CD"])
        create_meeting(session, "point_hebdomadaire", dt.date(2024, 3, 1), "Point", ["CD"])
    assert last_committee_date(db.engine, AS_OF) == dt.date(2024, 1, 10)
    save_snapshot(
        db.engine,
        committee_date=dt.date(2024, 2, 20),
        period_from=dt.date(2024, 1, 11),
        period_to=dt.date(2024, 2, 20),
        as_of=dt.date(2024, 2, 20),
        figures={"entrants": {"value": 42.0, "unit": "count", "suppressed": False}},
    )
    assert last_committee_date(db.engine, AS_OF) == dt.date(2024, 2, 20)
    # strictly before: on the committee day itself, the previous one is the reference
    assert last_committee_date(db.engine, dt.date(2024, 2, 20)) == dt.date(2024, 1, 10)
    snapshot = latest_snapshot(db.engine, before=AS_OF)
    assert snapshot is not None
    assert snapshot.figures["entrants"]["value"] == 42.0
    assert latest_snapshot(db.engine, before=dt.date(2024, 2, 20)) is None


def test_snapshots_are_matched_on_territory_and_payer(db):
    commune = DeckScope("commune", "23008", None)
    for scope, entrants in ((commune, 16.0), (DeckScope(payer="msa"), 30.0)):
        save_snapshot(
            db.engine,
            committee_date=dt.date(2024, 2, 20),
            period_from=dt.date(2024, 1, 11),
            period_to=dt.date(2024, 2, 20),
            as_of=dt.date(2024, 2, 20),
            figures={"entrants": {"value": entrants, "unit": "count", "suppressed": False}},
            scope=scope,
        )
    # nothing was exported for the whole département: no committee, nothing presented
    assert last_committee_date(db.engine, AS_OF) is None
    assert latest_snapshot(db.engine, before=AS_OF) is None
    assert last_committee_date(db.engine, AS_OF, commune) == dt.date(2024, 2, 20)
    local = latest_snapshot(db.engine, before=AS_OF, scope=commune)
    assert local is not None and local.scope == commune
    assert local.figures["entrants"]["value"] == 16.0
    msa = latest_snapshot(db.engine, before=AS_OF, scope=DeckScope(payer="msa"))
    assert msa is not None and msa.figures["entrants"]["value"] == 30.0
    assert latest_snapshot(db.engine, scope=DeckScope("commune", "23008", "msa")) is None
    # a committee meeting concerns every scope
    with session_scope(db.engine) as session:
        create_meeting(session, "comite_de_suivi", dt.date(2024, 3, 1), "Comité", ["CD"])
    assert last_committee_date(db.engine, AS_OF, commune) == dt.date(2024, 3, 1)


@pytest.mark.parametrize(
    ("preset", "start"),
    [
        ("7j", dt.date(2024, 3, 6)),  # 7 days, both ends included
        ("mois", dt.date(2024, 3, 1)),
        ("mois_complet", dt.date(2024, 2, 1)),
        ("lancement", dt.date(2023, 2, 17)),
        ("comite", dt.date(2024, 1, 13)),  # no committee: two months back, day after
    ],
)
def test_presets(preset, start):
    end = dt.date(2024, 2, 29) if preset == "mois_complet" else AS_OF
    assert preset_period(preset, AS_OF, None) == (start, end)


@pytest.mark.parametrize(
    ("as_of", "period"),
    [
        (dt.date(2026, 12, 1), (dt.date(2026, 11, 1), dt.date(2026, 11, 30))),  # 1st of a month
        (dt.date(2024, 6, 30), (dt.date(2024, 6, 1), dt.date(2024, 6, 30))),  # last day: complete
        (dt.date(2024, 3, 15), (dt.date(2024, 2, 1), dt.date(2024, 2, 29))),
    ],
)
def test_the_landing_period_is_the_last_complete_month_never_one_day(as_of, period):
    choice = read_choice({}, as_of)
    assert choice.preset == DEFAULT_PRESET == "mois_complet"
    scope = build_scope(choice, None)
    assert (scope.start, scope.end) == period
    assert scope.days >= 28


def test_each_preset_says_its_dates():
    day = dt.date(2026, 12, 1)
    committee = dt.date(2026, 10, 30)
    assert preset_label("mois_complet", day, None) == (
        "Dernier mois complet (du 1er au 30 novembre 2026)"
    )
    assert preset_label("mois", day, None) == "Mois en cours (le 1er décembre 2026)"
    assert preset_label("7j", day, None) == "7 derniers jours (du 25 novembre au 1er décembre 2026)"
    assert preset_label("comite", day, committee) == (
        "Depuis le dernier comité (du 31 octobre au 1er décembre 2026)"
    )
    assert preset_label("lancement", day, None) == (
        "Depuis le lancement (du 17 février 2023 au 1er décembre 2026)"
    )
    custom = (dt.date(2024, 1, 1), dt.date(2024, 1, 31))
    assert preset_label("perso", day, None, custom) == "Personnalisé (du 1er au 31 janvier 2024)"


def test_since_last_committee_starts_the_day_after():
    assert preset_period("comite", AS_OF, dt.date(2024, 2, 1)) == (dt.date(2024, 2, 2), AS_OF)


def test_two_months_before_clamps_to_the_month_end():
    assert two_months_before(dt.date(2024, 4, 30)) == dt.date(2024, 2, 29)
    assert two_months_before(dt.date(2024, 1, 31)) == dt.date(2023, 11, 30)


def test_committee_scope_defaults():
    scope = committee_scope(AS_OF, dt.date(2024, 1, 10))
    assert (scope.start, scope.end, scope.as_of) == (dt.date(2024, 1, 11), AS_OF, AS_OF)
    assert scope.previous().end == dt.date(2024, 1, 10)


def test_url_round_trip_and_bad_values_fall_back_to_defaults():
    choice = ScopeChoice(
        "perso", dt.date(2024, 1, 1), dt.date(2024, 1, 31), AS_OF, "utas", "Guéret", "msa"
    )
    params = choice_params(choice)
    assert read_choice(params, dt.date(2030, 1, 1)) == choice
    bad = read_choice(
        {"periode": "x", "au_jour": "31/12/2024", "niveau": "?", "payeur": "pe"}, AS_OF
    )
    assert bad == ScopeChoice(DEFAULT_PRESET, None, None, AS_OF, "departement", "", "")


def test_custom_period_is_cut_at_the_as_of_date():
    choice = ScopeChoice(
        "perso", dt.date(2024, 3, 1), dt.date(2024, 4, 30), AS_OF, "departement", "", ""
    )
    scope = build_scope(choice, None)
    assert (scope.start, scope.end, scope.territory) == (dt.date(2024, 3, 1), AS_OF, None)


def test_navigation_keeps_only_the_pages_a_role_may_open():
    pages = {
        "A": [PageEntry("vue", ALL_ROLES), PageEntry("fdr", EDITORS)],
        "B": [PageEntry("imports", ADMINS)],
        "C": ["bare-page"],
    }
    assert pages_for_role(pages, "lecture") == {"A": ["vue"], "C": ["bare-page"]}
    assert pages_for_role(pages, "chef_de_projet") == {"A": ["vue", "fdr"], "C": ["bare-page"]}
    assert pages_for_role(pages, "administrateur") == {
        "A": ["vue", "fdr"],
        "B": ["imports"],
        "C": ["bare-page"],
    }
