"""The ``pilotage`` command: thin commands that call one library function each.

Every library error carries a French message; ``main`` prints it on one line and exits 1,
so users never see a traceback.
"""

from __future__ import annotations

import datetime as dt
import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click
from sqlalchemy import Engine
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from click_french import FrenchGroup, translate_click, usage_detail
from data_access.exceptions import DataAccessError
from metrics.exceptions import MetricError, ScopeError
from metrics.scope import Scope
from settings import Settings, SettingsError, get_settings

if TYPE_CHECKING:
    from data_access.governance import ActionView
    from data_access.importers.base import Importer

USER_ERRORS = (DataAccessError, MetricError, SettingsError)
NOT_INITIALISED = "La base n'est pas initialisée : lancez « pilotage init-db »."


def _settings() -> Settings:
    return get_settings()


def _engine() -> Engine:
    from data_access.db import get_engine

    return get_engine(_settings().database_url)


@click.group(
    cls=FrenchGroup,
    help="Pilotage de la réforme du RSA : base opérationnelle, démo, imports, indicateurs.",
)
def cli() -> None:
    """Root group; subcommands below."""


@cli.command("init-db", help="Crée ou met à jour le schéma et charge les données de référence.")
def init_db() -> None:
    """Bring the database to the head revision and load communes, postal codes, roadmap."""
    from data_access.initdb import init_database

    report = init_database(_engine(), _settings())
    click.echo(
        f"Base prête : {report.communes} communes, {report.roadmap_steps} étapes de feuille "
        "de route chargées."
    )


@cli.command("demo", help="Remplace les données par un département de démonstration reproductible.")
@click.option(
    "--scale",
    default="creuse",
    show_default=True,
    help="Échelle : creuse (≈ 2 700 foyers + 200 entrants/mois), large (100 000 personnes), "
    "national (2 000 000) ou un nombre de personnes.",
)
@click.option("--seed", default=2023, show_default=True, type=int, help="Graine du tirage.")
@click.option(
    "--as-of", "as_of", default=None, help="Date d'observation (AAAA-MM-JJ, défaut : aujourd'hui)."
)
def demo_command(scale: str, seed: int, as_of: str | None) -> None:
    """Generate the synthetic département and print a French summary with durations."""
    from data_access.demo.generate import describe_report, generate_demo

    _check_demo_target()
    report = generate_demo(
        _engine(), _settings(), scale=scale, seed=seed, as_of=_parse_date(as_of, "--as-of")
    )
    click.echo(describe_report(report))


class DemoRefusedError(DataAccessError):
    """« pilotage demo » refused on a database that holds real work."""


def _check_demo_target() -> None:
    """Refuse to turn a database with imports or users' roles into the demo: the demo opens
    without sign-in (role chooser up to administrator), which would open the users' addresses,
    the audit log and the governance records to anyone, and the real data would be replaced."""
    from sqlalchemy import select

    from data_access.inventory import is_demo_database
    from data_access.schema import ImportRun, UserRole

    engine = _engine()
    if is_demo_database(engine):
        return
    with engine.connect() as conn:
        used = any(
            conn.execute(select(table.id).limit(1)).first() for table in (ImportRun, UserRole)
        )
    if used:
        raise DemoRefusedError(
            "Démonstration refusée : cette base contient des imports ou des rôles "
            "d'utilisateurs. La démonstration remplacerait ses données et l'ouvrirait sans "
            "connexion (choix du rôle). Générez-la dans une autre base (PILOTAGE_DATABASE_URL, "
            "puis « pilotage init-db »)."
        )


@cli.group("roadmap", help="Feuille de route : lister les étapes, changer un statut.")
def roadmap() -> None:
    """Roadmap subcommands (thin wrappers over data_access.roadmap)."""


@roadmap.command("list", help="Liste toutes les étapes (id, axe, échéance, responsables, statut).")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Sortie JSON (une liste d'étapes, avec le dernier commentaire et son auteur).",
)
def roadmap_list(as_json: bool) -> None:
    """Print every step, as JSON or one line per step."""
    import json

    from data_access.roadmap import last_comments, list_steps

    engine = _engine()
    steps = list_steps(engine)
    if as_json:
        comments = last_comments(engine)
        payload = [s.to_json(comments.get(s.step_id)) for s in steps]
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    for s in steps:
        due = s.due_date.isoformat() if s.due_date else "sans échéance"
        click.echo(f"{s.step_id}\t{s.status_label}\t{due}\t{'|'.join(s.owners)}\t{s.step}")


