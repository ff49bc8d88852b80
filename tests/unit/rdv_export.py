"""Builders of RDV-Insertion exports exactly as the tool writes them, for the tests.

The users export's headers and CSV writing live in ``bench/rdv_export.py`` (the speed
measurement builds large exports with them and may not depend on the tests).

``;`` separators, a UTF-8 BOM, ``dd/mm/YYYY`` dates, the French headers of the users export
(``Exporters::GenerateUsersCsv``) and of the per-appointment export, with fake names, e-mails,
phones and addresses that the tests then look for in the database (they must not be there).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

from bench.rdv_export import USER_HEADERS, fr, to_csv, user_row

# The tests import the whole format from here.
__all__ = [
    "APPOINTMENT_HEADERS",
    "SECRET_VALUES",
    "USER_HEADERS",
    "appointment_rows",
    "fr",
    "realistic_users",
    "to_csv",
    "to_xlsx",
    "user_row",
]

APPOINTMENT_HEADERS = (
    "Date du RDV",
    "Heure du RDV",
    "Motif du RDV",
    "Nature du RDV",
    "RDV pris en autonomie ?",
    "Statut du rdv",
    "Référent(s)",
    "Organisation du rendez-vous",
    "Civilité",
    "Nom",
    "Prénom",
    "Numéro CAF",
    "ID interne au département",
    "Numéro de sécurité sociale",
    "ID France Travail",
    "Email",
    "Adresse",
    "Téléphone",
    "Date de naissance",
    "Date de création",
    "Date d'entrée flux",
    "Rôle",
    "Rendez-vous prescrit ?",
    "Prénom du prescripteur",
    "Nom du prescripteur",
    "Mail du prescripteur",
    "Tags",
)

# Personal values that must never reach the database, the logs or a message.
SECRET_VALUES = (
    "Dupont-Secret",
    "Amélie",
    "amelie.dupont-secret@example.org",
    "06 12 34 56 78",
    "12 rue des Acacias Cachées",
    "Lefèvre-Caché",
    "jérôme.lefevre-cache@example.org",
    "referente.cachee@creuse.fr",
    "1 85 03 23 096 123 45",
    "Martin-Fictif",
)


def to_xlsx(headers: Sequence[str], rows: Sequence[dict[str, str]]) -> bytes:
    """The same table as an .xlsx workbook, dates as real spreadsheet dates like Excel does."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append([h.upper() if i % 5 == 0 else h for i, h in enumerate(headers)])
    for row in rows:
        cells: list[object] = []
        for h in headers:
            value = row.get(h, "")
            try:
                cells.append(dt.datetime.strptime(value, "%d/%m/%Y"))
            except ValueError:
                cells.append(int(value) if value.isdigit() and h == "CP" else value)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def realistic_users() -> list[dict[str, str]]:
    """Seven rows, six persons, with every case the importer must handle.

    - P1 (dep. id D001): Guéret, flux 02/01/2024, invited 05/01 and 20/01, convened 25/01,
      last RDV 30/01 « RSA orientation » honoured, oriented 15/02 « Sociale » by the CD,
      accompanied from 01/03/2024 by a referent.
    - P2 (dep. id D002): « ST VAURY » (Saint-Vaury), no flux date: T0 = creation 10/01/2024;
      convened 12/01, noshow 20/01 (« Absence non excusée »), archived 30/06/2024 → exit.
    - P3 (CAF 1234567 + demandeur, no dep. id): « LA SOUTERRAINE », flux 01/02/2024,
      oriented 10/03 « Professionnelle » to France Travail.
    - P3's conjoint (CAF 1234567 + conjoint): another person, « Socio-professionnelle ».
    - P4 (D004) appears on two rows (two organisations), second row invites later (10/03).
    - P5 (D005): unknown town « Atlantis » 23000 → imported without commune, warned.
    """
    return [
        user_row(
            **{
                "Civilité": "Madame",
                "Nom": "Dupont-Secret",
                "Prénom": "Amélie",
                "Numéro CAF": "7654321",
                "ID interne au département": "D001",
                "Numéro de sécurité sociale": "1 85 03 23 096 123 45",
                "Email": "amelie.dupont-secret@example.org",
                "Adresse": "12 rue des Acacias Cachées",
                "CP": "23000",
                "Ville": "Guéret",
                "Téléphone": "06 12 34 56 78",
                "Date de naissance": "14/07/1985",
                "Date de création": "03/01/2024",
                "Date d'entrée flux": "02/01/2024",
                "Rôle": "demandeur",
                "Première invitation envoyée le": "05/01/2024",
                "Dernière invitation envoyée le": "20/01/2024",
                "Dernière convocation envoyée le": "25/01/2024",
                "Date du dernier RDV": "30/01/2024",
                "Heure du dernier RDV": " 9h30",
                "Motif du dernier RDV": "RSA orientation : rendez-vous sur site",
                "Nature du dernier RDV": "individuel",
                "Dernier RDV pris en autonomie ?": "non",
                "Statut du rdv": "Rendez-vous honoré",
                "Date d'orientation": "15/02/2024",
                "Type d'orientation": "Sociale",
                "Structure d'orientation": "UTAS de Guéret",
                "Date de début d'accompagnement": "01/03/2024",
                "Référent(s)": "referente.cachee@creuse.fr",
                "Nombre d'organisations": "1",
                "Nom des organisations": "CD 23 - Guéret",
            }
        ),
        user_row(
            **{
                "Civilité": "Monsieur",
                "Nom": "Lefèvre-Caché",
                "Prénom": "Jérôme",
                "ID interne au département": "D002",
                "Email": "jérôme.lefevre-cache@example.org",
                "CP": "23320",
                "Ville": "ST VAURY",
                "Date de création": "10/01/2024",
                "Rôle": "demandeur",
                "Dernière convocation envoyée le": "12/01/2024",
                "Date du dernier RDV": "20/01/2024",
                "Motif du dernier RDV": "RSA orientation",
                "Statut du rdv": "Absence non excusée",
                "Archivé le": "30/06/2024",
                "Motif d'archivage": "Déménagement",
            }
        ),
        user_row(
            **{
                "Civilité": "Madame",
                "Nom": "Martin-Fictif",
                "Numéro CAF": "1234567",
                "CP": "23300",
                "Ville": "LA SOUTERRAINE",
                "Date d'entrée flux": "01/02/2024",
                "Date de création": "02/02/2024",
                "Rôle": "demandeur",
                "Date d'orientation": "10/03/2024",
                "Type d'orientation": "Professionnelle",
                "Structure d'orientation": "France Travail La Souterraine",
            }
        ),
        user_row(
            **{
                "Civilité": "Monsieur",
                "Nom": "Martin-Fictif",
                "Numéro CAF": "1234567",
                "CP": "23300",
                "Ville": "La Souterraine",
                "Date d'entrée flux": "01/02/2024",
                "Rôle": "conjoint",
                "Date d'orientation": "12/03/2024",
                "Type d'orientation": "Socio-professionnelle",
            }
        ),
        user_row(
            **{
                "ID interne au département": "D004",
                "CP": "23200",
                "Ville": "Aubusson",
                "Date d'entrée flux": "15/02/2024",
                "Rôle": "demandeur",
                "Première invitation envoyée le": "20/02/2024",
                "Dernière invitation envoyée le": "20/02/2024",
                "Nombre d'organisations": "2",
                "Nom des organisations": "CD 23 - Aubusson, France Travail Aubusson",
            }
        ),
        user_row(
            **{
                "ID interne au département": "D004",
                "CP": "23200",
                "Ville": "Aubusson",
                "Date d'entrée flux": "15/02/2024",
                "Rôle": "demandeur",
                "Première invitation envoyée le": "20/02/2024",
                "Dernière invitation envoyée le": "10/03/2024",
                "Nombre d'organisations": "2",
                "Nom des organisations": "CD 23 - Aubusson, France Travail Aubusson",
            }
        ),
        user_row(
            **{
                "ID interne au département": "D005",
                "CP": "23000",
                "Ville": "Atlantis",
                "Date d'entrée flux": "01/03/2024",
                "Rôle": "demandeur",
            }
        ),
    ]


