"""Moving leads that already exist, each step one undoable assignment run: re-applying the
routing rules (preview, then apply exactly that plan), the manager's assignments and hand-backs,
the moves Leadline makes on its own, and undo.

Every move writes an owner-change row in the lead's history saying who did it and why (which
rule, or the manager's reason); a run remembers each move and the round-robin pointers, so the
whole step can be undone.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.orm import Session

from app.domain.audit import AuditAction
from app.domain.errors import ConflictError, NotFoundError, ValidationError
from app.domain.history import APP_ACTOR_ID, ActivityKind
from app.domain.ids import new_id
from app.domain.leads import LeadStatus
from app.domain.people import QueueRecord
from app.domain.progress import CancelCheck, CancelledError, Progress, report
from app.domain.routing import (
    DEFAULT_AFFECTED_STATUSES,
    Move,
    Roster,
    Router,
    RoutingFacts,
    plan_reassignment,
)
from app.services.audit_service import AuditService
from app.services.context import ServiceContext
from app.storage.db import driver_of
from app.storage.orm import AssignmentRun, Queue
from app.storage.repositories.audit import AuditRepository
from app.storage.repositories.bulk_rows import utc_text
from app.storage.repositories.distribution import DistributionRepository, iter_routing_facts
from app.storage.repositories.history import HistoryRepository
from app.storage.repositories.leads import LeadRepository
from app.storage.repositories.people import PeopleRepository
from app.storage.repositories.routing import write_moves

CATCH_ALL_NAME = "Inbox"

class AfterMoves(Protocol):
    """What follows leads that changed hands, in the same transaction (their follow-up tasks);
    ``automatic`` when Leadline moved them on its own."""

    def __call__(self, session: Session, lead_ids: Sequence[uuid.UUID], *,
                 automatic: bool = False) -> None: ...


@dataclass(frozen=True)
class Preview:
    moves: tuple[Move, ...]
    considered: int
    seconds: float


@dataclass(frozen=True)
class RunResult:
    run_id: uuid.UUID | None  # None when nothing moved
    moves: tuple[Move, ...]


class ReassignmentService:
    """The roster and router every move is planned with, and the moves themselves, each set one
    assignment run. ``RoutingService`` extends it with the rules, new leads and the board, and
    is what the composition root builds (one object, so both share the hooks below)."""

    def __init__(self, context: ServiceContext, audit: AuditService, *,
                 after_moves: AfterMoves | None = None,
                 before_big_operation: Callable[[str], object] | None = None) -> None:
        self.context, self.audit = context, audit
        self.db = context.db
        # Moved leads' follow-up tasks go with them (cadences).
        self.after_moves = after_moves
        # A backup before re-applying the rules.
        self.before_big_operation = before_big_operation

    # -- the roster and the router ------------------------------------------------------------
    def ensure_catch_all(self) -> QueueRecord:
        """The queue leads land in when no rule routes them: created on first need."""
        with self.db.write() as session:
            people = PeopleRepository(session)
            for queue in people.queues():
                if queue.is_catch_all:
                    return queue
            now = self.context.clock()
            row = Queue(id=new_id(), name=CATCH_ALL_NAME, is_catch_all=True, updated_at=now,
                        device_id=self.context.device_id)
            people.add_queue(row)
            return QueueRecord(row.id, row.name, None, True)

    def _router(self, session: Session, *, writing: bool = False) -> Router:
        people = PeopleRepository(session)
        repo = DistributionRepository(session)
        if writing:
            repo.take_routing_turn()
        roster = Roster.of(people.users(), people.teams(), people.queues(),
                           repo.open_leads_by_owner())
        return Router(repo.routing_rules(), roster, repo.round_robin_state())

    def place_names(self) -> dict[uuid.UUID, str]:
        """How owners and queues read in history: "Anna Weber", "queue Inbox"."""
        with self.db.read() as session:
            return self._names(session)

    def _names(self, session: Session) -> dict[uuid.UUID, str]:
        people = PeopleRepository(session)
        names = {u.id: u.name for u in people.users()}
        names.update({q.id: f"queue {q.name}" for q in people.queues()})
        return names

    def ensure_catch_all_in(self, session: Session) -> QueueRecord:
        """``ensure_catch_all`` inside the caller's transaction."""
        people = PeopleRepository(session)
        found = next((q for q in people.queues() if q.is_catch_all), None)
        if found is not None:
            return found
        row = Queue(id=new_id(), name=CATCH_ALL_NAME, is_catch_all=True,
                    updated_at=self.context.clock(), device_id=self.context.device_id)
        people.add_queue(row)
        session.flush()
        return QueueRecord(row.id, row.name, None, True)

    def router_for_batch(self) -> Router:
        """A router with the current rules and workload, for routing an import's new leads."""
        self.ensure_catch_all()
        with self.db.read() as session:
            return self._router(session)
    # -- re-applying the rules ----------------------------------------------------------------
    def preview(self, statuses: Iterable[LeadStatus] | None = None, *,
                progress: Progress | None = None,
                cancelled: CancelCheck | None = None) -> Preview:
        """Exactly what ``apply`` would move, from whom to whom and why; changes nothing."""
        self.ensure_catch_all()
        started = time.perf_counter()
        with self.db.read() as session:
            router = self._router(session)
            connection = driver_of(session)
            # Progress against the open leads that have an owner (known from the roster's
            # workload): close enough, and counting exactly would cost another full scan.
            counter = _Counter(progress, sum(router.open_counts().values()), cancelled)
            affected = _affected(statuses)
            moves = plan_reassignment(counter.wrap(iter_routing_facts(
                connection, statuses_or_orphans=affected, fields=router.fields_used())),
                router, affected)
        return Preview(tuple(moves), counter.seen, time.perf_counter() - started)

    def apply(self, statuses: Iterable[LeadStatus] | None = None, *,
              expected: Sequence[Move] | None = None,
              description: str = "Routing rules re-applied") -> RunResult:
        """Re-apply the rules in one transaction, as one undoable run.

        With ``expected`` (the moves a preview showed), refuses if the plan changed since,
        so what a manager approved is exactly what happens.
        """
        if self.before_big_operation is not None:
            self.before_big_operation("reassign")
        self.ensure_catch_all()
        with self.db.write() as session:
            repo = DistributionRepository(session)
            repo.take_routing_turn()
            pointers_before = repo.round_robin_state()
            router = self._router(session)
            affected = _affected(statuses)
            moves = plan_reassignment(iter_routing_facts(
                driver_of(session), statuses_or_orphans=affected, fields=router.fields_used()),
                router, affected)
            if expected is not None and list(expected) != moves:
                raise ConflictError("Leads or rules changed since the preview: preview again "
                                    "before applying.")
            run_id = self._record_moves(session, moves, description) if moves else None
            pointers_after = router.state()
            repo.save_round_robin_state(pointers_after, self.context.clock(),
                                        self.context.device_id)
            if run_id is not None:
                repo.remember_round_robin(run_id, pointers_before, pointers_after)
            self.audit.add_to(AuditRepository(session), AuditAction.REASSIGN_ALL, description,
                              len(moves))
        return RunResult(run_id, tuple(moves))

    def record_automatic_moves_in(self, session: Session, moves: Sequence[Move],
                                  description: str, run_id: uuid.UUID | None = None
                                  ) -> uuid.UUID:
        """Moves Leadline makes on its own (escalations, nurture returns), recorded as the
        app's, in the caller's transaction. A job that commits batch by batch passes the run id
        the first batch got, so all its moves stay one undoable run."""
        HistoryRepository(session).ensure_app_actor(self.context.clock(), self.context.device_id)
        return self._record_moves(session, moves, description, automatic=True, run_id=run_id)

    def reroute_in(self, session: Session, passed_over: dict[uuid.UUID, uuid.UUID],
                   reason: str) -> list[Move]:
        """Where the rules send these leads now, never back to the rep each is mapped to (the
        owner who missed its first touch); the moves to record, round robin moved on."""
        self.ensure_catch_all_in(session)
        router = self._router(session, writing=True)
        moves = []
        for facts in iter_routing_facts(driver_of(session), open_only=False,
                                        lead_ids=list(passed_over), fields=router.fields_used()):
            placed = router.route(facts, pass_over=passed_over[facts.lead_id])
            if (placed.owner_id, placed.queue_id) != (facts.owner_id, facts.queue_id):
                moves.append(Move(facts.lead_id, facts.owner_id, placed.owner_id,
                                  facts.queue_id, placed.queue_id, placed.rule_id,
                                  placed.rule_name, f"{reason}: {placed.reason}",
                                  placed.team_id))
        DistributionRepository(session).save_round_robin_state(
            router.state(), self.context.clock(), self.context.device_id)
        return moves

    def _record_moves(self, session: Session, moves: Sequence[Move], description: str, *,
                      automatic: bool = False, run_id: uuid.UUID | None = None) -> uuid.UUID:
        now, device = self.context.clock(), self.context.device_id
        actor = APP_ACTOR_ID if automatic else self.context.current_user_id
        names = self._names(session)
        run = DistributionRepository(session).run(run_id) if run_id is not None else None
        if run is None:
            run_id = new_id()
            session.add(AssignmentRun(id=run_id, started_at=now, actor_id=actor,
                                      description=description[:300], moved=len(moves),
                                      updated_at=now, device_id=device))
        else:
            run.moved += len(moves)
            run.updated_at, run.device_id = now, device
        assert run_id is not None
        session.flush()
        now_text, device_hex = utc_text(now), device.hex
        write_moves(session, run_id, moves, [
            _owner_change_row(m.lead_id, m.from_owner_id, m.to_owner_id, m.from_queue_id,
                              m.to_queue_id, m.reason, names, now_text, device_hex, actor)
            for m in moves], now_text=now_text, device_hex=device_hex)
        if self.after_moves is not None:
            self.after_moves(session, [m.lead_id for m in moves], automatic=automatic)
        return run_id

    def undo(self, run_id: uuid.UUID) -> int:
        """Put every lead of a run back where it was, unless it was moved again since."""
        now, device = self.context.clock(), self.context.device_id
        with self.db.write() as session:
            repo = DistributionRepository(session)
            run = repo.run(run_id)
            if run is None:
                raise NotFoundError(f"No assignment run with id {run_id}")
            if run.undone_at is not None:
                raise ConflictError(f"That assignment run was already undone on "
                                    f"{run.undone_at.date().isoformat()}")
            back = []
            for move in repo.moves(run_id):
                lead = LeadRepository(session).find(move.lead_id)
                if lead is None or (lead.owner_id, lead.queue_id) != (move.to_owner_id,
                                                                      move.to_queue_id):
                    continue  # someone moved it since: their decision stands
                back.append(Move(move.lead_id, move.to_owner_id, move.from_owner_id,
                                 move.to_queue_id, move.from_queue_id, None, "",
                                 f"undo: {run.description}", move.from_team_id))
            run.undone_at = run.updated_at = now
            run.device_id = device
            if back:
                self._record_moves(session, back, f"Undo of: {run.description}")
            # The rotation goes back too, for every team nobody routed a lead to since.
            repo.rewind_round_robin(run, now, device)
        return len(back)
    # -- the manager's hand -------------------------------------------------------------------
    def assign(self, lead_ids: Sequence[uuid.UUID], *, owner_id: uuid.UUID | None = None,
               queue_id: uuid.UUID | None = None, reason: str = "") -> RunResult:
        """Give leads to a rep (or put them in a queue), with the manager's reason; undoable."""
        if (owner_id is None) == (queue_id is None):
            raise ValidationError.single("target", "choose either a rep or a queue")
        with self.db.write() as session:
            people = PeopleRepository(session)
            team_id = None
            if owner_id is not None:
                user = people.user(owner_id)
                if user is None or user.deleted_at is not None:
                    raise NotFoundError(f"No user with id {owner_id}")
                team_id, target = user.team_id, user.name
            else:
                assert queue_id is not None
                queue = people.queue(queue_id)
                if queue is None or queue.deleted_at is not None:
                    raise NotFoundError(f"No queue with id {queue_id}")
                target = f"queue {queue.name}"
            actor = self._actor_name(session)
            why = f"assigned to {target} by {actor}" + (f": {reason.strip()}" if reason.strip()
                                                        else "")
            moves = []
            for lead_id in lead_ids:
                lead = LeadRepository(session).find(lead_id)
                if lead is None:
                    raise NotFoundError(f"No lead with id {lead_id}")
                if (lead.owner_id, lead.queue_id) != (owner_id, queue_id):
                    moves.append(Move(lead_id, lead.owner_id, owner_id, lead.queue_id, queue_id,
                                      None, "", why, team_id))
            run_id = self._record_moves(session, moves, why) if moves else None
        return RunResult(run_id, tuple(moves))

    def hand_back(self, lead_id: uuid.UUID, reason: str) -> RunResult:
        """A rep returns a lead: it goes to their team's queue, or the catch-all queue."""
        if not reason.strip():
            raise ValidationError.single("reason", "is empty: say why the lead goes back")
        catch_all = self.ensure_catch_all()
        with self.db.read() as session:
            lead = LeadRepository(session).record(lead_id)
            if lead is None:
                raise NotFoundError(f"No lead with id {lead_id}")
            queues = PeopleRepository(session).queues()
        team = lead.team_id
        queue = next((q for q in queues if team is not None and q.team_id == team
                      and not q.is_catch_all), catch_all)
        return self.assign([lead_id], queue_id=queue.id, reason=f"handed back: {reason.strip()}")

    def _actor_name(self, session: Session) -> str:
        actor = self.context.current_user_id
        user = PeopleRepository(session).user(actor) if actor else None
        return user.name if user else "an administrator"


