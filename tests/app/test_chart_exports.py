"""Chart exports: the CSV Excel opens in French (BOM, « ; », decimal comma), formulas
neutralised, secrecy applied; PNG/SVG through kaleido when Chromium is there, and a French
reason when it is not."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from charts import images
from charts.builders import breakdown_chart, curve_chart
from charts.csv_export import chart_csv, neutralise
from charts.figures import to_figure
from metrics.results import BreakdownRow, MetricResult

AS_OF = dt.date(2024, 3, 12)


def _by_utas() -> MetricResult:
    rows = (
        BreakdownRow("Guéret", "Guéret", 0.875, 35, 40),
        BreakdownRow("Boussac", '=HYPERLINK("http://x")', None, suppressed=True),
        BreakdownRow("Aubusson", "+Aubusson", 0.5, 6, 12),
        BreakdownRow("Auzances", "-Auzances", 0.0, 0, 15),
        BreakdownRow("x", "@Bourganeuf", 1.0, 20, 20),
    )
    return MetricResult(
        "convocation_within_15d_rate", 0.7, "ratio", target=0.9, breakdowns={"utas": rows}
    )


def _desc():  # type: ignore[no-untyped-def]
    return breakdown_chart(
        _by_utas(),
        "utas",
        title="Convoqués sous 15 jours, par UTAS",
        x_title="UTAS",
        as_of=AS_OF,
        threshold=11,
    )


def _lines(content: bytes) -> list[str]:
    return content.decode("utf-8-sig").split("\r\n")


def test_csv_is_utf8_with_bom_and_semicolons():
    content = chart_csv(_desc())
    assert content.startswith(b"\xef\xbb\xbf")
    assert _lines(content)[0] == "UTAS;Convoqués sous 15 jours, par UTAS — Taux (%)"


def test_csv_numbers_use_the_decimal_comma_in_percent():
    lines = _lines(chart_csv(_desc()))
    assert lines[1] == "Guéret;87,5"  # 0.875 → 87,5 (%)
    assert lines[4] == "'-Auzances;0"  # zero is not secret: written 0


def test_csv_neutralises_formulas():
    rows = list(csv.reader(io.StringIO(chart_csv(_desc()).decode("utf-8-sig")), delimiter=";"))
    assert rows[2][0] == '\'=HYPERLINK("http://x")'
    assert rows[3][0] == "'+Aubusson"
    assert rows[4][0] == "'-Auzances"
    assert rows[5][0] == "'@Bourganeuf"
    assert neutralise("Guéret") == "Guéret"
    assert neutralise("\tx") == "'\tx"


def test_csv_applies_secrecy_and_says_so():
    lines = _lines(chart_csv(_desc()))
    assert lines[2].endswith(";< 11 (secret statistique)")
    assert lines[-2].startswith("Source : base opérationnelle, données au 12 mars 2024.")
    assert "s : < 11 (secret statistique)." in lines[-2]


def test_figure_has_title_unit_target_and_footnote():
    fig = to_figure(_desc())
    assert "Convoqués sous 15 jours" in fig.layout.title.text
    assert fig.layout.yaxis.title.text == "Taux (%)"
    texts = [a.text for a in fig.layout.annotations]
    assert "Source : base opérationnelle, données au 12 mars 2024." in fig.layout.xaxis.title.text
    assert "Cible : 90,0 %" in texts
    assert "s" in texts  # the masked bar is marked, not drawn as zero
    assert list(fig.data[0].y) == [87.5, None, 50.0, 0.0, 100.0]


def test_empty_chart_has_no_data():
    empty = MetricResult("x", None, "ratio", breakdowns={"utas": ()})
    desc = breakdown_chart(empty, "utas", title="t", x_title="UTAS", as_of=AS_OF, threshold=11)
    assert not desc.has_data


def test_curve_carries_values_forward():
    desc = curve_chart(
        {"A": [(0, 0.0), (3, 0.5)], "B": [(0, 0.1), (5, 0.9)]},
        key="k",
        title="t",
        as_of=AS_OF,
        threshold=11,
        reference_days=15,
    )
    assert desc.categories == (0, 3, 5)
    assert desc.series[0].values == (0.0, 0.5, 0.5)
    assert desc.series[1].values == (0.1, 0.1, 0.9)


def test_without_chromium_images_explain_why_in_french(monkeypatch):
    monkeypatch.setattr(images, "chromium_path", lambda: None)
    reason = images.unavailable_reason()
    assert reason and "Chromium" in reason and "CSV" in reason
    with pytest.raises(images.ImageExportUnavailable, match="Chromium"):
        images.figure_image(to_figure(_desc()), "png")


@pytest.mark.skipif(images.chromium_path() is None, reason="Chromium absent : pas de rendu PNG")
def test_png_and_svg_through_one_kaleido_server():
    fig = to_figure(_desc())
    png = images.figure_image(fig, "png")
    svg = images.figure_image(fig, "svg")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert b"<svg" in svg[:200]
    assert images._server_started


def test_chart_block_draws_buttons_and_says_when_empty():
    from streamlit.testing.v1 import AppTest

    script = """
import datetime as dt
import plotly.graph_objects as go
from charts.builders import breakdown_chart
from metrics.results import BreakdownRow, MetricResult
from ui.chart_block import chart_block, figure_block

rows = (BreakdownRow("a", "Guéret", 0.5, 6, 12),)
full = MetricResult("m", 0.5, "ratio", breakdowns={"utas": rows})
empty = MetricResult("e", None, "ratio", breakdowns={"utas": ()})
for result in (full, empty):
    chart_block(breakdown_chart(result, "utas", title=result.id, x_title="UTAS",
                                as_of=dt.date(2024, 3, 12), threshold=11))
figure_block(go.Figure(go.Bar(x=[1], y=[2])), key="carte", file_stem="carte", csv=b"a;b")
"""
    app = AppTest.from_string(script, default_timeout=60).run()
    assert not app.exception
    labels = [b.proto.label for b in app.get("download_button")]
    assert labels == ["PNG", "SVG", "CSV", "PNG", "SVG", "CSV"]
    assert [i.value for i in app.info] == ["Aucune donnée sur la période"]
