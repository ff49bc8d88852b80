"""The one-glance summary (« météo ») on « Vue d'ensemble » and on the committee page: one
line per objective, the figures of the metric layer, masked figures masked, a word and a
symbol for every level, a text alternative for every sparkline."""

from __future__ import annotations

import datetime as dt
import html
import re

from charts.summary import LEVEL_LABELS, LEVEL_SYMBOLS, summary_rows
from charts.texts import delta_text, value_text
from formatting import secret_label
from metrics import catalog
from metrics.scope import Scope, Territory
from metrics.spec import MetricContext
from metrics.summary import summary_lines
from tests.app.conftest import DEMO_AS_OF
from tests.app.test_dashboard_pages import open_app, visit

_ROW = re.compile(r"<tr>(.*?)</tr>", re.S)
_TAG = re.compile(r"<[^>]+>")


def summary_table(app) -> list[list[str]]:  # type: ignore[no-untyped-def]
    """The cells (as text) of each row of the summary table on the page."""
    bodies = [e.proto.body for e in app.get("html") if "pilotage-meteo" in e.proto.body]
    assert len(bodies) == 1, "un tableau « météo » attendu sur la page"
    rows = []
    for row in _ROW.findall(bodies[0].split("<tbody>", 1)[1]):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([html.unescape(_TAG.sub(" ", c)).split() for c in cells])
    return [[" ".join(words) for words in row] for row in rows]


def _expected(db, scope):  # type: ignore[no-untyped-def]
    results = catalog.compute_all(MetricContext(db.engine, db.settings, scope))
    return summary_rows(summary_lines(db.settings, scope, results), 11)


def test_overview_summary_shows_each_objective_with_the_metric_figures(demo_db):
    app = visit(open_app(au_jour=DEMO_AS_OF.isoformat(), periode="mois"), "vue_ensemble.py")
    assert not app.exception
    assert any(h.value == "Météo des objectifs" for h in app.header)
    want = _expected(demo_db, Scope.build(dt.date(2024, 6, 1), DEMO_AS_OF))
    shown = summary_table(app)
    assert len(shown) == len(want) == 8
    for cells, row in zip(shown, want, strict=True):
        state, label, value, target, _trend = cells
        assert state == f"{LEVEL_SYMBOLS[row.level]} {LEVEL_LABELS[row.level]}"
        assert label.startswith(row.label)
        assert value == row.value
        assert target == row.target
    body = next(e.proto.body for e in app.get("html") if "pilotage-meteo" in e.proto.body)
    # every sparkline is an image with its text alternative (first and last months)
    assert body.count("<img") == 8
    assert body.count('alt="De ') + body.count('alt="Une seule') >= 6
    assert "8 objectifs : " in body.split("<table", 1)[0]  # the five-second reading first


def test_summary_keeps_masked_figures_masked(demo_db):
    app = visit(
        open_app(au_jour="2024-06-30", periode="7j", niveau="commune", territoire="23008"),
        "vue_ensemble.py",
    )
    scope = Scope(dt.date(2024, 6, 24), DEMO_AS_OF, DEMO_AS_OF, Territory("commune", "23008"))
    want = {row.label: row for row in _expected(demo_db, scope)}
    masked = [row for row in want.values() if row.level == "secret"]
    assert masked, "le scénario doit comporter au moins un objectif masqué"
    for state, label, value, _target, _trend in summary_table(app):
        row = next(r for name, r in want.items() if label.startswith(name))
        if row.level == "secret":
            assert value == secret_label(11)
            assert state.endswith("Secret statistique")


def test_summary_on_an_empty_database_says_no_data(empty_db):
    app = visit(open_app(au_jour=DEMO_AS_OF.isoformat()), "vue_ensemble.py")
    assert not app.exception
    shown = {label: state for state, label, _value, _target, _trend in summary_table(app)}
    persons = [label for label in shown if not label.startswith(("Feuille", "Mobilisation"))]
    assert len(persons) == 5  # no need identified: no coverage line
    for label in persons:
        assert shown[label] == "– Aucune donnée", label


def test_committee_page_shows_the_summary(demo_db):
    app = visit(open_app(au_jour="2024-06-30"), "comite.py")
    assert not app.exception
    assert any(h.value == "Météo des objectifs" for h in app.header)
    want = _expected(demo_db, Scope.build(dt.date(2024, 5, 1), DEMO_AS_OF))
    assert [cells[2] for cells in summary_table(app)] == [row.value for row in want]


def test_committee_table_compares_with_the_period_before_and_a_year_before(demo_db):
    app = visit(open_app(au_jour="2024-06-30"), "comite.py")
    table = next(t for t in app.table if "Un an plus tôt" in t.value.columns)
    columns = list(table.value.columns)
    assert columns[:5] == [
        "Indicateur",
        "Période précédente",
        "Un an plus tôt",
        "Période du comité",
        "Évolution",
    ]
    assert "Évolution sur un an" in columns
    year_before = Scope.build(dt.date(2023, 5, 1), dt.date(2023, 6, 30))
    results = catalog.compute_all(MetricContext(demo_db.engine, demo_db.settings, year_before))
    row = table.value[table.value["Indicateur"] == "Entrants soumis aux droits et devoirs"]
    assert row["Un an plus tôt"].iloc[0] == value_text(results["entrants"], 11)
    assert any("un an plus tôt, du 1er mai 2023 au 30 juin 2023" in c.value for c in app.caption)


def test_overview_compares_with_the_same_period_a_year_earlier_on_demand(demo_db):
    app = visit(open_app(au_jour=DEMO_AS_OF.isoformat(), periode="mois"), "vue_ensemble.py")
    assert any("période précédente de même durée" in c.value for c in app.caption)
    app.radio(key="comparaison").set_value("un_an").run()
    assert not app.exception
    assert any(
        "la même période un an plus tôt (du 1er juin 2023 au 30 juin 2023" in c.value
        for c in app.caption
    )
    entrants = next(m for m in app.metric if m.label == "Entrants soumis aux droits et devoirs")
    year_before = Scope.build(dt.date(2023, 6, 1), dt.date(2023, 6, 30))
    now = Scope.build(dt.date(2024, 6, 1), DEMO_AS_OF)
    then = catalog.compute_all(MetricContext(demo_db.engine, demo_db.settings, year_before))
    current = catalog.compute_all(MetricContext(demo_db.engine, demo_db.settings, now))
    want = delta_text(current["entrants"], then["entrants"])
    assert entrants.delta == want.replace("−", "-")


def test_committee_page_ranks_the_utas_and_the_epci_on_demand(demo_db):
    app = visit(open_app(au_jour="2024-06-30"), "comite.py")
    assert any(h.value == "Territoires côte à côte" for h in app.header)
    titles = [e.proto.body for e in app.get("html") if "pilotage-chart-title" in e.proto.body]
    assert any("chaque UTAS face aux cibles" in t for t in titles)
    app.radio(key="territoires-niveau").set_value("epci").run()
    assert not app.exception
    titles = [e.proto.body for e in app.get("html") if "pilotage-chart-title" in e.proto.body]
    assert any("chaque EPCI face aux cibles" in t for t in titles)
