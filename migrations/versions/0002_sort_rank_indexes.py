"""Expression indexes so lists sort by funnel status and rating without sorting every lead

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 20:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Frozen copies of app.storage.orm.STATUS_RANK_SQL / RATING_RANK_SQL as of this revision.
STATUS_RANK = (
    "CASE status WHEN 'inquiry' THEN 0 WHEN 'suspect' THEN 1 WHEN 'prospect' THEN 2 WHEN 'mql' THEN 3 WHEN 'sql' THEN 4 WHEN 'nurture' THEN 5 WHEN 'converted' THEN 6 WHEN 'won' THEN 7 WHEN 'lost' THEN 8 WHEN 'disqualified' THEN 9 ELSE 99 END"
)
RATING_RANK = "CASE rating WHEN 'hot' THEN 0 WHEN 'warm' THEN 1 WHEN 'cold' THEN 2 ELSE 9 END"
LIVE = sa.text("deleted_at IS NULL")


def _expression(sql: str) -> sa.TextClause:
    # PostgreSQL wants an index expression in its own parentheses; SQLite keeps its exact DDL.
    return sa.text(sql if op.get_bind().dialect.name == "sqlite" else f"({sql})")


def upgrade() -> None:
    status_rank, rating_rank = _expression(STATUS_RANK), _expression(RATING_RANK)
    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.create_index("ix_lead_live_status_rank", [status_rank], sqlite_where=LIVE)
        batch_op.create_index("ix_lead_live_rating_rank", [rating_rank], sqlite_where=LIVE)


def downgrade() -> None:
    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.drop_index("ix_lead_live_rating_rank")
        batch_op.drop_index("ix_lead_live_status_rank")
