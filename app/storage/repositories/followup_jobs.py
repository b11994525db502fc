"""The follow-up checks' bulk reads and writes: leads whose first touch is overdue, nurture
leads whose come-back date arrived and leads missing the deadline or cadence they should have,
found in key order one batch at a time (outside any write transaction: finding them may read
much of the file) and written in bulk, so a check over a million leads holds one batch in
memory and holds the write lock only to write it.

Over the raw DB-API connection of the caller's session (its transaction): building ORM objects
for a hundred thousand returning leads cost gigabytes and minutes.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.domain.history import ActivityKind
from app.domain.ids import new_id
from app.domain.leads import LeadStatus, Rating
from app.domain.service_levels import SLA_STATUSES
from app.domain.tasks import TaskKind
from app.storage.db import DriverConnection, driver_of
from app.storage.repositories.bulk_rows import parse_utc_text, utc_text
from app.storage.repositories.history import INSERT_NOTE
from app.storage.sequential import small_page_cache

_SLA_STATUSES = tuple(sorted(s.value for s in SLA_STATUSES))
_COLUMNS = "key, id, owner_id, team_id, queue_id, first_touch_due_at"


@dataclass(frozen=True, slots=True)
class DueLead:
    """A lead a follow-up check acts on, with where it sits now."""

    key: int
    id: uuid.UUID
    owner_id: uuid.UUID | None
    team_id: uuid.UUID | None
    queue_id: uuid.UUID | None
    first_touch_due_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class DeadlineDue:
    """A lead that should have a first-touch deadline and has none, with what it depends on."""

    key: int
    id: uuid.UUID
    rating: Rating | None
    created_at: dt.datetime


class FollowUpJobsRepository:
    def __init__(self, session: Session) -> None:
        connection = driver_of(session)
        self.connection = connection

    # -- reads: the next batch's keys (no lock needed), then those leads, checked again ---------
    def next_missed_first_touches(self, now: dt.datetime, after_key: int, limit: int
                                  ) -> list[int]:
        """Keys of leads in the first-touch statuses never touched whose deadline passed, not
        yet flagged, after ``after_key`` in key order."""
        condition, params = _missed_first_touch(now)
        return self._next_keys(condition, params, after_key, limit)

    def missed_first_touches(self, now: dt.datetime, keys: Sequence[int]) -> list[DueLead]:
        """Those of ``keys`` that still missed their first touch (read in the writing
        transaction: a touch logged since the keys were read takes the lead out)."""
        return self._among(*_missed_first_touch(now), keys)

    def next_nurture_due(self, today: dt.date, after_key: int, limit: int) -> list[int]:
        """Keys of nurture leads whose come-back date is today or past, after ``after_key``."""
        return self._next_keys(*_nurture_due(today), after_key, limit)

    def nurture_due(self, today: dt.date, keys: Sequence[int]) -> list[DueLead]:
        """Those of ``keys`` still in nurture with their come-back date reached."""
        return self._among(*_nurture_due(today), keys)

    def _next_keys(self, condition: str, params: list[object], after_key: int, limit: int
                   ) -> list[int]:
        with small_page_cache(self.connection):  # may read much of the file, once
            rows = self.connection.execute(
                f"SELECT key FROM lead WHERE deleted_at IS NULL AND key > ? AND {condition} "
                "ORDER BY key LIMIT ?", [after_key, *params, limit]).fetchall()
        return [key for key, in rows]

    def _among(self, condition: str, params: list[object], keys: Sequence[int]
               ) -> list[DueLead]:
        if not keys:
            return []
        rows = self.connection.execute(
            f"SELECT {_COLUMNS} FROM lead WHERE key IN ({', '.join('?' for _ in keys)}) AND "
            f"deleted_at IS NULL AND {condition} ORDER BY key", [*keys, *params]).fetchall()
        return [DueLead(key, uuid.UUID(hex=lead_id), _uuid(owner), _uuid(team), _uuid(queue),
                        parse_utc_text(due)) for key, lead_id, owner, team, queue, due in rows]

    def next_without_deadline(self, after_key: int, limit: int) -> list[int]:
        """Keys of leads in the first-touch statuses, never touched, that have no deadline (an
        import interrupted between its commit and its follow-up leaves them so)."""
        return self._next_keys(*_without_deadline(), after_key, limit)

    def without_deadline(self, keys: Sequence[int]) -> list[DeadlineDue]:
        """Those of ``keys`` still without a deadline, with what it is computed from."""
        if not keys:
            return []
        condition, params = _without_deadline()
        rows = self.connection.execute(
            f"SELECT key, id, rating, created_at FROM lead WHERE key IN "
            f"({', '.join('?' for _ in keys)}) AND deleted_at IS NULL AND {condition} "
            "ORDER BY key", [*keys, *params]).fetchall()
        return [DeadlineDue(key, uuid.UUID(hex=lead_id), Rating(rating) if rating else None,
                            _utc(created)) for key, lead_id, rating, created in rows]

    def next_owned_never_followed_up(self, statuses: Sequence[LeadStatus], after_key: int,
                                     limit: int) -> list[int]:
        """Keys of owned leads in ``statuses`` that may be contacted and never had a task: a
        cadence should have started when they got their owner."""
        return self._next_keys(*_never_followed_up(statuses), after_key, limit)

    def owned_never_followed_up(self, statuses: Sequence[LeadStatus], keys: Sequence[int]
                                ) -> list[uuid.UUID]:
        """The ids of those of ``keys`` still owned, pursued and without any task."""
        return [lead.id for lead in self._among(*_never_followed_up(statuses), keys)]

    # -- writes ---------------------------------------------------------------------------------
    def set_deadlines(self, deadlines: Sequence[tuple[int, dt.datetime]], now: dt.datetime,
                      device: uuid.UUID) -> None:
        """(key, deadline) pairs; a change of this laptop, so the next sync publishes it."""
        now_text = utc_text(now)
        self.connection.executemany(
            "UPDATE lead SET first_touch_due_at = ?, updated_at = ?, device_id = ? WHERE key = ?",
            [(utc_text(due), now_text, device.hex, key) for key, due in deadlines])

    def flag_missed(self, leads: Sequence[DueLead], now: dt.datetime) -> None:
        """The breach is flagged once: a lead is never escalated twice for the same deadline."""
        now_text = utc_text(now)
        self.connection.executemany("UPDATE lead SET sla_breached_at = ? WHERE key = ?",
                                    [(now_text, lead.key) for lead in leads])

    def end_nurture(self, leads: Sequence[DueLead], now: dt.datetime, device: uuid.UUID, *,
                    due_now: bool) -> None:
        """Their come-back date is used up; ``due_now`` when a call is put on the owner's list."""
        now_text = utc_text(now)
        self.connection.executemany(
            "UPDATE lead SET come_back_on = NULL, updated_at = ?, device_id = ?"
            + (", next_due_at = ?" if due_now else "") + " WHERE key = ?",
            [(now_text, device.hex, *((now_text,) if due_now else ()), lead.key)
             for lead in leads])

    def add_tasks(self, leads: Sequence[DueLead], kind: TaskKind, title: str,
                  due_at: dt.datetime, now: dt.datetime, device: uuid.UUID) -> None:
        """One task per lead, for its owner."""
        due_text, now_text = utc_text(due_at), utc_text(now)
        self.connection.executemany(
            "INSERT INTO task (id, lead_id, owner_id, kind, title, notes, due_at, created_at, "
            "updated_at, device_id) VALUES (?, ?, ?, ?, ?, '', ?, ?, ?, ?)",
            [(new_id().hex, lead.id.hex, _hex(lead.owner_id), kind.value, title[:200], due_text,
              now_text, now_text, device.hex) for lead in leads])


