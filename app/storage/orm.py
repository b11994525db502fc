"""SQLAlchemy 2 typed tables for the whole mission. The only place table shapes are declared.

Every synced row carries a UUIDv7 ``id``, ``updated_at`` (UTC) and ``device_id`` (the device
that last changed it), which sync needs. Leads also have a local integer ``key``: SQLite's
rowid, stable across VACUUM because it is declared, used by the full-text index and paging.
"""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    Uuid,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from app.domain.history import ActivityKind
from app.domain.ids import new_id
from app.domain.leads import Channel, Consent, LeadStatus, Rating
from app.domain.people import Availability, Role, RoutingMode
from app.domain.tasks import TaskKind, TaskOutcome

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Stores naive UTC, hands out aware UTC; refuses naive datetimes so no local time sneaks in."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        return value.replace(tzinfo=dt.UTC) if value is not None else None


def _enum(enum_cls: type[StrEnum], length: int = 20) -> Enum:
    return Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {
        uuid.UUID: Uuid(),
        dt.datetime: UTCDateTime(),
        dt.date: Date(),
        str: String(200),
    }


def _text_column(length: int = 200) -> Mapped[str]:
    return mapped_column(String(length), nullable=False, default="", server_default="")


class Synced:
    """Columns every synced table has."""

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    updated_at: Mapped[dt.datetime] = mapped_column(nullable=False)
    device_id: Mapped[uuid.UUID] = mapped_column(nullable=False)


class AppMeta(Base):
    """Local-only key/value facts about this database: device identity, current user, HLC."""

    __tablename__ = "app_meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, nullable=False)


class Team(Synced, Base):
    __tablename__ = "team"
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    routing_mode: Mapped[RoutingMode] = mapped_column(
        _enum(RoutingMode), nullable=False, default=RoutingMode.ROUND_ROBIN)
    # No FK: user.team_id already points here, and SQLite cannot add a cyclic FK later.
    manager_id: Mapped[uuid.UUID | None] = mapped_column(nullable=True)
    deleted_at: Mapped[dt.datetime | None]
    # Who got this team's last round-robin lead: the next one goes to the member after them.
    round_robin_last_id: Mapped[uuid.UUID | None] = mapped_column(nullable=True)


class User(Synced, Base):
    __tablename__ = "user"
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    email: Mapped[str] = mapped_column(String(254), nullable=False, index=True)
    role: Mapped[Role] = mapped_column(_enum(Role), nullable=False)
    availability: Mapped[Availability] = mapped_column(
        _enum(Availability), nullable=False, default=Availability.ACTIVE)
    away_until: Mapped[dt.date | None]
    capacity: Mapped[int | None] = mapped_column(Integer)
    territories: Mapped[str] = mapped_column(Text, nullable=False, default="")  # JSON list
    team_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("team.id"))
    deleted_at: Mapped[dt.datetime | None]


class Queue(Synced, Base):
    __tablename__ = "queue"
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    team_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("team.id"))
    is_catch_all: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    deleted_at: Mapped[dt.datetime | None]


