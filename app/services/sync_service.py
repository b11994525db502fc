"""Team sync through a shared folder, phase 1: wires app/sync (merge core, files) to the database.

Capture is state-based: instead of hooking every write path (ORM, bulk inserts, imports), each
sync diffs synced rows written since the last capture against ``sync_shadow`` (each field's value
as this device last exported or merged it) and turns differences into ops whose ``pred`` is the
replica's current heads, i.e. what this laptop had. One sync:

1. lineage: decide this database's incarnation (see ``_lineage``);
2. scan the folder (read only) and load the replica from ``sync_op``;
3. capture local changes into ops (one transaction), then publish own unpublished ops;
4. in ONE write transaction: capture again (edits made meanwhile), apply received ops, store them,
   and materialise the merged values of every touched row into the ordinary tables.

Synced in phase 1: lead, event, user, team, queue, task (field-level, soft deletes as
RowDelete/RowRestore) and activity (append-only, unioned). Derived columns (lead score, touch
times, next due) are recomputed locally, never synced.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from app.domain.erasure import ERASED_SYNC_COLUMNS
from app.domain.errors import ConflictError, LeadlineError, ValidationError
from app.domain.history import ActivityKind
from app.domain.ids import new_id
from app.domain.leads import FIELDS_BY_NAME, FieldKind
from app.services.context import ServiceContext
from app.services.settings_service import SHARED_SETTINGS
from app.storage import orm
from app.storage.repositories.erasure import ErasureRepository
from app.storage.repositories.sync import DB_TIME_FORMAT, SyncRepository
from app.sync.changeset import ChangeSet, ChangeSetError, TeamKey
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
from app.sync.folder import publish, publish_snapshot, scan, scan_snapshots
from app.sync.merge import EDIT_VS_DELETE, Conflict, Mark, Replica
from app.sync.ops import Append, FieldSet, Op, RowDelete, RowRestore, op_from_dict, op_to_dict, split_op_id
from app.sync.snapshot import Snapshot, SnapshotScan, snapshots_to_absorb

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
# Change-set files are capped (SYNC.md 4.4: about 5 MB); larger exports are split.
_OPS_PER_FILE = 20_000

META_INCARNATION = "sync_incarnation"
META_DEVICE = "sync_device"
META_DB_PATH = "sync_db_path"
# JSON {folder path: "<incarnation>:<last published seq>"}: per folder, so pointing a laptop at
# another (or an emptied) folder publishes its history there again instead of assuming it is there.
META_PUBLISHED = "sync_published"
META_CAPTURED = "sync_captured_since"
META_ANCESTOR = "sync_ancestor"
# The replica's HLC after the last sync (restored on the next, as only touched ops are loaded).
META_HLC = "sync_hlc"
# JSON [[table, row_id], ...]: rows with an open conflict, fully loaded on every sync so the
# review list stays complete although a sync only loads the ops of the keys it touches.
META_CONFLICT_ROWS = "sync_conflict_rows"
# Snapshots absorbed (SYNC.md 4.12): the union of their coverage vectors, and the versions they
# showed to be superseded although the superseding op is not held here. JSON.
META_COVERED = "sync_covered"
META_MARKS = "sync_marks"
# JSON {incarnation: [[first, last], ...]}: spans of ops held, for the acknowledgement file.
META_KNOWN = "sync_known"
# Last time this laptop looked for change files it may delete (once a day is plenty).
META_COMPACTED = "sync_compaction_checked"
COMPACTION_EVERY = dt.timedelta(days=1)
META_NEWEST_SNAPSHOT = "sync_newest_snapshot"
# JSON list of the stamps recent merges wrote rows with. Such a row still holds exactly what the
# shadow holds, so capture need not re-read it (a later local write gives it another stamp).
META_MERGE_STAMPS = "sync_merge_stamps"
# JSON [[table, row id], ...]: rows whose parent row has not arrived yet; merged again each sync.
META_HELD = "sync_held_rows"
# Merges stamp rows 1 µs before their clock reading: no local write uses that exact value, even
# with a clock that does not move between a merge and an edit.
_MERGE_STAMP_OFFSET = dt.timedelta(microseconds=1)
# When the last merge finished (DB time): rows written later are edits not captured yet.
META_SYNCED_AT = "sync_synced_at"

RowKey = tuple[str, str]
FieldKey = tuple[str, str, str]


class _Loader:
    """Loads ops from ``sync_op`` into the replica on demand, key by key.

    The merge state of a field depends only on that field's ops, and a row's life only on all
    ops of the row; so a sync loads the ops of the (table, row, field) keys it touches, and every
    op of rows that have (or get) a delete/restore or are new here. The results are exactly those
    of a replica holding every op, without re-reading the whole log on every sync."""

    def __init__(self, replica: Replica) -> None:
        self.replica = replica
        self.full_rows: set[RowKey] = set()
        self.fields: set[FieldKey] = set()

    def _apply(self, found: Sequence[tuple[str, str]]) -> None:
        known = self.replica.ops
        self.replica.apply([op_from_dict(json.loads(body)) for op_id, body in found
                            if op_id not in known], from_store=True)

    def rows(self, repo: SyncRepository, keys: set[RowKey]) -> None:
        keys = keys - self.full_rows
        for table in sorted({t for t, _r in keys}):
            ids = sorted(r for t, r in keys if t == table)
            self._apply(repo.ops_of_rows(table, ids))
        self.full_rows |= keys

    def field_keys(self, repo: SyncRepository, keys: set[FieldKey]) -> None:
        keys = {k for k in keys if k not in self.fields and (k[0], k[1]) not in self.full_rows}
        for table in sorted({t for t, _r, _f in keys}):
            self._apply(repo.ops_of_fields(table, [(r, f) for t, r, f in keys if t == table]))
        self.fields |= keys

    def with_lifecycle(self, repo: SyncRepository, table: str, row_ids: Sequence[str]) -> None:
        """Load in full those of these rows that have delete/restore ops (their life depends on
        every version of the row)."""
        found = repo.lifecycle_rows(table, [r for r in row_ids if (table, r) not in self.full_rows])
        self.rows(repo, {(table, r) for r in found})


def synced_columns(table: str) -> list[str]:
    model = _ROW_TABLES.get(table) or _APPEND_TABLES[table]
    skip = _NOT_SYNCED_ANYWHERE | _LOCAL_COLUMNS.get(table, set())
    return [c.name for c in model.__table__.columns if c.name not in skip]


class SyncFolderError(LeadlineError):
    """The shared folder is missing or cannot be written: nothing was exchanged."""


@dataclass(frozen=True)
class SyncConflict:
    table: str
    row_id: str
    field: str | None  # None: edited on one laptop while deleted on another
    values: tuple[Any, ...]  # the competing values, the displayed one first
    kind: str

    def to_json(self) -> dict[str, Any]:
        return {"table": self.table, "row_id": self.row_id, "field": self.field,
                "values": list(self.values), "kind": self.kind}


@dataclass(frozen=True)
class ConflictVersion:
    """One competing version of a field (or, for an edit-vs-delete conflict, of the row)."""

    value: Any  # for a row: "<deleted>" or "<kept>"
    device: str  # the incarnation that wrote it
    written_at: dt.datetime  # UTC, from the op's hybrid clock
    shown: bool  # the value the app displays until someone decides


@dataclass(frozen=True)
class OpenConflict:
    """An entry of the "needs review" inbox."""

    table: str
    row_id: str
    field: str | None  # None: edited on one laptop while deleted on another
    kind: str
    lead_id: uuid.UUID | None  # the lead the row belongs to
    title: str
    field_label: str
    versions: tuple[ConflictVersion, ...]
    can_type: bool = False  # a value other than the versions may be typed (free text only)


@dataclass
class SyncReport:
    sent_ops: int = 0
    received_ops: int = 0
    files_read: int = 0
    files_skipped: list[tuple[str, str]] = field(default_factory=list)  # (file name, reason)
    conflicts: list[SyncConflict] = field(default_factory=list)
    clock_ahead: bool = False
    published: Path | None = None
    incarnation: str = ""
    new_incarnation: bool = False
    # Every readable-looking file was refused for the passphrase: nothing is published either,
    # so a typo cannot fill the team folder with files nobody else can read.
    passphrase_rejected: bool = False
    warnings: list[str] = field(default_factory=list)
    snapshots_absorbed: int = 0
    snapshot_written: Path | None = None
    files_compacted: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "sent_ops": self.sent_ops, "received_ops": self.received_ops,
            "files_read": self.files_read,
            "files_skipped": [{"file": n, "reason": r} for n, r in self.files_skipped],
            "conflicts": [c.to_json() for c in self.conflicts],
            "clock_ahead": self.clock_ahead,
            "published": str(self.published) if self.published else None,
            "incarnation": self.incarnation, "new_incarnation": self.new_incarnation,
            "passphrase_rejected": self.passphrase_rejected, "warnings": self.warnings,
            "snapshots_absorbed": self.snapshots_absorbed,
            "snapshot_written": str(self.snapshot_written) if self.snapshot_written else None,
            "files_compacted": self.files_compacted,
        }


# Fields whose values are codes the app chooses from (a typed third value would be invalid).
_CODED_FIELDS = {"status", "rating", "channel", "consent", "kind", "availability", "role",
                 "routing_mode", "outcome"}

# Derived columns written together with their source field (decided together in the inbox).
_SOURCE_OF = {"phone_e164": "phone", "mobile_e164": "mobile"}

Progress = Callable[[str], None]
Rescore = Callable[[Session, Sequence[uuid.UUID]], None]


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
            values = {json.dumps(op.value, sort_keys=True, default=str)
                      for i in conflict.heads if isinstance(op := replica.ops[i], FieldSet)}
            if len(values) < 2:
                continue
        out.append(conflict)
    return out


def _review_reason(conflict: Conflict) -> str:
    what = conflict.field if conflict.kind != EDIT_VS_DELETE else "edited while deleted"
    return f"sync conflict: {what}"


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


def _op_row(op: Op) -> tuple[str, str, str, str, str, str, str | None]:
    d = op_to_dict(op)
    return (op.op_id, op.table, op.row_id, str(d["k"]), json.dumps(d, separators=(",", ":")),
            op.hlc.encode(), op.field if isinstance(op, FieldSet) else None)


class SyncService:
    def __init__(self, context: ServiceContext, rescore: Rescore | None = None) -> None:
        self.context = context
        self.db = context.db
        # Scoring re-scores merged leads; optional so this service stays testable on its own.
        self.rescore = rescore
        # Called after other laptops' changes were written: services caching rules, the
        # suppression list or cadences read them again.
        self.after_merge: list[Callable[[], None]] = []
        # Called inside the merge's transaction with the leads it changed (cadences: tasks
        # follow the merged owner, twin cadence steps are dropped).
        self.after_merge_in: list[Callable[[Session, Sequence[uuid.UUID]], None]] = []

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
        snaps = scan_snapshots(folder, key, skip=processed)
        report.files_skipped = [(p.name, reason) for p, reason in snaps.skipped]
        if any(f.snapshot.coverage.get(inc, 0) > own_max for f in snaps.snapshots):
            report.warnings.append("a snapshot in the folder holds newer changes of this "
                                   "database's identity (restored backup or copy): it now syncs "
                                   "under a new identity")
            inc = self._mint(report)
            own_max = 0
        if own_max:
            add_range(known, inc, 1, own_max)
        absorb = snapshots_to_absorb(snaps.snapshots, through(known))
        covered = dict(self._covered())
        for snap in absorb:
            for snap_inc, seq in snap.coverage.items():
                covered[snap_inc] = max(covered.get(snap_inc, 0), seq)
        scanned = scan(folder, key, skip=processed, covered=covered)
        report.files_skipped += [(p.name, reason) for p, reason in scanned.skipped]
        if any(cs.incarnation == inc and cs.seq_last > own_max for cs in scanned.changesets):
            report.warnings.append("the folder has newer changes of this database's identity "
                                   "(restored backup or copy): it now syncs under a new identity")
            inc = self._mint(report)
            own_max = 0
        report.incarnation = inc
        report.passphrase_rejected = bool(scanned.wrong_passphrase) and not scanned.changesets

        say("Recording local changes")
        now = self.context.clock()
        with self.db.write() as session:
            repo = SyncRepository(session)
            loader = self._load_replica(repo, inc, own_max)
            replica = loader.replica
            captured = self._capture(repo, loader, now)

        published_seq = self._published_seq(folder, inc)
        with self.db.read() as session:
            # Own ops not in this folder yet: usually just captured (loaded), else from the log.
            pending: list[Op] = [
                replica.ops.get(op_id) or op_from_dict(json.loads(body))
                for _seq, op_id, body in SyncRepository(session).own_ops_after(inc, published_seq)]
        if pending and not report.passphrase_rejected:
            say(f"Publishing {len(pending)} changes")
            report.published = self._publish(folder, key, inc, pending)
            report.sent_ops = len(pending)

        say("Merging received changes")
        received: list[Op] = [op for cs in scanned.changesets for op in cs.ops]
        with self.db.write() as session:
            repo = SyncRepository(session)
            captured += self._capture(repo, loader, self.context.clock())
            # Rows waiting for a parent row are merged again (their parent may be here now).
            touched: set[RowKey] = set(self._held_rows(repo))
            loader.rows(repo, touched)
            flagged_before = [r for t, r in self._conflict_rows(repo) if t == "lead"]
            if absorb:
                touched |= self._absorb(repo, loader, absorb, report)
            self._load_for(repo, loader, received)
            self._erase_arriving(session, repo, received, self.context.clock())
            result = replica.apply(received)
            new_ops = [op for op in received if op.op_id in replica.ops and
                       replica.ops[op.op_id] is op]
            repo.add_ops([_op_row(op) for op in new_ops])
            touched |= {(op.table, op.row_id) for op in new_ops}
            self._materialise(session, repo, replica, touched, self.context.clock())
            erased_rows = self._enforce_erasures(session, repo, touched, self.context.clock())
            # Review flags follow the conflicts, also those that local edits, deletes or
            # restores settled or brought back (whenever they were captured: every flagged
            # lead is looked at again, with all its versions loaded).
            flagged = set(repo.sync_flagged_leads())
            loader.rows(repo, {("lead", r) for r in flagged})
            self._refresh_flags(repo, replica, {
                *flagged, *flagged_before, *(r for t, r in touched if t == "lead"),
                *(op.row_id for op in captured if op.table == "lead")})
            # Digests only: scan reports no paths for accepted files, and content is the identity.
            # Snapshots this laptop needs no more (dominated by what it holds) count as read too.
            repo.add_processed((digest, "") for digest in sorted(
                scanned.accepted | {f.sha256 for f in snaps.snapshots}))
            conflict_rows = sorted({(c.table, c.row_id) for c in replica.conflicts()})
            self._set_meta_in(repo, META_CONFLICT_ROWS, json.dumps(conflict_rows))
            self._set_meta_in(repo, META_HLC, replica.clock.last.encode())
            self._set_meta_in(repo, META_SYNCED_AT, _db_time(self.context.clock()))
            for cs in scanned.changesets:
                add_range(known, cs.incarnation, cs.seq_first, cs.seq_last)
            for snap_inc, seq in replica.covered.items():
                add_range(known, snap_inc, 1, seq)
            if replica.next_seq > 1:
                add_range(known, inc, 1, replica.next_seq - 1)
            self._set_meta_in(repo, META_KNOWN, json.dumps(known, sort_keys=True))
        if result.new or report.snapshots_absorbed:
            for forget in self.after_merge:
                forget()
        report.received_ops = result.new
        report.files_read = len(scanned.changesets)
        report.clock_ahead = bool(result.clock_ahead)
        # A version of an erased person's row that arrives again differs from the scrubbed copy
        # in the log: expected, not a sign of a copied database.
        collisions = [c for c in result.collisions
                      if (replica.ops[c].table, replica.ops[c].row_id) not in erased_rows]
        if collisions:
            report.warnings.append(f"{len(collisions)} received changes reuse ids with "
                                   "different content (a copied database); the first kept")
        report.conflicts = self._conflicts(replica)
        self._acknowledge(folder, inc, through(known), report)
        self._maintain(folder, key, snaps, report, force_snapshot=snapshot, say=say)
        return report

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

    # -- snapshots, acknowledgements, compaction (SYNC.md 4.12) ---------------------------------
    def _covered(self) -> dict[str, int]:
        try:
            found = json.loads(self.db.get_meta(META_COVERED) or "{}")
        except ValueError:
            return {}
        return {str(k): int(v) for k, v in found.items()} if isinstance(found, dict) else {}

    def _marks(self) -> list[Mark]:
        try:
            found = json.loads(self.db.get_meta(META_MARKS) or "[]")
        except ValueError:
            return []
        return [(str(t), str(r), None if f is None else str(f), str(o)) for t, r, f, o in found]

    def _known_ranges(self, repo: SyncRepository) -> dict[str, list[list[int]]]:
        raw = self.db_meta(repo, META_KNOWN)
        if raw:
            try:
                found = json.loads(raw)
                return {str(k): [[int(a), int(b)] for a, b in v] for k, v in found.items()}
            except (ValueError, TypeError, AttributeError):
                pass
        # First sync of a database synced before knowledge was tracked: read it off the log.
        known = repo.held_ranges()
        for inc, seq in self._covered().items():
            add_range(known, inc, 1, seq)
        return known

    def _absorb(self, repo: SyncRepository, loader: _Loader, snapshots: Sequence[Snapshot],
                report: SyncReport) -> set[RowKey]:
        """Join snapshots holding changes whose files are gone (a new laptop, or one back after
        a long time). Rare, so the whole log is loaded: the join must see every head."""
        replica = loader.replica
        loader.rows(repo, repo.all_row_keys())
        touched: set[RowKey] = set()
        for snap in snapshots:
            result = replica.absorb_snapshot(snap)
            stored = [op for op in snap.ops if replica.ops.get(op.op_id) is op]
            repo.add_ops([_op_row(op) for op in stored])
            touched |= {(op.table, op.row_id) for op in snap.ops}
            touched |= {(replica.ops[i].table, replica.ops[i].row_id) for i in result.superseded}
            report.snapshots_absorbed += 1
        self._set_meta_in(repo, META_COVERED, json.dumps(replica.covered, sort_keys=True))
        self._set_meta_in(repo, META_MARKS, json.dumps(replica.superseded_marks()))
        loader.full_rows |= touched
        return touched

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
        decode snapshots it read before (they are large)."""
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
        covers once every laptop has them and the grace period has passed)."""
        inc = self.db.get_meta(META_INCARNATION)
        if inc is None:
            raise SyncFolderError("Sync once before writing a snapshot.")
        with self.db.read() as session:
            repo = SyncRepository(session)
            loader = self._load_replica(repo, inc, repo.own_max_seq(inc))
            loader.rows(repo, repo.all_row_keys())
            snap = Snapshot.of(loader.replica, self.db.get_meta(META_DEVICE) or inc)
        path = publish_snapshot(folder, snap, key)
        self.db.set_meta(META_NEWEST_SNAPSHOT, json.dumps(
            {"created": snap.created.encode(), "coverage": dict(snap.coverage)}, sort_keys=True))
        with self.db.write() as session:
            SyncRepository(session).add_processed(
                [(hashlib.sha256(path.read_bytes()).hexdigest(), path.name)])
        return path

    # -- steps ----------------------------------------------------------------------------------
    def _load_replica(self, repo: SyncRepository, inc: str, own_max: int) -> _Loader:
        """An empty replica positioned after this incarnation's last op; ops load on demand."""
        last = Timestamp(0, 0, inc)
        own = repo.own_max_hlc(inc)
        if own is not None:
            last = max(last, Timestamp.decode(own))
        saved = self.db_meta(repo, META_HLC)
        if saved:
            try:
                stamp = Timestamp.decode(saved)
                last = max(last, Timestamp(stamp.wall_ms, stamp.counter, inc))
            except ValueError:
                pass
        replica = Replica(inc, HybridClock(inc, self._wall_ms, last), next_seq=own_max + 1,
                          covered=self._covered(), marks=self._marks())
        loader = _Loader(replica)
        raw = self.db_meta(repo, META_CONFLICT_ROWS)
        try:
            conflict_rows = {(str(t), str(r)) for t, r in json.loads(raw)} if raw else None
        except (ValueError, TypeError):
            conflict_rows = None
        # Unknown (first sync after the upgrade): every row once, to find the open conflicts.
        loader.rows(repo, conflict_rows if conflict_rows is not None else repo.all_row_keys())
        return loader

    def _load_for(self, repo: SyncRepository, loader: _Loader, received: Sequence[Op]) -> None:
        """Load what merging ``received`` needs: the ops of every field key they set, every op of
        rows they delete/restore/append to, of rows with lifecycle ops and of rows not here yet."""
        full: set[RowKey] = set()
        fields: set[FieldKey] = set()
        for op in received:
            if isinstance(op, FieldSet):
                fields.add((op.table, op.row_id, op.field))
            else:
                full.add((op.table, op.row_id))
        loader.rows(repo, full)
        by_table: dict[str, set[str]] = {}
        for t, r, _f in fields:
            by_table.setdefault(t, set()).add(r)
        for table, ids in by_table.items():
            sorted_ids = sorted(ids)
            loader.with_lifecycle(repo, table, sorted_ids)
            if table in _ROW_TABLES:
                present = repo.rows_by_id(table, [], sorted_ids)
                loader.rows(repo, {(table, r) for r in sorted_ids if r not in present})
            else:
                loader.rows(repo, {(table, r) for r in sorted_ids})
        loader.field_keys(repo, fields)
        # Same op id already stored under another key: loaded so the collision is detected.
        unknown = [op.op_id for op in received if op.op_id not in loader.replica.ops]
        loader._apply(repo.ops_by_id(unknown))

    def _wall_ms(self) -> int:
        return int(self.context.clock().timestamp() * 1000)

    def _published_map(self) -> dict[str, str]:
        try:
            found = json.loads(self.db.get_meta(META_PUBLISHED) or "{}")
        except ValueError:
            return {}
        return found if isinstance(found, dict) else {}

    def _published_seq(self, folder: Path, inc: str) -> int:
        stored = str(self._published_map().get(str(folder.resolve()), ""))
        stored_inc, _, seq = stored.rpartition(":")
        return int(seq) if stored_inc == inc and seq.isdigit() else 0

    def _publish(self, folder: Path, key: TeamKey | None, inc: str, ops: Sequence[Op]) -> Path:
        device = self.db.get_meta(META_DEVICE) or inc
        path: Path | None = None
        try:
            for start in range(0, len(ops), _OPS_PER_FILE):
                chunk = ops[start:start + _OPS_PER_FILE]
                path = publish(folder, ChangeSet.build(device, inc, chunk), key)
                last_seq = split_op_id(chunk[-1].op_id)[1]
                # Recorded per file: a crash between files re-publishes only the rest.
                published = self._published_map()
                published[str(folder.resolve())] = f"{inc}:{last_seq}"
                self.db.set_meta(META_PUBLISHED, json.dumps(published))
                with self.db.write() as session:
                    SyncRepository(session).add_processed(
                        [(hashlib.sha256(path.read_bytes()).hexdigest(), path.name)])
        except OSError as exc:
            raise SyncFolderError(f"Cannot write to the sync folder {folder}: {exc}") from exc
        assert path is not None
        return path

    def _capture(self, repo: SyncRepository, loader: _Loader, now: dt.datetime) -> list[Op]:
        """Diff rows written since the last capture against the shadow; returns the new ops
        (already stored in sync_op, shadow updated) — inside the caller's transaction."""
        replica = loader.replica
        since = self.db_meta(repo, META_CAPTURED)
        merged_stamps = self._merge_stamps(repo)
        ops: list[Op] = []
        shadow_updates: list[tuple[str, str, str, Any]] = []
        for table in _ROW_TABLES:
            columns = synced_columns(table)
            rows = repo.changed_rows(table, [*columns, "deleted_at"], since, merged_stamps)
            shadow = repo.shadow(table, [r["id"] for r in rows])
            # Load only what the diff needs: the changed fields' ops, and whole rows for deletes.
            loader.with_lifecycle(repo, table, [r["id"] for r in rows])
            loader.rows(repo, {(table, r["id"]) for r in rows if r["deleted_at"] is not None})
            old_of = {r["id"]: shadow.get(r["id"], {}) for r in rows}
            loader.field_keys(repo, {(table, r["id"], name) for r in rows for name in columns
                                     if name not in old_of[r["id"]]
                                     or old_of[r["id"]][name] != r[name]})
            for row in rows:
                rid = row["id"]
                old = shadow.get(rid, {})
                local_deleted = row["deleted_at"] is not None
                rep_deleted = replica.is_deleted(table, rid)
                edited = [name for name in columns if name not in old or old[name] != row[name]]
                if local_deleted and rep_deleted and not edited:
                    continue
                if rep_deleted:
                    # Restored here (and maybe edited, maybe deleted again since): recorded as
                    # it happened, so every laptop ends with the same values for the row.
                    ops.append(replica.local_restore(table, rid))
                for name in edited:
                    ops.append(replica.local_set(table, rid, name, row[name]))
                    shadow_updates.append((table, rid, name, row[name]))
                if local_deleted:
                    ops.append(replica.local_delete(table, rid))
        for table in _APPEND_TABLES:
            columns = synced_columns(table)
            rows = repo.changed_rows(table, columns, since, merged_stamps)
            known = repo.known_rows(table, [r["id"] for r in rows])
            loader.rows(repo, {(table, r["id"]) for r in rows if r["id"] not in known})
            for row in rows:
                if row["id"] not in known:
                    values = {c: row[c] for c in columns}
                    ops.append(replica.local_append(table, row["id"], values))
        repo.add_ops([_op_row(op) for op in ops])
        repo.set_shadow(shadow_updates)
        self._set_meta_in(repo, META_CAPTURED, _db_time(now - _CAPTURE_OVERLAP))
        return ops

    def _materialise(self, session: Session, repo: SyncRepository, replica: Replica,
                     touched: set[tuple[str, str]], now: dt.datetime) -> None:
        """Write the replica's merged values of every touched row into the ordinary tables, and
        make the shadow equal what was written so it is not sent back as a local edit."""
        if not touched:
            return
        repo.defer_foreign_keys()
        stamp = _db_time(now - _MERGE_STAMP_OFFSET)
        recent = [s for s in self._merge_stamps(repo)
                  if s >= _db_time(now - _CAPTURE_OVERLAP - _CAPTURE_OVERLAP)]
        self._set_meta_in(repo, META_MERGE_STAMPS, json.dumps([*recent[-30:], stamp]))
        device = self.context.device_id.hex
        shadow_updates: list[tuple[str, str, str, Any]] = []
        leads_touched: set[str] = set()
        inserted: set[RowKey] = set()
        for table in _ROW_TABLES:
            ids = sorted(rid for t, rid in touched if t == table)
            if not ids:
                continue
            columns = synced_columns(table)
            current = repo.rows_by_id(table, [*columns, "deleted_at"], ids)
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
                    repo.insert_row(table, {"id": rid, **_INSERT_DEFAULTS.get(table, {}), **values,
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
                shadow_updates.extend((table, rid, c, v) for c, v in values.items())
            if table == "lead":
                leads_touched.update(ids)
            elif table == "task":
                leads_touched.update(repo.leads_of("task", ids))
        for table in _APPEND_TABLES:
            ids = sorted(rid for t, rid in touched if t == table)
            for rid in ids:
                merged = replica.row(table, rid)
                if merged is not None:
                    columns = synced_columns(table)
                    repo.insert_row(table, {"id": rid, **{c: merged.get(c) for c in columns},
                                            "updated_at": stamp, "device_id": device})
                    inserted.add((table, rid))
            if table == "activity" and ids:
                leads_touched.update(repo.leads_of(table, ids))
        self._hold_dangling(repo, touched, inserted, shadow_updates)
        # Conflicts of touched leads: one value is shown, the lead goes to the review list.
        for conflict in _decisions(replica):
            if conflict.table != "lead" or ("lead", conflict.row_id) not in touched:
                continue
            flagged = repo.flag_review(conflict.row_id, _review_reason(conflict))
            if flagged is not None:
                shadow_updates.append(("lead", conflict.row_id, "needs_review", flagged[0]))
                shadow_updates.append(("lead", conflict.row_id, "review_reason", flagged[1]))
        self._unflag_settled(repo, replica, [rid for t, rid in touched if t == "lead"],
                             shadow_updates)
        repo.set_shadow(shadow_updates)
        lead_ids = sorted(leads_touched)
        merged_leads = [uuid.UUID(lead_id) for lead_id in lead_ids]
        for follow_up in self.after_merge_in:
            follow_up(session, merged_leads)
        touch_kinds = [k.value for k in ActivityKind if k.is_touch]
        repo.refresh_touch_times(lead_ids, touch_kinds)
        if self.rescore is not None:
            self.rescore(session, [uuid.UUID(lead_id) for lead_id in lead_ids])

    def _refresh_flags(self, repo: SyncRepository, replica: Replica,
                       candidates: set[str]) -> None:
        """Flag every lead with an open conflict; unflag the candidates whose conflicts are
        settled. Local on each laptop (the shadow follows), so flags never travel as edits."""
        flags: list[tuple[str, str, str, Any]] = []
        for conflict in _decisions(replica):
            if conflict.table == "lead":
                flagged = repo.flag_review(conflict.row_id, _review_reason(conflict))
                if flagged is not None:
                    flags.append(("lead", conflict.row_id, "needs_review", flagged[0]))
                    flags.append(("lead", conflict.row_id, "review_reason", flagged[1]))
        self._unflag_settled(repo, replica, sorted(candidates), flags)
        repo.set_shadow(flags)

    @staticmethod
    def _unflag_settled(repo: SyncRepository, replica: Replica, lead_ids: Sequence[str],
                        shadow_updates: list[tuple[str, str, str, Any]]) -> None:
        """The review flag of a sync conflict is derived on each laptop like the flag itself: a
        conflict decided here (in the inbox, by an edit or a delete) or on another laptop
        unflags the lead, without ops."""
        open_here = {(c.row_id, _review_reason(c)) for c in _decisions(replica)
                     if c.table == "lead"}
        for lead_id, reason in repo.sync_review_reasons(lead_ids).items():
            parts = [p for p in reason.split("; ") if p]
            kept = [p for p in parts
                    if not p.startswith("sync conflict:") or (lead_id, p) in open_here]
            if kept != parts:
                flag, text = repo.set_review(lead_id, kept)
                shadow_updates.append(("lead", lead_id, "needs_review", flag))
                shadow_updates.append(("lead", lead_id, "review_reason", text))

    def _hold_dangling(self, repo: SyncRepository, touched: set[RowKey], inserted: set[RowKey],
                       shadow_updates: list[tuple[str, str, str, Any]]) -> None:
        """Rows that refer to a row this laptop has not received yet (another laptop's file is
        still on its way) wait: an optional reference stays empty for now, a row that cannot
        exist without its parent is not stored yet. Both are merged again on later syncs
        (SYNC.md 4.9: references are not enforced while applying)."""
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
                            shadow_updates.append((table, rid, column, None))
                        elif (table, rid) in inserted:
                            repo.delete_row(table, rid)
            if not found:
                break
        waiting = (set(self._held_rows(repo)) - touched) | held
        self._set_meta_in(repo, META_HELD, json.dumps(sorted(waiting)))

    def _held_rows(self, repo: SyncRepository) -> list[RowKey]:
        try:
            found = json.loads(self.db_meta(repo, META_HELD) or "[]")
        except ValueError:
            return []
        return [(str(t), str(r)) for t, r in found]

    def _enforce_erasures(self, session: Session, repo: SyncRepository,
                          touched: set[tuple[str, str]], now: dt.datetime) -> set[RowKey]:
        """Erasure reaches every laptop and is never undone by a sync: a tombstone that arrives
        erases the person here; versions of an erased person's rows that arrive later (edits
        made elsewhere before the erasure was seen) are scrubbed as they land, in the table, in
        the log and in the shadow. Returns the touched rows that belong to erased people."""
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
            family_ids |= self._erase_here(session, repo, lead_id, now)
        return {(t, r) for (t, r) in touched if r in family_ids
                or owners.get((t, r)) in family_ids}

    def _erase_here(self, session: Session, repo: SyncRepository, lead_id: str,
                    now: dt.datetime) -> set[str]:
        """Scrub an erased person on this laptop (idempotent); returns the family's lead ids."""
        erasure = ErasureRepository(session)
        family = erasure.family(uuid.UUID(lead_id))
        if not family:
            return set()
        entries = erasure.suppression_ids(family)
        erasure.scrub(family, now, self.context.device_id)
        session.flush()
        ids = {lead.id.hex for lead in family}
        repo.purge_erased(sorted(ids), ERASED_SYNC_COLUMNS, {"suppression": entries})
        return ids

    def _erase_arriving(self, session: Session, repo: SyncRepository, received: Sequence[Op],
                        now: dt.datetime) -> None:
        """Before merging: a person erased elsewhere is scrubbed here while this laptop still
        holds their email and phone, so rows found by them (do-not-contact entries) go too."""
        leads = {str(op.values.get("lead_id")) for op in received
                 if isinstance(op, Append) and op.table == "tombstone"}
        for lead_id in sorted(leads - repo.erased_among(sorted(leads))):
            self._erase_here(session, repo, lead_id, now)

    def _conflicts(self, replica: Replica) -> list[SyncConflict]:
        out: list[SyncConflict] = []
        for c in _decisions(replica):
            values: list[Any] = []
            for head in c.heads:
                op = replica.ops[head]
                if isinstance(op, FieldSet):
                    values.append(op.value)
                elif isinstance(op, RowDelete):
                    values.append("<deleted>")
                elif not isinstance(op, RowRestore | Append):
                    values.append(None)
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
            repo = SyncRepository(session)
            replica = self._load_replica(repo, inc, 0).replica
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
        with self.db.write() as session:
            repo = SyncRepository(session)
            loader = self._load_replica(repo, inc, repo.own_max_seq(inc))
            replica = loader.replica
            # Local edits not yet captured go first, so the decision supersedes them too.
            captured = self._capture(repo, loader, now)
            loader.rows(repo, {(table, row_id)})
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
            repo.add_ops([_op_row(o) for o in ops])
            self._materialise(session, repo, replica, touched, now)
            self._refresh_flags(repo, replica, {
                op.row_id for op in [*captured, *ops] if op.table == "lead"})
            left = {(c.table, c.row_id) for c in replica.conflicts()}
            self._set_meta_in(repo, META_CONFLICT_ROWS, json.dumps(sorted(left)))
            lead_id = _lead_of(repo, table, row_id)
            if lead_id is not None:
                label = (FIELDS_BY_NAME[field_name].label if field_name in FIELDS_BY_NAME
                         else field_name or "the lead")
                decided = ("kept" if value else "deleted") if field_name is None else _shown(value)
                session.add(orm.Activity(
                    id=new_id(), lead_id=uuid.UUID(lead_id), kind=ActivityKind.FIELD_CHANGED,
                    occurred_at=now, updated_at=now, device_id=self.context.device_id,
                    actor_id=self.context.current_user_id, field=(field_name or "")[:50],
                    new_value=decided,
                    text=f"Sync conflict on {label} resolved: {decided}"))

    @staticmethod
    def _resolve_companions(replica: Replica, conflict: Conflict, value: Any) -> list[Op]:
        """Decide the derived fields of the decided one (phone -> phone_e164) the same way:
        the companion version written by the laptop whose value was chosen."""
        out: list[Op] = []
        chosen = next((op for i in conflict.heads if isinstance(op := replica.ops[i], FieldSet)
                       and op.value == value), None)
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
        offered = [op.value for i in heads if isinstance(op := replica.ops[i], FieldSet)]
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
                value: Any = op.value
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

