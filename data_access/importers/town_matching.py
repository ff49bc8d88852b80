"""Postal code + town name → INSEE code of a commune, as agents really type them.

Exports of the tools carry a postal code and a town name written by hand: « ST VAURY »,
« La Souterraine », « SAINT-LEGER-LE-GUERETOIS », « Guéret Cedex ». The postal code table names
communes without their article (« Souterraine ») and with accents and hyphens. Both sides are
reduced to the same key (upper case, no accent, no hyphen or apostrophe, no leading article,
« ST » read as « SAINT ») before they are compared.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import Connection, select

from data_access.schema import Commune, PostalCode

_SEPARATORS = re.compile(r"[\s\-'’‘`´.,_/()]+")
_ABBREVIATIONS = {"ST": "SAINT", "STE": "SAINTE", "STS": "SAINTS", "STES": "SAINTES"}
_ARTICLES = {"LE", "LA", "LES", "L"}
_NOISE = {"CEDEX"}
_POSTAL = re.compile(r"^\d{5}$")
_ADDRESS_TAIL = re.compile(r"(\d{5})\s+([^\d,;]+?)\s*$")


def town_key(name: str) -> str:
    """The comparison key of a town name.

    Accents, case, hyphens, apostrophes, a leading article, « CEDEX » and trailing numbers
    are ignored; « ST »/« STE » become « SAINT »/« SAINTE ».
    """
    text = unicodedata.normalize("NFKD", name.replace("œ", "oe").replace("Œ", "OE"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).upper()
    words = [w for w in _SEPARATORS.split(text) if w]
    words = [_ABBREVIATIONS.get(w, w) for w in words if w not in _NOISE and not w.isdigit()]
    if len(words) > 1 and words[0] in _ARTICLES:
        words = words[1:]
    return " ".join(words)


def normalise_postal_code(value: str) -> str | None:
    """« 23000 », « 23 000 », « 23000.0 » (a spreadsheet number) → « 23000 »; else None."""
    text = value.strip()
    if text.endswith(".0"):
        text = text[:-2]
    digits = text.replace(" ", "").replace("\u00a0", "")
    if digits.isdigit() and len(digits) == 4:
        digits = "0" + digits
    return digits if _POSTAL.match(digits) else None


def split_address_tail(address: str) -> tuple[str, str] | None:
    """Postal code and town at the end of a one-line address (« … 23000 Guéret »), or None.

    Used only when the export has no separate « CP »/« Ville » columns; the address itself
    is never kept.
    """
    match = _ADDRESS_TAIL.search(address.strip())
    return (match.group(1), match.group(2)) if match else None


@dataclass(frozen=True)
class TownMatch:
    """The outcome of a lookup: the commune code, or which field could not be matched."""

    code_insee: str | None
    failed_field: str | None = None
    reason: str | None = None


class TownMatcher:
    """Lookup tables built once per import from ``postal_codes`` and ``communes``."""

    def __init__(self, postal_rows: list[tuple[str, str, str]], communes: list[tuple[str, str]]):
        self._by_postal: dict[str, dict[str, str]] = defaultdict(dict)
        for postal_code, code_insee, name in postal_rows:
            self._by_postal[postal_code][town_key(name)] = code_insee
        self._codes_by_postal: dict[str, set[str]] = defaultdict(set)
        for postal_code, code_insee, _name in postal_rows:
            self._codes_by_postal[postal_code].add(code_insee)
        names: dict[str, set[str]] = defaultdict(set)
        for code_insee, name in communes:
            names[town_key(name)].add(code_insee)
        self._names = names
        self._commune_names = {code: town_key(name) for code, name in communes}
        self._prefixes = {postal_code[:2] for postal_code in self._by_postal}
        self._cache: dict[tuple[str, str], TownMatch] = {}

    @classmethod
    def from_connection(cls, conn: Connection) -> TownMatcher:
        """Read the reference tables of the database (a few hundred rows)."""
        postal_rows = [
            (r.postal_code, r.code_insee, r.name)
            for r in conn.execute(
                select(PostalCode.postal_code, PostalCode.code_insee, PostalCode.name)
            )
        ]
        communes = [
            (r.code_insee, r.name) for r in conn.execute(select(Commune.code_insee, Commune.name))
        ]
        return cls(postal_rows, communes)

    def match(self, postal_code: str, town: str) -> TownMatch:
        """Match one (postal code, town) pair; results are cached, exports repeat towns a lot."""
        cache_key = (postal_code, town)
        found = self._cache.get(cache_key)
        if found is None:
            found = self._match(postal_code, town)
            self._cache[cache_key] = found
        return found

    def _match(self, postal_code: str, town: str) -> TownMatch:
        code = normalise_postal_code(postal_code) if postal_code.strip() else None
        key = town_key(town) if town.strip() else ""
        if postal_code.strip() and code is None:
            return TownMatch(None, "CP", "code postal invalide (5 chiffres attendus)")
        if code is not None and code in self._by_postal:
            towns = self._by_postal[code]
            if key in towns:
                return TownMatch(towns[key])
            candidates = self._codes_by_postal[code]
            if not key and len(candidates) == 1:
                return TownMatch(next(iter(candidates)))
            by_name = [c for c in candidates if self._commune_names.get(c) == key]
            if len(by_name) == 1:
                return TownMatch(by_name[0])
            if not key:
                return TownMatch(
                    None,
                    "Ville",
                    "ville absente alors que le code postal couvre plusieurs communes",
                )
            return TownMatch(None, "Ville", "ville inconnue pour ce code postal")
        same_departement = code is None or code[:2] in self._prefixes
        if key and same_departement:
            codes = self._names.get(key, set())
            if len(codes) == 1:
                return TownMatch(next(iter(codes)))
            if code is None:
                return TownMatch(None, "Ville", "ville inconnue dans le département")
        if code is not None:
            return TownMatch(None, "CP", "code postal hors du département")
        return TownMatch(None, "CP", "code postal et ville absents")
