"""Synthetic partner offer (data·inclusion structures and services) and company actions.

The offer is laid over the département's own communes and EPCI (read from the ``communes``
table): towns get crèches, health centres and IAE structures; mobility platforms, childcare
relays and parenting support exist in only some EPCI; health, housing and paperwork services
cover the whole département; one département-wide driving school closed during the pilot.
Small rural communes therefore show REAL gaps in mobility and childcare, which is what the
« Offre partenaires » page must reveal. Thématiques are data·inclusion values.

Company actions follow the "les entreprises s'engagent" rhythm: a launch wave of engagements,
then a steady trickle; immersions, job offers, hires and mentoring each month.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from data_access.demo.model import (
    BOOL,
    DATE,
    INT,
    NA,
    NINT,
    PILOT_START,
    STR,
    DemoTable,
    day,
    months_between,
)
from data_access.schema import (
    COMPANY_ACTIONS,
    CompanyAction,
    PartnerService,
    PartnerStructure,
    ServiceThematique,
    ServiceZone,
    table_of,
)

PRESENTIEL, DISTANCE = "en-presentiel", "a-distance"


@dataclass
class Territory:
    """The communes of the configured département, as columns."""

    codes: np.ndarray
    names: np.ndarray
    populations: np.ndarray
    epci_sirens: np.ndarray  # object, None when unknown
    epci_names: np.ndarray
    departement: str

    def towns(self, minimum: int, at_least: int) -> list[int]:
        """Indices of communes with at least ``minimum`` inhabitants (largest first), or the
        ``at_least`` largest when fewer reach it."""
        order = np.argsort(-self.populations, kind="stable")
        big = [int(i) for i in order if self.populations[i] >= minimum]
        return big if len(big) >= at_least else [int(i) for i in order[:at_least]]

    def epcis(self) -> list[tuple[str, str]]:
        """(SIREN, name) of the EPCI, most populated first."""
        totals: dict[str, int] = {}
        names: dict[str, str] = {}
        for siren, name, pop in zip(
            self.epci_sirens, self.epci_names, self.populations, strict=True
        ):
            if siren:
                totals[siren] = totals.get(siren, 0) + int(pop)
                names[siren] = name or siren
        return [(s, names[s]) for s in sorted(totals, key=lambda s: (-totals[s], s))]


@dataclass
class ServiceDraft:
    """One service before loading: what data·inclusion would publish about it."""

    name: str
    structure: str
    commune: str | None
    thematiques: list[str]
    zones: list[tuple[str, str]]  # (code, kind)
    modes: list[str]
    capacity: int | None = None
    reseau: str | None = None
    start: int = NA
    end: int = NA
    closed: bool = False  # closes during the pilot (a gap that reappears)


class _OfferBuilder:
    """Lays the services over the territory with a seeded generator."""

    def __init__(self, rng: np.random.Generator, territory: Territory, as_of: int) -> None:
        self.rng = rng
        self.t = territory
        self.as_of = as_of
        self.drafts: list[ServiceDraft] = []
        self.epcis = territory.epcis()
        self.epci_of = dict(zip(territory.codes, territory.epci_sirens, strict=True))

    def _some_epcis(self, share: float) -> list[tuple[str, str]]:
        """A seeded subset of the EPCI (the most populated always in), at least one left out
        when there are several, so that gaps exist."""
        if not self.epcis:
            return []
        chosen = [self.epcis[0]]
        rest = self.epcis[1:]
        if rest:
            picks = self.rng.random(len(rest)) < share
            if picks.all():
                picks[-1] = False
            chosen += [e for e, keep in zip(rest, picks, strict=True) if keep]
        return chosen

    def _capacity(self, probability: float, low: int, high: int) -> int | None:
        return int(self.rng.integers(low, high)) if self.rng.random() < probability else None

    def add(self, **kwargs) -> None:
        self.drafts.append(ServiceDraft(**kwargs))

    def build(self) -> list[ServiceDraft]:
        t = self.t
        dep = [(t.departement, "departement")]
        towns = self.t.towns(2000, 3)
        small_towns = self.t.towns(1500, 5)
        for siren, name in self._some_epcis(0.5):
            self.add(
                name=f"Plateforme mobilité – {name}",
                structure=f"Plateforme mobilité {name}",
                commune=self._seat(siren),
                thematiques=[
                    "mobilite--etre-accompagne-dans-son-parcours-mobilite",
                    "mobilite--financer-ma-mobilite",
                ],
                zones=[(siren, "epci")],
                modes=[PRESENTIEL],
                capacity=self._capacity(0.7, 60, 160),
            )
        for index in towns[:2]:
            self.add(
                name=f"Garage solidaire de {t.names[index]}",
                structure=f"Garage solidaire de {t.names[index]}",
                commune=t.codes[index],
                thematiques=["mobilite--entretenir-reparer-son-vehicule"],
                zones=[(t.codes[index], "commune")],
                modes=[PRESENTIEL],
            )
        self._vehicle_rental()
        self.add(
            name="Auto-école sociale départementale",
            structure="Association d'insertion par la conduite",
            commune=t.codes[towns[0]],
            thematiques=["mobilite--preparer-un-permis"],
            zones=dep,
            modes=[PRESENTIEL],
            capacity=40,
            closed=True,
        )
        for index in small_towns:
            self.add(
                name=f"Multi-accueil de {t.names[index]}",
                structure=f"Multi-accueil de {t.names[index]}",
                commune=t.codes[index],
                thematiques=["famille--garde-denfants"],
                zones=[(t.codes[index], "commune")],
                modes=[PRESENTIEL],
                capacity=self._capacity(0.9, 15, 60),
            )
        for siren, name in self._some_epcis(0.4):
            self.add(
                name=f"Relais petite enfance – {name}",
                structure=f"Relais petite enfance {name}",
                commune=self._seat(siren),
                thematiques=[
                    "famille--garde-denfants",
                    "famille--soutien-a-la-parentalite-et-a-leducation",
                ],
                zones=[(siren, "epci")],
                modes=[PRESENTIEL],
            )
        self._whole_departement(dep, towns)
        for siren, name in self._some_epcis(0.8):
            self.add(
                name=f"France services – {name}",
                structure=f"France services {name}",
                commune=self._seat(siren),
                thematiques=[
                    "difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-administratives",
                    "numerique--acceder-a-des-services-en-ligne",
                ],
                zones=[(siren, "epci")],
                modes=[PRESENTIEL],
            )
        for index in towns[:3]:
            self.add(
                name=f"Ateliers sociolinguistiques de {t.names[index]}",
                structure=f"Centre social de {t.names[index]}",
                commune=t.codes[index],
                thematiques=["lecture-ecriture-calcul--maitriser-le-francais"],
                zones=[(t.codes[index], "commune")],
                modes=[PRESENTIEL],
                capacity=self._capacity(0.6, 10, 30),
            )
            town_epci = self.epci_of.get(t.codes[index])
            self.add(
                name=f"Centre médico-psychologique de {t.names[index]}",
                structure=f"Centre hospitalier de {t.names[index]}",
                commune=t.codes[index],
                thematiques=["sante--sante-mentale"],
                zones=[(town_epci, "epci")] if town_epci else [(t.codes[index], "commune")],
                modes=[PRESENTIEL],
            )
            self.add(
                name=f"Agence France Travail de {t.names[index]}",
                structure=f"France Travail {t.names[index]}",
                commune=t.codes[index],
                thematiques=[
                    "trouver-un-emploi--repondre-a-des-offres-demploi",
                    "choisir-un-metier--connaitre-les-opportunites-demploi",
                ],
                zones=[(town_epci, "epci")] if town_epci else dep,
                modes=[PRESENTIEL, DISTANCE],
            )
        for position, index in enumerate(small_towns[:4]):
            town_epci = self.epci_of.get(t.codes[index])
            network = "aci" if position < 3 else "ei"
            label = "Atelier chantier d'insertion" if network == "aci" else "Entreprise d'insertion"
            self.add(
                name=f"{label} de {t.names[index]}",
                structure=f"{label} de {t.names[index]}",
                commune=t.codes[index],
                thematiques=[
                    "trouver-un-emploi--maintien-dans-lemploi",
                    "remobilisation--bien-etre-confiance-en-soi",
                ],
                zones=[(town_epci, "epci")] if town_epci else [(t.codes[index], "commune")],
                modes=[PRESENTIEL],
                capacity=self._capacity(0.9, 8, 30),
                reseau=network,
            )
        for siren, name in self._some_epcis(0.5):
            self.add(
                name=f"Conseiller numérique – {name}",
                structure=f"Conseillers numériques {name}",
                commune=self._seat(siren),
                thematiques=["numerique--maitriser-les-fondamentaux-du-numerique"],
                zones=[(siren, "epci")],
                modes=[PRESENTIEL],
            )
        self._dates()
        return self.drafts

    def _seat(self, siren: str) -> str | None:
        """The most populated commune of an EPCI (where its services sit)."""
        members = [i for i, s in enumerate(self.t.epci_sirens) if s == siren]
        if not members:
            return None
        return str(self.t.codes[max(members, key=lambda i: self.t.populations[i])])

    def _vehicle_rental(self) -> None:
        """Vehicle hire at a social rate for the communes of one EPCI above 300 inhabitants
        (a commune-list zone, as many associations publish it)."""
        if len(self.epcis) < 2:
            return
        siren, name = self.epcis[1]
        members = [
            str(c)
            for c, s, p in zip(self.t.codes, self.t.epci_sirens, self.t.populations, strict=True)
            if s == siren and p >= 300
        ]
        if members:
            self.add(
                name=f"Location solidaire de véhicules – {name}",
                structure="Association de location solidaire",
                commune=self._seat(siren),
                thematiques=["mobilite--acceder-a-un-vehicule"],
                zones=[(code, "commune") for code in members],
                modes=[PRESENTIEL],
                capacity=self._capacity(1.0, 10, 25),
            )

    def _whole_departement(self, dep: list[tuple[str, str]], towns: list[int]) -> None:
        """Services open to the whole département (and two national remote services)."""
        seat = str(self.t.codes[towns[0]])
        for name, structure, thematiques, modes in (
            (
                "Accès aux soins et aux droits santé",
                "CPAM",
                ["sante--acces-aux-soins"],
                [PRESENTIEL, DISTANCE],
            ),
            (
                "Consultations en addictologie",
                "CSAPA départemental",
                ["sante--addictions"],
                [PRESENTIEL],
            ),
            (
                "Aide au dossier MDPH",
                "Maison départementale des personnes handicapées",
                ["sante--constituer-un-dossier-mdph-invalidite"],
                [PRESENTIEL],
            ),
            (
                "Information logement",
                "ADIL",
                ["logement-hebergement--sinformer-sur-les-demarches-liees-a-lacces-au-logement"],
                [PRESENTIEL, DISTANCE],
            ),
            (
                "Hébergement d'urgence et d'insertion",
                "SIAO",
                ["logement-hebergement--rechercher-une-solution-dhebergement-temporaire"],
                [PRESENTIEL],
            ),
            (
                "Point-justice",
                "Conseil départemental de l'accès au droit",
                [
                    "difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits"
                ],
                [PRESENTIEL],
            ),
            (
                "Point conseil budget",
                "UDAF",
                ["difficultes-financieres--ameliorer-sa-gestion-budgetaire"],
                [PRESENTIEL],
            ),
            ("Trouver sa formation", "Carif-Oref", ["se-former--trouver-sa-formation"], [DISTANCE]),
            (
                "Entreprise de travail temporaire d'insertion",
                "ETTI départementale",
                ["trouver-un-emploi--repondre-a-des-offres-demploi"],
                [PRESENTIEL],
            ),
        ):
            self.add(
                name=name,
                structure=structure,
                commune=seat,
                thematiques=thematiques,
                zones=dep,
                modes=modes,
                capacity=self._capacity(0.3, 50, 300),
                reseau="etti" if structure.startswith("ETTI") else None,
            )
        self.add(
            name="Aidants Connect à distance",
            structure="Aidants Connect",
            commune=None,
            thematiques=["numerique--acceder-a-des-services-en-ligne"],
            zones=[("france", "france")],
            modes=[DISTANCE],
        )
        self.add(
            name="Écoute santé mentale",
            structure="Association nationale d'écoute",
            commune=None,
            thematiques=["sante--sante-mentale"],
            zones=[("france", "france")],
            modes=[DISTANCE],
        )

    def _dates(self) -> None:
        """Most services predate the pilot; a quarter opened during it (the roadmap asks to
        develop the offer); the closed driving school and a few others ended before as-of."""
        start, as_of = day(PILOT_START), self.as_of
        old_from = day(dt.date(2012, 1, 1))
        for draft in self.drafts:
            if self.rng.random() < 0.25 and as_of > start:
                draft.start = int(self.rng.integers(start, as_of + 1))
            else:
                draft.start = int(self.rng.integers(old_from, start))
            closes = draft.closed or self.rng.random() < 0.05
            if closes and as_of - draft.start > 60:
                low = max(draft.start + 30, start)
                draft.end = int(self.rng.integers(min(low, as_of - 1), as_of))


def offer_tables(rng: np.random.Generator, territory: Territory, as_of: int) -> list[DemoTable]:
    """Structures, services, thématiques and zones of the synthetic partner offer."""
    drafts = _OfferBuilder(rng, territory, as_of).build()
    structures: dict[str, int] = {}
    s_rows: dict[str, list] = {k: [] for k in ("id", "name", "code", "reseau", "siret")}
    v_rows: dict[str, list] = {
        k: [] for k in ("id", "name", "structure_id", "structure", "modes", "cap", "start", "end")
    }
    thematiques: list[tuple[int, str, str]] = []
    zones: list[tuple[int, str, str]] = []
    for number, draft in enumerate(drafts, start=1):
        if draft.structure not in structures:
            structures[draft.structure] = len(structures) + 1
            s_rows["id"].append(structures[draft.structure])
            s_rows["name"].append(draft.structure)
            s_rows["code"].append(draft.commune)
            s_rows["reseau"].append(draft.reseau)
            s_rows["siret"].append("".join(str(d) for d in rng.integers(0, 10, 14)))
        v_rows["id"].append(number)
        v_rows["name"].append(draft.name)
        v_rows["structure_id"].append(structures[draft.structure])
        v_rows["structure"].append(draft.structure)
        v_rows["modes"].append("|".join(draft.modes))
        v_rows["cap"].append(NA if draft.capacity is None else draft.capacity)
        v_rows["start"].append(draft.start)
        v_rows["end"].append(draft.end)
        for thematique in dict.fromkeys(draft.thematiques):
            thematiques.append((number, thematique, thematique.split("--")[0]))
        for code, kind in dict.fromkeys(draft.zones):
            zones.append((number, code, kind))

    def obj(values: list) -> np.ndarray:
        return np.array(values, dtype=object)

    structure = DemoTable(table_of(PartnerStructure))
    structure.add("id", np.array(s_rows["id"], dtype=np.int64), INT)
    structure.add("source_id", obj([f"demo-structure-{i:04d}" for i in s_rows["id"]]), STR)
    structure.add("name", obj(s_rows["name"]), STR)
    structure.add("siret", obj(s_rows["siret"]), STR)
    structure.add("code_insee", obj(s_rows["code"]), STR)
    structure.add("reseaux_porteurs", obj(s_rows["reseau"]), STR)
    structure.add("is_iae", np.array([r is not None for r in s_rows["reseau"]]), BOOL)

    service = DemoTable(table_of(PartnerService))
    service.add("id", np.array(v_rows["id"], dtype=np.int64), INT)
    service.add("service_id", obj([f"demo-service-{i:04d}" for i in v_rows["id"]]), STR)
    service.add("name", obj(v_rows["name"]), STR)
    service.add("structure_id", np.array(v_rows["structure_id"], dtype=np.int64), INT)
    service.add("structure_name", obj(v_rows["structure"]), STR)
    service.add("modes_accueil", obj(v_rows["modes"]), STR)
    service.add("capacity", np.array(v_rows["cap"], dtype=np.int64), NINT)
    service.add("start_date", np.array(v_rows["start"], dtype=np.int64), DATE)
    service.add("end_date", np.array(v_rows["end"], dtype=np.int64), DATE)

    by_thematique = DemoTable(table_of(ServiceThematique))
    by_thematique.add("service_pk", np.array([r[0] for r in thematiques], dtype=np.int64), INT)
    by_thematique.add("thematique", obj([r[1] for r in thematiques]), STR)
    by_thematique.add("category", obj([r[2] for r in thematiques]), STR)

    zone = DemoTable(table_of(ServiceZone))
    zone.add("service_pk", np.array([r[0] for r in zones], dtype=np.int64), INT)
    zone.add("zone_code", obj([r[1] for r in zones]), STR)
    zone.add("zone_kind", obj([r[2] for r in zones]), STR)
    return [structure, service, by_thematique, zone]


# Monthly means for the Creuse-sized demo (scaled with the number of persons).
COMPANY_RATES = {"immersion": 14.0, "job_offer": 30.0, "hire": 7.0, "mentoring": 4.0}
ENGAGEMENT_LAUNCH, ENGAGEMENT_MONTHLY = 25.0, 5.0


def company_table(rng: np.random.Generator, factor: float, as_of: int) -> DemoTable:
    """Company actions month by month: engagements accumulate (a launch wave, then about
    five a month); immersions and mentoring come from engaged companies, job offers and hires
    from any company of the pool. Rows sharing (date, company, action) are summed."""
    start = day(PILOT_START)
    pool = max(30, round(400 * factor))
    order = rng.permutation(pool)  # engagement order of the pool's companies
    engaged = 0
    dates, companies, actions, counts = [], [], [], []
    for number, (first, last) in enumerate(months_between(start, as_of)):
        span = last - first + 1
        mean = ENGAGEMENT_LAUNCH if number == 0 else ENGAGEMENT_MONTHLY
        new = min(pool - engaged, int(rng.poisson(mean * factor * span / 30.44)))
        if new:
            dates.append(rng.integers(first, last + 1, new))
            companies.append(order[engaged : engaged + new])
            actions.append(np.full(new, COMPANY_ACTIONS.index("engagement")))
            counts.append(np.ones(new, dtype=np.int64))
            engaged += new
        for action, rate in COMPANY_RATES.items():
            size = int(rng.poisson(rate * factor * span / 30.44))
            if not size or (engaged == 0 and action in ("immersion", "mentoring")):
                continue
            if action in ("immersion", "mentoring"):
                chosen = order[rng.integers(0, engaged, size)]
            else:
                chosen = rng.integers(0, pool, size)
            dates.append(rng.integers(first, last + 1, size))
            companies.append(chosen)
            actions.append(np.full(size, COMPANY_ACTIONS.index(action)))
            counts.append(rng.integers(1, 4 if action == "job_offer" else 2, size))
    if dates:
        stacked = np.stack(
            [np.concatenate(dates), np.concatenate(companies), np.concatenate(actions)], axis=1
        )
        keys, inverse = np.unique(stacked, axis=0, return_inverse=True)
        summed = np.bincount(inverse.ravel(), weights=np.concatenate(counts)).astype(np.int64)
    else:
        keys, summed = np.zeros((0, 3), dtype=np.int64), np.zeros(0, dtype=np.int64)
    table = DemoTable(table_of(CompanyAction))
    table.add("id", np.arange(1, len(keys) + 1, dtype=np.int64), INT)
    table.add("date", keys[:, 0].astype(np.int64), DATE)
    table.add(
        "company_key",
        np.array([f"demo-entreprise-{c:06d}" for c in keys[:, 1]], dtype=object),
        STR,
    )
    table.add("action", np.array(COMPANY_ACTIONS, dtype=object)[keys[:, 2]], STR)
    table.add("count", summed, INT)
    return table
