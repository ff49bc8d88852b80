"""Application settings, read from the environment (prefix ``PILOTAGE_``) and ``.env``.

Every threshold the metrics use lives here so that a département can tune them without
touching code; a bad value stops start-up with one French sentence instead of a traceback.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "data" / "pilotage.sqlite"
DEFAULT_DATABASE_URL = f"sqlite:///{DEFAULT_SQLITE_PATH}"
DEFAULT_PSEUDONYMISATION_KEY = "pilotage-rsa-cle-de-demonstration"
DEFAULT_KEY_WARNING = (
    "Attention : la clé de pseudonymisation est la clé de démonstration, publique ; "
    "définissez PILOTAGE_PSEUDONYMISATION_KEY (clé secrète) avant d'importer des données réelles."
)
DEFAULT_KEY_REFUSAL = (
    "Import refusé : la clé de pseudonymisation est la clé de démonstration, publique, avec "
    "laquelle n'importe qui retrouverait les identifiants hachés. Définissez "
    "PILOTAGE_PSEUDONYMISATION_KEY (une clé secrète d'au moins 32 caractères, par exemple "
    "« python -c 'import secrets; print(secrets.token_urlsafe(32))' »), gardez-la à l'abri et "
    "ne la changez plus, puis relancez l'import. La clé de démonstration n'est acceptée que "
    "sur la base de démonstration."
)
DEMO_DATABASE_REFUSAL = (
    "Import refusé : cette base est la base de démonstration, ouverte sans connexion (choix du "
    "rôle, administration comprise) ; des données réelles y seraient visibles de tous. "
    "Importez-les dans une base à elles (PILOTAGE_DATABASE_URL, puis « pilotage init-db ») ; "
    "pour essayer l'import sur la démonstration avec des fichiers fictifs, retirez "
    "PILOTAGE_PSEUDONYMISATION_KEY."
)

_FIELD_LABELS_FR = {
    "database_url": "URL de la base de données",
    "departement_code": "code du département",
    "departement_name": "nom du département",
    "secrecy_threshold": "seuil du secret statistique",
    "secrecy_rounding": "base d'arrondi des effectifs publiés",
    "convocation_days": "délai cible de convocation (jours)",
    "orientation_days": "délai historique d'orientation (jours)",
    "orientation_legal_days": "délai légal d'orientation (jours)",
    "orientation_short_days": "délai court d'orientation (jours)",
    "contract_days": "délai cible de contractualisation (jours)",
    "activity_hours_min": "heures d'activité hebdomadaires minimales",
    "summary_green_gap": "écart à la cible du niveau vert de la météo",
    "summary_orange_gap": "écart à la cible du niveau orange de la météo",
    "summary_late_steps_orange": "étapes en retard tolérées au niveau orange de la météo",
    "summary_coverage_target": "cible de couverture du besoin le plus fréquent",
    "summary_companies_target": "cible d'entreprises engagées",
    "pseudonymisation_key": "clé de pseudonymisation",
    "utas_file": "fichier de correspondance communes → UTAS",
    "communes_file": "fichier des communes",
    "communes_geojson_file": "fichier des contours des communes",
    "demo_banner": "bandeau de démonstration",
    "accessibility_contact": "contact pour l'accessibilité",
    "roadmap_file": "fichier de la feuille de route initiale",
    "roadmap_reference_year": "année de référence des échéances de la feuille de route",
    "orientation_type_map": "correspondance des types d'orientation locaux",
    "institutions_file": "fichier des institutions de la gouvernance",
    "auth_mode": "mode de connexion",
    "auth_header": "en-tête HTTP portant l'adresse électronique de la personne",
    "auth_header_secret": "secret partagé avec le mandataire d'authentification",
    "auth_secret_header": "en-tête HTTP portant le secret du mandataire",
    "admin_email": "adresse du premier administrateur",
    "session_hours": "durée maximale d'une session (heures)",
    "import_max_file_mb": "taille maximale d'un fichier importé (Mo)",
    "import_max_rows": "nombre maximal de lignes d'un fichier importé",
    "import_max_columns": "nombre maximal de colonnes d'un fichier importé",
    "import_max_cell_chars": "nombre maximal de caractères d'une cellule importée",
}


class SettingsError(Exception):
    """A setting has a value the application cannot use; the message is for users (French)."""


class Settings(BaseSettings):
    """Configuration of one département's dashboard."""

    model_config = SettingsConfigDict(
        env_prefix="PILOTAGE_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        description="URL SQLAlchemy de la base opérationnelle (SQLite par défaut, PostgreSQL en "
        "production, ex. postgresql+psycopg://user@hote/base).",
    )
    departement_code: str = Field(
        default="23", description="Code INSEE du département (2 ou 3 caractères)."
    )
    departement_name: str = Field(default="Creuse", description="Nom du département.")
    secrecy_threshold: int = Field(
        default=11,
        ge=2,
        description="Effectif minimal diffusable : les effectifs de 1 à seuil − 1 sont masqués.",
    )
    secrecy_rounding: int = Field(
        default=5,
        ge=1,
        description="Base d'arrondi des effectifs de personnes publiés (5 : au multiple de 5 le "
        "plus proche ; 1 : pas d'arrondi), pour qu'aucun effectif masqué ne se retrouve par "
        "différence entre deux périmètres voisins.",
    )
    convocation_days: int = Field(
        default=15, ge=1, description="Délai cible entre l'entrée et la convocation (jours)."
    )
    orientation_days: int = Field(
        default=45,
        ge=1,
        description="Délai de 45 jours entre l'entrée et l'orientation, suivi depuis l'origine "
        "du tableau de bord et gardé pour la continuité des séries (ce n'est pas le délai légal).",
    )
    orientation_legal_days: int = Field(
        default=42,
        ge=1,
        description="Délai légal d'orientation (jours) : six semaines à compter de la réception "
        "par les services du département de l'information relative à l'ouverture du droit au "
        "RSA ou à son transfert dans le département (CASF art. D. 262-65-2, décret "
        "n° 2024-1244 du 30 décembre 2024).",
    )
    orientation_short_days: int = Field(
        default=30, ge=1, description="Délai court d'orientation suivi en complément (jours)."
    )
    contract_days: int = Field(
        default=30, ge=1, description="Délai cible entre l'orientation et le contrat (jours)."
    )
    activity_hours_min: float = Field(
        default=15.0, ge=0, description="Heures d'activité hebdomadaires visées (minimum)."
    )
    summary_green_gap: float = Field(
        default=0.05,
        ge=0,
        le=1,
        description="Météo des objectifs : écart à la cible encore affiché en vert (0,05 : "
        "5 points pour un taux, 5 % de la cible pour un effectif).",
    )
    summary_orange_gap: float = Field(
        default=0.15,
        ge=0,
        le=1,
        description="Météo des objectifs : écart à la cible au-delà duquel l'objectif passe au "
        "rouge (0,15 : 15 points pour un taux, 15 % de la cible pour un effectif) ; entre les "
        "deux écarts, orange.",
    )
    summary_late_steps_orange: int = Field(
        default=3,
        ge=0,
        description="Météo des objectifs : nombre d'étapes de la feuille de route en retard "
        "encore affiché en orange (aucune : vert ; au-delà : rouge).",
    )
    summary_coverage_target: float = Field(
        default=0.9,
        ge=0,
        le=1,
        description="Météo des objectifs : part visée des personnes ayant le besoin le plus "
        "fréquent qui habitent une commune couverte par l'offre partenaire.",
    )
    summary_companies_target: int = Field(
        default=50,
        ge=0,
        description="Météo des objectifs : nombre visé d'entreprises engagées (« les "
        "entreprises s'engagent »), en cumul.",
    )
    pseudonymisation_key: str = Field(
        default=DEFAULT_PSEUDONYMISATION_KEY,
        min_length=8,
        description="Clé secrète du hachage des identifiants personnels (à changer en production).",
    )
    communes_file: Path | None = Field(
        default=None,
        description="CSV des communes du département (code_insee, nom, population, epci_siren, "
        "epci_nom, utas) ; par défaut celui de la Creuse fourni avec l'application.",
    )
    communes_geojson_file: Path | None = Field(
        default=None,
        description="GeoJSON des contours des communes (propriété code_insee) pour la carte de "
        "l'offre partenaire ; par défaut celui de la Creuse fourni avec l'application.",
    )
    utas_file: Path | None = Field(
        default=None,
        description="CSV code_insee,utas remplaçant la correspondance communes → UTAS par défaut.",
    )
    roadmap_file: Path | None = Field(
        default=None,
        description="CSV de la feuille de route initiale (step_id, axis, target, step, due_label, "
        "owners) ; par défaut celle de la Creuse, chargée seulement pour le département 23.",
    )
    institutions_file: Path | None = Field(
        default=None,
        description="CSV des institutions de la gouvernance (nom, libelle, alias séparés par |) ; "
        "par défaut celles de la Creuse fournies avec l'application.",
    )
    roadmap_reference_year: int = Field(
        default=2023,
        ge=2000,
        description="Année des échéances écrites sans année (« Fin mars ») de la feuille de route.",
    )
    orientation_type_map: str = Field(
        default="",
        description="Types d'orientation propres au département rattachés aux trois types "
        "nationaux, sous la forme « Nom local=pro ; Autre nom=social » (types : pro, "
        "socio_pro, social) ; un type local absent de la liste est importé « non renseigné ».",
    )
    demo_banner: bool | None = Field(
        default=None,
        description="Afficher le bandeau « Données de démonstration » (par défaut : si la base "
        "contient des données de démonstration).",
    )
    accessibility_contact: str | None = Field(
        default=None,
        description="Adresse (courriel ou page) où signaler un défaut d'accessibilité ; "
        "affichée dans la déclaration d'accessibilité.",
    )
    auth_mode: Literal["auto", "oidc", "demo", "header"] = Field(
        default="auto",
        description="Connexion : auto (OpenID Connect si la section [auth] de "
        ".streamlit/secrets.toml existe, sinon choix du rôle sur la base de démonstration "
        "seulement), oidc, demo (base de démonstration seulement) ou header (mandataire "
        "d'authentification, avec secret partagé).",
    )
    admin_email: str | None = Field(
        default=None,
        description="Adresse électronique du premier administrateur (toujours administrateur, "
        "même sans ligne dans la table des utilisateurs).",
    )
    session_hours: float = Field(
        default=8,
        gt=0,
        le=24,
        description="Durée maximale d'une session ouverte par OpenID Connect, comptée depuis la "
        "connexion au tableau de bord (heures) ; au-delà, la personne se reconnecte.",
    )
    auth_header: str = Field(
        default="X-Pilotage-User",
        description="En mode header : en-tête HTTP portant l'adresse électronique de la "
        "personne authentifiée par le mandataire inverse.",
    )
    auth_secret_header: str = Field(
        default="X-Pilotage-Proxy-Secret",
        description="En mode header : en-tête HTTP portant le secret partagé, posé par le "
        "mandataire inverse sur chaque requête.",
    )
    auth_header_secret: str | None = Field(
        default=None,
        min_length=32,
        description="En mode header : secret partagé (32 caractères au moins) ; sans lui, le "
        "mode header refuse tout le monde.",
    )
    import_max_file_mb: int = Field(
        default=200,
        ge=1,
        le=4096,
        description="Taille maximale d'un fichier importé, en Mo ; pour un classeur .xlsx ou une "
        "archive .zip, taille une fois décompressé.",
    )
    import_max_rows: int = Field(
        default=2_000_000,
        ge=1,
        description="Nombre maximal de lignes (ou d'objets JSON) d'un fichier importé.",
    )
    import_max_columns: int = Field(
        default=500, ge=1, description="Nombre maximal de colonnes d'un fichier importé."
    )
    import_max_cell_chars: int = Field(
        default=32_767,
        ge=100,
        le=131_072,
        description="Nombre maximal de caractères d'une cellule importée (32 767 : limite "
        "d'Excel).",
    )

    @field_validator("departement_code")
    @classmethod
    def _check_departement(cls, value: str) -> str:
        value = value.strip().upper()
        if not (2 <= len(value) <= 3) or not value.isalnum():
            raise ValueError("doit faire 2 ou 3 caractères (ex. 23, 2A, 974)")
        return value

    @field_validator("database_url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            make_url(value)
        except ArgumentError as exc:
            raise ValueError("n'est pas une URL de base de données valide") from exc
        return value

    @model_validator(mode="after")
    def _check_summary_gaps(self) -> Settings:
        if self.summary_orange_gap < self.summary_green_gap:
            raise ValueError(
                "l'écart du niveau orange de la météo (PILOTAGE_SUMMARY_ORANGE_GAP) doit être "
                "au moins celui du niveau vert (PILOTAGE_SUMMARY_GREEN_GAP)"
            )
        return self

    @field_validator("orientation_type_map")
    @classmethod
    def _check_orientation_type_map(cls, value: str) -> str:
        parse_orientation_type_map(value)
        return value

    @property
    def orientation_types(self) -> dict[str, str]:
        """Local orientation type name → pro, socio_pro or social (the setting, parsed)."""
        return parse_orientation_type_map(self.orientation_type_map)

    @property
    def uses_default_pseudonymisation_key(self) -> bool:
        """True when identifiers would be hashed with the public demo key: anyone holding the
        code could then re-identify a person from a known identifier."""
        return self.pseudonymisation_key == DEFAULT_PSEUDONYMISATION_KEY

    @property
    def is_default_database(self) -> bool:
        """True when the dashboard runs on the embedded demo SQLite file."""
        return self.database_url == DEFAULT_DATABASE_URL


ORIENTATION_TYPE_CHOICES = ("pro", "socio_pro", "social")


def parse_orientation_type_map(value: str) -> dict[str, str]:
    """« Remobilisation renforcée=social ; Parcours emploi=pro » → {name: type}.

    Entries are separated by ``;`` (or new lines), name and type by ``=``; a malformed entry
    or an unknown type is a ValueError with a French message naming it.
    """
    mapping: dict[str, str] = {}
    for entry in value.replace("\n", ";").split(";"):
        if not entry.strip():
            continue
        name, sep, kind = entry.partition("=")
        name, kind = name.strip(), kind.strip().lower()
        if not sep or not name:
            raise ValueError(f"« {entry.strip()} » : la forme « Nom local=type » est attendue")
        if kind not in ORIENTATION_TYPE_CHOICES:
            raise ValueError(
                f"type « {kind} » inconnu pour « {name} » (pro, socio_pro ou social attendu)"
            )
        mapping[name] = kind
    return mapping


def describe_validation_error(error: ValidationError) -> str:
    """Turn pydantic's error list into one French line naming each bad setting."""
    parts = []
    for item in error.errors():
        if not item["loc"]:  # a rule between settings names them itself
            parts.append(_translate(item))
            continue
        name = str(item["loc"][0])
        label = _FIELD_LABELS_FR.get(name, name)
        parts.append(f"{label} (PILOTAGE_{name.upper()}) : {_translate(item)}")
    return "Configuration invalide : " + " ; ".join(parts) + "."


def _translate(item: ErrorDetails) -> str:
    kind = item.get("type", "")
    ctx = item.get("ctx") or {}
    if kind in {"int_parsing", "int_type"}:
        return "un nombre entier est attendu"
    if kind in {"float_parsing", "float_type"}:
        return "un nombre est attendu"
    if kind == "greater_than_equal":
        return f"doit être au moins {ctx.get('ge')}"
    if kind == "greater_than":
        return f"doit être supérieur à {ctx.get('gt')}"
    if kind == "less_than_equal":
        return f"doit être au plus {ctx.get('le')}"
    if kind == "string_too_short":
        return f"doit faire au moins {ctx.get('min_length')} caractères"
    if kind == "literal_error":
        return "valeur attendue parmi : " + str(ctx.get("expected", "?")).replace(" or ", " ou ")
    if kind == "bool_parsing":
        return "valeur oui/non attendue (true/false)"
    if kind == "value_error":
        return str(ctx.get("error", item.get("msg", "")))
    return str(item.get("msg", "valeur invalide"))


def load_settings() -> Settings:
    """Read the settings, raising SettingsError with a French message on a bad value."""
    try:
        return Settings()
    except ValidationError as exc:
        raise SettingsError(describe_validation_error(exc)) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (cached; tests pass their own Settings explicitly)."""
    return load_settings()