def _owner_change_row(lead_id: uuid.UUID, from_owner: uuid.UUID | None,
                      to_owner: uuid.UUID | None, from_queue: uuid.UUID | None,
                      to_queue: uuid.UUID | None, reason: str, names: dict[uuid.UUID, str],
                      now_text: str, device_hex: str, actor: uuid.UUID | None
                      ) -> tuple[object, ...]:
    return (new_id().hex, lead_id.hex, ActivityKind.OWNER_CHANGED.value, now_text, _hex(actor),
            "owner", place_of(from_owner, from_queue, names), place_of(to_owner, to_queue, names),
            reason[:2000], now_text, device_hex)


def place_of(owner: uuid.UUID | None, queue: uuid.UUID | None, names: dict[uuid.UUID, str]) -> str:
    """How an owner or queue reads in history: "Anna Weber", "queue Inbox", or "" for neither."""
    if owner is not None:
        return names.get(owner, "unknown user")
    return names.get(queue, "") if queue is not None else ""


def _hex(value: uuid.UUID | None) -> str | None:
    return value.hex if value is not None else None


def _affected(statuses: Iterable[LeadStatus] | None) -> frozenset[LeadStatus]:
    return DEFAULT_AFFECTED_STATUSES if statuses is None else frozenset(statuses)


class _Counter:
    """Counts facts as the planner pulls them; every 20,000 leads reports progress and stops
    if the person cancelled."""

    def __init__(self, progress: Progress | None, total: int,
                 cancelled: CancelCheck | None = None) -> None:
        self.progress, self.total, self.cancelled, self.seen = progress, total, cancelled, 0

    def wrap(self, facts: Iterable[RoutingFacts]) -> Iterable[RoutingFacts]:
        for item in facts:
            self.seen += 1
            if self.seen % 20_000 == 0:
                if self.cancelled is not None and self.cancelled():
                    raise PreviewCancelledError("Preview cancelled: nothing was changed.")
                report(self.progress, self.seen, max(self.total, self.seen))
            yield item


class PreviewCancelledError(CancelledError):
    """The preview was cancelled; the reassign dialog tells it apart from a failed one."""

