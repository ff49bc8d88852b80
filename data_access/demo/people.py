"""Synthetic beneficiaries and their path, drawn column by column.

The shapes follow DOMAIN.md and the Creuse pilot: a stock of households already on RSA at the
pilot start (17 Feb 2023), monthly entrant flows with seasonality (working days only, as the
CAF/MSA flux files arrive), invitations and convocations with a log-normal delay (median about
9 days, better as the pilot matures), no-shows near 15 %, orientation types at the Creuse
shares, contracts mostly within a month, referents carrying 50–70 persons, needs at the
national shares (mobility higher in small rural communes), exits, and a few deliberate data
errors (events dated before entry) for the data-quality page.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from data_access.demo.model import (
    BOOL,
    DATE,
    FLOAT,
    INT,
    NA,
    NINT,
    PILOT_START,
    STR,
    DemoTable,
    day,
    lognormal_days,
)
from data_access.pseudonym import pseudonymise
from data_access.schema import (
    APPOINTMENT_STATUSES,
    CHANNELS,
    CONTRACT_TYPES,
    INVITATION_KINDS,
    ORGANISMS,
    ORIENTATION_TYPES,
    Accompaniment,
    Appointment,
    Contract,
    Invitation,
    Need,
    Orientation,
    Person,
    table_of,
)
from data_access.timeline import ENGAGEMENT_START

STOCK_CREUSE = 2_700
FLOW_PER_MONTH_CREUSE = 200
WORKING_DAYS_PER_MONTH = 261 / 12
# Entrant seasonality, January to December (more in autumn and January, fewer in summer).
SEASON = np.array([1.15, 1.05, 1.0, 0.95, 0.95, 0.9, 0.8, 0.75, 1.1, 1.2, 1.1, 0.95])
SEASON = SEASON / SEASON.mean()

ORIENTATION_SHARES = np.array([0.35, 0.41, 0.24])  # pro, socio_pro, social (Creuse)
NEED_SHARES = {  # national shares at diagnostic (pilot review, June 2024)
    "mobilite": 0.43,
    "sante": 0.29,
    "famille": 0.25,
    "logement-hebergement": 0.20,
    "difficultes-administratives-ou-juridiques": 0.15,
    "lecture-ecriture-calcul": 0.12,
}
CASELOAD_TARGET = 60  # persons per referent (pilots: 50–70)

# Codes into the schema's value lists.
INVITATION, CONVOCATION = 0, 1
SMS, EMAIL, POSTAL = 0, 1, 2
UNKNOWN, SEEN, EXCUSED, REVOKED, NOSHOW = 0, 1, 2, 3, 4
PRO, SOCIO_PRO, SOCIAL = 0, 1, 2
FRANCE_TRAVAIL, CD, OTHER = 0, 1, 2
CER, PPAE, PACEA, CEJ, ENGAGEMENT = 0, 1, 2, 3, 4
ENGAGEMENT_DAY = day(ENGAGEMENT_START)  # the contrat d'engagement replaces the others
PURPOSE_ORIENTATION, PURPOSE_ACCOMPANIMENT = 0, 1
PURPOSES = ("orientation", "accompaniment")


def working_day_weights(start: int, end: int) -> np.ndarray:
    """Weight of each day in [start, end]: seasonal factor on weekdays, 0 on weekends."""
    days = np.arange(start, end + 1)
    months = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    return np.where(weekday < 5, SEASON[months], 0.0)


def creuse_person_count(as_of: int) -> int:
    """Persons of the Creuse-sized demo: the stock plus about 200 entrants a month."""
    weights = working_day_weights(day(PILOT_START), as_of)
    return STOCK_CREUSE + round(weights.sum() * FLOW_PER_MONTH_CREUSE / WORKING_DAYS_PER_MONTH)


@dataclass
class People:
    """Per-person columns, index i ↔ ``persons.id`` = i + 1."""

    ids: np.ndarray
    entry: np.ndarray
    exit: np.ndarray
    is_stock: np.ndarray
    subject: np.ndarray
    commune: np.ndarray  # index into the communes, -1 = unknown
    birth_year: np.ndarray
    rural_factor: np.ndarray  # relative odds of a mobility need


@dataclass
class PeopleTables:
    """Everything this module produces: the tables and the people (for the summary)."""

    tables: list[DemoTable]
    people: People


def _year(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


def _valid(dates: np.ndarray, exits: np.ndarray, as_of: int) -> np.ndarray:
    """An event exists when dated, not after as-of, and not after the person's exit."""
    return (dates >= 0) & (dates <= as_of) & ((exits < 0) | (dates <= exits))


