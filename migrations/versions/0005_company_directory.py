"""company directory for enrichment

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 21:16:53.138538
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "company_directory",
        sa.Column("domain", sa.String(length=200), nullable=False),
        sa.Column("company", sa.String(length=200), server_default="", nullable=False),
        sa.Column("industry", sa.String(length=100), server_default="", nullable=False),
        sa.Column("company_size", sa.String(length=50), server_default="", nullable=False),
        sa.Column("country", sa.String(length=2), server_default="", nullable=False),
        sa.Column("source", sa.String(length=300), server_default="", nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_company_directory")),
    )
    with op.batch_alter_table("company_directory", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_company_directory_domain"), ["domain"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("company_directory", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_company_directory_domain"))

    op.drop_table("company_directory")