@roadmap.command("set", help="Change le statut d'une étape (à faire, en cours, fait, bloqué…).")
@click.argument("step_id")
@click.argument("status")
@click.option("--comment", default=None, help="Commentaire gardé dans l'historique.")
@click.option(
    "--done-date",
    "done_date",
    default=None,
    help="Date de réalisation (AAAA-MM-JJ) pour le statut « fait » ; défaut : aujourd'hui.",
)
@click.option("--user", default=None, help="Auteur du changement (par défaut : l'utilisateur).")
def roadmap_set(
    step_id: str, status: str, comment: str | None, done_date: str | None, user: str | None
) -> None:
    """Set a step's status through the same guarded path as the page."""
    from data_access.db import session_scope
    from data_access.roadmap import STATUS_LABELS, get_step, parse_status, set_step_status

    done = _parse_date(done_date, "--done-date")
    if done is not None and parse_status(status) != "fait":
        raise ScopeError("--done-date ne s'emploie qu'avec le statut « fait ».")
    with session_scope(_engine()) as session:
        before = get_step(session, step_id)
        after = set_step_status(
            session, before.step_id, status, user=_user(user), comment=comment, done_date=done
        )
        if after.version != before.version:
            from data_access.audit import record_audit

            record_audit(
                session,
                _user(user),
                "edit",
                f"feuille de route {after.step_id} : statut {after.status} (ligne de commande)",
            )
    if after.version == before.version:
        click.echo(
            f"{after.step_id} : aucun changement (déjà « {after.status_label} », "
            f"version {after.version})."
        )
        return
    done_text = f", fait le {after.done_date.isoformat()}" if after.done_date else ""
    click.echo(
        f"{after.step_id} : {STATUS_LABELS[before.status]} → {after.status_label}{done_text} "
        f"(version {after.version})."
    )


@roadmap.command("history", help="Historique des changements d'une étape.")
@click.argument("step_id")
def roadmap_history(step_id: str) -> None:
    """Print the changes of one step, oldest first."""
    from data_access.db import session_scope
    from data_access.roadmap import STATUS_LABELS, get_step, step_history
    from formatting import format_datetime

    engine = _engine()
    with session_scope(engine) as session:
        step_id = get_step(session, step_id).step_id
    for entry in step_history(engine, step_id):
        old = STATUS_LABELS.get(entry.old_status or "", "—")
        note = f" — {entry.comment}" if entry.comment else ""
        click.echo(
            f"{format_datetime(entry.changed_at)}\t{entry.changed_by}\t{old} → "
            f"{STATUS_LABELS[entry.new_status]}{note}"
        )


@cli.group("actions", help="Décisions et actions des instances : lister, ajouter, modifier.")
def actions_group() -> None:
    """Governance actions (thin wrappers over data_access.governance)."""


ACTION_STATUS_HELP = "ouverte, en_cours, faite ou abandonnee"


def _action_line(a: ActionView, as_of: dt.date) -> str:
    due = a.due_date.isoformat() if a.due_date else "sans échéance"
    late = f" ({a.days_late(as_of)} j de retard)" if a.is_late(as_of) else ""
    step = a.step_id or "—"
    return f"{a.id}\t{a.kind}\t{a.status}\t{due}{late}\t{a.owner_label}\t{step}\t{a.text}"


@actions_group.command("list", help="Liste les décisions et actions (ouvertes seulement : --open).")
@click.option("--open", "open_only", is_flag=True, help="Actions ouvertes ou en cours seulement.")
@click.option("--owner", default=None, help="Institution responsable (CD, France Travail…).")
@click.option("--json", "as_json", is_flag=True, help="Sortie JSON.")
def actions_list(open_only: bool, owner: str | None, as_json: bool) -> None:
    """Print decisions and actions, one line each or as JSON."""
    import json

    from data_access.governance import list_actions
    from data_access.institutions import institutions_for
    from data_access.roadmap import parse_party

    wanted = parse_party(owner, institutions_for(_settings())) if owner else None
    items = [
        a
        for a in list_actions(_engine(), open_only=open_only)
        if (wanted is None or a.owner == wanted) and (not open_only or a.kind == "action")
    ]
    today = dt.date.today()
    if as_json:
        payload = [
            {
                "id": a.id,
                "kind": a.kind,
                "text": a.text,
                "owner": a.owner,
                "owner_person": a.owner_person,
                "due_date": a.due_date.isoformat() if a.due_date else None,
                "status": a.status,
                "days_late": a.days_late(today),
                "step_id": a.step_id,
                "meeting_id": a.meeting_id,
                "meeting_date": a.meeting_date.isoformat() if a.meeting_date else None,
                "version": a.version,
            }
            for a in items
        ]
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    for a in items:
        click.echo(_action_line(a, today))


