"""The summary drawn: French texts, sparklines broken at masked months, levels readable
without colour."""

from __future__ import annotations

import datetime as dt

import pytest

from charts.summary import (
    LEVEL_COLORS,
    LEVEL_LABELS,
    LEVEL_SYMBOLS,
    headline,
    spark_coordinates,
    sparkline_svg,
    summary_html,
    summary_rows,
    trend_text,
)
from charts.theme import MIN_TEXT_CONTRAST, WHITE, contrast_ratio
from metrics.results import MetricResult
from metrics.summary import MonthPoint, SummaryLine

D = dt.date
MONTHS = [D(2023 + (6 + m) // 12, (6 + m) % 12 + 1, 1) for m in range(12)]  # Jul 2023 – Jun 2024


def _points(values, masked=()):
    return tuple(
        MonthPoint(month, None if i in masked else value, i in masked)
        for i, (month, value) in enumerate(zip(MONTHS, values, strict=True))
    )


def _line(key="convocation", value=0.778, level="rouge", suppressed=False, **kw):
    base = dict(
        key=key,
        label="Convocation sous 15 jours",
        metric_id="convocation_within_15d_rate",
        unit="ratio",
        value=value,
        suppressed=suppressed,
        target=1.0,
        higher_is_better=True,
        level=level,
        history=_points([0.8] * 12),
        cohort="entrants de mai 2024, observés 15 jours",
    )
    base.update(kw)
    return SummaryLine(**base)


@pytest.mark.parametrize("level", list(LEVEL_LABELS))
def test_each_level_has_a_word_a_symbol_and_a_text_contrast(level):
    assert contrast_ratio(LEVEL_COLORS[level], WHITE) >= MIN_TEXT_CONTRAST
    assert len(set(LEVEL_SYMBOLS.values())) == len(LEVEL_SYMBOLS)
    assert len(set(LEVEL_LABELS.values())) == len(LEVEL_LABELS)


def test_rows_in_french_with_masked_values_masked():
    rows = summary_rows(
        [
            _line(),
            _line(key="stock", value=None, suppressed=True, level="secret", cohort=None),
            _line(
                key="roadmap",
                label="Feuille de route : étapes en retard",
                unit="count",
                value=4.0,
                target=0.0,
                higher_is_better=False,
                cohort=None,
                companion=MetricResult("roadmap_done_rate", 0.625, "ratio"),
            ),
        ],
        11,
    )
    assert [(r.symbol, r.level_label, r.value, r.target) for r in rows] == [
        ("✖", "Hors cible", "77,8 %", "100,0 %"),
        ("s", "Secret statistique", "< 11 (secret statistique)", "100,0 %"),
        ("✖", "Hors cible", "4 en retard", "aucune"),
    ]
    assert rows[0].detail == "Entrants de mai 2024, observés 15 jours"
    assert rows[2].detail == "62,5 % des étapes réalisées"
    assert headline(rows) == "3 objectifs : 2 hors cible, 1 sous secret statistique."


def test_trend_text_names_first_and_last_months_and_counts_masked():
    points = _points([None, 0.5] + [0.6] * 9 + [0.75], masked=(3,))
    assert trend_text(points, "ratio", 11) == (
        "De 50,0 % (août 2023) à 75,0 % (juin 2024) ; 1 mois masqué (< 11 (secret statistique))."
    )
    assert trend_text(_points([None] * 12), "ratio", 11) == (
        "Aucune valeur sur les douze derniers mois."
    )


def test_sparkline_breaks_at_masked_months_and_never_draws_them():
    points = _points([0.5, 0.6, 0.7, 0.8, 0.9, 0.5, 0.6, 0.7, 0.8, 0.9, 0.5, 0.6], masked=(4, 5))
    runs = spark_coordinates(points)
    assert [len(run) for run in runs] == [4, 6]
    xs = [x for run in runs for x, _ in run]
    assert len(xs) == 10 and xs == sorted(xs)
    svg = sparkline_svg(points, "De 50 % à 60 %", "#CE0500")
    assert svg.count("<polyline") == 2
    assert 'role="img"' in svg and 'aria-label="De 50 % à 60 %"' in svg


def test_flat_series_is_drawn_flat_in_the_middle():
    runs = spark_coordinates(_points([0.8] * 12))
    assert {y for _, y in runs[0]} == {15.0}


def test_table_escapes_text_and_uses_real_headers():
    row = summary_rows([_line(cohort="<script>x</script>")], 11)
    body = summary_html(row, "Objectifs <au 30 juin>")
    assert "<script>" not in body and "&lt;script&gt;" in body
    assert body.count('scope="col"') == 5 and body.count('scope="row"') == 1
    assert "<caption" in body
