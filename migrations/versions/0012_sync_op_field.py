"""sync: field name on sync_op, so a sync loads only the ops of the fields it touches

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-25 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sync_op", sa.Column("field", sa.String(length=64), nullable=True))
    if op.get_bind().dialect.name == "sqlite":  # PostgreSQL starts empty at head
        op.execute("UPDATE sync_op SET field = json_extract(body, '$.f') WHERE kind = 'set'")
    op.create_index("ix_sync_op_table_name_row_id_field", "sync_op",
                    ["table_name", "row_id", "field"])


def downgrade() -> None:
    op.drop_index("ix_sync_op_table_name_row_id_field", table_name="sync_op")
    op.drop_column("sync_op", "field")