@actions_group.command("add", help="Ajoute une action (ou une décision avec --decision).")
@click.argument("text")
@click.option("--decision", is_flag=True, help="Enregistrer une décision plutôt qu'une action.")
@click.option("--meeting", "meeting_id", type=int, default=None, help="N° de la réunion.")
@click.option("--owner", default=None, help="Institution responsable (CD, France Travail…).")
@click.option("--person", default=None, help="Personne responsable dans l'institution.")
@click.option("--due", default=None, help="Échéance (AAAA-MM-JJ).")
@click.option("--step", "step_id", default=None, help="Étape de feuille de route liée (DO-03).")
@click.option("--status", default=None, help=f"Statut : {ACTION_STATUS_HELP}.")
@click.option("--user", default=None, help="Auteur (par défaut : l'utilisateur).")
def actions_add(
    text: str,
    decision: bool,
    meeting_id: int | None,
    owner: str | None,
    person: str | None,
    due: str | None,
    step_id: str | None,
    status: str | None,
    user: str | None,
) -> None:
    """Record a decision or an action."""
    from data_access.governance import read_action, record_action
    from data_access.institutions import institutions_for

    engine = _engine()
    action_id = record_action(
        engine,
        text,
        kind="decision" if decision else "action",
        meeting_id=meeting_id,
        owner=owner,
        owner_person=person,
        due_date=_parse_date(due, "--due"),
        step_id=step_id,
        status=status,
        user=_user(user),
        reference=institutions_for(_settings()),
    )
    kind_label = "décision" if decision else "action"
    _audit(user, "edit", f"{kind_label} n° {action_id} enregistrée (ligne de commande)")
    click.echo(f"Enregistrée : {_action_line(read_action(engine, action_id), dt.date.today())}")


@actions_group.command("set", help="Modifie une action : statut, libellé, responsable, échéance…")
@click.argument("action_id", type=int)
@click.option("--status", default=None, help=f"Statut : {ACTION_STATUS_HELP}.")
@click.option("--text", default=None, help="Nouveau libellé.")
@click.option("--owner", default=None, help="Institution responsable ; « - » pour l'effacer.")
@click.option("--person", default=None, help="Personne responsable ; « - » pour l'effacer.")
@click.option("--due", default=None, help="Échéance (AAAA-MM-JJ) ; « - » pour l'effacer.")
@click.option("--step", "step_id", default=None, help="Étape liée ; « - » pour l'effacer.")
@click.option("--user", default=None, help="Auteur (par défaut : l'utilisateur).")
def actions_set(
    action_id: int,
    status: str | None,
    text: str | None,
    owner: str | None,
    person: str | None,
    due: str | None,
    step_id: str | None,
    user: str | None,
) -> None:
    """Change some fields of an action; the others stay as they are."""
    from data_access.governance import change_action, read_action
    from data_access.institutions import institutions_for

    def pick(new: str | None, old: str | None) -> str | None:
        return old if new is None else (None if new.strip() == "-" else new)

    engine = _engine()
    before = read_action(engine, action_id)
    due_text = pick(due, before.due_date.isoformat() if before.due_date else None)
    after = change_action(
        engine,
        action_id,
        user=_user(user),
        expected_version=before.version,
        text=text if text is not None else before.text,
        kind=before.kind,
        meeting_id=before.meeting_id,
        owner=pick(owner, before.owner),
        owner_person=pick(person, before.owner_person),
        due_date=_parse_date(due_text, "--due"),
        status=status if status is not None else before.status,
        step_id=pick(step_id, before.step_id),
        reference=institutions_for(_settings()),
    )
    if after.version == before.version:
        click.echo(f"Action n° {action_id} : aucun changement.")
        return
    kind_label = "décision" if after.kind == "decision" else "action"
    _audit(user, "edit", f"{kind_label} n° {action_id} modifiée (ligne de commande)")
    click.echo(f"Modifiée : {_action_line(after, dt.date.today())}")


@cli.group("meetings", help="Réunions des instances : lister, ajouter.")
def meetings_group() -> None:
    """Governance meetings (thin wrappers over data_access.governance)."""


@meetings_group.command("list", help="Liste les réunions, les plus récentes d'abord.")
@click.option("--from", "start", default=None, help="Depuis le (AAAA-MM-JJ).")
@click.option("--to", "end", default=None, help="Jusqu'au (AAAA-MM-JJ).")
def meetings_list(start: str | None, end: str | None) -> None:
    """Print meetings, one line each."""
    from data_access.governance import list_meetings

    for m in list_meetings(_engine(), _parse_date(start, "--from"), _parse_date(end, "--to")):
        click.echo(f"{m.id}\t{m.date.isoformat()}\t{m.kind}\t{'|'.join(m.institutions)}\t{m.title}")


