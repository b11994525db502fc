"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22 19:32:18.637098
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


# Frozen copy of app.storage.fulltext as of this revision (revisions never change later).
FULLTEXT_CREATE = (
    "CREATE VIRTUAL TABLE lead_search USING fts5(name, company, email, phone, notes, content='', tokenize='trigram')",
    "CREATE TRIGGER lead_search_insert AFTER INSERT ON lead BEGIN\n        INSERT INTO lead_search(rowid, name, company, email, phone, notes) VALUES (new.key, new.first_name || ' ' || new.last_name, new.company, new.email, new.phone || ' ' || new.phone_e164 || ' ' || new.mobile || ' ' || new.mobile_e164, new.notes);\n    END",
    "CREATE TRIGGER lead_search_delete AFTER DELETE ON lead BEGIN\n        INSERT INTO lead_search(lead_search, rowid, name, company, email, phone, notes)\n        VALUES ('delete', old.key, old.first_name || ' ' || old.last_name, old.company, old.email, old.phone || ' ' || old.phone_e164 || ' ' || old.mobile || ' ' || old.mobile_e164, old.notes);\n    END",
    "CREATE TRIGGER lead_search_update AFTER UPDATE OF first_name, last_name, company, email, phone, phone_e164, mobile, mobile_e164, notes ON lead BEGIN\n        INSERT INTO lead_search(lead_search, rowid, name, company, email, phone, notes)\n        VALUES ('delete', old.key, old.first_name || ' ' || old.last_name, old.company, old.email, old.phone || ' ' || old.phone_e164 || ' ' || old.mobile || ' ' || old.mobile_e164, old.notes);\n        INSERT INTO lead_search(rowid, name, company, email, phone, notes) VALUES (new.key, new.first_name || ' ' || new.last_name, new.company, new.email, new.phone || ' ' || new.phone_e164 || ' ' || new.mobile || ' ' || new.mobile_e164, new.notes);\n    END",
)
FULLTEXT_DROP = (
    "DROP TRIGGER IF EXISTS lead_search_update",
    "DROP TRIGGER IF EXISTS lead_search_delete",
    "DROP TRIGGER IF EXISTS lead_search_insert",
    "DROP TABLE IF EXISTS lead_search",
)


