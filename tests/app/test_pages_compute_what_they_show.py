"""A page computes only what it shows: the period it compares with (the week before, the
comparison period of « Vue d'ensemble », the previous period of « Entreprises ») runs only the
families of the indicators its cards and charts read, not the whole catalogue."""

from __future__ import annotations

import datetime as dt

import pytest
import streamlit as st

from metrics import catalog
from metrics.displays import OVERVIEW_COMPARED_RATES, OVERVIEW_HEADLINE, WEEK_KPIS
from metrics.scope import Scope
from metrics.spec import Family, MetricContext
from tests.app.conftest import DEMO_AS_OF
from tests.app.test_dashboard_pages import open_app, visit


def _families_run(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Scope]]:
    """Record (family, period) of every family computation of the cold render."""
    st.cache_data.clear()  # cold: results of earlier tests on the same demo file are cached
    calls: list[tuple[str, Scope]] = []
    compute_family = catalog.compute_family

    def recorded(family: Family, context: MetricContext, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append((family.name, context.scope))
        return compute_family(family, context, *args, **kwargs)

    monkeypatch.setattr(catalog, "compute_family", recorded)
    return calls


def _declaring(ids: tuple[str, ...]) -> set[str]:
    return {
        family.name
        for family in catalog.families()
        if {spec.id for spec in family.indicators} & set(ids)
    }


def _run_on(calls: list[tuple[str, Scope]], start: dt.date, end: dt.date) -> set[str]:
    return {name for name, scope in calls if (scope.start, scope.end) == (start, end)}


def test_weekly_point_compares_with_the_week_before_on_its_cards_only(demo_db, monkeypatch):
    app = open_app(au_jour=DEMO_AS_OF.isoformat())  # lands on the overview
    calls = _families_run(monkeypatch)
    app = visit(app, "point_hebdomadaire.py")
    assert not app.exception
    week_before = (DEMO_AS_OF - dt.timedelta(days=13), DEMO_AS_OF - dt.timedelta(days=7))
    run = _run_on(calls, *week_before)
    assert run, "the week before is computed for the cards' changes"
    assert run <= _declaring(WEEK_KPIS)
    this_week = _run_on(calls, DEMO_AS_OF - dt.timedelta(days=6), DEMO_AS_OF)
    assert this_week <= _declaring(WEEK_KPIS)


def test_overview_compares_the_headline_and_the_compared_rates_only(demo_db, monkeypatch):
    calls = _families_run(monkeypatch)
    app = visit(open_app(au_jour=DEMO_AS_OF.isoformat(), periode="mois"), "vue_ensemble.py")
    assert not app.exception
    previous_month = (dt.date(2024, 5, 1), dt.date(2024, 5, 31))
    run = _run_on(calls, *previous_month)
    assert run, "the previous month is computed for the cards' changes"
    assert run <= _declaring((*OVERVIEW_HEADLINE, *OVERVIEW_COMPARED_RATES))


def test_companies_page_compares_its_cards_only(demo_db, monkeypatch):
    app = open_app(au_jour=DEMO_AS_OF.isoformat(), periode="mois")  # lands on the overview
    calls = _families_run(monkeypatch)
    app = visit(app, "entreprises.py")
    assert not app.exception
    run = _run_on(calls, dt.date(2024, 5, 1), dt.date(2024, 5, 31))
    assert run == {"companies"}


def test_a_committee_revisited_reads_no_coverage_again(demo_db, monkeypatch):
    """The committee's map (each commune's coverage of the least covered need) comes from the
    cache on a revisit, like its figures: the second render reads no partner service."""
    from sqlalchemy import event

    from data_access.db import get_engine
    from tests.app.conftest import DEMO_AS_OF as AS_OF

    app = visit(open_app(au_jour=AS_OF.isoformat()), "comite.py")
    assert not app.exception
    statements: list[str] = []

    def listen(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        statements.append(statement)

    engine = get_engine(demo_db.settings.database_url)
    event.listen(engine, "before_cursor_execute", listen)
    try:
        app.run()
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    assert not app.exception
    assert statements, "the revisit still reads the data version"
    assert not [s for s in statements if "partner_services" in s]


def test_partner_offer_page_computes_the_coverage_family_only(demo_db, monkeypatch):
    """« Offre partenaires » shows the coverage of needs by partner services: its cards and
    breakdowns are that family's, so the other families (delays, stocks, contracts…) are
    not computed for it."""
    app = open_app(au_jour=DEMO_AS_OF.isoformat(), periode="mois")  # lands on the overview
    calls = _families_run(monkeypatch)
    app = visit(app, "offre_partenaires.py")
    assert not app.exception
    assert {name for name, _ in calls} == {"coverage"}
