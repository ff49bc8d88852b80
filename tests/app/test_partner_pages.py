"""« Offre partenaires » and « Entreprises » on the demo: the figures on screen are the metric
results of the scope, the white zones listed are those of the map, secrecy holds on a commune."""

from __future__ import annotations

import datetime as dt

from charts.texts import value_text
from formatting import secret_label
from metrics import companies, coverage
from metrics.scope import Scope, Territory
from metrics.spec import MetricContext
from tests.app.conftest import DEMO_AS_OF
from tests.app.test_dashboard_pages import metrics_shown, open_app, visit

LAUNCH = dt.date(2023, 2, 17)


def test_offer_page_shows_the_coverage_of_the_chosen_category(demo_db):
    app = visit(
        open_app(au_jour=DEMO_AS_OF.isoformat(), periode="lancement"), "offre_partenaires.py"
    )
    assert not app.exception
    scope = Scope.build(LAUNCH, DEMO_AS_OF)
    results = coverage.compute(MetricContext(demo_db.engine, demo_db.settings, scope))
    category = "mobilite"
    app.selectbox(key="offre-categorie").set_value(category).run()
    assert not app.exception
    shown = metrics_shown(app)
    threshold = demo_db.settings.secrecy_threshold
    want = value_text(results[f"coverage_rate_{category}"], threshold)
    # A card's label is the catalogue's, category included (one label per indicator id).
    assert shown["Taux de couverture des besoins par l'offre partenaire — Mobilité"] == want
    assert shown["Communes en zone blanche — Mobilité"] == value_text(
        results[f"white_zone_communes_{category}"], threshold
    )
    # The demo has real gaps in mobility, listed under the map.
    communes = coverage.commune_coverage(
        MetricContext(demo_db.engine, demo_db.settings, scope), category
    )
    white = [c for c in communes if c.white_zone]
    assert white
    listed = app.dataframe[0].value
    assert sorted(listed["Commune"]) == sorted(c.name for c in white)
    # Map and heat map are drawn.
    assert len(app.get("plotly_chart")) >= 2


def test_offer_page_masks_small_counts_on_a_commune(demo_db):
    """Ahun over the whole pilot: fewer than 11 persons with a santé need, so the coverage rate
    reads as secret, while mobilité (17 persons, none covered) shows its 0 %."""
    app = visit(
        open_app(
            au_jour=DEMO_AS_OF.isoformat(),
            periode="lancement",
            niveau="commune",
            territoire="23001",
        ),
        "offre_partenaires.py",
    )
    assert not app.exception
    scope = Scope(LAUNCH, DEMO_AS_OF, DEMO_AS_OF, Territory("commune", "23001"))
    results = coverage.compute(MetricContext(demo_db.engine, demo_db.settings, scope))
    threshold = demo_db.settings.secrecy_threshold
    assert results["coverage_rate_sante"].suppressed
    app.selectbox(key="offre-categorie").set_value("sante").run()
    shown = metrics_shown(app)
    label = "Taux de couverture des besoins par l'offre partenaire"
    assert shown[f"{label} — Santé"] == secret_label(threshold)
    app.selectbox(key="offre-categorie").set_value("mobilite").run()
    shown = metrics_shown(app)
    assert shown[f"{label} — Mobilité"] == value_text(results["coverage_rate_mobilite"], threshold)
    assert results["coverage_rate_mobilite"].value == 0.0


def test_companies_page_shows_the_company_indicators(demo_db):
    app = visit(open_app(au_jour=DEMO_AS_OF.isoformat(), periode="lancement"), "entreprises.py")
    assert not app.exception
    scope = Scope.build(LAUNCH, DEMO_AS_OF)
    results = companies.compute(MetricContext(demo_db.engine, demo_db.settings, scope))
    shown = metrics_shown(app)
    threshold = demo_db.settings.secrecy_threshold
    assert shown["Entreprises engagées"] == value_text(results["companies_engaged"], threshold)
    assert shown["Immersions en entreprise (PMSMP)"] == value_text(results["immersions"], threshold)
    assert results["companies_engaged"].value > 0
    assert len(app.get("plotly_chart")) == 2
