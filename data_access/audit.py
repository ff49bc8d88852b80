"""The audit log: who did what and when — sign-ins, views of sensitive pages, exports, edits,
imports, undos, role changes.

A row names the person (an e-mail address, or the account that ran a command), an action code
and a short French detail: page names, chart names, scopes, import numbers, roadmap step ids.
Callers never put a beneficiary's data in it (no identifier, no cell of an imported file).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from data_access.schema import AuditEvent

ACTION_LABELS = {
    "sign_in": "Connexion",
    "sign_in_refused": "Connexion refusée (aucun rôle)",
    "sign_out": "Déconnexion",
    "page_view": "Consultation d'une page sensible",
    "export": "Export",
    "edit": "Modification",
    "import": "Import",
    "import_refused": "Import refusé",
    "undo": "Annulation d'import",
    "role_granted": "Rôle attribué",
    "role_revoked": "Rôle retiré",
}
MAX_DETAIL = 500


@dataclass(frozen=True)
class AuditEntry:
    """One audit row as read back for the page and the CSV export."""

    occurred_at: dt.datetime
    actor: str
    action: str
    detail: str

    @property
    def action_label(self) -> str:
        """The action in French."""
        return ACTION_LABELS.get(self.action, self.action)


def record_audit(session: Session, actor: str | None, action: str, detail: str = "") -> None:
    """Add one audit row to the caller's transaction (written with it, or not at all)."""
    session.add(
        AuditEvent(
            occurred_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
            actor=(actor or "inconnu")[:254],
            action=action[:40],
            detail=detail[:MAX_DETAIL] if detail else None,
        )
    )


def list_audit(engine: Engine, *, limit: int | None = None) -> list[AuditEntry]:
    """The most recent audit rows first (all of them when ``limit`` is None)."""
    query = select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    if limit is not None:
        query = query.limit(limit)
    with Session(engine) as session:
        rows = session.scalars(query).all()
    return [AuditEntry(r.occurred_at, r.actor, r.action, r.detail or "") for r in rows]
