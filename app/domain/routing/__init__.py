"""Distribution (PRODUCT.md, stage 4): routing rules, round robin and least-open inside a team,
queues for the rest, and the plan of what moves when rules are re-applied to existing leads.

Guarantees the rest of the app builds on:
- every Assignment names an owner or a queue, never neither: a lead no rule routes lands in
  the catch-all queue, so orphans cannot arise from routing;
- the first enabled rule in position order that matches wins, whatever index finds it;
- re-applying rules is a plan (a list of Moves) that callers apply as is, so the preview is
  the change; applying a plan and planning again moves nothing.
"""

from app.domain.routing.conditions import Condition, ConditionKind, Predicate, RoutingFacts
from app.domain.routing.reassignment import plan_reassignment
from app.domain.routing.router import Router
from app.domain.routing.targets import (
    DEFAULT_AFFECTED_STATUSES,
    Assignment,
    Member,
    Move,
    Roster,
    RoutingRule,
    TargetKind,
    rule_order,
)

__all__ = [
    "Assignment",
    "Condition",
    "ConditionKind",
    "DEFAULT_AFFECTED_STATUSES",
    "Member",
    "Move",
    "Predicate",
    "Roster",
    "Router",
    "RoutingFacts",
    "RoutingRule",
    "TargetKind",
    "plan_reassignment",
    "rule_order",
]
