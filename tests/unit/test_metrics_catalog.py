"""The catalogue is complete and valid; the CLI prints every indicator; series and curves."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from cli import cli, main
from metrics import catalog
from metrics.scope import Scope
from metrics.spec import MetricContext
from tests.conftest import make_settings
from tests.unit.metrics_data import Dataset

# The ids of the first families: public interface of `pilotage metrics --json`, never renamed.
CORE_IDS = (
    "entrants",
    "convocation_within_15d_rate",
    "convocation_median_days",
    "first_appointment_median_days",
    "no_show_rate",
    "orientation_within_45d_rate",
    "orientation_within_30d_rate",
    "orientation_median_days",
    "orientation_mean_days",
    "orientation_share_pro",
    "orientation_share_socio_pro",
    "orientation_share_social",
    "stock_orientation_rate",
    "stock_orientation_rate_lt6m",
    "stock_orientation_rate_6to12m",
    "stock_orientation_rate_ge12m",
    "contract_within_30d_rate",
    "contract_mean_days",
    "activity_15h_rate",
    "caseload_median",
    "invitations_sent",
    "appointments_held",
    "orientations_decided",
    "contracts_signed",
)


def test_registry_is_valid():
    assert catalog.validate() == []


def test_every_core_id_is_registered_with_french_texts():
    ids = {spec.id for spec in catalog.indicators()}
    assert set(CORE_IDS) <= ids
    for metric_id in CORE_IDS:
        spec = catalog.spec_for(metric_id)
        assert spec.label and spec.definition and spec.formula
        assert spec.person_based
        assert "cohort_month" in spec.breakdowns or "utas" in spec.breakdowns


def test_validate_reports_every_problem_at_once(monkeypatch):
    from metrics.spec import Family, IndicatorSpec

    bad = IndicatorSpec("x", "libellé", "", "f", "percent", target=lambda s: 2.0)  # type: ignore[arg-type]
    family = Family("bad", "Mauvaise", (bad, bad), lambda context: {})
    monkeypatch.setattr(catalog, "families", lambda: (family,))
    problems = catalog.validate()
    assert "x: identifiant en double" in problems
    assert "x: definition vide" in problems
    assert any("unité inconnue" in p for p in problems)
    assert any("source de la cible inconnue" in p for p in problems)
    assert any("majuscule" in p for p in problems)


def test_targets_follow_settings():
    settings = make_settings("sqlite://", orientation_legal_days=30)
    assert catalog.spec_for("orientation_median_days").target_for(settings) == 30


def _small_dataset(db) -> None:
    data = Dataset()
    for i in range(12):
        pid = data.person(f"2024-01-{i + 1:02d}")
        data.invitation(pid, f"2024-01-{i + 5:02d}")
        data.orientation(pid, f"2024-02-{i + 1:02d}", "pro")
    data.save(db.engine)


def test_cli_json_prints_every_indicator(db, monkeypatch, capsys):
    _small_dataset(db)
    monkeypatch.setattr("cli._settings", lambda: db.settings)
    monkeypatch.setattr("cli._engine", lambda: db.engine)
    with pytest.raises(SystemExit) as exit_info:
        cli.main(
            args=["metrics", "--from", "2024-01-01", "--to", "2024-06-30", "--json"],
            prog_name="pilotage",
        )
    assert exit_info.value.code == 0
    report = json.loads(capsys.readouterr().out)
    assert report["scope"]["from"] == "2024-01-01" and report["scope"]["as_of"] == "2024-06-30"
    assert set(CORE_IDS) <= set(report["metrics"])
    for item in report["metrics"].values():
        assert {"value", "numerator", "denominator", "unit", "suppressed"} <= set(item)
        if item["unit"] == "ratio" and item["value"] is not None:
            assert 0 <= item["value"] <= 1
    # 12 entrants, each invited 4 days after entry → 100 % within 15 days.
    assert report["metrics"]["entrants"]["value"] == 12
    assert report["metrics"]["convocation_within_15d_rate"]["value"] == 1
    assert report["metrics"]["convocation_median_days"]["value"] == 4


def test_cli_table_is_french(db, monkeypatch, capsys):
    _small_dataset(db)
    monkeypatch.setattr("cli._settings", lambda: db.settings)
    monkeypatch.setattr("cli._engine", lambda: db.engine)
    with pytest.raises(SystemExit):
        cli.main(args=["metrics", "--from", "2024-01-01", "--to", "2024-06-30"])
    out = capsys.readouterr().out
    assert "Indicateurs du 1er janvier 2024 au 30 juin 2024" in out
    assert "Part des entrants convoqués sous 15 jours : 100,0 %" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2024-02-30", "--to", "2024-06-30"], "Date invalide pour --from"),
        (["--from", "2024-07-01", "--to", "2024-06-30"], "Période invalide"),
        (
            ["--from", "2024-01-01", "--to", "2024-06-30", "--territory", "Paris"],
            "Erreur : Territoire inconnu : « Paris » n'est pas une UTAS du département.",
        ),
    ],
)
def test_cli_errors_are_one_french_line(sqlite_db, monkeypatch, capsys, args, message):
    monkeypatch.setattr("cli._settings", lambda: sqlite_db.settings)
    monkeypatch.setattr("cli._engine", lambda: sqlite_db.engine)
    with pytest.raises(SystemExit) as exit_info:
        main(["metrics", *args])
    assert exit_info.value.code == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("Erreur : ") and message in err
    assert len(err.splitlines()) == 1


def test_series_and_curves(db):
    _small_dataset(db)
    settings = make_settings(db.settings.database_url, secrecy_threshold=2)
    scope = Scope.build(dt.date(2024, 1, 1), dt.date(2024, 3, 31))
    context = MetricContext(db.engine, settings, scope)
    points = catalog.series(context, "entrants", "month", 3)
    assert [(start.month, result.value) for start, _, result in points] == [
        (1, 12),
        (2, 0),
        (3, 0),
    ]
    weeks = catalog.series(context, "entrants", "week", 2)
    assert [end for _, end, _ in weeks] == [dt.date(2024, 3, 24), dt.date(2024, 3, 31)]
    (curve,) = catalog.delay_curves(context, "orientation_median_days")
    # Each person is oriented exactly 31 days after entry (January → February, same day).
    assert curve.points == ((0, 0.0), (31, 1.0))
    assert curve.size == 12 and not curve.suppressed
    # With a threshold of 13, the 12 persons of Guéret are too few: the curve is masked.
    strict = make_settings(db.settings.database_url, secrecy_threshold=13)
    (hidden,) = catalog.delay_curves(
        MetricContext(db.engine, strict, scope), "convocation_median_days", by="utas"
    )
    assert (hidden.key, hidden.suppressed, hidden.points, hidden.size) == ("Guéret", True, (), None)


def test_metrics_modules_import_each_other_without_a_cycle():
    """The catalogue imports every family module directly (no registry of names): a family
    importing the catalogue back would make a cycle that only import order hides."""
    import ast
    from pathlib import Path

    from tests.unit.test_architecture import _cycles

    folder = Path(catalog.__file__).parent
    graph: dict[str, set[str]] = {}
    for path in folder.glob("*.py"):
        imported: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "metrics":
                imported |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("metrics."):
                imported.add(node.module.split(".")[1])
        graph[path.stem] = imported
    graph = {name: {d for d in deps if d in graph} for name, deps in graph.items()}
    assert "convocation" in graph["catalog"]
    assert _cycles(graph) == []
