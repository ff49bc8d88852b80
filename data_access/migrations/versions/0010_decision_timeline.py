"""decision timeline: per orientation decision, the next decision and the first counted
contract, what the legal contract delay reads

Revision ID: 0010
Revises: 0009

A derived table (``data_access/timeline.py`` keeps it exact); filled here from the existing
rows with portable SQL, the same rows ``timeline.rebuild`` gives. The counted contracts are
written out as the rule stood when this revision was written (contrat d'engagement, or a
CER, PPAE, PACEA or CEJ signed before 1 January 2025), so that the revision never changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FILL = """
INSERT INTO decision_timeline (
    orientation_id, person_id, decision_date, notified_date, orientation_type,
    next_decision_date, first_contract_date
)
SELECT d.id, d.person_id, d.decision_date, COALESCE(d.notification_date, d.decision_date),
       d.orientation_type, n.next_date,
       (SELECT MIN(c.signed_date) FROM contracts c
        WHERE c.person_id = d.person_id
          AND (c.contract_type = 'engagement'
               OR (c.contract_type IN ('cer', 'ppae', 'pacea', 'cej')
                   AND c.signed_date < '2025-01-01'))
          AND c.signed_date >= d.decision_date
          AND (n.next_date IS NULL OR c.signed_date < n.next_date))
FROM orientations d
LEFT JOIN (
    SELECT x.id, MIN(y.decision_date) AS next_date FROM orientations x
    JOIN orientations y ON y.person_id = x.person_id AND y.decision_date > x.decision_date
    GROUP BY x.id
) n ON n.id = d.id
"""


def upgrade() -> None:
    op.create_table(
        "decision_timeline",
        sa.Column("orientation_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("decision_date", sa.Date(), nullable=False),
        sa.Column("notified_date", sa.Date(), nullable=False),
        sa.Column("orientation_type", sa.String(length=13), nullable=False),
        sa.Column("next_decision_date", sa.Date(), nullable=True),
        sa.Column("first_contract_date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["orientation_id"],
            ["orientations.id"],
            name=op.f("fk_decision_timeline_orientation_id_orientations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_decision_timeline_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("orientation_id", name=op.f("pk_decision_timeline")),
    )
    with op.batch_alter_table("decision_timeline", schema=None) as batch_op:
        batch_op.create_index("ix_decision_timeline_notified", ["notified_date"], unique=False)
        batch_op.create_index("ix_decision_timeline_person", ["person_id"], unique=False)
    op.execute(FILL)


def downgrade() -> None:
    with op.batch_alter_table("decision_timeline", schema=None) as batch_op:
        batch_op.drop_index("ix_decision_timeline_person")
        batch_op.drop_index("ix_decision_timeline_notified")
    op.drop_table("decision_timeline")
