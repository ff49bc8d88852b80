"""person timeline: per person, the first dates the delay and stock indicators read

Revision ID: 0007
Revises: 0006

A derived table (``data_access/timeline.py`` keeps it exact); filled here from the existing
rows with portable SQL, the same rows ``timeline.rebuild`` gives.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LEGAL_START = (
    "CASE WHEN p.transfer_in_date IS NOT NULL AND (p.right_info_date IS NULL "
    "OR p.transfer_in_date >= p.right_info_date) THEN p.transfer_in_date "
    "ELSE COALESCE(p.right_info_date, p.entry_date) END"
)

FILL = f"""
INSERT INTO person_timeline (
    person_id, entry_date, exit_date, first_invitation_date, first_seen_date,
    first_orientation_date, first_orientation_type, first_orientation_organism,
    first_contract_date, legal_start_date, legal_orientation_date
)
SELECT p.id, p.entry_date, p.exit_date, i.first_date, s.first_date, o.first_date,
       d.orientation_type, d.organism, c.first_date, {LEGAL_START}, l.first_date
FROM persons p
LEFT JOIN (
    SELECT x.person_id, MIN(x.sent_date) AS first_date FROM invitations x
    JOIN persons q ON q.id = x.person_id WHERE x.sent_date >= q.entry_date GROUP BY x.person_id
) i ON i.person_id = p.id
LEFT JOIN (
    SELECT x.person_id, MIN(x.date) AS first_date FROM appointments x
    JOIN persons q ON q.id = x.person_id
    WHERE x.status = 'seen' AND x.purpose = 'orientation' AND x.date >= q.entry_date
    GROUP BY x.person_id
) s ON s.person_id = p.id
LEFT JOIN (
    SELECT x.person_id, MIN(x.decision_date) AS first_date FROM orientations x
    JOIN persons q ON q.id = x.person_id WHERE x.decision_date >= q.entry_date
    GROUP BY x.person_id
) o ON o.person_id = p.id
LEFT JOIN orientations d ON d.person_id = o.person_id AND d.decision_date = o.first_date
LEFT JOIN (
    SELECT x.person_id, MIN(x.signed_date) AS first_date FROM contracts x
    JOIN (
        SELECT y.person_id, MIN(y.decision_date) AS first_date FROM orientations y
        JOIN persons q ON q.id = y.person_id WHERE y.decision_date >= q.entry_date
        GROUP BY y.person_id
    ) f ON f.person_id = x.person_id
    WHERE x.signed_date >= f.first_date GROUP BY x.person_id
) c ON c.person_id = p.id
LEFT JOIN (
    SELECT x.person_id, MIN(x.decision_date) AS first_date FROM orientations x
    JOIN persons p ON p.id = x.person_id WHERE x.decision_date >= {LEGAL_START}
    GROUP BY x.person_id
) l ON l.person_id = p.id
"""


def upgrade() -> None:
    op.create_table(
        "person_timeline",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("entry_date", sa.Date(), nullable=False),
        sa.Column("exit_date", sa.Date(), nullable=True),
        sa.Column("first_invitation_date", sa.Date(), nullable=True),
        sa.Column("first_seen_date", sa.Date(), nullable=True),
        sa.Column("first_orientation_date", sa.Date(), nullable=True),
        sa.Column("first_orientation_type", sa.String(length=13), nullable=True),
        sa.Column("first_orientation_organism", sa.String(length=16), nullable=True),
        sa.Column("first_contract_date", sa.Date(), nullable=True),
        sa.Column("legal_start_date", sa.Date(), nullable=False),
        sa.Column("legal_orientation_date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_person_timeline_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_person_timeline")),
    )
    with op.batch_alter_table("person_timeline", schema=None) as batch_op:
        batch_op.create_index(
            "ix_person_timeline_orientation", ["first_orientation_date"], unique=False
        )
        batch_op.create_index("ix_person_timeline_legal_start", ["legal_start_date"], unique=False)
    op.execute(FILL)


def downgrade() -> None:
    with op.batch_alter_table("person_timeline", schema=None) as batch_op:
        batch_op.drop_index("ix_person_timeline_legal_start")
        batch_op.drop_index("ix_person_timeline_orientation")
    op.drop_table("person_timeline")
