"""dismissed duplicate pairs

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 21:36:49.672221
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dismissed_pair",
        sa.Column("lead_a", sa.Uuid(), nullable=False),
        sa.Column("lead_b", sa.Uuid(), nullable=False),
        sa.Column("dismissed_at", sa.DateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dismissed_pair")),
    )
    with op.batch_alter_table("dismissed_pair", schema=None) as batch_op:
        batch_op.create_index("ix_dismissed_pair_leads", ["lead_a", "lead_b"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("dismissed_pair", schema=None) as batch_op:
        batch_op.drop_index("ix_dismissed_pair_leads")

    op.drop_table("dismissed_pair")
