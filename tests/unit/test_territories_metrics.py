"""Territories side by side: UTAS ranked against each target, masked UTAS kept masked (with
the secondary suppression of the breakdown), EPCI computed each on its own scope.

Committee scope 1 May – 30 June 2024, as-of 30 June (threshold 2: groups of one masked).
Entrants of May 2024 (the convocation's mature cohort), invited after:

  Guéret (UTAS Guéret):             5, 10, 20, 30 days  → 2 of 4 within 15 days = 50,0 %, rouge
  Aubusson (UTAS Aubusson):         3, 4, 5 days        → 3 of 3 = 100,0 %, vert
  Boussac (UTAS Boussac):           5, 6 days           → 2 of 2, masked (secondary)
  Souterraine (UTAS La Souterraine): 5 days             → 1 person, masked (primary)

La Souterraine alone masked would be the département minus the others; the breakdown masks
the smallest other UTAS too (Boussac, 2), whose sum with it (3) is no small group.
Ranking: Aubusson, Guéret, then the masked Boussac and La Souterraine, by name.
"""

from __future__ import annotations

import datetime as dt

from metrics import catalog
from metrics.scope import Scope
from metrics.spec import MetricContext
from metrics.territories import catalog_compute, territory_rankings
from tests.conftest import make_settings
from tests.unit.metrics_data import AUBUSSON, GUERET, LA_SOUTERRAINE, Dataset

D = dt.date
BOUSSAC = "23031"


def _setup(db):  # type: ignore[no-untyped-def]
    data = Dataset()
    for commune, delays in (
        (GUERET, (5, 10, 20, 30)),
        (AUBUSSON, (3, 4, 5)),
        (BOUSSAC, (5, 6)),
        (LA_SOUTERRAINE, (5,)),
    ):
        for days in delays:
            pid = data.person("2024-05-02", commune=commune)
            data.invitation(pid, (D(2024, 5, 2) + dt.timedelta(days=days)).isoformat())
    data.save(db.engine)
    settings = make_settings(db.settings.database_url, secrecy_threshold=2)
    scope = Scope.build(D(2024, 5, 1), D(2024, 6, 30))
    results = catalog.compute_all(MetricContext(db.engine, settings, scope))
    return settings, scope, results


def test_utas_ranked_against_the_target_masked_last(db):
    settings, scope, results = _setup(db)
    rankings = {r.key: r for r in territory_rankings(settings, scope, results)}
    assert "roadmap" not in rankings and "companies" not in rankings
    convocation = rankings["convocation"]
    assert convocation.target == 1.0
    assert convocation.cohort == "entrants de mai 2024, observés 15 jours"
    shown = [(v.label, v.value, v.suppressed, v.level) for v in convocation.values]
    assert shown[:2] == [("Aubusson", 1.0, False, "vert"), ("Guéret", 0.5, False, "rouge")]
    assert shown[2:] == [
        ("Boussac", None, True, "secret"),
        ("La Souterraine", None, True, "secret"),
    ]


def test_epci_computed_each_on_its_own_scope(db):
    settings, scope, results = _setup(db)

    compute = catalog_compute(db.engine, settings)

    epcis = [
        ("200034825", "CA du Grand Guéret"),
        ("200044014", "CC Creuse Grand Sud"),
        ("242300135", "CC du Pays Sostranien"),
    ]
    rankings = territory_rankings(
        settings, scope, results, level="epci", territories=epcis, compute=compute
    )
    convocation = next(r for r in rankings if r.key == "convocation")
    shown = [(v.label, v.value, v.suppressed) for v in convocation.values]
    assert shown == [
        ("CC Creuse Grand Sud", 1.0, False),
        ("CA du Grand Guéret", 0.5, False),
        ("CC du Pays Sostranien", None, True),  # one person: masked on its own scope
    ]
