"""Team sync through a shared folder: wires app/sync (merge core, files) to the database.

Capture is state-based: instead of hooking every write path (ORM, bulk inserts, imports), each
sync reads the synced rows written since the last capture and compares each with what the sync
believes it holds (the merged values of its ops, overlaid with the few values this laptop keeps
different on purpose: ``sync_shadow``); the differences of a row become one op, each field's
``pred`` the replica's current heads, i.e. what this laptop had.

A sync streams: every step works a batch at a time, and every batch is one short write
transaction (about a thousand rows), so other writers get their turn in between and memory does
not grow with the database:

1. lineage: decide this database's incarnation (see ``_lineage``);
2. look at the folder (read only): verify each file's checksum and header, decode nothing yet;
3. capture: changed rows in keyset order, a batch per transaction (its ops, shadow, clock);
4. publish own unpublished ops straight from the log, a file's worth at a time;
5. absorb snapshots (a new laptop, or one back after a long time), a batch of rows at a time;
6. merge each change file a batch of ops at a time: the touched rows' local edits are captured
   first (a merge never overwrites an edit), then the received ops are applied, stored, and
   the merged values of every touched row written into the ordinary tables;
7. follow-ups of the merged leads (cadence tasks, touch times, scores), and every lead
   re-scored when what all scores depend on changed (rules, territories, suppressions, the
   day); what they changed (promotions by score, task owners) is captured and published in
   this same sync, so laptops that exchanged their files agree at once;
8. review flags, acknowledgement, folder maintenance (a snapshot is written from the log a
   batch of rows at a time). A laptop refused for its passphrase writes none of it: only a
   note without data that tells the others (app/sync/refusals.py).

A crash between or inside steps loses nothing and duplicates nothing: each transaction is
whole, ops are deduplicated by id, and a file counts as merged only with its last batch.

Synced: lead, event, user, team, queue, task and the other tables of ``_ROW_TABLES`` (field-level,
soft deletes as RowDelete/RowRestore) and activity and tombstone (append-only, unioned). Derived
columns (lead score, touch times, next due) are recomputed locally, never synced, from synced
facts only and for the same moment (ScoringService.scoring_moment), so they agree everywhere.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import hashlib
import json
import secrets
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from app.domain.erasure import ERASED_SYNC_COLUMNS
from app.domain.errors import ConflictError, ValidationError
from app.domain.history import ActivityKind
from app.domain.leads import FIELDS_BY_NAME, FieldKind
from app.domain.review import (
    ReviewCode,
    ReviewReason,
    parse_reasons,
    store_reasons,
    sync_conflict,
)
from app.services.context import ServiceContext
from app.services.settings_service import SHARED_SETTINGS
from app.services.sync.batches import Batch, Pace, RowKey, batched
from app.services.sync.report import (
    ConflictVersion,
    OpenConflict,
    SyncConflict,
    SyncFolderError,
    SyncReport,
    refused_warning,
)
from app.storage import orm
from app.storage.repositories.erasure import ErasureRepository
from app.storage.repositories.history import HistoryRepository
from app.storage.repositories.sync import DB_TIME_FORMAT, CaptureCursor, SyncRepository
from app.sync.changeset import ChangeSetError, TeamKey, read_changeset
from app.sync.clock import HybridClock, Timestamp
from app.sync.compaction import (
    add_range,
    apply_compaction,
    folder_stats,
    plan_compaction,
    should_snapshot,
    through,
    write_state,
)
from app.sync.folder import (
    FoundFile,
    describe_error,
    probe,
    probe_snapshots,
    publish_lines,
    publish_snapshot_rows,
)
from app.sync.merge import EDIT_VS_DELETE, ApplyResult, Conflict, Replica
from app.sync.ops import Append, FieldSet, Op, RowDelete, op_from_dict
from app.sync.refusals import (
    recent_refusals,
    remove_refusal,
    remove_stale_refusals,
    write_refusal,
)
from app.sync.snapshot import (
    EncodedRow,
    FoundSnapshot,
    SnapshotInfo,
    SnapshotRow,
    SnapshotScan,
    iter_snapshot_rows,
    open_snapshot,
    snapshots_to_absorb,
    validate_snapshot,
)

# Materialisation order: referenced tables first (foreign keys are also deferred to commit).
_ROW_TABLES: dict[str, type[orm.Base]] = {
    "team": orm.Team, "user": orm.User, "queue": orm.Queue, "event": orm.Event,
    "question": orm.Question, "lead": orm.Lead, "task": orm.Task, "answer": orm.Answer,
    "suppression": orm.Suppression, "cadence": orm.CadenceRow, "score_rule": orm.ScoreRuleRow,
    "routing_rule": orm.RoutingRuleRow,
    # Ids derive from the key (settings_service.setting_id), so every laptop edits one row.
    "shared_setting": orm.SharedSetting,
}
# Write-once rows, unioned. A tombstone arriving erases the person on this laptop too.
_APPEND_TABLES: dict[str, type[orm.Base]] = {"activity": orm.Activity, "tombstone": orm.Tombstone}
_NOT_SYNCED_ANYWHERE = {"id", "updated_at", "device_id", "deleted_at"}
# Local or derived columns: recomputed after a merge (touch times, next due, score) or local ids.
_LOCAL_COLUMNS: dict[str, set[str]] = {
    "lead": {"key", "score", "score_reasons", "first_touch_at", "last_touch_at", "next_due_at"},
    # Import batches are not synced in phase 1, so the reference would dangle on other laptops.
    "activity": {"batch_id"},
}
# Values a raw INSERT must give for NOT NULL columns that are not synced (ORM-side defaults).
_INSERT_DEFAULTS: dict[str, dict[str, Any]] = {"lead": {"score": 0, "score_reasons": ""}}

# The capture high-water mark is moved back by this much, so rows written by another connection
# with a slightly older clock reading are not missed (re-reading a row is harmless: no diff).
_CAPTURE_OVERLAP = dt.timedelta(minutes=5)
# Rows captured, received ops merged, snapshot rows written or absorbed per write transaction:
# each takes well under a second, so other writers (the window, daily jobs) wait little.
CAPTURE_ROWS = 1000
MERGE_OPS = 1000
SNAPSHOT_ROWS = 1000
# Change-set files are capped (SYNC.md 4.4: about 5 MB): by ops, and by text (a reader holds
# one file's text while it merges it a batch at a time).
_OPS_PER_FILE = 20_000
_TEXT_PER_FILE = 8 * 1024 * 1024
# Between two batch transactions (see SyncService._turn).
_TURN_PAUSE_S = 0.002

META_INCARNATION = "sync_incarnation"
META_DEVICE = "sync_device"
META_DB_PATH = "sync_db_path"
# JSON {folder path: "<incarnation>:<last published seq>"}: per folder, so pointing a laptop at
# another (or an emptied) folder publishes its history there again instead of assuming it is there.
META_PUBLISHED = "sync_published"
META_CAPTURED = "sync_captured_since"
META_ANCESTOR = "sync_ancestor"
# The HLC of the last op issued or observed, saved with every batch that moved it.
META_HLC = "sync_hlc"
# JSON [[table, row_id], ...]: rows with an open conflict, loaded for the review list and the
# report, as a sync loads only the ops of the rows it touches.
META_CONFLICT_ROWS = "sync_conflict_rows"
# Snapshots absorbed (SYNC.md 4.12): the union of their coverage vectors. JSON.
META_COVERED = "sync_covered"
# JSON {incarnation: [[first, last], ...]}: spans of ops held, for the acknowledgement file.
META_KNOWN = "sync_known"
# Last time this laptop looked for change files it may delete (once a day is plenty).
META_COMPACTED = "sync_compaction_checked"
COMPACTION_EVERY = dt.timedelta(days=1)
META_NEWEST_SNAPSHOT = "sync_newest_snapshot"
# JSON list of the stamps recent merges wrote rows with. Such a row holds what the sync
# believes it holds, so capture need not re-read it (a later local write gives it another stamp).
META_MERGE_STAMPS = "sync_merge_stamps"
# JSON [[table, row id], ...]: rows whose parent row has not arrived yet; merged again each sync.
META_HELD = "sync_held_rows"
# Merges stamp rows 1 µs before their clock reading: no local write uses that exact value, even
# with a clock that does not move between a merge and an edit.
_MERGE_STAMP_OFFSET = dt.timedelta(microseconds=1)
# When the last merge finished (DB time): rows written later are edits not captured yet.
META_SYNCED_AT = "sync_synced_at"
# JSON {folder path: {"salt", "n", "r", "p", "key_id"}}: how to tell the passphrase that last
# read other laptops' files there (the local database holds the passphrase itself anyway), so a
# passphrase mistyped later is refused even when the folder has nothing new to read.
META_KEY_CHECK = "sync_key_check"

@functools.cache
def synced_columns(table: str) -> tuple[str, ...]:
    model = _ROW_TABLES.get(table) or _APPEND_TABLES[table]
    skip = _NOT_SYNCED_ANYWHERE | _LOCAL_COLUMNS.get(table, set())
    return tuple(c.name for c in model.__table__.columns if c.name not in skip)


# Fields whose values are codes the app chooses from (a typed third value would be invalid).
_CODED_FIELDS = {"status", "rating", "channel", "consent", "kind", "availability", "role",
                 "routing_mode", "outcome"}

# Derived columns written together with their source field (decided together in the inbox).
_SOURCE_OF = {"phone_e164": "phone", "mobile_e164": "mobile"}

Progress = Callable[[str], None]
Rescore = Callable[[Session, Sequence[uuid.UUID]], None]
# Re-scores every lead when what all scores depend on changed; None when nothing needed it.
RescoreStale = Callable[[], object | None]


def _typing_allowed(table: str, field_name: str, offered: Sequence[Any]) -> bool:
    """A typed third value is stored as given, so only free text qualifies: never ids, codes,
    or values the app normalises or validates (emails, phone numbers, dates, amounts)."""
    if field_name.endswith("_id") or field_name in _CODED_FIELDS or field_name in _SOURCE_OF:
        return False
    if table == "lead":
        spec = FIELDS_BY_NAME.get(field_name)
        return spec is not None and spec.kind in (FieldKind.TEXT, FieldKind.LONG_TEXT)
    return all(isinstance(v, str | None) for v in offered)


def _decisions(replica: Replica) -> list[Conflict]:
    """The conflicts a person must decide: two laptops that wrote the same value without
    seeing each other agree, so there is nothing to choose (the merge core still keeps both)."""
    out = []
    for conflict in replica.conflicts():
        if conflict.field is not None:
            values = {json.dumps(version.value, sort_keys=True, default=str)
                      for i in conflict.heads
                      if (version := replica.version(i, conflict.field)) is not None}
            if len(values) < 2:
                continue
        out.append(conflict)
    return out


def _version_value(op: FieldSet, field_name: str | None) -> Any:
    """What a head wrote: the field's value, or for a row (edited while deleted) the edit's
    value, or its fields and values when it changed several."""
    if field_name is not None:
        return op.values[field_name]
    if len(op.values) == 1:
        return next(iter(op.values.values()))
    return dict(op.values)


def _review_reason(conflict: Conflict) -> ReviewReason:
    what = conflict.field if conflict.kind != EDIT_VS_DELETE else "edited while deleted"
    return sync_conflict(what)


def _lead_of(repo: SyncRepository, table: str, row_id: str) -> str | None:
    if table == "lead":
        return row_id
    if table in ("task", "activity", "answer"):
        return next(iter(repo.leads_of(table, [row_id])), None)
    return None


def _shown(value: Any) -> str:
    return "—" if value is None else str(value)


def _db_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).replace(tzinfo=None).strftime(DB_TIME_FORMAT)


def _digest(columns: Sequence[str], row: dict[str, Any]) -> bytes:
    """Of a row's synced values and whether it is deleted: capture's "nothing changed" test."""
    values = [row[c] for c in columns] + [row.get("deleted_at") is not None]
    text = json.dumps(values, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.blake2b(text.encode(), digest_size=8).digest()


# What a column added by a later schema version holds in rows that existed before it.
_ADDED_COLUMN_DEFAULTS: tuple[Any, ...] = (None, "", 0)


def _edited(name: str, value: Any, believed: Mapping[str, Any], known: bool) -> bool:
    """Whether capture must send this column of a row. A known row's ops name every column
    that existed when it was first sent; one missing from them was added by an upgrade since,
    and at its default it says nothing new (sending it would resend every row after an upgrade)."""
    if name in believed:
        return bool(believed[name] != value)
    return not known or value not in _ADDED_COLUMN_DEFAULTS


@dataclass
class _Merge:
    """What the batches of one sync's merge add up to."""

    stamp: str
    result: ApplyResult = field(default_factory=ApplyResult)
    pace: Pace = field(default_factory=lambda: Pace(MERGE_OPS))
    erased_rows: set[RowKey] = field(default_factory=set)
    stamp_recorded: bool = False

    def add(self, result: ApplyResult) -> None:
        self.result.new += result.new
        self.result.duplicates += result.duplicates
        self.result.collisions += result.collisions
        self.result.clock_ahead += result.clock_ahead


