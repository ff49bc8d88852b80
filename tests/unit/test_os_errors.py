"""File errors read in French everywhere (Python's strerror is English whatever the locale):
one helper in importers/reading.py serves every importer and the deck output of the CLI."""

from __future__ import annotations

import errno

import pytest

from data_access.importers.reading import UnreadableFileError, describe_os_error, read_file_bytes

ENGLISH = ("No such", "directory", "Permission denied", "Is a ")


@pytest.mark.parametrize(
    ("exc", "writing", "reason"),
    [
        (
            FileNotFoundError(errno.ENOENT, "No such file or directory"),
            False,
            "fichier introuvable",
        ),
        (FileNotFoundError(errno.ENOENT, "No such file or directory"), True, "dossier introuvable"),
        (IsADirectoryError(errno.EISDIR, "Is a directory"), False, "c'est un dossier"),
        (PermissionError(errno.EACCES, "Permission denied"), False, "accès non autorisé"),
        (OSError(errno.ENOSPC, "No space left on device"), True, "disque plein"),
        (OSError(errno.EIO, "Input/output error"), False, "opération impossible"),
    ],
)
def test_reasons_are_french(exc, writing, reason):
    assert describe_os_error(exc, writing=writing).startswith(reason)


def test_read_file_bytes_names_the_file(tmp_path):
    with pytest.raises(UnreadableFileError) as info:
        read_file_bytes(tmp_path / "absent.csv")
    assert (
        str(info.value) == f"Fichier illisible : {tmp_path / 'absent.csv'} (fichier introuvable)."
    )


@pytest.mark.parametrize(
    "args",
    [
        ("import", "data-inclusion", "{tmp}/absent.json"),
        ("import", "data-inclusion", "{tmp}"),
        ("import", "rdv-insertion", "{tmp}/absent.csv"),
    ],
)
def test_import_commands_give_french_reasons(run_cli, tmp_path, args):
    code, _, err = run_cli(*(a.format(tmp=tmp_path) for a in args))
    assert code == 1 and err.startswith("Erreur : Fichier illisible : ")
    assert not any(word in err for word in ENGLISH), err


def test_deck_output_in_a_missing_folder(run_cli, tmp_path):
    output = tmp_path / "absent" / "comite.pptx"
    code, _, err = run_cli(
        "export", "deck", "--from", "2024-01-01", "--to", "2024-03-31", "--output", str(output)
    )
    assert code == 1
    assert err.strip() == f"Erreur : impossible d'écrire {output} (dossier introuvable)."


@pytest.mark.parametrize(
    ("command", "name", "content"),
    [
        ("rdv-insertion", "usagers.csv", b"\xff\xfe\x00\x00binaire"),
        ("data-inclusion", "export.json", b"[1,"),
    ],
)
def test_unreadable_file_is_named_not_counted_as_zero_lines(
    run_cli, tmp_path, command, name, content
):
    path = tmp_path / name
    path.write_bytes(content)
    code, _, err = run_cli("import", command, str(path))
    assert code == 1
    lines = err.splitlines()
    assert lines[0] == f"Erreur : Import refusé : fichier illisible ({name}) ; rien n'a été écrit."
    assert lines[1].startswith(f"{name} : ") and "0 ligne" not in err


def test_refusal_counts_rows_and_names_unreadable_files():
    from data_access.importers.base import FileReport, RowError, ValidationReport
    from data_access.importers.pipeline import refusal_message

    report = ValidationReport("lot", "lot", "h")
    report.errors = [
        RowError("a.csv", 2, "x", "vide"),
        RowError("a.csv", 3, "x", "vide"),
        RowError("b.csv", None, None, "binaire"),
        RowError("c.xlsx", None, None, "pas un classeur"),
    ]
    report.files = [
        FileReport("a.csv", rows_read=5, rows_rejected=2),
        FileReport("b.csv"),
        FileReport("c.xlsx"),
    ]
    assert refusal_message(report) == (
        "Import refusé : 2 erreurs sur 2 lignes et fichiers illisibles (b.csv, c.xlsx) ; "
        "rien n'a été écrit."
    )
