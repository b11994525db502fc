"""Customers' orders from an accounting or ERP export, matched to leads: the revenue that
closes the loop from a show to a customer. Synced like leads.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 23:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def _text(name: str, length: int) -> sa.Column:
    return sa.Column(name, sa.String(length=length), nullable=False, server_default="")


def upgrade() -> None:
    op.create_table(
        "customer_order",
        sa.Column("order_key", sa.String(length=120), nullable=False),
        _text("company", 200),
        _text("email", 254),
        _text("domain", 253),
        _text("customer_number", 100),
        _text("order_number", 100),
        sa.Column("order_date", sa.Date(), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("lead_id", sa.Uuid(), nullable=True),
        sa.Column("match_status", sa.String(length=20), nullable=False),
        _text("match_kind", 20),
        sa.Column("match_score", sa.Integer(), nullable=False),
        _text("match_reason", 500),
        _text("file_name", 500),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("batch_id", sa.Uuid(), nullable=True),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["lead_id"], ["lead.id"],
                                name=op.f("fk_customer_order_lead_id_lead")),
        sa.ForeignKeyConstraint(["batch_id"], ["import_batch.id"],
                                name=op.f("fk_customer_order_batch_id_import_batch")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_order")),
    )
    op.create_index("ix_customer_order_order_key", "customer_order", ["order_key"])
    op.create_index("ix_customer_order_lead_id", "customer_order", ["lead_id"])
    op.create_index("ix_customer_order_order_date", "customer_order", ["order_date"])


def downgrade() -> None:
    for name in ("ix_customer_order_order_date", "ix_customer_order_lead_id",
                 "ix_customer_order_order_key"):
        op.drop_index(name, table_name="customer_order")
    op.drop_table("customer_order")
