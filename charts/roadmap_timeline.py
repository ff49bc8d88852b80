"""Timelines of the roadmap and of the governance calendar (figures only, no query).

The committee reads the roadmap as dates on a line: each step at its due date, grouped by axis,
coloured by status, with a vertical line at the observation date so that what is late sits
visibly left of it. The « Instances » calendar puts meetings and roadmap milestones on the same
time axis. Both take the values the data layer returns and draw them with the project template;
``timeline_table`` gives the data behind the roadmap chart for its CSV export.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import plotly.graph_objects as go
from babel.dates import format_date as babel_format_date

from charts.plain import plain
from charts.rows import CLOSED_STATUSES, MEETING_KINDS, STEP_STATUSES, MeetingRow, StepRow
from charts.theme import (
    BLEU_FRANCE,
    GREY_BACKGROUND,
    GREY_LIGHT,
    GREY_MID,
    ROUGE_MARIANNE,
    register_template,
)
from formatting import format_date

STATUS_COLORS: dict[str, str] = {
    "a_faire": GREY_MID,
    "en_cours": BLEU_FRANCE,
    "fait": "#18753C",
    "bloque": "#D55E00",
    "abandonne": GREY_LIGHT,
}
# A status is also a shape, so the chart reads without colour (and its word is in the legend).
STATUS_SYMBOLS: dict[str, str] = {
    "a_faire": "circle",
    "en_cours": "triangle-right",
    "fait": "square",
    "bloque": "x",
    "abandonne": "diamond",
}
MEETING_SYMBOLS = {
    "comite_de_suivi": "star",
    "point_hebdomadaire": "circle",
    "groupe_de_travail": "square",
}
MILESTONES_ROW = "Jalons de la feuille de route"
ROW_HEIGHT = 22


def _is_late(step: StepRow, as_of: dt.date) -> bool:
    return (
        step.status not in CLOSED_STATUSES and step.due_date is not None and step.due_date < as_of
    )


def _hover(step: StepRow, as_of: dt.date) -> str:
    lines = [
        f"<b>{plain(step.step_id)}</b> — {step.status_label}",
        plain(step.step),
        f"Échéance : {plain(step.due_label or '—')} ({format_date(step.due_date)})",
        f"Responsables : {plain(', '.join(step.owners)) or 'non attribué'}",
    ]
    if step.done_date:
        lines.append(f"Fait le {format_date(step.done_date)}")
    if _is_late(step, as_of):
        lines.append("<b>En retard</b>")
    return "<br>".join(lines)


def _today_line(fig: go.Figure, day: dt.date, label: str) -> None:
    fig.add_shape(
        type="line",
        x0=day,
        x1=day,
        xref="x",
        y0=0,
        y1=1,
        yref="paper",
        line={"color": ROUGE_MARIANNE, "width": 2, "dash": "dash"},
    )
    fig.add_annotation(
        x=day,
        y=1,
        xref="x",
        yref="paper",
        text=label,
        showarrow=False,
        # left of the line: the line sits near the right end of the axis, where a label
        # written to its right was cut (« Aujou »)
        xanchor="right",
        yanchor="top",
        xshift=-4,
        font={"color": ROUGE_MARIANNE},
        bgcolor="rgba(255,255,255,0.8)",
    )


def month_ticks(first: dt.date, last: dt.date) -> tuple[list[dt.date], list[str]]:
    """First days of months between two dates, labelled in French (« avr. 2023 »).

    Every month up to 18 months, every quarter beyond, so labels never overlap.
    """
    step = 1 if (last.year - first.year) * 12 + last.month - first.month <= 18 else 3
    ticks: list[dt.date] = []
    year, month = first.year, first.month
    if first.day > 1:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    while dt.date(year, month, 1) <= last:
        if (month - 1) % step == 0:
            ticks.append(dt.date(year, month, 1))
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return ticks, [babel_format_date(t, "MMM y", locale="fr_FR") for t in ticks]


def _date_axis(title: str, dates: Sequence[dt.date]) -> dict[str, object]:
    if not dates:
        return {"title": {"text": title}}
    first, last = min(dates), max(dates)
    ticks, labels = month_ticks(first, last)
    margin = dt.timedelta(days=10)
    return {
        "title": {"text": title},
        "tickvals": ticks,
        "ticktext": labels,
        "range": [first - margin, last + margin],
    }


def roadmap_timeline(steps: Sequence[StepRow], as_of: dt.date, *, today_label: str) -> go.Figure:
    """Dated steps at their due date, one line each, grouped by axis, coloured by status.

    Lines follow the roadmap order; each axis is a shaded band named on the left. Late steps
    (open, due before ``as_of``) get a red outline; undated steps are left out (the page lists
    them in its table).
    """
    dated = [s for s in steps if s.due_date is not None]
    order = [s.step_id for s in dated]
    fig = go.Figure()
    for status in STEP_STATUSES:
        members = [s for s in dated if s.status == status]
        if not members:
            continue
        label = members[0].status_label
        fig.add_trace(
            go.Scatter(
                x=[s.due_date for s in members],
                y=[s.step_id for s in members],
                mode="markers",
                name=label.capitalize(),
                marker={
                    "size": 13,
                    "symbol": STATUS_SYMBOLS[status],
                    "color": STATUS_COLORS[status],
                    "line": {
                        "color": [
                            ROUGE_MARIANNE if _is_late(s, as_of) else "white" for s in members
                        ],
                        "width": [3 if _is_late(s, as_of) else 1 for s in members],
                    },
                },
                hovertext=[_hover(s, as_of) for s in members],
                hoverinfo="text",
            )
        )
    _axis_bands(fig, dated)
    _today_line(fig, as_of, today_label)
    fig.update_layout(
        template=register_template(),
        title={"text": "<b>Feuille de route : échéances des étapes par axe</b>"},
        height=max(360, 160 + ROW_HEIGHT * len(dated)),
        xaxis=_date_axis("Échéance", [s.due_date for s in dated if s.due_date] + [as_of]),
        yaxis={
            "type": "category",
            "categoryorder": "array",
            "categoryarray": order,
            "tickmode": "array",
            "tickvals": order,
            "ticktext": [plain(step_id) for step_id in order],
            "tickfont": {"size": 12},
            "autorange": "reversed",
            "title": None,
        },
        margin={"l": 230},
        showlegend=True,
    )
    return fig


def _axis_bands(fig: go.Figure, dated: Sequence[StepRow]) -> None:
    """A light band behind each axis's lines, with the axis name left of the step ids."""
    groups: dict[str, list[int]] = {}
    for index, step in enumerate(dated):
        groups.setdefault(step.axis, []).append(index)
    for number, (axis, rows) in enumerate(groups.items()):
        low, high = min(rows) - 0.5, max(rows) + 0.5
        if number % 2 == 0:
            fig.add_shape(
                type="rect",
                xref="paper",
                x0=0,
                x1=1,
                yref="y",
                y0=low,
                y1=high,
                fillcolor=GREY_BACKGROUND,
                line={"width": 0},
                layer="below",
            )
        fig.add_annotation(
            xref="paper",
            x=0,
            xshift=-60,
            yref="y",
            y=(low + high) / 2,
            text=f"<b>{plain(axis)}</b>",
            showarrow=False,
            xanchor="right",
            font={"size": 12, "color": GREY_MID},
        )


