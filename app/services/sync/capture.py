"""Capture: the synced rows written since the last capture, compared with what the sync believes
they hold; each row's differences become one op (see the package's service module)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from app.services.context import ServiceContext
from app.services.sync import meta
from app.services.sync.batches import Batch, Pace, RowKey
from app.services.sync.conflicts import note_conflicts
from app.services.sync.report import Progress
from app.services.sync.tables import APPEND_TABLES, ROW_TABLES, row_digest, synced_columns
from app.services.sync.turns import open_batch, transaction
from app.storage.repositories.sync.repository import SyncRepository
from app.storage.repositories.sync.synced_rows import CaptureCursor
from app.sync.clock import HybridClock
from app.sync.ops import Op

# The capture high-water mark is moved back by this much, so rows written by another connection
# with a slightly older clock reading are not missed (re-reading a row is harmless: no diff).
CAPTURE_OVERLAP = dt.timedelta(minutes=5)
# Rows captured per write transaction: each takes well under a second, so other writers (the
# window, daily jobs) wait little.
CAPTURE_ROWS = 1000
# What a column added by a later schema version holds in rows that existed before it.
_ADDED_COLUMN_DEFAULTS: tuple[Any, ...] = (None, "", 0)


def capture(context: ServiceContext, inc: str, clock: HybridClock, session: Session | None = None,
            say: Progress | None = None, leads: set[str] | None = None) -> int:
    """Record every local change since the last capture as ops, a batch of rows per write
    transaction (or all inside ``session``, for a decision that must see them); returns the
    number of rows read. ``leads`` collects the leads edited, deleted or restored (their
    review flags follow; a sync looks at every flagged lead at its end anyway)."""
    db = context.db
    started = context.clock()
    since = db.get_meta(meta.CAPTURED) if session is None else meta.get(
        SyncRepository(session), meta.CAPTURED)
    read = 0
    pace = Pace(CAPTURE_ROWS)
    for table in (*ROW_TABLES, *APPEND_TABLES):
        columns = synced_columns(table)
        wanted = [*columns, "deleted_at"] if table in ROW_TABLES else columns
        cursor: CaptureCursor | None = None
        while True:
            with transaction(db, session, pace) as batch_session:
                batch = open_batch(batch_session, inc, clock)
                stamps = meta.merge_stamps(batch.repo)
                rows, cursor = batch.repo.changed_rows(table, wanted, since, stamps, cursor,
                                                       pace.size)
                if table in ROW_TABLES:
                    capture_rows(batch, table, rows)
                else:
                    _capture_appends(batch, table, rows)
                if leads is not None:
                    leads |= batch.captured_leads
                # A local restore brings back conflicts a delete hid, a delete hides them:
                # the list follows (the flags follow at the end of the sync). Rows without
                # ops before this capture have none.
                note_conflicts(batch, batch.known)
                batch.save()
                meta.put(batch.repo, meta.HLC, clock.last.encode())
            read += len(rows)
            if say is not None and rows:
                say(f"Recording local changes: {read:,} rows read")
            if cursor is None:
                break
    with transaction(db, session, pace) as batch_session:
        meta.put(SyncRepository(batch_session), meta.CAPTURED,
                 meta.db_time(started - CAPTURE_OVERLAP))
    return read


def _edited(name: str, value: Any, believed: Mapping[str, Any], known: bool) -> bool:
    """Whether capture must send this column of a row. A known row's ops name every column
    that existed when it was first sent; one missing from them was added by an upgrade since,
    and at its default it says nothing new (sending it would resend every row after an upgrade)."""
    if name in believed:
        return bool(believed[name] != value)
    return not known or value not in _ADDED_COLUMN_DEFAULTS


def capture_rows(batch: Batch, table: str, rows: Sequence[dict[str, Any]]) -> list[Op]:
    """Ops for the differences between these rows (id, synced columns, deleted_at) and what
    the sync believes they hold; updates their shadows. A row unchanged since capture last
    saw it is recognised by its digest, without reading its ops."""
    columns = synced_columns(table)
    shadows = batch.shadows(table, [r["id"] for r in rows])
    digests = {r["id"]: row_digest(columns, r) for r in rows}
    todo = [r for r in rows if shadows[r["id"]].digest != digests[r["id"]]]
    batch.load({(table, r["id"]) for r in todo})
    replica = batch.replica
    ops: list[Op] = []
    for row in todo:
        rid = row["id"]
        shadow = batch.changed(table, rid)
        # A row without ops yet (most of a first sync): nothing believed but what is kept.
        known = replica.knows(table, rid)
        believed = dict(replica.values(table, rid) or {}) if known else {}
        believed.update(shadow.local)
        local_deleted = row["deleted_at"] is not None
        rep_deleted = replica.is_deleted(table, rid)
        edited = [name for name in columns if _edited(name, row[name], believed, known)]
        if not (local_deleted and rep_deleted and not edited):
            if rep_deleted:
                # Restored here (and maybe edited, maybe deleted again since): recorded as
                # it happened, so every laptop ends with the same values for the row.
                ops.append(replica.local_restore(table, rid))
            if edited:
                ops.append(replica.local_set_fields(table, rid, {n: row[n] for n in edited}))
            if local_deleted:
                ops.append(replica.local_delete(table, rid))
        for name in edited:
            shadow.local.pop(name, None)
        shadow.digest = digests[rid]
        if table == "lead" and (edited or local_deleted != rep_deleted):
            batch.captured_leads.add(rid)
    batch.repo.add_ops(ops)
    return ops


def _capture_appends(batch: Batch, table: str, rows: Sequence[dict[str, Any]]) -> None:
    columns = synced_columns(table)
    known = batch.repo.known_rows(table, [r["id"] for r in rows])
    ops: list[Op] = [batch.replica.local_append(table, row["id"], {c: row[c] for c in columns})
                     for row in rows if row["id"] not in known]
    batch.repo.add_ops(ops)


def capture_touched(batch: Batch, keys: Iterable[RowKey]) -> None:
    """Local edits of rows about to be merged go first: a merge never overwrites them."""
    by_table: dict[str, list[str]] = {}
    for table, row_id in keys:
        if table in ROW_TABLES:
            by_table.setdefault(table, []).append(row_id)
    for table, ids in by_table.items():
        rows = batch.repo.rows_by_id(table, [*synced_columns(table), "deleted_at"], sorted(ids))
        capture_rows(batch, table, list(rows.values()))
