"""capture keeps what it cannot translate and says what it guessed: a lead's date of birth (for
matching people known only by name and address), where a company it was not given came from,
the original values of optional fields nobody could map, and badge-only leads waiting for their
event's registration list; registrations carry the postal address and date of birth

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 01:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def _text(name: str, length: int) -> sa.Column:
    return sa.Column(name, sa.String(length=length), nullable=False, server_default="")


def upgrade() -> None:
    # Plain ADD COLUMN (no table copy): quick at a million leads.
    op.add_column("lead", sa.Column("birth_date", sa.Date(), nullable=True))
    op.add_column("lead", _text("company_source", 200))
    op.add_column("lead", sa.Column("original_values", sa.Text(), nullable=False, server_default=""))
    op.add_column("lead", sa.Column("awaiting_registration", sa.Boolean(), nullable=False,
                                    server_default=sa.false()))
    op.create_index("ix_lead_awaiting_registration", "lead", ["event_id", "badge_id"],
                    sqlite_where=sa.text("awaiting_registration = 1 AND deleted_at IS NULL"),
                    postgresql_where=sa.text("awaiting_registration AND deleted_at IS NULL"))
    op.add_column("registration", _text("street", 200))
    op.add_column("registration", _text("postal_code", 20))
    op.add_column("registration", _text("region", 100))
    op.add_column("registration", sa.Column("birth_date", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("registration") as registration:
        for name in ("birth_date", "region", "postal_code", "street"):
            registration.drop_column(name)
    op.drop_index("ix_lead_awaiting_registration", table_name="lead")
    with op.batch_alter_table("lead") as lead:
        for name in ("awaiting_registration", "original_values", "company_source", "birth_date"):
            lead.drop_column(name)
