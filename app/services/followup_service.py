"""Doing the follow-up: "my day", logging each touch, completing and snoozing tasks, and the
calendar export. The checks Leadline runs by itself (first-touch service levels with
escalation, leads back from nurture) are in :mod:`app.services.followup_checks`.

Everything is local and offline; every step writes its history row in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy.orm import Session

from app.domain.cadences import (
    STOPPING_OUTCOMES,
    PlannedStep,
    reschedule_after,
)
from app.domain.errors import LeadlineError, NotFoundError, ValidationError, parse_choice
from app.domain.history import ActivityKind
from app.domain.leads import Rating
from app.domain.tasks import (
    DueBucket,
    DueItem,
    DueOverview,
    DueRange,
    DueSection,
    TaskKind,
    TaskOutcome,
    due_ranges,
)
from app.exporters.icalendar_export import CalendarTask, tasks_to_ics
from app.files import atomic_write
from app.services.cadence_service import CadenceService
from app.services.context import ServiceContext
from app.services.followup_checks import FollowUpChecks, note_time
from app.services.lead_service import LeadService
from app.services.routing_service import RoutingService
from app.storage.orm import Task
from app.storage.repositories.history import HistoryRepository
from app.storage.repositories.leads import LeadRepository
from app.storage.repositories.people import PeopleRepository
from app.storage.repositories.tasks import TaskRepository

_TOUCH_ACTIVITY = {TaskKind.CALL: ActivityKind.CALL, TaskKind.EMAIL: ActivityKind.EMAIL,
                   TaskKind.MEETING: ActivityKind.MEETING, TaskKind.TASK: ActivityKind.NOTE}
UPCOMING_DAYS = 7
# My day reads each bucket in pages, then more on request. Few overdue rows at first, so
# today's tasks show on the first screen however long the overdue list is.
DUE_FIRST_ROWS = {DueBucket.OVERDUE: 10, DueBucket.TODAY: 25, DueBucket.UPCOMING: 25}
DUE_MORE_ROWS = 100
_RATING_RANK = {Rating.HOT: 0, Rating.WARM: 1, Rating.COLD: 2}


@dataclass(frozen=True)
class MyDay:
    overdue: tuple[DueItem, ...]
    today: tuple[DueItem, ...]
    upcoming: tuple[DueItem, ...]

    @property
    def due_now(self) -> int:
        """What the tray icon counts: overdue plus due today."""
        return len(self.overdue) + len(self.today)



class FollowUpService(FollowUpChecks):
    """A rep's follow-up: my day, touches, completing and snoozing tasks, the calendar export;
    the automatic checks come from :class:`FollowUpChecks`."""

    def __init__(self, context: ServiceContext, leads: LeadService, cadences: CadenceService,
                 routing: RoutingService) -> None:
        self.context, self.leads, self.cadences, self.routing = context, leads, cadences, routing
        self.db = context.db
        # Restoring missing follow-up reads every lead: once a run, not on every periodic check.
        self._follow_up_restored = False

    # -- my day -------------------------------------------------------------------------------
    def my_day(self, owner_id: uuid.UUID, *, upcoming_days: int = UPCOMING_DAYS) -> MyDay:
        """Overdue, due today (local working day) and the next days, most urgent first."""
        now = self.context.clock()
        calendar = self.cadences.calendar()
        local = now.astimezone(calendar.zone)
        end_of_today = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(),
                                           calendar.zone).astimezone(dt.UTC)
        until = end_of_today + dt.timedelta(days=upcoming_days)
        with self.db.read() as session:
            items = TaskRepository(session).due(owner_id, until)

        def urgency(item: DueItem) -> tuple[dt.date, int, int, int]:
            # The day it is due first, then what the lead is worth: hot before cold, the
            # higher score, the bigger deal.
            rank = _RATING_RANK[item.rating] if item.rating is not None else 3
            return (item.due_at.astimezone(calendar.zone).date(), rank,
                    -item.score, -(item.deal_value or 0))

        def bucket(kept: list[DueItem]) -> tuple[DueItem, ...]:
            return tuple(sorted(kept, key=urgency))

        return MyDay(bucket([i for i in items if i.due_at < now]),
                     bucket([i for i in items if now <= i.due_at < end_of_today]),
                     bucket([i for i in items if i.due_at >= end_of_today]))

    def due_count(self, owner_id: uuid.UUID) -> int:
        calendar = self.cadences.calendar()
        local = self.context.clock().astimezone(calendar.zone)
        end_of_today = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(),
                                           calendar.zone).astimezone(dt.UTC)
        with self.db.read() as session:
            return TaskRepository(session).count_due(owner_id, end_of_today)

    def tasks_for_lead(self, lead_id: uuid.UUID) -> list[Task]:
        with self.db.read() as session:
            return TaskRepository(session).for_lead(lead_id)

    # -- touches ------------------------------------------------------------------------------
    def log_touch(self, lead_id: uuid.UUID, kind: TaskKind | str,
                  outcome: TaskOutcome | str | None = None, note: str = "", *,
                  task_id: uuid.UUID | None = None) -> None:
        """Record a call, email, meeting or note with its outcome; completes the task it
        answers, moves the rest of the cadence, or stops it when the lead was reached."""
        kind = parse_choice(TaskKind, kind, "kind")
        outcome = parse_choice(TaskOutcome, outcome, "outcome") if outcome else None
        now, device, actor = self.context.clock(), self.context.device_id, \
            self.context.current_user_id
        with self.db.write() as session:
            lead = LeadRepository(session).find(lead_id)
            if lead is None:
                raise NotFoundError(f"No lead with id {lead_id}")
            tasks = TaskRepository(session)
            task = tasks.get(task_id) if task_id else None
            if task_id is not None and (task is None or task.lead_id != lead_id
                                        or task.deleted_at is not None):
                raise NotFoundError(f"No open task {task_id} on this lead")
            if task is not None and task.done_at is not None:
                raise ValidationError.single("task", "is already done")
            activity_kind = _TOUCH_ACTIVITY[kind]
            text = note.strip() or (task.title if task else kind.label)
            HistoryRepository(session).record(
                lead_id, activity_kind, now=now, device=device, actor=actor, text=text,
                outcome=outcome.value if outcome else "", task_id=task.id if task else None)
            if activity_kind.is_touch:
                lead.first_touch_at = lead.first_touch_at or now
                lead.last_touch_at = now
                lead.updated_at, lead.device_id = now, device
            if task is not None:
                task.done_at, task.outcome = now, outcome
                task.updated_at, task.device_id = now, device
                self._after_step(session, lead_id, task, outcome, now)
            elif outcome in STOPPING_OUTCOMES:
                self.cadences.stop_in(session, lead_id, f"Cadence stopped: {outcome.label}")
            lead.next_due_at = tasks.next_due(lead_id)
            self.leads.notify_changed(session, lead_id)

    def _after_step(self, session: Session, lead_id: uuid.UUID, task: Task,
                    outcome: TaskOutcome | None, now: dt.datetime) -> None:
        if outcome in STOPPING_OUTCOMES:
            assert outcome is not None
            self.cadences.stop_in(session, lead_id, f"Cadence stopped: {outcome.label}")
            return
        if task.cadence_id is None or task.cadence_step is None:
            return
        cadence = next((c for c in self.cadences.cadences() if c.id == task.cadence_id), None)
        if cadence is None or task.cadence_step >= len(cadence.steps):
            return
        remaining = [t for t in TaskRepository(session).open_for_lead(lead_id)
                     if t.cadence_id == task.cadence_id and t.cadence_step is not None
                     and t.id != task.id]
        planned = [PlannedStep(t.cadence_step or 0, t.kind, t.due_at, t.title, t.notes)
                   for t in remaining]
        moved = reschedule_after(task.cadence_step, now, planned, cadence,
                                 self.cadences.calendar(), now=now)
        due_by_step = {p.step_index: p.due_at for p in moved}
        for other in remaining:
            due = due_by_step.get(other.cadence_step or 0)
            if due is not None and due != other.due_at:
                other.due_at, other.updated_at = due, now
                other.device_id = self.context.device_id

    def complete(self, task_id: uuid.UUID, outcome: TaskOutcome | str | None = None,
                 note: str = "") -> None:
        """Mark a task done (from the CLI or a reminder): logs the touch it stands for."""
        with self.db.read() as session:
            task = TaskRepository(session).get(task_id)
            if task is None or task.deleted_at is not None:
                raise NotFoundError(f"No task with id {task_id}")
            lead_id, kind = task.lead_id, task.kind
        self.log_touch(lead_id, kind, outcome, note, task_id=task_id)

    def snooze(self, task_id: uuid.UUID, until: dt.datetime, reason: str) -> None:
        """Move a task to a later moment, with the reason in the lead's history."""
        if not reason.strip():
            raise ValidationError.single("reason", "is empty: say why the task moves")
        now = self.context.clock()
        if until <= now:
            raise ValidationError.single("until", "must be in the future")
        with self.db.write() as session:
            task = TaskRepository(session).get(task_id)
            if task is None or task.deleted_at is not None or task.done_at is not None:
                raise NotFoundError(f"No open task with id {task_id}")
            before = task.due_at
            task.due_at, task.updated_at = until, now
            task.device_id = self.context.device_id
            HistoryRepository(session).record(
                task.lead_id, ActivityKind.NOTE, now=now, device=self.context.device_id,
                actor=self.context.current_user_id, task_id=task.id,
                text=f"'{task.title}' moved from {note_time(before)} to {note_time(until)}: "
                     f"{reason.strip()}")
            lead = LeadRepository(session).find(task.lead_id)
            if lead is not None:
                lead.next_due_at = TaskRepository(session).next_due(task.lead_id)

    def snooze_to_day(self, task_id: uuid.UUID, day: dt.date, reason: str) -> dt.datetime:
        """Move a task to another day, keeping its local time of day; returns the new due."""
        zone = self.cadences.calendar().zone
        with self.db.read() as session:
            task = TaskRepository(session).get(task_id)
            if task is None or task.deleted_at is not None or task.done_at is not None:
                raise NotFoundError(f"No open task with id {task_id}")
            local_time = task.due_at.astimezone(zone).time()
        until = dt.datetime.combine(day, local_time, zone).astimezone(dt.UTC)
        self.snooze(task_id, until, reason)
        return until

    # -- calendar -----------------------------------------------------------------------------
    def export_calendar(self, owner_id: uuid.UUID, path: Path) -> int:
        """The owner's open tasks as an .ics file (stable ids: re-importing updates), plus those
        done or cancelled in the last 90 days, marked so. Returns the number of open tasks."""
        with self.db.read() as session:
            user = PeopleRepository(session).user(owner_id)
            if user is None:
                raise NotFoundError(f"No user with id {owner_id}")
            repo = TaskRepository(session)
            rows = repo.open_for_owner(owner_id)
            tasks = [CalendarTask(id=t.id, lead_id=t.lead_id, title=t.title or t.kind.label,
                                  description=t.notes, due_at=t.due_at, kind=t.kind, done=False,
                                  lead_name=name, updated_at=t.updated_at)
                     for t, name, _company in rows]
            since = self.context.clock() - CALENDAR_CLOSED_DAYS
            closed = [CalendarTask(id=t.id, lead_id=t.lead_id, title=t.title or t.kind.label,
                                   description=t.notes, due_at=t.due_at, kind=t.kind,
                                   done=t.done_at is not None, lead_name=name,
                                   updated_at=t.updated_at, done_at=t.done_at,
                                   cancelled=t.deleted_at is not None)
                      for t, name, _company in repo.closed_for_owner_since(owner_id, since)]
        data = tasks_to_ics([*tasks, *closed], f"Leadline: {user.name}", self.context.clock())
        try:
            with atomic_write(path, "wb") as handle:
                handle.write(data)
        except OSError as exc:
            raise LeadlineError(f"Cannot write {path}: {exc.strerror}") from exc
        return len(tasks)

    # -- my day, counted exactly and read page by page ----------------------------------------
    def due_overview(self, owner_id: uuid.UUID, *,
                     rows: Mapping[DueBucket, int] = DUE_FIRST_ROWS,
                     upcoming_days: int = UPCOMING_DAYS, count: bool = True) -> DueOverview:
        """Every bucket of the owner's day (overdue, today, the next days) with its first tasks
        in due order, as many as ``rows`` asks per bucket (a re-read asks for what the rep had
        already opened), and its exact size. A page that is not full is the whole bucket;
        the others are counted unless ``count`` is off (then ``count_overview`` does it, so a
        screen can show the rows first: counting a busy rep's thousands takes longer)."""
        now = self.context.clock()
        sections: list[DueSection] = []
        with self.db.read() as session:
            repo = TaskRepository(session)
            for due in due_ranges(now, self.cadences.calendar().zone, upcoming_days):
                limit = max(1, rows.get(due.bucket, DUE_FIRST_ROWS[due.bucket]))
                items = tuple(repo.due_page(owner_id, due.starts, due.ends, limit=limit))
                size: int | None = len(items)
                if len(items) == limit:
                    size = repo.count_due_between(owner_id, due.starts, due.ends) \
                        if count else None
                sections.append(DueSection(due, size, items))
        return DueOverview(owner_id, now, tuple(sections))

    def count_overview(self, overview: DueOverview) -> DueOverview:
        """The overview with every bucket's exact size (the same bounds, so the same moment)."""
        with self.db.read() as session:
            repo = TaskRepository(session)
            sections = tuple(section if section.count is not None else replace(
                section, count=repo.count_due_between(overview.owner_id, section.range.starts,
                                                      section.range.ends))
                for section in overview.sections)
        return replace(overview, sections=sections)

    def due_after(self, owner_id: uuid.UUID, due: DueRange, last: DueItem, *,
                  limit: int = DUE_MORE_ROWS) -> tuple[DueItem, ...]:
        """The bucket's next tasks after ``last`` (the last one shown), in due order."""
        with self.db.read() as session:
            return tuple(TaskRepository(session).due_page(
                owner_id, due.starts, due.ends, after=(last.due_at, last.task_id), limit=limit))

    def newly_due(self, owner_id: uuid.UUID, since: dt.datetime, until: dt.datetime, *,
                  limit: int = 3) -> tuple[tuple[DueItem, ...], int]:
        """Tasks that became due in [since, until): the first ``limit`` and how many in all
        (what the tray announces; bounded however many are overdue)."""
        with self.db.read() as session:
            tasks = TaskRepository(session)
            return (tuple(tasks.due_page(owner_id, since, until, limit=limit)),
                    tasks.count_due_between(owner_id, since, until))


# How far back finished and cancelled tasks are exported for calendars to catch up.
CALENDAR_CLOSED_DAYS = dt.timedelta(days=90)