@meetings_group.command("add", help="Enregistre une réunion.")
@click.argument(
    "kind", type=click.Choice(["point_hebdomadaire", "comite_de_suivi", "groupe_de_travail"])
)
@click.argument("date")
@click.argument("title")
@click.option(
    "--institutions", default="", help="Institutions présentes, séparées par | (CD|France Travail)."
)
@click.option("--notes", default=None, help="Notes ou relevé de décisions.")
@click.option("--user", default=None, help="Auteur (par défaut : l'utilisateur).")
def meetings_add(
    kind: str, date: str, title: str, institutions: str, notes: str | None, user: str | None
) -> None:
    """Record a meeting; prints its number."""
    from data_access.governance import record_meeting
    from data_access.institutions import institutions_for

    day = _parse_date(date, "DATE")
    assert day is not None
    meeting_id = record_meeting(
        _engine(),
        kind,
        day,
        title,
        institutions,
        notes,
        user=_user(user),
        reference=institutions_for(_settings()),
    )
    _audit(
        user,
        "edit",
        f"réunion n° {meeting_id} enregistrée ({kind}, {day.isoformat()}) (ligne de commande)",
    )
    click.echo(f"Réunion n° {meeting_id} enregistrée : {day.isoformat()} — {title.strip()}.")


@cli.group("comments", help="Faits marquants des chefs de projet : ajouter, lister (à une date).")
def comments_group() -> None:
    """« Faits marquants » (thin wrappers over data_access.highlights)."""


def _comment_period(start: str | None, end: str | None, as_of: dt.date) -> tuple[dt.date, dt.date]:
    """The period given, or the committee's: from the day after the last committee (or two
    months back) to the as-of date, as on the « Comité de suivi » page."""
    from data_access.snapshots import last_committee_date
    from metrics.committee import two_months_before

    to = _parse_date(end, "--to") or as_of
    begin = _parse_date(start, "--from")
    if begin is None:
        last = last_committee_date(_engine(), to)
        begin = (last if last is not None else two_months_before(to)) + dt.timedelta(days=1)
    return begin, to


@comments_group.command("add", help="Ajoute un fait marquant (sur un indicateur avec --indicator).")
@click.argument("text")
@click.option("--indicator", default=None, help="Id de l'indicateur ; sans : le comité entier.")
@click.option("--from", "start", default=None, help="Début de la période (AAAA-MM-JJ).")
@click.option("--to", "end", default=None, help="Fin de la période (AAAA-MM-JJ ; aujourd'hui).")
@click.option("--user", default=None, help="Auteur (par défaut : l'utilisateur).")
def comments_add(
    text: str, indicator: str | None, start: str | None, end: str | None, user: str | None
) -> None:
    """Record a comment for a period (by default the current committee's)."""
    from data_access.highlights import HighlightError, add_highlight
    from metrics import catalog
    from metrics.exceptions import UnknownMetricError

    if indicator is not None:
        try:
            catalog.spec_for(indicator)
        except UnknownMetricError:
            raise HighlightError(
                f"Indicateur inconnu « {indicator} » : voir « pilotage metrics »."
            ) from None
    begin, to = _comment_period(start, end, dt.date.today())
    saved = add_highlight(
        _engine(), text, metric_id=indicator, period_start=begin, period_end=to, user=_user(user)
    )
    subject = f"{indicator}, ligne de commande" if indicator else "comité, ligne de commande"
    _audit(user, "edit", f"fait marquant n° {saved.id} ajouté ({subject})")
    click.echo(f"Fait marquant n° {saved.id} enregistré ({saved.period_text}).")


@comments_group.command("list", help="Liste les faits marquants d'une période, tels qu'à une date.")
@click.option("--from", "start", default=None, help="Début de la période (AAAA-MM-JJ).")
@click.option("--to", "end", default=None, help="Fin de la période (AAAA-MM-JJ).")
@click.option("--as-of", "as_of", default=None, help="Tels qu'écrits à cette date (AAAA-MM-JJ).")
def comments_list(start: str | None, end: str | None, as_of: str | None) -> None:
    """Print each comment shown for the period: id, subject, text, who and when."""
    from data_access.highlights import COMMITTEE_WIDE, highlights_as_of
    from metrics import catalog

    day = _parse_date(as_of, "--as-of") or dt.date.today()
    begin, to = _comment_period(start, end, day)
    for item in highlights_as_of(_engine(), day, start=begin, end=to):
        subject = (
            COMMITTEE_WIDE
            if item.metric_id is None
            else catalog.label_of(item.metric_id, _settings())
        )
        text = item.text.replace("\n", " ")
        click.echo(f"{item.id}\t{subject}\t{text}\t{item.signature}")


@cli.group("import", help="Imports de données (lot CSV, annulation) ; tous validés avant écriture.")
def import_group() -> None:
    """Every import command: validated first, written in one transaction, undoable."""


def _user(user: str | None) -> str:
    """The author recorded with an import, an undo or a roadmap change: the --user option,
    else the account running the command."""
    import getpass

    return user or getpass.getuser()


def _audit(user: str | None, action: str, detail: str) -> None:
    """One audit row for a command, in its own transaction."""
    from data_access.audit import record_audit
    from data_access.db import session_scope

    with session_scope(_engine()) as session:
        record_audit(session, _user(user), action, detail)


