"""booth capture: registrations, scan log, consent wording, badge layout

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 20:34:14.263598
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "registration",
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("badge_id", sa.String(length=100), nullable=False),
        sa.Column("first_name", sa.String(length=100), server_default="", nullable=False),
        sa.Column("last_name", sa.String(length=100), server_default="", nullable=False),
        sa.Column("title", sa.String(length=200), server_default="", nullable=False),
        sa.Column("company", sa.String(length=200), server_default="", nullable=False),
        sa.Column("email", sa.String(length=254), server_default="", nullable=False),
        sa.Column("phone", sa.String(length=50), server_default="", nullable=False),
        sa.Column("mobile", sa.String(length=50), server_default="", nullable=False),
        sa.Column("city", sa.String(length=100), server_default="", nullable=False),
        sa.Column("country", sa.String(length=100), server_default="", nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"], name=op.f("fk_registration_event_id_event")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registration")),
    )
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.create_index("ix_registration_event_badge", ["event_id", "badge_id"], unique=False)

    op.create_table(
        "scan_log",
        sa.Column("event_id", sa.Uuid(), nullable=True),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=500), server_default="", nullable=False),
        sa.Column("lead_id", sa.Uuid(), nullable=True),
        sa.Column("captured_by_id", sa.Uuid(), nullable=True),
        sa.Column("scanned_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["captured_by_id"], ["user.id"], name=op.f("fk_scan_log_captured_by_id_user")
        ),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"], name=op.f("fk_scan_log_event_id_event")),
        sa.ForeignKeyConstraint(["lead_id"], ["lead.id"], name=op.f("fk_scan_log_lead_id_lead")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scan_log")),
    )
    with op.batch_alter_table("scan_log", schema=None) as batch_op:
        batch_op.create_index("ix_scan_log_event_scanned", ["event_id", "scanned_at"], unique=False)

    # Plain ALTER TABLE ADD COLUMN: a batch "move and copy" of lead would drop its FTS triggers
    # and expression indexes, which reflection cannot see.
    op.add_column(
        "event", sa.Column("badge_layout", sa.String(length=200), server_default="", nullable=False)
    )
    op.add_column("lead", sa.Column("consent_text", sa.Text(), server_default="", nullable=False))
    op.add_column("lead", sa.Column("consent_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    op.drop_column("lead", "consent_at")
    op.drop_column("lead", "consent_text")
    op.drop_column("event", "badge_layout")

    with op.batch_alter_table("scan_log", schema=None) as batch_op:
        batch_op.drop_index("ix_scan_log_event_scanned")

    op.drop_table("scan_log")
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.drop_index("ix_registration_event_badge")

    op.drop_table("registration")