def draw_people(
    rng: np.random.Generator,
    n: int,
    as_of: int,
    populations: np.ndarray,
) -> People:
    """Entry dates (stock then flows), communes by population, payer-free person columns."""
    start = day(PILOT_START)
    creuse_n = creuse_person_count(as_of)
    n_stock = min(n, round(n * STOCK_CREUSE / creuse_n))
    n_flow = n - n_stock
    # Stock: seniority at the pilot start spread over earlier years (capped at 15 years).
    seniority = np.minimum(rng.exponential(3.2 * 365.25, n_stock), 15 * 365).astype(np.int64)
    stock_entry = start - 1 - seniority
    weights = working_day_weights(start, as_of)
    if weights.sum() == 0:
        weights = np.ones_like(weights)
    counts = rng.multinomial(n_flow, weights / weights.sum())
    flow_entry = np.repeat(np.arange(start, as_of + 1, dtype=np.int64), counts)
    entry = np.concatenate([stock_entry, flow_entry])
    is_stock = np.concatenate([np.ones(n_stock, bool), np.zeros(n_flow, bool)])
    order = np.argsort(entry, kind="stable")
    entry, is_stock = entry[order], is_stock[order]

    pop = np.where(populations > 0, populations, np.median(populations)).astype(float)
    commune = rng.choice(len(pop), size=n, p=pop**1.05 / (pop**1.05).sum())
    commune[rng.random(n) < 0.002] = -1
    person_pop = np.where(commune >= 0, pop[commune], np.median(pop))
    rural = np.where(person_pop < 500, 1.3, np.where(person_pop < 2000, 1.05, 0.75))

    subject = rng.random(n) < np.where(is_stock, 0.92, 0.95)
    age = 18 + (rng.beta(2.0, 3.0, n) * 47).astype(np.int64)
    birth_year = _year(entry) - age
    birth_year[rng.random(n) < 0.03] = NA
    exits = _draw_exits(rng, entry, is_stock, as_of)
    return People(
        ids=np.arange(1, n + 1, dtype=np.int64),
        entry=entry,
        exit=exits,
        is_stock=is_stock,
        subject=subject,
        commune=commune,
        birth_year=birth_year,
        rural_factor=rural,
    )


def _draw_exits(rng: np.random.Generator, entry: np.ndarray, is_stock: np.ndarray, as_of: int):
    """Exit dates: about 4.5 %/month in the first year after entry, 2.5 % later, 2 % for
    the stock from the pilot start; exits after as-of are not known yet (NA)."""
    month = 30.44
    first = rng.exponential(month / 0.045, len(entry))
    later = rng.exponential(month / 0.025, len(entry))
    flow_delay = np.where(first < 12 * month, first, 12 * month + later)
    stock_delay = rng.exponential(month / 0.02, len(entry))
    start = day(PILOT_START)
    exits = np.where(
        is_stock,
        start + stock_delay.astype(np.int64),
        entry + 1 + flow_delay.astype(np.int64),
    )
    return np.where(exits <= as_of, exits, NA).astype(np.int64)


def person_table(
    rng: np.random.Generator, people: People, codes: np.ndarray, populations: np.ndarray, key: str
) -> DemoTable:
    """The ``persons`` rows: keyed-hash identifiers, payer (MSA more frequent in small
    rural communes, about 10 % overall), sex, birth year."""
    n = len(people.ids)
    pop = np.where(populations > 0, populations, np.median(populations))
    person_pop = np.where(people.commune >= 0, pop[np.maximum(people.commune, 0)], 1000)
    msa_factor = np.where(person_pop < 500, 1.7, np.where(person_pop < 2000, 1.0, 0.5))
    msa = rng.random(n) < 0.10 * msa_factor / msa_factor.mean()
    sex = np.array(["F", "M", None], dtype=object)[rng.choice(3, n, p=[0.54, 0.45, 0.01])]
    no_commune = np.array(None, dtype=object)
    commune_codes = np.where(people.commune >= 0, codes[np.maximum(people.commune, 0)], no_commune)
    table = DemoTable(table_of(Person))
    table.add("id", people.ids, INT)
    table.add("person_key", np.array([pseudonymise(f"demo-{i}", key) for i in people.ids]), STR)
    table.add("entry_date", people.entry, DATE)
    table.add("commune_code", commune_codes.astype(object), STR)
    table.add("payer", np.where(msa, "msa", "caf").astype(object), STR)
    table.add("subject_to_obligations", people.subject, BOOL)
    table.add("exit_date", people.exit, DATE)
    table.add("birth_year", people.birth_year, NINT)
    table.add("sex", sex, STR)
    table.add("source", np.full(n, "demo", dtype=object), STR)
    return table