def upgrade() -> None:
    op.create_table(
        "app_meta",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_app_meta")),
    )
    op.create_table(
        "event",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("venue", sa.String(length=200), server_default="", nullable=False),
        sa.Column("city", sa.String(length=100), server_default="", nullable=False),
        sa.Column("country", sa.String(length=2), server_default="", nullable=False),
        sa.Column("cost", sa.Integer(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event")),
    )
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_name"), ["name"], unique=False)

    op.create_table(
        "team",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column(
            "routing_mode",
            sa.Enum("round_robin", "least_open", name="routingmode", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("manager_id", sa.Uuid(), nullable=True),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team")),
    )
    op.create_table(
        "question",
        sa.Column("event_id", sa.Uuid(), nullable=True),
        sa.Column("prompt", sa.String(length=500), server_default="", nullable=False),
        sa.Column("answer_kind", sa.String(length=20), nullable=False),
        sa.Column("choices", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("parent_answer", sa.String(length=200), server_default="", nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["event.id"], name=op.f("fk_question_event_id_event")
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["question.id"], name=op.f("fk_question_parent_id_question")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_question")),
    )
    op.create_table(
        "queue",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("team_id", sa.Uuid(), nullable=True),
        sa.Column("is_catch_all", sa.Boolean(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_queue_team_id_team")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_queue")),
    )
    op.create_table(
        "user",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column(
            "role",
            sa.Enum("booth", "rep", "manager", "admin", name="role", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column(
            "availability",
            sa.Enum(
                "active", "away", "inactive", name="availability", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("away_until", sa.Date(), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("territories", sa.Text(), nullable=False),
        sa.Column("team_id", sa.Uuid(), nullable=True),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_user_team_id_team")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user")),
    )
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_email"), ["email"], unique=False)

    op.create_table(
        "import_batch",
        sa.Column("file_name", sa.String(length=500), server_default="", nullable=False),
        sa.Column("source_format", sa.String(length=20), server_default="", nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=True),
        sa.Column(
            "channel",
            sa.Enum(
                "trade_show",
                "web",
                "phone",
                "email",
                "referral",
                "partner",
                "advertising",
                "import",
                "other",
                name="channel",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_count", sa.Integer(), nullable=False),
        sa.Column("duplicate_count", sa.Integer(), nullable=False),
        sa.Column("rejected_count", sa.Integer(), nullable=False),
        sa.Column("mapping", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["user.id"], name=op.f("fk_import_batch_actor_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["event.id"], name=op.f("fk_import_batch_event_id_event")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_batch")),
    )
    op.create_table(
        "lead",
        sa.Column("key", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("first_name", sa.String(length=100), server_default="", nullable=False),
        sa.Column("last_name", sa.String(length=100), server_default="", nullable=False),
        sa.Column("title", sa.String(length=200), server_default="", nullable=False),
        sa.Column("company", sa.String(length=200), server_default="", nullable=False),
        sa.Column("industry", sa.String(length=100), server_default="", nullable=False),
        sa.Column("company_size", sa.String(length=50), server_default="", nullable=False),
        sa.Column("website", sa.String(length=200), server_default="", nullable=False),
        sa.Column("email", sa.String(length=254), server_default="", nullable=False),
        sa.Column("phone", sa.String(length=50), server_default="", nullable=False),
        sa.Column("phone_e164", sa.String(length=20), server_default="", nullable=False),
        sa.Column("mobile", sa.String(length=50), server_default="", nullable=False),
        sa.Column("mobile_e164", sa.String(length=20), server_default="", nullable=False),
        sa.Column("street", sa.String(length=200), server_default="", nullable=False),
        sa.Column("postal_code", sa.String(length=20), server_default="", nullable=False),
        sa.Column("city", sa.String(length=100), server_default="", nullable=False),
        sa.Column("region", sa.String(length=100), server_default="", nullable=False),
        sa.Column("country", sa.String(length=2), server_default="", nullable=False),
        sa.Column(
            "channel",
            sa.Enum(
                "trade_show",
                "web",
                "phone",
                "email",
                "referral",
                "partner",
                "advertising",
                "import",
                "other",
                name="channel",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("event_id", sa.Uuid(), nullable=True),
        sa.Column("campaign", sa.String(length=200), server_default="", nullable=False),
        sa.Column("badge_id", sa.String(length=100), server_default="", nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "inquiry",
                "suspect",
                "prospect",
                "mql",
                "sql",
                "nurture",
                "converted",
                "won",
                "lost",
                "disqualified",
                name="leadstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "rating",
            sa.Enum("hot", "warm", "cold", name="rating", native_enum=False, length=20),
            nullable=True,
        ),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("product_interest", sa.String(length=200), server_default="", nullable=False),
        sa.Column("budget", sa.String(length=200), server_default="", nullable=False),
        sa.Column("authority", sa.String(length=200), server_default="", nullable=False),
        sa.Column("need", sa.String(length=200), server_default="", nullable=False),
        sa.Column("timeline", sa.String(length=200), server_default="", nullable=False),
        sa.Column("come_back_on", sa.Date(), nullable=True),
        sa.Column("disqualify_reason", sa.String(length=200), server_default="", nullable=False),
        sa.Column("deal_value", sa.Integer(), nullable=True),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column("team_id", sa.Uuid(), nullable=True),
        sa.Column("queue_id", sa.Uuid(), nullable=True),
        sa.Column("captured_by_id", sa.Uuid(), nullable=True),
        sa.Column(
            "consent",
            sa.Enum("unknown", "granted", "declined", name="consent", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("do_not_contact", sa.Boolean(), nullable=False),
        sa.Column("needs_review", sa.Boolean(), nullable=False),
        sa.Column("review_reason", sa.String(length=500), server_default="", nullable=False),
        sa.Column("notes", sa.Text(), server_default="", nullable=False),
        sa.Column("first_touch_at", sa.DateTime(), nullable=True),
        sa.Column("last_touch_at", sa.DateTime(), nullable=True),
        sa.Column("next_due_at", sa.DateTime(), nullable=True),
        sa.Column("merged_into_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["captured_by_id"], ["user.id"], name=op.f("fk_lead_captured_by_id_user")
        ),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"], name=op.f("fk_lead_event_id_event")),
        sa.ForeignKeyConstraint(
            ["merged_into_id"], ["lead.id"], name=op.f("fk_lead_merged_into_id_lead")
        ),
        sa.ForeignKeyConstraint(["owner_id"], ["user.id"], name=op.f("fk_lead_owner_id_user")),
        sa.ForeignKeyConstraint(["queue_id"], ["queue.id"], name=op.f("fk_lead_queue_id_queue")),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_lead_team_id_team")),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_lead")),
        sa.UniqueConstraint("id", name=op.f("uq_lead_id")),
    )
    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.create_index(
            "ix_lead_live_badge",
            ["badge_id"],
            unique=False,
            sqlite_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.create_index(
            "ix_lead_live_company",
            ["company"],
            unique=False,
            sqlite_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.create_index(
            "ix_lead_live_country",
            ["country"],
            unique=False,
            sqlite_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.create_index(
            "ix_lead_live_created",
            ["created_at"],
            unique=False,
            sqlite_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.create_index(
            "ix_lead_live_email",
            ["email"],
            unique=False,
            sqlite_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.create_index(
            "ix_lead_live_event",
            ["event_id"],
            unique=False,
            sqlite_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.create_index(
            "ix_lead_live_last_touch",
            ["last_touch_at"],
            unique=False,
            sqlite_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.create_index(
            "ix_lead_live_name",
            ["last_name", "first_name"],
            unique=False,
            sqlite_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.create_index(
            "ix_lead_live_next_due",
            ["next_due_at"],
            unique=False,
            sqlite_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.create_index(
            "ix_lead_live_owner",
            ["owner_id"],
            unique=False,
            sqlite_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.create_index(
            "ix_lead_live_phone",
            ["phone_e164"],
            unique=False,
            sqlite_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.create_index(
            "ix_lead_live_score",
            ["score"],
            unique=False,
            sqlite_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.create_index(
            "ix_lead_live_status",
            ["status"],
            unique=False,
            sqlite_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.create_index(
            "ix_lead_live_updated",
            ["updated_at"],
            unique=False,
            sqlite_where=sa.text("deleted_at IS NULL"),
        )

    op.create_table(
        "suppression",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("value", sa.String(length=254), nullable=False),
        sa.Column("reason", sa.String(length=30), nullable=False),
        sa.Column("note", sa.String(length=500), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["user.id"], name=op.f("fk_suppression_actor_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suppression")),
    )
    with op.batch_alter_table("suppression", schema=None) as batch_op:
        batch_op.create_index("ix_suppression_kind_value", ["kind", "value"], unique=False)

    op.create_table(
        "answer",
        sa.Column("lead_id", sa.Uuid(), nullable=False),
        sa.Column("question_id", sa.Uuid(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["lead_id"], ["lead.id"], name=op.f("fk_answer_lead_id_lead")),
        sa.ForeignKeyConstraint(
            ["question_id"], ["question.id"], name=op.f("fk_answer_question_id_question")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer")),
    )
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_answer_lead_id"), ["lead_id"], unique=False)

    op.create_table(
        "task",
        sa.Column("lead_id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "email", "call", "meeting", "task", name="taskkind", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=200), server_default="", nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.Column(
            "outcome",
            sa.Enum(
                "reached",
                "voicemail",
                "no_answer",
                "meeting_set",
                "not_interested",
                "wrong_person",
                name="taskoutcome",
                native_enum=False,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column("cadence_step", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["lead_id"], ["lead.id"], name=op.f("fk_task_lead_id_lead")),
        sa.ForeignKeyConstraint(["owner_id"], ["user.id"], name=op.f("fk_task_owner_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task")),
    )
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_task_lead_id"), ["lead_id"], unique=False)
        batch_op.create_index(
            "ix_task_owner_open_due", ["owner_id", "done_at", "due_at"], unique=False
        )

    op.create_table(
        "activity",
        sa.Column("lead_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "created",
                "field_changed",
                "status_changed",
                "owner_changed",
                "note",
                "call",
                "email",
                "meeting",
                "task_created",
                "task_done",
                "imported",
                "merged",
                "deleted",
                "restored",
                name="activitykind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("field", sa.String(length=50), server_default="", nullable=False),
        sa.Column("old_value", sa.Text(), nullable=False),
        sa.Column("new_value", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(length=30), server_default="", nullable=False),
        sa.Column("task_id", sa.Uuid(), nullable=True),
        sa.Column("batch_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["user.id"], name=op.f("fk_activity_actor_id_user")),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["import_batch.id"], name=op.f("fk_activity_batch_id_import_batch")
        ),
        sa.ForeignKeyConstraint(["lead_id"], ["lead.id"], name=op.f("fk_activity_lead_id_lead")),
        sa.ForeignKeyConstraint(["task_id"], ["task.id"], name=op.f("fk_activity_task_id_task")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity")),
    )
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.create_index("ix_activity_lead_occurred", ["lead_id", "occurred_at"], unique=False)
    if op.get_bind().dialect.name == "sqlite":
        for statement in FULLTEXT_CREATE:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in FULLTEXT_DROP:
            op.execute(statement)
    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.drop_index("ix_activity_lead_occurred")

    op.drop_table("activity")
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_index("ix_task_owner_open_due")
        batch_op.drop_index(batch_op.f("ix_task_lead_id"))

    op.drop_table("task")
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_answer_lead_id"))

    op.drop_table("answer")
    with op.batch_alter_table("suppression", schema=None) as batch_op:
        batch_op.drop_index("ix_suppression_kind_value")

    op.drop_table("suppression")
    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.drop_index("ix_lead_live_updated", sqlite_where=sa.text("deleted_at IS NULL"))
        batch_op.drop_index("ix_lead_live_status", sqlite_where=sa.text("deleted_at IS NULL"))
        batch_op.drop_index("ix_lead_live_score", sqlite_where=sa.text("deleted_at IS NULL"))
        batch_op.drop_index("ix_lead_live_phone", sqlite_where=sa.text("deleted_at IS NULL"))
        batch_op.drop_index("ix_lead_live_owner", sqlite_where=sa.text("deleted_at IS NULL"))
        batch_op.drop_index("ix_lead_live_next_due", sqlite_where=sa.text("deleted_at IS NULL"))
        batch_op.drop_index("ix_lead_live_name", sqlite_where=sa.text("deleted_at IS NULL"))
        batch_op.drop_index("ix_lead_live_last_touch", sqlite_where=sa.text("deleted_at IS NULL"))
        batch_op.drop_index("ix_lead_live_event", sqlite_where=sa.text("deleted_at IS NULL"))
        batch_op.drop_index("ix_lead_live_email", sqlite_where=sa.text("deleted_at IS NULL"))
        batch_op.drop_index("ix_lead_live_created", sqlite_where=sa.text("deleted_at IS NULL"))
        batch_op.drop_index("ix_lead_live_country", sqlite_where=sa.text("deleted_at IS NULL"))
        batch_op.drop_index("ix_lead_live_company", sqlite_where=sa.text("deleted_at IS NULL"))
        batch_op.drop_index("ix_lead_live_badge", sqlite_where=sa.text("deleted_at IS NULL"))

    op.drop_table("lead")
    op.drop_table("import_batch")
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_email"))

    op.drop_table("user")
    op.drop_table("queue")
    op.drop_table("question")
    op.drop_table("team")
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_name"))

    op.drop_table("event")
    op.drop_table("app_meta")
