"""The printable committee report, checked as rendered: poppler turns each page into text
(``pdftotext``), word boxes (``pdftotext -bbox``) and an image (``pdftoppm``), and each page
must carry the report's title, its scope, its source and « Page n sur N », with nothing outside
the margins; the figures are the committee's (French numbers, the same chart descriptions),
masked values stay masked; the command line and the pages' button produce it, audited."""

from __future__ import annotations

import datetime as dt
import getpass
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import streamlit as st
from PIL import Image
from streamlit.testing.v1 import AppTest

from charts import images
from charts.committee import committee_charts, headline_rows
from charts.summaries import chart_summary
from cli import main
from data_access.audit import list_audit
from data_access.db import make_engine
from formatting import secret_label
from metrics import catalog
from metrics.committee import CommitteeData, gather_committee
from metrics.scope import Territory
from reports.pdf_report import (
    FOOTER_HEIGHT,
    HEADER_HEIGHT,
    MARGIN_X,
    MARGIN_Y,
    build_report,
    chart_table,
    committee_report,
    pdf_text,
)
from settings import Settings
from tests.conftest import make_settings

FROM, TO = dt.date(2024, 5, 1), dt.date(2024, 6, 30)
A4_POINTS = (595.28, 841.89)
MM = 72 / 25.4
TOLERANCE = 0.5  # points: rounding of the boxes poppler reports
POPPLER = all(shutil.which(tool) for tool in ("pdftotext", "pdftoppm", "pdfinfo"))
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils non installé")


def flat(text: str) -> str:
    """Text with every kind of space and line break as one space: a cell or a sentence that
    wraps in the PDF reads as one line."""
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\u202f", " ")).strip()


def in_order(expected: str, text: str) -> bool:
    """True when every word of ``expected`` appears in ``text`` in the same order: the lines
    of two table cells side by side come out of the PDF interleaved."""
    words = iter(flat(text).split(" "))
    return all(any(word == found for found in words) for word in flat(expected).split(" "))


@dataclass(frozen=True)
class Rendered:
    """A report as poppler sees it: per-page text, word boxes and page images."""

    path: Path
    data: CommitteeData
    pages: list[str]
    words: list[list[tuple[float, float, float, float, str]]]
    size: tuple[float, float]

    @property
    def text(self) -> str:
        return flat(" ".join(self.pages))


def render(content: bytes, data: CommitteeData, folder: Path) -> Rendered:
    path = folder / "rapport.pdf"
    path.write_bytes(content)
    raw = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = raw.split("\f")
    if pages and not pages[-1].strip():
        pages.pop()
    html = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    size_match = re.search(r'<page width="([\d.]+)" height="([\d.]+)"', html)
    assert size_match
    words: list[list[tuple[float, float, float, float, str]]] = []
    for page in html.split("<page ")[1:]:
        words.append(
            [
                (float(a), float(b), float(c), float(d), w)
                for a, b, c, d, w in re.findall(
                    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                    r"([^<]*)</word>",
                    page,
                )
            ]
        )
    size = (float(size_match.group(1)), float(size_match.group(2)))
    return Rendered(path, data, pages, words, size)


def _settings(url: str) -> Settings:
    # the app publishes rounded counts (the default rounding): so does the report
    return make_settings(url, secrecy_rounding=Settings.model_fields["secrecy_rounding"].default)


@pytest.fixture(scope="module")
def report(demo_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rendered]:
    """The demo's committee of 30 June 2024, with its chart images when Chromium is here."""
    if not POPPLER:
        pytest.skip("poppler-utils non installé")
    url = f"sqlite:///{demo_file}"
    engine, settings = make_engine(url), _settings(url)
    data = gather_committee(engine, settings, TO, period_from=FROM)
    yield render(build_report(data), data, tmp_path_factory.mktemp("rapport"))
    engine.dispose()


def test_every_page_says_what_it_is_where_it_comes_from_and_its_number(report):
    assert report.size == pytest.approx(A4_POINTS, abs=0.1)
    total = len(report.pages)
    assert total >= 3
    for number, page in enumerate(report.pages, start=1):
        text = flat(page)
        assert "Rapport du comité de suivi RSA — Creuse · comité du 30 juin 2024" in text
        assert (
            "Période du 1er mai 2024 au 30 juin 2024 · Territoire : tout le département · "
            "Payeur : tous (CAF et MSA) · Données au 30 juin 2024 · Données de démonstration"
        ) in text
        assert "Source : base opérationnelle, données au 30 juin 2024." in text
        assert "Secret statistique : effectifs inférieurs à 11 masqués" in text
        assert "Données de démonstration (synthétiques, aucune personne réelle)." in text
        assert f"Page {number} sur {total}" in text
    assert "Indicateurs clés" in flat(report.pages[0])


