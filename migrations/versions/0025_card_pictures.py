"""Business-card pictures kept with the lead they were read into, synced like its fields.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-08 02:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "card_picture",
        sa.Column("lead_id", sa.Uuid(), nullable=False),
        sa.Column("side", sa.String(length=10), nullable=False),
        sa.Column("mime", sa.String(length=40), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("taken_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["lead_id"], ["lead.id"],
                                name=op.f("fk_card_picture_lead_id_lead")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_card_picture")),
    )
    op.create_index("ix_card_picture_lead_id", "card_picture", ["lead_id"])


def downgrade() -> None:
    op.drop_index("ix_card_picture_lead_id", table_name="card_picture")
    op.drop_table("card_picture")
