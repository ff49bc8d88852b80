"""Late roadmap steps and open actions for an e-mail: a CSV file and a short text summary.

After the weekly point the project lead sends the list of late items to the partners. The CSV
goes through the project's formula-safe exporter (``;``, BOM, neutralised cells) with dates
written « 31/05/2024 », which a French spreadsheet reads as dates; the text is short enough to
paste into the body of the e-mail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from charts.csv_export import table_csv
from charts.rows import ActionRow, DigestRow, StepRow
from formatting import format_date

CSV_HEADER = [
    "Type",
    "Id",
    "Libellé",
    "Responsable",
    "Échéance",
    "Jours de retard",
    "Statut",
    "Étape liée",
]


def _short_date(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def _late_days(due: dt.date | None, as_of: dt.date) -> int | None:
    return (as_of - due).days if due is not None and due < as_of else None


def late_items_csv(
    late_steps: Sequence[StepRow], actions: Sequence[ActionRow], as_of: dt.date
) -> bytes:
    """Late steps then open actions, one line each, for a spreadsheet attached to an e-mail."""
    rows: list[list[str | float | None]] = [
        [
            "Étape en retard",
            s.step_id,
            s.step,
            ", ".join(s.owners),
            _short_date(s.due_date),
            _late_days(s.due_date, as_of),
            s.status_label,
            s.step_id,
        ]
        for s in late_steps
    ]
    rows += [
        [
            "Action ouverte",
            f"A-{a.id}",
            a.text,
            a.owner_label if a.owner or a.owner_person else "",
            _short_date(a.due_date),
            a.days_late(as_of) or None,
            a.status_label,
            a.step_id or "",
        ]
        for a in actions
    ]
    return table_csv(CSV_HEADER, rows)


def _late_text(days: int) -> str:
    return f"{days} jour{'s' if days > 1 else ''} de retard"


def email_summary(
    departement: str,
    as_of: dt.date,
    late_steps: Sequence[StepRow],
    actions: Sequence[ActionRow],
    digest: DigestRow | None = None,
) -> str:
    """A plain-text summary ready to paste into an e-mail (French, no table)."""
    lines = [f"Point hebdomadaire RSA — {departement} — {format_date(as_of)}", ""]
    if digest is not None:
        lines += [
            f"Depuis le dernier point hebdomadaire ({format_date(digest.since)}) : "
            f"{len(digest.steps_moved)} étape(s) ont changé de statut, "
            f"{len(digest.decisions)} décision(s), {len(digest.actions_created)} action(s) "
            f"créée(s), {len(digest.actions_closed)} close(s).",
            "",
        ]
    lines.append(f"Étapes de la feuille de route en retard ({len(late_steps)}) :")
    for s in late_steps:
        days = _late_days(s.due_date, as_of) or 0
        owners = ", ".join(s.owners) or "non attribuée"
        lines.append(
            f"- {s.step_id} {s.step} ({owners}) : échéance {format_date(s.due_date)}, "
            f"{_late_text(days)}, {s.status_label}"
        )
    if not late_steps:
        lines.append("- aucune")
    lines += ["", f"Actions ouvertes ({len(actions)}) :"]
    for a in actions:
        due = f"échéance {format_date(a.due_date)}" if a.due_date else "sans échéance"
        late = f", {_late_text(a.days_late(as_of))}" if a.is_late(as_of) else ""
        step = f" [étape {a.step_id}]" if a.step_id else ""
        lines.append(f"- {a.text}{step} ({a.owner_label}) : {due}{late}, {a.status_label}")
    if not actions:
        lines.append("- aucune")
    return "\n".join(lines) + "\n"
