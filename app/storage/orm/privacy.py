"""The suppression list, the tombstones erasure leaves behind, and the audit trail."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    ForeignKey,
    Index,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.storage.orm.base import Base, Synced, text_column


class Suppression(Synced, Base):
    """Who must not be contacted: an email, a whole domain, a company or a phone number."""

    __tablename__ = "suppression"
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    value: Mapped[str] = mapped_column(String(254), nullable=False)
    reason: Mapped[str] = mapped_column(String(30), nullable=False)
    note: Mapped[str] = text_column(500)
    created_at: Mapped[dt.datetime] = mapped_column(nullable=False)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user.id"))
    deleted_at: Mapped[dt.datetime | None]

    __table_args__ = (Index("ix_suppression_kind_value", "kind", "value"),)


class Tombstone(Synced, Base):
    """What is left of an erased person: fingerprints that stop re-imports bringing them back."""

    __tablename__ = "tombstone"
    lead_id: Mapped[uuid.UUID] = mapped_column(nullable=False, index=True)
    erased_at: Mapped[dt.datetime] = mapped_column(nullable=False)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user.id"))
    fingerprints: Mapped[str] = mapped_column(Text, nullable=False, default="")  # space-separated
    reason: Mapped[str] = text_column(200)


class AuditEntryRow(Synced, Base):
    """One export, report, print, erasure or bulk change: who, when, what, how many records.
    Write-once and synced like history (app/domain/audit.py)."""

    __tablename__ = "audit_entry"
    occurred_at: Mapped[dt.datetime] = mapped_column(nullable=False)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user.id"))
    action: Mapped[str] = mapped_column(String(30), nullable=False)
    what: Mapped[str] = mapped_column(Text, nullable=False, default="")
    records: Mapped[int] = mapped_column(nullable=False, default=0)

    __table_args__ = (Index("ix_audit_entry_occurred_at", "occurred_at"),)
