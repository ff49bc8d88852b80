"""Who may open the dashboard, and with which role: e-mail addresses or e-mail domains mapped
to one of three roles, kept in the database and changed by administrators (« Utilisateurs »
page, ``pilotage users``). Each change is written to the audit log in the same transaction.

Roles, each including the rights of the one before: ``lecture`` (préfet, PCD, partners read
every dashboard page), ``pilotage`` (project leads also edit the roadmap, meetings, decisions
and actions), ``admin`` (also imports, undo, users and the audit log). The first administrator
comes from the ``PILOTAGE_ADMIN_EMAIL`` setting or ``pilotage users add … admin``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, Engine, delete, select
from sqlalchemy.orm import Session

from data_access.audit import record_audit
from data_access.exceptions import DataAccessError
from data_access.schema import ACCESS_ROLES, UserRole

ROLES: tuple[str, ...] = ACCESS_ROLES
ROLE_LABELS = {
    "lecture": "Lecture (préfet, PCD, partenaires)",
    "pilotage": "Pilotage (chefs de projet)",
    "admin": "Administration",
}
# Names of the first version of the dashboard, still accepted everywhere a role is read.
ROLE_ALIASES = {"chef_de_projet": "pilotage", "administrateur": "admin", "lecteur": "lecture"}
_RANK = {role: rank for rank, role in enumerate(ROLES)}
_EMAIL = re.compile(r"^[^@\s]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
_DOMAIN = re.compile(r"^@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")


class AccessError(DataAccessError):
    """A role or an address that cannot be used (message in French)."""


@dataclass(frozen=True)
class RoleGrant:
    """One line of the access list."""

    pattern: str
    role: str
    granted_at: dt.datetime
    granted_by: str | None

    @property
    def is_domain(self) -> bool:
        """True for a whole e-mail domain (``@creuse.fr``)."""
        return self.pattern.startswith("@")


def normalise_role(role: str | None) -> str | None:
    """The role's current name (old names are aliases), or None when it is not a role."""
    if role is None:
        return None
    value = role.strip().lower()
    value = ROLE_ALIASES.get(value, value)
    return value if value in _RANK else None


def role_includes(role: str | None, required: str) -> bool:
    """True when ``role`` has at least the rights of ``required`` (admin ⊇ pilotage ⊇ lecture)."""
    have, need = normalise_role(role), normalise_role(required)
    if have is None or need is None:
        return False
    return _RANK[have] >= _RANK[need]


def normalise_pattern(pattern: str) -> str:
    """A lower-case e-mail address or ``@domain``; anything else is a French error."""
    value = pattern.strip().lower()
    if _EMAIL.match(value) or _DOMAIN.match(value):
        return value
    raise AccessError(
        "Adresse invalide : indiquez une adresse électronique (prenom.nom@creuse.fr) ou un "
        "domaine entier précédé de @ (@creuse.fr)."
    )


def _checked_role(role: str) -> str:
    checked = normalise_role(role)
    if checked is None:
        raise AccessError("Rôle inconnu : attendu lecture, pilotage ou admin.")
    return checked


def role_for_email(engine: Engine, email: str | None, first_admin: str | None = None) -> str | None:
    """The role of a signed-in person: their address first, then their domain, then the
    first administrator of the settings; None when nobody gave them a role."""
    if not email:
        return None
    address = email.strip().lower()
    if first_admin and address == first_admin.strip().lower():
        return "admin"
    domain = "@" + address.rsplit("@", 1)[-1] if "@" in address else None
    with Session(engine) as session:
        rows = dict(
            session.execute(
                select(UserRole.pattern, UserRole.role).where(
                    UserRole.pattern.in_([address, *([domain] if domain else [])])
                )
            ).all()
        )
    return rows.get(address) or (rows.get(domain) if domain else None)


def list_grants(engine: Engine) -> list[RoleGrant]:
    """Every address and domain with its role, domains first then addresses, alphabetically."""
    with Session(engine) as session:
        rows = session.scalars(select(UserRole)).all()
    grants = [RoleGrant(r.pattern, r.role, r.granted_at, r.granted_by) for r in rows]
    return sorted(grants, key=lambda g: (not g.is_domain, g.pattern))


def grant_role(session: Session, pattern: str, role: str, *, actor: str) -> RoleGrant:
    """Give (or change) the role of an address or a domain; audited."""
    value, checked = normalise_pattern(pattern), _checked_role(role)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    row = session.scalars(select(UserRole).where(UserRole.pattern == value)).one_or_none()
    previous = row.role if row else None
    if row is None:
        row = UserRole(pattern=value, role=checked, granted_at=now, granted_by=actor)
        session.add(row)
    else:
        row.role, row.granted_at, row.granted_by = checked, now, actor
    session.flush()
    change = f"{previous} → {checked}" if previous else checked
    record_audit(session, actor, "role_granted", f"{value} : {change}")
    return RoleGrant(row.pattern, row.role, row.granted_at, row.granted_by)


def revoke_role(session: Session, pattern: str, *, actor: str) -> bool:
    """Take the role away from an address or a domain; False when it had none. Audited."""
    value = normalise_pattern(pattern)
    # A DELETE gives a CursorResult (with rowcount); Session.execute is typed for any statement.
    result = cast(
        CursorResult[Any], session.execute(delete(UserRole).where(UserRole.pattern == value))
    )
    removed = result.rowcount
    if removed:
        record_audit(session, actor, "role_revoked", value)
    return bool(removed)
