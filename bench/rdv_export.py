"""RDV-Insertion users exports as the tool writes them, at any size, for speed measurements.

``;`` separators, a UTF-8 BOM, ``dd/mm/YYYY`` dates and the French headers of the users export
(``Exporters::GenerateUsersCsv`` in RDV-Insertion). The tests build their small exports with the
same headers and writer (``tests/unit/rdv_export.py``); this module sits in ``bench/`` because
the measurements may not depend on the tests.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections.abc import Sequence

USER_HEADERS = (
    "Civilité",
    "Nom",
    "Prénom",
    "Numéro CAF",
    "ID interne au département",
    "Numéro de sécurité sociale",
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
    "Date d'orientation",
    "Type d'orientation",
    "Date de début d'accompagnement",
    "Date de fin d'accompagnement",
    "Structure d'orientation",
    "Référent(s)",
    "Nombre d'organisations",
    "Nom des organisations",
    "Tags",
    "Archivé le",
    "Motif d'archivage",
)


def fr(day: dt.date | None) -> str:
    """dd/mm/YYYY as RDV-Insertion writes dates; empty cell for None."""
    return day.strftime("%d/%m/%Y") if day else ""


def user_row(**values: str) -> dict[str, str]:
    """One users-export row: every header present, the given values set."""
    row = dict.fromkeys(USER_HEADERS, "")
    row.update(values)
    return row


def to_csv(
    headers: Sequence[str],
    rows: Sequence[dict[str, str]],
    sep: str = ";",
    bom: bool = True,
    trailing_empty_lines: int = 0,
) -> str:
    """CSV text as RDV-Insertion writes it (BOM added when encoded, see ``encode``)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator="\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(h, "") for h in headers])
    text = out.getvalue() + "\n" * trailing_empty_lines
    return ("\ufeff" + text) if bom else text


def large_users(count: int, seed: int = 7) -> str:
    """A users export of ``count`` persons across the Creuse postal codes (bench and speed)."""
    rng = random.Random(seed)
    towns = [
        ("23000", "Guéret"),
        ("23300", "LA SOUTERRAINE"),
        ("23200", "Aubusson"),
        ("23320", "ST VAURY"),
        ("23400", "Bourganeuf"),
        ("23600", "Boussac"),
        ("23700", "Auzances"),
    ]
    statuses = ("Rendez-vous honoré", "Absence non excusée", "Annulé (excusé)", "Non déterminé")
    kinds = ("Sociale", "Professionnelle", "Socio-professionnelle")
    start = dt.date(2023, 2, 17)
    rows = []
    for i in range(count):
        entry = start + dt.timedelta(days=rng.randrange(600))
        invited = entry + dt.timedelta(days=rng.randrange(1, 30))
        rdv = invited + dt.timedelta(days=rng.randrange(3, 20))
        oriented = rdv + dt.timedelta(days=rng.randrange(0, 30)) if rng.random() < 0.7 else None
        postal_code, town = towns[i % len(towns)]
        rows.append(
            user_row(
                **{
                    "Nom": f"Nom{i}",
                    "Prénom": f"Prénom{i}",
                    "Email": f"personne{i}@example.org",
                    "ID interne au département": f"D{i:07d}",
                    "CP": postal_code,
                    "Ville": town,
                    "Date d'entrée flux": fr(entry),
                    "Date de création": fr(entry),
                    "Rôle": "demandeur",
                    "Première invitation envoyée le": fr(invited),
                    "Dernière invitation envoyée le": fr(invited),
                    "Date du dernier RDV": fr(rdv),
                    "Motif du dernier RDV": "RSA orientation",
                    "Statut du rdv": statuses[i % len(statuses)],
                    "Date d'orientation": fr(oriented),
                    "Type d'orientation": kinds[i % 3] if oriented else "",
                }
            )
        )
    return to_csv(USER_HEADERS, rows)