class Event(Synced, Base):
    __tablename__ = "event"
    name: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    starts_on: Mapped[dt.date | None]
    ends_on: Mapped[dt.date | None]
    venue: Mapped[str] = _text_column()
    city: Mapped[str] = _text_column(100)
    country: Mapped[str] = _text_column(2)
    cost: Mapped[int | None] = mapped_column(Integer)  # minor units
    currency: Mapped[str] = mapped_column(String(3), nullable=False, default="EUR")
    # How this event's badges lay out delimited payloads, e.g. "^ first_name,last_name,badge_id".
    badge_layout: Mapped[str] = _text_column()
    deleted_at: Mapped[dt.datetime | None]


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

    first_name: Mapped[str] = _text_column(100)
    last_name: Mapped[str] = _text_column(100)
    title: Mapped[str] = _text_column()
    company: Mapped[str] = _text_column()
    industry: Mapped[str] = _text_column(100)
    company_size: Mapped[str] = _text_column(50)
    website: Mapped[str] = _text_column()
    email: Mapped[str] = _text_column(254)
    phone: Mapped[str] = _text_column(50)
    phone_e164: Mapped[str] = _text_column(20)
    mobile: Mapped[str] = _text_column(50)
    mobile_e164: Mapped[str] = _text_column(20)
    street: Mapped[str] = _text_column()
    postal_code: Mapped[str] = _text_column(20)
    city: Mapped[str] = _text_column(100)
    region: Mapped[str] = _text_column(100)
    country: Mapped[str] = _text_column(2)

    channel: Mapped[Channel] = mapped_column(_enum(Channel), nullable=False, default=Channel.OTHER)
    event_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("event.id"))
    campaign: Mapped[str] = _text_column()
    badge_id: Mapped[str] = _text_column(100)

    status: Mapped[LeadStatus] = mapped_column(
        _enum(LeadStatus), nullable=False, default=LeadStatus.INQUIRY)
    rating: Mapped[Rating | None] = mapped_column(_enum(Rating))
    score: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    product_interest: Mapped[str] = _text_column()
    budget: Mapped[str] = _text_column()
    authority: Mapped[str] = _text_column()
    need: Mapped[str] = _text_column()
    timeline: Mapped[str] = _text_column()
    come_back_on: Mapped[dt.date | None]
    disqualify_reason: Mapped[str] = _text_column()
    deal_value: Mapped[int | None] = mapped_column(Integer)  # minor units

    owner_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user.id"))
    team_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("team.id"))
    queue_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("queue.id"))
    captured_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user.id"))

    consent: Mapped[Consent] = mapped_column(
        _enum(Consent), nullable=False, default=Consent.UNKNOWN)
    # The exact wording the person agreed to, and when: consent is only proof with its text.
    consent_text: Mapped[str] = mapped_column(Text, nullable=False, default="", server_default="")
    consent_at: Mapped[dt.datetime | None]
    do_not_contact: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    needs_review: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    review_reason: Mapped[str] = _text_column(500)
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="", server_default="")
    birth_date: Mapped[dt.date | None]
    # '' when the person gave the company; otherwise where the guess came from ("email domain
    # acme.com"), so screens, exports and reports never present a guess as given.
    company_source: Mapped[str] = _text_column()
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
    )


class Task(Synced, Base):
    __tablename__ = "task"
    lead_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("lead.id"), nullable=False, index=True)
    owner_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user.id"))
    kind: Mapped[TaskKind] = mapped_column(_enum(TaskKind), nullable=False)
    title: Mapped[str] = _text_column()
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    due_at: Mapped[dt.datetime] = mapped_column(nullable=False)
    done_at: Mapped[dt.datetime | None]
    outcome: Mapped[TaskOutcome | None] = mapped_column(_enum(TaskOutcome))
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


class ImportBatch(Synced, Base):
    __tablename__ = "import_batch"
    file_name: Mapped[str] = _text_column(500)
    source_format: Mapped[str] = _text_column(20)
    event_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("event.id"))
    channel: Mapped[Channel] = mapped_column(_enum(Channel), nullable=False, default=Channel.IMPORT)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user.id"))
    started_at: Mapped[dt.datetime] = mapped_column(nullable=False)
    finished_at: Mapped[dt.datetime | None]
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="running")
    created_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    duplicate_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    rejected_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    mapping: Mapped[str] = mapped_column(Text, nullable=False, default="")  # JSON


