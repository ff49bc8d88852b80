"""RDV-Insertion and data·inclusion files shaped exactly as the upstream code writes them.

Sources (read at these commits; nothing of their code is copied, only the file shapes):

- gip-inclusion/rdv-insertion @ 6713dfafd0b96aa2d86816e35c98e498ba36cc93
  - app/services/exporters/csv.rb: ``;`` separator, UTF-8, a BOM prepended, header row.
  - app/services/exporters/generate_users_csv.rb: the users export. Its header list, in order;
    « Statut de la catégorie de motifs » only when the export is restricted to one motif
    category; « Archivé le » and « Motif d'archivage » only at organisation level (never in a
    département-level export); dates ``%d/%m/%Y``, times ``%kh%M`` (hour space-padded);
    « Date d'orientation » = the first honoured orientation appointment of the person in the
    département, ever; « Type d'orientation » = the name of the orientation type active
    today (a département may define its own names, e.g. « Remobilisation renforcée » in
    spec/services/exporters/generate_users_csv_spec.rb); « Date de début / fin
    d'accompagnement » = that orientation's start and end; the 30/15-day flags are « Oui »,
    « Non » or « Non calculable »; « Dernier RDV pris en autonomie ? » « Oui »/« Non »
    (config/locales/fr.yml ``boolean``); « Nombre d'organisations » = all the person's
    organisations.
  - app/services/exporters/generate_users_participations_csv.rb: one row per participation,
    most recent first, with « RDV pris en autonomie ? » and « RDV pris le » (the
    participation's creation date).
  - app/models/concerns/rdv_participation_status.rb and config/locales/models/rdv.fr.yml:
    statuses « Rendez-vous honoré », « Annulé (excusé) », « Annulé (par le service) »,
    « Absence non excusée », « RDV à venir », « Statut du RDV à préciser ».
  - config/locales/models/user.fr.yml, archive.fr.yml, follow_up.fr.yml: column names;
    spec/factories/motif.rb: motif « RSA orientation sur site ».
- gip-inclusion/data-inclusion @ d4969e37319c7c43732fb84e77bf8a030321f781
  - api/src/data_inclusion/api/inclusion_data/schemas.py: ``ServiceSearchResult`` =
    ``{"service": DetailedService, "distance": int | None}``, ``DetailedService`` = a service
    with its ``structure`` embedded; api/src/data_inclusion/api/utils/pagination.py: pages
    ``{"items", "total", "page", "size", "pages"}``.
  - api/tests/e2e/api/__snapshots__/test_inclusion_data.ambr: the field set of a listed
    service (``"zone_eligibilite": null``) and of a listed structure.
  - api/src/data_inclusion/api/inclusion_data/services.py (``search_services_query``): a
    service whose ``zone_eligibilite`` is NULL matches every commune.

Names, e-mails, phones and addresses are invented; the tests check none reaches the database.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Sequence
from typing import Any

# Fragments of the invented personal values: none may be found in the database.
SECRET_FIELDS = ("Fictif0", "Prénom0", "exemple.invalid", "rue des Essais", "+3361000", "FT0")
RDV_INSERTION_COMMIT = "6713dfafd0b96aa2d86816e35c98e498ba36cc93"
DATA_INCLUSION_COMMIT = "d4969e37319c7c43732fb84e77bf8a030321f781"

FOLLOW_UP_STATUS = "Statut de la catégorie de motifs"
WITHIN_30 = "Rendez-vous d'orientation (RSA) honoré en - moins de 30 jours?"
WITHIN_15 = "Rendez-vous d'orientation (RSA) honoré en - moins de 15 jours?"
ARCHIVED = "Archivé le"
ARCHIVE_REASON = "Motif d'archivage"

_USERS_HEAD = (
    "Civilité",
    "Nom",
    "Prénom",
    "Numéro CAF",
    "ID interne au département",
    "ID France Travail",
    "Email",
    "Adresse",
    "CP",
    "Ville",
    "Téléphone",
    "Date de naissance",
    "Date de création",
    "Date d'entrée flux",
    "Rôle",
    "Première invitation envoyée le",
    "Dernière invitation envoyée le",
    "Dernière convocation envoyée le",
    "Date du dernier RDV",
    "Heure du dernier RDV",
    "Motif du dernier RDV",
    "Nature du dernier RDV",
    "Dernier RDV pris en autonomie ?",
    "Dernier RDV pris le",
    "Statut du rdv",
)
_USERS_TAIL = (
    WITHIN_30,
    WITHIN_15,
    "Date d'orientation",
    "Type d'orientation",
    "Date de début d'accompagnement",
    "Date de fin d'accompagnement",
    "Structure d'orientation",
    "Référent(s)",
    "Nombre d'organisations",
    "Nom des organisations",
    "Tags",
)

PARTICIPATION_HEADERS = (
    "Date du RDV",
    "Heure du RDV",
    "Motif du RDV",
    "Nature du RDV",
    "RDV pris en autonomie ?",
    "RDV pris le",
    "Statut du rdv",
    "Référent(s)",
    "Organisation du rendez-vous",
    "Civilité",
    "Nom",
    "Prénom",
    "Numéro CAF",
    "ID interne au département",
    "ID France Travail",
    "Email",
    "Adresse",
    "CP",
    "Ville",
    "Téléphone",
    "Date de naissance",
    "Date de création",
    "Date d'entrée flux",
    "Rôle",
    "Rendez-vous prescrit ? (interne)",
    "Prénom du prescripteur (interne)",
    "Nom du prescripteur (interne)",
    "Mail du prescripteur (interne)",
    "Tags",
)

# Person columns the participations export repeats from the user.
_USER_FIELDS = (
    "Civilité",
    "Nom",
    "Prénom",
    "Numéro CAF",
    "ID interne au département",
    "ID France Travail",
    "Email",
    "Adresse",
    "CP",
    "Ville",
    "Téléphone",
    "Date de naissance",
    "Date de création",
    "Date d'entrée flux",
    "Rôle",
    "Référent(s)",
    "Tags",
)

SEEN = "Rendez-vous honoré"
NOSHOW = "Absence non excusée"
EXCUSED = "Annulé (excusé)"
REVOKED = "Annulé (par le service)"
PENDING = "RDV à venir"
ORIENTATION_MOTIF = "RSA orientation sur site"
FOLLOW_UP_MOTIF = "RSA accompagnement"


def users_headers(motif_category: bool = True, department_level: bool = False) -> tuple[str, ...]:
    """The users export's header row for one kind of export (see the module docstring)."""
    headers = [*_USERS_HEAD]
    if motif_category:
        headers.append(FOLLOW_UP_STATUS)
    headers += _USERS_TAIL
    if not department_level:
        headers += [ARCHIVED, ARCHIVE_REASON]
    return tuple(headers)


