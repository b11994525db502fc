"""assignment runs remember the round-robin pointers around them, so undo rewinds the rotation;
leads flagged for review indexed (sync keeps its conflict flags in step from them)

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-23 02:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("assignment_run", sa.Column("round_robin", sa.Text(), nullable=False,
                                              server_default=""))
    op.create_index("ix_lead_needs_review", "lead", ["id"],
                    sqlite_where=sa.text("needs_review = 1"))


def downgrade() -> None:
    op.drop_index("ix_lead_needs_review", table_name="lead")
    op.drop_column("assignment_run", "round_robin")
