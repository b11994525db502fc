"""The suppression list and the tombstones erasure leaves behind."""

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
