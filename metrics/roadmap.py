"""Indicators of the roadmap: steps, share done, late, blocked, steps due in the next 14 days.

The weekly point and the committee review the roadmap line by line; these figures summarise
it, overall, by axis and by owner party. Statuses are those at the scope's as-of date, replayed
from the history of changes, so a committee looking back at a past date sees the roadmap as it
stood then. The roadmap is département-wide: the scope's territory and payer do not apply.
Steps are not persons, so nothing here is masked (``person_based=False``); a step owned by
several parties counts once for each of them in the « by owner » breakdown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from data_access.roadmap import CLOSED_STATUSES, StepView, steps_at
from data_access.schema import PARTIES
from metrics.privacy import publish
from metrics.results import BreakdownRow, MetricResult
from metrics.spec import Family, IndicatorSpec, MetricContext

DUE_SOON_DAYS = 14
NO_OWNER_LABEL = "Non attribué"
BREAKDOWNS = ("axis", "owner")

TOTAL = IndicatorSpec(
    id="roadmap_steps_total",
    label="Étapes de la feuille de route",
    definition="Nombre d'étapes de la feuille de route, quel que soit leur statut.",
    formula="nombre d'étapes",
    unit="count",
    person_based=False,
    breakdowns=BREAKDOWNS,
)
DONE_RATE = IndicatorSpec(
    id="roadmap_done_rate",
    label="Part des étapes réalisées",
    definition="Part des étapes au statut « fait » à la date d'observation, parmi les étapes "
    "qui ne sont pas abandonnées.",
    formula="étapes « fait » ÷ étapes non abandonnées",
    unit="ratio",
    person_based=False,
    breakdowns=BREAKDOWNS,
)
LATE = IndicatorSpec(
    id="roadmap_late_steps",
    label="Étapes en retard",
    definition="Étapes dont l'échéance est passée à la date d'observation et qui ne sont ni "
    "faites ni abandonnées.",
    formula="étapes avec échéance < date d'observation et statut ∉ {fait, abandonné}",
    unit="count",
    higher_is_better=False,
    person_based=False,
    breakdowns=BREAKDOWNS,
)
BLOCKED = IndicatorSpec(
    id="roadmap_blocked_steps",
    label="Étapes bloquées",
    definition="Étapes au statut « bloqué » à la date d'observation : celles que le comité doit "
    "débloquer (décision, arbitrage, moyen manquant), quelle que soit leur échéance.",
    formula="étapes avec statut = bloqué à la date d'observation",
    unit="count",
    higher_is_better=False,
    person_based=False,
    breakdowns=BREAKDOWNS,
)
DUE_SOON = IndicatorSpec(
    id="roadmap_due_next_14d",
    label="Étapes à échéance dans les 14 jours",
    definition="Étapes ni faites ni abandonnées dont l'échéance tombe dans les 14 jours qui "
    "suivent la date d'observation (date d'observation exclue, 14e jour inclus).",
    formula="étapes avec date d'observation < échéance ≤ date d'observation + 14 j et statut "
    "∉ {fait, abandonné}",
    unit="count",
    person_based=False,
    breakdowns=BREAKDOWNS,
)


def is_open(step: StepView) -> bool:
    """Neither done nor abandoned."""
    return step.status not in CLOSED_STATUSES


def is_late(step: StepView, as_of: dt.date) -> bool:
    """Due before ``as_of`` and still open."""
    return is_open(step) and step.due_date is not None and step.due_date < as_of


def is_due_soon(step: StepView, as_of: dt.date, days: int = DUE_SOON_DAYS) -> bool:
    """Open and due in (as_of, as_of + days]."""
    return (
        is_open(step)
        and step.due_date is not None
        and as_of < step.due_date <= as_of + dt.timedelta(days=days)
    )


def _groups(steps: Iterable[StepView], by: str) -> dict[str, list[StepView]]:
    """Steps by axis (roadmap order) or by owner party (a step in each of its parties)."""
    groups: dict[str, list[StepView]] = {}
    for step in steps:
        keys = [step.axis] if by == "axis" else (list(step.owners) or [""])
        for key in keys:
            groups.setdefault(key, []).append(step)
    if by == "owner":
        order = {party: index for index, party in enumerate(PARTIES)}
        return dict(sorted(groups.items(), key=lambda item: order.get(item[0], len(order))))
    return groups


def _count_rows(
    steps: list[StepView], by: str, keep: Callable[[StepView], bool]
) -> list[BreakdownRow]:
    return [
        BreakdownRow(
            key=key,
            label=key or NO_OWNER_LABEL,
            value=float(sum(1 for s in members if keep(s))),
            numerator=float(sum(1 for s in members if keep(s))),
        )
        for key, members in _groups(steps, by).items()
    ]


def _rate_rows(steps: list[StepView], by: str) -> list[BreakdownRow]:
    rows = []
    for key, members in _groups(steps, by).items():
        done, active = _done_and_active(members)
        rows.append(
            BreakdownRow(
                key=key,
                label=key or NO_OWNER_LABEL,
                value=done / active if active else None,
                numerator=float(done),
                denominator=float(active),
            )
        )
    return rows


def _done_and_active(steps: list[StepView]) -> tuple[int, int]:
    done = sum(1 for s in steps if s.status == "fait")
    active = sum(1 for s in steps if s.status != "abandonne")
    return done, active


def roadmap_results(
    steps: list[StepView], as_of: dt.date, context: MetricContext
) -> dict[str, MetricResult]:
    """The roadmap indicators over steps whose status is the one at ``as_of``."""
    settings = context.settings

    def count(spec: IndicatorSpec, keep: Callable[[StepView], bool]) -> MetricResult:
        value = float(sum(1 for s in steps if keep(s)))
        return publish(
            spec,
            settings,
            value,
            numerator=value,
            breakdowns={by: _count_rows(steps, by, keep) for by in BREAKDOWNS},
        )

    done, active = _done_and_active(steps)
    return {
        TOTAL.id: count(TOTAL, lambda s: True),
        DONE_RATE.id: publish(
            DONE_RATE,
            settings,
            done / active if active else None,
            numerator=float(done),
            denominator=float(active),
            breakdowns={by: _rate_rows(steps, by) for by in BREAKDOWNS},
        ),
        LATE.id: count(LATE, lambda s: is_late(s, as_of)),
        BLOCKED.id: count(BLOCKED, lambda s: s.status == "bloque"),
        DUE_SOON.id: count(DUE_SOON, lambda s: is_due_soon(s, as_of)),
    }


def compute(context: MetricContext) -> dict[str, MetricResult]:
    """Roadmap indicators at the scope's as-of date (statuses replayed from the history)."""
    as_of = context.scope.as_of
    return roadmap_results(steps_at(context.engine, as_of), as_of, context)


FAMILY = Family(
    name="roadmap",
    label="Feuille de route",
    indicators=(TOTAL, DONE_RATE, LATE, BLOCKED, DUE_SOON),
    compute=compute,
)