def _missed_first_touch(now: dt.datetime) -> tuple[str, list[object]]:
    # "+status" keeps SQLite off the status index: five statuses cover half the file and come
    # out of it in status order, so each batch would sort them all again by key; walking the
    # key instead reads the file once across all batches.
    marks = ", ".join("?" for _ in _SLA_STATUSES)
    return (f"first_touch_at IS NULL AND sla_breached_at IS NULL AND first_touch_due_at < ? "
            f"AND +status IN ({marks})", [utc_text(now), *_SLA_STATUSES])


def _without_deadline() -> tuple[str, list[object]]:
    marks = ", ".join("?" for _ in _SLA_STATUSES)
    return (f"first_touch_at IS NULL AND first_touch_due_at IS NULL AND merged_into_id IS NULL "
            f"AND erased_at IS NULL AND +status IN ({marks})", list(_SLA_STATUSES))


def _never_followed_up(statuses: Sequence[LeadStatus]) -> tuple[str, list[object]]:
    marks = ", ".join("?" for _ in statuses)
    return (f"owner_id IS NOT NULL AND NOT do_not_contact AND merged_into_id IS NULL AND "
            f"+status IN ({marks}) AND NOT EXISTS (SELECT 1 FROM task WHERE task.lead_id = "
            "lead.id)", [s.value for s in statuses])


def _nurture_due(today: dt.date) -> tuple[str, list[object]]:
    return ("status = ? AND come_back_on IS NOT NULL AND come_back_on <= ?",
            [LeadStatus.NURTURE.value, today.isoformat()])


def stop_cadences(connection: DriverConnection, lead_hexes: Sequence[str], why: str,
                  stamps: tuple[str, str, str | None]) -> int:
    """End the cadences of these leads (hex ids) in bulk, as ``CadenceService.stop_in`` does
    one by one: open steps cancelled, a note on each lead that had any, next due recomputed.
    ``stamps`` are (now, device, actor) as stored. Returns the steps cancelled."""
    if not lead_hexes:
        return 0
    now_text, device_hex, actor_hex = stamps
    marks = ", ".join("?" for _ in lead_hexes)
    open_steps = (f"lead_id IN ({marks}) AND cadence_id IS NOT NULL AND done_at IS NULL "
                  "AND deleted_at IS NULL")
    counts = connection.execute(f"SELECT lead_id, count(*) FROM task WHERE {open_steps} "
                                "GROUP BY lead_id", list(lead_hexes)).fetchall()
    if not counts:
        return 0
    connection.execute(f"UPDATE task SET deleted_at = ?, updated_at = ?, device_id = ? WHERE "
                       f"{open_steps}", [now_text, now_text, device_hex, *lead_hexes])
    connection.executemany(INSERT_NOTE, [
        (new_id().hex, lead_hex, ActivityKind.NOTE.value, now_text, actor_hex,
         f"{why}; {count} planned step(s) cancelled", now_text, device_hex)
        for lead_hex, count in counts])
    connection.execute(
        "UPDATE lead SET next_due_at = (SELECT min(due_at) FROM task WHERE task.lead_id = "
        f"lead.id AND done_at IS NULL AND deleted_at IS NULL) WHERE id IN ({marks})",
        list(lead_hexes))
    return sum(count for _lead, count in counts)


def _utc(text: str) -> dt.datetime:
    parsed = parse_utc_text(text)
    assert parsed is not None  # created_at is NOT NULL
    return parsed


def _uuid(value: str | None) -> uuid.UUID | None:
    return uuid.UUID(hex=value) if value else None


def _hex(value: uuid.UUID | None) -> str | None:
    return value.hex if value is not None else None
