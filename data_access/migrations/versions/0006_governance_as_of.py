"""meeting actions: recording and closing dates, to read them as of a date

Revision ID: 0006
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("meeting_actions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("created_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("closed_on", sa.Date(), nullable=True))
    # Rows recorded before this revision: recorded on their meeting's date at the latest.
    op.execute(
        "UPDATE meeting_actions SET created_on = "
        "(SELECT meetings.date FROM meetings WHERE meetings.id = meeting_actions.meeting_id) "
        "WHERE created_on IS NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("meeting_actions", schema=None) as batch_op:
        batch_op.drop_column("closed_on")
        batch_op.drop_column("created_on")
