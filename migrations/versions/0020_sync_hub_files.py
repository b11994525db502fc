"""The team server as a sync place: a table of the files a shared folder would hold.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 14:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_hub_file",
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_sync_hub_file"),
    )


def downgrade() -> None:
    op.drop_table("sync_hub_file")
