"""What a merge moves between two lead rows, and how an undo finds and moves it back."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.domain.history import ActivityKind
from app.storage.orm import Activity, Answer, CardPictureRow, CustomerOrderRow, Lead, Task

# The rows that belong to a lead and follow it into the survivor, by table name: a customer's
# orders too, so the revenue stays credited to the person.
_CHILD_TABLES: tuple[type[Activity] | type[Task] | type[Answer] | type[CustomerOrderRow]
                     | type[CardPictureRow], ...] = (
    Activity, Task, Answer, CustomerOrderRow, CardPictureRow)


class MergeRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def move_children(self, source: uuid.UUID, target: uuid.UUID) -> dict[str, list[str]]:
        """Give ``target`` the history, tasks, answers, orders and card pictures of ``source``;
        an answer to a question ``target`` already answered stays behind. Returns the moved ids
        by table, for undo."""
        answered = set(self.session.scalars(select(Answer.question_id).where(
            Answer.lead_id == target, Answer.deleted_at.is_(None))))
        moved: dict[str, list[str]] = {}
        for table in _CHILD_TABLES:
            extra = (Answer.question_id.not_in(answered),) if table is Answer else ()
            ids = list(self.session.scalars(select(table.id).where(table.lead_id == source, *extra)))
            if ids:
                self.session.execute(update(table).where(table.id.in_(ids)).values(lead_id=target))
            moved[table.__tablename__] = [str(i) for i in ids]
        return moved

    def move_back(self, moved: Mapping[str, Sequence[str]], to_lead: uuid.UUID) -> None:
        """Undo ``move_children``: the rows it listed return to ``to_lead``."""
        for table in _CHILD_TABLES:
            ids = [uuid.UUID(i) for i in moved.get(table.__tablename__, [])]
            if ids:
                self.session.execute(update(table).where(table.id.in_(ids)).values(lead_id=to_lead))

    def mark_merged(self, lead_id: uuid.UUID, into: uuid.UUID | None, now: dt.datetime,
                    device: uuid.UUID) -> None:
        """Point a lead at its survivor and hide it (``into`` None brings it back)."""
        self.session.execute(update(Lead).where(Lead.id == lead_id).values(
            merged_into_id=into, deleted_at=now if into is not None else None, updated_at=now,
            device_id=device))

    def merge_record(self, survivor: uuid.UUID, merged: uuid.UUID) -> Activity | None:
        """The newest MERGED history row of ``survivor`` that names ``merged`` (holds the undo)."""
        return self.session.scalars(select(Activity).where(
            Activity.lead_id == survivor, Activity.kind == ActivityKind.MERGED,
            Activity.new_value.contains(str(merged)))
            .order_by(Activity.occurred_at.desc())).first()