def timeline_table(
    steps: Sequence[StepRow], as_of: dt.date
) -> tuple[list[str], list[list[str | float | None]]]:
    """Header and rows of the timeline, for the CSV export."""
    header = [
        "Étape",
        "Axe",
        "Libellé",
        "Échéance (libellé)",
        "Échéance",
        "Responsables",
        "Statut",
        "Fait le",
        "En retard",
    ]
    rows: list[list[str | float | None]] = [
        [
            s.step_id,
            s.axis,
            s.step,
            s.due_label or "",
            s.due_date.isoformat() if s.due_date else "",
            "|".join(s.owners),
            s.status_label,
            s.done_date.isoformat() if s.done_date else "",
            "oui" if _is_late(s, as_of) else "non",
        ]
        for s in steps
    ]
    return header, rows


def governance_calendar(
    meetings: Sequence[MeetingRow],
    milestones: Sequence[StepRow],
    today: dt.date,
    *,
    today_label: str,
) -> go.Figure:
    """Meetings by kind and roadmap milestones on one time axis, with a line at ``today``."""
    fig = go.Figure()
    for kind in MEETING_KINDS:
        members = [m for m in meetings if m.kind == kind]
        if not members:
            continue
        label = members[0].kind_label
        fig.add_trace(
            go.Scatter(
                x=[m.date for m in members],
                y=[label] * len(members),
                mode="markers",
                name=label,
                marker={"size": 12, "symbol": MEETING_SYMBOLS[kind]},
                hovertext=[
                    f"<b>{plain(m.title)}</b><br>{format_date(m.date)}<br>"
                    f"{plain(', '.join(m.institutions))}"
                    for m in members
                ],
                hoverinfo="text",
            )
        )
    dated = [s for s in milestones if s.due_date is not None]
    if dated:
        fig.add_trace(
            go.Scatter(
                x=[s.due_date for s in dated],
                y=[MILESTONES_ROW] * len(dated),
                mode="markers",
                name=MILESTONES_ROW,
                marker={
                    "size": 11,
                    "symbol": [STATUS_SYMBOLS[s.status] for s in dated],
                    "color": [STATUS_COLORS[s.status] for s in dated],
                },
                hovertext=[_hover(s, today) for s in dated],
                hoverinfo="text",
            )
        )
    _today_line(fig, today, today_label)
    fig.update_layout(
        template=register_template(),
        title={"text": "<b>Calendrier des instances et jalons</b>"},
        height=380,
        xaxis=_date_axis(
            "Date",
            [m.date for m in meetings]
            + [s.due_date for s in dated if s.due_date is not None]
            + [today],
        ),
        yaxis={"title": None, "type": "category"},
        showlegend=False,
    )
    return fig


