"""data·inclusion imports (JSON and CSV) and the bundle's services.csv, on both engines.

The fixtures are small exports written the way data·inclusion and DORA publish them: JSON
objects with list fields as arrays, CSV with ``;`` and list fields as JSON arrays or ``|``.
Each holds valid services in Creuse (one per kind of zone), services elsewhere (skipped, with
their zone in the report) and invalid records (rejected, with their reason).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from data_access.exceptions import ImportValidationError
from data_access.importers.bundle import BundleImporter
from data_access.importers.data_inclusion import (
    IAE_NETWORKS,
    DataInclusionImporter,
    zone_kind,
)
from data_access.importers.pipeline import run_import
from data_access.importers.undo import undo_run
from data_access.schema import (
    PartnerService,
    PartnerStructure,
    ServiceThematique,
    ServiceZone,
)
from metrics import coverage
from metrics.scope import Scope
from metrics.spec import MetricContext


def structure(id_: str, nom: str, **extra: object) -> dict:
    return {"source": "dora", "id": id_, "nom": nom, "date_maj": "2024-05-02", **extra}


def service(id_: str, structure_id: str, nom: str, **extra: object) -> dict:
    return {
        "source": "dora",
        "id": id_,
        "structure_id": structure_id,
        "nom": nom,
        "description": "Accompagnement proposé aux personnes en insertion.",
        "date_maj": "2024-05-02",
        **extra,
    }


EXPORT = {
    "structures": [
        structure(
            "dora--aci-gueret",
            "Chantier d'insertion du Grand Guéret",
            siret="12345678901234",
            code_insee="23096",
            reseaux_porteurs=["aci", "coorace"],
        ),
        structure("dora--ccas-limoges", "CCAS de Limoges", code_insee="87085"),
        structure("dora--caf-23", "CAF de la Creuse", code_insee="23096", reseaux_porteurs=["caf"]),
        structure("dora--x", "X"),  # name too short
    ],
    "services": [
        service(
            "dora--garage",
            "dora--aci-gueret",
            "Garage solidaire",
            thematiques=[
                "mobilite--entretenir-reparer-son-vehicule",
                "mobilite--acceder-a-un-vehicule",
            ],
            modes_accueil=["en-presentiel"],
            zone_eligibilite=["200034825"],
        ),
        service(
            "dora--permanence",
            "dora--caf-23",
            "Permanence d'accès aux droits",
            thematiques=[
                "difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits",
                "numerique--acceder-a-des-services-en-ligne",
            ],
            modes_accueil=["en-presentiel", "a-distance"],
            zone_eligibilite=["23096"],
        ),
        service(
            "dora--ecoute",
            "dora--caf-23",
            "Écoute parentale",
            thematiques=["famille--soutien-a-la-parentalite-et-a-leducation"],
            modes_accueil=["a-distance"],
            zone_eligibilite=["23"],
        ),
        service(
            "dora--national",
            "dora--ccas-limoges",
            "Ligne d'écoute santé",
            thematiques=["sante--sante-mentale"],
            zone_eligibilite=["france"],
        ),
        service(
            "dora--epicerie",
            "dora--ccas-limoges",
            "Épicerie sociale",
            thematiques=["equipement-et-alimentation--alimentation"],
            zone_eligibilite=["87085", "87"],
        ),
        service(
            "dora--faux",
            "dora--aci-gueret",
            "Permis accompagné",
            date_maj="2024-13-02",
            thematiques=["mobilite--permis"],
            zone_eligibilite=["23", "ABCDEFGHIJ"],
        ),
    ],
}

JSON_ERRORS = [
    "export.json, structure n° 4, champ nom : texte trop court (au moins 3 caractères)",
    "export.json, service n° 6, champ date_maj : date invalide (format AAAA-MM-JJ attendu)",
    "export.json, service n° 6, champ thematiques : thématique inconnue",
    "export.json, service n° 6, champ zone_eligibilite : code de zone invalide",
]


def json_importer(db) -> DataInclusionImporter:
    data = json.dumps(EXPORT, ensure_ascii=False, indent=2).encode("utf-8")
    return DataInclusionImporter({"export.json": data}, db.settings)


def count(engine, model) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model)).scalar_one()


def test_iae_networks_are_values_of_the_schema() -> None:
    from data_inclusion.schema import v1

    assert {r.value for r in v1.ReseauPorteur} >= IAE_NETWORKS


def test_zone_kinds() -> None:
    assert zone_kind("23096") == "commune"
    assert zone_kind("200034825") == "epci"
    assert zone_kind("23") == "departement"
    assert zone_kind("2A") == "departement"
    assert zone_kind("france") == "france"
    assert zone_kind("99100") == "france"
    assert zone_kind("99134") is None  # a foreign country


def test_json_with_invalid_records_is_refused_whole(db) -> None:
    with pytest.raises(ImportValidationError) as caught:
        run_import(db.engine, json_importer(db))
    assert [e.describe() for e in caught.value.errors] == JSON_ERRORS
    assert str(caught.value) == "Import refusé : 4 erreurs sur 2 lignes ; rien n'a été écrit."
    assert count(db.engine, PartnerService) == 0
    assert count(db.engine, PartnerStructure) == 0


def test_json_import_keeps_the_departement_and_reports_the_rest(db) -> None:
    result = run_import(db.engine, json_importer(db), skip_invalid=True)
    report = result.report
    assert result.status == "partial"
    assert [e.describe() for e in report.errors] == JSON_ERRORS
    assert report.notes == [
        "3 structures retenues, dont 1 de l'IAE ; 4 services retenus : 4 nouveaux, 0 modifié, "
        "0 inchangé",
        "1 service ignoré : zone d'éligibilité hors du département",
        "  export.json, service n° 5 : service hors du département (zone : 87085, 87)",
    ]
    file_report = report.files[0]
    assert (file_report.rows_read, file_report.rows_rejected) == (10, 2)
    assert (file_report.rows_inserted, file_report.rows_written) == (7, 7)

    with db.engine.connect() as conn:
        structures = {
            row.source_id: row for row in conn.execute(select(PartnerStructure.__table__))
        }
        # The Limoges CCAS carries a kept national service, so it is kept too.
        assert set(structures) == {"dora--aci-gueret", "dora--caf-23", "dora--ccas-limoges"}
        assert structures["dora--aci-gueret"].is_iae
        assert structures["dora--aci-gueret"].reseaux_porteurs == "aci|coorace"
        assert not structures["dora--caf-23"].is_iae
        services = {row.service_id: row for row in conn.execute(select(PartnerService.__table__))}
        assert set(services) == {
            "dora--garage",
            "dora--permanence",
            "dora--ecoute",
            "dora--national",
        }
        assert services["dora--garage"].structure_name == "Chantier d'insertion du Grand Guéret"
        assert services["dora--permanence"].modes_accueil == "a-distance|en-presentiel"
        zones = set(conn.execute(select(ServiceZone.zone_code, ServiceZone.zone_kind)).all())
        assert zones == {
            ("200034825", "epci"),
            ("23096", "commune"),
            ("23", "departement"),
            ("france", "france"),
        }
        categories = conn.execute(
            select(ServiceThematique.category, func.count())
            .group_by(ServiceThematique.category)
            .order_by(ServiceThematique.category)
        ).all()
    # The garage's two mobilité thématiques are two rows of one category.
    assert dict(categories) == {
        "difficultes-administratives-ou-juridiques": 1,
        "famille": 1,
        "mobilite": 2,
        "numerique": 1,
        "sante": 1,
    }


def test_reimport_changes_nothing_and_undo_removes_the_run(db) -> None:
    first = run_import(db.engine, json_importer(db), skip_invalid=True)
    second = run_import(db.engine, json_importer(db), skip_invalid=True)
    assert second.report.rows_written == 0
    assert second.report.files[0].rows_unchanged == 7
    assert count(db.engine, ServiceThematique) == 6
    undo_run(db.engine, second.run_id)
    undo_run(db.engine, first.run_id)
    assert count(db.engine, PartnerService) == 0
    assert count(db.engine, ServiceZone) == 0
    assert count(db.engine, ServiceThematique) == 0


CSV_EXPORT = (
    "id;source;structure_id;nom;description;date_maj;thematiques;modes_accueil;"
    "zone_eligibilite;courriel\n"
    "dora--creche;dora;dora--aci;Crèche à vocation d'insertion;Places de crèche.;2024-04-01;"
    '"[""famille--garde-denfants""]";"[""en-presentiel""]";"[""23176""]";\n'
    "dora--visio;dora;dora--aci;Permanence numérique;Aide en ligne.;2024-04-01;"
    "numerique--acceder-a-des-services-en-ligne|numerique--acquerir-un-equipement;a-distance;"
    "france;contact@example.org\n"
    "dora--paris;dora;dora--x;Service parisien;Service à Paris.;2024-04-01;"
    "sante--acces-aux-soins;;75056;\n"
    "dora--bad;dora;dora--aci;Ok;Courte;2024-04-01;famille--garde-denfants;en-voiture;23;"
    "pas-un-courriel\n"
)


def test_csv_export(db) -> None:
    importer = DataInclusionImporter({"services.csv": CSV_EXPORT.encode("cp1252")}, db.settings)
    with pytest.raises(ImportValidationError) as caught:
        run_import(db.engine, importer)
    assert [e.describe() for e in caught.value.errors] == [
        "services.csv, ligne 5, champ nom : texte trop court (au moins 3 caractères)",
        "services.csv, ligne 5, champ courriel : adresse électronique invalide",
        "services.csv, ligne 5, champ modes_accueil : valeur inconnue",
    ]
    result = run_import(db.engine, importer, skip_invalid=True)
    assert result.report.notes[1:] == [
        "1 service ignoré : zone d'éligibilité hors du département",
        "  services.csv, ligne 4 : service hors du département (zone : 75056)",
    ]
    with db.engine.connect() as conn:
        rows = dict(
            conn.execute(select(PartnerService.service_id, PartnerService.modes_accueil)).all()
        )
        assert rows == {"dora--creche": "en-presentiel", "dora--visio": "a-distance"}
        zones = set(conn.execute(select(ServiceZone.zone_code, ServiceZone.zone_kind)).all())
    assert zones == {("23176", "commune"), ("france", "france")}


def test_unreadable_json_names_the_file(db) -> None:
    importer = DataInclusionImporter({"export.json": b'{"services": [}'}, db.settings)
    with pytest.raises(ImportValidationError) as caught:
        run_import(db.engine, importer)
    assert [e.describe() for e in caught.value.errors] == [
        "export.json : JSON invalide (ligne 1, colonne 15)."
    ]


# --- the bundle's services.csv, with Carnet de Bord themes in needs.csv ----------------------

BENEFICIARIES = "person_id,entry_date,commune_code,payer,subject_to_obligations\n" + "".join(
    f"P{i},2023-03-01,{'23096' if i < 12 else '23176'},caf,oui\n" for i in range(24)
)
# Guéret's 12 persons have « contraintes_familiales » (→ famille), La Souterraine's 12 have
# « maitrise_langue » (→ lecture-ecriture-calcul), all identified before the as-of date.
NEEDS = "person_id;category;identified_date\n" + "".join(
    f"P{i};{'contraintes_familiales' if i < 12 else 'maitrise_langue'};15/01/2024\n"
    for i in range(24)
)
SERVICES = (
    "service_id,name,structure_name,thematiques,zone_eligibilite,modes_accueil,capacity,"
    "start_date,end_date\n"
    "S-creche,Crèche d'insertion,Association Petite Enfance,famille--garde-denfants|famille,"
    "200034825,en-presentiel,10,2023-01-01,\n"
    "S-fle,Atelier sociolinguistique,Centre social,lecture-ecriture-calcul--maitriser-le-francais,"
    "23,a-distance,,,2024-03-31\n"
    "S-hors,Service limousin,CCAS,sante,87085,,,,\n"
    "S-faux,Service faux,X,cuisine,23,,-3,2024-05-01,2024-04-01\n"
)


def test_bundle_services_and_carnet_de_bord_needs(db) -> None:
    files = {
        "beneficiaries.csv": BENEFICIARIES.encode(),
        "needs.csv": NEEDS.encode(),
        "services.csv": SERVICES.encode(),
    }
    with pytest.raises(ImportValidationError) as caught:
        run_import(db.engine, BundleImporter(files, "lot", db.settings))
    assert [e.describe() for e in caught.value.errors] == [
        "services.csv, ligne 5, champ thematiques : thématique inconnue (liste data·inclusion)",
        "services.csv, ligne 5, champ capacity : capacité négative",
    ]
    result = run_import(db.engine, BundleImporter(files, "lot", db.settings), skip_invalid=True)
    assert (
        "  services.csv, ligne 4 : service hors du département (zone : 87085)"
        in result.report.notes
    )
    scope = Scope.build(dt.date(2024, 1, 1), dt.date(2024, 3, 31))
    results = coverage.compute(MetricContext(db.engine, db.settings, scope))
    # Carnet de Bord's « contraintes_familiales » is the famille category: the crèche (EPCI of
    # Grand Guéret) covers the 12 persons of Guéret.
    assert results["coverage_rate_famille"].value == 1.0
    assert results["coverage_rate_famille"].denominator == 12
    assert results["capacity_per_need_famille"].value == pytest.approx(10 / 12)
    # « maitrise_langue » → lecture-ecriture-calcul, covered département-wide, remote only.
    assert results["coverage_rate_lecture-ecriture-calcul"].value == 1.0
    assert results["in_person_coverage_lecture-ecriture-calcul"].value == 0.0

    # After the workshop ended (31 March 2024) La Souterraine is a white zone.
    later = Scope.build(dt.date(2024, 4, 1), dt.date(2024, 4, 30))
    results = coverage.compute(MetricContext(db.engine, db.settings, later))
    assert results["coverage_rate_lecture-ecriture-calcul"].value == 0.0
    assert results["white_zone_communes_lecture-ecriture-calcul"].value == 1


# --- the command ------------------------------------------------------------------------------


def test_command_refuses_then_imports_with_a_clear_report(run_cli, tmp_path) -> None:
    path = tmp_path / "export.json"
    path.write_text(json.dumps(EXPORT, ensure_ascii=False), encoding="utf-8")
    code, out, err = run_cli("import", "data-inclusion", str(path))
    assert code == 1
    assert err.splitlines() == [
        "Erreur : Import refusé : 4 erreurs sur 2 lignes ; rien n'a été écrit.",
        *JSON_ERRORS,
    ]
    code, out, err = run_cli("import", "data-inclusion", str(path), "--skip-invalid")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == (
        "Import n° 1 avec des lignes rejetées (export.json) : 10 lignes lues, 7 écrites, "
        "2 rejetées."
    )
    # Rejected records are listed once, by describe_result (capped at 20 lines).
    assert lines.count("Lignes rejetées :") == 1 and "Enregistrements rejetés :" not in lines
    assert all(lines.count(f"  {error}") == 1 for error in JSON_ERRORS)
    assert (
        "    export.json, service n° 5 : service hors du département (zone : 87085, 87)"
    ) in lines


def test_command_names_a_missing_file(run_cli, tmp_path) -> None:
    code, _, err = run_cli("import", "data-inclusion", str(tmp_path / "absent.json"))
    assert code == 1
    assert err.startswith("Erreur : Fichier illisible : ")


# --- reading shapes ---------------------------------------------------------------------------


def test_list_fields_as_exports_write_them() -> None:
    from data_access.importers.data_inclusion import split_list

    expected = ["famille--garde-denfants", "mobilite--preparer-un-permis"]
    for text in (
        '["famille--garde-denfants", "mobilite--preparer-un-permis"]',
        "['famille--garde-denfants', 'mobilite--preparer-un-permis']",
        "{famille--garde-denfants,mobilite--preparer-un-permis}",
        "famille--garde-denfants|mobilite--preparer-un-permis",
        "famille--garde-denfants, mobilite--preparer-un-permis",
    ):
        assert split_list(text) == expected, text
    assert split_list("") is None


def test_json_shapes() -> None:
    from data_access.importers.data_inclusion import read_json_records

    item = service("dora--a", "dora--s", "Garage solidaire")
    paginated = read_json_records("api.json", json.dumps({"items": [item], "total": 1}))
    plain = read_json_records("list.json", json.dumps([structure("dora--s", "Structure"), item]))
    assert [(r.kind, r.number) for r in paginated] == [("service", 1)]
    assert [(r.kind, r.number) for r in plain] == [("structure", 1), ("service", 2)]


def test_long_lists_of_skipped_services_are_summarised() -> None:
    from data_access.importers.data_inclusion import OfferBatch, SkippedService

    batch = OfferBatch(
        skipped=[SkippedService(f"f.json, service n° {i}", f"s{i}", ("75056",)) for i in range(53)]
    )
    notes = batch.notes()
    assert notes[0] == "53 services ignorés : zone d'éligibilité hors du département"
    assert len(notes) == 1 + 50 + 1
    assert notes[-1] == "  … et 3 autres"
