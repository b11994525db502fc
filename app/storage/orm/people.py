"""Teams, users and the queues leads wait in."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.domain.people import Availability, Role, RoutingMode
from app.storage.orm.base import Base, Synced, enum_column


class Team(Synced, Base):
    __tablename__ = "team"
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    routing_mode: Mapped[RoutingMode] = mapped_column(
        enum_column(RoutingMode), nullable=False, default=RoutingMode.ROUND_ROBIN)
    # No FK: user.team_id already points here, and SQLite cannot add a cyclic FK later.
    manager_id: Mapped[uuid.UUID | None] = mapped_column(nullable=True)
    deleted_at: Mapped[dt.datetime | None]
    # Who got this team's last round-robin lead: the next one goes to the member after them.
    round_robin_last_id: Mapped[uuid.UUID | None] = mapped_column(nullable=True)


class User(Synced, Base):
    __tablename__ = "user"
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    email: Mapped[str] = mapped_column(String(254), nullable=False, index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role), nullable=False)
    availability: Mapped[Availability] = mapped_column(
        enum_column(Availability), nullable=False, default=Availability.ACTIVE)
    away_until: Mapped[dt.date | None]
    capacity: Mapped[int | None] = mapped_column(Integer)
    territories: Mapped[str] = mapped_column(Text, nullable=False, default="")  # JSON list
    team_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("team.id"))
    deleted_at: Mapped[dt.datetime | None]


class Queue(Synced, Base):
    __tablename__ = "queue"
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    team_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("team.id"))
    is_catch_all: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    deleted_at: Mapped[dt.datetime | None]
