"""The ``pilotage`` command: thin commands that call one library function each.

Every library error carries a French message; ``main`` prints it on one line and exits 1,
so users never see a traceback.
"""

from __future__ import annotations

import sys

import click
from sqlalchemy import Engine

from data_access.exceptions import DataAccessError
from metrics.exceptions import MetricError
from settings import Settings, SettingsError, get_settings

USER_ERRORS = (DataAccessError, MetricError, SettingsError)


def _settings() -> Settings:
    return get_settings()


def _engine() -> Engine:
    from data_access.db import get_engine

    return get_engine(_settings().database_url)


@click.group(
    help="Pilotage de la réforme du RSA : base opérationnelle, démo, imports, indicateurs."
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


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the click group and translate user errors into one French line."""
    try:
        cli.main(args=argv, prog_name="pilotage", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Interrompu.", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except USER_ERRORS as exc:
        click.echo(f"Erreur : {exc}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
