"""Hostile files: refused fast, in French, with bounded memory, and nothing written.

The three files of the security review are generated here (an .xlsx of a few KB whose sheet
claims A1:XFD1048576 and holds a cell in its last row and column, a JSON array nested 200 000
deep, a 100 MB line of separators). The two that used to exhaust memory are read in a child
process whose address space is capped: before the readers streamed, the child died of
MemoryError instead of printing a French refusal.
"""

from __future__ import annotations

import io
import json
import re
import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from data_access.exceptions import ImportValidationError
from data_access.import_history import UploadError, uploaded_files
from data_access.importers.bundle import BundleImporter
from data_access.importers.data_inclusion import DataInclusionImporter, split_list
from data_access.importers.json_reading import TooManyItemsError, load_bounded
from data_access.importers.pipeline import preview, run_import
from data_access.importers.rdv_insertion import RdvInsertionImporter
from data_access.importers.reading import (
    CellError,
    ReadLimits,
    UnreadableFileError,
    parse_bool,
    parse_choice,
    parse_date,
    parse_decimal,
    parse_int,
    read_table,
)
from data_access.schema import ImportRejection
from settings import Settings, SettingsError, load_settings
from tests.unit.bundle_data import BENEFICIARIES, table_counts

CHILD_MEMORY = 1024 * 1024 * 1024  # address space of the child reading a hostile file
CHILD_SECONDS = 60
FAST = 20.0  # seconds: generous on a loaded machine, where the old readers took minutes
HEADER = ["person_id", "entry_date", "commune_code", "payer", "subject_to_obligations"]


def dimension_bomb() -> bytes:
    """A real workbook whose sheet claims A1:XFD1048576 and has a cell at XFD1048576."""
    workbook = Workbook()
    workbook.active.append(HEADER)
    workbook.active.append(["A1", "2024-01-02", "23096", "caf", "oui"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _rewrite_sheet(
        buffer.getvalue(),
        lambda xml: re.sub(
            rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', xml
        ).replace(
            b"</sheetData>",
            b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
            b"</sheetData>",
        ),
    )


def _rewrite_sheet(data: bytes, change) -> bytes:  # type: ignore[no-untyped-def]
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = change(content)
            target.writestr(info.filename, content)
    return out.getvalue()


def _limit_child_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY, CHILD_MEMORY))


def read_in_child(path: Path) -> tuple[str, float]:
    """Read a file as an import does, in a process capped at 1 GB; its output and duration."""
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from data_access.importers.reading import ReadLimits, read_file_bytes, read_table\n"
        "from data_access.exceptions import DataAccessError\n"
        "path = Path(sys.argv[1])\n"
        "try:\n"
        "    table = read_table(read_file_bytes(path, ReadLimits()), path.name, ReadLimits())\n"
        "    print('lu', len(table.rows))\n"
        "except DataAccessError as exc:\n"
        "    print(exc)\n"
    )
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)],
        capture_output=True,
        text=True,
        timeout=CHILD_SECONDS,
        preexec_fn=_limit_child_memory,
        cwd=Path(__file__).resolve().parents[2],
        check=False,
    )
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip(), elapsed


# --- the three files of the review -------------------------------------------------------


def test_dimension_bomb_is_refused_fast_in_bounded_memory(tmp_path):
    path = tmp_path / "beneficiaries.xlsx"
    path.write_bytes(dimension_bomb())
    assert path.stat().st_size < 10_000
    message, elapsed = read_in_child(path)
    assert message == (
        "beneficiaries.xlsx : fichier refusé, plus de 500 colonnes, limite de l'import."
    )
    assert elapsed < FAST


def test_a_100_mb_line_of_separators_is_refused_fast_in_bounded_memory(tmp_path):
    path = tmp_path / "beneficiaries.csv"
    path.write_bytes(b";" * 100_000_000)
    message, elapsed = read_in_child(path)
    assert message == (
        "beneficiaries.csv : fichier refusé, ligne de plus de 1\u202f048\u202f576 caractères."
    )
    assert elapsed < FAST


