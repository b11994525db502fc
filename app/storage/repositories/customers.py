"""Customer orders: the leads they can match, upserts by id, the review queue, undo by batch."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterator, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.customer_matching import LeadCandidate
from app.domain.customers import CustomerOrderRecord, MatchKind, OrderStatus
from app.storage.orm import CustomerOrderRow, Lead

_CHUNK = 500


class CustomerRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def candidates(self) -> Iterator[LeadCandidate]:
        """Every live lead (not deleted, merged away or erased), in one pass of five columns."""
        statement = (select(Lead.id, Lead.email, Lead.company, Lead.created_at, Lead.status)
                     .where(Lead.deleted_at.is_(None), Lead.merged_into_id.is_(None),
                            Lead.erased_at.is_(None))
                     .execution_options(yield_per=10_000))
        for lead_id, email, company, created_at, status in self.session.execute(statement):
            yield LeadCandidate(lead_id, email or "", company or "", created_at, status)

    def orders(self, order_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, CustomerOrderRow]:
        """The stored orders with these ids, deleted ones (an undone import) included."""
        ids = list(order_ids)
        found: dict[uuid.UUID, CustomerOrderRow] = {}
        for start in range(0, len(ids), _CHUNK):
            found.update((row.id, row) for row in self.session.scalars(
                select(CustomerOrderRow).where(CustomerOrderRow.id.in_(ids[start:start + _CHUNK]))))
        return found

    def order(self, order_id: uuid.UUID) -> CustomerOrderRow | None:
        row = self.session.get(CustomerOrderRow, order_id)
        return row if row is not None and row.deleted_at is None else None

    def add(self, row: CustomerOrderRow) -> None:
        self.session.add(row)

    def credited(self, lead_id: uuid.UUID) -> list[tuple[int, str]]:
        """(amount, currency) of every live order credited to the lead."""
        return [(amount, currency) for amount, currency in self.session.execute(
            select(CustomerOrderRow.amount, CustomerOrderRow.currency).where(
                CustomerOrderRow.lead_id == lead_id,
                CustomerOrderRow.match_status == OrderStatus.MATCHED.value,
                CustomerOrderRow.deleted_at.is_(None)))]

    def credited_many(self, lead_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[tuple[int, str]]]:
        """``credited`` for many leads in a few round trips (an import crediting thousands)."""
        found: dict[uuid.UUID, list[tuple[int, str]]] = {lead_id: [] for lead_id in lead_ids}
        for start in range(0, len(lead_ids), _CHUNK):
            for lead_id, amount, currency in self.session.execute(
                    select(CustomerOrderRow.lead_id, CustomerOrderRow.amount,
                           CustomerOrderRow.currency).where(
                        CustomerOrderRow.lead_id.in_(lead_ids[start:start + _CHUNK]),
                        CustomerOrderRow.match_status == OrderStatus.MATCHED.value,
                        CustomerOrderRow.deleted_at.is_(None))):
                found[lead_id].append((amount, currency))
        return found

    def review_queue(self, limit: int = 500) -> list[tuple[CustomerOrderRow, Lead | None]]:
        """Orders waiting for someone to confirm their suggested lead, oldest order first."""
        statement = (select(CustomerOrderRow, Lead)
                     .outerjoin(Lead, Lead.id == CustomerOrderRow.lead_id)
                     .where(CustomerOrderRow.match_status == OrderStatus.REVIEW.value,
                            CustomerOrderRow.deleted_at.is_(None))
                     .order_by(CustomerOrderRow.order_date, CustomerOrderRow.order_key)
                     .limit(limit))
        return [(row, lead) for row, lead in self.session.execute(statement)]

    def live_lead(self, lead_id: uuid.UUID) -> Lead | None:
        """The lead if an order may be credited to it (live: not deleted, merged or erased)."""
        return self.session.scalars(select(Lead).where(
            Lead.id == lead_id, Lead.deleted_at.is_(None), Lead.merged_into_id.is_(None),
            Lead.erased_at.is_(None))).one_or_none()


def lead_label(lead: Lead | None) -> str:
    """'Acme GmbH (Anna Müller)': how the review list names a lead."""
    if lead is None:
        return ""
    name = " ".join(p for p in (lead.first_name, lead.last_name) if p)
    if lead.company and name:
        return f"{lead.company} ({name})"
    return lead.company or name or lead.email


def record_of(row: CustomerOrderRow, label: str) -> CustomerOrderRecord:
    return CustomerOrderRecord(
        row.id, row.order_key, row.order_number, row.company, row.email, row.domain,
        row.customer_number, row.order_date, row.amount, row.currency,
        OrderStatus(row.match_status), MatchKind(row.match_kind or "none"), row.match_score,
        row.match_reason, row.lead_id, label, row.file_name)
