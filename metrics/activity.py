"""Activity of the period for the weekly point: what was done, counted by date of the event.

Unlike the cohort indicators these count events dated in the period (invitations sent,
appointments held, orientations decided, contracts signed) for persons in scope, whoever
entered when. They are counts about persons, so they go through statistical secrecy too.
An event before the person's entry is a data error and is not counted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, case, func, literal, select
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import FromClause

from metrics.orientation import TYPE_LABELS
from metrics.population import (
    APPOINTMENTS,
    CONTRACTS,
    INVITATIONS,
    ORIENTATIONS,
    P,
    check_territory,
    cohort_last_day,
    count_rows,
    person_conditions,
    persons_with_utas,
    utas_key,
)
from metrics.privacy import publish
from metrics.results import MetricResult
from metrics.spec import Family, IndicatorSpec, MetricContext
from metrics.sql import date_value, month_bucket

SEND_LABELS = {"first": "Premier envoi", "reminder": "Relance"}
PURPOSE_LABELS = {
    "orientation": "Orientation",
    "accompaniment": "Accompagnement",
    "other": "Autre motif",
}
CONTRACT_LABELS = {"cer": "CER", "ppae": "PPAE", "pacea": "PACEA", "cej": "CEJ"}

_PERIOD = " datés dans la période (et au plus tard à la date d'observation)"


def _spec(id_: str, label: str, definition: str, formula: str, kind: str) -> IndicatorSpec:
    return IndicatorSpec(
        id=id_,
        label=label,
        definition=definition,
        formula=formula,
        unit="count",
        breakdowns=("cohort_month", "utas", kind),
    )


INVITATIONS_SENT = _spec(
    "invitations_sent",
    "Invitations et convocations envoyées",
    "Nombre d'invitations et de convocations envoyées" + _PERIOD + ", relances comprises.",
    "nombre d'envois (premiers envois + relances)",
    "send_type",
)
APPOINTMENTS_HELD = _spec(
    "appointments_held",
    "Rendez-vous honorés",
    "Nombre de rendez-vous" + _PERIOD + " où la personne est venue.",
    "nombre de rendez-vous au statut « venu »",
    "purpose",
)
ORIENTATIONS_DECIDED = _spec(
    "orientations_decided",
    "Décisions d'orientation",
    "Nombre de décisions d'orientation" + _PERIOD + ".",
    "nombre de décisions",
    "orientation_type",
)
CONTRACTS_SIGNED = _spec(
    "contracts_signed",
    "Contrats d'engagement signés",
    "Nombre de contrats d'engagement (CER, PPAE, PACEA, CEJ) signés" + _PERIOD + ".",
    "nombre de contrats",
    "contract_type",
)


@dataclass(frozen=True)
class EventCount:
    """How to count one kind of event: its table, date, type column and extra conditions."""

    spec: IndicatorSpec
    table: FromClause
    person: ColumnElement[int]
    date: ColumnElement
    kind: ColumnElement[str]
    labels: dict[str, str]
    conditions: Sequence[ColumnElement[bool]] = ()


COUNTS = (
    EventCount(
        INVITATIONS_SENT,
        INVITATIONS,
        INVITATIONS.c.person_id,
        INVITATIONS.c.sent_date,
        case((INVITATIONS.c.is_reminder, literal("reminder")), else_=literal("first")),
        SEND_LABELS,
    ),
    EventCount(
        APPOINTMENTS_HELD,
        APPOINTMENTS,
        APPOINTMENTS.c.person_id,
        APPOINTMENTS.c.date,
        APPOINTMENTS.c.purpose,
        PURPOSE_LABELS,
        (APPOINTMENTS.c.status == "seen",),
    ),
    EventCount(
        ORIENTATIONS_DECIDED,
        ORIENTATIONS,
        ORIENTATIONS.c.person_id,
        ORIENTATIONS.c.decision_date,
        ORIENTATIONS.c.orientation_type,
        TYPE_LABELS,
    ),
    EventCount(
        CONTRACTS_SIGNED,
        CONTRACTS,
        CONTRACTS.c.person_id,
        CONTRACTS.c.signed_date,
        CONTRACTS.c.contract_type,
        CONTRACT_LABELS,
    ),
)


def _count(conn: Connection, context: MetricContext, item: EventCount) -> MetricResult:
    scope = context.scope
    month = month_bucket(item.date).label("month")
    utas = utas_key().label("utas")
    kind = item.kind.label("kind")
    rows = conn.execute(
        select(month, utas, kind, func.count().label("n"))
        .select_from(persons_with_utas().join(item.table, item.person == P.c.id))
        .where(
            *person_conditions(scope),
            *item.conditions,
            item.date >= date_value(scope.start),
            item.date <= date_value(cohort_last_day(scope)),
            item.date >= P.c.entry_date,
        )
        .group_by(month, utas, kind)
    ).all()

    def totals(field: str) -> list[tuple[str, int]]:
        sums: dict[str, int] = defaultdict(int)
        for row in rows:
            sums[getattr(row, field)] += int(row.n)
        return list(sums.items())

    kind_name = item.spec.breakdowns[-1]
    return publish(
        item.spec,
        context.settings,
        float(sum(int(row.n) for row in rows)),
        breakdowns={
            "cohort_month": count_rows(totals("month"), "month"),
            "utas": count_rows(totals("utas"), "utas"),
            kind_name: count_rows(totals("kind"), "kind", item.labels),
        },
    )


def compute(context: MetricContext) -> dict[str, MetricResult]:
    """Every indicator of the family for one scope."""
    with context.engine.connect() as conn:
        check_territory(conn, context.scope.territory)
        results = [_count(conn, context, item) for item in COUNTS]
    return {result.id: result for result in results}


FAMILY = Family(
    name="activity",
    label="Activité de la période",
    indicators=tuple(item.spec for item in COUNTS),
    compute=compute,
)
