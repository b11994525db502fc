"""Users, teams and queues."""

from __future__ import annotations

import json
import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.history import APP_ACTOR_ID
from app.domain.people import QueueRecord, TeamRecord, UserRecord
from app.storage.orm import Queue, Team, User


class PeopleRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add_user(self, user: User) -> User:
        self.session.add(user)
        self.session.flush()
        return user

    def user(self, user_id: uuid.UUID) -> User | None:
        return self.session.get(User, user_id)

    def user_by_email(self, email: str) -> User | None:
        statement = select(User).where(func.lower(User.email) == email.strip().lower(),
                                       User.deleted_at.is_(None))
        return self.session.scalars(statement).first()

    def users(self) -> list[UserRecord]:
        """The people: not deleted, and not the app's own actor (it only names history rows)."""
        statement = (select(User, Team.name).outerjoin(Team, Team.id == User.team_id)
                     .where(User.deleted_at.is_(None), User.id != APP_ACTOR_ID)
                     .order_by(User.name))
        return [user_record(u, team or "") for u, team in self.session.execute(statement)]

    def user_record(self, user_id: uuid.UUID) -> UserRecord | None:
        user = self.session.get(User, user_id)
        if user is None:
            return None
        team = self.session.get(Team, user.team_id) if user.team_id else None
        return user_record(user, team.name if team else "")

    def add_team(self, team: Team) -> Team:
        self.session.add(team)
        self.session.flush()
        return team

    def team(self, team_id: uuid.UUID) -> Team | None:
        return self.session.get(Team, team_id)

    def queue(self, queue_id: uuid.UUID) -> Queue | None:
        return self.session.get(Queue, queue_id)

    def team_by_name(self, name: str) -> Team | None:
        statement = select(Team).where(func.lower(Team.name) == name.strip().lower(),
                                       Team.deleted_at.is_(None))
        return self.session.scalars(statement).first()

    def teams(self) -> list[TeamRecord]:
        rows = self.session.scalars(select(Team).where(Team.deleted_at.is_(None))
                                    .order_by(Team.name))
        return [TeamRecord(t.id, t.name, t.routing_mode, t.manager_id) for t in rows]

    def add_queue(self, queue: Queue) -> Queue:
        self.session.add(queue)
        self.session.flush()
        return queue

    def queue_by_name(self, name: str) -> Queue | None:
        statement = select(Queue).where(func.lower(Queue.name) == name.strip().lower(),
                                        Queue.deleted_at.is_(None))
        return self.session.scalars(statement).first()

    def queues(self) -> list[QueueRecord]:
        rows = self.session.scalars(select(Queue).where(Queue.deleted_at.is_(None))
                                    .order_by(Queue.name))
        return [QueueRecord(q.id, q.name, q.team_id, q.is_catch_all) for q in rows]


def user_record(user: User, team_name: str = "") -> UserRecord:
    return UserRecord(
        id=user.id, name=user.name, email=user.email, role=user.role,
        availability=user.availability, away_until=user.away_until, capacity=user.capacity,
        territories=tuple(json.loads(user.territories)) if user.territories else (),
        team_id=user.team_id, team_name=team_name,
    )
