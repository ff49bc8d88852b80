"""Demo governance: plausible roadmap progress and meetings for the synthetic département.

A demo that shows the seed roadmap all « à faire » and no meeting would not show what the
« Feuille de route » and « Instances » pages are for. Given the demo's as-of date, this gives
each seed step a believable course (started some weeks before its due date, done around it,
sometimes blocked for a while, rarely abandoned), written as history rows dated in the past so
the roadmap can be replayed at any earlier date; and it records weekly points since the
roadmap set them up (S12 2023), follow-up committees every two months since February 2023 and
a few working groups, with decisions and actions.

A roadmap where everything is done by the summer of 2023 would never show the late-step alerts
of the weekly and committee pages: a few steps that depend on tools or agreements outside the
project (``STALLED``) are still in progress or blocked past their due date, and the last weekly
point before the as-of date leaves follow-up actions due within the next 14 days.

It never overwrites work: only steps never edited (version 1, no history) get a demo course,
and meetings are added only when there are none. Authors are roles, never persons.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
from dataclasses import dataclass
from typing import TypedDict

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from data_access.governance import add_action, create_meeting
from data_access.roadmap_seed import load_seed_roadmap
from data_access.schema import Meeting, RoadmapStep, RoadmapStepHistory
from settings import Settings

PILOT_START = dt.date(2023, 2, 17)
WEEKLY_START = dt.date(2023, 3, 24)  # S12 2023, the roadmap's due date for the weekly point
FIXED_HOLIDAYS = {(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)}
AUTHORS = {
    "CD": "Cheffe de projet CD",
    "France Travail": "Chef de projet France Travail",
    "État": "Commissaire à la lutte contre la pauvreté",
    "Beta.gouv": "Équipe Beta.gouv",
    "CAF": "Référente CAF",
    "MSA": "Référent MSA",
}
DEFAULT_AUTHOR = "Chef de projet"  # an institution of a département's own list
WEEKLY_ACTIONS = (
    "Relancer les partenaires sur les présences aux rendez-vous collectifs",
    "Mettre à jour la liste des bénéficiaires du stock à recontacter",
    "Préparer les indicateurs du prochain comité de suivi",
    "Vérifier les convocations envoyées hors délai de 15 jours",
    "Recenser les places disponibles en PMSMP",
    "Partager le planning des référents pour le mois suivant",
    "Faire le point sur les orientations en attente de plus de 30 jours",
)
COMMITTEE_DECISIONS = (
    "Valider le calendrier de reprise du stock",
    "Étendre les rendez-vous collectifs aux UTAS du sud du département",
    "Adopter le tableau de bord comme support commun du comité",
    "Confier à France Travail la coordination des chargés de relation entreprises",
    "Maintenir le rythme bimestriel du comité de suivi",
    "Mobiliser le club « Les entreprises s'engagent » sur les immersions",
)
# Steps still open past their due date, with the status they are stuck in and why.
STALLED = {
    "DO-03": ("bloque", "Accès aux DSP dans les flux en attente de la CNAF"),
    "AC-05": ("en_cours", "Recrutements en cours : deux postes de référent restent vacants"),
    "AC-08": ("bloque", "En attente de la convention d'échange de données entre les SI"),
    "NU-05": (
        "en_cours",
        "Premiers échanges de fichiers testés, bascule en production à planifier",
    ),
}
FOLLOW_UP_DAYS = 14  # follow-up actions fall due within the « à échéance sous 14 jours » window
WORKING_GROUPS = (
    (dt.date(2023, 4, 6), "Groupe de travail « Offre d'accompagnement »", "AC-01"),
    (dt.date(2023, 5, 11), "Groupe de travail « Reprise du stock »", "DO-11"),
    (dt.date(2023, 5, 25), "Atelier « Mobilisation des entreprises »", "ME-04"),
)


@dataclass(frozen=True)
class DemoGovernanceReport:
    """What the demo governance added."""

    steps_with_history: int
    history_rows: int
    meetings: int
    actions: int


def _moment(rng: random.Random, day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(9, 0)) + dt.timedelta(minutes=rng.randrange(0, 480))


def _course(
    rng: random.Random, due: dt.date | None, step_id: str
) -> list[tuple[dt.date, str, str | None]]:
    """Dated status changes of one step: (day, new status, comment)."""
    if due is None:  # macro-process questions: settled in the first weeks of the pilot
        start = PILOT_START + dt.timedelta(days=rng.randrange(0, 10))
        return [
            (start, "en_cours", "Question mise à l'ordre du jour du point hebdomadaire"),
            (start + dt.timedelta(days=rng.randrange(14, 60)), "fait", "Modalité arrêtée"),
        ]
    start = max(PILOT_START, due - dt.timedelta(days=rng.randrange(20, 50)))
    events: list[tuple[dt.date, str, str | None]] = [(start, "en_cours", None)]
    if step_id in STALLED:  # started, then stuck: still open at any later as-of date
        status, comment = STALLED[step_id]
        stuck = max(start + dt.timedelta(days=3), due - dt.timedelta(days=rng.randrange(1, 10)))
        events.append((stuck, status, comment))
        return events
    draw = rng.random()
    if draw < 0.05 or step_id == "ME-05":
        events.append((due + dt.timedelta(days=rng.randrange(10, 40)), "abandonne", "Arbitrage"))
        return events
    finish = due + dt.timedelta(days=rng.randrange(-10, 45))
    if draw < 0.2:
        blocked = start + dt.timedelta(days=rng.randrange(5, 20))
        events.append((blocked, "bloque", "En attente d'un arbitrage ou d'un outil"))
        events.append((blocked + dt.timedelta(days=rng.randrange(15, 60)), "en_cours", None))
        finish = max(finish, events[-1][0] + dt.timedelta(days=rng.randrange(10, 40)))
    events.append((max(finish, start + dt.timedelta(days=3)), "fait", None))
    return events


def _fill_steps(session: Session, as_of: dt.date, seed: int) -> tuple[int, int]:
    edited = set(session.scalars(select(RoadmapStepHistory.step_id).distinct()).all())
    steps = session.scalars(
        select(RoadmapStep).where(RoadmapStep.version == 1).order_by(RoadmapStep.position)
    ).all()
    changed = rows = 0
    for step in steps:
        if step.step_id in edited:
            continue
        rng = random.Random(f"governance-{seed}-{step.step_id}")  # same course on every run
        course = _course(rng, step.due_date, step.step_id)
        past = [event for event in course if event[0] <= as_of]
        if not past:
            continue
        owners = [o for o in step.owners.split("|") if o] or ["CD"]
        status, done_date, moment = "a_faire", None, None
        for day, new_status, comment in past:
            moment = _moment(rng, day)
            new_done = day if new_status == "fait" else None
            session.execute(
                insert(RoadmapStepHistory).values(
                    step_id=step.step_id,
                    changed_at=moment,
                    changed_by=AUTHORS.get(rng.choice(owners), DEFAULT_AUTHOR),
                    old_status=status,
                    new_status=new_status,
                    old_done_date=done_date,
                    new_done_date=new_done,
                    comment=comment,
                )
            )
            status, done_date = new_status, new_done
            rows += 1
        session.execute(
            update(RoadmapStep)
            .where(RoadmapStep.step_id == step.step_id, RoadmapStep.version == 1)
            .values(
                status=status,
                done_date=done_date,
                comment=past[-1][2],
                version=1 + len(past),
                updated_at=moment,
                updated_by=AUTHORS.get(owners[0], DEFAULT_AUTHOR),
            )
        )
        changed += 1
    return changed, rows


class _Author(TypedDict):
    user: str
    now: dt.datetime


def _by(day: dt.date) -> _Author:
    """Who records a demo meeting or action, and when: the CD's project lead, that evening."""
    return {"user": AUTHORS["CD"], "now": dt.datetime.combine(day, dt.time(17, 30))}