def test_nothing_is_written_outside_the_margins(report):
    """Each word lies inside the margins, and in one band: the running head (above its
    rule), the body (the frame), or the running foot (under its rule), never across two."""
    width, height = report.size
    bands = {
        "tête": (MARGIN_Y, MARGIN_Y + HEADER_HEIGHT - 4 * MM),
        "corps": (MARGIN_Y + HEADER_HEIGHT, height - MARGIN_Y - FOOTER_HEIGHT),
        "pied": (height - MARGIN_Y - FOOTER_HEIGHT + 3 * MM, height - MARGIN_Y),
    }
    for number, words in enumerate(report.words, start=1):
        assert words, f"page {number} sans texte"
        for x_min, y_min, x_max, y_max, word in words:
            assert x_min >= MARGIN_X - TOLERANCE and x_max <= width - MARGIN_X + TOLERANCE, (
                f"page {number} : « {word} » hors des marges ({x_min:.1f}–{x_max:.1f})"
            )
            assert any(
                low - TOLERANCE <= y_min and y_max <= high + TOLERANCE
                for low, high in bands.values()
            ), f"page {number} : « {word} » hors des bandes ({y_min:.1f}–{y_max:.1f})"
        in_foot = [w[4] for w in words if w[1] >= bands["pied"][0] - TOLERANCE]
        assert "Page" in in_foot and "Source" in in_foot


def test_nothing_is_drawn_in_the_margins(report, tmp_path):
    """Images and table rules too: the paper outside the margins stays white."""
    subprocess.run(
        ["pdftoppm", "-r", "40", "-gray", "-png", str(report.path), str(tmp_path / "p")],
        check=True,
    )
    pictures = sorted(tmp_path.glob("p-*.png"))
    assert len(pictures) == len(report.pages)
    for picture in pictures:
        image = Image.open(picture).convert("L")
        scale = image.width / report.size[0]
        inner = (
            int((MARGIN_X - 1) * scale),
            int((MARGIN_Y - 1) * scale),
            int((report.size[0] - MARGIN_X + 1) * scale) + 1,
            int((report.size[1] - MARGIN_Y + 1) * scale) + 1,
        )
        pixels = image.load()
        assert pixels is not None
        for y in range(image.height):
            for x in range(image.width):
                if not (inner[0] <= x < inner[2] and inner[1] <= y < inner[3]):
                    assert pixels[x, y] >= 250, f"{picture.name} : encre en marge ({x}, {y})"


def test_the_figures_are_the_committee_s_written_the_french_way(report):
    first = flat(report.pages[0])
    for row in headline_rows(report.data):
        assert row.label.rstrip(" *") in first
        assert flat(row.current.split(" (")[0]) in first
        assert flat(row.change) in first
    for row in headline_rows(report.data):  # the definitions, under the committee's settings
        definition = catalog.definition_of(row.metric_id, report.data.settings)
        assert in_order(definition, report.text), definition
    assert re.search(r"\d+,\d %", report.text)  # « 87,5 % »
    assert not re.search(r"\d\.\d+ ?%", report.text)  # never « 87.5% »
    assert not re.search(r"\d,\d{3}\b(?! ?%)", report.text.replace("1er", ""))  # never « 1,234 »


def test_each_chart_has_its_title_summary_and_data_in_page_order(report):
    text = report.text
    position = 0
    charts = committee_charts(report.data)
    assert len(charts) >= 8
    for desc in charts:
        title = flat(desc.title)
        found = text.find(title, position)
        assert found >= 0, f"graphique absent ou hors d'ordre : {desc.title}"
        position = found + len(title)
        if desc.has_data:
            assert flat(chart_summary(desc)) in text
            header, rows = chart_table(desc)
            assert all(flat(name) in text for name in header)
            for row in rows:
                assert flat(" ".join(row)) in text
    if images.chromium_path() is not None:  # every chart drawn is embedded as an image
        listing = subprocess.run(
            ["pdfimages", "-list", str(report.path)], capture_output=True, text=True, check=True
        ).stdout.splitlines()[2:]
        pictures = [line for line in listing if line.split()[2] == "image"]  # not alpha masks
        data = report.data
        has_map = bool(data.map_category and data.map_communes and data.map_geojson)
        assert len(pictures) == sum(1 for desc in charts if desc.has_data) + has_map
        assert has_map, "la démonstration doit avoir sa carte de couverture"
        assert "Offre partenaire : couverture « " in text