class Activity(Synced, Base):
    """Append-only history: rows are added, never changed (sync unions them)."""

    __tablename__ = "activity"
    lead_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("lead.id"), nullable=False)
    kind: Mapped[ActivityKind] = mapped_column(_enum(ActivityKind), nullable=False)
    occurred_at: Mapped[dt.datetime] = mapped_column(nullable=False)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user.id"))
    field: Mapped[str] = _text_column(50)
    old_value: Mapped[str] = mapped_column(Text, nullable=False, default="")
    new_value: Mapped[str] = mapped_column(Text, nullable=False, default="")
    text: Mapped[str] = mapped_column(Text, nullable=False, default="")
    outcome: Mapped[str] = _text_column(30)
    task_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("task.id"))
    batch_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("import_batch.id"))

    __table_args__ = (Index("ix_activity_lead_occurred", "lead_id", "occurred_at"),
                      Index("ix_activity_updated", "updated_at"))


class Suppression(Synced, Base):
    """Who must not be contacted: an email, a whole domain, a company or a phone number."""

    __tablename__ = "suppression"
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    value: Mapped[str] = mapped_column(String(254), nullable=False)
    reason: Mapped[str] = mapped_column(String(30), nullable=False)
    note: Mapped[str] = _text_column(500)
    created_at: Mapped[dt.datetime] = mapped_column(nullable=False)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user.id"))
    deleted_at: Mapped[dt.datetime | None]

    __table_args__ = (Index("ix_suppression_kind_value", "kind", "value"),)


class Question(Synced, Base):
    """A qualifier question, global or per event; may branch from a parent answer."""

    __tablename__ = "question"
    event_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("event.id"))
    prompt: Mapped[str] = _text_column(500)
    answer_kind: Mapped[str] = mapped_column(String(20), nullable=False, default="choice")
    choices: Mapped[str] = mapped_column(Text, nullable=False, default="")  # JSON list
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("question.id"))
    parent_answer: Mapped[str] = _text_column()
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    deleted_at: Mapped[dt.datetime | None]


class Answer(Synced, Base):
    __tablename__ = "answer"
    lead_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("lead.id"), nullable=False, index=True)
    question_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("question.id"), nullable=False)
    value: Mapped[str] = mapped_column(Text, nullable=False, default="")
    answered_at: Mapped[dt.datetime] = mapped_column(nullable=False)
    deleted_at: Mapped[dt.datetime | None]


class Registration(Synced, Base):
    """One attendee from an event's registration export: what an id-only badge scan resolves to."""

    __tablename__ = "registration"
    event_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("event.id"), nullable=False)
    badge_id: Mapped[str] = mapped_column(String(100), nullable=False)
    first_name: Mapped[str] = _text_column(100)
    last_name: Mapped[str] = _text_column(100)
    title: Mapped[str] = _text_column()
    company: Mapped[str] = _text_column()
    email: Mapped[str] = _text_column(254)
    phone: Mapped[str] = _text_column(50)
    mobile: Mapped[str] = _text_column(50)
    street: Mapped[str] = _text_column()
    postal_code: Mapped[str] = _text_column(20)
    city: Mapped[str] = _text_column(100)
    region: Mapped[str] = _text_column(100)
    country: Mapped[str] = _text_column(100)
    birth_date: Mapped[dt.date | None]
    imported_at: Mapped[dt.datetime] = mapped_column(nullable=False)

    __table_args__ = (Index("ix_registration_event_badge", "event_id", "badge_id"),)


class ScanLog(Synced, Base):
    """Every badge scan at the booth and what became of it; rejected ones wait here for repair."""

    __tablename__ = "scan_log"
    event_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("event.id"))
    raw: Mapped[str] = mapped_column(Text, nullable=False)
    outcome: Mapped[str] = mapped_column(String(20), nullable=False)  # created/matched/rejected…
    reason: Mapped[str] = _text_column(500)
    lead_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("lead.id"))
    captured_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user.id"))
    scanned_at: Mapped[dt.datetime] = mapped_column(nullable=False)
    resolved_at: Mapped[dt.datetime | None]

    __table_args__ = (Index("ix_scan_log_event_scanned", "event_id", "scanned_at"),)


class MappingTemplate(Synced, Base):
    """A saved column mapping for imports, offered again for files with the same headers."""

    __tablename__ = "mapping_template"
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    signature: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    mapping: Mapped[str] = mapped_column(Text, nullable=False)  # JSON
    deleted_at: Mapped[dt.datetime | None]