def working_day_from(day: dt.date) -> dt.date:
    """``day`` or the next day that is neither a weekend nor a fixed public holiday."""
    while day.weekday() >= 5 or (day.month, day.day) in FIXED_HOLIDAYS:
        day += dt.timedelta(days=1)
    return day


def _committee_dates(as_of: dt.date) -> list[dt.date]:
    """End of every even month from February 2023 (next working day), up to the next one.

    The committee meets every two months; holding it at the end of the month keeps the
    « since the last committee » period of the scope bar (two months) in step with it.
    """
    dates: list[dt.date] = []
    year, month = 2023, 2
    while True:
        day = working_day_from(dt.date(year, month, calendar.monthrange(year, month)[1]))
        dates.append(day)
        if day > as_of:
            return dates
        month += 2
        if month > 12:
            year, month = year + 1, month - 12


def _weekly_dates(as_of: dt.date) -> list[dt.date]:
    """Fridays from S12 2023, without August and the Christmas weeks, up to the next one."""
    dates: list[dt.date] = []
    day = WEEKLY_START
    while True:
        if day.month != 8 and not (day.month == 12 and day.day > 20):
            dates.append(day)
            if day > as_of:
                return dates
        day += dt.timedelta(days=7)


def _action_status(rng: random.Random, due: dt.date, as_of: dt.date) -> str:
    if due > as_of:
        return rng.choice(("ouverte", "en_cours"))
    if due < as_of - dt.timedelta(days=21):
        return "faite" if rng.random() < 0.92 else "abandonnee"
    return rng.choice(("faite", "en_cours", "ouverte"))


