"""``roadmap_steps.csv`` in the import bundle: the roadmap kept in a spreadsheet.

Some départements keep their roadmap in a spreadsheet and want the dashboard to follow it. The
file has one line per step: ``step_id, axis, target, step, due_label, due_date, owners, status,
done_date``. An empty ``due_date`` is read from ``due_label`` with the French parser (reference
year from the settings); ``owners`` are ``|``-separated parties (« Etat » and « Pôle emploi »
are accepted); ``status`` may be written in French (« en cours »). Every problem names its line
and field, and a bad line refuses the whole bundle, as for every other file.

A status changed by an import is a status change like any other: it bumps the step's version
(so an edit form opened before the import is refused rather than overwriting it) and adds a
history row by « import n° N », journaled so that undoing the run removes it too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select

from data_access.due_dates import ACCEPTED_EXAMPLES, parse_due_label
from data_access.exceptions import DataAccessError
from data_access.importers.base import Column, ParsedRow
from data_access.importers.bundle import BundleContext, FileKind, register
from data_access.importers.journal import Journal, UpsertCounts
from data_access.importers.reading import CellError, parse_date
from data_access.roadmap import STATUS_LABELS, owners_text, parse_owners, parse_status
from data_access.schema import PARTIES, RoadmapStep, RoadmapStepHistory, table_of

FILE_NAME = "roadmap_steps.csv"
CONTENT_COLUMNS = ("axis", "target", "step", "due_label", "due_date", "owners", "status")


def _cell(parser: Callable[[str], Any], message: str) -> Callable[[str], Any]:
    """Turn a data-layer error into a cell error with a fixed French ``message``: the data
    layer's own messages quote what was typed, and an imported cell is never echoed."""

    def parse(value: str) -> Any:
        try:
            return parser(value)
        except DataAccessError:
            raise CellError(message) from None

    return parse


UNKNOWN_OWNER = f"partenaire inconnu : attendu {', '.join(PARTIES)} (séparés par |)"
UNKNOWN_STATUS = "statut inconnu : attendu " + ", ".join(
    f"« {label} »" for label in STATUS_LABELS.values()
)
UNKNOWN_DUE = f"échéance non reconnue : formes acceptées {ACCEPTED_EXAMPLES}"


COLUMNS = (
    Column("step_id"),
    Column("axis"),
    Column("target"),
    Column("step"),
    Column("due_label", required=False),
    Column("due_date", parse_date, required=False),
    Column(
        "owners",
        _cell(lambda v: owners_text(parse_owners(v)), UNKNOWN_OWNER),
        required=False,
        default="",
    ),
    Column("status", _cell(parse_status, UNKNOWN_STATUS), required=False, default="a_faire"),
    Column("done_date", parse_date, required=False),
)


def _check(ctx: BundleContext, rows: list[ParsedRow]) -> list[ParsedRow]:
    kept: list[ParsedRow] = []
    today = dt.date.today()
    for row in rows:
        v = dict(row.values)
        if len(v["step_id"]) > 40:
            ctx.reject(FILE_NAME, row, "step_id", "identifiant trop long (40 caractères au plus)")
            continue
        if v["due_date"] is None and v["due_label"]:
            try:
                v["due_date"] = parse_due_label(v["due_label"], ctx.settings.roadmap_reference_year)
            except DataAccessError:
                ctx.reject(FILE_NAME, row, "due_label", UNKNOWN_DUE)
                continue
        if v["done_date"] is not None and v["status"] != "fait":
            ctx.reject(
                FILE_NAME,
                row,
                "done_date",
                "date de réalisation pour une étape qui n'est pas faite",
            )
            continue
        if v["done_date"] is not None and v["done_date"] > today:
            ctx.reject(FILE_NAME, row, "done_date", "date de réalisation dans le futur")
            continue
        kept.append(ParsedRow(row.line, v))
    return kept


def _write(ctx: BundleContext, journal: Journal, rows: list[ParsedRow]) -> UpsertCounts:
    table = table_of(RoadmapStep)
    conn = ctx.conn
    existing = {
        r.step_id: r
        for r in conn.execute(
            select(
                table.c.step_id,
                table.c.status,
                table.c.done_date,
                table.c.position,
                table.c.version,
                table.c.updated_at,
                table.c.updated_by,
                *(table.c[c] for c in CONTENT_COLUMNS if c != "status"),
            )
        )
    }
    next_position = (conn.execute(select(func.max(table.c.position))).scalar() or 0) + 1
    now = dt.datetime.now().replace(microsecond=0)
    author = f"import n° {journal.run_id}"
    values: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    for row in rows:
        v = row.values
        content = {c: v[c] for c in CONTENT_COLUMNS} | {"done_date": v["done_date"]}
        current = existing.get(v["step_id"])
        if current is None:
            stamp = {"position": next_position, "version": 1, "updated_at": now}
            stamp["updated_by"] = author
            next_position += 1
        elif any(getattr(current, c) != content[c] for c in content):
            stamp = {
                "position": current.position,
                "version": current.version + 1,
                "updated_at": now,
                "updated_by": author,
            }
            if (current.status, current.done_date) != (content["status"], content["done_date"]):
                history.append(
                    {
                        "step_id": v["step_id"],
                        "changed_at": now,
                        "changed_by": author,
                        "old_status": current.status,
                        "new_status": content["status"],
                        "old_done_date": current.done_date,
                        "new_done_date": content["done_date"],
                        "comment": f"Import du fichier {FILE_NAME}",
                    }
                )
        else:
            stamp = {
                "position": current.position,
                "version": current.version,
                "updated_at": current.updated_at,
                "updated_by": current.updated_by,
            }
        values.append({"step_id": v["step_id"], **content, **stamp})
    counts = journal.upsert(table, values, key=("step_id",))
    _insert_history(journal, history)
    return counts


def _insert_history(journal: Journal, rows: list[dict[str, Any]]) -> None:
    """Insert history rows through the journal, so undoing the run removes them.

    History ids come from the database (a sequence on PostgreSQL); ``Journal.insert`` reads
    them back and journals them itself.
    """
    if rows:
        journal.insert(table_of(RoadmapStepHistory), rows)


register(
    FileKind(
        FILE_NAME,
        90,
        COLUMNS,
        ("step_id",),
        "step_id",
        _check,
        _write,
    )
)
