"""Charts readable without sight and without colour: contrast of the palette and of labels,
a second cue for every series and status, and the one-sentence summaries."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from charts.coverage_map import (
    HEATMAP_SCALE,
    OUTLINE,
    STATUS_PATTERNS,
    STATUSES,
    coverage_heatmap,
    coverage_map,
    heatmap_label_color,
    heatmap_summary,
    map_summary,
)
from charts.description import ChartDescription, Series
from charts.figures import to_figure
from charts.roadmap_timeline import STATUS_COLORS, STATUS_SYMBOLS
from charts.summaries import chart_summary
from charts.theme import (
    GREY_LIGHT,
    MIN_GRAPHIC_CONTRAST,
    MIN_TEXT_CONTRAST,
    PALETTE,
    PLOTLY_CONFIG,
    TARGET_COLOR,
    WHITE,
    colorscale_at,
    contrast_ratio,
    readable_text_color,
)
from data_access.territories import GEOJSON_FILE, load_geojson
from metrics.coverage import CommuneCoverage, CoverageCell
from ui.accessibility import page_script

AS_OF = dt.date(2024, 6, 30)


def test_contrast_ratio_matches_wcag_reference_values():
    assert contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast_ratio("#FFFFFF", "#FFFFFF") == pytest.approx(1.0)
    # the values the audit measured on the old palette
    assert contrast_ratio("#E69F00", WHITE) == pytest.approx(2.25, abs=0.01)
    assert contrast_ratio("#56B4E9", WHITE) == pytest.approx(2.31, abs=0.01)


@pytest.mark.parametrize("colour", PALETTE)
def test_every_series_colour_can_draw_and_write_on_white(colour):
    assert contrast_ratio(colour, WHITE) >= MIN_TEXT_CONTRAST


def test_target_and_outline_colours_are_contrasted():
    assert contrast_ratio(TARGET_COLOR, WHITE) >= MIN_TEXT_CONTRAST
    assert contrast_ratio(GREY_LIGHT, WHITE) >= MIN_GRAPHIC_CONTRAST
    assert contrast_ratio(OUTLINE, WHITE) >= MIN_GRAPHIC_CONTRAST


@pytest.mark.parametrize("status", list(STATUS_COLORS))
def test_roadmap_statuses_have_a_contrasted_colour_and_their_own_symbol(status):
    assert contrast_ratio(STATUS_COLORS[status], WHITE) >= MIN_GRAPHIC_CONTRAST
    assert len(set(STATUS_SYMBOLS.values())) == len(STATUS_SYMBOLS)


@pytest.mark.parametrize("rate", [0, 5, 12.5, 20, 25, 30, 35, 40, 50, 60, 65, 70, 80, 90, 100])
def test_heatmap_labels_reach_text_contrast_on_their_cell(rate):
    cell = colorscale_at(HEATMAP_SCALE, rate / 100)
    assert contrast_ratio(heatmap_label_color(rate), cell) >= MIN_TEXT_CONTRAST


def test_readable_text_color_picks_black_or_white():
    assert readable_text_color("#000091") == WHITE
    assert readable_text_color("#F6F6F6") != WHITE
    assert colorscale_at(HEATMAP_SCALE, 0.5) == "#F6F6F6"


def _cells():
    return [
        CoverageCell("Guéret", "UTAS Guéret", "mobilite", 0.35, 7, 20, False),
        CoverageCell("Aubusson", "UTAS Aubusson", "mobilite", 0.9, 18, 20, False),
        CoverageCell("Boussac", "UTAS Boussac", "mobilite", None, None, None, True),
    ]


def test_heatmap_writes_each_label_in_its_contrasted_colour():
    figure = coverage_heatmap(_cells(), "UTAS", AS_OF, 11)
    labels = figure.data[1]
    assert labels.mode == "text"
    by_text = dict(zip(labels.text, labels.textfont.color, strict=True))
    assert by_text["35 %"] == heatmap_label_color(35)
    assert by_text["90 %"] == WHITE  # on near bleu France
    assert by_text["s"] == readable_text_color(WHITE)


def test_heatmap_summary_names_the_weakest_cell_and_counts_secrets():
    text = heatmap_summary(_cells(), "UTAS")
    assert text.startswith(
        "Couverture la plus faible, 35 % : UTAS Guéret (Mobilité) ; "
        "la plus forte, 90 % : UTAS Aubusson (Mobilité)."
    )
    assert "1 case(s) sur 2 sous 50 %" in text
    assert "1 case(s) masquée(s)" in text


def _commune(code, covered, in_person, persons, has_need):
    return CommuneCoverage(
        code=code,
        name=f"Commune {code}",
        utas="Guéret",
        epci_name="Grand Guéret",
        covered=covered,
        in_person=in_person,
        services=1 if covered else 0,
        persons_in_need=persons,
        has_need=has_need,
    )


COMMUNES = [
    _commune("23096", True, True, 15, True),
    _commune("23002", True, False, 12, True),
    _commune("23001", False, False, None, True),
    _commune("23004", False, False, 0, False),
]


def test_map_statuses_differ_by_pattern_and_no_need_is_visible():
    figure = coverage_map(COMMUNES, load_geojson(GEOJSON_FILE), "mobilite", AS_OF, 11)
    areas = {t.name: t for t in figure.data if t.fill == "toself"}
    no_need = areas[STATUSES["no_need"][0]]
    assert no_need.fillpattern.shape == "."
    assert contrast_ratio(no_need.fillpattern.fgcolor, WHITE) >= MIN_GRAPHIC_CONTRAST
    assert contrast_ratio(no_need.line.color, WHITE) >= MIN_GRAPHIC_CONTRAST
    # same blue for remote and in-person coverage: the hatching tells them apart
    assert STATUS_PATTERNS["remote_only"]["shape"] == "/"
    assert not STATUS_PATTERNS["in_person"]


def test_map_summary_counts_each_status_and_names_white_zones():
    assert map_summary(COMMUNES, "mobilite") == (
        "« Mobilité », 4 communes : 1 couvertes en présentiel, 1 à distance seulement, "
        "1 zones blanches (besoin recensé, aucun service) et 1 sans besoin recensé. "
        "Zones blanches : Commune 23001."
    )


def _desc(kind="hbar", series=None, target=0.6, categories=("Aubusson", "Guéret", "Boussac")):
    return ChartDescription(
        key="k",
        title="Convocation sous 15 jours, par UTAS",
        unit="ratio",
        kind=kind,
        x_title="UTAS",
        categories=categories,
        series=series or (Series("Taux", (0.82, 0.55, None), (False, False, True)),),
        as_of=AS_OF,
        threshold=11,
        target=target,
    )


def test_summary_of_a_breakdown_names_the_one_under_target_and_counts_masked():
    assert chart_summary(_desc()) == (
        "Valeur la plus élevée Aubusson (82,0 %), la plus basse Guéret (55,0 %) ; seule sous "
        "la cible de 60,0 % : Guéret. 1 valeur(s) masquée(s) par le secret statistique."
    )


def test_summary_of_a_trend_gives_first_and_last_values():
    desc = _desc(
        kind="line",
        categories=("janv. 2024", "févr. 2024", "mars 2024"),
        series=(
            Series("Convocation", (0.5, 0.6, 0.7)),
            Series("Absence", (0.2, None, 0.1), (False, True, False)),
        ),
        target=None,
    )
    assert chart_summary(desc) == (
        "Convocation : de 50,0 % (janv. 2024) à 70,0 % (mars 2024) ; Absence : de 20,0 % "
        "(janv. 2024) à 10,0 % (mars 2024). 1 valeur(s) masquée(s) par le secret statistique."
    )


def test_summary_of_delay_curves_reads_them_at_the_reference_day():
    desc = ChartDescription(
        key="c",
        title="Part des entrants convoqués",
        unit="ratio",
        kind="step",
        x_title="Jours depuis l'entrée",
        categories=(0.0, 10.0, 15.0, 30.0),
        series=(Series("Ensemble", (0.0, 0.4, 0.72, 0.9)),),
        as_of=AS_OF,
        threshold=11,
        reference_x=15,
    )
    assert chart_summary(desc) == "À 15 jours : Ensemble 72,0 %."


def test_a_curve_that_stops_before_the_reference_day_is_not_read_at_it():
    """Nobody followed 42 days yet: the last point (29 days) is not « the share at 42 days »,
    which would contradict the mature cohort's card above the chart."""
    desc = ChartDescription(
        key="c",
        title="Part des entrants orientés",
        unit="ratio",
        kind="step",
        x_title="Jours depuis l'entrée",
        categories=(0.0, 10.0, 29.0),
        series=(Series("Ensemble", (0.0, 0.2, 0.333)),),
        as_of=AS_OF,
        threshold=11,
        reference_x=42,
    )
    assert chart_summary(desc) == (
        "À 42 jours : Ensemble non mesurable (personne n'a encore été suivi 42 jours)."
    )


