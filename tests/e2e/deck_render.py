"""Render a deck the way a partner opens it: LibreOffice converts it to PDF, poppler reads back
where each word landed (``pdftotext -bbox``) and draws the pages as images for a person to look
at. Debian packages ``libreoffice-impress`` and ``poppler-utils``, installed by ``.ci/run``."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

SOFFICE_TIMEOUT = 240
_XHTML = "{http://www.w3.org/1999/xhtml}"


def unavailable_reason() -> str | None:
    """Why the deck cannot be rendered here, or None."""
    for tool, package in (
        ("soffice", "libreoffice-impress"),
        ("pdftotext", "poppler-utils"),
        ("pdftoppm", "poppler-utils"),
    ):
        if shutil.which(tool) is None:
            return f"{tool} absent : installer le paquet Debian « {package} »"
    return None


@dataclass(frozen=True)
class Word:
    """One word of a rendered page, in PDF points from the page's top left corner."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    def overlap(self, other: Word) -> float:
        """The share of the smaller word's box that the other word's box covers."""
        width = min(self.x1, other.x1) - max(self.x0, other.x0)
        height = min(self.y1, other.y1) - max(self.y0, other.y0)
        if width <= 0 or height <= 0:
            return 0.0
        smaller = min(
            (self.x1 - self.x0) * (self.y1 - self.y0),
            (other.x1 - other.x0) * (other.y1 - other.y0),
        )
        return width * height / smaller if smaller > 0 else 0.0


@dataclass(frozen=True)
class Page:
    """A rendered page: its size in points and its words."""

    width: float
    height: float
    words: list[Word]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


def render_pdf(pptx: Path, folder: Path) -> Path:
    """The deck converted to PDF by LibreOffice, with a profile of its own (two conversions
    sharing the default profile at the same time would fail)."""
    profile = folder / "lo-profile"
    subprocess.run(
        [
            shutil.which("soffice") or "soffice",
            f"-env:UserInstallation={profile.resolve().as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(pptx),
        ],
        check=True,
        capture_output=True,
        timeout=SOFFICE_TIMEOUT,
    )
    pdf = folder / (pptx.stem + ".pdf")
    if not pdf.is_file():
        raise AssertionError(f"LibreOffice n'a pas produit {pdf.name}")
    return pdf


def pdf_pages(pdf: Path) -> list[Page]:
    """Every page of the PDF with its words and their boxes."""
    out = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    root = ET.fromstring(out)
    pages: list[Page] = []
    for page in root.iter(f"{_XHTML}page"):
        words = [
            Word(
                (word.text or "").strip(),
                float(word.attrib["xMin"]),
                float(word.attrib["yMin"]),
                float(word.attrib["xMax"]),
                float(word.attrib["yMax"]),
            )
            for word in page.iter(f"{_XHTML}word")
        ]
        pages.append(Page(float(page.attrib["width"]), float(page.attrib["height"]), words))
    return pages


def page_images(pdf: Path, folder: Path, resolution: int = 60) -> list[Path]:
    """The pages as PNG images (for a person to look at; kept with the test artefacts)."""
    subprocess.run(
        ["pdftoppm", "-png", "-r", str(resolution), str(pdf), str(folder / "diapo")], check=True
    )
    return sorted(folder.glob("diapo*.png"))
