"""SQLAlchemy 2 models of the operational database.

One table per kind of fact the département records. Persons are known only by a keyed hash
(``person_key``); names and contacts never reach this schema. Events point at ``persons.id``
(an integer) so that the metric joins stay cheap. Every row that an import writes carries the
``import_run_id`` of the run that last wrote it, so that a run can be audited and undone.
CHECK constraints reject values that cannot exist (unknown statuses, negative hours).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Value lists shared by the schema, the importers and the demo generator.
PAYERS = ("caf", "msa")
SEXES = ("F", "M")
INVITATION_KINDS = ("invitation", "convocation")
# "unknown": exports such as RDV-Insertion's users list give the date of an invitation, not its
# channel; recording it as unknown is truer than guessing one.
CHANNELS = ("sms", "email", "postal", "unknown")
APPOINTMENT_PURPOSES = ("orientation", "accompaniment", "other")
APPOINTMENT_STATUSES = ("unknown", "seen", "excused", "revoked", "noshow")
ORIENTATION_TYPES = ("pro", "socio_pro", "social")
# An orientation whose decision date is known but whose type is not (the orientation has ended,
# or the département's own type name is not mapped yet): the date is what the legal delay
# measures, so it is kept rather than dropped.
UNKNOWN_ORIENTATION_TYPE = "non_renseigne"
# How the date of an imported orientation was obtained (``Orientation.date_rule``).
ORIENTATION_DATE_RULES = ("usagers", "rendez_vous")
ORGANISMS = ("france_travail", "cd", "other")
# "engagement": the contrat d'engagement of the loi pour le plein emploi (from 1 January 2025);
# cer, ppae, pacea and cej are the contracts that preceded it.
CONTRACT_TYPES = ("cer", "ppae", "pacea", "cej", "engagement")
COMPANY_ACTIONS = ("engagement", "immersion", "job_offer", "hire", "mentoring")
ROADMAP_STATUSES = ("a_faire", "en_cours", "fait", "bloque", "abandonne")
# Default institutions, in reference order (data_access/reference/institutions_creuse.csv).
PARTIES = (
    "CD",
    "France Travail",
    "État",
    "DDETS",
    "ARS",
    "CAF",
    "MSA",
    "Beta.gouv",
    "Mission locale",
    "Partenaires",
)
MEETING_KINDS = ("point_hebdomadaire", "comite_de_suivi", "groupe_de_travail")
ACTION_KINDS = ("decision", "action")
ACTION_STATUSES = ("ouverte", "en_cours", "faite", "abandonnee")
GOVERNANCE_ENTITIES = ("meeting", "action")
GOVERNANCE_OPERATIONS = ("create", "update", "delete")
IMPORT_STATUSES = ("running", "success", "partial", "failed", "undone")


def _in(column: str, values: tuple[str, ...], nullable: bool = False) -> str:
    """SQL text of a CHECK that keeps ``column`` inside a closed value list."""
    listed = ", ".join(f"'{v}'" for v in values)
    clause = f"{column} IN ({listed})"
    return f"{column} IS NULL OR {clause}" if nullable else clause


class Base(DeclarativeBase):
    """Declarative base with a naming convention, so that Alembic names constraints stably."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict] = {dict[str, Any]: JSON}


def table_of(model: type[Base]) -> Table:
    """The model's ``Table``. SQLAlchemy declares ``Model.__table__`` as any ``FromClause`` (a
    mapped class may sit on a join or a subquery); every model here maps one plain table, and
    the importers, the journal and the demo need it as a ``Table`` (columns, primary key, name).
    Not named ``table``: that is the local variable's name in most of the code using it."""
    mapped = model.__table__
    if not isinstance(mapped, Table):
        raise TypeError(f"{model.__name__} is not mapped to a plain table")
    return mapped


class ImportRunRef:
    """Mixin: the import run that last wrote the row (``None`` for demo or manual rows)."""

    import_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_runs.id", ondelete="SET NULL"), index=True
    )


