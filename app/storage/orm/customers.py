"""Customers' orders from an accounting or ERP export, each with the lead it was matched to."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.storage.orm.base import Base, Synced, text_column


class CustomerOrderRow(Synced, Base):
    """One order line of a customer file. Its id derives from ``order_key`` (the file's order
    number, or a hash of customer, date and amount), so next month's file updates the row and
    every laptop importing the same file writes the same row."""

    __tablename__ = "customer_order"
    order_key: Mapped[str] = mapped_column(String(120), nullable=False)
    company: Mapped[str] = text_column()
    email: Mapped[str] = text_column(254)
    domain: Mapped[str] = text_column(253)
    customer_number: Mapped[str] = text_column(100)
    order_number: Mapped[str] = text_column(100)
    order_date: Mapped[dt.date] = mapped_column(nullable=False)
    amount: Mapped[int] = mapped_column(Integer, nullable=False)  # minor units of `currency`
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    # The lead the revenue is credited to; None while unmatched or rejected in review.
    lead_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("lead.id"))
    # matched | review | unmatched | rejected (app/domain/customers.py OrderStatus)
    match_status: Mapped[str] = mapped_column(String(20), nullable=False, default="unmatched")
    match_kind: Mapped[str] = text_column(20)  # email | domain | company | manual | none
    match_score: Mapped[int] = mapped_column(Integer, nullable=False, default=0)  # 0-100
    match_reason: Mapped[str] = text_column(500)
    file_name: Mapped[str] = text_column(500)
    imported_at: Mapped[dt.datetime] = mapped_column(nullable=False)
    # The import that last wrote the row, for undo; import batches are local (not synced).
    batch_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("import_batch.id"))
    deleted_at: Mapped[dt.datetime | None]

    __table_args__ = (
        Index("ix_customer_order_order_key", "order_key"),
        Index("ix_customer_order_lead_id", "lead_id"),
        Index("ix_customer_order_order_date", "order_date"),
    )
