"""The follow-up checks Leadline runs by itself: missed first touches and their escalation,
follow-up restored where it is missing, and leads coming back from nurture.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.domain.cadences import STOPPING_STATUSES
from app.domain.errors import LeadlineError
from app.domain.history import APP_ACTOR_ID, AutomaticChange
from app.domain.leads import LeadStatus
from app.domain.people import QueueRecord, UserRecord
from app.domain.routing import Move
from app.domain.service_levels import EscalationMode, first_touch_deadline
from app.domain.tasks import TaskKind
from app.services.cadence_service import CadenceService
from app.services.context import ServiceContext
from app.services.routing_service import RoutingService
from app.storage.db import Database
from app.storage.repositories.followup_jobs import DueLead, FollowUpJobsRepository
from app.storage.repositories.history import HistoryRepository
from app.storage.repositories.people import PeopleRepository
from app.storage.repositories.tasks import TaskRepository

# The follow-up checks commit per batch of leads, so another writer (a rep logging a call, a
# sync) waits for one short batch at most, and memory holds one batch.
CHECK_BATCH = 2_000
_TO_OTHER_REPS = "given to other reps"
# The statuses in which a lead with an owner is worked through a cadence (as on a first owner).
_PURSUED = tuple(s for s in LeadStatus if s.is_open and s not in STOPPING_STATUSES)
Cancelled = Callable[[], bool]


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


class FollowUpChecks:
    """The checks of :class:`app.services.followup_service.FollowUpService` that Leadline runs
    by itself; the service provides these attributes."""

    context: ServiceContext
    db: Database
    cadences: CadenceService
    routing: RoutingService
    _follow_up_restored: bool

    # -- first-touch service levels -----------------------------------------------------------------------
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
            history.add_notes([(lead.id, f"First-touch deadline set: due {note_time(deadline)} "
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
            (lead.id, f"First touch missed: due {note_time(lead.first_touch_due_at)}"
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


def note_time(when: dt.datetime | None) -> str:
    """A moment as history notes show it."""
    return when.strftime("%Y-%m-%d %H:%M UTC") if when else "—"


def _leads(count: int) -> str:
    return f"{count:,} lead" if count == 1 else f"{count:,} leads"


def _stop_if(cancelled: Cancelled | None, job: str, done: int) -> None:
    if cancelled is not None and cancelled():
        raise FollowUpCancelledError(f"{job} stopped after {done:,} leads; what was done is "
                                     "saved and the next check does the rest.")