def fr(day: dt.date | None) -> str:
    """``%d/%m/%Y``, empty for None."""
    return day.strftime("%d/%m/%Y") if day else ""


def hour(hours: int, minutes: int = 0) -> str:
    """``%kh%M``: the hour space-padded to two characters (« 9h30 » is written « 9h30 »
    with a leading space)."""
    return f"{hours:>2}h{minutes:02d}"


def identity(number: int, **values: str) -> dict[str, str]:
    """Invented personal columns of person ``number`` (name, contacts, birth date, place)."""
    town = (("23000", "Guéret"), ("23200", "Aubusson"), ("23300", "La Souterraine"))[number % 3]
    row = {
        "Civilité": "madame" if number % 2 else "monsieur",
        "Nom": f"Fictif{number:03d}",
        "Prénom": f"Prénom{number:03d}",
        "ID France Travail": f"FT{number:05d}",
        "Email": f"personne{number:03d}@exemple.invalid",
        "Adresse": f"{number} rue des Essais",
        "CP": town[0],
        "Ville": town[1],
        "Téléphone": f"+3361000{number:04d}",
        "Date de naissance": fr(dt.date(1970 + number % 30, 1 + number % 12, 1 + number % 28)),
        "Rôle": "demandeur",
        "Référent(s)": "",
        "Nombre d'organisations": "1",
        "Nom des organisations": "CD 23 - UTAS Guéret",
        "Tags": "",
    }
    row.update(values)
    return row


def participation(user: dict[str, str], **values: str) -> dict[str, str]:
    """A participations-export row of ``user`` (its person columns copied)."""
    row = {name: user.get(name, "") for name in _USER_FIELDS}
    row.update(
        {
            "Heure du RDV": hour(9, 30),
            "Motif du RDV": ORIENTATION_MOTIF,
            "Nature du RDV": "individuel",
            "Organisation du rendez-vous": "CD 23 - UTAS Guéret",
            "Rendez-vous prescrit ? (interne)": "non",
        }
    )
    row.update(values)
    return row


