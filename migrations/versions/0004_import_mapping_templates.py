"""import mapping templates and a mobile index for duplicate checks

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 20:54:11.130454
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mapping_template",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("signature", sa.String(length=64), nullable=False),
        sa.Column("mapping", sa.Text(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mapping_template")),
    )
    with op.batch_alter_table("mapping_template", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mapping_template_signature"), ["signature"], unique=False)

    # Duplicate checks during imports look mobiles up too (plain CREATE INDEX, no table copy).
    op.create_index("ix_lead_live_mobile", "lead", ["mobile_e164"], unique=False,
                    sqlite_where=sa.text("deleted_at IS NULL"))


def downgrade() -> None:
    op.drop_index("ix_lead_live_mobile", table_name="lead")
    with op.batch_alter_table("mapping_template", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mapping_template_signature"))

    op.drop_table("mapping_template")
