"""The sync's bookkeeping in app_meta: its keys, read and written inside the caller's transaction."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from app.services.sync.batches import RowKey
from app.storage import orm
from app.storage.repositories.sync.repository import SyncRepository
from app.storage.repositories.sync.synced_rows import DB_TIME_FORMAT
from app.sync.compaction import add_range

INCARNATION = "sync_incarnation"
DEVICE = "sync_device"
DB_PATH = "sync_db_path"
# JSON {folder path: "<incarnation>:<last published seq>"}: per folder, so pointing a laptop at
# another (or an emptied) folder publishes its history there again instead of assuming it is there.
PUBLISHED = "sync_published"
CAPTURED = "sync_captured_since"
ANCESTOR = "sync_ancestor"
# The HLC of the last op issued or observed, saved with every batch that moved it.
HLC = "sync_hlc"
# JSON [[table, row_id], ...]: rows with an open conflict, loaded for the review list and the
# report, as a sync loads only the ops of the rows it touches.
CONFLICT_ROWS = "sync_conflict_rows"
# Snapshots absorbed (SYNC.md 4.12): the union of their coverage vectors. JSON.
COVERED = "sync_covered"
# JSON {incarnation: [[first, last], ...]}: spans of ops held, for the acknowledgement file.
KNOWN = "sync_known"
# Last time this laptop looked for change files it may delete (once a day is plenty).
COMPACTED = "sync_compaction_checked"
NEWEST_SNAPSHOT = "sync_newest_snapshot"
# JSON list of the stamps recent merges wrote rows with. Such a row holds what the sync
# believes it holds, so capture need not re-read it (a later local write gives it another stamp).
MERGE_STAMPS = "sync_merge_stamps"
# JSON [[table, row id], ...]: rows whose parent row has not arrived yet; merged again each sync.
HELD = "sync_held_rows"
# When the last merge finished (DB time): rows written later are edits not captured yet.
SYNCED_AT = "sync_synced_at"
# JSON {folder path: {"salt", "n", "r", "p", "key_id"}}: how to tell the passphrase that last
# read other laptops' files there (the local database holds the passphrase itself anyway), so a
# passphrase mistyped later is refused even when the folder has nothing new to read.
KEY_CHECK = "sync_key_check"


def db_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).replace(tzinfo=None).strftime(DB_TIME_FORMAT)


def get(repo: SyncRepository, key: str) -> str | None:
    row = repo.session.get(orm.AppMeta, key)
    return row.value if row else None


def put(repo: SyncRepository, key: str, value: str) -> None:
    row = repo.session.get(orm.AppMeta, key)
    if row is None:
        repo.session.add(orm.AppMeta(key=key, value=value))
    else:
        row.value = value
    repo.session.flush()


def put_json(repo: SyncRepository, key: str, value: Any) -> None:
    put(repo, key, json.dumps(value, sort_keys=True))


def _json(repo: SyncRepository, key: str, default: str) -> Any:
    """The stored JSON, or ``default``'s when missing or damaged."""
    try:
        return json.loads(get(repo, key) or default)
    except ValueError:
        return json.loads(default)


def covered(repo: SyncRepository) -> dict[str, int]:
    found = _json(repo, COVERED, "{}")
    return {str(k): int(v) for k, v in found.items()} if isinstance(found, dict) else {}


def known_ranges(repo: SyncRepository) -> dict[str, list[list[int]]]:
    raw = get(repo, KNOWN)
    if raw:
        try:
            found = json.loads(raw)
            return {str(k): [[int(a), int(b)] for a, b in v] for k, v in found.items()}
        except (ValueError, TypeError, AttributeError):
            pass
    # Never merged anything yet (or the record was damaged): what absorbed snapshots cover.
    known: dict[str, list[list[int]]] = {}
    for inc, seq in covered(repo).items():
        add_range(known, inc, 1, seq)
    return known


def published_map(repo: SyncRepository) -> dict[str, str]:
    found = _json(repo, PUBLISHED, "{}")
    return found if isinstance(found, dict) else {}


def conflict_rows(repo: SyncRepository) -> list[RowKey]:
    return [(str(t), str(r)) for t, r in _json(repo, CONFLICT_ROWS, "[]")]


def merge_stamps(repo: SyncRepository) -> list[str]:
    found = _json(repo, MERGE_STAMPS, "[]")
    return [str(s) for s in found] if isinstance(found, list) else []


def held_rows(repo: SyncRepository) -> list[RowKey]:
    return [(str(t), str(r)) for t, r in _json(repo, HELD, "[]")]
