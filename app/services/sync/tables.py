"""What is synced: the tables in materialisation order, their synced columns, a row's digest."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Sequence
from typing import Any

from app.storage import orm

# Materialisation order: referenced tables first (foreign keys are also deferred to commit).
ROW_TABLES: dict[str, type[orm.Base]] = {
    "team": orm.Team, "user": orm.User, "queue": orm.Queue, "event": orm.Event,
    "question": orm.Question, "lead": orm.Lead, "task": orm.Task, "answer": orm.Answer,
    "suppression": orm.Suppression, "cadence": orm.CadenceRow, "score_rule": orm.ScoreRuleRow,
    "routing_rule": orm.RoutingRuleRow, "customer_order": orm.CustomerOrderRow,
    "card_picture": orm.CardPictureRow,
    # Ids derive from the key (settings_service.setting_id), so every laptop edits one row.
    "shared_setting": orm.SharedSetting,
}
# Write-once rows, unioned. A tombstone arriving erases the person on this laptop too.
APPEND_TABLES: dict[str, type[orm.Base]] = {"activity": orm.Activity, "tombstone": orm.Tombstone,
                                            "audit_entry": orm.AuditEntryRow}
_NOT_SYNCED_ANYWHERE = {"id", "updated_at", "device_id", "deleted_at"}
# Local or derived columns: recomputed after a merge (touch times, next due, score) or local ids.
_LOCAL_COLUMNS: dict[str, set[str]] = {
    "lead": {"key", "score", "score_reasons", "first_touch_at", "last_touch_at", "next_due_at"},
    # Import batches are not synced in phase 1, so the reference would dangle on other laptops.
    "activity": {"batch_id"},
    "customer_order": {"batch_id"},
}
# Values a raw INSERT must give for NOT NULL columns that are not synced (ORM-side defaults).
INSERT_DEFAULTS: dict[str, dict[str, Any]] = {"lead": {"score": 0, "score_reasons": ""}}


@functools.cache
def synced_columns(table: str) -> tuple[str, ...]:
    model = ROW_TABLES.get(table) or APPEND_TABLES[table]
    skip = _NOT_SYNCED_ANYWHERE | _LOCAL_COLUMNS.get(table, set())
    return tuple(c.name for c in model.__table__.columns if c.name not in skip)


def row_digest(columns: Sequence[str], row: dict[str, Any]) -> bytes:
    """Of a row's synced values and whether it is deleted: capture's "nothing changed" test."""
    values = [row[c] for c in columns] + [row.get("deleted_at") is not None]
    text = json.dumps(values, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.blake2b(text.encode(), digest_size=8).digest()
