"""PostgreSQL search: a pg_trgm GIN index over the text SQLite's FTS5 table indexes (names,
company, email, phones, notes). SQLite keeps its FTS5 table from 0001: nothing to do there.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 12:10:00
"""

from __future__ import annotations

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

# Frozen copy of app.storage.fulltext.POSTGRESQL_* as of this revision (revisions never change).
SEARCH_CREATE = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_lead_search_trigram ON lead USING gin ((lower(first_name || ' ' || last_name || ' ' || company || ' ' || email || ' ' || phone || ' ' || phone_e164 || ' ' || mobile || ' ' || mobile_e164 || ' ' || notes)) gin_trgm_ops)",
)
SEARCH_DROP = ("DROP INDEX IF EXISTS ix_lead_search_trigram",)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in SEARCH_CREATE:
            op.execute(statement)


def downgrade() -> None:
    # The extension stays: it may serve other databases' objects, and 0019 re-creates it safely.
    if op.get_bind().dialect.name == "postgresql":
        for statement in SEARCH_DROP:
            op.execute(statement)
