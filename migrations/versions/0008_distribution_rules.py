"""distribution: scoring and routing rules, assignment runs

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 21:58:50.787890
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("routing_rule",
    sa.Column("name", sa.String(length=100), nullable=False),
    sa.Column("position", sa.Integer(), nullable=False),
    sa.Column("conditions", sa.Text(), nullable=False),
    sa.Column("target_kind", sa.String(length=10), nullable=False),
    sa.Column("target_id", sa.Uuid(), nullable=False),
    sa.Column("enabled", sa.Boolean(), nullable=False),
    sa.Column("deleted_at", sa.DateTime(), nullable=True),
    sa.Column("id", sa.Uuid(), nullable=False),
    sa.Column("updated_at", sa.DateTime(), nullable=False),
    sa.Column("device_id", sa.Uuid(), nullable=False),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_rule"))
    )
    op.create_table("score_rule",
    sa.Column("kind", sa.String(length=40), nullable=False),
    sa.Column("value", sa.String(length=500), server_default="", nullable=False),
    sa.Column("points", sa.Integer(), nullable=False),
    sa.Column("position", sa.Integer(), nullable=False),
    sa.Column("enabled", sa.Boolean(), nullable=False),
    sa.Column("deleted_at", sa.DateTime(), nullable=True),
    sa.Column("id", sa.Uuid(), nullable=False),
    sa.Column("updated_at", sa.DateTime(), nullable=False),
    sa.Column("device_id", sa.Uuid(), nullable=False),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_score_rule"))
    )
    op.create_table("shared_setting",
    sa.Column("key", sa.String(length=64), nullable=False),
    sa.Column("value", sa.Text(), nullable=False),
    sa.Column("id", sa.Uuid(), nullable=False),
    sa.Column("updated_at", sa.DateTime(), nullable=False),
    sa.Column("device_id", sa.Uuid(), nullable=False),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_shared_setting")),
    sa.UniqueConstraint("key", name=op.f("uq_shared_setting_key"))
    )
    op.create_table("assignment_run",
    sa.Column("started_at", sa.DateTime(), nullable=False),
    sa.Column("actor_id", sa.Uuid(), nullable=True),
    sa.Column("description", sa.String(length=300), server_default="", nullable=False),
    sa.Column("moved", sa.Integer(), nullable=False),
    sa.Column("undone_at", sa.DateTime(), nullable=True),
    sa.Column("id", sa.Uuid(), nullable=False),
    sa.Column("updated_at", sa.DateTime(), nullable=False),
    sa.Column("device_id", sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(["actor_id"], ["user.id"], name=op.f("fk_assignment_run_actor_id_user")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment_run"))
    )
    op.create_table("assignment_move",
    sa.Column("run_id", sa.Uuid(), nullable=False),
    sa.Column("lead_id", sa.Uuid(), nullable=False),
    sa.Column("from_owner_id", sa.Uuid(), nullable=True),
    sa.Column("to_owner_id", sa.Uuid(), nullable=True),
    sa.Column("from_team_id", sa.Uuid(), nullable=True),
    sa.Column("to_team_id", sa.Uuid(), nullable=True),
    sa.Column("from_queue_id", sa.Uuid(), nullable=True),
    sa.Column("to_queue_id", sa.Uuid(), nullable=True),
    sa.Column("reason", sa.String(length=500), server_default="", nullable=False),
    sa.Column("id", sa.Uuid(), nullable=False),
    sa.Column("updated_at", sa.DateTime(), nullable=False),
    sa.Column("device_id", sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(["run_id"], ["assignment_run.id"], name=op.f("fk_assignment_move_run_id_assignment_run")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment_move"))
    )
    with op.batch_alter_table("assignment_move", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assignment_move_run_id"), ["run_id"], unique=False)

    # Plain ADD COLUMN: a batch rebuild of "lead" would drop the FTS triggers and the
    # expression indexes that SQLite cannot reflect.
    op.add_column("lead", sa.Column("score_reasons", sa.Text(), server_default="",
                                    nullable=False))
    op.add_column("team", sa.Column("round_robin_last_id", sa.Uuid(), nullable=True))




def downgrade() -> None:
    op.drop_column("team", "round_robin_last_id")
    op.drop_column("lead", "score_reasons")

    with op.batch_alter_table("assignment_move", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assignment_move_run_id"))

    op.drop_table("assignment_move")
    op.drop_table("assignment_run")
    op.drop_table("shared_setting")
    op.drop_table("score_rule")
    op.drop_table("routing_rule")