def _closed_on(status: str, day: dt.date, due: dt.date, as_of: dt.date) -> dt.date | None:
    """The day a demo action was closed: at its due date (not before its meeting, not after
    the demo's as-of date); None while it is open."""
    if status in ("ouverte", "en_cours"):
        return None
    return min(as_of, max(day, due))


def _fill_meetings(
    session: Session, as_of: dt.date, rng: random.Random, steps: list[RoadmapStep]
) -> tuple[int, int]:
    meetings = actions = 0
    dated = [(s, s.due_date) for s in steps if s.due_date is not None]
    for number, day in enumerate(_committee_dates(as_of), start=1):
        meeting = create_meeting(
            session,
            "comite_de_suivi",
            day,
            f"Comité de suivi n° {number}",
            ["État", "CD", "France Travail", "CAF", "MSA", "ARS"],
            "Co-présidé par le préfet et le président du conseil départemental.",
            **_by(day),
        )
        meetings += 1
        if day > as_of:
            continue
        for text in rng.sample(COMMITTEE_DECISIONS, 2):
            add_action(
                session,
                text,
                kind="decision",
                meeting_id=meeting,
                status="faite",
                created_on=day,
                closed_on=day,
                **_by(day),
            )
            actions += 1
        upcoming = [(s, d) for s, d in dated if day < d <= day + dt.timedelta(days=75)]
        for step, step_due in rng.sample(upcoming, min(2, len(upcoming))):
            due = min(step_due, day + dt.timedelta(days=45))
            owner = (step.owners.split("|") or ["CD"])[0] or "CD"
            status = _action_status(rng, due, as_of)
            add_action(
                session,
                f"Sécuriser l'échéance de l'étape {step.step_id}",
                meeting_id=meeting,
                owner=owner,
                due_date=due,
                status=status,
                step_id=step.step_id,
                created_on=day,
                closed_on=_closed_on(status, day, due, as_of),
                **_by(day),
            )
            actions += 1
    for day in _weekly_dates(as_of):
        present = ["CD", "France Travail", "État"] + [
            p for p in ("CAF", "MSA", "ARS") if rng.random() < 0.2
        ]
        meeting = create_meeting(
            session,
            "point_hebdomadaire",
            day,
            "Point hebdomadaire d'avancement",
            present,
            **_by(day),
        )
        meetings += 1
        if day <= as_of and rng.random() < 0.4:
            due = day + dt.timedelta(days=rng.choice((7, 14, 21)))
            text = rng.choice(WEEKLY_ACTIONS)
            owner = rng.choice(("CD", "France Travail", "État"))
            status = _action_status(rng, due, as_of)
            add_action(
                session,
                text,
                meeting_id=meeting,
                owner=owner,
                due_date=due,
                status=status,
                created_on=day,
                closed_on=_closed_on(status, day, due, as_of),
                **_by(day),
            )
            actions += 1
    actions += _follow_ups(session, as_of, steps)
    for day, title, step_id in WORKING_GROUPS:
        if day > as_of:
            continue
        meeting = create_meeting(
            session, "groupe_de_travail", day, title, ["CD", "France Travail", "État"], **_by(day)
        )
        meetings += 1
        if session.get(RoadmapStep, step_id) is not None:
            due = day + dt.timedelta(days=14)
            status = _action_status(rng, due, as_of)
            add_action(
                session,
                f"Rédiger la synthèse du groupe de travail ({step_id})",
                meeting_id=meeting,
                owner="CD",
                due_date=due,
                status=status,
                step_id=step_id,
                created_on=day,
                closed_on=_closed_on(status, day, due, as_of),
                **_by(day),
            )
            actions += 1
    return meetings, actions