def test_json_nested_200_000_deep_is_refused_in_french_and_nothing_written(db):
    before = table_counts(db.engine)
    files = {"services.json": b"[" * 200_000 + b"]" * 200_000}
    started = time.monotonic()
    with pytest.raises(ImportValidationError) as refused:
        run_import(db.engine, DataInclusionImporter(files, db.settings))
    assert time.monotonic() - started < FAST
    assert [e.describe() for e in refused.value.errors] == [
        "services.json : JSON refusé, objets imbriqués trop profondément."
    ]
    assert "rien n'a été écrit" in str(refused.value)
    assert table_counts(db.engine) == before


def test_bombs_through_the_bundle_and_rdv_insertion_write_nothing(db):
    before = table_counts(db.engine)
    files = {"beneficiaries.xlsx": dimension_bomb()}
    with pytest.raises(ImportValidationError) as refused:
        run_import(db.engine, BundleImporter(files, "lot", db.settings))
    assert [e.describe() for e in refused.value.errors] == [
        "beneficiaries.xlsx : fichier refusé, plus de 500 colonnes, limite de l'import."
    ]
    with pytest.raises(ImportValidationError) as refused:
        run_import(db.engine, RdvInsertionImporter(dimension_bomb(), "usagers.xlsx", "cle-de-test"))
    assert [e.describe() for e in refused.value.errors] == [
        "usagers.xlsx : fichier refusé, plus de 500 colonnes, limite de l'import."
    ]
    assert table_counts(db.engine) == before


# --- each limit, with small limits --------------------------------------------------------

SMALL = ReadLimits(max_file_bytes=20_000, max_rows=3, max_columns=4, max_cell_chars=100)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b"a;b\n" + b"1;2\n" * 4,
            "lot.csv : fichier refusé, plus de 3 lignes, limite de l'import.",
        ),
        (
            b"a;b;c;d;e\n1;2;3;4;5\n",
            "lot.csv : fichier refusé, plus de 4 colonnes, limite de l'import.",
        ),
        (
            b"a;b\n" + b"x" * 101 + b";2\n",
            "lot.csv : fichier refusé, cellule de plus de 100 caractères.",
        ),
        (
            b"a;b\n" + b"1;2\n" * 6000,
            "lot.csv : fichier refusé (plus de 19 Ko, limite de l'import).",
        ),
        (b'a;b\n"' + b"x" * 50 + b"\n" * 10 + b'";2\n', None),
    ],
    ids=["rows", "columns", "cell", "size", "multi-line-cell"],
)
def test_csv_limits(data, message):
    if message is None:
        assert len(read_table(data, "lot.csv", SMALL).rows) == 1
        return
    with pytest.raises(UnreadableFileError) as refused:
        read_table(data, "lot.csv", SMALL)
    assert str(refused.value) == message


def test_trailing_empty_columns_beyond_the_cap_are_tolerated():
    table = read_table(b"a;b" + b";" * 10 + b"\n1;2" + b";" * 10 + b"\n", "lot.csv", SMALL)
    assert table.headers == ("a", "b", "", "")
    assert table.rows[0].cells == ("1", "2", "", "")


def test_crlf_split_between_chunks_keeps_lines_and_line_numbers():
    # A \r\n whose two halves fall in two chunks must still end one line, not two.
    first = "a;b\r\n" + "x;" + "y" * (64 * 1024 - 8) + "\r\n2;3\r\n"
    table = read_table(first.encode(), "lot.csv", ReadLimits(max_cell_chars=100_000))
    assert [row.line for row in table.rows] == [2, 3]
    assert table.rows[1].cells == ("2", "3")


