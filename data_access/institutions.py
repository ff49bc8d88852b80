"""Institutions of the shared governance, as reference data configurable per département.

Roadmap owners, action owners and the institutions present at a meeting are all institutions
of the same list: the Conseil départemental, France Travail (Pôle emploi until 1 January 2024),
the préfecture, the DDETS, the ARS, the CAF, the MSA and partners. The list ships for the Creuse
(``reference/institutions_creuse.csv``); another département gives its own CSV
(``nom,libelle,alias``; aliases separated by ``|``) with ``PILOTAGE_INSTITUTIONS_FILE``.
Names are stored as written in the ``nom`` column, so a new name (« France Travail ») is one
line of reference data, not a change of code.
"""

from __future__ import annotations

import csv
import functools
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from data_access.exceptions import ReferenceDataError

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"
DEFAULT_INSTITUTIONS_FILE = REFERENCE_DIR / "institutions_creuse.csv"
COLUMNS = ("nom", "libelle", "alias")


@dataclass(frozen=True)
class Institution:
    """One institution: its stored name, its long label, the ways people write it."""

    name: str
    label: str
    aliases: tuple[str, ...]


def plain(text: str) -> str:
    """Lower case without accents, for matching what people type."""
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch)).lower().strip()


@functools.lru_cache(maxsize=8)
def read_institutions(path: Path) -> tuple[Institution, ...]:
    """Read an institutions file; a problem names its line and column, in French."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in ("nom",) if c not in (reader.fieldnames or [])]
            if missing:
                raise ReferenceDataError(
                    f"Fichier des institutions {path.name} : colonne « nom » absente "
                    f"(attendu {', '.join(COLUMNS)})."
                )
            result: list[Institution] = []
            for line, row in enumerate(reader, start=2):
                name = (row.get("nom") or "").strip()
                if not name:
                    raise ReferenceDataError(
                        f"Fichier des institutions {path.name}, ligne {line} : « nom » est vide."
                    )
                aliases = tuple(plain(a) for a in (row.get("alias") or "").split("|") if a.strip())
                label = (row.get("libelle") or "").strip() or name
                result.append(Institution(name, label, (plain(name), *aliases)))
    except OSError as exc:
        raise ReferenceDataError(
            f"Fichier des institutions illisible : {path} ({exc.strerror})."
        ) from exc
    if not result:
        raise ReferenceDataError(f"Fichier des institutions {path.name} : aucune institution.")
    return tuple(result)


def default_institutions() -> tuple[Institution, ...]:
    """The shipped list (Creuse)."""
    return read_institutions(DEFAULT_INSTITUTIONS_FILE)


def institutions_for(settings: object) -> tuple[Institution, ...]:
    """The list of the configured département (``PILOTAGE_INSTITUTIONS_FILE``) or the default."""
    path = getattr(settings, "institutions_file", None)
    return read_institutions(Path(path)) if path else default_institutions()


def institution_names(institutions: tuple[Institution, ...] | None = None) -> tuple[str, ...]:
    """Stored names in reference order."""
    return tuple(i.name for i in institutions or default_institutions())


def find_institution(
    text: str, institutions: tuple[Institution, ...] | None = None
) -> Institution | None:
    """The institution written as ``text`` (its name or an alias, any case or accent)."""
    key = plain(text)
    for institution in institutions or default_institutions():
        if text.strip() == institution.name or key in institution.aliases:
            return institution
    return None
