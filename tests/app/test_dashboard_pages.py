"""Every page registered in app.py opens, on the demo and on an empty database, and the
figures on screen are the metric results of the scope chosen in the scope bar."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from streamlit.testing.v1 import AppTest

from charts.texts import value_text
from data_access.demo.governance import STALLED
from formatting import NO_DATA, secret_label
from metrics import catalog
from metrics.scope import Scope, Territory
from metrics.spec import MetricContext
from tests.app.conftest import DEMO_AS_OF, ROOT, sign_in_as
from ui.indicators import MISSING_MARK
from ui.scope_bar import PRESETS

TIMEOUT = 120
_REGISTERED = re.compile(r"""(?:page\(\s*|PAGES_DIR\s*/\s*)["']([\w]+\.py)["']""")


def registered_pages() -> list[str]:
    """Page files named in app.py (``page("x.py", …)`` or ``st.Page(PAGES_DIR / "x.py")``)."""
    source = (ROOT / "app.py").read_text(encoding="utf-8")
    return sorted(set(_REGISTERED.findall(source.split("PAGES = {", 1)[1])))


def open_app(**params: str) -> AppTest:
    app = sign_in_as(AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT), "admin")
    for name, value in params.items():
        app.query_params[name] = value
    return app.run()


def visit(app: AppTest, page: str) -> AppTest:
    return app.switch_page(f"screens/{page}").run()


def metrics_shown(app: AppTest) -> dict[str, str]:
    """Label → what the card says: its figure, or the French reason written under a dash."""
    texts = iter(m.value for m in app.markdown)
    shown = {}
    for metric in app.metric:
        value = metric.value
        if value == MISSING_MARK:
            # the reason is the next bold markdown of the page after the card
            value = next(t for t in texts if t.startswith("**")).strip("*")
        shown[metric.label] = value
    return shown


def expected(scope: Scope, db) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Label → French text of every indicator computed directly for ``scope``."""
    results = catalog.compute_all(MetricContext(db.engine, db.settings, scope))
    threshold = db.settings.secrecy_threshold
    labels = {spec.id: catalog.label_of(spec.id, db.settings) for spec in catalog.indicators()}
    return {
        labels[i]: (r.mature.reason if r.mature and r.mature.reason else None)
        or value_text(r.reported, threshold)
        for i, r in results.items()
        if i in labels
    }


def test_app_registers_the_dashboard_pages():
    pages = registered_pages()
    for name in (
        "vue_ensemble.py",
        "point_hebdomadaire.py",
        "comite.py",
        "convocation.py",
        "orientation.py",
        "contrats.py",
        "methodologie.py",
    ):
        assert name in pages


@pytest.mark.parametrize("page", registered_pages())
def test_every_page_opens_on_the_demo(demo_db, page):
    app = visit(open_app(au_jour=DEMO_AS_OF.isoformat()), page)
    assert not app.exception, app.exception
    assert app.title, f"{page} n'a pas de titre"


@pytest.mark.parametrize("page", registered_pages())
def test_every_page_opens_on_an_empty_database(empty_db, page):
    app = visit(open_app(au_jour=DEMO_AS_OF.isoformat()), page)
    assert not app.exception, app.exception


def test_empty_database_reads_no_data_not_zero(empty_db):
    app = visit(open_app(au_jour=DEMO_AS_OF.isoformat()), "vue_ensemble.py")
    shown = metrics_shown(app)
    assert shown["Part des entrants convoqués sous 15 jours"] == (
        "Aucune cohorte suivie 15 jours : le périmètre ne compte aucun des entrants de mai 2024."
    )
    assert (
        shown["Délai médian de convocation"] == shown["Part des entrants convoqués sous 15 jours"]
    )
    assert shown["Entrants soumis aux droits et devoirs"] == NO_DATA  # not a bare 0


def test_overview_figures_equal_metric_results(demo_db):
    app = visit(open_app(au_jour=DEMO_AS_OF.isoformat(), periode="mois"), "vue_ensemble.py")
    scope = Scope.build(dt.date(2024, 6, 1), DEMO_AS_OF)
    want = expected(scope, demo_db)
    shown = metrics_shown(app)
    assert len(shown) >= 8
    for label, value in shown.items():
        assert value == want[label], label


@pytest.mark.parametrize("preset", [p for p in PRESETS if p != "perso"])
def test_each_period_preset(demo_db, preset):
    app = visit(open_app(au_jour=DEMO_AS_OF.isoformat(), periode=preset), "vue_ensemble.py")
    assert not app.exception
    start = {
        "7j": dt.date(2024, 6, 24),
        "mois": dt.date(2024, 6, 1),
        "mois_complet": dt.date(2024, 6, 1),
        "comite": dt.date(2024, 5, 1),  # no committee recorded in the demo: two months
        "lancement": dt.date(2023, 2, 17),
    }[preset]
    want = expected(Scope.build(start, DEMO_AS_OF), demo_db)
    shown = metrics_shown(app)
    assert (
        shown["Entrants soumis aux droits et devoirs"]
        == want["Entrants soumis aux droits et devoirs"]
    )


def test_custom_period_from_the_url(demo_db):
    app = visit(
        open_app(au_jour="2024-06-30", periode="perso", du="2024-03-01", au="2024-03-31"),
        "convocation.py",
    )
    assert not app.exception
    want = expected(Scope.build(dt.date(2024, 3, 1), dt.date(2024, 3, 31), DEMO_AS_OF), demo_db)
    assert (
        metrics_shown(app)["Entrants soumis aux droits et devoirs"]
        == want["Entrants soumis aux droits et devoirs"]
    )
    assert any("Du 1er mars 2024 au 31 mars 2024" in c.value for c in app.caption)


@pytest.mark.parametrize(
    ("level", "code"),
    [("utas", "Guéret"), ("epci", "200034825"), ("commune", "23096")],
)
def test_each_territory_level(demo_db, level, code):
    app = visit(
        open_app(au_jour="2024-06-30", periode="lancement", niveau=level, territoire=code),
        "orientation.py",
    )
    assert not app.exception
    scope = Scope(dt.date(2023, 2, 17), DEMO_AS_OF, DEMO_AS_OF, Territory(level, code))
    want = expected(scope, demo_db)
    for label, value in metrics_shown(app).items():
        assert value == want[label], label


def test_small_territory_shows_secrecy_not_numbers(demo_db):
    """A small commune over one week: person counts below 11 read as secret, never a number."""
    app = visit(
        open_app(au_jour="2024-06-30", periode="7j", niveau="commune", territoire="23096"),
        "vue_ensemble.py",
    )
    shown = metrics_shown(app)
    scope = Scope(dt.date(2024, 6, 24), DEMO_AS_OF, DEMO_AS_OF, Territory("commune", "23096"))
    results = catalog.compute_all(MetricContext(demo_db.engine, demo_db.settings, scope))
    masked = [
        catalog.label_of(spec.id, demo_db.settings)
        for spec in catalog.indicators()
        if spec.id in results and results[spec.id].reported.suppressed
    ]
    assert masked, "le scénario doit comporter au moins une valeur masquée"
    for label in masked:
        if label in shown:
            assert shown[label] == secret_label(11)


def test_scope_survives_a_change_of_page(demo_db):
    app = open_app(au_jour="2024-06-30")
    app.sidebar.selectbox(key="scope_preset").set_value("lancement").run()
    app = visit(app, "convocation.py")
    assert app.sidebar.selectbox(key="scope_preset").value == "lancement"
    assert (
        app.query_params["periode"] == ["lancement"] or app.query_params["periode"] == "lancement"
    )


def test_committee_page_shows_the_headline_table_and_deck_button(demo_db):
    app = visit(open_app(au_jour="2024-06-30"), "comite.py")
    assert not app.exception
    assert app.title[0].value == "Comité de suivi"
    assert any("comité" in c.value for c in app.caption)
    assert app.get("download_button")


def test_late_steps_alerts_show_on_the_demo(demo_db):
    # The demo keeps a few steps stalled past their due date (demo.governance.STALLED): the
    # weekly and committee pages must show them, not « Aucune étape en retard ».
    weekly = visit(open_app(au_jour="2024-06-30"), "point_hebdomadaire.py")
    assert not weekly.exception
    assert f"**En retard ({len(STALLED)})**" in [m.value for m in weekly.markdown]
    assert not [s for s in weekly.success if "Aucune étape en retard" in s.value]
    committee = visit(weekly, "comite.py")
    assert not committee.exception
    assert not [s for s in committee.success if "Aucune étape en retard" in s.value]
