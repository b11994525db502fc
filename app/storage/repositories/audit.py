"""The audit trail's rows: written once, read newest first."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.audit import AuditAction, AuditEntry
from app.storage.orm import AuditEntryRow, User


class AuditRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, *, occurred_at: dt.datetime, device_id: uuid.UUID, actor_id: uuid.UUID | None,
            action: AuditAction, what: str, records: int) -> uuid.UUID:
        row = AuditEntryRow(occurred_at=occurred_at, updated_at=occurred_at, device_id=device_id,
                            actor_id=actor_id, action=action.value, what=what, records=records)
        self.session.add(row)
        self.session.flush()
        return row.id

    def count(self, action: AuditAction | None = None) -> int:
        query = select(func.count()).select_from(AuditEntryRow)
        if action is not None:
            query = query.where(AuditEntryRow.action == action.value)
        return int(self.session.scalar(query) or 0)

    def newest(self, *, limit: int | None = None, offset: int = 0,
               action: AuditAction | None = None) -> Iterator[AuditEntry]:
        query = (select(AuditEntryRow, User.name)
                 .outerjoin(User, User.id == AuditEntryRow.actor_id)
                 .order_by(AuditEntryRow.occurred_at.desc(), AuditEntryRow.id.desc())
                 .offset(offset).limit(limit))
        if action is not None:
            query = query.where(AuditEntryRow.action == action.value)
        for row, name in self.session.execute(query):
            try:
                kind = AuditAction(row.action)
            except ValueError:  # an action a newer Leadline recorded: shown as an export-like line
                continue
            yield AuditEntry(row.id, row.occurred_at, kind, row.what, row.records, name or "")
