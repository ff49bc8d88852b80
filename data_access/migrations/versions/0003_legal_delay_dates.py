"""dates of the legal delays and the contrat d'engagement

Adds the dates the legal delays start from (RSA request, receipt of the information on the
opening or the transfer-in of the right, notification of the orientation decision) and the
contract type ``engagement`` (contrat d'engagement, in force from 1 January 2025).

Revision ID: 0003
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_TYPES = "contract_type IN ('cer', 'ppae', 'pacea', 'cej')"
NEW_TYPES = "contract_type IN ('cer', 'ppae', 'pacea', 'cej', 'engagement')"


def upgrade() -> None:
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rsa_request_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("right_info_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("transfer_in_date", sa.Date(), nullable=True))
    with op.batch_alter_table("orientations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("notification_date", sa.Date(), nullable=True))
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_contracts_type"), type_="check")
        batch_op.alter_column(
            "contract_type",
            existing_type=sa.String(length=6),
            type_=sa.String(length=12),
            existing_nullable=False,
        )
        batch_op.create_check_constraint(op.f("ck_contracts_type"), NEW_TYPES)


def downgrade() -> None:
    with op.batch_alter_table("contracts", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_contracts_type"), type_="check")
        batch_op.alter_column(
            "contract_type",
            existing_type=sa.String(length=12),
            type_=sa.String(length=6),
            existing_nullable=False,
        )
        batch_op.create_check_constraint(op.f("ck_contracts_type"), OLD_TYPES)
    with op.batch_alter_table("orientations", schema=None) as batch_op:
        batch_op.drop_column("notification_date")
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.drop_column("transfer_in_date")
        batch_op.drop_column("right_info_date")
        batch_op.drop_column("rsa_request_date")
