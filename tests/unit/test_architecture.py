"""The rules of the house (docs/ARCHITECTURE.md) that a test can keep: floors, no import
cycles, privacy of the schema."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOWER_LAYERS = ("metrics", "data_access")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("layer", LOWER_LAYERS)
def test_lower_layers_never_import_streamlit_or_upper_layers(layer):
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            _imports(path) & {"streamlit", "screens", "ui", "charts"}
        )
        for path in (ROOT / layer).rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_pages_never_write_sql():
    offenders = []
    for path in (ROOT / "screens").glob("*.py"):
        imported = _imports(path)
        if imported & {"sqlalchemy"}:
            offenders.append(path.name)
    assert offenders == []


def test_schema_has_no_column_for_names_or_contacts():
    from data_access.schema import Base

    forbidden = (
        "nom",
        "prenom",
        "first_name",
        "last_name",
        "email",
        "phone",
        "telephone",
        "address",
        "adresse",
        "caf_number",
        "nir",
    )
    found = [
        f"{table.name}.{column.name}"
        for table in Base.metadata.sorted_tables
        if table.name
        not in {
            "communes",
            "postal_codes",
            "partner_structures",
            "partner_services",
            "meetings",
            "roadmap_steps",
        }
        for column in table.columns
        if any(word == column.name or column.name.startswith(word + "_") for word in forbidden)
    ]
    assert found == []


def test_charts_never_import_the_streamlit_glue():
    """charts/ renders for the screen and for the deck alike: it may not depend on ui/."""
    offenders = {
        str(path.relative_to(ROOT)): sorted(_imports(path) & {"streamlit", "ui", "screens"})
        for path in (ROOT / "charts").rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_no_streamlit_pages_directory_beside_the_entry_point():
    """Streamlit's legacy multipage mode runs ``pages/X.py`` directly (without app.py, hence
    without sign-in or role check) for the first session after a start whenever a folder named
    ``pages`` sits beside the entry point; the screens live in ``screens/`` for that reason."""
    assert not (ROOT / "pages").exists()
    assert any((ROOT / "screens").glob("*.py"))


TOP_LEVEL_PACKAGES = ("data_access", "metrics", "charts", "reports", "ui", "screens")


def test_charts_never_import_data_access():
    """A chart is drawn from results, never from the database: whatever charts/ needs comes
    from metrics/ (figures) or from its caller (paths, snapshots)."""
    offenders = {
        str(path.relative_to(ROOT)): ["data_access"]
        for path in (ROOT / "charts").rglob("*.py")
        if "data_access" in _imports(path)
    }
    assert offenders == {}


def _offenders(package: str, forbidden: set[str]) -> dict[str, list[str]]:
    found = {
        str(path.relative_to(ROOT)): sorted(_imports(path) & forbidden)
        for path in (ROOT / package).rglob("*.py")
    }
    return {k: v for k, v in found.items() if v}


def test_reports_never_import_streamlit_or_the_pages():
    """A document is built alike from the command line and from a page: reports/ sits below
    ui/ and screens/ and may not depend on Streamlit."""
    assert _offenders("reports", {"streamlit", "ui", "screens"}) == {}


def test_charts_never_import_reports():
    """charts/ draws what reports/ assembles: the arrow runs from reports/ down to charts/."""
    assert _offenders("charts", {"reports"}) == {}


@pytest.mark.parametrize("layer", LOWER_LAYERS)
def test_lower_layers_never_import_reports(layer):
    assert _offenders(layer, {"reports"}) == {}


def _module_imports(path: Path) -> set[str]:
    """Full dotted names of the modules a file imports (``charts.deck``, not ``charts``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _product_files() -> list[Path]:
    return [
        path
        for path in ROOT.rglob("*.py")
        if not {"tests", ".venv", "migrations", "bench"} & set(path.relative_to(ROOT).parts)
    ]


def test_one_way_to_a_deck_through_reports():
    """The command line and the committee page build the deck through reports/deck.py (gather,
    draw, keep the snapshot), so that both hand out the same deck and store its figures once;
    nothing else draws a deck or writes a snapshot."""
    drawers = sorted(
        str(path.relative_to(ROOT))
        for path in _product_files()
        if "charts.deck" in _module_imports(path)
    )
    writers = sorted(
        str(path.relative_to(ROOT))
        for path in _product_files()
        if "save_snapshot" in path.read_text(encoding="utf-8")
        and path.relative_to(ROOT).parts[0] != "data_access"
    )
    assert drawers == ["reports/deck.py"]
    assert writers == ["reports/deck.py"]
    for caller in ("cli.py", "screens/comite.py"):
        assert "reports.deck" in _module_imports(ROOT / caller), caller


def _package_graph() -> dict[str, set[str]]:
    """Which top-level package imports which, at any depth of its modules (imports inside
    functions and under TYPE_CHECKING included: a reader follows them all the same)."""
    return {
        package: {
            imported
            for path in (ROOT / package).rglob("*.py")
            if "migrations" not in path.parts
            for imported in _imports(path) & set(TOP_LEVEL_PACKAGES)
            if imported != package
        }
        for package in TOP_LEVEL_PACKAGES
    }


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every elementary cycle through the graph, each once, starting at its smallest node."""
    found: list[list[str]] = []

    def walk(start: str, node: str, path: list[str]) -> None:
        for following in sorted(graph[node]):
            if following == start:
                found.append([*path, start])
            elif following > start and following not in path:
                walk(start, following, [*path, following])

    for start in sorted(graph):
        walk(start, start, [start])
    return found


def test_cycle_finder_sees_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_between_top_level_packages():
    """Data flows one way (data_access → metrics → charts → ui/screens): a cycle between two
    floors would mean one of them reaches back up, and neither could be read alone."""
    assert _cycles(_package_graph()) == []


def test_bench_never_imports_the_tests():
    """The speed measurements run without the test suite (``make bench``): what both need
    lives in bench/ or in the product, never in tests/."""
    offenders = {
        str(path.relative_to(ROOT)): ["tests"]
        for path in (ROOT / "bench").rglob("*.py")
        if "tests" in _imports(path)
    }
    assert offenders == {}


def test_command_line_never_imports_streamlit():
    """``pilotage`` runs on servers without a browser session: the CLI reaches the library
    floors directly, never through the Streamlit glue."""
    offenders = {
        name: sorted(_imports(ROOT / name) & {"streamlit", "ui", "screens"})
        for name in ("cli.py", "click_french.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}
