"""Bulk writes of re-scoring: new scores, promotions past a threshold and their history rows.

DB-API ``executemany`` (sqlite3, or the server through app/storage/server.py) in batches,
because re-scoring touches every lead (a million in the benchmark)
and ORM flushes were several times slower for that.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from app.domain.leads import LeadStatus
from app.storage.db import DriverConnection
from app.storage.repositories.distribution import scoring_rows_after
from app.storage.repositories.followup_jobs import stop_cadences
from app.storage.repositories.history import ensure_app_actor

Connection = DriverConnection
ScoringRow = tuple[Any, ...]
Outcome = TypeVar("Outcome")
Stamps = tuple[str, str, str | None]
"""(now as UTC text, device hex, actor hex or None), stamped on every row a batch writes."""


def live_lead_count(connection: DriverConnection) -> int:
    return int(connection.execute("SELECT count(*) FROM lead WHERE deleted_at IS NULL").fetchone()[0])


def in_one_transaction(connection: DriverConnection, last_key: int, size: int,
                       handle: Callable[[list[ScoringRow]], Outcome]
                       ) -> tuple[list[ScoringRow], Outcome | None]:
    """Read the next ``size`` live leads after ``last_key`` and ``handle`` them in one
    transaction; returns the rows read and what ``handle`` returned (None once every lead is
    done)."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        rows = scoring_rows_after(connection, last_key, size)
        outcome = handle(rows) if rows else None
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    return rows, outcome


def write_scores(connection: DriverConnection, updates: Sequence[tuple[int, str, int]],
                 statuses: Sequence[tuple[str, str, str, int]],
                 activities: Sequence[tuple[object, ...]], reached_sql: Sequence[str],
                 stamps: Stamps, *, app_actor: bool) -> None:
    """Write new scores (score, reasons, key), promotions (status, now, device, key) with their
    history rows, and stop the cadences of leads that ``reached_sql`` (hex ids)."""
    now_text, device_hex, _actor = stamps
    connection.executemany("UPDATE lead SET score = ?, score_reasons = ? WHERE key = ?", updates)
    if not statuses:
        return
    if app_actor:  # created when first needed: a row nobody else would sync for nothing
        ensure_app_actor(connection, now_text, device_hex)
    connection.executemany(
        "UPDATE lead SET status = ?, updated_at = ?, device_id = ? WHERE key = ?", statuses)
    connection.executemany(
        "INSERT INTO activity (id, lead_id, kind, occurred_at, actor_id, field, old_value, "
        "new_value, text, updated_at, device_id, outcome) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '')", activities)
    # What a status change by hand does to the follow-up plan (CadenceService.lead_saved).
    stop_cadences(connection, reached_sql, f"Cadence stopped: lead is {LeadStatus.SQL.label}", stamps)