def test_several_series_get_a_second_cue_besides_colour():
    two = (Series("Avant", (0.5, 0.6, 0.7)), Series("Après", (0.6, 0.7, 0.8)))
    bars = to_figure(_desc(kind="bar", series=two))
    assert [t.marker.pattern.shape for t in bars.data] == ["", "/"]
    # the pattern is drawn over the series colour, not instead of it (else the bar vanishes)
    assert {t.marker.pattern.fillmode for t in bars.data} == {"overlay"}
    lines = to_figure(_desc(kind="line", series=two))
    assert len({t.marker.symbol for t in lines.data}) == 2
    curves = to_figure(_desc(kind="step", series=two))
    assert len({t.line.dash for t in curves.data}) == 2


def test_screen_figure_leaves_its_title_to_the_page_and_images_keep_it():
    assert to_figure(_desc(), show_title=False).layout.title.text == ""
    assert "Convocation sous 15 jours" in to_figure(_desc()).layout.title.text


def test_plotly_toolbar_is_off():
    assert PLOTLY_CONFIG["displayModeBar"] is False


def test_page_script_survives_the_html_sanitiser():
    """Streamlit's sanitiser drops a script whose text holds « <tag » or « </ »."""
    script = page_script().split('<script id="pilotage-a11y">', 1)[1].rsplit("</script>", 1)[0]
    assert not re.search(r"<[/\w!]", script)
    assert not page_script().lstrip().startswith("<script")


def test_summary_of_two_periods_reads_each_category_before_and_after():
    desc = _desc(
        series=(
            Series("Période précédente", (0.8, None, 0.5), (False, True, False)),
            Series("Période choisie", (0.82, None, 0.4), (False, True, False)),
        )
    )
    assert chart_summary(desc) == (
        "Période précédente → période choisie : Aubusson 80,0 % → 82,0 % ; Boussac 50,0 % → "
        "40,0 %. 2 valeur(s) masquée(s) par le secret statistique."
    )
