"""The sync side of moving a team onto the server (migrate-to): the server's replica and the
moving laptop start out agreeing, so their first exchange records nothing both already hold.

The copy carries every table, the sync bookkeeping too, so the server would otherwise keep the
laptop's identity (two replicas, one name). Before the copy the laptop brings its bookkeeping
up to date: a laptop that synced before records its pending edits (its log then holds every
row, and the server continues from it); one that never synced has no log and, with no other
replica anywhere, needs none: it records the rows as its baseline (their digests, "captured up
to now"), so only later edits become ops. First of all it scores its leads as of today unless
they are, so the server starts with those scores and neither side re-scores every lead at the
first exchange. After the copy the server takes an identity of its own and the laptop counts
as joined to the server's hub.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from app.domain.ids import new_id
from app.paths import ServerAddress
from app.services.context import ServiceContext
from app.services.sync import lineage, meta
from app.services.sync.capture import CAPTURE_ROWS, capture
from app.services.sync.hub import hub_folder, mark_joined
from app.services.sync.join import BASELINE
from app.services.sync.tables import ROW_TABLES, row_digest, synced_columns
from app.storage.db import Database
from app.storage.repositories.sync.replica_state import Shadow
from app.storage.repositories.sync.repository import SyncRepository
from app.storage.repositories.sync.synced_rows import CaptureCursor

_BASELINE_ROWS = 5 * CAPTURE_ROWS


@contextmanager
def handing_over(context: ServiceContext, server: ServerAddress) -> Iterator[None]:
    """Around migrate-to's copy: prepare the laptop's bookkeeping, and after a copy that
    succeeded settle both sides; after one that failed the laptop is as it was (but for its
    scores, brought to today as its daily re-score would)."""
    baseline = prepare_move(context)
    try:
        yield
    except BaseException:
        if baseline:
            _forget_baseline(context.db)
        raise
    settle_after_move(context, server, baseline=baseline)


def prepare_move(context: ServiceContext) -> bool:
    """Before the copy; True when the laptop never synced and recorded its rows as the
    baseline (they are not sent as ops to anyone: every replica starts from them)."""
    db = context.db
    _rescore_if_stale(context)
    inc = lineage.incarnation(db)
    if inc is not None:
        if db.get_meta(meta.DB_PATH) == str(db.path.resolve()):
            capture(context, inc, lineage.clock(context, inc))
        return False
    # Capture reads rows written at or after its mark: the copied rows are all older.
    stamp = meta.db_time(context.clock() + dt.timedelta(microseconds=1))
    for table in ROW_TABLES:
        _record_digests(db, table)
    with db.write() as session:
        repo = SyncRepository(session)
        for key in (meta.CAPTURED, meta.SYNCED_AT, BASELINE):
            meta.put(repo, key, stamp)
    return True


def _rescore_if_stale(context: ServiceContext) -> None:
    """Scores as of today before the copy, as the first exchange would otherwise make them on
    both sides (every lead re-scored on the laptop and again, slower, on the server): the
    server then holds the laptop's scores and what they were scored with, and neither side
    re-scores. What the re-score changed (promotions) is recorded below like any edit."""
    from app.services.container import Services

    Services.build(context.db, context.clock).scoring.rescore_if_inputs_changed()


def _record_digests(db: Database, table: str) -> None:
    columns = synced_columns(table)
    cursor: CaptureCursor | None = None
    while True:
        with db.write() as session:
            repo = SyncRepository(session)
            rows, cursor = repo.changed_rows(table, [*columns, "deleted_at"], None, [], cursor,
                                             _BASELINE_ROWS)
            repo.set_shadow(table, {row["id"]: Shadow(row_digest(columns, row)) for row in rows})
        if cursor is None:
            return


def _forget_baseline(db: Database) -> None:
    """The copy failed: the laptop goes on as before (its rows are recorded at its next sync)."""
    with db.write() as session:
        SyncRepository(session).forget_shadows(ROW_TABLES)
    for key in (meta.CAPTURED, meta.SYNCED_AT, BASELINE):
        db.set_meta(key, None)


def settle_after_move(context: ServiceContext, server: ServerAddress, *, baseline: bool) -> None:
    """After the copy: the server's replica gets an identity of its own (keeping the baseline
    mark, for a laptop with data of its own that joins later); the laptop counts as joined."""
    laptop = context.db
    server_db = Database.on_server(server)
    try:
        with server_db.write() as session:
            repo = SyncRepository(session)
            meta.put(repo, "device_id", str(new_id()))  # Database.device_id's key
            meta.put(repo, meta.INCARNATION, secrets.token_hex(8))
            meta.put(repo, meta.DEVICE, secrets.token_hex(8))
            meta.put(repo, meta.DB_PATH, str(server_db.path.resolve()))
            meta.put_json(repo, meta.PUBLISHED, {})
    finally:
        server_db.dispose()
    inc = lineage.incarnation(laptop)
    with laptop.write() as session:
        repo = SyncRepository(session)
        if inc is not None:  # the server holds every op of this laptop: none to send again
            published = meta.published_map(repo)
            published[str(hub_folder(laptop, server).resolve())] = \
                f"{inc}:{repo.own_max_seq(inc)}"
            meta.put_json(repo, meta.PUBLISHED, published)
    if baseline:
        laptop.set_meta(BASELINE, None)  # only the server's rows await a snapshot
    mark_joined(laptop, server)
