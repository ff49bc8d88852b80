"""Settings: defaults, environment overrides, and one French line for a bad value."""

from __future__ import annotations

import subprocess
import sys

import pytest

from settings import DEFAULT_DATABASE_URL, Settings, SettingsError, load_settings


def test_defaults_are_creuse_and_domain_thresholds(monkeypatch):
    for name in ("PILOTAGE_DATABASE_URL", "PILOTAGE_SECRECY_THRESHOLD"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings(_env_file=None)
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert (settings.departement_code, settings.departement_name) == ("23", "Creuse")
    assert settings.secrecy_threshold == 11
    assert (settings.convocation_days, settings.orientation_days) == (15, 45)
    assert (settings.orientation_short_days, settings.contract_days) == (30, 30)


def test_environment_overrides(monkeypatch):
    monkeypatch.setenv("PILOTAGE_SECRECY_THRESHOLD", "6")
    monkeypatch.setenv("PILOTAGE_DEPARTEMENT_CODE", "2a")
    settings = Settings(_env_file=None)
    assert settings.secrecy_threshold == 6
    assert settings.departement_code == "2A"


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        (
            "PILOTAGE_SECRECY_THRESHOLD",
            "onze",
            "Configuration invalide : seuil du secret statistique (PILOTAGE_SECRECY_THRESHOLD) : "
            "un nombre entier est attendu.",
        ),
        (
            "PILOTAGE_CONVOCATION_DAYS",
            "0",
            "Configuration invalide : délai cible de convocation (jours) "
            "(PILOTAGE_CONVOCATION_DAYS) : doit être au moins 1.",
        ),
        (
            "PILOTAGE_DEPARTEMENT_CODE",
            "Creuse",
            "Configuration invalide : code du département (PILOTAGE_DEPARTEMENT_CODE) : "
            "doit faire 2 ou 3 caractères (ex. 23, 2A, 974).",
        ),
    ],
)
def test_bad_value_gives_one_french_line(monkeypatch, name, value, expected):
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as info:
        load_settings()
    assert str(info.value) == expected


def test_cli_reports_bad_setting_without_traceback(tmp_path):
    env = {"PILOTAGE_SECRECY_THRESHOLD": "abc", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", "import cli; cli.main(['init-db'])"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().startswith("Erreur : Configuration invalide : seuil du secret")