def _workbook(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([["a"], [1], [2], [3], [4]], "plus de 3 lignes, limite de l'import"),
        ([["a", "b", "c", "d", "e"]], "plus de 4 colonnes, limite de l'import"),
        ([["a"], ["x" * 101]], "cellule de plus de 100 caractères"),
    ],
    ids=["rows", "columns", "cell"],
)
def test_xlsx_limits(rows, message):
    with pytest.raises(UnreadableFileError) as refused:
        read_table(_workbook(rows), "lot.xlsx", SMALL)
    assert str(refused.value) == f"lot.xlsx : fichier refusé, {message}."


def test_xlsx_zip_bomb_is_refused_before_inflating():
    # 30 MB of spaces in the sheet compress to a few KB; the declared size gives it away.
    data = _rewrite_sheet(
        _workbook([["a"], [1]]),
        lambda xml: xml.replace(b"<sheetData>", b"<sheetData>" + b" " * 30_000_000),
    )
    assert len(data) < 100_000
    with pytest.raises(UnreadableFileError) as refused:
        read_table(data, "lot.xlsx", ReadLimits(max_file_bytes=10 * 1024 * 1024))
    assert str(refused.value) == (
        "lot.xlsx : fichier refusé, une fois décompressé, plus de 10 Mo, limite de l'import."
    )


def test_xml_entities_in_a_workbook_are_refused():
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    )
    data = _rewrite_sheet(
        _workbook([["a"], [1]]),
        lambda xml: laughs + xml.split(b"?>", 1)[-1].replace(b">1<", b">&c;<", 1),
    )
    with pytest.raises(UnreadableFileError) as refused:
        read_table(data, "lot.xlsx", SMALL)
    assert str(refused.value).startswith("lot.xlsx : classeur .xlsx illisible (")


@pytest.mark.parametrize(
    "data",
    [b"PK\x03\x04 pas une archive", b"PK\x03\x04" + bytes(range(256)) * 4],
    ids=["truncated", "garbage"],
)
def test_bad_zip_is_refused_in_french(data):
    with pytest.raises(UnreadableFileError) as refused:
        read_table(data, "lot.xlsx", SMALL)
    assert str(refused.value).startswith("lot.xlsx : classeur .xlsx illisible (")


def test_uploaded_zip_bomb_is_refused_before_inflating():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as target:
        target.writestr("beneficiaries.csv", b" " * 30_000_000)
    with pytest.raises(UploadError) as refused:
        uploaded_files([("lot.zip", archive.getvalue())], ReadLimits(max_file_bytes=1024 * 1024))
    assert str(refused.value) == (
        "lot.zip : archive refusée (une fois décompressée, plus de 1 Mo, limite de l'import)."
    )


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"[" + b"1" * 5000 + b"]", "JSON invalide (valeur illisible)."),
        (
            b'{"structures": 3}',
            "une liste de structures ou de services data·inclusion est attendue.",
        ),
        (
            json.dumps([{"id": str(i)} for i in range(4)]).encode(),
            "fichier refusé, plus de 3 lignes, limite de l'import.",
        ),
    ],
    ids=["huge-number", "not-a-list", "too-many-objects"],
)
def test_json_refusals_are_french(db, data, reason):
    settings = Settings(**{**db.settings.model_dump(), "import_max_rows": 3})
    report = preview(db.engine, DataInclusionImporter({"export.json": data}, settings))
    assert [e.describe() for e in report.errors] == [f"export.json : {reason}"]


def test_list_cells_nested_deep_do_not_crash():
    assert split_list("[" * 30_000) == ["[" * 30_000]


def test_limits_are_settings_with_french_errors(monkeypatch):
    assert ReadLimits.from_settings(Settings()) == ReadLimits()
    monkeypatch.setenv("PILOTAGE_IMPORT_MAX_CELL_CHARS", "1000000")
    with pytest.raises(SettingsError) as refused:
        load_settings()
    assert str(refused.value) == (
        "Configuration invalide : nombre maximal de caractères d'une cellule importée "
        "(PILOTAGE_IMPORT_MAX_CELL_CHARS) : doit être au plus 131072."
    )


