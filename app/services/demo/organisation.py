"""The demo organisation: users, teams, queues and events rows, reused when they exist."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from random import Random
from typing import Any

from app.domain.people import Availability, Role
from app.services.context import ServiceContext
from app.services.demo.reference import (
    AWAY_FOR_DAYS,
    CURRENCY,
    EVENTS,
    QUEUES,
    TEAMS,
    USERS,
    EventSpec,
    UserSpec,
)
from app.services.demo.seeded import demo_id
from app.services.event_service import EventService
from app.services.people_service import PeopleService

# A batch for BulkWriter: table name -> rows.
Rows = dict[str, list[dict[str, Any]]]


@dataclass(frozen=True)
class Person:
    id: uuid.UUID
    spec: UserSpec


@dataclass(frozen=True)
class Show:
    id: uuid.UUID
    spec: EventSpec
    name: str
    starts_on: dt.date
    ends_on: dt.date


@dataclass
class Org:
    people: list[Person] = field(default_factory=list)
    teams: dict[str, uuid.UUID] = field(default_factory=dict)
    queues: dict[str | None, uuid.UUID] = field(default_factory=dict)  # team name → inbound queue
    shows: list[Show] = field(default_factory=list)
    rows: Rows = field(default_factory=dict)

    def by_role(self, *roles: Role) -> list[Person]:
        return [p for p in self.people if p.spec.role in roles]

    def by_name(self, name: str) -> Person:
        return next(p for p in self.people if p.spec.name == name)


def _show_dates(spec: EventSpec, today: dt.date) -> tuple[dt.date, dt.date]:
    rough = today - dt.timedelta(days=spec.days_ago)
    starts = rough - dt.timedelta(days=rough.weekday()) + dt.timedelta(days=spec.weekday)
    return starts, starts + dt.timedelta(days=spec.length - 1)


def build_organisation(context: ServiceContext, seed: int, existing: int, now: dt.datetime,
                       device_id: uuid.UUID) -> Org:
    """Match users by email and teams, queues and events by name; add what is missing."""
    rng = Random(f"leadline-demo-org:{seed}:{existing}")
    people = PeopleService(context)
    users = {u.email.lower(): u.id for u in people.users()}
    teams = {t.name.lower(): t.id for t in people.teams()}
    queues = {q.name.lower(): q.id for q in people.queues()}
    events = {e.name.lower(): e.id for e in EventService(context).events()}
    org = Org()
    rows: Rows = {"team": [], "user": [], "queue": [], "event": []}
    stamp = {"updated_at": now, "device_id": device_id}

    for user_spec in USERS:
        user_id = users.get(user_spec.email) or demo_id(rng, now)
        org.people.append(Person(user_id, user_spec))
        if user_spec.email not in users:
            away = now.date() + dt.timedelta(days=AWAY_FOR_DAYS) \
                if user_spec.availability is Availability.AWAY else None
            rows["user"].append({
                "id": user_id, "name": user_spec.name, "email": user_spec.email,
                "role": user_spec.role, "availability": user_spec.availability,
                "away_until": away, "capacity": user_spec.capacity,
                "territories": _json_list(user_spec.territories),
                "team_id": user_spec.team, **stamp})  # team name, resolved below
    for name, mode, manager in TEAMS:
        team_id = teams.get(name.lower()) or demo_id(rng, now)
        org.teams[name] = team_id
        if name.lower() not in teams:
            rows["team"].append({"id": team_id, "name": name, "routing_mode": mode,
                                 "manager_id": org.by_name(manager).id, **stamp})
    for row in rows["user"]:
        row["team_id"] = org.teams.get(row["team_id"]) if row["team_id"] else None
    for name, team, catch_all in QUEUES:
        queue_id = queues.get(name.lower()) or demo_id(rng, now)
        org.queues[None if catch_all else team] = queue_id
        if name.lower() not in queues:
            rows["queue"].append({"id": queue_id, "name": name, "is_catch_all": catch_all,
                                  "team_id": org.teams.get(team) if team else None, **stamp})
    for event_spec in EVENTS:
        starts, ends = _show_dates(event_spec, now.date())
        name = f"{event_spec.name} {starts.year}"
        event_id = events.get(name.lower()) or demo_id(rng, now)
        org.shows.append(Show(event_id, event_spec, name, starts, ends))
        if name.lower() not in events:
            rows["event"].append({
                "id": event_id, "name": name, "starts_on": starts, "ends_on": ends,
                "venue": event_spec.venue, "city": event_spec.city,
                "country": event_spec.country, "cost": event_spec.cost * 100,
                "currency": CURRENCY.get(event_spec.country, "EUR"), **stamp})
    org.rows = rows
    return org


def _json_list(values: Sequence[str]) -> str:
    """Territories are stored as a JSON list of ISO codes, empty text for none (as PeopleService)."""
    return json.dumps(list(values)) if values else ""