def legal_dates(rng: np.random.Generator, people: People, as_of: int) -> dict[str, np.ndarray]:
    """Dates the legal delays start from, drawn with their own generator so that every other
    column of the demo stays as it was. Entrants: about 4 % arrive by a transfer of their
    right (information received 0–2 days after entry, no opening date here); the others have
    the receipt of the opening information 0–3 days after entry (8 % undated) and a request
    about 25 days before entry (15 % undated). The stock, older files, is less documented:
    request known for 40 %, receipt for 30 %, and 2 % transferred in after their entry."""
    n = len(people.ids)
    flow = ~people.is_stock
    transfer = flow & (rng.random(n) < 0.04)
    transfer_date = np.minimum(people.entry + rng.integers(0, 3, n), as_of)
    stock_transfer = people.entry + rng.integers(60, 900, n)
    stock_moved = people.is_stock & (rng.random(n) < 0.02) & (stock_transfer < day(PILOT_START))
    transfer_in = np.where(transfer, transfer_date, np.where(stock_moved, stock_transfer, NA))
    info_known = np.where(flow, rng.random(n) < 0.92, rng.random(n) < 0.30) & ~transfer
    info = np.where(info_known, np.minimum(people.entry + rng.integers(0, 4, n), as_of), NA)
    request_gap = np.clip(lognormal_days(rng, 25, 0.5, n), 1, 120).astype(np.int64)
    request_known = np.where(flow, rng.random(n) < 0.85, rng.random(n) < 0.40) & ~transfer
    request = np.where(request_known, people.entry - request_gap, NA)
    return {"rsa_request_date": request, "right_info_date": info, "transfer_in_date": transfer_in}


class _Rows:
    """Collects blocks of event rows (parallel arrays) and concatenates them once."""

    def __init__(self, *names: str) -> None:
        self.parts: dict[str, list[np.ndarray]] = {name: [] for name in names}

    def add(self, mask: np.ndarray, **columns: np.ndarray | int | bool) -> None:
        count = int(mask.sum())
        for name, values in columns.items():
            if np.ndim(values) == 0:
                self.parts[name].append(np.full(count, values))
            else:
                self.parts[name].append(np.asarray(values)[mask])

    def build(self) -> dict[str, np.ndarray]:
        return {name: np.concatenate(parts) for name, parts in self.parts.items()}


def _unique_sorted(rows: dict[str, np.ndarray], key_columns: list[str]) -> dict[str, np.ndarray]:
    """Sort rows by person then date and drop duplicates of the table's unique key."""
    keys = [rows[c].astype(np.int64) for c in reversed(key_columns)]
    order = np.lexsort(keys)
    stacked = np.stack([k[order] for k in reversed(keys)], axis=1)
    keep = np.ones(len(order), bool)
    if len(order) > 1:
        keep[1:] = np.any(stacked[1:] != stacked[:-1], axis=1)
    return {name: values[order][keep] for name, values in rows.items()}


def _status(rng: np.random.Generator, booked_after: np.ndarray) -> np.ndarray:
    """Participation: no-show 10 % after an invitation, 19 % after a convocation (about 15 %
    overall), 7 % excused, 4 % revoked, 1.5 % never filled in, the rest seen."""
    u = rng.random(len(booked_after))
    noshow = np.where(booked_after == INVITATION, 0.10, 0.19)
    status = np.full(len(u), SEEN)
    status[u < noshow + 0.125] = UNKNOWN
    status[u < noshow + 0.11] = REVOKED
    status[u < noshow + 0.07] = EXCUSED
    status[u < noshow] = NOSHOW
    return status


