"""The history of import runs and the files users upload, for the « Imports » page.

Why here: pages never query tables; the page lists runs, their rejected rows, and turns what
a browser uploads (several files, or one .zip of CSV files) into the ``{name: bytes}`` the
importers take, refusing archives that are not what they claim in French.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

from sqlalchemy import Engine, select

from data_access.exceptions import DataAccessError
from data_access.importers.reading import MAX_ARCHIVE_MEMBERS, ReadLimits
from data_access.schema import ImportRejection, ImportRun

STATUS_LABELS = {
    "running": "en cours",
    "success": "réussi",
    "partial": "partiel (lignes rejetées)",
    "failed": "échoué",
    "undone": "annulé",
}
READABLE = (".csv", ".txt", ".xlsx", ".json")


class UploadError(DataAccessError):
    """An uploaded archive cannot be used (corrupt, empty, too large once unpacked)."""


@dataclass(frozen=True)
class RunView:
    """One import run as the history table shows it."""

    id: int
    source: str
    file_name: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    user: str | None
    status: str
    rows_read: int
    rows_written: int
    rows_rejected: int

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)


@dataclass(frozen=True)
class RejectionView:
    """One rejected row of a run: file, line, field and French reason."""

    file_name: str
    line: int | None
    field: str | None
    message: str


def list_runs(engine: Engine, limit: int = 200) -> list[RunView]:
    """The most recent import runs first."""
    query = (
        select(
            ImportRun.id,
            ImportRun.source,
            ImportRun.file_name,
            ImportRun.started_at,
            ImportRun.finished_at,
            ImportRun.user,
            ImportRun.status,
            ImportRun.rows_read,
            ImportRun.rows_written,
            ImportRun.rows_rejected,
        )
        .order_by(ImportRun.id.desc())
        .limit(limit)
    )
    with engine.connect() as conn:
        return [RunView(**row) for row in conn.execute(query).mappings()]


def run_rejections(engine: Engine, run_id: int, limit: int = 1000) -> list[RejectionView]:
    """Rejected rows recorded for a run (``--skip-invalid`` imports), by file and line."""
    query = (
        select(
            ImportRejection.file_name,
            ImportRejection.line,
            ImportRejection.field,
            ImportRejection.message,
        )
        .where(ImportRejection.import_run_id == run_id)
        .order_by(ImportRejection.file_name, ImportRejection.line, ImportRejection.id)
        .limit(limit)
    )
    with engine.connect() as conn:
        return [RejectionView(**row) for row in conn.execute(query).mappings()]


def uploaded_files(
    uploads: Iterable[tuple[str, bytes]], limits: ReadLimits | None = None
) -> dict[str, bytes]:
    """``{file name: bytes}`` from uploads; a .zip contributes the readable files it holds.

    Folders inside the archive are flattened (the bundle is recognised by file names), and
    the debris of archivers (``__MACOSX``, hidden files) is skipped. An archive whose files
    would inflate beyond the import size limit is refused before anything is inflated.
    """
    limits = limits or ReadLimits.current()
    files: dict[str, bytes] = {}
    for name, data in uploads:
        if name.lower().endswith(".zip"):
            files.update(_unzip(name, data, limits))
        else:
            files[name] = data
    return files


# The methods Python's zipfile reads (bzip2 and LZMA when the interpreter has them; without
# them zipfile raises RuntimeError, refused below like a damaged archive). Others, such as
# « deflate64 » written by some Windows tools, are named to the user before any read.
READABLE_COMPRESSIONS = frozenset(
    {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
)


def _unzip(name: str, data: bytes, limits: ReadLimits) -> dict[str, bytes]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        if len(archive.infolist()) > MAX_ARCHIVE_MEMBERS:
            raise UploadError(f"{name} : archive de plus de {MAX_ARCHIVE_MEMBERS} éléments.")
        members = [
            info
            for info in archive.infolist()
            if not info.is_dir()
            and "__MACOSX" not in info.filename
            and not PurePosixPath(info.filename).name.startswith(".")
            and info.filename.lower().endswith(READABLE)
        ]
        # zipfile never inflates a member beyond its declared size: checking the declared
        # sizes bounds what is read, whatever the archive claims.
        if sum(info.file_size for info in members) > limits.max_file_bytes:
            raise UploadError(
                f"{name} : archive refusée (une fois décompressée, {limits.too_big()})."
            )
        for info in members:
            if info.compress_type not in READABLE_COMPRESSIONS:
                raise UploadError(
                    f"{name} : {PurePosixPath(info.filename).name} est compressé par une méthode "
                    "que le tableau de bord ne lit pas ; recompressez l'archive au format .zip "
                    "standard (« deflate »)."
                )
        files = {PurePosixPath(info.filename).name: archive.read(info) for info in members}
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        ValueError,
        OSError,
        EOFError,
        RuntimeError,
    ):
        raise UploadError(
            f"{name} : archive .zip illisible (archive endommagée ou compression non prise en "
            "charge)."
        ) from None
    if not files:
        raise UploadError(f"{name} : l'archive ne contient aucun fichier CSV, .xlsx ou JSON.")
    return files
