"""Users, teams and queues: who works the leads."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """What a person does; it decides the home screen."""

    BOOTH = "booth"
    REP = "rep"
    MANAGER = "manager"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return _ROLE_LABELS[self]


_ROLE_LABELS = {
    Role.BOOTH: "Booth staff",
    Role.REP: "Sales rep",
    Role.MANAGER: "Sales manager",
    Role.ADMIN: "Administrator",
}


class Availability(StrEnum):
    """Whether a user can receive leads. Leads of away or inactive owners are orphans."""

    ACTIVE = "active"
    AWAY = "away"
    INACTIVE = "inactive"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class RoutingMode(StrEnum):
    """How a team hands out leads among its members."""

    ROUND_ROBIN = "round_robin"
    LEAST_OPEN = "least_open"


@dataclass(frozen=True)
class UserRecord:
    id: uuid.UUID
    name: str
    email: str
    role: Role
    availability: Availability = Availability.ACTIVE
    away_until: dt.date | None = None
    capacity: int | None = None
    territories: tuple[str, ...] = ()
    team_id: uuid.UUID | None = None
    team_name: str = ""

    @property
    def can_receive_leads(self) -> bool:
        return self.availability is Availability.ACTIVE


@dataclass(frozen=True)
class TeamRecord:
    id: uuid.UUID
    name: str
    routing_mode: RoutingMode = RoutingMode.ROUND_ROBIN
    manager_id: uuid.UUID | None = None


@dataclass(frozen=True)
class QueueRecord:
    id: uuid.UUID
    name: str
    team_id: uuid.UUID | None = None
    is_catch_all: bool = False