def _organisms(rng: np.random.Generator, types: np.ndarray) -> np.ndarray:
    """pro → France Travail; social → CD (some partners); socio-pro split FT / CD / other."""
    u = rng.random(len(types))
    return np.select(
        [
            (types == PRO) & (u < 0.97),
            types == PRO,
            (types == SOCIO_PRO) & (u < 0.45),
            (types == SOCIO_PRO) & (u < 0.90),
            types == SOCIO_PRO,
            u < 0.9,
        ],
        [FRANCE_TRAVAIL, OTHER, FRANCE_TRAVAIL, CD, OTHER, CD],
        default=OTHER,
    )


def generate_people(
    rng: np.random.Generator,
    n: int,
    as_of: int,
    codes: np.ndarray,
    populations: np.ndarray,
    key: str,
    legal_rng: np.random.Generator | None = None,
) -> PeopleTables:
    """All person-level tables for ``n`` persons observed up to ``as_of``; ``legal_rng``
    draws the dates of the legal delays (its own stream, so the rest does not move)."""
    people = draw_people(rng, n, as_of, populations)
    persons = person_table(rng, people, codes, populations, key)
    legal_rng = legal_rng if legal_rng is not None else np.random.default_rng(0)
    for name, values in legal_dates(legal_rng, people, as_of).items():
        persons.add(name, values, DATE)
    path = _Path(rng, people, as_of, key, legal_rng)
    return PeopleTables(tables=[persons, *path.tables()], people=people)


