"""index: open leads per owner

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 22:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_OPEN = "deleted_at IS NULL AND status NOT IN ('won', 'lost', 'disqualified')"


def upgrade() -> None:
    # Not batch mode: rebuilding "lead" would drop the FTS triggers and expression indexes.
    op.create_index("ix_lead_open_owner", "lead", ["owner_id"], unique=False,
                    sqlite_where=sa.text(_OPEN))


def downgrade() -> None:
    op.drop_index("ix_lead_open_owner", table_name="lead", sqlite_where=sa.text(_OPEN))
