"""A new, empty laptop joins the team server by copying the server replica's state, rows and
sync bookkeeping alike, instead of replaying the team's history.

Run under the hub's turn right after the server's replica exchanged, so everything on the
server is captured and published: the laptop then believes exactly what the server's replica
believes, its first capture finds nothing to send, and the rest of the exchange only carries
what is newer. It takes a sync identity of its own, never the server's.
"""

from __future__ import annotations

import secrets

from app.services.scoring_service import RESCORED_INPUTS_KEY, RESCORED_ON_KEY
from app.services.sync import meta
from app.services.sync.report import Progress
from app.services.sync.tables import ROW_TABLES
from app.storage.db import Database
from app.storage.repositories.sync.replica_copy import (
    LaptopNotEmptyError,
    copy_replica,
    is_empty_replica,
)
from app.storage.repositories.sync.repository import SyncRepository

# What the server's replica knows of the team's sync, which the laptop adopts with the rows.
# Not its identity, nor where it published (its own ops, under its own identity). With the
# copied scores goes what they were last all scored with (and when): the laptop re-scores every
# lead only when its inputs differ from those, as the server would, not because it is new.
ADOPTED_META = (meta.CAPTURED, meta.HLC, meta.CONFLICT_ROWS, meta.COVERED, meta.KNOWN,
                meta.MERGE_STAMPS, meta.HELD, meta.SYNCED_AT, meta.NEWEST_SNAPSHOT,
                meta.KEY_CHECK, RESCORED_INPUTS_KEY, RESCORED_ON_KEY)
# Set on a server whose rows are a baseline without ops: a laptop holding data of its own that
# joins later needs every row as ops (a snapshot), so the server records them then, once.
BASELINE = "sync_baseline_without_ops"
# Shown while copying: what each table holds for the person waiting.
_WHAT = {"lead": "leads", "activity": "history", "task": "tasks", "sync_chunk": "change log",
         "sync_row": "change index", "sync_op_id": "change index", "sync_shadow": "sync state"}


def can_join_by_copy(laptop: Database) -> bool:
    """Only a laptop with nothing of its own (no rows, never synced) is filled by the copy."""
    return is_empty_replica(laptop, meta.INCARNATION)


def join_by_copy(server: Database, laptop: Database, progress: Progress | None = None
                 ) -> int | None:
    """Fill the empty ``laptop`` with the server replica's state; the rows copied, or None
    when the laptop turned out not to be empty (it exchanges change sets instead)."""
    say = progress or (lambda _text: None)
    shown: dict[str, int] = {}

    def table_progress(table: str, done: int, total: int) -> None:
        percent = 100 * done // total if total else 100
        if not total or shown.get(table) == percent // 10:
            return  # every tenth of a table is news enough
        shown[table] = percent // 10
        say(f"Copying the team's {_WHAT.get(table, table.replace('_', ' '))} {percent} %")

    identity = {meta.INCARNATION: secrets.token_hex(8), meta.DEVICE: secrets.token_hex(8),
                meta.DB_PATH: str(laptop.path.resolve())}
    try:
        copied = copy_replica(server, laptop, meta_keys=ADOPTED_META, identity=identity,
                              incarnation_key=meta.INCARNATION, progress=table_progress)
    except LaptopNotEmptyError:
        return None
    return sum(copied.values())


def record_baseline(server: Database) -> None:
    """A laptop with data of its own joins a server whose rows have no ops: the server's next
    capture reads every row again and records it (once), so its snapshot holds everything."""
    if server.get_meta(BASELINE) is None:
        return
    with server.write() as session:  # the baseline's digests would hide every row from capture
        SyncRepository(session).forget_shadows(ROW_TABLES)
    server.set_meta(meta.CAPTURED, None)  # in this order: a crash in between only repeats it
    server.set_meta(BASELINE, None)