def test_the_report_is_dated_by_its_as_of_date_and_identical_when_printed_again(report, demo_file):
    info = subprocess.run(
        ["pdfinfo", str(report.path)], capture_output=True, text=True, check=True
    ).stdout
    assert re.search(r"CreationDate:\s+Sun Jun 30 00:00:00 2024", info)
    assert "Rapport du comité de suivi RSA — Creuse" in info
    url = f"sqlite:///{demo_file}"
    engine = make_engine(url)
    again = committee_report(engine, _settings(url), TO, period_from=FROM, with_images=False)
    once = committee_report(engine, _settings(url), TO, period_from=FROM, with_images=False)
    engine.dispose()
    assert again == once


@needs_poppler
def test_masked_counts_stay_masked_and_no_figure_is_recoverable(demo_file, tmp_path):
    """A commune with a few entrants: every masked cell of the page reads « < 11 (secret
    statistique) » in the report, and the true value behind a masked share appears nowhere."""
    url = f"sqlite:///{demo_file}"
    engine = make_engine(url)
    territory = Territory("commune", "23031")  # Boussac: a few entrants in two months
    data = gather_committee(engine, _settings(url), TO, period_from=FROM, territory=territory)
    report = render(build_report(data, with_images=False), data, tmp_path)
    label = flat(secret_label(11))
    masked_cells = sum(
        flat(cell).startswith(label)
        for row in headline_rows(data)
        for cell in (row.previous, row.current, row.presented)
    )
    for desc in committee_charts(data):
        masked_cells += sum(
            serie.masked(i) for serie in desc.series for i in range(len(desc.categories))
        )
    assert masked_cells > 0, "le scénario doit comporter des valeurs masquées"
    # the rule itself is named once at the foot of each page and in a masked chart's footnote
    named = len(report.pages) + sum(
        flat(desc.footnote).count(label) for desc in committee_charts(data)
    )
    assert report.text.count(label) == masked_cells + named

    # the truth, computed with the lowest threshold allowed: a masked share's value is not printed
    truth = gather_committee(
        engine,
        make_settings(url, secrecy_threshold=2),
        TO,
        period_from=FROM,
        territory=territory,
    )
    engine.dispose()
    published = {flat(row.current.split(" (")[0]) for row in headline_rows(data)}
    leaked, checked = [], 0
    for metric_id, result in data.current.items():
        true_result = truth.current.get(metric_id)
        if not result.reported.suppressed or true_result is None or result.unit != "ratio":
            continue
        true_value = true_result.reported.value
        if true_value is None or true_value in (0, 1):
            continue
        shown = flat(pdf_text(f"{true_value * 100:.1f} %".replace(".", ",")))
        checked += 1
        if shown not in published and f" {shown}" in f" {report.text}":
            leaked.append((metric_id, shown))
    assert checked > 0 and not leaked


@needs_poppler
def test_cli_export_report_writes_an_a4_pdf_and_audits_it(demo_copy, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(images, "chromium_path", lambda: None)  # fast: no chart images
    output = tmp_path / "rapport.pdf"
    main(
        [
            "export",
            "report",
            "--from",
            "2024-05-01",
            "--to",
            "2024-06-30",
            "--as-of",
            "2024-06-30",
            "--output",
            str(output),
        ]
    )
    assert capsys.readouterr().out.startswith(f"Rapport du comité écrit : {output} (")
    data = gather_committee(demo_copy.engine, demo_copy.settings, TO, period_from=FROM)
    rendered = render(output.read_bytes(), data, tmp_path)
    assert f"Page 1 sur {len(rendered.pages)}" in flat(rendered.pages[0])
    assert "Image du graphique indisponible : Export PNG/SVG indisponible" in rendered.text
    latest = list_audit(demo_copy.engine)[0]
    assert (latest.actor, latest.action) == (getpass.getuser(), "export")
    assert latest.detail == (
        "rapport du comité (PDF, ligne de commande) — du 2024-05-01 au 2024-06-30, au "
        "2024-06-30, territoire=département, payeur=tous"
    )


def test_cli_export_report_unwritable_output_is_one_french_line(
    demo_copy, tmp_path, capsys, monkeypatch
):
    monkeypatch.setattr(images, "chromium_path", lambda: None)
    output = tmp_path / "absent" / "rapport.pdf"
    with pytest.raises(SystemExit) as exit_info:
        main(
            [
                "export",
                "report",
                "--from",
                "2024-05-01",
                "--to",
                "2024-06-30",
                "--output",
                str(output),
            ]
        )
    assert exit_info.value.code == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"Erreur : impossible d'écrire {output} (")
    assert "\n" not in err
    assert not any(e.detail.startswith("rapport du comité") for e in list_audit(demo_copy.engine))


