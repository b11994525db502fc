"""Follow-up tasks and cadence templates: the reads "my day" needs, kept on the task index."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Sequence

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from app.domain.cadences import Cadence, CadenceScope, CadenceStep
from app.domain.leads import Channel, LeadStatus, Rating
from app.domain.tasks import DueItem, TaskKind
from app.storage.db import driver_of
from app.storage.orm import CadenceRow, Lead, Task, User


def cadence_of(row: CadenceRow) -> Cadence:
    steps = tuple(CadenceStep(TaskKind(s["kind"]), int(s["offset_days"]), s["title"],
                              s.get("body", "")) for s in json.loads(row.steps or "[]"))
    scope = json.loads(row.scope or "{}")
    return Cadence(row.id, row.name, steps, CadenceScope(
        frozenset(Rating(r) for r in scope.get("ratings", [])),
        frozenset(Channel(c) for c in scope.get("channels", [])),
        frozenset(uuid.UUID(e) for e in scope.get("event_ids", []))))


def cadence_json(cadence: Cadence) -> tuple[str, str]:
    steps = json.dumps([{"kind": s.kind.value, "offset_days": s.offset_days, "title": s.title,
                         "body": s.body} for s in cadence.steps], ensure_ascii=False)
    scope = json.dumps({"ratings": sorted(r.value for r in cadence.applies_to.ratings),
                        "channels": sorted(c.value for c in cadence.applies_to.channels),
                        "event_ids": sorted(str(e) for e in cadence.applies_to.event_ids)})
    return steps, scope


class TaskRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # -- cadence templates --------------------------------------------------------------------
    def cadence_rows(self, *, include_deleted: bool = False) -> list[CadenceRow]:
        statement = select(CadenceRow).order_by(CadenceRow.name)
        if not include_deleted:
            statement = statement.where(CadenceRow.deleted_at.is_(None))
        return list(self.session.scalars(statement))

    def cadence_row(self, cadence_id: uuid.UUID) -> CadenceRow | None:
        return self.session.get(CadenceRow, cadence_id)

    # -- tasks --------------------------------------------------------------------------------
    def add(self, task: Task) -> Task:
        self.session.add(task)
        return task

    def get(self, task_id: uuid.UUID) -> Task | None:
        return self.session.get(Task, task_id)

    def open_for_lead(self, lead_id: uuid.UUID) -> list[Task]:
        return list(self.session.scalars(select(Task).where(
            Task.lead_id == lead_id, Task.done_at.is_(None), Task.deleted_at.is_(None))
            .order_by(Task.due_at)))

    def has_any_tasks(self, lead_id: uuid.UUID) -> bool:
        """Whether the lead ever had a follow-up task (then it is already being worked)."""
        return self.session.scalars(select(Task.id).where(
            Task.lead_id == lead_id).limit(1)).first() is not None

    def follow_owner(self, lead_ids: Sequence[uuid.UUID], now_text: str, device_hex: str) -> None:
        """Bulk: open tasks of these leads go to each lead's current owner."""
        connection = driver_of(self.session)
        marks = ", ".join("?" for _ in lead_ids)
        connection.execute(
            "UPDATE task SET owner_id = (SELECT owner_id FROM lead WHERE lead.id = task.lead_id),"
            f" updated_at = ?, device_id = ? WHERE lead_id IN ({marks}) AND done_at IS NULL "
            "AND deleted_at IS NULL AND owner_id IS NOT (SELECT owner_id FROM lead "
            "WHERE lead.id = task.lead_id)", [now_text, device_hex, *[i.hex for i in lead_ids]])

    def drop_twin_steps(self, lead_ids: Sequence[uuid.UUID], now_text: str,
                        device_hex: str) -> int:
        """Bulk: where a lead has two open tasks for the same step of the same cadence (two
        laptops started it while offline), keep the oldest and cancel the others. The rule
        depends only on the tasks, so every laptop cancels the same ones."""
        connection = driver_of(self.session)
        marks = ", ".join("?" for _ in lead_ids)
        cursor = connection.execute(
            f"UPDATE task SET deleted_at = ?, updated_at = ?, device_id = ? WHERE lead_id IN "
            f"({marks}) AND cadence_id IS NOT NULL AND done_at IS NULL AND deleted_at IS NULL "
            "AND EXISTS (SELECT 1 FROM task AS twin WHERE twin.lead_id = task.lead_id AND "
            "twin.cadence_id = task.cadence_id AND twin.cadence_step = task.cadence_step AND "
            "twin.done_at IS NULL AND twin.deleted_at IS NULL AND twin.id < task.id)",
            [now_text, now_text, device_hex, *[i.hex for i in lead_ids]])
        return int(cursor.rowcount or 0)

    def never_followed_up(self, lead_ids: Sequence[uuid.UUID],
                          statuses: Sequence[LeadStatus]) -> list[uuid.UUID]:
        """Of these leads, those with an owner, in one of ``statuses``, and no task ever."""
        rows = self.session.scalars(select(Lead.id).where(
            Lead.id.in_(list(lead_ids)), Lead.owner_id.is_not(None),
            Lead.status.in_(list(statuses)),
            ~select(Task.id).where(Task.lead_id == Lead.id).exists()))
        return list(rows)

    def refresh_next_due(self, lead_ids: Sequence[uuid.UUID]) -> None:
        connection = driver_of(self.session)
        marks = ", ".join("?" for _ in lead_ids)
        connection.execute(
            "UPDATE lead SET next_due_at = (SELECT min(due_at) FROM task WHERE "
            "task.lead_id = lead.id AND done_at IS NULL AND deleted_at IS NULL) "
            f"WHERE id IN ({marks})", [i.hex for i in lead_ids])

    def for_lead(self, lead_id: uuid.UUID) -> list[Task]:
        return list(self.session.scalars(select(Task).where(
            Task.lead_id == lead_id, Task.deleted_at.is_(None)).order_by(Task.due_at)))

    def due(self, owner_id: uuid.UUID, until: dt.datetime, limit: int = 500) -> list[DueItem]:
        """The first ``limit`` open tasks of one owner due before ``until``, in due order."""
        return self.due_page(owner_id, None, until, limit=limit)

    def due_page(self, owner_id: uuid.UUID, starts: dt.datetime | None, ends: dt.datetime, *,
                 after: tuple[dt.datetime, uuid.UUID] | None = None, limit: int = 100
                 ) -> list[DueItem]:
        """Open tasks of one owner due in [starts, ends), in due order (ties by id), the next
        ``limit`` after the (due, task id) of the last row already shown: a keyset page
        straight off ix_task_owner_open_due, so page 90 costs what page 1 does, and a task
        done meanwhile shifts nothing."""
        clauses = _due_between(owner_id, starts, ends)
        if after is not None:
            after_due, after_id = after
            clauses += [Task.due_at >= after_due,
                        or_(Task.due_at > after_due, and_(Task.due_at == after_due,
                                                          Task.id > after_id))]
        statement = (
            select(Task.id, Task.lead_id, Task.kind, Task.title, Task.notes, Task.due_at,
                   Task.cadence_step, Lead.first_name, Lead.last_name, Lead.company,
                   Lead.email, Lead.phone, Lead.mobile, Lead.rating, Lead.score,
                   Lead.deal_value, Lead.status, Task.owner_id)
            .join(Lead, Lead.id == Task.lead_id)
            .where(*clauses)
            .order_by(Task.due_at, Task.id)
            .limit(limit))
        return [DueItem(r.id, r.lead_id, r.kind, r.title, r.notes, r.due_at, r.cadence_step,
                        f"{r.first_name} {r.last_name}".strip() or r.company or r.email,
                        r.company, r.email, r.phone or r.mobile, r.rating, r.score,
                        r.deal_value, r.status, r.owner_id)
                for r in self.session.execute(statement)]

    def count_due_between(self, owner_id: uuid.UUID, starts: dt.datetime | None,
                          ends: dt.datetime) -> int:
        """How many tasks ``due_page`` would list in [starts, ends) without a limit.

        Starts from the rep's open tasks and leaves out those of deleted leads by probing
        ix_lead_deleted: joining the live leads instead had the server hash every lead."""
        deleted_lead = select(Lead.id).where(Lead.id == Task.lead_id,
                                             Lead.deleted_at.is_not(None))
        return int(self.session.scalar(
            select(func.count()).select_from(Task)
            .where(*_open_due_between(owner_id, starts, ends), ~deleted_lead.exists())) or 0)

    def count_due(self, owner_id: uuid.UUID, until: dt.datetime) -> int:
        """Open tasks due before ``until``: the tray's count, the same rows my day lists."""
        return self.count_due_between(owner_id, None, until)

    def next_due(self, lead_id: uuid.UUID) -> dt.datetime | None:
        return self.session.scalars(select(Task.due_at).where(
            Task.lead_id == lead_id, Task.done_at.is_(None), Task.deleted_at.is_(None))
            .order_by(Task.due_at).limit(1)).first()

    def open_for_owner(self, owner_id: uuid.UUID) -> list[tuple[Task, str, str]]:
        """Open tasks with the lead's name and company, for the calendar export."""
        rows = self.session.execute(
            select(Task, Lead.first_name, Lead.last_name, Lead.company)
            .join(Lead, Lead.id == Task.lead_id)
            .where(Task.owner_id == owner_id, Task.done_at.is_(None), Task.deleted_at.is_(None),
                   Lead.deleted_at.is_(None)).order_by(Task.due_at))
        return [(task, f"{first} {last}".strip() or company, company)
                for task, first, last, company in rows]

    def closed_for_owner_since(self, owner_id: uuid.UUID, since: dt.datetime
                               ) -> list[tuple[Task, str, str]]:
        """The owner's tasks done or deleted since ``since`` (the calendar export marks them
        completed or cancelled, so calendars that imported them earlier catch up)."""
        rows = self.session.execute(
            select(Task, Lead.first_name, Lead.last_name, Lead.company)
            .join(Lead, Lead.id == Task.lead_id)
            .where(Task.owner_id == owner_id,
                   or_(Task.done_at >= since, Task.deleted_at >= since))
            .order_by(Task.due_at))
        return [(task, f"{first} {last}".strip() or company, company)
                for task, first, last, company in rows]

    def user(self, user_id: uuid.UUID | None) -> User | None:
        return self.session.get(User, user_id) if user_id else None


def _due_between(owner_id: uuid.UUID, starts: dt.datetime | None, ends: dt.datetime
                 ) -> list[ColumnElement[bool]]:
    """One owner's open tasks on live leads due in [starts, ends) (no start: all before)."""
    return [*_open_due_between(owner_id, starts, ends), Lead.deleted_at.is_(None)]


def _open_due_between(owner_id: uuid.UUID, starts: dt.datetime | None, ends: dt.datetime
                      ) -> list[ColumnElement[bool]]:
    """One owner's open tasks due in [starts, ends), whatever their lead."""
    clauses: list[ColumnElement[bool]] = [
        Task.owner_id == owner_id, Task.done_at.is_(None), Task.due_at < ends,
        Task.deleted_at.is_(None)]
    if starts is not None:
        clauses.append(Task.due_at >= starts)
    return clauses
