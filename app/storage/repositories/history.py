"""The append-only activity history."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.history import ActivityRecord
from app.storage.orm import Activity, User


class HistoryRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, activity: Activity) -> Activity:
        self.session.add(activity)
        return activity

    def for_lead(self, lead_id: uuid.UUID, limit: int = 500) -> list[ActivityRecord]:
        """Newest first, as a timeline reads."""
        statement = (select(Activity, User.name).outerjoin(User, User.id == Activity.actor_id)
                     .where(Activity.lead_id == lead_id)
                     .order_by(Activity.occurred_at.desc(), Activity.id.desc()).limit(limit))
        return [
            ActivityRecord(
                id=a.id, lead_id=a.lead_id, kind=a.kind, occurred_at=a.occurred_at,
                field=a.field, old_value=a.old_value, new_value=a.new_value, text=a.text,
                outcome=a.outcome, actor_name=actor or "",
            )
            for a, actor in self.session.execute(statement)
        ]
