"""upstream exports: orientations without a type, linked person keys, upstream flags

Revision ID: 0004
Revises: 0001
Create Date: 2026-12-01 13:20:00

Orientations may be kept with the type « non renseigné », with the source's own type name and
the rule that dated them; persons keep RDV-Insertion's 15/30-day flags; a table links the
second keyed hash of a person; services keep their structure's data·inclusion id.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OLD_TYPES = "orientation_type IN ('pro', 'socio_pro', 'social')"
_NEW_TYPES = "orientation_type IN ('pro', 'socio_pro', 'social', 'non_renseigne')"
_RULES = "date_rule IS NULL OR date_rule IN ('usagers', 'rendez_vous')"


def upgrade() -> None:
    with op.batch_alter_table("orientations", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_orientations_type"), type_="check")
        batch_op.alter_column(
            "orientation_type",
            existing_type=sa.String(length=10),
            type_=sa.String(length=13),
            existing_nullable=False,
        )
        batch_op.add_column(sa.Column("type_label", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("date_rule", sa.String(length=11), nullable=True))
        batch_op.create_check_constraint(batch_op.f("ck_orientations_type"), _NEW_TYPES)
        batch_op.create_check_constraint(batch_op.f("ck_orientations_rule"), _RULES)
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.add_column(sa.Column("upstream_within_15", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("upstream_within_30", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("undated_orientation", sa.Boolean(), nullable=True))
    with op.batch_alter_table("partner_services", schema=None) as batch_op:
        batch_op.add_column(sa.Column("structure_source_id", sa.String(length=200), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_partner_services_structure_source_id"),
            ["structure_source_id"],
            unique=False,
        )
    op.create_table(
        "person_key_links",
        sa.Column("alias_key", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("merged", sa.Boolean(), nullable=False),
        sa.Column("import_run_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["import_run_id"],
            ["import_runs.id"],
            name=op.f("fk_person_key_links_import_run_id_import_runs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_person_key_links_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("alias_key", name=op.f("pk_person_key_links")),
    )
    with op.batch_alter_table("person_key_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_person_key_links_import_run_id"), ["import_run_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_person_key_links_person_id"), ["person_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("person_key_links")
    with op.batch_alter_table("partner_services", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partner_services_structure_source_id"))
        batch_op.drop_column("structure_source_id")
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.drop_column("undated_orientation")
        batch_op.drop_column("upstream_within_30")
        batch_op.drop_column("upstream_within_15")
    op.execute("DELETE FROM orientations WHERE orientation_type = 'non_renseigne'")
    with op.batch_alter_table("orientations", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_orientations_rule"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_orientations_type"), type_="check")
        batch_op.drop_column("date_rule")
        batch_op.drop_column("type_label")
        batch_op.alter_column(
            "orientation_type",
            existing_type=sa.String(length=13),
            type_=sa.String(length=10),
            existing_nullable=False,
        )
        batch_op.create_check_constraint(batch_op.f("ck_orientations_type"), _OLD_TYPES)