# --- territories -------------------------------------------------------------------------


class Commune(Base):
    """A commune of the département, with its EPCI and its UTAS (the CD's local office)."""

    __tablename__ = "communes"

    code_insee: Mapped[str] = mapped_column(String(5), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    population: Mapped[int | None] = mapped_column(Integer)
    epci_siren: Mapped[str | None] = mapped_column(String(9), index=True)
    epci_name: Mapped[str | None] = mapped_column(String(200))
    utas: Mapped[str | None] = mapped_column(String(80), index=True)
    departement_code: Mapped[str] = mapped_column(String(3))


class PostalCode(Base):
    """Postal code → commune; several communes share one code, hence the name column."""

    __tablename__ = "postal_codes"

    postal_code: Mapped[str] = mapped_column(String(5), primary_key=True)
    code_insee: Mapped[str] = mapped_column(
        ForeignKey("communes.code_insee", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(120))


# --- beneficiaries and their path --------------------------------------------------------


class Person(ImportRunRef, Base):
    """A BRSA (beneficiary), known only by a keyed hash of the source identifier."""

    __tablename__ = "persons"
    __table_args__ = (
        CheckConstraint(_in("payer", PAYERS, nullable=True), name="payer"),
        CheckConstraint(_in("sex", SEXES, nullable=True), name="sex"),
        CheckConstraint("exit_date IS NULL OR exit_date >= entry_date", name="exit_after_entry"),
        CheckConstraint("birth_year IS NULL OR birth_year BETWEEN 1900 AND 2100", name="birth"),
        Index("ix_persons_entry", "subject_to_obligations", "entry_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_key: Mapped[str] = mapped_column(String(64), unique=True)
    entry_date: Mapped[dt.date] = mapped_column(Date)
    commune_code: Mapped[str | None] = mapped_column(ForeignKey("communes.code_insee"), index=True)
    payer: Mapped[str | None] = mapped_column(String(3))
    subject_to_obligations: Mapped[bool] = mapped_column(Boolean, default=True)
    exit_date: Mapped[dt.date | None] = mapped_column(Date)
    birth_year: Mapped[int | None] = mapped_column(Integer)
    sex: Mapped[str | None] = mapped_column(String(1))
    source: Mapped[str] = mapped_column(String(30), default="bundle")
    # Dates the legal delays start from (all optional; the metrics say which fallback they use):
    # the RSA request (DREES measures from it), the département's receipt of the information
    # on the opening of the right, and of its transfer into the département (CASF D. 262-65-2).
    rsa_request_date: Mapped[dt.date | None] = mapped_column(Date)
    right_info_date: Mapped[dt.date | None] = mapped_column(Date)
    transfer_in_date: Mapped[dt.date | None] = mapped_column(Date)
    # The source's own « oriented within 15 / 30 days » flags (RDV-Insertion writes them),
    # kept to compare with the dashboard's computation; NULL when absent or not computable.
    upstream_within_15: Mapped[bool | None] = mapped_column(Boolean)
    upstream_within_30: Mapped[bool | None] = mapped_column(Boolean)
    # True when the source gives a current orientation type it could not date for the current
    # entry (a re-entry whose orientation appointment is not in the exports).
    undated_orientation: Mapped[bool | None] = mapped_column(Boolean)


class PersonKeyLink(ImportRunRef, Base):
    """A second keyed hash that designates the same person (never an identifier in clear).

    An export may first know a person by « Numéro CAF » + « Rôle » and later also by the
    département's internal id: both hashes then lead to one person. ``merged`` is true when
    the alias had been a person of its own before the link (the quality page counts them).
    """

    __tablename__ = "person_key_links"

    alias_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    merged: Mapped[bool] = mapped_column(Boolean, default=False)


class Invitation(ImportRunRef, Base):
    """An invitation (the person books) or a convocation (the agent sets the date)."""

    __tablename__ = "invitations"
    __table_args__ = (
        UniqueConstraint("person_id", "sent_date", "kind", "channel", "is_reminder"),
        CheckConstraint(_in("kind", INVITATION_KINDS), name="kind"),
        CheckConstraint(_in("channel", CHANNELS), name="channel"),
        Index("ix_invitations_person_date", "person_id", "sent_date"),
        # the sends of a period (a week of the weekly point) without reading every invitation
        Index("ix_invitations_sent_date", "sent_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"))
    sent_date: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(12))
    channel: Mapped[str] = mapped_column(String(8))
    is_reminder: Mapped[bool] = mapped_column(Boolean, default=False)


class Appointment(ImportRunRef, Base):
    """A diagnostic/orientation (or other) appointment and its participation status."""

    __tablename__ = "appointments"
    __table_args__ = (
        UniqueConstraint("person_id", "date", "purpose"),
        CheckConstraint(_in("purpose", APPOINTMENT_PURPOSES), name="purpose"),
        CheckConstraint(_in("status", APPOINTMENT_STATUSES), name="status"),
        CheckConstraint(_in("booked_after", INVITATION_KINDS, nullable=True), name="booked"),
        Index("ix_appointments_person_date", "person_id", "date"),
        Index("ix_appointments_date", "date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"))
    date: Mapped[dt.date] = mapped_column(Date)
    purpose: Mapped[str] = mapped_column(String(14))
    status: Mapped[str] = mapped_column(String(8))
    booked_after: Mapped[str | None] = mapped_column(String(12))


class Orientation(ImportRunRef, Base):
    """An orientation decision: path type and organism in charge."""

    __tablename__ = "orientations"
    __table_args__ = (
        UniqueConstraint("person_id", "decision_date"),
        CheckConstraint(
            _in("orientation_type", (*ORIENTATION_TYPES, UNKNOWN_ORIENTATION_TYPE)), name="type"
        ),
        CheckConstraint(_in("organism", ORGANISMS, nullable=True), name="organism"),
        CheckConstraint(_in("date_rule", ORIENTATION_DATE_RULES, nullable=True), name="rule"),
        Index("ix_orientations_date", "decision_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"))
    decision_date: Mapped[dt.date] = mapped_column(Date)
    orientation_type: Mapped[str] = mapped_column(String(13))
    organism: Mapped[str | None] = mapped_column(String(16))
    # The source's type name as written when it is not one of the three standard ones (a
    # département's own type, e.g. « Remobilisation renforcée »): not personal, kept so that
    # a later mapping can be applied without re-importing.
    type_label: Mapped[str | None] = mapped_column(String(120))
    date_rule: Mapped[str | None] = mapped_column(String(11))
    # The contract month runs from the notification of the decision (C. trav. D. 5411-14-1).
    notification_date: Mapped[dt.date | None] = mapped_column(Date)


class Contract(ImportRunRef, Base):
    """A signed contract: contrat d'engagement, or one that preceded it (CER, PPAE, PACEA, CEJ)."""

    __tablename__ = "contracts"
    __table_args__ = (
        UniqueConstraint("person_id", "signed_date", "contract_type"),
        CheckConstraint(_in("contract_type", CONTRACT_TYPES), name="type"),
        Index("ix_contracts_person_date", "person_id", "signed_date"),
        # the contracts signed in a period, without reading every contract
        Index("ix_contracts_signed_date", "signed_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"))
    signed_date: Mapped[dt.date] = mapped_column(Date)
    contract_type: Mapped[str] = mapped_column(String(12))


class PersonTimeline(Base):
    """Per person, the first dates every delay and stock indicator starts from or waits for.

    A derived table: nothing here is a fact of its own, every column is computed from
    ``persons`` and its events (``data_access/timeline.py``), and whatever writes those tables
    refreshes the rows of the persons it touched in the same transaction. It exists because
    the metric queries would otherwise recompute a MIN per person and event kind on every
    call, which the planners estimate badly at national scale (see ``bench/RESULTS.md``).

    Each first event is the earliest dated on or after the entry date (an earlier one is a
    data error); it does not depend on the as-of date: a query observing at a date keeps it
    when it falls on or before the end of observation, and otherwise sees no event, which is
    what taking the first event within [entry, end of observation] gives.
    """

    __tablename__ = "person_timeline"
    __table_args__ = (
        Index("ix_person_timeline_orientation", "first_orientation_date"),
        Index("ix_person_timeline_legal_start", "legal_start_date"),
    )

    person_id: Mapped[int] = mapped_column(
        ForeignKey("persons.id", ondelete="CASCADE"), primary_key=True
    )
    # Copied from the person, so that a row can be checked against its sources.
    entry_date: Mapped[dt.date] = mapped_column(Date)
    exit_date: Mapped[dt.date | None] = mapped_column(Date)
    # First invitation or convocation sent (reminders included: they come later anyway).
    first_invitation_date: Mapped[dt.date | None] = mapped_column(Date)
    # First orientation appointment the person attended (status « seen »).
    first_seen_date: Mapped[dt.date | None] = mapped_column(Date)
    # First orientation decision, with its type and organism (one decision per person and day).
    first_orientation_date: Mapped[dt.date | None] = mapped_column(Date)
    first_orientation_type: Mapped[str | None] = mapped_column(String(13))
    first_orientation_organism: Mapped[str | None] = mapped_column(String(16))
    # First contract of any type signed on or after the first orientation decision.
    first_contract_date: Mapped[dt.date | None] = mapped_column(Date)
    # Start of the legal orientation delay (transfer-in, else opening of the right, else
    # entry) and the first decision on or after it, whether before the entry date or not.
    legal_start_date: Mapped[dt.date] = mapped_column(Date)
    legal_orientation_date: Mapped[dt.date | None] = mapped_column(Date)


class DecisionTimeline(Base):
    """Per orientation decision, what the legal contract delay waits for: the person's next
    decision (which interrupts the delay) and the first counted contract signed from the
    decision on, before that next decision.

    A derived table like ``person_timeline``, kept exact by the same writers in the same
    transaction (``data_access/timeline.py``). It exists because the legal contract delay
    otherwise looks up, for every decision of a committee's periods, the next decision and the
    contracts of its person: a correlated subquery per decision, the slowest query left at
    national scale. Neither date depends on the as-of date: a query observing at a date sees
    the contract when it is signed by the end of observation, and no contract otherwise
    (the first contract is then after that end, so no earlier one exists).
    """

    __tablename__ = "decision_timeline"
    __table_args__ = (
        Index("ix_decision_timeline_notified", "notified_date"),
        Index("ix_decision_timeline_person", "person_id"),
    )

    orientation_id: Mapped[int] = mapped_column(
        ForeignKey("orientations.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"))
    decision_date: Mapped[dt.date] = mapped_column(Date)
    # The notification opens the one-month delay; the decision date when it is not known.
    notified_date: Mapped[dt.date] = mapped_column(Date)
    orientation_type: Mapped[str] = mapped_column(String(13))
    # The person's first decision dated strictly after this one.
    next_decision_date: Mapped[dt.date | None] = mapped_column(Date)
    # The first contract the legal rule counts, signed on or after the decision and before
    # the next decision (``timeline.counted_contract``).
    first_contract_date: Mapped[dt.date | None] = mapped_column(Date)


class Accompaniment(ImportRunRef, Base):
    """A period of accompaniment by a referent (pseudonymised) with planned weekly hours."""

    __tablename__ = "accompaniments"
    __table_args__ = (
        UniqueConstraint("person_id", "referent_key", "start_date"),
        CheckConstraint(
            "weekly_activity_hours IS NULL OR (weekly_activity_hours >= 0 "
            "AND weekly_activity_hours <= 80)",
            name="hours",
        ),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="end_after_start"),
        Index("ix_accompaniments_dates", "start_date", "end_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"))
    referent_key: Mapped[str] = mapped_column(String(64), index=True)
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    weekly_activity_hours: Mapped[float | None] = mapped_column(Float)


class Need(ImportRunRef, Base):
    """An obstacle identified at diagnostic, as a data·inclusion thématique category."""

    __tablename__ = "needs"
    __table_args__ = (UniqueConstraint("person_id", "category"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"))
    category: Mapped[str] = mapped_column(String(60), index=True)
    identified_date: Mapped[dt.date] = mapped_column(Date)


# --- partner offer -----------------------------------------------------------------------


class PartnerStructure(ImportRunRef, Base):
    """A partner structure (data·inclusion ``structure``); IAE networks are flagged."""

    __tablename__ = "partner_structures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    siret: Mapped[str | None] = mapped_column(String(14))
    code_insee: Mapped[str | None] = mapped_column(String(5))
    reseaux_porteurs: Mapped[str | None] = mapped_column(Text)
    is_iae: Mapped[bool] = mapped_column(Boolean, default=False)


class PartnerService(ImportRunRef, Base):
    """A partner service (data·inclusion ``service``) with its period and capacity."""

    __tablename__ = "partner_services"
    __table_args__ = (
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity"),
        CheckConstraint(
            "end_date IS NULL OR start_date IS NULL OR end_date >= start_date", name="period"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_id: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    structure_id: Mapped[int | None] = mapped_column(
        ForeignKey("partner_structures.id", ondelete="SET NULL")
    )
    structure_name: Mapped[str | None] = mapped_column(String(300))
    # The structure's data·inclusion id as the service names it, so that a structure imported
    # after its services is still linked to them.
    structure_source_id: Mapped[str | None] = mapped_column(String(200), index=True)
    modes_accueil: Mapped[str | None] = mapped_column(String(100))
    capacity: Mapped[int | None] = mapped_column(Integer)
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)


class ServiceThematique(Base):
    """One thématique of a service (``categorie`` or ``categorie--suffix``) and its category."""

    __tablename__ = "service_thematiques"

    service_pk: Mapped[int] = mapped_column(
        ForeignKey("partner_services.id", ondelete="CASCADE"), primary_key=True
    )
    thematique: Mapped[str] = mapped_column(String(120), primary_key=True)
    category: Mapped[str] = mapped_column(String(60), index=True)


class ServiceZone(Base):
    """One code of a service's ``zone_eligibilite``: commune, EPCI, département or france."""

    __tablename__ = "service_zones"
    __table_args__ = (
        CheckConstraint(
            _in("zone_kind", ("commune", "epci", "departement", "france")), name="kind"
        ),
    )

    service_pk: Mapped[int] = mapped_column(
        ForeignKey("partner_services.id", ondelete="CASCADE"), primary_key=True
    )
    zone_code: Mapped[str] = mapped_column(String(9), primary_key=True, index=True)
    zone_kind: Mapped[str] = mapped_column(String(11))


# --- companies ---------------------------------------------------------------------------


class CompanyAction(ImportRunRef, Base):
    """Company mobilisation: engagement, immersion (PMSMP), job offer, hire, mentoring."""

    __tablename__ = "company_actions"
    __table_args__ = (
        UniqueConstraint("date", "company_key", "action"),
        CheckConstraint(_in("action", COMPANY_ACTIONS), name="action"),
        CheckConstraint("count >= 0", name="count"),
        Index("ix_company_actions_date", "date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    date: Mapped[dt.date] = mapped_column(Date)
    company_key: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(12))
    count: Mapped[int] = mapped_column(Integer, default=1)


# --- roadmap and governance --------------------------------------------------------------


class RoadmapStep(Base):
    """A step of the roadmap with its status; ``version`` drives optimistic locking."""

    __tablename__ = "roadmap_steps"
    __table_args__ = (
        CheckConstraint(_in("status", ROADMAP_STATUSES), name="status"),
        CheckConstraint("version >= 1", name="version"),
    )

    step_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    axis: Mapped[str] = mapped_column(String(80), index=True)
    target: Mapped[str] = mapped_column(Text)
    step: Mapped[str] = mapped_column(Text)
    due_label: Mapped[str | None] = mapped_column(String(120))
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    owners: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(10), default="a_faire")
    done_date: Mapped[dt.date | None] = mapped_column(Date)
    comment: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    updated_by: Mapped[str | None] = mapped_column(String(120))
    import_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_runs.id", ondelete="SET NULL")
    )


class RoadmapStepHistory(Base):
    """Every status change of a step: who, when, old → new, comment."""

    __tablename__ = "roadmap_step_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    step_id: Mapped[str] = mapped_column(
        ForeignKey("roadmap_steps.step_id", ondelete="CASCADE"), index=True
    )
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    changed_by: Mapped[str] = mapped_column(String(120))
    old_status: Mapped[str | None] = mapped_column(String(10))
    new_status: Mapped[str] = mapped_column(String(10))
    old_done_date: Mapped[dt.date | None] = mapped_column(Date)
    new_done_date: Mapped[dt.date | None] = mapped_column(Date)
    comment: Mapped[str | None] = mapped_column(Text)


class Meeting(Base):
    """A governance meeting: weekly point, follow-up committee or working group."""

    __tablename__ = "meetings"
    __table_args__ = (CheckConstraint(_in("kind", MEETING_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    date: Mapped[dt.date] = mapped_column(Date, index=True)
    title: Mapped[str] = mapped_column(String(300))
    institutions: Mapped[str] = mapped_column(String(300), default="")
    notes: Mapped[str | None] = mapped_column(Text)
    # Optimistic locking of the edit form, as for roadmap steps.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class MeetingAction(Base):
    """A decision taken or an action assigned in a meeting, with owner party and due date."""

    __tablename__ = "meeting_actions"
    __table_args__ = (
        CheckConstraint(_in("kind", ACTION_KINDS), name="kind"),
        CheckConstraint(_in("status", ACTION_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meetings.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    owner: Mapped[str | None] = mapped_column(String(40))
    # A named person within the owner institution (a project lead, never a beneficiary).
    owner_person: Mapped[str | None] = mapped_column(String(120))
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="ouverte")
    step_id: Mapped[str | None] = mapped_column(
        ForeignKey("roadmap_steps.step_id", ondelete="SET NULL")
    )
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # When the row was recorded and when it was last closed (done or dropped): a deck rebuilt
    # for a past committee lists what was recorded and still open on that date.
    created_on: Mapped[dt.date | None] = mapped_column(Date)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)


class GovernanceChange(Base):
    """Every creation, edit and deletion of a meeting or an action: who, when, before/after.

    A deleted meeting or action leaves its last state here, so a deletion can be traced and
    « what changed since the last weekly point » can be read from one table.
    """

    __tablename__ = "governance_history"
    __table_args__ = (
        CheckConstraint(_in("entity", GOVERNANCE_ENTITIES), name="entity"),
        CheckConstraint(_in("operation", GOVERNANCE_OPERATIONS), name="operation"),
        Index("ix_governance_history_entity_id", "entity", "entity_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity: Mapped[str] = mapped_column(String(8))
    entity_id: Mapped[int] = mapped_column(Integer)
    operation: Mapped[str] = mapped_column(String(8))
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    changed_by: Mapped[str] = mapped_column(String(120))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Highlight(Base):
    """A « fait marquant »: a project lead's short comment on one indicator (``metric_id``) or
    on the committee as a whole (NULL), for the period it was written for.

    The text itself lives in ``highlight_versions``: an edit adds a version and a withdrawal
    adds a withdrawn version, so a deck rebuilt later for an earlier as-of date shows what was
    written by then, and nothing written is ever lost.
    """

    __tablename__ = "highlights"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    metric_id: Mapped[str | None] = mapped_column(String(80), index=True)
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(120))


class HighlightVersion(Base):
    """One version of a highlight's text: who wrote it and when, or who withdrew it.

    ``(highlight_id, version)`` is unique: two people saving over the same version cannot
    both succeed (the second gets a conflict, never a silent overwrite)."""

    __tablename__ = "highlight_versions"
    __table_args__ = (UniqueConstraint("highlight_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    highlight_id: Mapped[int] = mapped_column(
        ForeignKey("highlights.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)
    written_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    written_by: Mapped[str] = mapped_column(String(120))


# --- imports, snapshots, metadata --------------------------------------------------------


class ImportRun(Base):
    """One import of one source file or bundle: counts, hash, who, and its outcome."""

    __tablename__ = "import_runs"
    __table_args__ = (CheckConstraint(_in("status", IMPORT_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(30), index=True)
    file_name: Mapped[str] = mapped_column(String(400))
    file_hash: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    user: Mapped[str | None] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(8), default="running")
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    rows_written: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class ImportRejection(Base):
    """A rejected row of an import run, with the spreadsheet line, the field and the reason."""

    __tablename__ = "import_rejections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    import_run_id: Mapped[int] = mapped_column(
        ForeignKey("import_runs.id", ondelete="CASCADE"), index=True
    )
    file_name: Mapped[str] = mapped_column(String(400))
    line: Mapped[int | None] = mapped_column(Integer)
    field: Mapped[str | None] = mapped_column(String(120))
    message: Mapped[str] = mapped_column(Text)


class ImportChange(Base):
    """Journal of rows an import run updated or deleted (their previous values), or inserted in
    a table without ``import_run_id``, so that the run can be undone without touching others."""

    __tablename__ = "import_changes"
    __table_args__ = (
        CheckConstraint(_in("operation", ("insert", "update", "delete")), name="operation"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    import_run_id: Mapped[int] = mapped_column(
        ForeignKey("import_runs.id", ondelete="CASCADE"), index=True
    )
    table_name: Mapped[str] = mapped_column(String(60))
    operation: Mapped[str] = mapped_column(String(6))
    row_key: Mapped[dict[str, Any]] = mapped_column(JSON)
    previous: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    previous_run_id: Mapped[int | None] = mapped_column(Integer, index=True)


class DeckSnapshot(Base):
    """The figures of an exported committee deck, so the next committee compares against them."""

    __tablename__ = "deck_snapshots"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    committee_date: Mapped[dt.date] = mapped_column(Date)
    period_from: Mapped[dt.date] = mapped_column(Date)
    period_to: Mapped[dt.date] = mapped_column(Date)
    as_of: Mapped[dt.date] = mapped_column(Date)
    # The deck's scope: a deck for one territory or payer only compares with decks of the same
    # scope (NULL = whole département / all payers).
    territory_level: Mapped[str | None] = mapped_column(String(10))
    territory_code: Mapped[str | None] = mapped_column(String(80))
    payer: Mapped[str | None] = mapped_column(String(10))
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)


class Metadata(Base):
    """Key/value facts about the database itself (e.g. ``demo`` = seed and scale)."""

    __tablename__ = "app_metadata"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


# --- access control and audit -----------------------------------------------------------

ACCESS_ROLES = ("lecture", "pilotage", "admin")


class UserRole(Base):
    """Who may open the dashboard and with which role: one e-mail address
    (``prenom.nom@creuse.fr``) or a whole e-mail domain (``@creuse.fr``); an address wins over
    its domain."""

    __tablename__ = "user_roles"
    __table_args__ = (CheckConstraint(_in("role", ACCESS_ROLES), name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pattern: Mapped[str] = mapped_column(String(254), unique=True)
    role: Mapped[str] = mapped_column(String(10))
    granted_at: Mapped[dt.datetime] = mapped_column(DateTime)
    granted_by: Mapped[str | None] = mapped_column(String(254))


class AuditEvent(Base):
    """One sensitive action: who (an e-mail, or the account running a command), when, what
    (an action code and a short French detail that never holds a beneficiary's data)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    actor: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(40), index=True)
    detail: Mapped[str | None] = mapped_column(Text)
