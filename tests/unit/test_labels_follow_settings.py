"""Labels and definitions say the configured delays; every id a page names exists.

A département that sets its convocation delay to 10 days measures « within 10 days »: a card,
CSV, slide or ``pilotage metrics --json`` still saying « sous 15 jours » would misname the
figure. Ids stay as they are (public interface)."""

from __future__ import annotations

import ast
import datetime as dt
import json
import re
from pathlib import Path

import pytest

from charts.committee import committee_charts, headline_rows
from cli import cli
from metrics import catalog, displays
from metrics.committee import gather_committee
from metrics.spec import IndicatorSpec, fill
from tests.conftest import make_settings
from tests.unit.metrics_data import Dataset

ROOT = Path(__file__).resolve().parents[2]


def _ten_days(url: str = "sqlite://"):  # type: ignore[no-untyped-def]
    return make_settings(url, convocation_days=10)


def test_label_and_definition_follow_the_convocation_delay():
    settings = _ten_days()
    label = catalog.label_of("convocation_within_15d_rate", settings)
    assert label == "Part des entrants convoqués sous 10 jours"
    definition = catalog.definition_of("convocation_within_15d_rate", settings)
    assert "dans les 10 jours suivant leur entrée" in definition
    spec = catalog.spec_for("convocation_within_15d_rate")
    assert "S(10)" in spec.formula_for(settings)
    for text in (label, definition, spec.formula_for(settings)):
        assert "15" not in text


def test_other_delays_and_hours_follow_their_settings():
    settings = make_settings(
        "sqlite://",
        orientation_days=40,
        orientation_short_days=20,
        contract_days=25,
        activity_hours_min=12.5,
    )
    assert catalog.label_of("orientation_within_45d_rate", settings).endswith("sous 40 jours")
    assert catalog.label_of("orientation_within_30d_rate", settings).endswith("sous 20 jours")
    assert catalog.label_of("contract_within_30d_rate", settings).endswith("sous 25 jours")
    assert "au moins 12,5 h" in catalog.label_of("activity_15h_rate", settings)


def test_no_indicator_text_keeps_a_placeholder_or_the_default_delay():
    settings = make_settings(
        "sqlite://",
        convocation_days=11,
        orientation_days=41,
        orientation_legal_days=43,
        orientation_short_days=31,
        contract_days=29,
    )
    for spec in catalog.indicators():
        for text in (
            spec.label_for(settings),
            spec.definition_for(settings),
            spec.formula_for(settings),
        ):
            assert not re.search(r"\{[a-z_]+\}", text), spec.id
            assert not re.search(r"\b(15|30|42|45) jours\b", text), (spec.id, text)


def test_fill_leaves_other_braces_alone():
    settings = _ten_days()
    assert fill("statut ∉ {fait, abandonné}", settings) == "statut ∉ {fait, abandonné}"
    assert fill("sous {convocation_days} jours", settings) == "sous 10 jours"


def test_validate_reports_an_unknown_setting_in_a_template(monkeypatch):
    from metrics.spec import Family

    spec = IndicatorSpec("x", "Sous {no_such_setting} jours", "d", "f", "ratio")
    family = Family("x", "X", (spec,), lambda context: {})
    monkeypatch.setattr(catalog, "families", lambda: (family,))
    monkeypatch.setattr(displays, "DISPLAYS", {})
    assert catalog.validate() == ["x: label cite un paramètre inconnu « {no_such_setting} »"]


def test_validate_reports_an_unknown_id_named_by_a_page(monkeypatch):
    monkeypatch.setattr(displays, "DISPLAYS", {"Convocation": ("convocation_within_10d_rate",)})
    assert catalog.validate() == ["Convocation: indicateur inconnu « convocation_within_10d_rate »"]


# An indicator id as pages, charts and slides write it: snake case ending like the catalogue's.
ID_SHAPE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*_(rate|days|median|steps|total|14d)$")


def _id_literals(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and ID_SHAPE.match(node.value)
    }


def test_every_indicator_id_written_in_a_page_chart_or_slide_exists():
    """Lists of ids live in metrics/displays.py (checked by validate); an id written inline
    elsewhere must exist too, or its card, chart or slide line would silently vanish."""
    unknown = {}
    for folder in ("screens", "charts", "reports", "ui"):
        for path in (ROOT / folder).rglob("*.py"):
            for literal in _id_literals(path):
                try:
                    catalog.spec_for(literal)
                except catalog.UnknownMetricError:
                    unknown.setdefault(str(path.relative_to(ROOT)), []).append(literal)
    assert unknown == {}


def test_the_id_scan_sees_an_unknown_id(tmp_path):
    page = tmp_path / "page.py"
    page.write_text('KPIS = ("convocation_within_10d_rate", "entrants")\n', encoding="utf-8")
    assert _id_literals(page) == {"convocation_within_10d_rate"}


def test_no_hard_coded_convocation_delay_in_screens_charts_or_slides():
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for folder in ("screens", "charts", "reports", "ui")
        for path in (ROOT / folder).rglob("*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "15 jours" in line
    ]
    assert offenders == []


def _dataset(db) -> None:  # type: ignore[no-untyped-def]
    data = Dataset()
    for i in range(12):
        pid = data.person(f"2024-01-{i + 1:02d}")
        data.invitation(pid, f"2024-01-{i + 5:02d}")
        data.orientation(pid, f"2024-02-{i + 1:02d}", "pro")
    data.save(db.engine)


def test_metrics_json_says_the_configured_delay(db, monkeypatch, capsys):
    _dataset(db)
    settings = _ten_days(db.settings.database_url)
    monkeypatch.setattr("cli._settings", lambda: settings)
    monkeypatch.setattr("cli._engine", lambda: db.engine)
    with pytest.raises(SystemExit) as exit_info:
        cli.main(
            args=["metrics", "--from", "2024-01-01", "--to", "2024-06-30", "--json"],
            prog_name="pilotage",
        )
    assert exit_info.value.code == 0
    item = json.loads(capsys.readouterr().out)["metrics"]["convocation_within_15d_rate"]
    assert item["label"] == "Part des entrants convoqués sous 10 jours"
    assert "dans les 10 jours" in item["definition"]
    # Invited 4 days after entry: within 10 days too.
    assert item["value"] == 1


def test_committee_table_and_charts_say_the_configured_delay(db):
    _dataset(db)
    settings = _ten_days(db.settings.database_url)
    data = gather_committee(db.engine, settings, dt.date(2024, 6, 30))
    rows = {row.metric_id: row.label for row in headline_rows(data)}
    assert rows["convocation_within_15d_rate"].startswith(
        "Part des entrants convoqués sous 10 jours"
    )
    titles = [chart.title for chart in committee_charts(data)]
    assert any("sous 10 jours" in title for title in titles)
    words = " ".join([*rows.values(), *titles])
    assert "15 jours" not in words
