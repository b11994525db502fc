"""pursuit: cadences, cadence tasks, first-touch deadlines

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22 22:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cadence",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("steps", sa.Text(), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cadence")),
    )
    # Plain ADD COLUMN (no batch rebuild): keeps the lead table's FTS triggers and indexes.
    op.add_column("task", sa.Column("cadence_id", sa.Uuid(), nullable=True))
    op.add_column("lead", sa.Column("first_touch_due_at", sa.DateTime(), nullable=True))
    op.add_column("lead", sa.Column("sla_breached_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    op.drop_column("lead", "sla_breached_at")
    op.drop_column("lead", "first_touch_due_at")
    op.drop_column("task", "cadence_id")
    op.drop_table("cadence")
