"""What a routing rule points at, the team roster it picks from, and the Assignment and Move it yields."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from app.domain.leads import LeadStatus
from app.domain.people import Availability, QueueRecord, TeamRecord, UserRecord
from app.domain.routing.conditions import Condition


class TargetKind(StrEnum):
    USER = "user"
    TEAM = "team"
    QUEUE = "queue"

    @property
    def label(self) -> str:
        return self.value.capitalize()


@dataclass(frozen=True, slots=True)
class RoutingRule:
    id: uuid.UUID
    name: str
    position: int  # lower first; the first enabled matching rule wins
    conditions: tuple[Condition, ...]  # all must match; none matches every lead
    target_kind: TargetKind
    target_id: uuid.UUID
    enabled: bool = True

    def describe(self) -> str:
        return " and ".join(c.describe() for c in self.conditions) or "every lead"


def rule_order(rule: RoutingRule) -> tuple[int, str, int]:
    """Position, then name, then id: rules sharing a position still have one fixed order."""
    return (rule.position, rule.name.casefold(), rule.id.int)


@dataclass(frozen=True, slots=True)
class Member:
    """A user as routing sees them, with their current count of open leads.

    Only ACTIVE users receive leads. ``away_until`` is informational: the user is brought back
    (availability set to ACTIVE) by whoever manages absences, not guessed here from the date,
    so a routing result never depends on the clock.
    """

    id: uuid.UUID
    name: str
    availability: Availability = Availability.ACTIVE
    away_until: dt.date | None = None
    capacity: int | None = None  # open leads they can hold; None = unlimited
    team_id: uuid.UUID | None = None
    open_leads: int = 0

    @classmethod
    def of(cls, user: UserRecord, open_leads: int = 0) -> Member:
        return cls(user.id, user.name, user.availability, user.away_until, user.capacity,
                   user.team_id, open_leads)


# Open leads of the given owners, each counted up to its bound (None: exactly). A count may
# stop at its bound: capacity + 1 is all a capacity check needs, whatever the rep holds.
OpenLeadCounter = Callable[[Mapping[uuid.UUID, int | None]], Mapping[uuid.UUID, int]]


@dataclass(frozen=True, slots=True)
class Roster:
    members: tuple[Member, ...]
    teams: tuple[TeamRecord, ...]
    queues: tuple[QueueRecord, ...]
    # Set: members' open_leads are not read; the router counts only the members it considers,
    # when it first needs them (routing one new lead looks at one team, not every rep's leads).
    count_open_leads: OpenLeadCounter | None = None

    @classmethod
    def of(cls, users: Iterable[UserRecord], teams: Iterable[TeamRecord],
           queues: Iterable[QueueRecord], open_leads: Mapping[uuid.UUID, int]) -> Roster:
        return cls(tuple(Member.of(u, open_leads.get(u.id, 0)) for u in users), tuple(teams),
                   tuple(queues))

    @classmethod
    def counted_on_demand(cls, users: Iterable[UserRecord], teams: Iterable[TeamRecord],
                          queues: Iterable[QueueRecord],
                          count_open_leads: OpenLeadCounter) -> Roster:
        return cls(tuple(Member.of(u) for u in users), tuple(teams), tuple(queues),
                   count_open_leads)


# Assignment and Move are built once per lead in a re-assignment plan (half a million in the
# benchmark); frozen dataclasses cost three times as much to build. Treat them as read-only.
@dataclass(slots=True)
class Assignment:
    owner_id: uuid.UUID | None
    team_id: uuid.UUID | None
    queue_id: uuid.UUID | None
    rule_id: uuid.UUID | None
    rule_name: str
    reason: str  # in words, for the lead's history and the preview

    def __post_init__(self) -> None:
        if self.owner_id is None and self.queue_id is None:
            raise ValueError("an assignment needs an owner or a queue")


@dataclass(slots=True)
class Move:
    lead_id: uuid.UUID
    from_owner_id: uuid.UUID | None
    to_owner_id: uuid.UUID | None
    from_queue_id: uuid.UUID | None
    to_queue_id: uuid.UUID | None
    rule_id: uuid.UUID | None
    rule_name: str
    reason: str
    to_team_id: uuid.UUID | None = None


# Leads nobody is actively working yet: moving them to a new territory owner costs nothing.
# SQL and later are in a rep's hands (a call may be booked); the caller adds SQL explicitly
# for a full reorganisation. Orphans (open leads whose owner is away, inactive or gone, and
# open leads with neither owner nor queue) are re-planned whatever their status, since nobody
# works them at all. Closed leads (won, lost, disqualified) are never moved.
DEFAULT_AFFECTED_STATUSES = frozenset({LeadStatus.INQUIRY, LeadStatus.SUSPECT,
                                       LeadStatus.PROSPECT, LeadStatus.MQL, LeadStatus.NURTURE})
