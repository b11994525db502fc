"""The leads the retention rule lists: captured before the cut-off, never converted, not yet
erased, and not merged into another lead (the surviving lead carries them)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from app.domain.retention import CONVERTED_STATUSES, RetentionCandidate
from app.storage.orm import Lead


def _expired(cutoff: dt.datetime) -> ColumnElement[bool]:
    return and_(Lead.created_at < cutoff, Lead.erased_at.is_(None), Lead.merged_into_id.is_(None),
                Lead.status.not_in(list(CONVERTED_STATUSES)))


class RetentionRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def count(self, cutoff: dt.datetime) -> int:
        return int(self.session.scalar(select(func.count()).select_from(Lead)
                                       .where(_expired(cutoff))) or 0)

    def candidates(self, cutoff: dt.datetime, limit: int) -> Iterator[RetentionCandidate]:
        rows = self.session.execute(
            select(Lead.id, Lead.first_name, Lead.last_name, Lead.company, Lead.status,
                   Lead.created_at)
            .where(_expired(cutoff)).order_by(Lead.created_at, Lead.id).limit(limit))
        for lead_id, first, last, company, status, created in rows:
            yield RetentionCandidate(lead_id, f"{first} {last}".strip(), company, status,
                                     created)

    def ids(self, cutoff: dt.datetime) -> list[uuid.UUID]:
        return list(self.session.scalars(select(Lead.id).where(_expired(cutoff))
                                         .order_by(Lead.created_at, Lead.id)))
