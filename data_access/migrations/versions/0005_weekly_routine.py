"""weekly routine: editable meetings and actions, their history, France Travail

Revision ID: 0005
Revises: 0004

Meetings and actions get a ``version`` (optimistic locking of their edit forms), actions a
named person within the owner institution, and ``governance_history`` keeps every creation,
edit and deletion. Institutions stored as « PE » become « France Travail » (its name since
1 January 2024) in roadmap owners, action owners and meeting attendance.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD, NEW = "PE", "France Travail"


def _rename(table: str, key: str, column: str, old: str, new: str) -> None:
    """Replace one name in a ``|``-separated list column, row by row (both engines)."""
    bind = op.get_bind()
    rows = bind.execute(sa.text(f"SELECT {key}, {column} FROM {table}")).all()
    for row_key, value in rows:
        if not value:
            continue
        names = [new if name == old else name for name in value.split("|")]
        joined = "|".join(dict.fromkeys(names))
        if joined != value:
            bind.execute(
                sa.text(f"UPDATE {table} SET {column} = :value WHERE {key} = :key"),
                {"value": joined, "key": row_key},
            )


def upgrade() -> None:
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    with op.batch_alter_table("meeting_actions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner_person", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    op.create_table(
        "governance_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=8), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("operation", sa.String(length=8), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("changed_by", sa.String(length=120), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.CheckConstraint(
            "entity IN ('meeting', 'action')", name=op.f("ck_governance_history_entity")
        ),
        sa.CheckConstraint(
            "operation IN ('create', 'update', 'delete')",
            name=op.f("ck_governance_history_operation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_governance_history")),
    )
    with op.batch_alter_table("governance_history", schema=None) as batch_op:
        batch_op.create_index(
            "ix_governance_history_entity_id", ["entity", "entity_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_governance_history_changed_at"), ["changed_at"], unique=False
        )
    _rename("roadmap_steps", "step_id", "owners", OLD, NEW)
    _rename("meeting_actions", "id", "owner", OLD, NEW)
    _rename("meetings", "id", "institutions", OLD, NEW)


def downgrade() -> None:
    _rename("meetings", "id", "institutions", NEW, OLD)
    _rename("meeting_actions", "id", "owner", NEW, OLD)
    _rename("roadmap_steps", "step_id", "owners", NEW, OLD)
    with op.batch_alter_table("governance_history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_governance_history_changed_at"))
        batch_op.drop_index("ix_governance_history_entity_id")
    op.drop_table("governance_history")
    with op.batch_alter_table("meeting_actions", schema=None) as batch_op:
        batch_op.drop_column("version")
        batch_op.drop_column("owner_person")
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_column("version")