def calendar_table(
    meetings: Sequence[MeetingRow], milestones: Sequence[StepRow]
) -> tuple[list[str], list[list[str | float | None]]]:
    """Header and rows of the governance calendar (meetings, then dated milestones)."""
    header = ["Date", "Type", "Intitulé", "Institutions ou responsables", "Statut"]
    rows: list[list[str | float | None]] = [
        [m.date.isoformat(), m.kind_label, m.title, "|".join(m.institutions), ""]
        for m in sorted(meetings, key=lambda m: m.date)
    ]
    rows += [
        [
            s.due_date.isoformat(),
            MILESTONES_ROW,
            f"{s.step_id} — {s.step}",
            "|".join(s.owners),
            s.status_label,
        ]
        for s in sorted(milestones, key=lambda s: (s.due_date or dt.date.max, s.position))
        if s.due_date is not None
    ]
    return header, rows


def _step_list(steps: Sequence[StepRow]) -> str:
    ids = [s.step_id for s in steps]
    return ", ".join(ids[:6]) + (f" et {len(ids) - 6} autres" if len(ids) > 6 else "")


def timeline_summary(steps: Sequence[StepRow], as_of: dt.date) -> str:
    """What the roadmap timeline shows: statuses, late steps, the next due date."""
    if not steps:
        return "Aucune étape de feuille de route."
    dated = [s for s in steps if s.due_date is not None]
    counts = [
        f"{members[0].status_label} {len(members)}"
        for status in STEP_STATUSES
        if (members := [s for s in steps if s.status == status])
    ]
    late = [s for s in dated if _is_late(s, as_of)]
    text = f"{len(steps)} étapes au {format_date(as_of)} : {', '.join(counts)}."
    if late:
        text += f" {len(late)} en retard sur leur échéance : {_step_list(late)}."
    else:
        text += " Aucune étape en retard."
    upcoming = sorted(
        (
            s
            for s in dated
            if s.due_date and s.due_date >= as_of and s.status not in CLOSED_STATUSES
        ),
        key=lambda s: s.due_date or as_of,
    )
    if upcoming:
        nxt = upcoming[0]
        text += f" Prochaine échéance : {nxt.step_id} le {format_date(nxt.due_date)}."
    return text


def calendar_summary(
    meetings: Sequence[MeetingRow], milestones: Sequence[StepRow], today: dt.date
) -> str:
    """What the governance calendar shows: meetings by kind, the next one, milestones."""
    if not meetings and not milestones:
        return "Aucune réunion ni échéance enregistrée."
    kinds = [
        f"{members[0].kind_label.lower()} {len(members)}"
        for kind in MEETING_KINDS
        if (members := [m for m in meetings if m.kind == kind])
    ]
    text = (
        f"{len(meetings)} réunion(s) : {', '.join(kinds)}."
        if meetings
        else "Aucune réunion enregistrée."
    )
    past = [m for m in meetings if m.date <= today]
    future = sorted((m for m in meetings if m.date > today), key=lambda m: m.date)
    if past:
        last = max(past, key=lambda m: m.date)
        text += f" Dernière : {last.title}, le {format_date(last.date)}."
    if future:
        text += f" Prochaine : {future[0].title}, le {format_date(future[0].date)}."
    dated = [s for s in milestones if s.due_date is not None]
    if dated:
        late = [s for s in dated if _is_late(s, today)]
        text += f" {len(dated)} jalons de la feuille de route, dont {len(late)} en retard."
    return text
