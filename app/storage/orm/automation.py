"""Shared settings and the rules that act on leads: scoring, routing, assignment runs, cadences."""

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

from app.storage.orm.base import Base, Synced, text_column


class ScoreRuleRow(Synced, Base):
    """One admin-editable scoring rule: a condition and the points it adds or subtracts."""

    __tablename__ = "score_rule"
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    value: Mapped[str] = text_column(500)
    points: Mapped[int] = mapped_column(Integer, nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    deleted_at: Mapped[dt.datetime | None]


class RoutingRuleRow(Synced, Base):
    """One routing rule: all conditions must match; first rule by position wins."""

    __tablename__ = "routing_rule"
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    conditions: Mapped[str] = mapped_column(Text, nullable=False, default="[]")  # JSON
    target_kind: Mapped[str] = mapped_column(String(10), nullable=False)
    target_id: Mapped[uuid.UUID] = mapped_column(nullable=False)
    enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    deleted_at: Mapped[dt.datetime | None]


class SharedSetting(Synced, Base):
    """A setting the whole team shares (thresholds, decay, auto-routing), synced like data."""

    __tablename__ = "shared_setting"
    key: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    value: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # Never set by the app; present so sync treats settings like every other synced row.
    deleted_at: Mapped[dt.datetime | None]


class AssignmentRun(Synced, Base):
    """One assignment step (re-applying rules, a bulk assign): what moved, so it can be undone."""

    __tablename__ = "assignment_run"
    started_at: Mapped[dt.datetime] = mapped_column(nullable=False)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user.id"))
    description: Mapped[str] = text_column(300)
    moved: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    undone_at: Mapped[dt.datetime | None]
    # JSON {"before": {team: last user}, "after": {...}}: round-robin pointers around the run,
    # so an undo can also rewind the rotation (when nothing was routed since).
    round_robin: Mapped[str] = mapped_column(Text, nullable=False, default="", server_default="")


class AssignmentMove(Synced, Base):
    __tablename__ = "assignment_move"
    run_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assignment_run.id"), nullable=False,
                                              index=True)
    lead_id: Mapped[uuid.UUID] = mapped_column(nullable=False)
    from_owner_id: Mapped[uuid.UUID | None]
    to_owner_id: Mapped[uuid.UUID | None]
    from_team_id: Mapped[uuid.UUID | None]
    to_team_id: Mapped[uuid.UUID | None]
    from_queue_id: Mapped[uuid.UUID | None]
    to_queue_id: Mapped[uuid.UUID | None]
    reason: Mapped[str] = text_column(500)


class CadenceRow(Synced, Base):
    """A follow-up cadence template: steps (JSON) and the leads it applies to (JSON scope)."""

    __tablename__ = "cadence"
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    steps: Mapped[str] = mapped_column(Text, nullable=False, default="[]")
    scope: Mapped[str] = mapped_column(Text, nullable=False, default="{}")
    enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    deleted_at: Mapped[dt.datetime | None]
