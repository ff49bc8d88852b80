"""data·inclusion API pages as the API writes them (fixtures cited in upstream_exports.py).

A service with a null ``zone_eligibilite`` (eligible everywhere for the API), the pages of
the search endpoint, and services imported before their structures; SQLite and PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import select

from data_access.importers.data_inclusion import DataInclusionImporter
from data_access.importers.pipeline import run_import
from data_access.importers.undo import undo_run
from data_access.schema import PartnerService, ServiceZone
from tests.unit.upstream_exports import (
    di_page,
    di_search_page,
    di_service,
    di_structure,
)


def _import(db, files: dict[str, bytes]):
    return run_import(db.engine, DataInclusionImporter(files, db.settings))


def _services(db) -> dict[str, tuple]:
    with db.engine.connect() as conn:
        rows = conn.execute(
            select(
                PartnerService.service_id,
                PartnerService.structure_name,
                PartnerService.structure_id.is_not(None),
            )
        )
        return {r[0]: (r[1], r[2]) for r in rows}


def _zones(db, service_id: str) -> list[tuple[str, str]]:
    with db.engine.connect() as conn:
        rows = conn.execute(
            select(ServiceZone.zone_code, ServiceZone.zone_kind)
            .join(PartnerService, PartnerService.id == ServiceZone.service_pk)
            .where(PartnerService.service_id == service_id)
        )
        return sorted(tuple(r) for r in rows)


def test_service_without_eligibility_zone_covers_the_departement(db):
    """``"zone_eligibilite": null`` (as in the API snapshot) is eligible everywhere for the
    API: kept, covering the département. Before: skipped as « hors du département »."""
    structure = di_structure("dora--ccas-gueret", "CCAS de Guéret")
    services = [
        di_service("dora--garage", "dora--ccas-gueret", "Garage solidaire", zone_eligibilite=None),
        di_service(
            "dora--limoges", "dora--ccas-gueret", "Aide Limoges", zone_eligibilite=["87085"]
        ),
    ]
    result = _import(
        db, {"structures.json": di_page([structure]), "services.json": di_page(services)}
    )
    assert set(_services(db)) == {"dora--garage"}
    assert _zones(db, "dora--garage") == [("23", "departement")]
    assert result.report.notes[1] == "1 service ignoré : zone d'éligibilité hors du département"


def test_search_endpoint_pages_import_like_list_pages(db):
    """``/api/v1/search/services`` items: ``{"service": {…, "structure": {…}}, "distance"}``.
    The services and their embedded structures are imported (each structure once).
    Before: the whole file was refused."""
    ccas = di_structure("dora--ccas-gueret", "CCAS de Guéret")
    mission = di_structure("dora--mission-locale", "Mission locale de la Creuse", "23176")
    page = di_search_page(
        [
            (
                di_service("dora--garage", ccas["id"], "Garage solidaire", zone_eligibilite=["23"]),
                ccas,
                120,
            ),
            (
                di_service("dora--permis", ccas["id"], "Permis accompagné", zone_eligibilite=None),
                ccas,
                120,
            ),
            (
                di_service(
                    "dora--creche", mission["id"], "Crèche", ("famille--garde-denfants",), ["23176"]
                ),
                mission,
                None,
            ),
        ]
    )
    result = _import(db, {"search-page-1.json": page})
    assert result.status == "success" and result.report.rows_rejected == 0
    assert _services(db) == {
        "dora--garage": ("CCAS de Guéret", True),
        "dora--permis": ("CCAS de Guéret", True),
        "dora--creche": ("Mission locale de la Creuse", True),
    }
    assert result.report.notes[0].startswith("2 structures retenues, dont 0 de l'IAE ; 3 services")


def test_services_imported_before_their_structures_get_their_name(db):
    """Services first (their structure lives in another département, so it is kept only
    because services wait for it), structures later: linked and named; undoing the
    structures' import unlinks them again."""
    services = [
        di_service(
            "dora--garage", "dora--ccas-limoges", "Garage solidaire", zone_eligibilite=["23"]
        ),
        di_service(
            "dora--ecoute",
            "dora--ccas-limoges",
            "Écoute",
            ("sante--constituer-un-dossier-mdph-invalidite",),
            ["23"],
        ),
    ]
    _import(db, {"services.json": di_page(services)})
    assert _services(db) == {"dora--garage": (None, False), "dora--ecoute": (None, False)}
    structures = [
        di_structure("dora--ccas-limoges", "CCAS de Limoges", "87085"),
        di_structure("dora--autre", "Structure hors département", "87085"),
    ]
    result = _import(db, {"structures.json": di_page(structures)})
    assert _services(db) == {
        "dora--garage": ("CCAS de Limoges", True),
        "dora--ecoute": ("CCAS de Limoges", True),
    }
    assert result.report.notes[1].startswith("1 structure ignorée")
    undo_run(db.engine, result.run_id)
    assert _services(db) == {"dora--garage": (None, False), "dora--ecoute": (None, False)}
