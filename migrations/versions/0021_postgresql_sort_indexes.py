"""PostgreSQL: sort indexes for the lead list's columns that can be empty (next due, last
touch), in SQLite's order (empty first going up) and over live leads only, so a first page
sorted by them is read off an index instead of sorting every lead. SQLite's partial indexes
from 0001 serve it there already: nothing to do on SQLite.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 15:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

# Frozen copy of app.storage.portable.POSTGRESQL_SORT_INDEXES as of this revision.
SORT_INDEXES = {
    "ix_lead_pg_next_due": "next_due_at ASC NULLS FIRST, key",
    "ix_lead_pg_last_touch": "last_touch_at ASC NULLS FIRST, key",
}


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, columns in SORT_INDEXES.items():
            op.execute(f"CREATE INDEX {name} ON lead ({columns}) WHERE deleted_at IS NULL")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in SORT_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