def _check_key() -> None:
    """Refuse any import while identifiers would be hashed with the public demo key, except on
    the demo database (whose identifiers are synthetic); warn there. Refuse a real key on the
    demo database: it opens without sign-in, so real data there would be open to anyone."""
    from data_access.inventory import is_demo_database
    from settings import DEFAULT_KEY_REFUSAL, DEFAULT_KEY_WARNING, DEMO_DATABASE_REFUSAL

    demo = is_demo_database(_engine())
    if not _settings().uses_default_pseudonymisation_key:
        if demo:
            raise KeyRefusedError(DEMO_DATABASE_REFUSAL)
        return
    if not demo:
        raise KeyRefusedError(DEFAULT_KEY_REFUSAL)
    click.echo(DEFAULT_KEY_WARNING, err=True)


class KeyRefusedError(DataAccessError):
    """An import refused because of the public pseudonymisation key."""


def _run_import(importer: Importer, user: str | None, skip_invalid: bool) -> None:
    """The one path of every import command: write, print the summary, audit."""
    from data_access.importers.pipeline import describe_result, run_import

    result = run_import(_engine(), importer, user=_user(user), skip_invalid=skip_invalid)
    _audit(
        user,
        "import",
        f"import n° {result.run_id} — {result.report.rows_read} lignes lues (ligne de commande)",
    )
    for line in describe_result(result):
        click.echo(line)


@import_group.command(
    "bundle", help="Importe un dossier de fichiers CSV d'échange en un seul import."
)
@click.argument("directory", type=click.Path(path_type=Path))
@click.option(
    "--skip-invalid",
    is_flag=True,
    help="Écrit les lignes valides et garde les lignes rejetées dans le compte rendu de l'import.",
)
@click.option("--user", default=None, help="Auteur de l'import (par défaut : l'utilisateur).")
def import_bundle(directory: Path, skip_invalid: bool, user: str | None) -> None:
    """Load a bundle folder through the validated path and print the French summary."""
    from data_access.importers.bundle import BundleImporter

    _check_key()
    importer = BundleImporter.from_directory(directory, _settings())
    _run_import(importer, user, skip_invalid)


@import_group.command(
    "rdv-insertion",
    help="Importe l'export des usagers de RDV-Insertion (CSV ou .xlsx) et, en option, "
    "l'export des rendez-vous.",
)
@click.argument("users", type=click.Path(path_type=Path))
@click.option(
    "--appointments",
    type=click.Path(path_type=Path),
    default=None,
    help="Export des rendez-vous de RDV-Insertion (une ligne par rendez-vous).",
)
@click.option(
    "--skip-invalid",
    is_flag=True,
    help="Écrit les lignes valides et garde les lignes rejetées dans le compte rendu de l'import.",
)
@click.option("--user", default=None, help="Auteur de l'import (par défaut : l'utilisateur).")
def import_rdv_insertion(
    users: Path, appointments: Path | None, skip_invalid: bool, user: str | None
) -> None:
    """Load RDV-Insertion exports through the validated path and print the French summary."""
    from data_access.importers.rdv_insertion import importer_from_paths

    _check_key()
    settings = _settings()
    importer = importer_from_paths(
        users, settings.pseudonymisation_key, appointments, settings.orientation_types
    )
    _run_import(importer, user, skip_invalid)


@import_group.command(
    "data-inclusion",
    help="Importe des structures et services au standard data·inclusion (JSON ou CSV exportés "
    "par data·inclusion ou DORA) ; seuls les services du département sont retenus.",
)
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--skip-invalid",
    is_flag=True,
    help="Écrit les enregistrements valides et garde les rejetés dans le compte rendu.",
)
@click.option("--user", default=None, help="Auteur de l'import (par défaut : l'utilisateur).")
def import_data_inclusion(files: tuple[Path, ...], skip_invalid: bool, user: str | None) -> None:
    """Load data·inclusion exports through the validated path and print the French summary."""
    from data_access.importers.data_inclusion import importer_from_paths

    _check_key()
    importer = importer_from_paths(files, _settings())
    _run_import(importer, user, skip_invalid)


@import_group.command("undo", help="Annule un import entier (sans toucher aux autres imports).")
@click.argument("run_id", type=int)
@click.option("--user", default=None, help="Auteur de l'annulation (par défaut : l'utilisateur).")
def import_undo(run_id: int, user: str | None) -> None:
    """Undo one import run and say how many rows were deleted and restored."""
    from data_access.importers.undo import describe_undo, undo_run

    report = undo_run(_engine(), run_id, user=_user(user))
    _audit(user, "undo", f"import n° {run_id} (ligne de commande)")
    click.echo(describe_undo(report))