def _follow_ups(session: Session, as_of: dt.date, steps: list[RoadmapStep]) -> int:
    """Actions of the last weekly point: chase each late step, prepare the next committee.

    They fall due at the next weekly point, or within 14 days when the weekly points pause
    (August, Christmas), so the weekly page always has actions coming due.
    """
    weekly = _weekly_dates(as_of)
    held = [d for d in weekly if d <= as_of]
    if not held:
        return 0
    meeting = session.scalar(
        select(Meeting.id).where(Meeting.kind == "point_hebdomadaire", Meeting.date == held[-1])
    )
    due = min(weekly[-1], as_of + dt.timedelta(days=FOLLOW_UP_DAYS))
    late = [
        s
        for s in steps
        if s.status in ("en_cours", "bloque") and s.due_date is not None and s.due_date < as_of
    ]
    for step in late:
        verb = "Lever le blocage de" if step.status == "bloque" else "Relancer"
        add_action(
            session,
            f"{verb} l'étape {step.step_id} (échéance dépassée)",
            meeting_id=meeting,
            owner=(step.owners.split("|") or ["CD"])[0] or "CD",
            due_date=due,
            status="en_cours",
            step_id=step.step_id,
            created_on=held[-1],
            **_by(held[-1]),
        )
    add_action(
        session,
        "Préparer les indicateurs du prochain comité de suivi",
        meeting_id=meeting,
        owner="CD",
        due_date=due,
        status="ouverte",
        created_on=held[-1],
        **_by(held[-1]),
    )
    return len(late) + 1


def fill_demo_governance(
    session: Session, settings: Settings, as_of: dt.date, seed: int = 2023
) -> DemoGovernanceReport:
    """Give the seed roadmap a demo course up to ``as_of`` and record demo meetings.

    Reproducible for a given seed and as-of date. Loads the seed roadmap first if it is
    missing. Steps already edited and existing meetings are left alone.
    """
    rng = random.Random(f"governance-{seed}")
    load_seed_roadmap(session, settings)
    session.flush()
    steps_changed, rows = _fill_steps(session, as_of, seed)
    meetings = actions = 0
    if session.scalar(select(func.count()).select_from(Meeting)) == 0:
        steps = list(session.scalars(select(RoadmapStep).order_by(RoadmapStep.position)).all())
        meetings, actions = _fill_meetings(session, as_of, rng, steps)
    session.flush()
    return DemoGovernanceReport(steps_changed, rows, meetings, actions)
