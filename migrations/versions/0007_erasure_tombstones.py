"""erasure: lead.erased_at and tombstones

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 22:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN: a batch rebuild of "lead" would drop the FTS triggers and the
    # expression indexes that SQLite cannot reflect.
    op.add_column("lead", sa.Column("erased_at", sa.DateTime(), nullable=True))
    op.create_table(
        "tombstone",
        sa.Column("lead_id", sa.Uuid(), nullable=False),
        sa.Column("erased_at", sa.DateTime(), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("fingerprints", sa.Text(), nullable=False),
        sa.Column("reason", sa.String(length=200), server_default="", nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["user.id"], name=op.f("fk_tombstone_actor_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tombstone")),
    )
    with op.batch_alter_table("tombstone", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tombstone_lead_id"), ["lead_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tombstone", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tombstone_lead_id"))
    op.drop_table("tombstone")
    op.drop_column("lead", "erased_at")