@cli.group("users", help="Utilisateurs : qui ouvre le tableau de bord, avec quel rôle.")
def users_group() -> None:
    """Access list subcommands (thin wrappers over data_access.access)."""


@users_group.command(
    "add",
    help="Donne un rôle (lecture, pilotage ou admin) à une adresse électronique ou à tout un "
    "domaine (@creuse.fr) ; sert aussi à désigner le premier administrateur.",
)
@click.argument("pattern")
@click.argument("role")
@click.option("--user", default=None, help="Auteur du changement (par défaut : l'utilisateur).")
def users_add(pattern: str, role: str, user: str | None) -> None:
    """Grant or change a role, audited."""
    from data_access.access import ROLE_LABELS, grant_role
    from data_access.db import session_scope

    with session_scope(_engine()) as session:
        saved = grant_role(session, pattern, role, actor=_user(user))
    click.echo(f"{saved.pattern} : {ROLE_LABELS[saved.role]}.")


@users_group.command("remove", help="Retire le rôle d'une adresse ou d'un domaine.")
@click.argument("pattern")
@click.option("--user", default=None, help="Auteur du changement (par défaut : l'utilisateur).")
def users_remove(pattern: str, user: str | None) -> None:
    """Revoke a role, audited; a French error when there was none."""
    from data_access.access import AccessError, revoke_role
    from data_access.db import session_scope

    with session_scope(_engine()) as session:
        removed = revoke_role(session, pattern, actor=_user(user))
    if not removed:
        raise AccessError(f"« {pattern.strip().lower()} » n'avait aucun rôle.")
    click.echo(f"{pattern.strip().lower()} n'a plus de rôle.")


@users_group.command("list", help="Liste les adresses et domaines qui ont un rôle.")
@click.option("--json", "as_json", is_flag=True, help="Sortie JSON.")
def users_list(as_json: bool) -> None:
    """Print the access list, domains first."""
    import json

    from data_access.access import list_grants

    grants = list_grants(_engine())
    if as_json:
        rows = [
            {
                "pattern": g.pattern,
                "role": g.role,
                "granted_at": g.granted_at.isoformat(),
                "granted_by": g.granted_by,
            }
            for g in grants
        ]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not grants:
        click.echo("Aucune adresse ni aucun domaine n'a de rôle.")
    for g in grants:
        click.echo(f"{g.pattern}\t{g.role}\t{g.granted_at:%Y-%m-%d %H:%M}\t{g.granted_by or '—'}")


@cli.command("quality", help="Qualité des données : complétude, incohérences, fraîcheur, par UTAS.")
@click.option("--json", "as_json", is_flag=True, help="Sortie JSON (effectifs masqués).")
@click.option(
    "--as-of",
    "as_of",
    default=None,
    help="Date d'observation : fraîcheur des imports mesurée à cette date (AAAA-MM-JJ, "
    "défaut : aujourd'hui).",
)
def quality(as_json: bool, as_of: str | None) -> None:
    """Print the data-quality checks (JSON, or one French line per check)."""
    import json

    from metrics.quality import describe_report, quality_report
    from metrics.scope import Scope
    from metrics.spec import MetricContext

    day = _parse_date(as_of, "--as-of") or dt.date.today()
    report = quality_report(MetricContext(_engine(), _settings(), Scope.build(day, day)))
    if as_json:
        click.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
        return
    for line in describe_report(report, _settings().secrecy_threshold):
        click.echo(line)


@cli.command(
    "orientation-types",
    help="Types d'orientation propres au département : liste des noms importés et du type "
    "national retenu ; --apply applique PILOTAGE_ORIENTATION_TYPE_MAP aux orientations déjà "
    "importées.",
)
@click.option(
    "--apply",
    "apply_map",
    is_flag=True,
    help="Rattache les orientations déjà importées selon la correspondance configurée.",
)
def orientation_types(apply_map: bool) -> None:
    """List the local orientation type names, or apply the configured mapping to them."""
    from babel.numbers import format_decimal

    from data_access.orientation_types import apply_mapping, local_types
    from metrics.orientation import TYPE_LABELS

    settings = _settings()
    if apply_map:
        changed = apply_mapping(_engine(), settings.orientation_types)
        click.echo(f"{format_decimal(changed, locale='fr_FR')} orientation(s) rattachée(s).")
    found = local_types(_engine())
    if not found:
        click.echo("Aucun type d'orientation propre au département dans la base.")
        return
    threshold = settings.secrecy_threshold
    for item in found:
        count = item.decisions
        shown = (
            f"< {threshold}" if 0 < count < threshold else format_decimal(count, "#,##0", "fr_FR")
        )
        label = TYPE_LABELS.get(item.stored_type, item.stored_type)
        click.echo(f"« {item.label} » → {label} ({shown} décision(s))")


