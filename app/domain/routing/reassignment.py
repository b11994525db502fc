"""Re-applying rules to existing leads as a plan of Moves that callers apply as is."""

from __future__ import annotations

from collections.abc import Iterable

from app.domain.leads import LeadStatus
from app.domain.routing.conditions import RoutingFacts
from app.domain.routing.index import _Compiled
from app.domain.routing.router import Router
from app.domain.routing.targets import DEFAULT_AFFECTED_STATUSES, Move


def plan_reassignment(leads: Iterable[RoutingFacts], router: Router,
                      affected_statuses: frozenset[LeadStatus] = DEFAULT_AFFECTED_STATUSES
                      ) -> list[Move]:
    """What re-applying the rules would change, lead by lead: the preview and the change.

    Two passes make the plan a fixed point. First every affected lead either stays (its
    owner is still an acceptable result of the rule that now matches it, within capacity) or
    is released, which frees capacity for its old owner. Then the released leads are routed
    against the counts after all releases. Because the second pass only adds leads to members
    who have room, applying the plan and planning again finds every lead acceptable where it is.
    The router's working state (counts, round-robin pointers) is advanced; persist
    ``router.state()`` only when the plan is applied.
    """
    pending: list[tuple[RoutingFacts, _Compiled | None, bool]] = []
    is_orphan, match, keeps = router.is_orphan, router._index.match, router._keeps
    for facts in leads:
        if facts.status not in affected_statuses and not is_orphan(facts):
            continue
        compiled = match(facts)
        if keeps(facts, compiled):
            if facts.owner_id is not None and facts.queue_id is not None:
                pending.append((facts, compiled, True))  # kept owner; a stale queue to clear
        else:
            router._release(facts)
            pending.append((facts, compiled, False))
    moves: list[Move] = []
    for facts, compiled, kept in pending:
        result = (router._kept(facts, compiled) if kept else None) or router._place(facts, compiled)
        if result.owner_id != facts.owner_id or result.queue_id != facts.queue_id:
            moves.append(Move(facts.lead_id, facts.owner_id, result.owner_id, facts.queue_id,
                              result.queue_id, result.rule_id, result.rule_name, result.reason,
                              result.team_id))
    return moves
