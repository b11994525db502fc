"""The append-only activity history, and the app's own actor for what Leadline does by itself."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.history import APP_ACTOR_ID, APP_ACTOR_NAME, ActivityKind, ActivityRecord
from app.domain.ids import new_id
from app.domain.people import Availability, Role
from app.storage.db import DriverConnection, driver_of
from app.storage.orm import Activity, User
from app.storage.repositories.bulk_rows import utc_text

# History rows name their actor through a user row (a foreign key), so the app has one. It is
# inactive (never given a lead) and left out of every list of people (PeopleRepository.users),
# so nobody signs in as it or routes to it. Its fields are fixed, so two laptops that both
# create it agree and sync has nothing to decide; it is stamped when created, so sync sends it
# along with the first history rows that name it.
_ENSURE_APP_ACTOR = (
    'INSERT INTO "user" (id, name, email, role, availability, territories, updated_at, '
    "device_id) VALUES (?, ?, '', ?, ?, '[]', ?, ?) ON CONFLICT DO NOTHING")
INSERT_NOTE = (
    "INSERT INTO activity (id, lead_id, kind, occurred_at, actor_id, field, old_value, new_value, "
    "text, outcome, updated_at, device_id) VALUES (?, ?, ?, ?, ?, '', '', '', ?, '', ?, ?)")


def ensure_app_actor(connection: DriverConnection, now_text: str, device_hex: str) -> None:
    """The app's actor row, created once per database (inside the caller's transaction)."""
    connection.execute(_ENSURE_APP_ACTOR, (
        APP_ACTOR_ID.hex, APP_ACTOR_NAME, Role.ADMIN.value, Availability.INACTIVE.value,
        now_text, device_hex))


def history_row(lead_id: uuid.UUID, kind: ActivityKind, *, now: dt.datetime, device: uuid.UUID,
                actor: uuid.UUID | None, text: str = "", field: str = "", old_value: str = "",
                new_value: str = "", outcome: str = "", task_id: uuid.UUID | None = None,
                batch_id: uuid.UUID | None = None) -> dict[str, Any]:
    """The column values of one history row, stamped once, the text clipped to what a timeline
    shows (2,000 characters) and the field name to its column: for HistoryRepository.record and
    for the rows a bulk write inserts."""
    return {"id": new_id(), "lead_id": lead_id, "kind": kind, "occurred_at": now,
            "updated_at": now, "device_id": device, "actor_id": actor, "text": text[:2000],
            "field": field[:50], "old_value": old_value, "new_value": new_value,
            "outcome": outcome, "task_id": task_id, "batch_id": batch_id}


class HistoryRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, activity: Activity) -> Activity:
        self.session.add(activity)
        return activity

    def record(self, lead_id: uuid.UUID, kind: ActivityKind, *, now: dt.datetime, device: uuid.UUID,
               actor: uuid.UUID | None, text: str = "", field: str = "", old_value: str = "",
               new_value: str = "", outcome: str = "", task_id: uuid.UUID | None = None,
               batch_id: uuid.UUID | None = None) -> Activity:
        """The one way a service writes a history row (see history_row)."""
        activity = Activity(**history_row(
            lead_id, kind, now=now, device=device, actor=actor, text=text, field=field,
            old_value=old_value, new_value=new_value, outcome=outcome, task_id=task_id,
            batch_id=batch_id))
        self.session.add(activity)
        return activity

    def ensure_app_actor(self, now: dt.datetime, device: uuid.UUID) -> None:
        self.session.flush()
        ensure_app_actor(self._connection(), utc_text(now), device.hex)

    def add_notes(self, notes: Sequence[tuple[uuid.UUID, str]], *, now: dt.datetime,
                  device: uuid.UUID, actor: uuid.UUID | None) -> None:
        """One note per (lead, text), in bulk: the follow-up checks write thousands at a time."""
        now_text, device_hex = utc_text(now), device.hex
        actor_hex = actor.hex if actor is not None else None
        self._connection().executemany(INSERT_NOTE, [
            (new_id().hex, lead_id.hex, ActivityKind.NOTE.value, now_text, actor_hex,
             text[:2000], now_text, device_hex) for lead_id, text in notes])

    def for_lead(self, lead_id: uuid.UUID, limit: int = 500) -> list[ActivityRecord]:
        """Newest first, as a timeline reads."""
        statement = (select(Activity, User.name).outerjoin(User, User.id == Activity.actor_id)
                     .where(Activity.lead_id == lead_id)
                     .order_by(Activity.occurred_at.desc(), Activity.id.desc()).limit(limit))
        return [
            ActivityRecord(
                id=a.id, lead_id=a.lead_id, kind=a.kind, occurred_at=a.occurred_at,
                field=a.field, old_value=a.old_value, new_value=a.new_value, text=a.text,
                outcome=a.outcome, actor_name=actor or "", automatic=a.actor_id == APP_ACTOR_ID,
            )
            for a, actor in self.session.execute(statement)
        ]

    def _connection(self) -> DriverConnection:
        connection = driver_of(self.session)
        return connection
