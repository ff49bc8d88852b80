"""The house rules of DESIGN.md that a test can keep: layers and privacy of the schema."""

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
