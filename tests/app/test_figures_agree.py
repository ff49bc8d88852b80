"""No contradiction on a page: every chart that states a card's (or the committee table's)
figure states the same one, computed on the same cohort (demo, June 2024 and a committee
under 45 days after the previous one)."""

from __future__ import annotations

import re

from tests.app.conftest import DEMO_AS_OF, visible
from tests.app.test_dashboard_pages import metrics_shown, open_app, visit


def _tables(app) -> list[dict[str, list[str]]]:  # type: ignore[no-untyped-def]
    return [
        {str(c): [str(v) for v in t.value[c].tolist()] for c in t.value.columns} for t in app.table
    ]


def _table_with(app, column: str) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    found = [t for t in _tables(app) if column in t]
    assert found, f"pas de tableau avec la colonne « {column} »"
    # cells are escaped for Markdown (st.table): compare what a reader sees
    return {
        visible(name): [visible(str(cell)) for cell in cells] for name, cells in found[0].items()
    }


def _figure(text: str) -> str:
    """« 50,0 % (avril 2024) » → « 50,0 % »."""
    return re.sub(r" \(.*\)$", "", text)


def test_overview_chart_and_cards_state_the_same_rates(demo_db):
    app = visit(open_app(au_jour=DEMO_AS_OF.isoformat(), periode="mois"), "vue_ensemble.py")
    assert not app.exception
    cards = metrics_shown(app)
    chart = _table_with(app, "Période choisie — Taux (%)")
    assert chart["Indicateur"]
    for label, value in zip(chart["Indicateur"], chart["Période choisie — Taux (%)"], strict=True):
        assert value == cards[label], label
    # the legal six-week share is never blank at a committee date: its mature cohort is shown
    assert cards["Part des bénéficiaires orientés dans le délai légal (six semaines)"].endswith("%")


def test_committee_chart_and_table_state_the_same_rates(demo_db):
    app = visit(open_app(au_jour="2024-06-10", periode="comite"), "comite.py")
    assert not app.exception
    table = _table_with(app, "Période du comité")
    rows = {
        label.removesuffix(" *"): _figure(value)
        for label, value in zip(table["Indicateur"], table["Période du comité"], strict=True)
    }
    chart = _table_with(app, "Période du comité — Taux (%)")
    for label, value in zip(
        chart["Indicateur"], chart["Période du comité — Taux (%)"], strict=True
    ):
        assert value == rows[label], label
    assert rows["Part des bénéficiaires orientés dans le délai légal (six semaines)"].endswith("%")


def test_orientation_cohort_chart_and_card_state_the_same_share(demo_db):
    app = visit(open_app(au_jour=DEMO_AS_OF.isoformat(), periode="mois"), "orientation.py")
    assert not app.exception
    card = metrics_shown(app)["Part des bénéficiaires orientés dans le délai légal (six semaines)"]
    cohort = next(c.value for c in app.caption if c.value.startswith("Entrants d'avril 2024"))
    assert cohort == "Entrants d'avril 2024, observés 42 jours"
    chart = _table_with(app, "Mois d'entrée")
    values = dict(
        zip(
            chart["Mois d'entrée"],
            next(v for k, v in chart.items() if k != "Mois d'entrée"),
            strict=True,
        )
    )
    assert values["avril 2024"] == card
