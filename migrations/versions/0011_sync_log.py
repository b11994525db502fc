"""sync: local op log, shadow values, processed change-set files

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-24 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # New tables only: the lead table is untouched, so its FTS triggers stay.
    op.create_table(
        "sync_op",
        sa.Column("op_id", sa.String(length=80), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("table_name", sa.String(length=40), nullable=False),
        sa.Column("row_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("hlc", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("op_id", name=op.f("pk_sync_op")),
    )
    op.create_index("ix_sync_op_table_name_row_id", "sync_op", ["table_name", "row_id"])
    op.create_table(
        "sync_shadow",
        sa.Column("table_name", sa.String(length=40), nullable=False),
        sa.Column("row_id", sa.String(length=64), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("table_name", "row_id", "field", name=op.f("pk_sync_shadow")),
    )
    op.create_table(
        "sync_file",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("digest", name=op.f("pk_sync_file")),
    )


def downgrade() -> None:
    op.drop_table("sync_file")
    op.drop_table("sync_shadow")
    op.drop_index("ix_sync_op_table_name_row_id", table_name="sync_op")
    op.drop_table("sync_op")