# --- no cell value in any message ---------------------------------------------------------

# A name and an identifier that a shifted column put in the wrong place.
SECRET = "DUPONT 1 80 05 23 096 123 45"


@pytest.mark.parametrize(
    "parse",
    [parse_date, parse_bool, parse_int, parse_decimal, lambda v: parse_choice(v, ["caf", "msa"])],
    ids=["date", "bool", "int", "decimal", "choice"],
)
def test_cell_errors_never_echo_the_value(parse):
    with pytest.raises(CellError) as refused:
        parse(SECRET)
    assert SECRET not in str(refused.value)
    assert "DUPONT" not in str(refused.value) and "23 096" not in str(refused.value)


def test_stored_rejections_hold_line_field_and_message_only(db):
    shifted = BENEFICIARIES + f"CAF-0004,{SECRET},23096,caf,oui,,,\n"
    shifted += f"CAF-0005,2024-01-15,{SECRET},{SECRET},{SECRET},,{SECRET},{SECRET}\n"
    result = run_import(
        db.engine,
        BundleImporter({"beneficiaries.csv": shifted.encode()}, "lot", db.settings),
        skip_invalid=True,
    )
    assert result.status == "partial"
    with db.engine.connect() as conn:
        stored = (
            conn.execute(ImportRejection.__table__.select().order_by(ImportRejection.id))
            .mappings()
            .all()
        )
    assert [(r["line"], r["field"]) for r in stored] == [
        (5, "entry_date"),
        (6, "commune_code"),
        (6, "payer"),
        (6, "subject_to_obligations"),
        (6, "birth_year"),
        (6, "sex"),
    ]
    everything = " ".join(str(value) for row in stored for value in row.values())
    assert "DUPONT" not in everything and "123 45" not in everything


# --- JSON read with a bound on records ------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "[]",
        ' [ 1 , {"a": [1, 2]} , "x" ] ',
        '{"structures": [{"id": "s"}], "services": [], "meta": {"n": [1, 2]}}',
        '{"items": [{"id": 1}, {"id": 2}], "total": 2}',
        "{}",
        '"seul"',
        "3",
    ],
)
def test_bounded_json_reads_like_json_loads(text):
    assert load_bounded(text, 10) == json.loads(text)


@pytest.mark.parametrize(
    "text",
    ["[1 2]", '{"a" 1}', '{"a": 1 "b": 2}', "[1,]", "[1] x", "{a: 1}", "", "[", '{"a": [1}'],
)
def test_bounded_json_fails_like_json_loads(text):
    with pytest.raises(json.JSONDecodeError):
        json.loads(text)
    with pytest.raises(json.JSONDecodeError):
        load_bounded(text, 10)


def test_bounded_json_stops_at_the_limit_across_arrays():
    with pytest.raises(TooManyItemsError):
        load_bounded('{"structures": [{}, {}], "services": [{}, {}]}', 3)
    assert len(load_bounded("[" + ",".join(["{}"] * 3) + "]", 3)) == 3


def test_a_100_mb_flat_json_is_refused_fast_in_bounded_memory(tmp_path):
    path = tmp_path / "services.json"
    path.write_text("[" + ",".join(["{}"] * 33_000_000) + "]")
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from data_access.importers.data_inclusion import DataInclusionFileError, read_records\n"
        "from data_access.importers.reading import ReadLimits\n"
        "path = Path(sys.argv[1])\n"
        "try:\n"
        "    print(len(read_records(path.name, path.read_bytes(), ReadLimits())))\n"
        "except DataInclusionFileError as exc:\n"
        "    print(exc)\n"
    )
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)],
        capture_output=True,
        text=True,
        timeout=CHILD_SECONDS,
        preexec_fn=_limit_child_memory,
        cwd=Path(__file__).resolve().parents[2],
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == (
        "services.json : fichier refusé, plus de 2\u202f000\u202f000 lignes, limite de l'import."
    )
    assert time.monotonic() - started < FAST
