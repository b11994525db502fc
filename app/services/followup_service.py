"""Doing the follow-up: "my day", logging each touch, snoozing, first-touch service levels
with escalation, leads coming back from nurture, and the calendar export.

Everything is local and offline; every step writes its history row in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy.orm import Session

from app.domain.cadences import (
    STOPPING_OUTCOMES,
    STOPPING_STATUSES,
    PlannedStep,
    reschedule_after,
)
from app.domain.errors import LeadlineError, NotFoundError, ValidationError, parse_choice
from app.domain.history import APP_ACTOR_ID, ActivityKind, AutomaticChange
from app.domain.leads import LeadStatus, Rating
from app.domain.people import QueueRecord, UserRecord
from app.domain.routing import Move
from app.domain.service_levels import EscalationMode, first_touch_deadline
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
from app.services.lead_service import LeadService
from app.services.routing_service import RoutingService
from app.storage.orm import Task
from app.storage.repositories.followup_jobs import DueLead, FollowUpJobsRepository
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
# The follow-up checks commit per batch of leads, so another writer (a rep logging a call, a
# sync) waits for one short batch at most, and memory holds one batch.
CHECK_BATCH = 2_000
_TO_OTHER_REPS = "given to other reps"
# The statuses in which a lead with an owner is worked through a cadence (as on a first owner).
_PURSUED = tuple(s for s in LeadStatus if s.is_open and s not in STOPPING_STATUSES)
Cancelled = Callable[[], bool]


@dataclass(frozen=True)
class MyDay:
    overdue: tuple[DueItem, ...]
    today: tuple[DueItem, ...]
    upcoming: tuple[DueItem, ...]

    @property
    def due_now(self) -> int:
        """What the tray icon counts: overdue plus due today."""
        return len(self.overdue) + len(self.today)


@dataclass(frozen=True)
class SlaCheck:
    """What a first-touch check did: the leads it flagged, and where escalation moved them
    (one change per destination)."""

    breached: tuple[uuid.UUID, ...]
    escalations: tuple[AutomaticChange, ...] = ()
    restored: FollowUpRestored | None = None

    def __repr__(self) -> str:  # counts: a hundred thousand ids must not end up in a log line
        return (f"SlaCheck(breached={len(self.breached):,}, escalated={self.escalated:,}, "
                f"restored={self.restored!r})")

    @property
    def escalated(self) -> int:
        return sum(len(change.lead_ids) for change in self.escalations)

    @property
    def changes(self) -> tuple[AutomaticChange, ...]:
        """What to tell the user, each with the leads behind it (the missed deadlines first:
        the tray announces that one)."""
        restored = self.restored.changes if self.restored is not None else ()
        if not self.breached:
            return (*self.escalations, *restored)
        their = "its" if len(self.breached) == 1 else "their"
        missed = AutomaticChange(f"{_leads(len(self.breached))} missed {their} first-touch "
                                 "deadline", self.breached)
        return (missed, *self.escalations, *restored)


@dataclass(frozen=True)
class FollowUpRestored:
    """Leads that lacked the follow-up they should have had (an import interrupted between its
    commit and its follow-up step, say) and got it: a first-touch deadline, a cadence."""

    deadlines: tuple[uuid.UUID, ...] = ()
    cadences: tuple[uuid.UUID, ...] = ()

    def __repr__(self) -> str:  # counts: a hundred thousand ids must not end up in a log line
        return (f"FollowUpRestored(deadlines={len(self.deadlines):,}, "
                f"cadences={len(self.cadences):,})")

    @property
    def changes(self) -> tuple[AutomaticChange, ...]:
        found = []
        if self.deadlines:
            found.append(AutomaticChange(f"{_leads(len(self.deadlines))} given the first-touch "
                                         "deadline they were missing", self.deadlines))
        if self.cadences:
            found.append(AutomaticChange(f"{_leads(len(self.cadences))} given the follow-up "
                                         "cadence they were missing", self.cadences))
        return tuple(found)


@dataclass(frozen=True)
class NurtureReturn:
    """Nurture leads whose come-back date arrived: back on their owners' lists, or in the
    catch-all queue when the owner is away or gone."""

    to_owners: tuple[uuid.UUID, ...]
    to_queue: tuple[uuid.UUID, ...]

    def __repr__(self) -> str:  # counts: a hundred thousand ids must not end up in a log line
        return f"NurtureReturn(to_owners={len(self.to_owners):,}, to_queue={len(self.to_queue):,})"

    @property
    def count(self) -> int:
        return len(self.to_owners) + len(self.to_queue)

    @property
    def changes(self) -> tuple[AutomaticChange, ...]:
        """What to tell the user, each with the leads behind it."""
        found = []
        if self.to_owners:
            found.append(AutomaticChange(f"{_leads(len(self.to_owners))} back from nurture on "
                                         "their owners' lists", self.to_owners))
        if self.to_queue:
            found.append(AutomaticChange(f"{_leads(len(self.to_queue))} back from nurture in the "
                                         "catch-all queue (owner away or gone)", self.to_queue))
        return tuple(found)


class FollowUpCancelledError(LeadlineError):
    """A follow-up check stopped between batches (the window closed); what it did is saved,
    and the next check does the rest."""


class FollowUpService:
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
                text=f"'{task.title}' moved from {_short(before)} to {_short(until)}: "
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

    # -- service levels -----------------------------------------------------------------------
    def check_service_levels(self, *, cancelled: Cancelled | None = None) -> SlaCheck:
        """Flag leads whose first touch is overdue and escalate them as configured: Leadline's
        own doing, recorded as the app's, committed batch by batch (a rep logging a call waits
        one batch at most) and stoppable between batches. On the first check of a run, leads
        missing the deadline or the cadence they should have get them first (a crash that left
        them so ended the previous run), so a deadline that was never set is checked too."""
        restored = None
        if not self._follow_up_restored:
            restored = self.restore_missing_follow_up(cancelled=cancelled)
            self._follow_up_restored = True
        now = self.context.clock()
        mode = self.cadences.service_levels().escalate
        with self.db.read() as session:
            people = PeopleRepository(session)
            owners = {u.id: u for u in people.users()}
            queues = people.queues()
        breached: list[uuid.UUID] = []
        moved: dict[str, list[uuid.UUID]] = {}
        run_id: uuid.UUID | None = None
        after_key = 0
        while True:
            _stop_if(cancelled, "The first-touch check", len(breached))
            with self.db.read() as session:
                keys = FollowUpJobsRepository(session).next_missed_first_touches(
                    now, after_key, CHECK_BATCH)
            if not keys:
                break
            after_key = keys[-1]
            with self.db.write() as session:
                batch = FollowUpJobsRepository(session).missed_first_touches(now, keys)
                moves, places = self._flag_and_escalate(session, batch, now, mode, owners,
                                                        queues)
                if moves:
                    run_id = self.routing.record_automatic_moves_in(
                        session, moves, "First touch missed: escalated", run_id)
            breached += [lead.id for lead in batch]
            for move in moves:
                place = (_TO_OTHER_REPS if move.to_owner_id is not None
                         else places.get(move.to_queue_id, "moved to a queue"))
                moved.setdefault(place, []).append(move.lead_id)
        return SlaCheck(tuple(breached), tuple(
            AutomaticChange(f"{_leads(len(ids))} {place} after missed first-touch deadlines",
                            tuple(ids)) for place, ids in moved.items()), restored)

    def restore_missing_follow_up(self, *, cancelled: Cancelled | None = None
                                  ) -> FollowUpRestored:
        """Every open lead that should have a first-touch deadline or a cadence and has none
        gets it, by the rules that set them on capture and on a first owner: the app's doing,
        noted on each lead, committed batch by batch. A crash between an import's commit and
        its follow-up step is healed here, and only once (a healed lead no longer qualifies)."""
        deadlines: list[uuid.UUID] = []
        after_key = 0
        while True:
            with self.db.read() as session:
                keys = FollowUpJobsRepository(session).next_without_deadline(after_key,
                                                                             CHECK_BATCH)
            if not keys:
                break
            _stop_if(cancelled, "Restoring missing deadlines", len(deadlines))
            after_key = keys[-1]
            deadlines += self._set_missing_deadlines(keys)
        cadences: list[uuid.UUID] = []
        after_key = 0
        while True:
            with self.db.read() as session:
                keys = FollowUpJobsRepository(session).next_owned_never_followed_up(
                    _PURSUED, after_key, CHECK_BATCH)
            if not keys:
                break
            _stop_if(cancelled, "Restoring missing cadences", len(cadences))
            after_key = keys[-1]
            cadences += self._start_missing_cadences(keys)
        return FollowUpRestored(tuple(deadlines), tuple(cadences))

    def _set_missing_deadlines(self, keys: Sequence[int]) -> list[uuid.UUID]:
        now, device = self.context.clock(), self.context.device_id
        levels, calendar = self.cadences.service_levels(), self.cadences.calendar()
        with self.db.write() as session:
            jobs = FollowUpJobsRepository(session)
            due = [(lead, first_touch_deadline(lead.rating, lead.created_at, levels, calendar))
                   for lead in jobs.without_deadline(keys)]
            if not due:
                return []
            jobs.set_deadlines([(lead.key, deadline) for lead, deadline in due], now, device)
            history = HistoryRepository(session)
            history.ensure_app_actor(now, device)
            history.add_notes([(lead.id, f"First-touch deadline set: due {_short(deadline)} "
                                         "(it was missing)") for lead, deadline in due],
                              now=now, device=device, actor=APP_ACTOR_ID)
        return [lead.id for lead, _deadline in due]

    def _start_missing_cadences(self, keys: Sequence[int]) -> list[uuid.UUID]:
        now, device = self.context.clock(), self.context.device_id
        with self.db.write() as session:
            jobs = FollowUpJobsRepository(session)
            lead_ids = jobs.owned_never_followed_up(_PURSUED, keys)
            if not lead_ids:
                return []
            HistoryRepository(session).ensure_app_actor(now, device)
            self.cadences.after_moves(session, lead_ids, automatic=True)
            session.flush()
            # No cadence may apply to a lead (none matches it, all switched off): not started.
            still_without = set(TaskRepository(session).never_followed_up(lead_ids, _PURSUED))
        return [lead_id for lead_id in lead_ids if lead_id not in still_without]

    def _flag_and_escalate(self, session: Session, batch: Sequence[DueLead], now: dt.datetime,
                           mode: EscalationMode, owners: Mapping[uuid.UUID, UserRecord],
                           queues: Sequence[QueueRecord]
                           ) -> tuple[list[Move], dict[uuid.UUID | None, str]]:
        """One batch: flagged, a note each, and the moves escalation makes, with the words for
        each queue they went to."""
        device = self.context.device_id
        FollowUpJobsRepository(session).flag_missed(batch, now)
        history = HistoryRepository(session)
        history.ensure_app_actor(now, device)
        history.add_notes([
            (lead.id, f"First touch missed: due {_short(lead.first_touch_due_at)}"
                      + (f" ({owners[lead.owner_id].name})" if lead.owner_id in owners else ""))
            for lead in batch], now=now, device=device, actor=APP_ACTOR_ID)
        owned = [lead for lead in batch if lead.owner_id is not None]
        if not owned or mode is EscalationMode.NONE:
            return [], {}
        catch_all = self.routing.ensure_catch_all_in(session)
        places: dict[uuid.UUID | None, str] = {q.id: f"moved to queue {q.name}" for q in queues}
        places[catch_all.id] = f"moved to the catch-all queue {catch_all.name}"
        if mode is EscalationMode.REROUTE:
            passed_over = {lead.id: lead.owner_id for lead in owned if lead.owner_id}
            return self.routing.reroute_in(session, passed_over,
                                           "first touch missed: routed again"), places
        team_queues: dict[uuid.UUID | None, QueueRecord] = {}
        for queue in queues:
            if queue.team_id is not None and not queue.is_catch_all:
                team_queues.setdefault(queue.team_id, queue)
        moves = []
        for lead in owned:
            owner = owners.get(lead.owner_id) if lead.owner_id else None
            queue = team_queues.get(lead.team_id or (owner.team_id if owner else None),
                                    catch_all)
            moves.append(Move(lead.id, lead.owner_id, None, lead.queue_id, queue.id, None, "",
                              "first touch missed: escalated", None))
        return moves, places

    # -- nurture ------------------------------------------------------------------------------
    def return_from_nurture(self, *, cancelled: Cancelled | None = None) -> NurtureReturn:
        """Leads whose come-back date arrived go back on their owner's list (a call today), or
        to the catch-all queue if the owner can no longer work them: recorded as the app's,
        committed batch by batch and stoppable between batches."""
        now, device = self.context.clock(), self.context.device_id
        with self.db.read() as session:
            working = {u.id for u in PeopleRepository(session).users() if u.can_receive_leads}
        to_owners: list[uuid.UUID] = []
        to_queue: list[uuid.UUID] = []
        run_id: uuid.UUID | None = None
        after_key = 0
        while True:
            _stop_if(cancelled, "Bringing leads back from nurture", len(to_owners) + len(to_queue))
            with self.db.read() as session:
                keys = FollowUpJobsRepository(session).next_nurture_due(now.date(), after_key,
                                                                        CHECK_BATCH)
            if not keys:
                break
            after_key = keys[-1]
            with self.db.write() as session:
                jobs = FollowUpJobsRepository(session)
                batch = jobs.nurture_due(now.date(), keys)
                back = [lead for lead in batch if lead.owner_id in working]
                orphaned = [lead for lead in batch if lead.owner_id not in working]
                history = HistoryRepository(session)
                history.ensure_app_actor(now, device)
                jobs.end_nurture(back, now, device, due_now=True)
                jobs.end_nurture(orphaned, now, device, due_now=False)
                history.add_notes([(lead.id, "Back from nurture: come-back date reached")
                                   for lead in batch], now=now, device=device, actor=APP_ACTOR_ID)
                jobs.add_tasks(back, TaskKind.CALL, "Back from nurture: call again", now, now,
                               device)
                if orphaned:
                    queue = self.routing.ensure_catch_all_in(session).id
                    moves = [Move(lead.id, lead.owner_id, None, lead.queue_id, queue, None, "",
                                  "back from nurture; the owner has left or is away", None)
                             for lead in orphaned if (lead.owner_id, lead.queue_id) != (None, queue)]
                    if moves:
                        run_id = self.routing.record_automatic_moves_in(
                            session, moves, "Back from nurture to the catch-all queue", run_id)
            to_owners += [lead.id for lead in back]
            to_queue += [lead.id for lead in orphaned]
        return NurtureReturn(tuple(to_owners), tuple(to_queue))

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


def _short(when: dt.datetime | None) -> str:
    return when.strftime("%Y-%m-%d %H:%M UTC") if when else "—"


def _leads(count: int) -> str:
    return f"{count:,} lead" if count == 1 else f"{count:,} leads"


def _stop_if(cancelled: Cancelled | None, job: str, done: int) -> None:
    if cancelled is not None and cancelled():
        raise FollowUpCancelledError(f"{job} stopped after {done:,} leads; what was done is "
                                     "saved and the next check does the rest.")

