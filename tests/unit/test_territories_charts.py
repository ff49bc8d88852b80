"""Territories side by side, drawn: ranked panels, the target as a line, masked territories
listed as masked with no value anywhere (figure, table, sentence)."""

from __future__ import annotations

import datetime as dt

from charts.territories import (
    short_name,
    territories_figure,
    territories_summary,
    territories_table,
)
from metrics.territories import TerritoryRanking, TerritoryValue

AS_OF = dt.date(2024, 6, 30)


def _rankings():
    return [
        TerritoryRanking(
            key="convocation",
            label="Convocation sous 15 jours",
            metric_id="convocation_within_15d_rate",
            unit="ratio",
            target=1.0,
            higher_is_better=True,
            cohort="entrants de mai 2024, observés 15 jours",
            values=(
                TerritoryValue("Aubusson", "Aubusson", 1.0, False, "vert"),
                TerritoryValue("Guéret", "Guéret", 0.5, False, "rouge"),
                TerritoryValue("Boussac", "Boussac", None, True, "secret"),
            ),
        )
    ]


def test_figure_ranks_marks_the_target_and_hides_masked_values():
    figure = territories_figure(_rankings(), "utas", AS_OF, 11)
    trace = figure.data[0]
    assert list(trace.y) == ["Aubusson", "Guéret", "Boussac (secret)"]
    assert list(trace.text) == ["100,0 %", "50,0 %", "s"]
    assert trace.marker.size[2] == 0  # no dot for a masked UTAS
    assert trace.marker.symbol[0] != trace.marker.symbol[1]  # level by shape, not colour only
    lines = [s for s in figure.layout.shapes if s.line.dash == "dash"]
    assert len(lines) == 1 and lines[0].x0 == 100
    texts = " ".join(a.text for a in figure.layout.annotations)
    assert "< 11 (secret statistique)" in texts
    assert "Convocation sous 15 jours<br>cible 100,0 %" in texts
    assert figure.layout.title.text == (
        "<b>Territoires côte à côte : chaque UTAS face aux cibles</b>"
    )


def test_table_and_sentence_never_give_a_masked_value():
    header, rows = territories_table(_rankings(), 11)
    assert header == ["Objectif", "Rang", "Territoire", "Valeur", "Cible", "État"]
    assert rows[2] == [
        "Convocation sous 15 jours",
        "—",
        "Boussac",
        "< 11 (secret statistique)",
        "100,0 %",
        "Secret statistique",
    ]
    assert territories_summary(_rankings(), 11) == (
        "Convocation sous 15 jours : en tête Aubusson (100,0 %), en dernier Guéret (50,0 %), "
        "1 au vert sur 3, 1 masqué."
    )


def test_short_names():
    assert short_name("Communauté de communes Creuse Grand Sud") == "CC Creuse Grand Sud"
    assert short_name("Communauté d'agglomération du Grand Guéret") == "CA du Grand Guéret"
    assert short_name("UTAS Guéret") == "Guéret"
