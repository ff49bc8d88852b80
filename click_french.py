"""Click in French: help pages and the usage errors our commands can produce.

Click ships no French catalogue and the users of ``pilotage`` are French-speaking agents, so
the headings, the ``--help`` option, the « défaut » and « obligatoire » marks and the usage
errors are translated here, apart from the commands themselves (``cli.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import click

HELP_OPTION_TEXT = "Affiche cette aide et quitte."
HELP_HEADINGS = {"Commands": "Commandes", "Options": "Options", "Arguments": "Arguments"}
HELP_EXTRAS = (
    ("[default: ", "[défaut : "),
    ("[required]", "[obligatoire]"),
    ("default: ", "défaut : "),
)


class FrenchHelpFormatter(click.HelpFormatter):
    """Click's help layout with French headings: click ships no French catalogue, and users
    of the command are French-speaking agents."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, prefix="Utilisation : " if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        super().write_heading(HELP_HEADINGS.get(heading, heading))

    def write_dl(
        self, rows: Iterable[tuple[str, str]], col_max: int = 30, col_spacing: int = 2
    ) -> None:
        super().write_dl(
            [(term, _french_extras(text)) for term, text in rows], col_max, col_spacing
        )


def _french_extras(text: str) -> str:
    for english, french in HELP_EXTRAS:
        text = text.replace(english, french)
    return text


class FrenchContext(click.Context):
    formatter_class = FrenchHelpFormatter


class FrenchHelpMixin:
    """Every command's --help option described in French."""

    context_class: type[click.Context] = FrenchContext

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = HELP_OPTION_TEXT
        return option


class FrenchCommand(FrenchHelpMixin, click.Command):
    """A command with French help."""


class FrenchGroup(FrenchHelpMixin, click.Group):
    """A group whose subcommands and subgroups all get French help."""

    command_class = FrenchCommand
    group_class = type

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("subcommand_metavar", "COMMANDE [ARGUMENTS]...")
        super().__init__(*args, **kwargs)


CLICK_MESSAGES = (
    (r"Invalid value for '([^']+)': ", r"valeur invalide pour « \1 » : "),
    (r"'([^']*)' is not a valid integer( range)?\.", r"« \1 » n'est pas un nombre entier."),
    (r"'([^']*)' is not a valid float( range)?\.", r"« \1 » n'est pas un nombre."),
    (r"'([^']*)' is not one of (.*?)\.", r"« \1 » n'est pas parmi \2."),
    (r"No such option: (\S+?)\.?$", r"option inconnue \1."),
    (r"No such option '([^']+)'\.?", r"option inconnue « \1 »."),
    (r"No such command '([^']+)'\.", r"commande inconnue « \1 »."),
    (r"Missing argument '([^']+)'\.", r"argument manquant « \1 »."),
    (r"Missing option '([^']+)'\.", r"option obligatoire manquante « \1 »."),
    (r"Option '([^']+)' requires an argument\.", r"l'option « \1 » attend une valeur."),
    (r"Option '([^']+)' requires (\d+) arguments\.", r"l'option « \1 » attend \2 valeurs."),
    (r"Got unexpected extra arguments? \((.+)\)", r"argument en trop : \1."),
    (r"Missing command\.", r"commande manquante."),
    (r"Did you mean one of: (.+?)\?", r"Vouliez-vous dire l'une de : \1 ?"),
    (r"Did you mean '([^']+)'\?", r"Vouliez-vous dire « \1 » ?"),
    (r"Possible options: ", r"options possibles : "),
    (r"(File|Path|Directory) '([^']+)' does not exist\.", r"« \2 » n'existe pas."),
)


def translate_click(message: str) -> str:
    """Click's English messages in French, for the ones our commands can produce; anything
    else keeps click's wording after the French lead-in."""
    for pattern, french in CLICK_MESSAGES:
        message = re.sub(pattern, french, message)
    return " ".join(message.split())


def usage_detail(exc: click.UsageError) -> str:
    """The translated click detail and where to find the help of the command at fault."""
    detail = translate_click(exc.format_message()).rstrip(".")
    command = exc.ctx.command_path if exc.ctx else "pilotage"
    return f"{detail} (aide : {command} --help)."