class CompanyDirectoryEntry(Synced, Base):
    """One company from an imported directory: what a lead with this email domain can learn."""

    __tablename__ = "company_directory"
    domain: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    company: Mapped[str] = _text_column()
    industry: Mapped[str] = _text_column(100)
    company_size: Mapped[str] = _text_column(50)
    country: Mapped[str] = _text_column(2)
    source: Mapped[str] = _text_column(300)  # the file it came from
    imported_at: Mapped[dt.datetime] = mapped_column(nullable=False)


class DismissedPair(Synced, Base):
    """Two leads a person said are not the same: never proposed as duplicates again."""

    __tablename__ = "dismissed_pair"
    lead_a: Mapped[uuid.UUID] = mapped_column(nullable=False)  # the smaller id of the two
    lead_b: Mapped[uuid.UUID] = mapped_column(nullable=False)
    dismissed_at: Mapped[dt.datetime] = mapped_column(nullable=False)

    __table_args__ = (Index("ix_dismissed_pair_leads", "lead_a", "lead_b"),)


class Tombstone(Synced, Base):
    """What is left of an erased person: fingerprints that stop re-imports bringing them back."""

    __tablename__ = "tombstone"
    lead_id: Mapped[uuid.UUID] = mapped_column(nullable=False, index=True)
    erased_at: Mapped[dt.datetime] = mapped_column(nullable=False)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user.id"))
    fingerprints: Mapped[str] = mapped_column(Text, nullable=False, default="")  # space-separated
    reason: Mapped[str] = _text_column(200)


class ScoreRuleRow(Synced, Base):
    """One admin-editable scoring rule: a condition and the points it adds or subtracts."""

    __tablename__ = "score_rule"
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    value: Mapped[str] = _text_column(500)
    points: Mapped[int] = mapped_column(Integer, nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    deleted_at: Mapped[dt.datetime | None]


class RoutingRuleRow(Synced, Base):
    """One routing rule: all conditions must match; first rule by position wins."""

    __tablename__ = "routing_rule"
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    conditions: Mapped[str] = mapped_column(Text, nullable=False, default="[]")  # JSON
    target_kind: Mapped[str] = mapped_column(String(10), nullable=False)
    target_id: Mapped[uuid.UUID] = mapped_column(nullable=False)
    enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    deleted_at: Mapped[dt.datetime | None]


class SharedSetting(Synced, Base):
    """A setting the whole team shares (thresholds, decay, auto-routing), synced like data."""

    __tablename__ = "shared_setting"
    key: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    value: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # Never set by the app; present so sync treats settings like every other synced row.
    deleted_at: Mapped[dt.datetime | None]


class AssignmentRun(Synced, Base):
    """One assignment step (re-applying rules, a bulk assign): what moved, so it can be undone."""

    __tablename__ = "assignment_run"
    started_at: Mapped[dt.datetime] = mapped_column(nullable=False)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user.id"))
    description: Mapped[str] = _text_column(300)
    moved: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    undone_at: Mapped[dt.datetime | None]
    # JSON {"before": {team: last user}, "after": {...}}: round-robin pointers around the run,
    # so an undo can also rewind the rotation (when nothing was routed since).
    round_robin: Mapped[str] = mapped_column(Text, nullable=False, default="", server_default="")


class AssignmentMove(Synced, Base):
    __tablename__ = "assignment_move"
    run_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assignment_run.id"), nullable=False,
                                              index=True)
    lead_id: Mapped[uuid.UUID] = mapped_column(nullable=False)
    from_owner_id: Mapped[uuid.UUID | None]
    to_owner_id: Mapped[uuid.UUID | None]
    from_team_id: Mapped[uuid.UUID | None]
    to_team_id: Mapped[uuid.UUID | None]
    from_queue_id: Mapped[uuid.UUID | None]
    to_queue_id: Mapped[uuid.UUID | None]
    reason: Mapped[str] = _text_column(500)


