"""highlights: the « faits marquants » of project leads, with every version of their text

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "highlights",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("metric_id", sa.String(length=80), nullable=True),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_highlights")),
    )
    with op.batch_alter_table("highlights", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_highlights_metric_id"), ["metric_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_highlights_period_end"), ["period_end"], unique=False)
    op.create_table(
        "highlight_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("highlight_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("withdrawn", sa.Boolean(), nullable=False),
        sa.Column("written_at", sa.DateTime(), nullable=False),
        sa.Column("written_by", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["highlight_id"],
            ["highlights.id"],
            name=op.f("fk_highlight_versions_highlight_id_highlights"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_highlight_versions")),
        sa.UniqueConstraint(
            "highlight_id", "version", name=op.f("uq_highlight_versions_highlight_id")
        ),
    )
    with op.batch_alter_table("highlight_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_highlight_versions_highlight_id"), ["highlight_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_highlight_versions_written_at"), ["written_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("highlight_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_highlight_versions_written_at"))
        batch_op.drop_index(batch_op.f("ix_highlight_versions_highlight_id"))
    op.drop_table("highlight_versions")
    with op.batch_alter_table("highlights", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_highlights_period_end"))
        batch_op.drop_index(batch_op.f("ix_highlights_metric_id"))
    op.drop_table("highlights")