ROOT = Path(__file__).resolve().parents[2]
READER = "prefet@creuse.gouv.fr"


def _spy_downloads(monkeypatch) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """The ``data`` of every download button by key: Streamlit calls a callable ``data`` only
    when the person clicks, which AppTest cannot do."""
    captured: dict[str, object] = {}
    real = st.download_button

    def spy(label, data=None, *args, **kwargs):  # type: ignore[no-untyped-def]
        captured[str(kwargs.get("key"))] = (label, data, kwargs.get("file_name"))
        return real(label, data, *args, **kwargs)

    monkeypatch.setattr(st, "download_button", spy)
    return captured


def _screen(name: str, role: str | None) -> AppTest:
    app = AppTest.from_file(str(ROOT / "screens" / name), default_timeout=120)
    app.query_params["au_jour"] = TO.isoformat()
    if role is not None:
        app.session_state["auth_role"] = role
        app.session_state["auth_user"] = READER
    return app.run()


def test_committee_and_weekly_pages_download_the_same_report_audited(demo_copy, monkeypatch):
    monkeypatch.setattr(images, "chromium_path", lambda: None)  # fast: no chart images
    captured = _spy_downloads(monkeypatch)
    reports = []
    for name, key in (("comite.py", "report-download"), ("point_hebdomadaire.py", "hebdo_report")):
        app = _screen(name, "lecture")
        assert not app.exception
        label, produce, file_name = captured.pop(key)  # type: ignore[misc]
        assert label == "Télécharger le rapport (PDF)"
        assert file_name == "rapport-comite-de-suivi_2024-06-30.pdf"
        assert callable(produce)
        reports.append(produce())
    assert reports[0].startswith(b"%PDF-")
    assert reports[0] == reports[1]  # one committee, one report, from either page
    exports = [(e.actor, e.detail) for e in list_audit(demo_copy.engine) if e.action == "export"]
    assert (
        exports
        == [(READER, "rapport du comité (PDF) — au_jour=2024-06-30, periode=mois_complet")] * 2
    )


def test_no_report_button_without_a_role(demo_db, monkeypatch):
    captured = _spy_downloads(monkeypatch)
    app = _screen("comite.py", None)
    assert not app.exception
    assert "report-download" not in captured
    assert "deck-download" in captured  # the page did run to its buttons


@needs_poppler
def test_a_database_without_beneficiaries_gives_a_report_that_says_so(empty_db, tmp_path):
    data = gather_committee(empty_db.engine, empty_db.settings, TO, period_from=FROM)
    report = render(build_report(data, with_images=False), data, tmp_path)
    total = len(report.pages)
    for number, page in enumerate(report.pages, start=1):
        assert f"Page {number} sur {total}" in flat(page)
        assert "Données de démonstration" not in page  # a real database says nothing of the kind
    assert "Aucune donnée sur la période" in report.text


@needs_poppler
def test_typed_text_is_printed_as_text(empty_file, tmp_path, monkeypatch):
    """An action typed with markup characters is printed as typed, never interpreted (a
    reportlab paragraph reads « <font> » and « & » as markup)."""
    from data_access.db import session_scope
    from data_access.governance import add_action

    path = tmp_path / "actions.sqlite"
    shutil.copy(empty_file, path)
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    typed = 'Relancer <font size="40">CAF</font> & MSA <b>'
    with session_scope(engine) as session:
        add_action(session, typed, due_date=dt.date(2024, 6, 1), created_on=dt.date(2024, 5, 2))
    data = gather_committee(engine, _settings(url), TO, period_from=FROM)
    engine.dispose()
    report = render(build_report(data, with_images=False), data, tmp_path)
    assert flat(typed) in report.text