class CadenceRow(Synced, Base):
    """A follow-up cadence template: steps (JSON) and the leads it applies to (JSON scope)."""

    __tablename__ = "cadence"
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    steps: Mapped[str] = mapped_column(Text, nullable=False, default="[]")
    scope: Mapped[str] = mapped_column(Text, nullable=False, default="{}")
    enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    deleted_at: Mapped[dt.datetime | None]


# -- sync bookkeeping (local only, never synced; see app/services/sync_service.py) --------------


class SyncChunk(Base):
    """The op log: runs of ops of one incarnation, in seq order, compressed together (zlib of one
    JSON line per op). Ops of one capture batch or one received file share a chunk, so the log
    of N rows is a few bytes per row instead of a row per field."""

    __tablename__ = "sync_chunk"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incarnation: Mapped[str] = mapped_column(String(40), nullable=False)
    seq_first: Mapped[int] = mapped_column(Integer, nullable=False)
    seq_last: Mapped[int] = mapped_column(Integer, nullable=False)
    op_count: Mapped[int] = mapped_column(Integer, nullable=False)
    body: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)

    __table_args__ = (Index("ix_sync_chunk_incarnation_seq_first", "incarnation", "seq_first"),)


class SyncRow(Base):
    """Which chunks hold ops of a synced row: a row's merge state depends on its ops only."""

    __tablename__ = "sync_row"
    table_name: Mapped[str] = mapped_column(String(40), primary_key=True)
    row_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    chunk: Mapped[int] = mapped_column(Integer, primary_key=True)

    __table_args__ = {"sqlite_with_rowid": False}


class SyncOpId(Base):
    """Which chunk holds each op (by incarnation and seq): exact lookups of op ids, for
    duplicates and collisions, without decompressing chunks."""

    __tablename__ = "sync_op_id"
    incarnation: Mapped[str] = mapped_column(String(40), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    chunk: Mapped[int] = mapped_column(Integer, nullable=False)

    __table_args__ = {"sqlite_with_rowid": False}


class SyncMark(Base):
    """Versions an absorbed snapshot showed to be superseded although the superseding op is not
    held here (``field`` '' for the row's delete/restore versions)."""

    __tablename__ = "sync_mark"
    table_name: Mapped[str] = mapped_column(String(40), primary_key=True)
    row_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    field: Mapped[str] = mapped_column(String(64), primary_key=True)
    op_id: Mapped[str] = mapped_column(String(80), primary_key=True)

    __table_args__ = {"sqlite_with_rowid": False}


class SyncShadow(Base):
    """What the sync believes a synced row holds, so capture tells local edits from its own
    writes: the merged values (from the log) overlaid with ``local``, JSON of the fields this
    laptop keeps different on purpose (its review flags of sync conflicts, a reference held back
    until its row arrives). ``digest`` (of the row as capture last saw it, nothing left to send)
    lets capture skip unchanged rows without reading their ops."""

    __tablename__ = "sync_shadow"
    table_name: Mapped[str] = mapped_column(String(40), primary_key=True)
    row_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    digest: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    local: Mapped[str | None] = mapped_column(Text, nullable=True)

    __table_args__ = {"sqlite_with_rowid": False}


class SyncFollowUp(Base):
    """Leads a merge changed whose local follow-ups (open tasks follow the owner, touch times,
    score) have not run yet: they run once every received change of the sync is merged, never
    on a half-merged state (a task about to be deleted must not be reassigned first)."""

    __tablename__ = "sync_followup"
    lead_id: Mapped[str] = mapped_column(String(64), primary_key=True)

    __table_args__ = {"sqlite_with_rowid": False}


class SyncFile(Base):
    """Change-set files already applied (sha256 of their bytes), so they are not decoded again."""

    __tablename__ = "sync_file"
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(500), nullable=False)
