"""Users, teams and queues, and who is using this laptop (the profile)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence

from app.domain.contact_data import normalise_email
from app.domain.errors import ConflictError, FieldError, NotFoundError, ValidationError
from app.domain.ids import new_id
from app.domain.people import (
    Availability,
    QueueRecord,
    Role,
    RoutingMode,
    TeamRecord,
    UserRecord,
)
from app.services.context import ServiceContext
from app.storage.orm import Queue, Team, User
from app.storage.repositories.people import PeopleRepository, user_record


class PeopleService:
    def __init__(self, context: ServiceContext) -> None:
        self.context = context
        self.db = context.db

    def add_user(self, name: str, email: str, role: Role | str, *,
                 team: str | None = None, capacity: int | None = None,
                 territories: Sequence[str] = (), user_id: uuid.UUID | None = None) -> UserRecord:
        name = name.strip()
        if not name:
            raise ValidationError.single("name", "is empty: give the person's name")
        try:
            email = normalise_email(email)
        except ValueError as exc:
            raise ValidationError.single("email", str(exc)) from None
        role = _role(role)
        if capacity is not None and capacity < 0:
            raise ValidationError.single("capacity", "must be zero or more open leads")
        now = self.context.clock()
        with self.db.write() as session:
            repo = PeopleRepository(session)
            if repo.user_by_email(email) is not None:
                raise ConflictError(f"A user with email {email} already exists")
            team_row = repo.team_by_name(team) if team else None
            if team and team_row is None:
                raise ValidationError.single("team", f"no team named '{team}'")
            user = repo.add_user(User(
                id=user_id or new_id(), name=name, email=email, role=role, capacity=capacity,
                territories=json.dumps(list(territories)) if territories else "",
                team_id=team_row.id if team_row else None, availability=Availability.ACTIVE,
                updated_at=now, device_id=self.context.device_id))
            return user_record(user, team_row.name if team_row else "")

    def users(self) -> list[UserRecord]:
        with self.db.read() as session:
            return PeopleRepository(session).users()

    def user(self, user_id: uuid.UUID) -> UserRecord:
        with self.db.read() as session:
            record = PeopleRepository(session).user_record(user_id)
        if record is None:
            raise NotFoundError(f"No user with id {user_id}")
        return record

    def user_by_email(self, email: str) -> UserRecord:
        with self.db.read() as session:
            repo = PeopleRepository(session)
            user = repo.user_by_email(email)
            if user is None:
                raise NotFoundError(f"No user with email {email}")
            record = repo.user_record(user.id)
        assert record is not None
        return record

    def set_availability(self, user_id: uuid.UUID, availability: Availability) -> UserRecord:
        with self.db.write() as session:
            user = PeopleRepository(session).user(user_id)
            if user is None:
                raise NotFoundError(f"No user with id {user_id}")
            user.availability = availability
            user.updated_at = self.context.clock()
            user.device_id = self.context.device_id
        return self.user(user_id)

    def update_user(self, user_id: uuid.UUID, *, name: str | None = None,
                    email: str | None = None, role: Role | str | None = None) -> UserRecord:
        """Change a user's name, email or role (None leaves a field as it is).

        Raises ValidationError for an empty name, a malformed email or an unknown role, and
        ConflictError when another user already has the email. Users carry no change history
        (only leads do); ``updated_at`` and the device mark the change for sync.
        """
        problems: list[FieldError] = []
        if name is not None:
            name = name.strip()
            if not name:
                problems.append(FieldError("name", "is empty: give the person's name"))
            elif len(name) > 100:
                problems.append(FieldError("name", "is longer than 100 characters"))
        if email is not None:
            try:
                email = normalise_email(email)
            except ValueError as exc:
                problems.append(FieldError("email", str(exc)))
        new_role: Role | None = None
        if role is not None:
            try:
                new_role = _role(role)
            except ValidationError as exc:
                problems.extend(exc.errors)
        if problems:
            raise ValidationError(problems)
        with self.db.write() as session:
            repo = PeopleRepository(session)
            user = repo.user(user_id)
            if user is None or user.deleted_at is not None:
                raise NotFoundError(f"No user with id {user_id}")
            if email is not None and email.lower() != user.email.lower():
                other = repo.user_by_email(email)
                if other is not None and other.id != user_id:
                    raise ConflictError(f"A user with email {email} already exists")
            changed = False
            for field_name, value in (("name", name), ("email", email), ("role", new_role)):
                if value is not None and getattr(user, field_name) != value:
                    setattr(user, field_name, value)
                    changed = True
            if changed:
                user.updated_at = self.context.clock()
                user.device_id = self.context.device_id
        return self.user(user_id)

    # -- profile: who uses this laptop ------------------------------------------------------
    def current_user(self) -> UserRecord | None:
        user_id = self.context.current_user_id
        if user_id is None:
            return None
        try:
            return self.user(user_id)
        except NotFoundError:
            return None

    def sign_in(self, user_id: uuid.UUID) -> UserRecord:
        record = self.user(user_id)
        self.context.set_current_user(user_id)
        return record

    # -- teams and queues --------------------------------------------------------------------
    def add_team(self, name: str, routing_mode: RoutingMode = RoutingMode.ROUND_ROBIN,
                 manager_id: uuid.UUID | None = None) -> TeamRecord:
        name = name.strip()
        if not name:
            raise ValidationError.single("name", "is empty: give the team a name")
        with self.db.write() as session:
            repo = PeopleRepository(session)
            if repo.team_by_name(name):
                raise ConflictError(f"A team named {name} already exists")
            team = repo.add_team(Team(id=new_id(), name=name, routing_mode=routing_mode,
                                      manager_id=manager_id, updated_at=self.context.clock(),
                                      device_id=self.context.device_id))
            return TeamRecord(team.id, team.name, team.routing_mode, team.manager_id)

    def teams(self) -> list[TeamRecord]:
        with self.db.read() as session:
            return PeopleRepository(session).teams()

    def add_queue(self, name: str, *, team_id: uuid.UUID | None = None,
                  catch_all: bool = False) -> QueueRecord:
        name = name.strip()
        if not name:
            raise ValidationError.single("name", "is empty: give the queue a name")
        with self.db.write() as session:
            repo = PeopleRepository(session)
            if repo.queue_by_name(name):
                raise ConflictError(f"A queue named {name} already exists")
            queue = repo.add_queue(Queue(id=new_id(), name=name, team_id=team_id,
                                         is_catch_all=catch_all, updated_at=self.context.clock(),
                                         device_id=self.context.device_id))
            return QueueRecord(queue.id, queue.name, queue.team_id, queue.is_catch_all)

    def queues(self) -> list[QueueRecord]:
        with self.db.read() as session:
            return PeopleRepository(session).queues()


def _role(role: Role | str) -> Role:
    if isinstance(role, Role):
        return role
    try:
        return Role(role.strip().lower())
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise ValidationError.single("role", f"'{role}' is not one of: {allowed}") from None