class _Path:
    """The path of every person, built stage by stage on whole columns."""

    def __init__(
        self,
        rng: np.random.Generator,
        people: People,
        as_of: int,
        key: str,
        legal_rng: np.random.Generator,
    ) -> None:
        self.rng = rng
        self.legal_rng = legal_rng
        self.p = people
        self.as_of = as_of
        self.key = key
        n = len(people.ids)
        self.invitations = _Rows("person_id", "sent_date", "kind", "channel", "is_reminder")
        self.appointments = _Rows("person_id", "date", "purpose", "status", "booked_after")
        self.orientation = np.full(n, NA, dtype=np.int64)  # first decision
        self.orientation_type = np.full(n, NA, dtype=np.int64)
        self.organism = np.full(n, NA, dtype=np.int64)
        self.diagnostic = np.full(n, NA, dtype=np.int64)  # date needs are identified
        self.pre = np.zeros(n, bool)  # stock oriented before the pilot
        self.reorientation = np.full(n, NA, dtype=np.int64)  # a second decision, if any
        self.re_organism = np.full(n, NA, dtype=np.int64)
        self.contract = np.full(n, NA, dtype=np.int64)  # first contract
        self._stock_oriented_before_pilot()
        self._convocation_and_appointments()

    # --- stages ------------------------------------------------------------------------

    def _stock_oriented_before_pilot(self) -> None:
        """Most of the stock was oriented before the pilot (about 100 days after entry)."""
        p, rng = self.p, self.rng
        n = len(p.ids)
        date = p.entry + lognormal_days(rng, 100, 0.9, n) + 1
        self.pre = p.is_stock & p.subject & (rng.random(n) < 0.88) & (date < day(PILOT_START))
        self.orientation[self.pre] = date[self.pre]
        self.diagnostic[self.pre] = date[self.pre]

    def _convocation_and_appointments(self) -> None:
        """Flows from entry, the rest of the stock from its "reprise" during the pilot."""
        p, rng, as_of = self.p, self.rng, self.as_of
        start = day(PILOT_START)
        idx = np.flatnonzero(p.subject & ~self.pre)
        m = len(idx)
        pid, stock, exits = p.ids[idx], p.is_stock[idx], p.exit[idx]
        reprise = start + (rng.random(m) ** 1.3 * 600).astype(np.int64)
        begin = np.where(stock, reprise, p.entry[idx])
        maturity = np.clip((begin - start) / 730, 0, 1)
        convened = rng.random(m) >= np.where(stock, 0.08, 0.05)
        first = begin + lognormal_days(rng, 11 - 4 * maturity, 0.8, m)
        kind = np.where(rng.random(m) < 0.65, INVITATION, CONVOCATION)
        channel = np.where(
            kind == INVITATION,
            rng.choice(3, m, p=[0.5, 0.2, 0.3]),
            rng.choice(3, m, p=[0.35, 0.1, 0.55]),
        )
        inv = self.invitations
        inv.add(
            convened, person_id=pid, sent_date=first, kind=kind, channel=channel, is_reminder=False
        )
        invited = convened & (kind == INVITATION)
        extra_email = invited & (channel != EMAIL) & (rng.random(m) < 0.35)
        inv.add(
            extra_email,
            person_id=pid,
            sent_date=first,
            kind=INVITATION,
            channel=EMAIL,
            is_reminder=False,
        )
        reminder = invited & (rng.random(m) < 0.45)
        inv.add(
            reminder,
            person_id=pid,
            sent_date=first + rng.integers(3, 9, m),
            kind=INVITATION,
            channel=SMS,
            is_reminder=True,
        )
        unanswered = invited & (rng.random(m) < 0.22)
        follow_up = unanswered & (rng.random(m) < 0.8)
        follow_date = first + rng.integers(15, 32, m)
        inv.add(
            follow_up,
            person_id=pid,
            sent_date=follow_date,
            kind=CONVOCATION,
            channel=np.where(rng.random(m) < 0.7, POSTAL, SMS),
            is_reminder=False,
        )
        # Data errors: an invitation dated before entry (a typo in the source system).
        error = ~stock & (rng.random(m) < 0.004)
        inv.add(
            error,
            person_id=pid,
            sent_date=p.entry[idx] - rng.integers(1, 61, m),
            kind=INVITATION,
            channel=SMS,
            is_reminder=False,
        )

        booked = convened & ~(unanswered & ~follow_up)
        booking = np.where(unanswered, follow_date, first)
        booked_after = np.where(unanswered, CONVOCATION, kind)
        date1 = booking + np.maximum(
            2, lognormal_days(rng, np.where(booked_after == INVITATION, 10, 12), 0.45, m)
        )
        keep1 = booked & _valid(booking, exits, as_of) & ((exits < 0) | (date1 <= exits))
        status1 = np.where(date1 > as_of, UNKNOWN, _status(rng, booked_after))
        self.appointments.add(
            keep1,
            person_id=pid,
            date=date1,
            purpose=PURPOSE_ORIENTATION,
            status=status1,
            booked_after=booked_after,
        )
        missed = keep1 & (date1 <= as_of) & np.isin(status1, [NOSHOW, EXCUSED, REVOKED])
        retry = missed & (rng.random(m) < 0.85)
        conv2 = date1 + rng.integers(2, 11, m)
        date2 = conv2 + rng.integers(8, 23, m)
        inv.add(
            retry,
            person_id=pid,
            sent_date=conv2,
            kind=CONVOCATION,
            channel=np.where(rng.random(m) < 0.6, POSTAL, SMS),
            is_reminder=False,
        )
        keep2 = retry & _valid(conv2, exits, as_of) & ((exits < 0) | (date2 <= exits))
        status2 = np.where(date2 > as_of, UNKNOWN, _status(rng, np.full(m, CONVOCATION)))
        self.appointments.add(
            keep2,
            person_id=pid,
            date=date2,
            purpose=PURPOSE_ORIENTATION,
            status=status2,
            booked_after=CONVOCATION,
        )

        seen = np.where(
            keep1 & (status1 == SEEN), date1, np.where(keep2 & (status2 == SEEN), date2, NA)
        )
        last = np.maximum(np.where(keep1, date1, NA), np.where(keep2, date2, NA))
        # Orientation: soon after the diagnostic appointment, or on file for the others.
        after_seen = (seen >= 0) & (rng.random(m) < 0.97)
        quick = np.where(rng.random(m) < 0.45, 0, lognormal_days(rng, 9, 0.9, m))
        on_file = (seen < 0) & (rng.random(m) < np.where(convened, 0.4, 0.3))
        file_date = np.maximum(
            begin + lognormal_days(rng, np.where(convened, 75, 110), 0.6, m), last + 7
        )
        decision = np.where(after_seen, seen + quick, np.where(on_file, file_date, NA))
        decision = np.where(_valid(decision, exits, as_of), decision, NA)
        self.orientation[idx] = decision
        self.diagnostic[idx] = np.where(seen >= 0, seen, decision)

    def _orientations(self) -> DemoTable:
        """Decision rows: first decisions, some re-orientations, a few dated before entry."""
        p, rng, as_of = self.p, self.rng, self.as_of
        n = len(p.ids)
        oriented = self.orientation >= 0
        types = rng.choice(3, n, p=ORIENTATION_SHARES)
        organisms = _organisms(rng, types)
        self.orientation_type = np.where(oriented, types, NA)
        self.organism = np.where(oriented, organisms, NA)
        rows = _Rows("person_id", "decision_date", "orientation_type", "organism")
        rows.add(
            oriented,
            person_id=p.ids,
            decision_date=self.orientation,
            orientation_type=types,
            organism=organisms,
        )
        re_date = self.orientation + rng.integers(90, 400, n)
        re_type = (types + rng.integers(1, 3, n)) % 3
        re_org = _organisms(rng, re_type)
        self.reorientation = np.where(
            oriented & (rng.random(n) < 0.04) & _valid(re_date, p.exit, as_of), re_date, NA
        )
        self.re_organism = re_org
        rows.add(
            self.reorientation >= 0,
            person_id=p.ids,
            decision_date=self.reorientation,
            orientation_type=re_type,
            organism=re_org,
        )
        error = p.subject & ~p.is_stock & (rng.random(n) < 0.0015)
        rows.add(
            error,
            person_id=p.ids,
            decision_date=p.entry - rng.integers(1, 31, n),
            orientation_type=types,
            organism=organisms,
        )
        data = _unique_sorted(rows.build(), ["person_id", "decision_date"])
        table = DemoTable(table_of(Orientation))
        table.add("person_id", data["person_id"], INT)
        table.add("decision_date", data["decision_date"], DATE)
        table.add("orientation_type", _labels(ORIENTATION_TYPES, data["orientation_type"]), STR)
        table.add("organism", _labels(ORGANISMS, data["organism"]), STR)
        table.add("notification_date", self._notifications(data["decision_date"]), DATE)
        return table

    def _notifications(self, decided: np.ndarray) -> np.ndarray:
        """Notification of each decision, a few days later (median 4); 8 % undated, and most
        decisions taken before the pilot (older files) undated."""
        rng, m = self.legal_rng, len(decided)
        notified = decided + np.clip(lognormal_days(rng, 4, 0.5, m), 1, 20).astype(np.int64)
        undated = rng.random(m) < np.where(decided < day(PILOT_START), 0.6, 0.08)
        return np.where(undated | (notified > self.as_of), NA, notified)

    def _contracts(self) -> DemoTable:
        """About 72 % signed within 30 days of orientation, 14 % later, 14 % not yet;
        a quarter renewed six months to a year later; a few dated before the orientation."""
        p, rng, as_of = self.p, self.rng, self.as_of
        n = len(p.ids)
        oriented = self.orientation >= 0
        u = rng.random(n)
        soon = np.clip(lognormal_days(rng, 10, 0.6, n), 1, 30)
        late = rng.integers(31, 151, n)
        signed = np.where(u < 0.72, soon, np.where(u < 0.86, late, NA))
        date = np.where(oriented & (signed >= 0), self.orientation + signed, NA)
        date = np.where(_valid(date, p.exit, as_of), date, NA)
        self.contract = date
        age = _year(np.maximum(date, 0)) - np.where(p.birth_year > 0, p.birth_year, 1990)
        v = rng.random(n)
        kinds = np.select(
            [
                (self.orientation_type == PRO) & (age < 26) & (v < 0.5),
                (self.orientation_type == PRO) & (age < 26) & (v < 0.7),
                self.orientation_type == PRO,
                (self.orientation_type == SOCIO_PRO) & (v < 0.4),
            ],
            [CEJ, PACEA, PPAE, PPAE],
            default=CER,
        )
        rows = _Rows("person_id", "signed_date", "contract_type")
        rows.add(date >= 0, person_id=p.ids, signed_date=date, contract_type=kinds)
        renewal = date + rng.integers(180, 366, n)
        renewed = (date >= 0) & (rng.random(n) < 0.25) & _valid(renewal, p.exit, as_of)
        rows.add(renewed, person_id=p.ids, signed_date=renewal, contract_type=kinds)
        early = self.orientation - rng.integers(5, 41, n)
        error = oriented & (rng.random(n) < 0.002) & _valid(early, p.exit, as_of)
        rows.add(error, person_id=p.ids, signed_date=early, contract_type=CER)
        data = _unique_sorted(rows.build(), ["person_id", "signed_date", "contract_type"])
        engagement = data["signed_date"] >= ENGAGEMENT_DAY
        data["contract_type"] = np.where(engagement, ENGAGEMENT, data["contract_type"])
        table = DemoTable(table_of(Contract))
        table.add("person_id", data["person_id"], INT)
        table.add("signed_date", data["signed_date"], DATE)
        table.add("contract_type", _labels(CONTRACT_TYPES, data["contract_type"]), STR)
        return table

    def _accompaniments(self) -> DemoTable:
        """Accompaniments (from the contract, else a few weeks after orientation) with
        referents and weekly hours, and their follow-up appointments."""
        p, rng, as_of = self.p, self.rng, self.as_of
        n = len(p.ids)
        oriented = self.orientation >= 0
        start = np.where(
            self.contract >= 0, self.contract, self.orientation + rng.integers(20, 61, n)
        )
        reoriented = self.reorientation >= 0
        first = oriented & (rng.random(n) < 0.92) & _valid(start, p.exit, as_of)
        first &= ~reoriented | (self.reorientation > start)
        end = np.where(reoriented, self.reorientation, p.exit)
        second_start = self.reorientation + rng.integers(7, 30, n)
        second = reoriented & _valid(second_start, p.exit, as_of)
        rows = _Rows("person_id", "start_date", "end_date", "organism")
        rows.add(first, person_id=p.ids, start_date=start, end_date=end, organism=self.organism)
        rows.add(
            second,
            person_id=p.ids,
            start_date=second_start,
            end_date=p.exit,
            organism=self.re_organism,
        )
        data = rows.build()
        data["end_date"] = np.where(data["end_date"] > as_of, NA, data["end_date"])
        data["end_date"] = np.where(
            (data["end_date"] >= 0) & (data["end_date"] < data["start_date"]),
            data["start_date"],
            data["end_date"],
        )
        referents = self._referents(data)
        count = len(data["person_id"])
        u = rng.random(count)
        hours = np.select(
            [u < 0.08, u < 0.18, u < 0.93],
            [
                np.full(count, np.nan),
                rng.integers(8, 29, count) / 2,  # 4 to 14 h
                rng.integers(30, 41, count) / 2,  # 15 to 20 h
            ],
            default=rng.integers(21, 31, count).astype(float),
        )
        order = np.lexsort((data["start_date"], data["person_id"]))
        table = DemoTable(table_of(Accompaniment))
        table.add("person_id", data["person_id"][order], INT)
        table.add("referent_key", referents[order], STR)
        table.add("start_date", data["start_date"][order], DATE)
        table.add("end_date", data["end_date"][order], DATE)
        table.add("weekly_activity_hours", hours[order], FLOAT)
        self._follow_ups(data)
        return table

    def _referents(self, data: dict[str, np.ndarray]) -> np.ndarray:
        """Referents per organism, sized so that each carries about 60 persons at as-of
        (caseloads vary with each referent's working time, 85–115 %)."""
        rng, as_of = self.rng, self.as_of
        active = (data["start_date"] <= as_of) & (
            (data["end_date"] < 0) | (data["end_date"] > as_of)
        )
        group = data["organism"].copy()
        if np.sum(active & (group == OTHER)) < 50:
            group[group == OTHER] = CD
        keys = np.empty(len(group), dtype=object)
        for organism in np.unique(group):
            members = np.flatnonzero(group == organism)
            act = members[active[members]]
            n_ref = max(1, round(len(act) / CASELOAD_TARGET))
            capacity = rng.uniform(0.85, 1.15, n_ref)
            bounds = np.rint(np.cumsum(capacity) / capacity.sum() * len(act)).astype(np.int64)
            assigned = np.empty(len(act), dtype=np.int64)
            shuffled = rng.permutation(len(act))
            assigned[shuffled] = np.searchsorted(bounds, np.arange(len(act)), side="right")
            inactive = members[~active[members]]
            names = np.array(
                [
                    pseudonymise(f"demo-referent-{ORGANISMS[organism]}-{j}", self.key)
                    for j in range(n_ref)
                ],
                dtype=object,
            )
            keys[act] = names[assigned]
            keys[inactive] = names[rng.integers(0, n_ref, len(inactive))]
        return keys

    def _follow_ups(self, data: dict[str, np.ndarray]) -> None:
        """Accompaniment appointments about 1, 4 and 8 months after the start."""
        rng, as_of = self.rng, self.as_of
        count = len(data["person_id"])
        exits = self.p.exit[data["person_id"] - 1]
        for offset in (30, 120, 240):
            date = data["start_date"] + offset + rng.integers(-7, 8, count)
            end = data["end_date"]
            keep = _valid(date, exits, as_of) & ((end < 0) | (date <= end))
            u = rng.random(count)
            status = np.where(u < 0.10, NOSHOW, np.where(u < 0.15, EXCUSED, SEEN))
            self.appointments.add(
                keep,
                person_id=data["person_id"],
                date=date,
                purpose=PURPOSE_ACCOMPANIMENT,
                status=status,
                booked_after=NA,
            )

    def _needs(self) -> DemoTable:
        """Needs at the national shares among diagnosed persons; mobility more frequent in
        small communes (the factor is normalised so that the overall share stays 43 %)."""
        p, rng, as_of = self.p, self.rng, self.as_of
        diagnosed = _valid(self.diagnostic, p.exit, as_of)
        factor = p.rural_factor / p.rural_factor[diagnosed].mean() if diagnosed.any() else 1
        person_ids, categories, dates = [], [], []
        for position, (category, share) in enumerate(NEED_SHARES.items()):
            prob = np.minimum(share * factor, 0.95) if category == "mobilite" else share
            has = diagnosed & (rng.random(len(p.ids)) < prob)
            person_ids.append(p.ids[has])
            categories.append(np.full(int(has.sum()), position))
            dates.append(self.diagnostic[has])
        data = _unique_sorted(
            {
                "person_id": np.concatenate(person_ids),
                "category": np.concatenate(categories),
                "identified_date": np.concatenate(dates),
            },
            ["person_id", "category"],
        )
        table = DemoTable(table_of(Need))
        table.add("person_id", data["person_id"], INT)
        table.add("category", _labels(tuple(NEED_SHARES), data["category"]), STR)
        table.add("identified_date", data["identified_date"], DATE)
        return table

    # --- output ------------------------------------------------------------------------

    def tables(self) -> list[DemoTable]:
        """Build the remaining stages and return every event table."""
        orientations = self._orientations()
        contracts = self._contracts()
        accompaniments = self._accompaniments()
        needs = self._needs()
        return [
            self._invitation_table(),
            self._appointment_table(),
            orientations,
            contracts,
            accompaniments,
            needs,
        ]

    def _invitation_table(self) -> DemoTable:
        rows = self.invitations.build()
        exits = self.p.exit[rows["person_id"] - 1]
        keep = (rows["sent_date"] <= self.as_of) & ((exits < 0) | (rows["sent_date"] <= exits))
        rows = {name: values[keep] for name, values in rows.items()}
        data = _unique_sorted(rows, ["person_id", "sent_date", "kind", "channel", "is_reminder"])
        table = DemoTable(table_of(Invitation))
        table.add("person_id", data["person_id"], INT)
        table.add("sent_date", data["sent_date"], DATE)
        table.add("kind", _labels(INVITATION_KINDS, data["kind"]), STR)
        table.add("channel", _labels(CHANNELS, data["channel"]), STR)
        table.add("is_reminder", data["is_reminder"].astype(bool), BOOL)
        return table

    def _appointment_table(self) -> DemoTable:
        data = _unique_sorted(self.appointments.build(), ["person_id", "date", "purpose"])
        table = DemoTable(table_of(Appointment))
        table.add("person_id", data["person_id"], INT)
        table.add("date", data["date"], DATE)
        table.add("purpose", _labels(PURPOSES, data["purpose"]), STR)
        table.add("status", _labels(APPOINTMENT_STATUSES, data["status"]), STR)
        table.add("booked_after", _labels(INVITATION_KINDS, data["booked_after"]), STR)
        return table


def _labels(values: tuple[str, ...], codes: np.ndarray) -> np.ndarray:
    """Map integer codes to their labels; negative codes become None (NULL)."""
    lookup = np.array([*values, None], dtype=object)
    return lookup[np.where(codes >= 0, codes, len(values))]