class SyncService:
    def __init__(self, context: ServiceContext, rescore: Rescore | None = None,
                 rescore_stale: RescoreStale | None = None, *,
                 after_merge: Sequence[Callable[[], None]] = (),
                 after_merge_in: Sequence[Callable[[Session, Sequence[uuid.UUID]], None]] = ()
                 ) -> None:
        self.context = context
        self.db = context.db
        # Scoring re-scores merged leads, and every lead once rules, territories, suppressions
        # or the day changed; optional so this service stays testable on its own.
        self.rescore = rescore
        self.rescore_stale = rescore_stale
        # Called after other laptops' changes were written: services caching rules, the
        # suppression list or cadences read them again.
        self.after_merge: list[Callable[[], None]] = list(after_merge)
        # Called with the leads a merge changed, in a transaction of their own once every
        # received change is merged (cadences: tasks follow the merged owner, twin cadence steps
        # are dropped).
        self.after_merge_in: list[Callable[[Session, Sequence[uuid.UUID]], None]] = list(
            after_merge_in)

    # -- lineage ------------------------------------------------------------------------------
    def incarnation(self) -> str | None:
        return self.db.get_meta(META_INCARNATION)

    def _mint(self, report: SyncReport) -> str:
        old = self.db.get_meta(META_INCARNATION)
        inc, device = secrets.token_hex(8), secrets.token_hex(8)
        if old:
            self.db.set_meta(META_ANCESTOR, old)
            report.new_incarnation = True
        self.db.set_meta(META_INCARNATION, inc)
        self.db.set_meta(META_DEVICE, device)
        self.db.set_meta(META_DB_PATH, str(self.db.path.resolve()))
        return inc

    def _lineage(self, report: SyncReport) -> str:
        """Rule: the incarnation (author of new ops) is kept while the database file stays at the
        path it was minted at. A different path means the file was copied (or moved): a copy
        writing under the original's incarnation would reuse its op ids, so a new one is minted.
        A folder holding ops of our incarnation beyond what we authored (a restored backup, an
        undetected copy) also mints one, checked in ``sync`` after the scan."""
        inc = self.db.get_meta(META_INCARNATION)
        if inc is None or self.db.get_meta(META_DB_PATH) != str(self.db.path.resolve()):
            if inc is not None:
                report.warnings.append("this database was copied or moved: it now syncs under "
                                       "a new identity")
            inc = self._mint(report)
        return inc

    # -- the sync -------------------------------------------------------------------------------
    def sync(self, folder: Path, passphrase: str | None = None,
             progress: Progress | None = None, *, snapshot: bool = False) -> SyncReport:
        """One exchange with ``folder``. ``snapshot`` writes a snapshot of everything this laptop
        holds afterwards, whatever the folder's size (otherwise only past 500 files or 50 MB)."""
        say = progress or (lambda _text: None)
        if not folder.is_dir():
            # Never created here: a missing folder is usually an unmounted drive, not a new team.
            raise SyncFolderError(f"The sync folder {folder} does not exist or is not a folder.")
        report = SyncReport()
        key = TeamKey(passphrase) if passphrase else None
        inc = self._lineage(report)

        say("Reading the shared folder")
        with self.db.read() as session:
            repo = SyncRepository(session)
            processed = repo.processed_digests()
            own_max = repo.own_max_seq(inc)
            known = self._known_ranges(repo)
        snaps = probe_snapshots(folder, key, skip=processed)
        report.files_skipped = [(p.name, reason) for p, reason in snaps.skipped]
        if any(f.info.coverage.get(inc, 0) > own_max for f in snaps.snapshots):
            report.warnings.append("a snapshot in the folder holds newer changes of this "
                                   "database's identity (restored backup or copy): it now syncs "
                                   "under a new identity")
            inc = self._mint(report)
            own_max = 0
        if own_max:
            add_range(known, inc, 1, own_max)
        absorb = self._snapshots_to_absorb(snaps, key, through(known), report)
        covered = dict(self._covered())
        for found in absorb:
            for snap_inc, seq in found.info.coverage.items():
                covered[snap_inc] = max(covered.get(snap_inc, 0), seq)
        probed = probe(folder, key, skip=processed, covered=covered)
        report.files_skipped += [(p.name, reason) for p, reason in probed.skipped]
        if any(f.incarnation == inc and f.seq_last > own_max for f in probed.files):
            report.warnings.append("the folder has newer changes of this database's identity "
                                   "(restored backup or copy): it now syncs under a new identity")
            inc = self._mint(report)
        report.incarnation = inc
        report.passphrase_rejected = (
            bool(probed.wrong_passphrase or any(r.startswith("wrong-passphrase")
                                                for _p, r in snaps.skipped))
            and not probed.files and not snaps.snapshots)
        if not (report.passphrase_rejected or probed.files or snaps.snapshots):
            report.passphrase_rejected = not self._same_passphrase(folder, key)
        device = self.db.get_meta(META_DEVICE) or inc
        if not report.passphrase_rejected:
            refused = recent_refusals(folder, self._wall_ms(), own_device=device)
            if refused:
                report.refused_laptops = len(refused)
                report.warnings.append(refused_warning(len(refused), refused[-1].written))
        clock = self._clock(inc)

        say("Recording local changes")
        self._capture(inc, clock, say=say)

        if not report.passphrase_rejected:
            self._publish_pending(folder, key, inc, report, say)

        say("Merging received changes")
        merge = _Merge(_db_time(self.context.clock() - _MERGE_STAMP_OFFSET))
        for found in absorb:
            if self._absorb(found, key, inc, clock, known, merge, report, say):
                report.snapshots_absorbed += 1
            else:  # not counted as read: the next sync tries it again
                snaps.snapshots.remove(found)
        for found_file in sorted(probed.files, key=lambda f: (f.incarnation, f.seq_first, f.path.name)):
            if self._merge_file(found_file, key, inc, clock, known, merge, report, say):
                report.files_read += 1
        self._merge_held(inc, clock, merge)
        if merge.result.new or report.snapshots_absorbed:
            for forget in self.after_merge:  # the follow-ups score with the merged rules
                forget()
        followed = self._follow_up_all()
        rescored = self.rescore_stale is not None and self.rescore_stale() is not None
        if followed or rescored:
            # What this laptop derived from the merge (promotions by score, cadence tasks
            # following a merged owner) goes out in this sync, so laptops that exchanged their
            # files agree at once instead of a sync later.
            say("Recording what the merge changed")
            self._capture(inc, clock, say=say)
            if not report.passphrase_rejected:
                self._publish_pending(folder, key, inc, report, say)
        self._finish_merge(inc, clock, known, snaps, merge, report)
        report.received_ops = merge.result.new
        report.clock_ahead = bool(merge.result.clock_ahead)
        if merge.result.collisions:
            report.warnings.append(f"{len(merge.result.collisions)} received changes reuse ids "
                                   "with different content (a copied database); the first kept")
        if report.passphrase_rejected:
            # Refused: no state file (it would hold back compaction for everyone), no snapshot,
            # no compaction; only the note that tells the others, which holds no data.
            try:
                write_refusal(folder, device, self._wall_ms())
            except OSError as exc:
                report.warnings.append(f"could not leave the note for the other laptops: {exc}")
            return report
        remove_refusal(folder, device)
        if key is not None and (report.files_read or report.snapshots_absorbed):
            self._remember_passphrase(folder, key)
        self._acknowledge(folder, inc, through(known), report)
        self._maintain(folder, key, snaps, report, force_snapshot=snapshot, say=say)
        return report

    def _key_checks(self) -> dict[str, Any]:
        try:
            found = json.loads(self.db.get_meta(META_KEY_CHECK) or "{}")
        except ValueError:
            return {}
        return found if isinstance(found, dict) else {}

    def _same_passphrase(self, folder: Path, key: TeamKey | None) -> bool:
        """Whether ``key`` is the passphrase that last read other laptops' files in ``folder``
        (True when none ever did: nothing to compare with)."""
        check = self._key_checks().get(str(folder.resolve()))
        if not isinstance(check, dict):
            return True
        if key is None:
            return False
        try:
            raw = key.key_for(base64.b64decode(check["salt"], validate=True), int(check["n"]),
                              int(check["r"]), int(check["p"]))
        except (KeyError, TypeError, ValueError, binascii.Error, ChangeSetError):
            return True  # a damaged record decides nothing
        return TeamKey.key_id(raw) == check.get("key_id")

    def _remember_passphrase(self, folder: Path, key: TeamKey) -> None:
        """``key`` read other laptops' files in ``folder``: remember how to recognise it."""
        params = key.params
        raw = key.key_for(key.salt, params["n"], params["r"], params["p"])
        checks = self._key_checks()
        checks[str(folder.resolve())] = {"salt": base64.b64encode(key.salt).decode("ascii"),
                                         **params, "key_id": TeamKey.key_id(raw)}
        self.db.set_meta(META_KEY_CHECK, json.dumps(checks, sort_keys=True))

    def _snapshots_to_absorb(self, snaps: SnapshotScan, key: TeamKey | None,
                             knowledge: dict[str, int], report: SyncReport) -> list[FoundSnapshot]:
        """The snapshots that teach this laptop something, each read to its end once first: a
        snapshot that turns out unreadable is skipped (and does not count as covering files)."""
        readable: set[str] = set()
        while True:
            chosen = snapshots_to_absorb(snaps.snapshots, knowledge)
            for found in chosen:
                if found.sha256 in readable:
                    continue
                if not self._readable(found, key, report):
                    snaps.snapshots.remove(found)
                    break
                readable.add(found.sha256)
            else:
                return chosen

    @staticmethod
    def _readable(found: FoundSnapshot, key: TeamKey | None, report: SyncReport) -> bool:
        try:
            with open(found.path, "rb") as fh:
                _info, envelope = open_snapshot(fh, found.path.stat().st_size, key)
                validate_snapshot(fh, envelope)
        except (OSError, ChangeSetError) as exc:
            report.files_skipped.append((found.path.name, describe_error(exc)))
            return False
        return True

    def _clock(self, inc: str) -> HybridClock:
        """This incarnation's clock, after everything it issued or observed (saved with every
        batch that moved it)."""
        last = Timestamp(0, 0, inc)
        saved = self.db.get_meta(META_HLC)
        if saved:
            try:
                stamp = Timestamp.decode(saved)
                last = Timestamp(stamp.wall_ms, stamp.counter, inc)
            except ValueError:
                pass
        return HybridClock(inc, self._wall_ms, last)

    def _batch(self, session: Session, inc: str, clock: HybridClock) -> Batch:
        return Batch(session, inc, clock, self._covered_in(SyncRepository(session)))

    # -- capture --------------------------------------------------------------------------------
    def _capture(self, inc: str, clock: HybridClock, session: Session | None = None,
                 say: Progress | None = None, leads: set[str] | None = None) -> int:
        """Record every local change since the last capture as ops, a batch of rows per write
        transaction (or all inside ``session``, for a decision that must see them); returns the
        number of rows read. ``leads`` collects the leads edited, deleted or restored (their
        review flags follow; a sync looks at every flagged lead at its end anyway)."""
        started = self.context.clock()
        since = self.db.get_meta(META_CAPTURED) if session is None else self.db_meta(
            SyncRepository(session), META_CAPTURED)
        read = 0
        pace = Pace(CAPTURE_ROWS)
        for table in (*_ROW_TABLES, *_APPEND_TABLES):
            columns = synced_columns(table)
            wanted = [*columns, "deleted_at"] if table in _ROW_TABLES else columns
            cursor: CaptureCursor | None = None
            while True:
                with self._transaction(session, pace) as batch_session:
                    batch = self._batch(batch_session, inc, clock)
                    stamps = self._merge_stamps(batch.repo)
                    rows, cursor = batch.repo.changed_rows(table, wanted, since, stamps, cursor,
                                                           pace.size)
                    if table in _ROW_TABLES:
                        self._capture_rows(batch, table, rows)
                    else:
                        self._capture_appends(batch, table, rows)
                    if leads is not None:
                        leads |= batch.captured_leads
                    # A local restore brings back conflicts a delete hid, a delete hides them:
                    # the list follows (the flags follow at the end of the sync). Rows without
                    # ops before this capture have none.
                    self._note_conflicts(batch, batch.known)
                    batch.save()
                    self._set_meta_in(batch.repo, META_HLC, clock.last.encode())
                read += len(rows)
                if say is not None and rows:
                    say(f"Recording local changes: {read:,} rows read")
                if cursor is None:
                    break
        with self._transaction(session, pace) as batch_session:
            self._set_meta_in(SyncRepository(batch_session), META_CAPTURED,
                              _db_time(started - _CAPTURE_OVERLAP))
        return read

    def _transaction(self, session: Session | None, pace: Pace) -> AbstractContextManager[Session]:
        """A new write transaction of a batch (see ``_turn``), or the caller's."""
        return self._turn(pace) if session is None else nullcontext(session)

    @contextmanager
    def _turn(self, pace: Pace | None = None) -> Iterator[Session]:
        """One batch's write transaction (its time sets the next batch's size), then a moment
        for the writers waiting behind it: the write turn is a lock, not a queue, and a sync
        taking it again at once could keep the window and the daily jobs waiting."""
        with self.db.write() as session:
            started = time.perf_counter()
            yield session
        if pace is not None:
            pace.took(time.perf_counter() - started)
        time.sleep(_TURN_PAUSE_S)

    def _capture_rows(self, batch: Batch, table: str, rows: Sequence[dict[str, Any]]) -> list[Op]:
        """Ops for the differences between these rows (id, synced columns, deleted_at) and what
        the sync believes they hold; updates their shadows. A row unchanged since capture last
        saw it is recognised by its digest, without reading its ops."""
        columns = synced_columns(table)
        shadows = batch.shadows(table, [r["id"] for r in rows])
        digests = {r["id"]: _digest(columns, r) for r in rows}
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

    def _capture_appends(self, batch: Batch, table: str, rows: Sequence[dict[str, Any]]) -> None:
        columns = synced_columns(table)
        known = batch.repo.known_rows(table, [r["id"] for r in rows])
        ops: list[Op] = [batch.replica.local_append(table, row["id"], {c: row[c] for c in columns})
                         for row in rows if row["id"] not in known]
        batch.repo.add_ops(ops)

    def _capture_touched(self, batch: Batch, keys: Iterable[RowKey]) -> None:
        """Local edits of rows about to be merged go first: a merge never overwrites them."""
        by_table: dict[str, list[str]] = {}
        for table, row_id in keys:
            if table in _ROW_TABLES:
                by_table.setdefault(table, []).append(row_id)
        for table, ids in by_table.items():
            rows = batch.repo.rows_by_id(table, [*synced_columns(table), "deleted_at"], sorted(ids))
            self._capture_rows(batch, table, list(rows.values()))

    # -- publish --------------------------------------------------------------------------------
    def _publish_pending(self, folder: Path, key: TeamKey | None, inc: str, report: SyncReport,
                         say: Progress) -> None:
        """Own ops not in this folder yet, straight from the log, a file's worth at a time;
        each file is recorded as published once written (a crash re-publishes only the rest)."""
        device = self.db.get_meta(META_DEVICE) or inc
        published = self._published_seq(folder, inc)
        while True:
            with self.db.read() as session:
                lines = SyncRepository(session).own_lines_after(inc, published, _OPS_PER_FILE,
                                                                _TEXT_PER_FILE)
            if not lines:
                return
            say(f"Publishing {report.sent_ops + len(lines):,} changes")
            try:
                path, digest = publish_lines(folder, device, inc,
                                             [(seq, text.encode()) for seq, text in lines], key)
            except OSError as exc:
                raise SyncFolderError(f"Cannot write to the sync folder {folder}: {exc}") from exc
            published = lines[-1][0]
            with self._turn() as session:
                repo = SyncRepository(session)
                found = self._published_map_in(repo)
                found[str(folder.resolve())] = f"{inc}:{published}"
                self._set_meta_in(repo, META_PUBLISHED, json.dumps(found))
                repo.add_processed([(digest, path.name)])
            report.published = path
            report.sent_ops += len(lines)

    # -- merge ----------------------------------------------------------------------------------
    def _merge_file(self, found: FoundFile, key: TeamKey | None, inc: str, clock: HybridClock,
                    known: dict[str, list[list[int]]], merge: _Merge, report: SyncReport,
                    say: Progress) -> bool:
        """Merge one change file a batch of ops per transaction; False when it cannot be read."""
        try:
            data = found.path.read_bytes()
            changes = read_changeset(data, key)
        except (OSError, ChangeSetError) as exc:
            report.files_skipped.append((found.path.name, describe_error(exc)))
            return False
        digest = hashlib.sha256(data).hexdigest()
        count, start = len(changes.lines), 0
        while start < count:
            end = start + merge.pace.size
            ops = changes.ops(start, end)
            with self._turn(merge.pace) as session:
                batch = self._batch(session, inc, clock)
                self._merge_ops(batch, ops, merge)
                if end >= count:
                    # The file counts as merged with its last batch, never before.
                    batch.repo.add_processed([(digest, "")])
                    add_range(known, changes.incarnation, changes.seq_first, changes.seq_last)
                    self._set_meta_in(batch.repo, META_KNOWN, json.dumps(known, sort_keys=True))
            start = end
            say(f"Merging received changes: {merge.result.new:,}")
        return True

    def _merge_ops(self, batch: Batch, ops: Sequence[Op], merge: _Merge) -> None:
        keys = {(op.table, op.row_id) for op in ops}
        batch.load(keys)
        # Same op id already stored under another row: loaded, so the collision is detected.
        unknown = [op.op_id for op in ops if op.op_id not in batch.replica.ops]
        batch.load({(op.table, op.row_id) for op in batch.repo.ops_by_id(unknown)})
        self._capture_touched(batch, keys)
        self._erase_arriving(batch, ops)
        result = batch.replica.apply(ops)
        new_ops = [op for op in ops if batch.replica.ops.get(op.op_id) is op]
        batch.repo.add_ops(new_ops)
        self._after_apply(batch, {(op.table, op.row_id) for op in new_ops}, merge)
        # A version of an erased person's row that arrives again differs from the scrubbed copy
        # in the log: expected, not a sign of a copied database.
        result.collisions = [c for c in result.collisions
                             if (batch.replica.ops[c].table, batch.replica.ops[c].row_id)
                             not in merge.erased_rows]
        merge.add(result)

    def _after_apply(self, batch: Batch, touched: set[RowKey], merge: _Merge) -> None:
        """Write the merged rows, enforce erasures, follow review flags and the list of rows in
        conflict; the batch's shadows and clock are saved with it."""
        now = self.context.clock()
        self._materialise(batch, touched, merge)
        merge.erased_rows |= self._enforce_erasures(batch, touched, now)
        self._refresh_flags(batch, {r for t, r in touched if t == "lead"} | batch.captured_leads)
        self._note_conflicts(batch)
        self._set_meta_in(batch.repo, META_HLC, batch.replica.clock.last.encode())
        batch.save()

    def _note_conflicts(self, batch: Batch, rows: set[RowKey] | None = None) -> None:
        """The list of rows in conflict follows these rows (default: every row the batch
        loaded; their state is known)."""
        rows = batch.loaded if rows is None else rows
        if not rows:
            return
        in_conflict = {(c.table, c.row_id) for c in batch.replica.conflicts_of(rows)}
        before = set(self._conflict_rows(batch.repo))
        after = (before - rows) | in_conflict
        if after != before:
            self._set_meta_in(batch.repo, META_CONFLICT_ROWS, json.dumps(sorted(after)))

    def _merge_held(self, inc: str, clock: HybridClock, merge: _Merge) -> None:
        """Rows waiting for a parent row are merged again (their parent may be here now)."""
        with self.db.read() as session:
            held = self._held_rows(SyncRepository(session))
        for keys in batched(held, merge.pace):
            with self._turn(merge.pace) as session:
                batch = self._batch(session, inc, clock)
                batch.load(keys)
                self._capture_touched(batch, keys)
                self._after_apply(batch, set(keys), merge)

    def _finish_merge(self, inc: str, clock: HybridClock, known: dict[str, list[list[int]]],
                      snaps: SnapshotScan, merge: _Merge, report: SyncReport) -> None:
        """Review flags follow the conflicts, also those that local edits, deletes or restores
        settled or brought back: every flagged lead is looked at again, with its ops loaded."""
        with self.db.write() as session:
            batch = self._batch(session, inc, clock)
            repo = batch.repo
            flagged = set(repo.sync_flagged_leads())
            batch.load({("lead", r) for r in flagged} | set(self._conflict_rows(repo)))
            self._refresh_flags(batch, flagged)
            self._set_meta_in(repo, META_CONFLICT_ROWS, json.dumps(sorted(
                {(c.table, c.row_id) for c in batch.replica.conflicts()})))
            report.conflicts = self._conflicts(batch.replica)
            # Snapshots this laptop needs no more (dominated by what it holds) count as read.
            repo.add_processed((f.sha256, "") for f in snaps.snapshots)
            self._set_meta_in(repo, META_HLC, clock.last.encode())
            self._set_meta_in(repo, META_SYNCED_AT, _db_time(self.context.clock()))
            own_max = repo.own_max_seq(inc)
            if own_max:
                add_range(known, inc, 1, own_max)
            self._set_meta_in(repo, META_KNOWN, json.dumps(known, sort_keys=True))
            batch.save()

    # -- snapshots, acknowledgements, compaction (SYNC.md 4.12) ---------------------------------
    def _covered(self) -> dict[str, int]:
        with self.db.read() as session:
            return self._covered_in(SyncRepository(session))

    def _covered_in(self, repo: SyncRepository) -> dict[str, int]:
        try:
            found = json.loads(self.db_meta(repo, META_COVERED) or "{}")
        except ValueError:
            return {}
        return {str(k): int(v) for k, v in found.items()} if isinstance(found, dict) else {}

    def _known_ranges(self, repo: SyncRepository) -> dict[str, list[list[int]]]:
        raw = self.db_meta(repo, META_KNOWN)
        if raw:
            try:
                found = json.loads(raw)
                return {str(k): [[int(a), int(b)] for a, b in v] for k, v in found.items()}
            except (ValueError, TypeError, AttributeError):
                pass
        # Never merged anything yet (or the record was damaged): what absorbed snapshots cover.
        known: dict[str, list[list[int]]] = {}
        for inc, seq in self._covered_in(repo).items():
            add_range(known, inc, 1, seq)
        return known

    def _absorb(self, found: FoundSnapshot, key: TeamKey | None, inc: str, clock: HybridClock,
                known: dict[str, list[list[int]]], merge: _Merge, report: SyncReport,
                say: Progress) -> bool:
        """Join a snapshot holding changes whose files are gone (a new laptop, or one back after
        a long time), a batch of rows per transaction: a row's join needs only its own ops. Its
        coverage counts once every row is joined; False when it could not be read to its end."""
        say("Merging a snapshot")
        try:
            with open(found.path, "rb") as fh:
                info, envelope = open_snapshot(fh, found.path.stat().st_size, key)
                pace = Pace(SNAPSHOT_ROWS)
                for rows in batched(iter_snapshot_rows(fh, envelope), pace):
                    with self._turn(pace) as session:
                        batch = self._batch(session, inc, clock)
                        self._absorb_rows(batch, info, rows, merge)
        except (OSError, ChangeSetError) as exc:
            # Read to its end a moment ago, so it changed since. What was joined is correct (a
            # row at a time); the rest, and its coverage, wait for a sync that reads it whole.
            report.files_skipped.append((found.path.name, describe_error(exc)))
            return False
        with self.db.write() as session:
            repo = SyncRepository(session)
            covered = self._covered_in(repo)
            for snap_inc, seq in info.coverage.items():
                covered[snap_inc] = max(covered.get(snap_inc, 0), seq)
                add_range(known, snap_inc, 1, seq)
            self._set_meta_in(repo, META_COVERED, json.dumps(covered, sort_keys=True))
            self._set_meta_in(repo, META_KNOWN, json.dumps(known, sort_keys=True))
            repo.add_processed([(found.sha256, "")])
        return True

    def _absorb_rows(self, batch: Batch, info: SnapshotInfo, rows: Sequence[SnapshotRow],
                     merge: _Merge) -> None:
        keys = {(r.table, r.row_id) for r in rows}
        batch.load(keys)
        ops = [op for r in rows for op in r.ops]
        unknown = [op.op_id for op in ops if op.op_id not in batch.replica.ops]
        batch.load({(op.table, op.row_id) for op in batch.repo.ops_by_id(unknown)})
        self._capture_touched(batch, keys)
        self._erase_arriving(batch, ops)
        replica = batch.replica
        result = replica.absorb_rows(info.coverage, ops, [m for r in rows for m in r.marks], keys)
        batch.repo.add_ops([op for op in ops if replica.ops.get(op.op_id) is op])
        replica.restore_absorbed(info.coverage)
        batch.repo.replace_marks(keys, replica.marks_of(keys))
        self._after_apply(batch, keys, merge)
        merge.add(result)

    def _acknowledge(self, folder: Path, inc: str, known: dict[str, int],
                     report: SyncReport) -> None:
        """Tell the other laptops what this one holds, so they know what may be compacted."""
        device = self.db.get_meta(META_DEVICE) or inc
        try:
            write_state(folder, device, inc, known, self._wall_ms())
        except OSError as exc:
            report.warnings.append(f"could not write this laptop's state file: {exc}")

    def _maintain(self, folder: Path, key: TeamKey | None, snaps: SnapshotScan,
                  report: SyncReport, *, force_snapshot: bool, say: Progress) -> None:
        """Keep the folder small: a snapshot once enough change files piled up since the newest
        one, and, once a day, delete what the safe rules of SYNC.md 4.12 allow."""
        try:
            remove_stale_refusals(folder, self._wall_ms())
            coverage = self._newest_snapshot_coverage(snaps)
            stats = folder_stats(folder, coverage)
            if force_snapshot or should_snapshot(stats):
                say("Writing a snapshot")
                report.snapshot_written = self.write_snapshot(folder, key)
            last = self.db.get_meta(META_COMPACTED)
            now = self.context.clock()
            if coverage is None and report.snapshot_written is None:
                return  # without a snapshot nothing may be deleted: no need to look
            if last is None and report.snapshot_written is None:
                # A laptop that just joined waits a day before its first look (the look reads
                # every covered file; the others keep the folder tidy meanwhile).
                self.db.set_meta(META_COMPACTED, now.isoformat())
                return
            if report.snapshot_written is None and last and \
                    now - dt.datetime.fromisoformat(last) < COMPACTION_EVERY:
                return
            self.db.set_meta(META_COMPACTED, now.isoformat())
            deleted = apply_compaction(plan_compaction(folder, key, self._wall_ms()))
            report.files_compacted = len(deleted)
        except (OSError, ChangeSetError) as exc:
            report.warnings.append(f"folder maintenance skipped: {exc}")

    def _newest_snapshot_coverage(self, snaps: SnapshotScan) -> dict[str, int] | None:
        """Coverage of the newest snapshot seen in the folder, remembered so a sync does not
        read snapshots it read before (they are large)."""
        try:
            seen = json.loads(self.db.get_meta(META_NEWEST_SNAPSHOT) or "null")
        except ValueError:
            seen = None
        newest = snaps.newest()
        if newest is not None and (seen is None or newest.created.encode() > seen["created"]):
            seen = {"created": newest.created.encode(), "coverage": dict(newest.coverage)}
            self.db.set_meta(META_NEWEST_SNAPSHOT, json.dumps(seen, sort_keys=True))
        return None if seen is None else {str(k): int(v) for k, v in seen["coverage"].items()}

    def write_snapshot(self, folder: Path, key: TeamKey | None) -> Path:
        """Publish a snapshot of everything this laptop holds (it replaces the change files it
        covers once every laptop has them and the grace period has passed). Written from the
        log a batch of rows at a time, inside one read transaction (a consistent view)."""
        inc = self.db.get_meta(META_INCARNATION)
        if inc is None:
            raise SyncFolderError("Sync once before writing a snapshot.")
        device = self.db.get_meta(META_DEVICE) or inc
        clock = self._clock(inc)
        with self.db.read() as session:
            repo = SyncRepository(session)
            known = self._known_ranges(repo)
            own_max = repo.own_max_seq(inc)
            if own_max:
                add_range(known, inc, 1, own_max)
            coverage = dict(sorted(through(known).items()))
            covered = self._covered_in(repo)
            info = SnapshotInfo(device, inc, clock.now(), coverage)
            try:
                path, digest = publish_snapshot_rows(
                    folder, info, self._snapshot_rows(repo, inc, clock, covered, coverage), key)
            except OSError as exc:
                raise SyncFolderError(f"Cannot write to the sync folder {folder}: {exc}") from exc
        with self.db.write() as session:
            repo = SyncRepository(session)
            self._set_meta_in(repo, META_HLC, clock.last.encode())
            self._set_meta_in(repo, META_NEWEST_SNAPSHOT, json.dumps(
                {"created": info.created.encode(), "coverage": coverage}, sort_keys=True))
            repo.add_processed([(digest, path.name)])
        return path

    @staticmethod
    def _snapshot_rows(repo: SyncRepository, inc: str, clock: HybridClock, covered: dict[str, int],
                       coverage: dict[str, int]) -> Iterator[SnapshotRow | EncodedRow]:
        """Every row's live ops and marks, table by table (parents first, as the merge writes
        them), a batch of rows at a time. A row whose only op supersedes nothing and has no
        marks (most rows: one capture, no edit since) is copied as stored; the others go through
        a replica of their batch."""
        logged = set(repo.logged_tables())
        tables = [t for t in (*_ROW_TABLES, *_APPEND_TABLES) if t in logged] + sorted(
            logged - set(_ROW_TABLES) - set(_APPEND_TABLES))
        for table in tables:
            yield from SyncService._snapshot_rows_of(repo, table, inc, clock, covered, coverage)

    @staticmethod
    def _snapshot_rows_of(repo: SyncRepository, table: str, inc: str, clock: HybridClock,
                          covered: dict[str, int], coverage: dict[str, int]
                          ) -> Iterator[SnapshotRow | EncodedRow]:
        after = ""
        while row_ids := repo.row_ids_after(table, after, SNAPSHOT_ROWS):
            keys = [(table, row_id) for row_id in row_ids]
            texts = repo.lines_of_rows(keys)
            marked = {(m[0], m[1]) for m in repo.marks_of_rows(keys)}
            plain = {k for k in keys if len(texts.get(k, ())) == 1 and k not in marked
                     and '"p":' not in texts[k][0]}
            involved = [k for k in keys if k not in plain]
            ops: dict[RowKey, list[Op]] = {}
            marks: dict[RowKey, list[Any]] = {}
            if involved:
                replica = Replica(inc, clock, covered=covered)
                replica.restore_absorbed({}, repo.marks_of_rows(involved))
                replica.apply([op_from_dict(json.loads(text)) for k in involved
                               for text in texts.get(k, ())], from_store=True)
                for op in replica.snapshot_ops():
                    ops.setdefault((op.table, op.row_id), []).append(op)
                for mark in replica.superseded_hints(coverage):
                    marks.setdefault((mark[0], mark[1]), []).append(mark)
            for row_key in keys:
                if row_key in plain:
                    yield EncodedRow(row_key[0], row_key[1], tuple(texts[row_key]))
                elif row_key in ops or row_key in marks:
                    yield SnapshotRow(row_key[0], row_key[1], tuple(ops.get(row_key, ())),
                                      tuple(marks.get(row_key, ())))
            after = row_ids[-1]

    # -- steps ----------------------------------------------------------------------------------
    def _wall_ms(self) -> int:
        return int(self.context.clock().timestamp() * 1000)

    def _published_map(self) -> dict[str, str]:
        with self.db.read() as session:
            return self._published_map_in(SyncRepository(session))

    def _published_map_in(self, repo: SyncRepository) -> dict[str, str]:
        try:
            found = json.loads(self.db_meta(repo, META_PUBLISHED) or "{}")
        except ValueError:
            return {}
        return found if isinstance(found, dict) else {}

    def _published_seq(self, folder: Path, inc: str) -> int:
        stored = str(self._published_map().get(str(folder.resolve()), ""))
        stored_inc, _, seq = stored.rpartition(":")
        return int(seq) if stored_inc == inc and seq.isdigit() else 0

    def _conflict_rows(self, repo: SyncRepository) -> list[RowKey]:
        try:
            found = json.loads(self.db_meta(repo, META_CONFLICT_ROWS) or "[]")
        except ValueError:
            return []
        return [(str(t), str(r)) for t, r in found]

    def _merge_stamps(self, repo: SyncRepository) -> list[str]:
        try:
            found = json.loads(self.db_meta(repo, META_MERGE_STAMPS) or "[]")
        except ValueError:
            return []
        return [str(s) for s in found] if isinstance(found, list) else []

    def _materialise(self, batch: Batch, touched: set[RowKey], merge: _Merge) -> None:
        """Write the replica's merged values of every touched row into the ordinary tables; the
        shadow then believes the row holds them (none of its fields is kept different any more,
        until flags and held references say otherwise)."""
        if not touched:
            return
        repo, replica = batch.repo, batch.replica
        repo.defer_foreign_keys()
        stamp = merge.stamp
        if not merge.stamp_recorded:
            now = self.context.clock()
            recent = [s for s in self._merge_stamps(repo)
                      if s >= _db_time(now - _CAPTURE_OVERLAP - _CAPTURE_OVERLAP)]
            self._set_meta_in(repo, META_MERGE_STAMPS, json.dumps([*recent[-30:], stamp]))
            merge.stamp_recorded = True
        device = self.context.device_id.hex
        leads_touched: set[str] = set()
        inserted: set[RowKey] = set()
        for table in _ROW_TABLES:
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
                    inserts.append({"id": rid, **_INSERT_DEFAULTS.get(table, {}), **values,
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
                shadow.digest = _digest(columns, {**values, "deleted_at": dead or None}) \
                    if len(values) == len(columns) and not shadow.local else None
            repo.insert_rows(table, inserts)
            if table == "lead":
                leads_touched.update(ids)
            elif table == "task":
                leads_touched.update(repo.leads_of("task", ids))
        for table in _APPEND_TABLES:
            ids = sorted(rid for t, rid in touched if t == table)
            columns = synced_columns(table)
            inserts = []
            for rid in ids:
                merged = replica.row(table, rid)
                if merged is not None:
                    inserts.append({"id": rid, **{c: merged.get(c) for c in columns},
                                    "updated_at": stamp, "device_id": device})
                    inserted.add((table, rid))
            repo.insert_rows(table, inserts)
            if table == "activity" and ids:
                leads_touched.update(repo.leads_of(table, ids))
        self._hold_dangling(batch, touched, inserted)
        repo.add_followups(sorted(leads_touched))

    def _follow_up(self, session: Session, lead_ids: Sequence[str]) -> None:
        """What changed leads need locally: cadence tasks follow, touch times, score."""
        merged_leads = [uuid.UUID(lead_id) for lead_id in lead_ids]
        for follow_up in self.after_merge_in:
            follow_up(session, merged_leads)
        repo = SyncRepository(session)
        repo.refresh_touch_times(lead_ids, [k.value for k in ActivityKind if k.is_touch])
        if self.rescore is not None:
            self.rescore(session, merged_leads)
        repo.followups_done(lead_ids)

    def _follow_up_all(self) -> bool:
        """The follow-ups of every lead merged, a batch of leads per transaction, once the
        whole merge is done (and after a crash, at the next sync); False if there were none."""
        pace = Pace(MERGE_OPS)
        followed = False
        while True:
            with self._turn(pace) as session:
                lead_ids = SyncRepository(session).pending_followups(pace.size)
                if lead_ids:
                    self._follow_up(session, lead_ids)
            if not lead_ids:
                return followed
            followed = True

    def _refresh_flags(self, batch: Batch, candidates: set[str]) -> None:
        """Flag every loaded lead with an open conflict; unflag the candidates whose conflicts
        are settled. Local on each laptop (the shadow keeps the flags), so flags never travel as
        edits."""
        for conflict in _decisions(batch.replica):
            if conflict.table == "lead":
                flagged = batch.repo.flag_review(conflict.row_id, _review_reason(conflict))
                if flagged is not None:
                    batch.keep_local("lead", conflict.row_id, {"needs_review": flagged[0],
                                                               "review_reason": flagged[1]})
        self._unflag_settled(batch, sorted(candidates))

    @staticmethod
    def _unflag_settled(batch: Batch, lead_ids: Sequence[str]) -> None:
        """The review flag of a sync conflict is derived on each laptop like the flag itself: a
        conflict decided here (in the inbox, by an edit or a delete) or on another laptop
        unflags the lead, without ops. (The candidates' ops are loaded: conflicts are known.)"""
        open_here = {(c.row_id, _review_reason(c)) for c in _decisions(batch.replica)
                     if c.table == "lead"}
        for lead_id, stored in batch.repo.sync_review_reasons(lead_ids).items():
            reasons = parse_reasons(stored)
            kept = [r for r in reasons
                    if r.code is not ReviewCode.SYNC_CONFLICT or (lead_id, r) in open_here]
            if kept != reasons:
                flag, text = batch.repo.set_review(lead_id, store_reasons(kept))
                batch.keep_local("lead", lead_id, {"needs_review": flag, "review_reason": text})

    def _hold_dangling(self, batch: Batch, touched: set[RowKey], inserted: set[RowKey]) -> None:
        """Rows that refer to a row this laptop has not received yet (another laptop's file is
        still on its way) wait: an optional reference stays empty for now, a row that cannot
        exist without its parent is not stored yet. Both are merged again on later syncs
        (SYNC.md 4.9: references are not enforced while applying)."""
        repo = batch.repo
        held: set[RowKey] = set()
        for _round in range(5):  # a held parent can leave its new children dangling in turn
            found = False
            for table, model in (*_ROW_TABLES.items(), *_APPEND_TABLES.items()):
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
                            if table in _ROW_TABLES:
                                batch.keep_local(table, rid, {column: None})
                        elif (table, rid) in inserted:
                            repo.delete_row(table, rid)
            if not found:
                break
        before = set(self._held_rows(repo))
        waiting = (before - touched) | held
        if waiting != before:
            self._set_meta_in(repo, META_HELD, json.dumps(sorted(waiting)))

    def _held_rows(self, repo: SyncRepository) -> list[RowKey]:
        try:
            found = json.loads(self.db_meta(repo, META_HELD) or "[]")
        except ValueError:
            return []
        return [(str(t), str(r)) for t, r in found]

    def _enforce_erasures(self, batch: Batch, touched: set[RowKey], now: dt.datetime) -> set[RowKey]:
        """Erasure reaches every laptop and is never undone by a sync: a tombstone that arrives
        erases the person here; versions of an erased person's rows that arrive later (edits
        made elsewhere before the erasure was seen) are scrubbed as they land, in the table, in
        the log and in the shadow. Returns the touched rows that belong to erased people."""
        repo = batch.repo
        by_table: dict[str, list[str]] = {}
        for table, row_id in touched:
            by_table.setdefault(table, []).append(row_id)
        owners: dict[RowKey, str] = {}
        for table in ("task", "activity", "answer"):
            for row_id, lead_id in repo.lead_of_rows(table, by_table.get(table, [])).items():
                owners[(table, row_id)] = lead_id
        lead_ids = set(by_table.get("lead", [])) | set(owners.values())
        arrived = repo.tombstoned_leads(by_table.get("tombstone", []))
        erased = repo.erased_among(sorted(lead_ids | arrived))
        to_erase = sorted(arrived - erased)
        affected = sorted(erased | set(to_erase))
        if not affected:
            return set()
        family_ids: set[str] = set()
        for lead_id in affected:
            family_ids |= self._erase_here(batch, lead_id, now)
        return {(t, r) for (t, r) in touched if r in family_ids
                or owners.get((t, r)) in family_ids}

    def _erase_here(self, batch: Batch, lead_id: str, now: dt.datetime) -> set[str]:
        """Scrub an erased person on this laptop (idempotent); returns the family's lead ids."""
        erasure = ErasureRepository(batch.session)
        family = erasure.family(uuid.UUID(lead_id))
        if not family:
            return set()
        ids = sorted(lead.id.hex for lead in family)
        entries = erasure.suppression_ids(family)
        erasure.scrub(family, now, self.context.device_id)
        batch.session.flush()
        batch.repo.purge_erased(ids, ERASED_SYNC_COLUMNS, {"suppression": entries})
        return set(ids)

    def _erase_arriving(self, batch: Batch, received: Sequence[Op]) -> None:
        """Before merging: a person erased elsewhere is scrubbed here while this laptop still
        holds their email and phone, so rows found by them (do-not-contact entries) go too."""
        leads = {str(op.values.get("lead_id")) for op in received
                 if isinstance(op, Append) and op.table == "tombstone"}
        now = self.context.clock()
        for lead_id in sorted(leads - batch.repo.erased_among(sorted(leads))):
            self._erase_here(batch, lead_id, now)

    # -- conflicts and status -------------------------------------------------------------------
    def _conflicts(self, replica: Replica) -> list[SyncConflict]:
        out: list[SyncConflict] = []
        for c in _decisions(replica):
            values: list[Any] = []
            for head in c.heads:
                op = replica.ops[head]
                if isinstance(op, FieldSet):
                    values.append(_version_value(op, c.field))
                elif isinstance(op, RowDelete):
                    values.append("<deleted>")
            out.append(SyncConflict(c.table, c.row_id, c.field, tuple(values), c.kind))
        return out

    def last_synced(self) -> dt.datetime | None:
        """When this database last merged with a folder (by the app or the CLI), UTC."""
        stamp = self.db.get_meta(META_SYNCED_AT)
        if not stamp:
            return None
        try:
            return dt.datetime.strptime(stamp, DB_TIME_FORMAT).replace(tzinfo=dt.UTC)
        except ValueError:
            return None

    def pending_changes(self, folder: Path | None) -> int:
        """Local changes the next sync would send to ``folder``: edits made since the last sync
        plus recorded changes not yet published there (a rough count of rows and fields)."""
        inc = self.db.get_meta(META_INCARNATION)
        with self.db.read() as session:
            repo = SyncRepository(session)
            since = self.db_meta(repo, META_SYNCED_AT) or "0000"
            edited = repo.written_since([*_ROW_TABLES, *_APPEND_TABLES], since)
            unpublished = 0
            if inc is not None and folder is not None:
                unpublished = max(0, repo.own_max_seq(inc) - self._published_seq(folder, inc))
        return edited + unpublished

    # -- the review inbox ------------------------------------------------------------------------
    def open_conflicts(self) -> list[OpenConflict]:
        """Every field edited on two laptops without either seeing the other, and every row
        edited on one while deleted on another, with all competing versions."""
        inc = self.db.get_meta(META_INCARNATION) or "local"
        with self.db.read() as session:
            batch = self._batch(session, inc, HybridClock(inc, self._wall_ms))
            repo, replica = batch.repo, batch.replica
            batch.load(self._conflict_rows(repo))
            found = _decisions(replica)
            # A derived companion (phone_e164) is decided with its source field, not on its own.
            sources = {(c.table, c.row_id, c.field) for c in found}
            found = [c for c in found if c.field not in _SOURCE_OF
                     or (c.table, c.row_id, _SOURCE_OF[c.field]) not in sources]
            # An erasure is final: edits that raced it are scrubbed, never up for review.
            owner = {(c.table, c.row_id): _lead_of(repo, c.table, c.row_id) for c in found}
            erased = repo.erased_among(sorted({lead for lead in owner.values() if lead}))
            # The tasks of a lead whose owner is in conflict follow the lead's decision.
            owner_undecided = {c.row_id for c in found
                               if (c.table, c.field) == ("lead", "owner_id")}
            return [self._describe(repo, replica, c) for c in found
                    if owner[(c.table, c.row_id)] not in erased
                    and not ((c.table, c.field) == ("task", "owner_id")
                             and owner[(c.table, c.row_id)] in owner_undecided)]

    def resolve_conflict(self, table: str, row_id: str, field_name: str | None,
                         value: Any) -> None:
        """Decide a conflict: ``value`` becomes the field's value as an edit that has seen every
        competing version, so the decision syncs and closes the conflict on every laptop. For an
        edit-vs-delete conflict (``field_name`` None) True keeps the row and False deletes it."""
        report = SyncReport()
        inc = self._lineage(report)
        now = self.context.clock()
        clock = self._clock(inc)
        with self.db.write() as session:
            # Local edits not yet captured go first, so the decision supersedes them too.
            captured: set[str] = set()
            self._capture(inc, clock, session=session, leads=captured)
            batch = self._batch(session, inc, clock)
            repo, replica = batch.repo, batch.replica
            batch.load({*self._conflict_rows(repo), (table, row_id), *(("lead", r) for r in captured)})
            batch.captured_leads |= captured
            conflict = next((c for c in _decisions(replica) if (c.table, c.row_id, c.field)
                             == (table, row_id, field_name)), None)
            if conflict is None:
                raise ConflictError("This conflict was already resolved (perhaps on another "
                                    "laptop); refresh the list.")
            op: Op
            if field_name is None:
                op = (replica.local_restore(table, row_id) if value
                      else replica.local_delete(table, row_id))
            else:
                self._check_choice(replica, conflict.heads, table, field_name, value)
                op = replica.local_set(table, row_id, field_name, value, resolve=True)
            ops = [op, *self._resolve_companions(replica, conflict, value)]
            touched = {(table, row_id)}
            if (table, field_name) == ("lead", "owner_id"):
                for task in _decisions(replica):
                    if ((task.table, task.field) == ("task", "owner_id")
                            and _lead_of(repo, "task", task.row_id) == row_id
                            and value in [h.value for h in replica.heads("task", task.row_id,
                                                                         "owner_id")]):
                        ops.append(replica.local_set("task", task.row_id, "owner_id", value,
                                                     resolve=True))
                        touched.add(("task", task.row_id))
            repo.add_ops(ops)
            batch.captured_leads.update(o.row_id for o in ops if o.table == "lead")
            self._after_apply(batch, touched, _Merge(_db_time(now - _MERGE_STAMP_OFFSET)))
            self._follow_up(session, repo.pending_followups(MERGE_OPS))
            lead_id = _lead_of(repo, table, row_id)
            if lead_id is not None:
                label = (FIELDS_BY_NAME[field_name].label if field_name in FIELDS_BY_NAME
                         else field_name or "the lead")
                decided = ("kept" if value else "deleted") if field_name is None else _shown(value)
                HistoryRepository(session).record(
                    uuid.UUID(lead_id), ActivityKind.FIELD_CHANGED, now=now,
                    device=self.context.device_id, actor=self.context.current_user_id,
                    field=field_name or "", new_value=decided,
                    text=f"Sync conflict on {label} resolved: {decided}")

    @staticmethod
    def _resolve_companions(replica: Replica, conflict: Conflict, value: Any) -> list[Op]:
        """Decide the derived fields of the decided one (phone -> phone_e164) the same way:
        the companion version written by the laptop whose value was chosen."""
        out: list[Op] = []
        chosen = next((version for i in conflict.heads
                       if conflict.field is not None
                       and (version := replica.version(i, conflict.field)) is not None
                       and version.value == value), None)
        for companion, source in _SOURCE_OF.items():
            if source != conflict.field or chosen is None:
                continue
            heads = replica.heads(conflict.table, conflict.row_id, companion)
            if len(heads) < 2:
                continue
            same_author = next((h for h in heads if h.hlc.device == chosen.hlc.device), heads[0])
            out.append(replica.local_set(conflict.table, conflict.row_id, companion,
                                         same_author.value, resolve=True))
        return out

    @staticmethod
    def _check_choice(replica: Replica, heads: Sequence[str], table: str, field_name: str,
                      value: Any) -> None:
        offered = [version.value for i in heads
                   if (version := replica.version(i, field_name)) is not None]
        if value in offered:
            return
        if not (isinstance(value, str) and _typing_allowed(table, field_name, offered)):
            raise ValidationError.single(field_name, "choose one of the versions; a new value "
                                                 "can only be typed for text fields")

    def _describe(self, repo: SyncRepository, replica: Replica, conflict: Conflict
                  ) -> OpenConflict:
        versions: list[ConflictVersion] = []
        for position, head in enumerate(conflict.heads):
            op = replica.ops[head]
            if isinstance(op, FieldSet):
                value: Any = _version_value(op, conflict.field)
            elif isinstance(op, RowDelete):
                value = "<deleted>"
            else:
                value = "<kept>"
            when = dt.datetime.fromtimestamp(op.hlc.wall_ms / 1000, tz=dt.UTC)
            shown = position == 0 if conflict.field is not None else not isinstance(op, RowDelete)
            versions.append(ConflictVersion(value, op.hlc.device, when, shown))
        table, row_id = conflict.table, conflict.row_id
        lead_id = _lead_of(repo, table, row_id)
        title = repo.row_title(table, row_id)
        if table == "shared_setting":
            key = title.partition(": ")[2]
            title = f"Setting: {SHARED_SETTINGS[key].label}" if key in SHARED_SETTINGS else title
        if conflict.field is None:
            label = "Edited on one laptop, deleted on another"
        elif table == "lead" and conflict.field in FIELDS_BY_NAME:
            label = FIELDS_BY_NAME[conflict.field].label
        else:
            label = conflict.field.replace("_id", "").replace("_", " ").capitalize()
        offered = [v.value for v in versions]
        can_type = conflict.field is not None and _typing_allowed(table, conflict.field, offered)
        return OpenConflict(table, row_id, conflict.field, conflict.kind,
                            uuid.UUID(lead_id) if lead_id else None, title, label,
                            tuple(versions), can_type)

    # -- app_meta inside the caller's transaction ------------------------------------------------
    @staticmethod
    def db_meta(repo: SyncRepository, key: str) -> str | None:
        row = repo.session.get(orm.AppMeta, key)
        return row.value if row else None

    @staticmethod
    def _set_meta_in(repo: SyncRepository, key: str, value: str) -> None:
        row = repo.session.get(orm.AppMeta, key)
        if row is None:
            repo.session.add(orm.AppMeta(key=key, value=value))
        else:
            row.value = value
        repo.session.flush()

