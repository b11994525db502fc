"""Writing a merge's values into the ordinary tables, holding rows whose parent has not arrived."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from app.services.context import ServiceContext
from app.services.sync import meta
from app.services.sync.batches import Batch, RowKey
from app.services.sync.capture import CAPTURE_OVERLAP
from app.services.sync.tables import (
    APPEND_TABLES,
    INSERT_DEFAULTS,
    ROW_TABLES,
    row_digest,
    synced_columns,
)

if TYPE_CHECKING:  # merge.py writes through this module
    from app.services.sync.merge import MergeRun


def materialise(context: ServiceContext, batch: Batch, touched: set[RowKey],
                run: MergeRun) -> None:
    """Write the replica's merged values of every touched row into the ordinary tables; the
    shadow then believes the row holds them (none of its fields is kept different any more,
    until flags and held references say otherwise)."""
    if not touched:
        return
    repo, replica = batch.repo, batch.replica
    repo.defer_foreign_keys()
    stamp = run.stamp
    if not run.stamp_recorded:
        now = context.clock()
        recent = [s for s in meta.merge_stamps(repo)
                  if s >= meta.db_time(now - CAPTURE_OVERLAP - CAPTURE_OVERLAP)]
        meta.put(repo, meta.MERGE_STAMPS, json.dumps([*recent[-30:], stamp]))
        run.stamp_recorded = True
    device = context.device_id.hex
    leads_touched: set[str] = set()
    inserted: set[RowKey] = set()
    for table in ROW_TABLES:
        ids = sorted(rid for t, rid in touched if t == table)
        if not ids:
            continue
        columns = synced_columns(table)
        current = repo.rows_by_id(table, [*columns, "deleted_at"], ids)
        inserts: list[dict[str, Any]] = []
        for rid in ids:
            cur = current.get(rid)
            merged = replica.values(table, rid)
            if merged is None:
                continue
            dead = replica.is_deleted(table, rid)
            values = {c: merged[c] for c in columns if c in merged}
            if cur is None:
                # Also a row deleted before this laptop saw it: stored deleted, because its
                # history and other rows refer to it and a restore must find it.
                inserts.append({"id": rid, **INSERT_DEFAULTS.get(table, {}), **values,
                                "updated_at": stamp, "device_id": device,
                                "deleted_at": stamp if dead else None})
                inserted.add((table, rid))
            else:
                changes = {c: v for c, v in values.items() if cur[c] != v}
                if dead and cur["deleted_at"] is None:
                    changes["deleted_at"] = stamp
                elif not dead and cur["deleted_at"] is not None:
                    changes["deleted_at"] = None  # restored, or an edit won over the delete
                if changes:
                    repo.update_row(table, rid, {**changes, "updated_at": stamp})
            shadow = batch.changed(table, rid)
            for name in values:
                shadow.local.pop(name, None)
            # The row now holds exactly what the sync believes: known by its digest (unless
            # some column has no version yet, or a field is kept different here).
            shadow.digest = row_digest(columns, {**values, "deleted_at": dead or None}) \
                if len(values) == len(columns) and not shadow.local else None
        repo.insert_rows(table, inserts)
        if table == "lead":
            leads_touched.update(ids)
        elif table == "task":
            leads_touched.update(repo.leads_of("task", ids))
    for table in APPEND_TABLES:
        ids = sorted(rid for t, rid in touched if t == table)
        columns = synced_columns(table)
        inserts = []
        for rid in ids:
            appended = replica.row(table, rid)
            if appended is not None:
                inserts.append({"id": rid, **{c: appended.get(c) for c in columns},
                                "updated_at": stamp, "device_id": device})
                inserted.add((table, rid))
        repo.insert_rows(table, inserts)
        if table == "activity" and ids:
            leads_touched.update(repo.leads_of(table, ids))
    _hold_dangling(batch, touched, inserted)
    repo.add_followups(sorted(leads_touched))


def _hold_dangling(batch: Batch, touched: set[RowKey], inserted: set[RowKey]) -> None:
    """Rows that refer to a row this laptop has not received yet (another laptop's file is
    still on its way) wait: an optional reference stays empty for now, a row that cannot
    exist without its parent is not stored yet. Both are merged again on later syncs
    (SYNC.md 4.9: references are not enforced while applying)."""
    repo = batch.repo
    held: set[RowKey] = set()
    for _round in range(5):  # a held parent can leave its new children dangling in turn
        found = False
        for table, model in (*ROW_TABLES.items(), *APPEND_TABLES.items()):
            ids = sorted(r for t, r in touched if t == table and (t, r) not in held)
            if not ids:
                continue
            synced = set(synced_columns(table))
            for fk in model.__table__.foreign_keys:
                column = fk.parent.name
                if column not in synced:
                    continue
                for rid in repo.dangling(table, column, fk.column.table.name, ids):
                    found = True
                    held.add((table, rid))
                    if fk.parent.nullable:
                        repo.update_row(table, rid, {column: None})
                        if table in ROW_TABLES:
                            batch.keep_local(table, rid, {column: None})
                    elif (table, rid) in inserted:
                        repo.delete_row(table, rid)
        if not found:
            break
    before = set(meta.held_rows(repo))
    waiting = (before - touched) | held
    if waiting != before:
        meta.put(repo, meta.HELD, json.dumps(sorted(waiting)))
