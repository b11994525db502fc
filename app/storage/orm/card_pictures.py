"""Business-card pictures kept with the lead they were read into (see domain/card_pictures)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.storage.orm.base import Base, Synced


class CardPictureRow(Synced, Base):
    """One side of a card; ``data`` is the JPEG as base64 text, so change sets (JSON) and both
    databases carry it as any other text column. Erasure empties it and marks the row deleted."""

    __tablename__ = "card_picture"
    lead_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("lead.id"), nullable=False)
    side: Mapped[str] = mapped_column(String(10), nullable=False)  # domain CardSide
    mime: Mapped[str] = mapped_column(String(40), nullable=False, default="image/jpeg")
    width: Mapped[int] = mapped_column(Integer, nullable=False)
    height: Mapped[int] = mapped_column(Integer, nullable=False)
    data: Mapped[str] = mapped_column(Text, nullable=False, default="")
    taken_at: Mapped[dt.datetime] = mapped_column(nullable=False)
    deleted_at: Mapped[dt.datetime | None]

    __table_args__ = (Index("ix_card_picture_lead_id", "lead_id"),)
