"""Leads with their list indexes, and what hangs off a lead: tasks, activity, dismissed duplicate pairs."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.domain.history import ActivityKind
from app.domain.ids import new_id
from app.domain.leads import Channel, Consent, LeadStatus, Rating
from app.domain.tasks import TaskKind, TaskOutcome
from app.storage.orm.base import Base, Synced, enum_column, text_column

_LIVE = text("deleted_at IS NULL")
OPEN_LEAD_SQL = "deleted_at IS NULL AND status NOT IN ('won', 'lost', 'disqualified')"


def _live_index(name: str, *columns: str) -> Index:
    """A partial index over live (not deleted) leads: lists always filter on that."""
    return Index(name, *columns, sqlite_where=_LIVE)


def _rank(column: str, order: list[str], otherwise: int) -> str:
    whens = " ".join(f"WHEN '{value}' THEN {rank}" for rank, value in enumerate(order))
    return f"CASE {column} {whens} ELSE {otherwise} END"


# Funnel order for status and hot-warm-cold for rating, as SQL a query must repeat verbatim:
# SQLite uses an expression index only for the identical expression, with literals, not
# bound parameters. Sorting a million leads by these then walks an index instead of sorting.
STATUS_RANK_SQL = _rank("status", [s.value for s in LeadStatus], 99)
RATING_RANK_SQL = _rank("rating", [r.value for r in Rating], 9)
# Alembic cannot reflect expression indexes from SQLite; schema comparison skips these.
EXPRESSION_INDEXES = frozenset({"ix_lead_live_status_rank", "ix_lead_live_rating_rank"})


class Lead(Base):
    __tablename__ = "lead"
    key: Mapped[int] = mapped_column(Integer, primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(nullable=False, unique=True, default=new_id)
    updated_at: Mapped[dt.datetime] = mapped_column(nullable=False)
    device_id: Mapped[uuid.UUID] = mapped_column(nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(nullable=False)
    deleted_at: Mapped[dt.datetime | None]

    first_name: Mapped[str] = text_column(100)
    last_name: Mapped[str] = text_column(100)
    title: Mapped[str] = text_column()
    company: Mapped[str] = text_column()
    industry: Mapped[str] = text_column(100)
    company_size: Mapped[str] = text_column(50)
    website: Mapped[str] = text_column()
    email: Mapped[str] = text_column(254)
    phone: Mapped[str] = text_column(50)
    phone_e164: Mapped[str] = text_column(20)
    mobile: Mapped[str] = text_column(50)
    mobile_e164: Mapped[str] = text_column(20)
    street: Mapped[str] = text_column()
    postal_code: Mapped[str] = text_column(20)
    city: Mapped[str] = text_column(100)
    region: Mapped[str] = text_column(100)
    country: Mapped[str] = text_column(2)

    channel: Mapped[Channel] = mapped_column(enum_column(Channel), nullable=False, default=Channel.OTHER)
    event_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("event.id"))
    campaign: Mapped[str] = text_column()
    badge_id: Mapped[str] = text_column(100)

    status: Mapped[LeadStatus] = mapped_column(
        enum_column(LeadStatus), nullable=False, default=LeadStatus.INQUIRY)
    rating: Mapped[Rating | None] = mapped_column(enum_column(Rating))
    score: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    product_interest: Mapped[str] = text_column()
    budget: Mapped[str] = text_column()
    authority: Mapped[str] = text_column()
    need: Mapped[str] = text_column()
    timeline: Mapped[str] = text_column()
    come_back_on: Mapped[dt.date | None]
    disqualify_reason: Mapped[str] = text_column()
    deal_value: Mapped[int | None] = mapped_column(Integer)  # minor units

    owner_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user.id"))
    team_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("team.id"))
    queue_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("queue.id"))
    captured_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user.id"))

    consent: Mapped[Consent] = mapped_column(
        enum_column(Consent), nullable=False, default=Consent.UNKNOWN)
    # The exact wording the person agreed to, and when: consent is only proof with its text.
    consent_text: Mapped[str] = mapped_column(Text, nullable=False, default="", server_default="")
    consent_at: Mapped[dt.datetime | None]
    do_not_contact: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    needs_review: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    review_reason: Mapped[str] = text_column(500)
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="", server_default="")
    birth_date: Mapped[dt.date | None]
    # '' when the person gave the company; otherwise where the guess came from ("email domain
    # acme.com"), so screens, exports and reports never present a guess as given.
    company_source: Mapped[str] = text_column()
    # JSON {field: value} of optional values no rule could translate, kept verbatim.
    original_values: Mapped[str] = mapped_column(Text, nullable=False, default="", server_default="")
    # A badge-only lead waiting for its event's registration list.
    awaiting_registration: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    # Maintained by services from tasks and activities, so lists can sort and filter cheaply.
    first_touch_at: Mapped[dt.datetime | None]
    last_touch_at: Mapped[dt.datetime | None]
    next_due_at: Mapped[dt.datetime | None]
    merged_into_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("lead.id"))
    # Set when the person asked to be erased: the row stays, anonymous, so counts hold.
    erased_at: Mapped[dt.datetime | None]
    # First-touch service level: the deadline set when the lead got its owner, and when it
    # was found missed (for the accountability reports).
    first_touch_due_at: Mapped[dt.datetime | None]
    sla_breached_at: Mapped[dt.datetime | None]
    # Why the lead has its score ("+20 title contains Director; -10 free-mail address").
    score_reasons: Mapped[str] = mapped_column(Text, nullable=False, default="",
                                               server_default="")

    __table_args__ = (
        _live_index("ix_lead_live_created", "created_at"),
        _live_index("ix_lead_live_updated", "updated_at"),
        _live_index("ix_lead_live_name", "last_name", "first_name"),
        _live_index("ix_lead_live_company", "company"),
        _live_index("ix_lead_live_email", "email"),
        _live_index("ix_lead_live_phone", "phone_e164"),
        _live_index("ix_lead_live_mobile", "mobile_e164"),
        _live_index("ix_lead_live_country", "country"),
        _live_index("ix_lead_live_status", "status"),
        _live_index("ix_lead_live_score", "score"),
        # Queue and status too: orphan and queue counts are answered by the index alone.
        _live_index("ix_lead_live_owner", "owner_id", "queue_id", "status"),
        _live_index("ix_lead_live_event", "event_id"),
        _live_index("ix_lead_live_next_due", "next_due_at"),
        _live_index("ix_lead_live_last_touch", "last_touch_at"),
        _live_index("ix_lead_live_badge", "badge_id"),
        # Open leads per owner (workload, capacity) counted from this index alone; queries must
        # repeat OPEN_LEAD_SQL verbatim for SQLite to see the index applies.
        Index("ix_lead_open_owner", "owner_id", sqlite_where=text(OPEN_LEAD_SQL)),
        Index("ix_lead_live_status_rank", text(STATUS_RANK_SQL), sqlite_where=_LIVE),
        Index("ix_lead_live_rating_rank", text(RATING_RANK_SQL), sqlite_where=_LIVE),
        # The few leads flagged for review (sync keeps its conflict flags in step from these).
        Index("ix_lead_needs_review", "id", sqlite_where=text("needs_review = 1")),
        Index("ix_lead_awaiting_registration", "event_id", "badge_id",
              sqlite_where=text("awaiting_registration = 1 AND deleted_at IS NULL"),
              postgresql_where=text("awaiting_registration AND deleted_at IS NULL")),
        # The few deleted leads: counts of open tasks leave theirs out without a join that
        # reads every lead (My day on the server), probing this index per task instead.
        Index("ix_lead_deleted", "id", sqlite_where=text("deleted_at IS NOT NULL"),
              postgresql_where=text("deleted_at IS NOT NULL")),
    )


class Task(Synced, Base):
    __tablename__ = "task"
    lead_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("lead.id"), nullable=False, index=True)
    owner_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user.id"))
    kind: Mapped[TaskKind] = mapped_column(enum_column(TaskKind), nullable=False)
    title: Mapped[str] = text_column()
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    due_at: Mapped[dt.datetime] = mapped_column(nullable=False)
    done_at: Mapped[dt.datetime | None]
    outcome: Mapped[TaskOutcome | None] = mapped_column(enum_column(TaskOutcome))
    cadence_step: Mapped[int | None] = mapped_column(Integer)
    cadence_id: Mapped[uuid.UUID | None] = mapped_column(nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(nullable=False)
    deleted_at: Mapped[dt.datetime | None]

    __table_args__ = (Index("ix_task_owner_open_due", "owner_id", "done_at", "due_at"),
                      # Open tasks only: overdue/today counts per owner never read a task row.
                      Index("ix_task_open_owner_due", "owner_id", "due_at",
                            sqlite_where=text("done_at IS NULL AND deleted_at IS NULL")),
                      # Sync reads rows written since its last look (and counts pending ones).
                      Index("ix_task_updated", "updated_at"))


class Activity(Synced, Base):
    """Append-only history: rows are added, never changed (sync unions them)."""

    __tablename__ = "activity"
    lead_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("lead.id"), nullable=False)
    kind: Mapped[ActivityKind] = mapped_column(enum_column(ActivityKind), nullable=False)
    occurred_at: Mapped[dt.datetime] = mapped_column(nullable=False)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user.id"))
    field: Mapped[str] = text_column(50)
    old_value: Mapped[str] = mapped_column(Text, nullable=False, default="")
    new_value: Mapped[str] = mapped_column(Text, nullable=False, default="")
    text: Mapped[str] = mapped_column(Text, nullable=False, default="")
    outcome: Mapped[str] = text_column(30)
    task_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("task.id"))
    batch_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("import_batch.id"))

    __table_args__ = (Index("ix_activity_lead_occurred", "lead_id", "occurred_at"),
                      Index("ix_activity_updated", "updated_at"))


class DismissedPair(Synced, Base):
    """Two leads a person said are not the same: never proposed as duplicates again."""

    __tablename__ = "dismissed_pair"
    lead_a: Mapped[uuid.UUID] = mapped_column(nullable=False)  # the smaller id of the two
    lead_b: Mapped[uuid.UUID] = mapped_column(nullable=False)
    dismissed_at: Mapped[dt.datetime] = mapped_column(nullable=False)

    __table_args__ = (Index("ix_dismissed_pair_leads", "lead_a", "lead_b"),)