def appointment_rows() -> list[dict[str, str]]:
    """Two appointments of P1 (D001) and one of a person absent from the users export (D009)."""
    base = {
        "Nom": "Dupont-Secret",
        "Prénom": "Amélie",
        "Email": "amelie.dupont-secret@example.org",
        "ID interne au département": "D001",
        "Date d'entrée flux": "02/01/2024",
        "Rôle": "demandeur",
        "Référent(s)": "referente.cachee@creuse.fr",
    }
    return [
        {
            **base,
            "Date du RDV": "30/01/2024",
            "Motif du RDV": "RSA orientation : rendez-vous sur site",
            "RDV pris en autonomie ?": "non",
            "Statut du rdv": "Rendez-vous honoré",
            "Organisation du rendez-vous": "CD 23 - Guéret",
        },
        {
            **base,
            "Date du RDV": "15/03/2024",
            "Motif du RDV": "RSA suivi : accompagnement",
            "RDV pris en autonomie ?": "oui",
            "Statut du rdv": "Annulé (excusé)",
            "Organisation du rendez-vous": "CD 23 - Guéret",
        },
        {
            "ID interne au département": "D009",
            "Date d'entrée flux": "01/04/2024",
            "Rôle": "demandeur",
            "Date du RDV": "10/04/2024",
            "Motif du RDV": "RSA orientation",
            "Statut du rdv": "Non déterminé",
        },
    ]
