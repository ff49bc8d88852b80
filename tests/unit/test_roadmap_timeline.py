"""Roadmap timeline and governance calendar figures: what they draw, in French."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from charts.roadmap_timeline import (
    NAME_CHARS,
    calendar_table,
    governance_calendar,
    month_ticks,
    roadmap_timeline,
    timeline_table,
)
from data_access.governance import MeetingView
from data_access.roadmap import StepView

D = dt.date


def _step(step_id, axis, due, status="a_faire", owners=("CD",), done=None):
    return StepView(
        step_id=step_id,
        axis=axis,
        target="Cible",
        step=f"Texte {step_id}",
        due_label="Fin mars" if due else None,
        due_date=due,
        owners=owners,
        status=status,
        done_date=done,
        comment=None,
        position=0,
        version=1,
        updated_at=None,
        updated_by=None,
    )


STEPS = [
    _step("A-1", "Axe A", D(2023, 3, 31), "fait", done=D(2023, 3, 30)),
    _step("A-2", "Axe A", D(2023, 4, 10)),
    _step("B-1", "Axe B", D(2023, 5, 31), "en_cours", owners=("PE", "État")),
    _step("M-1", "Macro", None),
]


def test_french_month_ticks():
    ticks, labels = month_ticks(D(2023, 3, 15), D(2023, 6, 2))
    assert ticks == [D(2023, 4, 1), D(2023, 5, 1), D(2023, 6, 1)]
    assert labels == ["avr. 2023", "mai 2023", "juin 2023"]
    ticks, _ = month_ticks(D(2023, 1, 1), D(2024, 12, 31))  # 23 months: quarterly
    assert ticks[:3] == [D(2023, 1, 1), D(2023, 4, 1), D(2023, 7, 1)]


def test_timeline_traces_late_outline_and_today_line():
    fig = roadmap_timeline(STEPS, D(2023, 4, 20), today_label="Aujourd'hui")
    traces = {t.name: t for t in fig.data}
    assert set(traces) == {"À faire", "En cours", "Fait"}
    assert list(traces["À faire"].y) == ["A-2"]
    # A-2 is due 10 April, open on 20 April: late, so outlined in red.
    assert list(traces["À faire"].marker.line.color) == ["#E1000F"]
    assert list(traces["En cours"].marker.line.color) == ["white"]
    # undated left out; each axis named on a line of its own above its steps
    assert list(fig.layout.yaxis.categoryarray) == ["axe::Axe A", "A-1", "A-2", "axe::Axe B", "B-1"]
    assert any(a.text == "Aujourd'hui" for a in fig.layout.annotations)
    line = next(s for s in fig.layout.shapes if s.type == "line")
    assert line.x0 == D(2023, 4, 20)


def test_timeline_table_for_csv():
    header, rows = timeline_table(STEPS, D(2023, 4, 20))
    assert header[0] == "Étape" and len(rows) == 4
    assert rows[1] == [
        "A-2",
        "Axe A",
        "Texte A-2",
        "Fin mars",
        "2023-04-10",
        "CD",
        "à faire",
        "",
        "oui",
    ]
    assert rows[3][4] == "" and rows[3][8] == "non"


def test_calendar_meetings_and_milestones():
    meetings = [
        MeetingView(1, "comite_de_suivi", D(2023, 4, 14), "Comité n° 2", ("État", "CD"), None),
        MeetingView(2, "point_hebdomadaire", D(2023, 4, 21), "Point", ("CD",), None),
    ]
    fig = governance_calendar(meetings, STEPS, D(2023, 4, 20), today_label="Aujourd'hui")
    assert [t.name for t in fig.data] == [
        "Point hebdomadaire",
        "Comité de suivi",
        "Jalons de la feuille de route",
    ]
    assert len(fig.data[2].x) == 3
    _header, rows = calendar_table(meetings, STEPS)
    assert rows[0][:3] == ["2023-04-14", "Comité de suivi", "Comité n° 2"]
    assert rows[2][1] == "Jalons de la feuille de route" and len(rows) == 5


def test_timeline_names_steps_zooms_on_the_year_and_counts_days_late():
    """Names beside ids, the as-of year on screen (months), every year a double click away
    (quarters), and a late step's hover says by how many days."""
    steps = [
        *STEPS,
        _step("C-1", "Axe C", D(2024, 5, 15)),
        replace(_step("C-2", "Axe C", D(2025, 9, 30)), step="Un libellé " + "très " * 20 + "long"),
    ]
    fig = roadmap_timeline(steps, D(2024, 3, 1), today_label="Au 1er mars 2024")
    texts = list(fig.layout.yaxis.ticktext)
    assert texts[:3] == ["<b>Axe A</b>", "A-1 · Texte A-1", "A-2 · Texte A-2"]
    assert texts[-1].startswith("C-2 · Un libellé très") and texts[-1].endswith("…")
    assert len(texts[-1]) <= len("C-2 · ") + NAME_CHARS
    assert list(fig.layout.xaxis.range) == [D(2023, 12, 22), D(2025, 1, 10)]
    ticks = list(fig.layout.xaxis.tickvals)
    assert [t for t in ticks if t.year == 2024] == [D(2024, m, 1) for m in range(1, 13)]
    assert [t for t in ticks if t.year == 2023] == [D(2023, 4, 1), D(2023, 7, 1), D(2023, 10, 1)]
    assert "janv. 2024" in fig.layout.xaxis.ticktext
    late = next(t for t in fig.data if t.name == "À faire")
    hover = dict(zip(late.y, late.hovertext, strict=True))
    assert "<b>En retard de 326 jours</b>" in hover["A-2"]  # due 10 April 2023
    assert "En retard" not in hover["C-1"]


def test_timeline_without_a_step_in_the_year_shows_them_all():
    fig = roadmap_timeline(STEPS, D(2026, 1, 5), today_label="Aujourd'hui")
    assert fig.layout.xaxis.range[0] < D(2023, 3, 31)
