"""The Router: first matching enabled rule wins; round robin or least-open inside a team; catch-all queue."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping

from app.domain.errors import ValidationError
from app.domain.people import Availability, QueueRecord, RoutingMode, TeamRecord
from app.domain.routing.conditions import _FIELDS_OF, RoutingFacts
from app.domain.routing.index import RuleIndex, _Compiled
from app.domain.routing.targets import Assignment, Member, Roster, RoutingRule, TargetKind

_MODE_WORDS = {RoutingMode.ROUND_ROBIN: "round robin", RoutingMode.LEAST_OPEN: "least open leads"}


class Router:
    """Rules and roster compiled for routing many leads; keeps working state for a batch
    (open counts, round-robin pointers), so capacity holds across the leads it routes."""

    def __init__(self, rules: Iterable[RoutingRule], roster: Roster,
                 round_robin_state: Mapping[uuid.UUID, uuid.UUID] | None = None,
                 index: RuleIndex | None = None) -> None:
        """``index``: these rules already compiled (a RuleIndex keeps no routing state), so
        routing one lead at a time does not compile the same rules again for each."""
        catch_alls = sorted((q for q in roster.queues if q.is_catch_all),
                            key=lambda q: (q.name.casefold(), q.id.int))
        if not catch_alls:
            raise ValidationError.single("queues", "create a catch-all queue first: leads that "
                                                   "no rule routes must land somewhere")
        self._catch_all = catch_alls[0]
        self._users = {m.id: m for m in roster.members}
        self._teams = {t.id: t for t in roster.teams}
        self._queues = {q.id: q for q in roster.queues}
        self._team_queue: dict[uuid.UUID, QueueRecord] = {}
        for q in sorted(roster.queues, key=lambda q: (q.is_catch_all, q.name.casefold(), q.id.int)):
            if q.team_id is not None:
                self._team_queue.setdefault(q.team_id, q)
        members: dict[uuid.UUID, list[Member]] = {}
        for m in sorted(roster.members, key=lambda m: (m.name.casefold(), m.id.int)):
            if m.team_id is not None:
                members.setdefault(m.team_id, []).append(m)
        # Working state keyed by the ids' integers: uuid.UUID hashes in Python code, and a
        # preview over half a million leads does about twenty of these lookups per lead.
        self._order = {m.id.int: i for team in members.values() for i, m in enumerate(team)}
        self._open = {} if roster.count_open_leads else {m.id.int: m.open_leads
                                                          for m in roster.members}
        # Counted on demand (routing one new lead): what this batch took or released from
        # members not counted yet, and counts that stopped at their bound (capacity + 1).
        self._count_open_leads = roster.count_open_leads
        self._pending: dict[int, int] = {}
        self._bounded: dict[int, int] = {}
        self._last = {team.int: last.int for team, last in (round_robin_state or {}).items()}
        self._members_by_team = {team.int: in_team for team, in_team in members.items()}
        # Teams where nobody could take a lead, with the reason: once every member is full or
        # away, the next leads skip the scan until a release frees room in that team.
        self._team_full: dict[int, str] = {}
        self._passed_over: int | None = None
        self._team_of = {m.id.int: m.team_id.int for m in roster.members if m.team_id}

        self._index = index if index is not None else RuleIndex(rules)

    # ---- matching ---------------------------------------------------------------------------

    def fields_used(self) -> frozenset[str]:
        """The RoutingFacts fields these rules look at (plus what placement always needs), so
        a reader of a million leads can skip the rest."""
        used = {"lead_id", "status", "owner_id", "queue_id"}
        for compiled in self._index.rules:
            for condition in compiled.rule.conditions:
                used |= _FIELDS_OF[condition.kind]
        return frozenset(used)

    def match(self, facts: RoutingFacts) -> RoutingRule | None:
        """The first enabled rule in position order whose conditions all hold, or None."""
        compiled = self._index.match(facts)
        return compiled.rule if compiled else None

    # ---- routing ------------------------------------------------------------------------------

    def route(self, facts: RoutingFacts, keep_current: bool = False,
              pass_over: uuid.UUID | None = None) -> Assignment:
        """Where the lead goes. With ``keep_current`` a lead already with an acceptable owner
        (or in the rule's queue) stays, without counting it again or moving round robin on.
        ``pass_over`` is a rep who must not get it (the owner who missed its first touch)."""
        compiled = self._index.match(facts)
        if keep_current:
            kept = self._kept(facts, compiled)
            if kept is not None:
                return kept
            self._release(facts)
        if pass_over is None:
            return self._place(facts, compiled)
        full_before = dict(self._team_full)
        self._passed_over = pass_over.int
        try:
            return self._place(facts, compiled)
        finally:
            self._passed_over = None
            self._team_full = full_before  # "team full" held only while they were passed over

    def state(self) -> dict[uuid.UUID, uuid.UUID]:
        """Round-robin pointers (team → last user given a lead), to persist after a batch."""
        return {uuid.UUID(int=team): uuid.UUID(int=last) for team, last in self._last.items()}

    def open_counts(self) -> dict[uuid.UUID, int]:
        """Members' open leads as this batch leaves them (counted on demand: those counted)."""
        return {uuid.UUID(int=user): count for user, count in self._open.items()}

    def _count(self, member: Member) -> int:
        count = self._open.get(member.id.int)
        if count is None:
            self._count_members((member,))
            count = self._open[member.id.int]
        return count

    def _count_members(self, members: Iterable[Member]) -> None:
        """Count the open leads of those not counted yet, in one call. Bounded by capacity + 1
        (whether they have room), unless a release this batch makes the exact count matter."""
        counter = self._count_open_leads
        if counter is None:
            return
        bounds = {m.id: None if m.capacity is None or m.id.int in self._pending
                  else m.capacity + 1 for m in members if m.id.int not in self._open}
        if not bounds:
            return
        counted = counter(bounds)
        for user, bound in bounds.items():
            count = counted.get(user, 0)
            key = user.int
            if bound is not None and count >= bound:
                self._bounded[key] = count
            self._open[key] = count + self._pending.pop(key, 0)

    def _take(self, member: Member) -> None:
        key = member.id.int
        if key in self._open:
            self._open[key] += 1
        else:
            self._pending[key] = self._pending.get(key, 0) + 1

    def is_orphan(self, facts: RoutingFacts) -> bool:
        """An open lead whose owner cannot work it (away, inactive, unknown), or that has
        neither owner nor queue."""
        if not facts.status.is_open:
            return False
        if facts.owner_id is None:
            return facts.queue_id is None
        owner = self._users.get(facts.owner_id)
        return owner is None or owner.availability is not Availability.ACTIVE

    def _release(self, facts: RoutingFacts) -> None:
        """The lead leaves its owner: one open lead fewer for them in this batch."""
        owner = facts.owner_id
        if owner is not None and facts.status.is_open:
            key = owner.int
            if key in self._open:
                self._open[key] -= 1
                if key in self._bounded:  # "at least the bound" less one says nothing: recount
                    self._pending[key] = self._open.pop(key) - self._bounded.pop(key)
                if self._team_full:
                    self._team_full.pop(self._team_of.get(key, 0), None)
            elif self._count_open_leads is not None and owner in self._users:
                self._pending[key] = self._pending.get(key, 0) - 1
                if self._team_full:
                    self._team_full.pop(self._team_of.get(key, 0), None)

    def _fits(self, member: Member, already_theirs: bool) -> bool:
        if member.availability is not Availability.ACTIVE or member.id.int == self._passed_over:
            return False
        if member.capacity is None:
            return True
        count = self._open.get(member.id.int)
        if count is None:
            count = self._count(member)
        return count <= member.capacity if already_theirs else count < member.capacity

    def _keeps(self, facts: RoutingFacts, compiled: _Compiled | None) -> bool:
        """Whether the matched rule could have produced the lead's current placement: the
        named user, an active teammate with room (counting this lead as already theirs), or
        the rule's queue. No state changes: keeping moves no counter and no pointer."""
        owner_id = facts.owner_id
        if compiled is None:
            # No rule claims the lead: where a person put it stands, as long as someone can
            # work it there (an active owner with room, or any existing queue).
            if owner_id is None:
                return facts.queue_id in self._queues
            owner = self._users.get(owner_id)
            return owner is not None and self._fits(owner, already_theirs=True)
        rule = compiled.rule
        kind = rule.target_kind
        if kind is TargetKind.QUEUE:
            return (owner_id is None and facts.queue_id == rule.target_id
                    and rule.target_id in self._queues)
        if owner_id is None:
            return False
        owner = self._users.get(owner_id)
        if owner is None or not self._fits(owner, already_theirs=True):
            return False
        if kind is TargetKind.USER:
            if owner_id == rule.target_id:
                return True
            named = self._users.get(rule.target_id)
            team_id = named.team_id if named is not None else None
        else:
            team_id = rule.target_id
        # A teammate is acceptable too: the rule's fallback (or its team) could have chosen
        # them, and taking the lead from them to give it to a colleague helps nobody.
        return team_id is not None and owner.team_id == team_id and team_id in self._teams

    def _kept(self, facts: RoutingFacts, compiled: _Compiled | None) -> Assignment | None:
        """The current placement as an Assignment, if ``_keeps`` accepts it."""
        if not self._keeps(facts, compiled):
            return None
        if compiled is None:
            if facts.owner_id is not None:
                owner = self._users[facts.owner_id]
                return Assignment(owner.id, owner.team_id, None, None, "",
                                  f"no rule matched → kept with {owner.name}")
            assert facts.queue_id is not None
            queue = self._queues[facts.queue_id]
            return Assignment(None, queue.team_id, queue.id, None, "",
                              f"no rule matched → kept in queue {queue.name}")
        rule = compiled.rule
        if facts.owner_id is None:
            queue = self._queues[rule.target_id]
            return Assignment(None, queue.team_id, queue.id, rule.id, rule.name,
                              f"{compiled.prefix}queue {queue.name} (kept)")
        owner = self._users[facts.owner_id]
        if facts.owner_id == rule.target_id:
            return Assignment(owner.id, owner.team_id, None, rule.id, rule.name,
                              f"{compiled.prefix}{owner.name} (kept)")
        team = self._teams[owner.team_id] if owner.team_id is not None else None
        team_name = team.name if team is not None else ""
        return Assignment(owner.id, owner.team_id, None, rule.id, rule.name,
                          f"{compiled.prefix}team {team_name}: kept with {owner.name}")

    def _place(self, facts: RoutingFacts, compiled: _Compiled | None) -> Assignment:
        if compiled is None:
            return self._to_catch_all(None, "no rule matched → ")
        rule = compiled.rule
        prefix = compiled.prefix
        if rule.target_kind is TargetKind.QUEUE:
            queue = self._queues.get(rule.target_id)
            if queue is None:
                return self._to_catch_all(rule, prefix + "a queue that no longer exists, so ")
            return Assignment(None, queue.team_id, queue.id, rule.id, rule.name,
                              f"{prefix}queue {queue.name}")
        if rule.target_kind is TargetKind.TEAM:
            team = self._teams.get(rule.target_id)
            if team is None:
                return self._to_catch_all(rule, prefix + "a team that no longer exists, so ")
            return self._to_team(rule, team, prefix)
        user = self._users.get(rule.target_id)
        if user is None:
            return self._to_catch_all(rule, prefix + "a user who no longer exists, so ")
        if self._fits(user, already_theirs=False):
            self._take(user)
            return Assignment(user.id, user.team_id, None, rule.id, rule.name,
                              f"{prefix}{user.name}")
        if user.availability is not Availability.ACTIVE:
            why = f"{user.name} is {user.availability.value}"
        else:
            why = f"{user.name} is at capacity ({user.capacity} open leads)"
        team = self._teams.get(user.team_id) if user.team_id is not None else None
        if team is None:
            return self._to_catch_all(rule, f"{prefix}{user.name}; {why}, so ")
        return self._to_team(rule, team, f"{prefix}{user.name}; {why}, so ")

    def _to_catch_all(self, rule: RoutingRule | None, head: str) -> Assignment:
        queue = self._catch_all
        return Assignment(None, queue.team_id, queue.id, rule.id if rule else None,
                          rule.name if rule else "", f"{head}catch-all queue {queue.name}")

    def _to_team(self, rule: RoutingRule, team: TeamRecord, head: str) -> Assignment:
        team_key = team.id.int
        described = f"{head}team {team.name} ({_MODE_WORDS[team.routing_mode]})"
        why = self._team_full.get(team_key)
        chosen = None if why is not None else self._choose_member(team, team_key)
        if chosen is not None:
            self._take(chosen)
            return Assignment(chosen.id, team.id, None, rule.id, rule.name,
                              f"{described}: {chosen.name}")
        if why is None:
            members = self._members_by_team.get(team_key, ())
            away = sum(1 for m in members if m.availability is not Availability.ACTIVE)
            full = len(members) - away
            why = self._team_full[team_key] = (
                f"nobody can take it ({away} away or inactive, {full} at capacity)" if members
                else "the team has no members")
        queue = self._team_queue.get(team.id)
        if queue is None:
            return self._to_catch_all(rule, f"{described}: {why}, so ")
        return Assignment(None, team.id, queue.id, rule.id, rule.name,
                          f"{described}: {why}, so queue {queue.name}")

    def _choose_member(self, team: TeamRecord, team_key: int) -> Member | None:
        """Round robin from the member after the last one given a lead, or least open leads;
        only active members with room."""
        members = self._members_by_team.get(team_key, ())
        least_open = team.routing_mode is RoutingMode.LEAST_OPEN
        if self._count_open_leads is not None:  # one count for the members that need one
            self._count_members(m for m in members if m.availability is Availability.ACTIVE
                                and (least_open or m.capacity is not None))
        chosen: Member | None = None
        if least_open:
            counts = self._open
            best = -1
            for m in members:  # members are in stable order, so ties go to the first
                if self._fits(m, already_theirs=False) and (chosen is None
                                                            or counts[m.id.int] < best):
                    chosen, best = m, counts[m.id.int]
            return chosen
        size = len(members)
        last = self._last.get(team_key)
        start = self._order.get(last, -1) + 1 if last is not None else 0
        for step in range(size):
            m = members[(start + step) % size]
            if self._fits(m, already_theirs=False):
                self._last[team_key] = m.id.int
                return m
        return None
