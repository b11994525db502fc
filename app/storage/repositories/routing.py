"""Bulk writes of a routing run: lead owners, the run's moves and their history rows.

DB-API ``executemany`` (sqlite3, or the server's through app/storage/server.py) in chunks,
because re-applying rules moves hundreds of thousands of leads and ORM
unit-of-work flushes were several times slower for that.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.orm import Session

from app.domain.ids import new_id
from app.domain.routing import Move
from app.storage.db import driver_of

_CHUNK = 500
ActivityRow = tuple[object, ...]

_INSERT_ACTIVITY = ("INSERT INTO activity (id, lead_id, kind, occurred_at, actor_id, field, "
                    "old_value, new_value, text, outcome, updated_at, device_id) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?)")


def write_moves(session: Session, run_id: uuid.UUID, moves: Sequence[Move],
                activity_rows: Sequence[ActivityRow], *, now_text: str, device_hex: str) -> None:
    """Apply ``moves`` to their leads, log each under ``run_id``, and add the matching history rows.

    ``activity_rows[i]`` is the owner-change history row of ``moves[i]``, in the column order
    of the activity insert (id, lead_id, kind, occurred_at, actor_id, field, old_value,
    new_value, text, updated_at, device_id).
    """
    connection = driver_of(session)
    for start in range(0, len(moves), _CHUNK):
        chunk = moves[start:start + _CHUNK]
        teams = dict(connection.execute(
            f"SELECT id, team_id FROM lead WHERE id IN ({', '.join('?' for _ in chunk)})",
            [m.lead_id.hex for m in chunk]).fetchall())
        connection.executemany(
            "UPDATE lead SET owner_id = ?, team_id = coalesce(?, team_id), queue_id = ?, "
            "updated_at = ?, device_id = ? WHERE id = ?",
            [(_hex(m.to_owner_id), _hex(m.to_team_id), _hex(m.to_queue_id), now_text,
              device_hex, m.lead_id.hex) for m in chunk])
        connection.executemany(
            "INSERT INTO assignment_move (id, run_id, lead_id, from_owner_id, to_owner_id, "
            "from_team_id, to_team_id, from_queue_id, to_queue_id, reason, updated_at, "
            "device_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(new_id().hex, run_id.hex, m.lead_id.hex, _hex(m.from_owner_id),
              _hex(m.to_owner_id), teams.get(m.lead_id.hex), _hex(m.to_team_id),
              _hex(m.from_queue_id), _hex(m.to_queue_id), m.reason[:500], now_text,
              device_hex) for m in chunk])
        connection.executemany(_INSERT_ACTIVITY, activity_rows[start:start + _CHUNK])


def _hex(value: uuid.UUID | None) -> str | None:
    return value.hex if value is not None else None