def _parse_date(value: str | None, option: str) -> dt.date | None:
    """An ISO date (AAAA-MM-JJ) from an option, or a French error naming the option."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ScopeError(
            f"Date invalide pour {option} : « {value} » (format attendu AAAA-MM-JJ)."
        ) from None


def scope_options(command: Callable[..., None]) -> Callable[..., None]:
    """The five options of a scope (--from, --to, --as-of, --territory, --payer), handed to
    the command as one ``scope`` argument; a bad date or period is a French error."""

    @functools.wraps(command)
    def with_scope(
        date_from: str,
        date_to: str,
        as_of: str | None,
        territory: str | None,
        payer: str | None,
        **kwargs: object,
    ) -> None:
        scope = Scope.build(
            _parse_date(date_from, "--from"),  # type: ignore[arg-type]
            _parse_date(date_to, "--to"),  # type: ignore[arg-type]
            _parse_date(as_of, "--as-of"),
            territory,
            payer,
        )
        command(scope=scope, **kwargs)

    options = (
        click.option(
            "--from", "date_from", required=True, help="Début de la période (AAAA-MM-JJ)."
        ),
        click.option(
            "--to", "date_to", required=True, help="Fin de la période (AAAA-MM-JJ), incluse."
        ),
        click.option(
            "--as-of", "as_of", default=None, help="Date d'observation (par défaut : --to)."
        ),
        click.option(
            "--territory", default=None, help="UTAS (nom), EPCI (SIREN) ou commune (code INSEE)."
        ),
        click.option("--payer", type=click.Choice(["caf", "msa"]), default=None, help="Payeur."),
    )
    for option in reversed(options):
        with_scope = option(with_scope)
    return with_scope


@cli.command("metrics", help="Calcule tous les indicateurs pour une période (JSON ou tableau).")
@scope_options
@click.option("--json", "as_json", is_flag=True, help="Sortie JSON : scope et indicateurs.")
def metrics_command(scope: Scope, as_json: bool) -> None:
    """Every indicator of every registered family for one scope."""
    import json
    from concurrent.futures import ThreadPoolExecutor

    from metrics.deferred import FAMILY_WORKERS
    from metrics.report import metrics_report

    # The families are independent scans: run side by side, they take the time of the
    # longest ones rather than of their sum.
    with ThreadPoolExecutor(max_workers=FAMILY_WORKERS) as pool:
        report = metrics_report(_engine(), _settings(), scope, parallel=pool)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        for line in _metrics_table(report, _settings().secrecy_threshold):
            click.echo(line)


def _metrics_table(report: dict, threshold: int) -> list[str]:
    """The report as a French table: label, value, target and status of each indicator."""
    from formatting import format_date, format_days, format_int, format_rate, secret_label

    formats = {"ratio": format_rate, "days": format_days, "count": format_int}
    statuses = {
        "atteint": "cible atteinte",
        "non_atteint": "cible non atteinte",
        "sans_cible": "",
        "secret": "",
        "sans_donnees": "aucune donnée",
    }
    scope = report["scope"]
    dates = {key: format_date(dt.date.fromisoformat(scope[key])) for key in ("from", "to", "as_of")}
    lines = [f"Indicateurs du {dates['from']} au {dates['to']} (observés au {dates['as_of']})"]
    for item in report["metrics"].values():
        fmt = formats.get(item["unit"], format_int)
        value = secret_label(threshold) if item["suppressed"] else fmt(item["value"])
        target = f"cible {fmt(item['target'])}" if item.get("target") is not None else ""
        if target and item.get("target_source") == "DREES":
            year = item.get("target_year")
            target += ", référence nationale DREES" + (f" {year}" if year else "")
        status = statuses.get(item.get("status", ""), "")
        extra = " ; ".join(part for part in (target, status) if part)
        lines.append(f"{item['label']} : {value}" + (f" ({extra})" if extra else ""))
        mature = item.get("mature_cohort")
        if mature:
            shown = secret_label(threshold) if mature["suppressed"] else fmt(mature["value"])
            status = statuses.get(mature.get("status", ""), "")
            lines.append(f"    {mature['label']} : {shown}" + (f" ({status})" if status else ""))
    bases = {item.get("rounding") for item in report["metrics"].values()} - {None, 1}
    if bases:
        lines.append(
            f"Effectifs de personnes arrondis à {max(bases)} près (secret statistique), "
            "taux calculés sur ces effectifs."
        )
    return lines


@cli.group("export", help="Exports : support PowerPoint et rapport PDF du comité de suivi.")
def export_group() -> None:
    """Exports for meetings."""


@export_group.command(
    "deck", help="Support du comité de suivi (PowerPoint 16:9, graphiques natifs modifiables)."
)
@scope_options
@click.option(
    "--committee-date", default=None, help="Date du comité (AAAA-MM-JJ, par défaut : --to)."
)
@click.option(
    "--output", required=True, type=click.Path(path_type=Path), help="Fichier .pptx à écrire."
)
def export_deck_command(scope: Scope, committee_date: str | None, output: Path) -> None:
    """Build the committee deck, store its figures as a snapshot, write the file."""
    import time

    from babel.numbers import format_decimal

    from formatting import format_int
    from reports.deck import export_deck

    started = time.perf_counter()
    content = export_deck(
        _engine(),
        _settings(),
        period_from=scope.start,
        period_to=scope.end,
        as_of=scope.as_of,
        committee_date=_parse_date(committee_date, "--committee-date"),
        territory=scope.territory,
        payer=scope.payer,
    )
    _write_output(output, content)
    _audit(
        None,
        "export",
        f"support du comité (PowerPoint, ligne de commande) — {_scope_for_audit(scope)}",
    )
    click.echo(
        f"Support du comité écrit : {output} ({format_int(len(content) / 1024)} Ko, "
        f"{format_decimal(round(time.perf_counter() - started, 1), locale='fr_FR')} s) ; "
        "chiffres conservés pour le prochain comité."
    )


def _scope_for_audit(scope: Scope) -> str:
    """The scope of an exported document as the audit log records it."""
    return (
        f"du {scope.start} au {scope.end}, au {scope.as_of}, "
        f"territoire={scope.territory or 'département'}, payeur={scope.payer or 'tous'}"
    )


def _write_output(output: Path, content: bytes) -> None:
    """Write an exported document, or say in one French line why it could not be written
    (nothing is audited then: no file left the machine)."""
    try:
        output.write_bytes(content)
    except OSError as exc:
        from data_access.importers.reading import describe_os_error

        reason = describe_os_error(exc, writing=True)
        click.echo(f"Erreur : impossible d'écrire {output} ({reason}).", err=True)
        sys.exit(1)


@export_group.command(
    "report",
    help="Rapport imprimable du comité de suivi (PDF A4, en français) : mêmes chiffres et "
    "graphiques que la page et le support, secret statistique appliqué.",
)
@scope_options
@click.option(
    "--committee-date", default=None, help="Date du comité (AAAA-MM-JJ, par défaut : --to)."
)
@click.option(
    "--output", required=True, type=click.Path(path_type=Path), help="Fichier .pdf à écrire."
)
def export_report_command(scope: Scope, committee_date: str | None, output: Path) -> None:
    """Print the committee report to a PDF file (nothing is stored, unlike the deck)."""
    from formatting import format_int
    from reports.pdf_report import export_report

    content = export_report(
        _engine(),
        _settings(),
        period_from=scope.start,
        period_to=scope.end,
        as_of=scope.as_of,
        committee_date=_parse_date(committee_date, "--committee-date"),
        territory=scope.territory,
        payer=scope.payer,
    )
    _write_output(output, content)
    _audit(
        None,
        "export",
        f"rapport du comité (PDF, ligne de commande) — {_scope_for_audit(scope)}",
    )
    click.echo(f"Rapport du comité écrit : {output} ({format_int(len(content) / 1024)} Ko).")


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the click group and translate user errors into one French line."""
    try:
        cli.main(args=argv, prog_name="pilotage", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Interrompu.", err=True)
        sys.exit(1)
    except click.UsageError as exc:
        click.echo(f"Erreur : option ou argument invalide : {usage_detail(exc)}", err=True)
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        click.echo(f"Erreur : {translate_click(exc.format_message())}", err=True)
        sys.exit(exc.exit_code)
    except USER_ERRORS as exc:
        click.echo(f"Erreur : {exc}", err=True)
        for error in getattr(exc, "errors", None) or []:
            click.echo(str(error), err=True)
        sys.exit(1)
    except SQLAlchemyError as exc:
        click.echo(f"Erreur : {_database_error_message(exc)}", err=True)
        sys.exit(1)


def _database_error_message(exc: SQLAlchemyError) -> str:
    """One French sentence for any database failure, so no command ever shows a traceback:
    tables missing (init-db never run), unusable URL, or a server out of reach."""
    text = str(exc).lower()
    if "no such table" in text or ("relation" in text and "does not exist" in text):
        return NOT_INITIALISED
    if "no such column" in text or ("column" in text and "does not exist" in text):
        return (
            "Le schéma de la base n'est pas à jour (colonne manquante) : lancez "
            "« pilotage init-db »."
        )
    if "database is locked" in text:
        return "La base est verrouillée par un autre programme : réessayez dans un instant."
    if isinstance(exc, (ArgumentError, NoSuchModuleError)):
        return (
            "L'adresse de la base de données (PILOTAGE_DATABASE_URL) est invalide ou désigne "
            "un moteur inconnu : attendu sqlite:///chemin.db ou postgresql+psycopg://…"
        )
    from data_access.db import describe_connection_error

    return describe_connection_error(_engine(), exc)


if __name__ == "__main__":
    main()
