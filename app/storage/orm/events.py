"""Events and what belongs to one: qualifier questions and answers, registrations, badge scans."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.storage.orm.base import Base, Synced, text_column


class Event(Synced, Base):
    __tablename__ = "event"
    name: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    starts_on: Mapped[dt.date | None]
    ends_on: Mapped[dt.date | None]
    venue: Mapped[str] = text_column()
    city: Mapped[str] = text_column(100)
    country: Mapped[str] = text_column(2)
    cost: Mapped[int | None] = mapped_column(Integer)  # minor units
    currency: Mapped[str] = mapped_column(String(3), nullable=False, default="EUR")
    # How this event's badges lay out delimited payloads, e.g. "^ first_name,last_name,badge_id".
    badge_layout: Mapped[str] = text_column()
    deleted_at: Mapped[dt.datetime | None]


class Question(Synced, Base):
    """A qualifier question, global or per event; may branch from a parent answer."""

    __tablename__ = "question"
    event_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("event.id"))
    prompt: Mapped[str] = text_column(500)
    answer_kind: Mapped[str] = mapped_column(String(20), nullable=False, default="choice")
    choices: Mapped[str] = mapped_column(Text, nullable=False, default="")  # JSON list
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("question.id"))
    parent_answer: Mapped[str] = text_column()
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
    first_name: Mapped[str] = text_column(100)
    last_name: Mapped[str] = text_column(100)
    title: Mapped[str] = text_column()
    company: Mapped[str] = text_column()
    email: Mapped[str] = text_column(254)
    phone: Mapped[str] = text_column(50)
    mobile: Mapped[str] = text_column(50)
    street: Mapped[str] = text_column()
    postal_code: Mapped[str] = text_column(20)
    city: Mapped[str] = text_column(100)
    region: Mapped[str] = text_column(100)
    country: Mapped[str] = text_column(100)
    birth_date: Mapped[dt.date | None]
    imported_at: Mapped[dt.datetime] = mapped_column(nullable=False)

    __table_args__ = (Index("ix_registration_event_badge", "event_id", "badge_id"),)


class ScanLog(Synced, Base):
    """Every badge scan at the booth and what became of it; rejected ones wait here for repair."""

    __tablename__ = "scan_log"
    event_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("event.id"))
    raw: Mapped[str] = mapped_column(Text, nullable=False)
    outcome: Mapped[str] = mapped_column(String(20), nullable=False)  # created/matched/rejected…
    reason: Mapped[str] = text_column(500)
    lead_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("lead.id"))
    captured_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user.id"))
    scanned_at: Mapped[dt.datetime] = mapped_column(nullable=False)
    resolved_at: Mapped[dt.datetime | None]

    __table_args__ = (Index("ix_scan_log_event_scanned", "event_id", "scanned_at"),)
