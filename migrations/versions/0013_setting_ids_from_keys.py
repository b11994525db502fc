"""shared settings: row ids derived from the key, so laptops share one row per setting (sync);
deleted_at like every other synced table; tasks and history indexed by updated_at (sync reads
and counts rows written since its last look)

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-23 01:00:00
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op
from sqlalchemy import text

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# Same namespace as app.services.settings_service.setting_id; copied so this migration keeps
# working whatever later code does.
_SETTING_IDS = uuid.UUID("6a3c1f7e-4b1d-5c2a-9e8f-0d7b6c5a4e31")


def upgrade() -> None:
    op.add_column("shared_setting", sa.Column("deleted_at", sa.DateTime(), nullable=True))
    op.create_index("ix_task_updated", "task", ["updated_at"])
    op.create_index("ix_activity_updated", "activity", ["updated_at"])
    bind = op.get_bind()
    rows = bind.execute(text("SELECT id, key FROM shared_setting")).fetchall()
    for old_id, key in rows:
        bind.execute(text("UPDATE shared_setting SET id = :new WHERE id = :old"),
                     {"new": uuid.uuid5(_SETTING_IDS, key).hex, "old": old_id})


def downgrade() -> None:
    """Ids stay derived: they are valid ids for older versions too."""
    op.drop_index("ix_activity_updated", table_name="activity")
    op.drop_index("ix_task_updated", table_name="task")
    op.drop_column("shared_setting", "deleted_at")
