"""Documentation is part of the product: every setting, command and indicator is explained.

Like Datasette's and sqlite-utils' doc tests, these fail when something new lands without its
French help text or without its line in the README.
"""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from cli import cli
from metrics import catalog
from settings import Settings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in group.commands.items():
        path = f"{prefix}{name}"
        found.append((path, command))
        if isinstance(command, click.Group):
            found.extend(_commands(command, path + " "))
    return found


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_has_a_description_and_a_readme_line(name):
    assert (Settings.model_fields[name].description or "").strip()
    assert f"PILOTAGE_{name.upper()}" in README


@pytest.mark.parametrize(("path", "command"), _commands(cli), ids=lambda v: str(v))
def test_every_command_has_help_and_a_readme_example(path, command):
    assert (command.help or "").strip(), f"pilotage {path} sans aide"
    for param in command.params:
        if isinstance(param, click.Option):
            assert (param.help or "").strip(), f"pilotage {path} {param.opts[0]} sans aide"
    assert f"pilotage {path}" in README


def test_catalogue_has_no_problem():
    assert catalog.validate() == []


def test_readme_gives_the_two_setup_commands():
    assert "make run" in README
    assert "make test" in README