def to_csv(headers: Sequence[str], rows: Sequence[dict[str, str]]) -> bytes:
    """Ruby's CSV with ``col_sep: ";"`` (``\\n`` line ends, quotes only when needed), a BOM."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(h, "") for h in headers])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def users_export(
    rows: Sequence[dict[str, str]], motif_category: bool = True, department_level: bool = False
) -> bytes:
    """A users export file (``Export_usagers_….csv``)."""
    return to_csv(users_headers(motif_category, department_level), rows)


def participations_export(rows: Sequence[dict[str, str]]) -> bytes:
    """A participations export file (``Export_rdvs_….csv``), most recent appointment first."""
    ordered = sorted(
        rows,
        key=lambda r: dt.datetime.strptime(r["Date du RDV"], "%d/%m/%Y"),
        reverse=True,
    )
    return to_csv(PARTICIPATION_HEADERS, ordered)


# --- data·inclusion ------------------------------------------------------------------------


def di_structure(structure_id: str, name: str, code_insee: str = "23096") -> dict[str, Any]:
    """A structure as ``/api/v1/structures`` lists it (snapshot field set)."""
    return {
        "accessibilite_lieu": None,
        "adresse": "1 place Bonnyaud",
        "adresse_certifiee": False,
        "code_insee": code_insee,
        "code_postal": "23000",
        "commune": "Guéret",
        "complement_adresse": None,
        "courriel": "contact@exemple.fr",
        "date_maj": "2026-05-01",
        "description": "Structure d'essai " * 4,
        "doublons": [],
        "horaires_accueil": "Mo-Fr 09:00-17:00",
        "id": structure_id,
        "latitude": 46.17,
        "lien_source": None,
        "longitude": 1.87,
        "nom": name,
        "reseaux_porteurs": [],
        "score_qualite": 0.7,
        "siret": None,
        "site_web": None,
        "source": structure_id.split("--", 1)[0],
        "telephone": "0102030405",
    }


def di_service(
    service_id: str,
    structure_id: str,
    name: str,
    thematiques: Sequence[str] = ("mobilite--acceder-a-un-vehicule",),
    zone_eligibilite: Sequence[str] | None = None,
) -> dict[str, Any]:
    """A service as ``/api/v1/services`` lists it (snapshot field set)."""
    return {
        "adresse": "1 place Bonnyaud",
        "adresse_certifiee": False,
        "code_insee": "23096",
        "code_postal": "23000",
        "commune": "Guéret",
        "complement_adresse": None,
        "conditions_acces": None,
        "contact_nom_prenom": "Contact Fictif",
        "courriel": "service@exemple.fr",
        "date_maj": "2026-05-01",
        "description": "Service d'essai " * 4,
        "frais": "gratuit",
        "frais_precisions": None,
        "horaires_accueil": "Mo-Fr 10:00-12:00",
        "id": service_id,
        "latitude": 46.17,
        "lien_mobilisation": None,
        "lien_source": None,
        "longitude": 1.87,
        "mobilisable_par": ["usagers"],
        "mobilisation_precisions": None,
        "modes_accueil": ["en-presentiel"],
        "modes_mobilisation": ["telephoner"],
        "nom": name,
        "nombre_semaines": None,
        "publics": ["tous-publics"],
        "publics_precisions": None,
        "score_qualite": 0.5,
        "source": service_id.split("--", 1)[0],
        "structure_id": structure_id,
        "telephone": "0102030405",
        "thematiques": list(thematiques),
        "type": "accompagnement",
        "volume_horaire_hebdomadaire": None,
        "zone_eligibilite": list(zone_eligibilite) if zone_eligibilite is not None else None,
    }


def di_page(items: Sequence[dict[str, Any]], page: int = 1, size: int = 100) -> bytes:
    """One page of a paginated endpoint (``Page[T]``)."""
    total = len(items)
    payload = {
        "items": list(items),
        "total": total,
        "page": page,
        "size": size,
        "pages": max(1, -(-total // size)),
    }
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


def di_search_page(results: Sequence[tuple[dict, dict, int | None]]) -> bytes:
    """A page of ``/api/v1/search/services``: (service, its structure, distance) each."""
    items = [
        {"service": {**service, "structure": structure}, "distance": distance}
        for service, structure, distance in results
    ]
    return di_page(items)
