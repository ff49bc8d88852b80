"""Reading of tabular files as they really arrive: encodings, separators, xlsx, headers, cells."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from data_access.importers.reading import (
    CellError,
    UnreadableFileError,
    decode_text,
    match_columns,
    match_key,
    normalise_header,
    parse_bool,
    parse_choice,
    parse_date,
    parse_decimal,
    parse_int,
    read_table,
    sniff_separator,
)


def test_utf8_with_bom_and_semicolons() -> None:
    data = "\ufeffperson_id;ville\nA1;Guéret\nA2;Aubusson\n".encode()
    table = read_table(data, "f.csv")
    assert table.headers == ("person_id", "ville")
    assert table.encoding == "utf-8"
    assert table.separator == ";"
    assert [(r.line, r.cells) for r in table.rows] == [
        (2, ("A1", "Guéret")),
        (3, ("A2", "Aubusson")),
    ]


def test_cp1252_with_accents_and_commas() -> None:
    data = "person_id,ville\r\nA1,Évaux-les-Bains\r\nA2,Saint-Étienne-de-Fursac\r\n".encode(
        "cp1252"
    )
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    table = read_table(data, "f.csv")
    assert table.encoding == "cp1252"
    assert table.separator == ","
    assert [r.cells[1] for r in table.rows] == ["Évaux-les-Bains", "Saint-Étienne-de-Fursac"]


def test_utf8_without_bom() -> None:
    text, encoding = decode_text("é".encode())
    assert (text, encoding) == ("é", "utf-8")


def test_separator_sniffing_ignores_quoted_separators() -> None:
    assert sniff_separator('"a;b",c,d\n1,2,3') == ","
    assert sniff_separator('a;b;"c,d,e"\n') == ";"


def test_quoted_cells_keep_separators_and_line_numbers_follow_records() -> None:
    data = b'id;note\n1;"un; deux"\n2;"sur\ndeux lignes"\n3;fin\n'
    table = read_table(data, "f.csv")
    # A quoted cell spanning two text lines is one spreadsheet row: line numbers count rows.
    assert [(r.line, r.cells[1]) for r in table.rows] == [
        (2, "un; deux"),
        (3, "sur\ndeux lignes"),
        (4, "fin"),
    ]


def test_empty_lines_are_ignored_but_keep_numbering() -> None:
    data = b"id,x\n1,a\n\n2,b\n , \n,,\n\n\n"
    table = read_table(data, "f.csv")
    assert [(r.line, r.cells) for r in table.rows] == [(2, ("1", "a")), (4, ("2", "b"))]


def test_cells_and_headers_are_stripped() -> None:
    table = read_table(b" Person_ID , Entry Date \n  A1 , 2024-01-01 \n", "f.csv")
    assert table.headers == ("Person_ID", "Entry Date")
    assert table.rows[0].cells == ("A1", "2024-01-01")


def test_xlsx_first_sheet_dates_and_numbers() -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["person_id", "entry_date", "hours", "birth_year", "flag"])
    sheet.append(["A1", dt.datetime(2024, 3, 12), 17.5, 1980.0, True])
    sheet.append([None, None, None, None, None])
    sheet.append(["A2", dt.date(2024, 3, 13), 15, 1990, False])
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = read_table(buffer.getvalue(), "export.xlsx")
    assert table.encoding == "xlsx"
    assert table.headers == ("person_id", "entry_date", "hours", "birth_year", "flag")
    assert [(r.line, r.cells) for r in table.rows] == [
        (2, ("A1", "2024-03-12", "17.5", "1980", "true")),
        (4, ("A2", "2024-03-13", "15", "1990", "false")),
    ]


def test_unreadable_files_give_french_messages() -> None:
    with pytest.raises(UnreadableFileError, match="fichier vide, une ligne d'en-tête est attendue"):
        read_table(b"\n\n", "vide.csv")
    with pytest.raises(UnreadableFileError, match="fichier binaire"):
        read_table(b"\x00\x01\x02abc", "binaire.csv")
    with pytest.raises(UnreadableFileError, match=r"classeur \.xlsx illisible"):
        read_table(b"PK\x03\x04 pas un classeur", "faux.xlsx")
    with pytest.raises(UnreadableFileError) as error:
        read_table(b"abc\x81\x8d", "lot.csv")
    assert str(error.value) == (
        "lot.csv : encodage non reconnu : le fichier n'est ni en UTF-8 ni en Windows-1252 "
        "(octet 0x81 à la position 3)."
    )


def test_header_normalisation_and_accent_insensitive_matching() -> None:
    assert normalise_header("\ufeff  Date   d'entrée ") == "date d'entrée"
    assert match_key("Date d'entrée flux") == "date d entree flux"
    assert match_key("DATE D ENTREE  FLUX") == "date d entree flux"
    assert match_key("date_d_entree_flux") == "date d entree flux"
    match = match_columns(
        [" Person_ID", "Date d'Entrée", "Téléphone", "", "person id"],
        ["person_id", "date d'entrée", "commune_code"],
    )
    assert match.positions == {"person_id": 0, "date d'entrée": 1}
    assert match.unknown == ["Téléphone"]
    assert match.duplicated == ["person id"]
    assert match.missing == ["commune_code"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-12", dt.date(2024, 3, 12)),
        ("12/03/2024", dt.date(2024, 3, 12)),
        ("1/3/2024", dt.date(2024, 3, 1)),
        ("2024-02-29", dt.date(2024, 2, 29)),
        ("12/03/2024 00:00:00", dt.date(2024, 3, 12)),
        (" 2024-03-12 ", dt.date(2024, 3, 12)),
    ],
)
def test_parse_date_accepts_iso_and_french(text: str, expected: dt.date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("31/02/2024", "date inexistante"),
        ("2023-02-29", "date inexistante"),
        (
            "12 mars 2024",
            "date illisible : format attendu AAAA-MM-JJ ou JJ/MM/AAAA",
        ),
        ("2024/03/12", "date illisible : format attendu AAAA-MM-JJ ou JJ/MM/AAAA"),
        ("12/03/24", "date illisible : format attendu AAAA-MM-JJ ou JJ/MM/AAAA"),
    ],
)
def test_parse_date_errors(text: str, message: str) -> None:
    with pytest.raises(CellError) as error:
        parse_date(text)
    assert str(error.value) == message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("oui", True),
        ("Oui", True),
        ("NON", False),
        ("true", True),
        ("False", False),
        ("1", True),
        ("0", False),
        ("vrai", True),
        ("faux", False),
    ],
)
def test_parse_bool(text: str, expected: bool) -> None:
    assert parse_bool(text) is expected


def test_parse_bool_error() -> None:
    with pytest.raises(CellError) as error:
        parse_bool("peut-être")
    assert str(error.value) == ("valeur non reconnue : oui/non, true/false ou 1/0 attendu")


def test_parse_numbers() -> None:
    assert parse_int("1980") == 1980
    assert parse_int("1\u202f234") == 1234
    assert parse_int("1 234") == 1234
    assert parse_int("-3") == -3
    assert parse_int("12,0") == 12
    assert parse_decimal("17,5") == 17.5
    assert parse_decimal("17.5") == 17.5
    assert parse_decimal("20") == 20.0
    for parser, text, message in [
        (parse_int, "1,5", "nombre entier attendu"),
        (parse_int, "douze", "nombre entier attendu"),
        (parse_decimal, "17h", "nombre attendu"),
    ]:
        with pytest.raises(CellError) as error:
            parser(text)
        assert str(error.value) == message


def test_parse_choice_is_case_insensitive_and_canonical() -> None:
    assert parse_choice("CAF", ("caf", "msa")) == "caf"
    with pytest.raises(CellError) as error:
        parse_choice("cnaf", ("caf", "msa"))
    assert str(error.value) == "valeur non autorisée : valeurs possibles caf, msa"


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=400), name=st.sampled_from(["lot.csv", "lot.xlsx", "lot.txt"]))
def test_random_bytes_never_crash(data: bytes, name: str) -> None:
    """Whatever the bytes, reading gives a table or a French UnreadableFileError."""
    try:
        table = read_table(data, name)
    except UnreadableFileError as error:
        assert str(error).startswith(name)
    else:
        assert all(row.line >= 2 for row in table.rows)


def test_damaged_workbook_and_malformed_csv() -> None:
    with pytest.raises(UnreadableFileError, match=r"^lot\.xlsx : classeur \.xlsx illisible"):
        read_table(b"PK\x03\x04" + b"\x00" * 64, "lot.xlsx")
    huge = b'id,note\n1,"' + b"x" * 200_000 + b'"\n'
    with pytest.raises(UnreadableFileError) as error:
        read_table(huge, "lot.csv")
    assert str(error.value) == (
        "lot.csv : CSV mal formé vers la ligne 2 (cellule trop longue ou guillemets non refermés)."
    )
