"""Distribution: the routing rules, automatic routing of new leads, recycling to nurture, and
what the assignment board shows. Moving existing leads (re-applying the rules, the manager's
assignments, undo) is the reassignment service this one builds on.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.domain.errors import NotFoundError, ValidationError, parse_choice
from app.domain.history import ActivityKind
from app.domain.ids import new_id
from app.domain.leads import LeadQuery, LeadStatus
from app.domain.people import QueueRecord, UserRecord
from app.domain.routing import (
    Assignment,
    Condition,
    Roster,
    Router,
    RoutingFacts,
    RoutingRule,
    TargetKind,
)
from app.domain.routing.index import RuleIndex
from app.services.audit_service import AuditService
from app.services.context import ServiceContext
from app.services.reassignment_service import AfterMoves, ReassignmentService, place_of
from app.services.settings_service import SettingsService
from app.storage.orm import Lead, RoutingRuleRow
from app.storage.repositories.distribution import (
    DistributionRepository,
    conditions_json,
    routing_rule_of,
)
from app.storage.repositories.history import HistoryRepository
from app.storage.repositories.leads import LeadRepository, record_of
from app.storage.repositories.people import PeopleRepository


@dataclass(frozen=True)
class RepWorkload:
    user: UserRecord
    open_leads: int
    overdue_tasks: int

    @property
    def at_capacity(self) -> bool:
        return self.user.capacity is not None and self.open_leads >= self.user.capacity


@dataclass(frozen=True)
class QueueCount:
    queue: QueueRecord | None  # None: open leads with neither owner nor queue (true orphans)
    open_leads: int


class RoutingService(ReassignmentService):
    """The rules, how new leads are routed, and what the assignment board shows, on top of the
    reassignment moves."""

    def __init__(self, context: ServiceContext, settings: SettingsService, audit: AuditService,
                 *, after_moves: AfterMoves | None = None,
                 before_big_operation: Callable[[str], object] | None = None) -> None:
        super().__init__(context, audit, after_moves=after_moves,
                         before_big_operation=before_big_operation)
        self.settings = settings
        self._compiled: tuple[tuple[RoutingRule, ...], RuleIndex] | None = None

    # -- rules --------------------------------------------------------------------------------
    def rules(self) -> list[RoutingRule]:
        with self.db.read() as session:
            return DistributionRepository(session).routing_rules()

    def add_rule(self, name: str, conditions: Sequence[Condition], target_kind: TargetKind | str,
                 target_id: uuid.UUID, *, position: int | None = None,
                 enabled: bool = True) -> RoutingRule:
        name = name.strip()
        if not name:
            raise ValidationError.single("name", "is empty: give the rule a name")
        kind = parse_choice(TargetKind, target_kind, "target_kind")
        now, device = self.context.clock(), self.context.device_id
        with self.db.write() as session:
            self._check_target(session, kind, target_id)
            repo = DistributionRepository(session)
            rows = repo.routing_rule_rows()
            if position is None:
                position = (max((r.position for r in rows), default=0) + 10)
            row = RoutingRuleRow(id=new_id(), name=name[:100], position=position,
                                 conditions=conditions_json(conditions),
                                 target_kind=kind.value, target_id=target_id, enabled=enabled,
                                 updated_at=now, device_id=device)
            repo.add_routing_rule(row)
            session.flush()
            return routing_rule_of(row)

    def update_rule(self, rule_id: uuid.UUID, *, name: str | None = None,
                    conditions: Sequence[Condition] | None = None,
                    target_kind: TargetKind | str | None = None,
                    target_id: uuid.UUID | None = None,
                    enabled: bool | None = None) -> RoutingRule:
        now, device = self.context.clock(), self.context.device_id
        with self.db.write() as session:
            row = self._rule_row(session, rule_id)
            if name is not None:
                if not name.strip():
                    raise ValidationError.single("name", "is empty: give the rule a name")
                row.name = name.strip()[:100]
            if conditions is not None:
                row.conditions = conditions_json(conditions)
            if target_kind is not None or target_id is not None:
                kind = parse_choice(TargetKind, target_kind or row.target_kind, "target_kind")
                target = target_id or row.target_id
                self._check_target(session, kind, target)
                row.target_kind, row.target_id = kind.value, target
            if enabled is not None:
                row.enabled = enabled
            row.updated_at, row.device_id = now, device
            return routing_rule_of(row)

    def delete_rule(self, rule_id: uuid.UUID) -> None:
        now = self.context.clock()
        with self.db.write() as session:
            row = self._rule_row(session, rule_id)
            row.deleted_at = row.updated_at = now
            row.device_id = self.context.device_id

    def move_rule(self, rule_id: uuid.UUID, step: int) -> list[RoutingRule]:
        """Move a rule up (step < 0) or down in the order; positions are renumbered 10, 20…"""
        now, device = self.context.clock(), self.context.device_id
        with self.db.write() as session:
            rows = DistributionRepository(session).routing_rule_rows()
            index = next((i for i, r in enumerate(rows) if r.id == rule_id), None)
            if index is None:
                raise NotFoundError(f"No routing rule with id {rule_id}")
            target = max(0, min(len(rows) - 1, index + step))
            rows.insert(target, rows.pop(index))
            for position, row in enumerate(rows, start=1):
                if row.position != position * 10:
                    row.position, row.updated_at, row.device_id = position * 10, now, device
        return self.rules()

    def _rule_row(self, session: Session, rule_id: uuid.UUID) -> RoutingRuleRow:
        row = DistributionRepository(session).routing_rule_row(rule_id)
        if row is None or row.deleted_at is not None:
            raise NotFoundError(f"No routing rule with id {rule_id}")
        return row

    @staticmethod
    def _check_target(session: Session, kind: TargetKind, target_id: uuid.UUID) -> None:
        people = PeopleRepository(session)
        found = {TargetKind.USER: people.user, TargetKind.TEAM: people.team,
                 TargetKind.QUEUE: people.queue}[kind](target_id)
        if found is None or found.deleted_at is not None:
            raise ValidationError.single("target", f"no {kind.value} with id {target_id}")
    # -- new leads ----------------------------------------------------------------------------
    def lead_saved(self, session: Session, lead: Lead, created: bool) -> None:
        """Route a just-captured lead with no owner and no queue (if automatic routing is on)."""
        if not created or not self.settings.get_bool("routing.auto_on_capture"):
            return
        if lead.owner_id is not None or lead.queue_id is not None:
            return
        session.flush()
        lead_id, record = lead.id, record_of(lead)
        self.ensure_catch_all_in(session)
        result, router = self._route_new_lead(session, RoutingFacts.of_lead(record))
        now = self.context.clock()
        previous_owner, previous_queue = lead.owner_id, lead.queue_id
        lead.owner_id, lead.team_id, lead.queue_id = (result.owner_id,
                                                      result.team_id or lead.team_id,
                                                      result.queue_id)
        names = self._names(session)
        HistoryRepository(session).record(
            lead_id, ActivityKind.OWNER_CHANGED, now=now, device=self.context.device_id,
            actor=self.context.current_user_id, field="owner",
            old_value=place_of(previous_owner, previous_queue, names),
            new_value=place_of(result.owner_id, result.queue_id, names), text=result.reason)
        DistributionRepository(session).save_round_robin_state(router.state(), now,
                                                               self.context.device_id)
        session.flush()

    def _route_new_lead(self, session: Session, facts: RoutingFacts
                        ) -> tuple[Assignment, Router]:
        """Where a new lead goes, and the router holding the turns it took.

        Routed once without waiting; when that took a team's round-robin turn, the team's
        pointer is locked and re-read (another save may have moved it meanwhile) and the lead
        routed again from there. So saves wait only for the same team's turn, and only for the
        rest of each other's transaction, never for reading the roster and workload."""
        repo = DistributionRepository(session)
        repo.share_routing_turn()
        people = PeopleRepository(session)
        # Only the members the matched rule considers are counted, and only up to their
        # capacity: counting every rep's open leads cost a scan of the whole lead table.
        roster = Roster.counted_on_demand(people.users(), people.teams(), people.queues(),
                                          repo.open_leads_of)
        rules, pointers = repo.routing_rules(), repo.round_robin_state()
        index = self._rule_index(rules)
        router = Router(rules, roster, pointers, index)
        result = router.route(facts)
        turn = result.team_id
        if turn is None or router.state().get(turn) == pointers.get(turn):
            return result, router  # no round-robin turn taken: nothing to hand out twice
        latest = repo.lock_round_robin_turn(turn)
        if latest == pointers.get(turn):
            return result, router
        pointers = {**pointers, turn: latest} if latest is not None else {
            team: last for team, last in pointers.items() if team != turn}
        router = Router(rules, roster, pointers, index)
        return router.route(facts), router

    def _rule_index(self, rules: list[RoutingRule]) -> RuleIndex:
        """The rules compiled, again only when they changed since the last new lead."""
        current = tuple(rules)
        if self._compiled is None or self._compiled[0] != current:
            self._compiled = (current, RuleIndex(current))
        return self._compiled[1]

    # -- not ready now ------------------------------------------------------------------------
    def recycle(self, lead_id: uuid.UUID, reason: str, come_back_on: dt.date) -> None:
        """Not ready now: to nurture with a reason and the date it comes back to its owner."""
        if not reason.strip():
            raise ValidationError.single("reason", "is empty: say why the lead goes to nurture")
        if come_back_on <= self.context.clock().date():
            raise ValidationError.single("come_back_on", "must be in the future")
        from app.services.lead_service import LeadService

        leads = LeadService(self.context)
        with self.db.write() as session:
            leads.update_in(session, lead_id, {"status": LeadStatus.NURTURE.value,
                                               "come_back_on": come_back_on.isoformat()})
            now = self.context.clock()
            HistoryRepository(session).record(
                lead_id, ActivityKind.NOTE, now=now, device=self.context.device_id,
                actor=self.context.current_user_id,
                text=f"Recycled to nurture until {come_back_on.isoformat()}: {reason.strip()}")

    # -- what the assignment board shows -------------------------------------------------------
    def workload(self) -> list[RepWorkload]:
        now = self.context.clock()
        with self.db.read() as session:
            repo = DistributionRepository(session)
            open_leads, overdue = repo.open_leads_by_owner(), repo.overdue_tasks_by_owner(now)
            users = PeopleRepository(session).users()
        return [RepWorkload(u, open_leads.get(u.id, 0), overdue.get(u.id, 0)) for u in users
                if u.role.value in ("rep", "manager")]

    def queue_counts(self) -> list[QueueCount]:
        with self.db.read() as session:
            counts = DistributionRepository(session).open_leads_by_queue()
            queues = PeopleRepository(session).queues()
        found = [QueueCount(q, counts.get(q.id, 0)) for q in queues]
        return [QueueCount(None, counts.get(None, 0)), *found]

    def orphan_count(self) -> int:
        """Leads waiting for follow-up that nobody can work: no owner and no queue, or an
        away/inactive owner. Exactly the leads ``LeadQuery(orphaned=True)`` lists, counted as
        the true orphans plus each unavailable owner's share, so each part walks the owner
        index instead of every lead."""
        now = self.context.clock()
        with self.db.read() as session:
            leads = LeadRepository(session)
            unavailable = DistributionRepository(session).unavailable_owner_ids()
            return leads.count(LeadQuery(orphaned=True, unassigned=True, no_queue=True), now) \
                + sum(leads.count(LeadQuery(orphaned=True, owner_id=owner), now)
                      for owner in unavailable)



