"""Merging received changes a batch of ops per transaction, and what merged leads need after."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from app.domain.history import ActivityKind
from app.services.context import ServiceContext
from app.services.sync import meta
from app.services.sync.batches import Batch, Pace, RowKey, batched
from app.services.sync.capture import capture_touched
from app.services.sync.conflicts import (
    decisions,
    note_conflicts,
    refresh_flags,
    reported_conflicts,
)
from app.services.sync.erasure import Erasures
from app.services.sync.materialise import materialise
from app.services.sync.report import Progress, SyncReport
from app.services.sync.turns import open_batch, turn
from app.storage.db import Database
from app.storage.repositories.sync.repository import SyncRepository
from app.sync.changeset import read_changeset
from app.sync.clock import HybridClock
from app.sync.compaction import add_range
from app.sync.errors import ChangeSetError
from app.sync.merge import ApplyResult
from app.sync.ops import Op
from app.sync.scan import FoundFile, describe_error
from app.sync.snapshot_reader import SnapshotScan
from app.sync.teamkey import TeamKey

# Received ops merged, and merged leads followed up, per write transaction: each takes well
# under a second, so other writers (the window, daily jobs) wait little.
MERGE_OPS = 1000
# Merges stamp rows 1 µs before their clock reading: no local write uses that exact value, even
# with a clock that does not move between a merge and an edit.
_MERGE_STAMP_OFFSET = dt.timedelta(microseconds=1)

Rescore = Callable[[Session, Sequence[uuid.UUID]], None]
FollowUp = Callable[[Session, Sequence[uuid.UUID]], None]


@dataclass
class MergeRun:
    """What the batches of one sync's merge add up to."""

    stamp: str
    result: ApplyResult = field(default_factory=ApplyResult)
    pace: Pace = field(default_factory=lambda: Pace(MERGE_OPS))
    erased_rows: set[RowKey] = field(default_factory=set)
    stamp_recorded: bool = False

    @classmethod
    def at(cls, now: dt.datetime) -> MergeRun:
        """A merge starting ``now``: the stamp its rows are written with."""
        return cls(meta.db_time(now - _MERGE_STAMP_OFFSET))

    def add(self, result: ApplyResult) -> None:
        self.result.new += result.new
        self.result.duplicates += result.duplicates
        self.result.collisions += result.collisions
        self.result.clock_ahead += result.clock_ahead


class FollowUps:
    """What merged leads need locally: cadence tasks follow the merged owner (the services'
    ``follow_ups``), touch times, score. Derived here, never synced, so every laptop agrees."""

    def __init__(self, db: Database, rescore: Rescore | None, follow_ups: list[FollowUp]) -> None:
        self.db = db
        self.rescore = rescore
        self.follow_ups = follow_ups

    def for_leads(self, session: Session, lead_ids: Sequence[str]) -> None:
        merged_leads = [uuid.UUID(lead_id) for lead_id in lead_ids]
        for follow_up in self.follow_ups:
            follow_up(session, merged_leads)
        repo = SyncRepository(session)
        repo.refresh_touch_times(lead_ids, [k.value for k in ActivityKind if k.is_touch])
        if self.rescore is not None:
            self.rescore(session, merged_leads)
        repo.followups_done(lead_ids)

    def run_pending_in(self, session: Session) -> None:
        """The follow-ups waiting, inside the caller's transaction."""
        self.for_leads(session, SyncRepository(session).pending_followups(MERGE_OPS))

    def run_all(self) -> bool:
        """The follow-ups of every lead merged, a batch of leads per transaction, once the
        whole merge is done (and after a crash, at the next sync); False if there were none."""
        pace = Pace(MERGE_OPS)
        followed = False
        while True:
            with turn(self.db, pace) as session:
                lead_ids = SyncRepository(session).pending_followups(pace.size)
                if lead_ids:
                    self.for_leads(session, lead_ids)
            if not lead_ids:
                return followed
            followed = True


class Merger:
    """Applies received ops to the log, writes the merged rows, and keeps erasures, review
    flags and the list of rows in conflict in step, a batch per transaction."""

    def __init__(self, context: ServiceContext, erasures: Erasures) -> None:
        self.context = context
        self.erasures = erasures

    def merge_file(self, found: FoundFile, key: TeamKey | None, inc: str, clock: HybridClock,
                   known: dict[str, list[list[int]]], run: MergeRun, report: SyncReport,
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
            end = start + run.pace.size
            ops = changes.ops(start, end)
            with turn(self.context.db, run.pace) as session:
                batch = open_batch(session, inc, clock)
                self._merge_ops(batch, ops, run)
                if end >= count:
                    # The file counts as merged with its last batch, never before.
                    batch.repo.add_processed([(digest, "")])
                    add_range(known, changes.incarnation, changes.seq_first, changes.seq_last)
                    meta.put_json(batch.repo, meta.KNOWN, known)
            start = end
            say(f"Merging received changes: {run.result.new:,}")
        return True

    def _merge_ops(self, batch: Batch, ops: Sequence[Op], run: MergeRun) -> None:
        keys = {(op.table, op.row_id) for op in ops}
        batch.load(keys)
        # Same op id already stored under another row: loaded, so the collision is detected.
        unknown = [op.op_id for op in ops if op.op_id not in batch.replica.ops]
        batch.load({(op.table, op.row_id) for op in batch.repo.ops_by_id(unknown)})
        capture_touched(batch, keys)
        self.erasures.erase_arriving(batch, ops)
        result = batch.replica.apply(ops)
        new_ops = [op for op in ops if batch.replica.ops.get(op.op_id) is op]
        batch.repo.add_ops(new_ops)
        self.after_apply(batch, {(op.table, op.row_id) for op in new_ops}, run)
        # A version of an erased person's row that arrives again differs from the scrubbed copy
        # in the log: expected, not a sign of a copied database.
        result.collisions = [c for c in result.collisions
                             if (batch.replica.ops[c].table, batch.replica.ops[c].row_id)
                             not in run.erased_rows]
        run.add(result)

    def after_apply(self, batch: Batch, touched: set[RowKey], run: MergeRun) -> None:
        """Write the merged rows, enforce erasures, follow review flags and the list of rows in
        conflict; the batch's shadows and clock are saved with it."""
        now = self.context.clock()
        materialise(self.context, batch, touched, run)
        run.erased_rows |= self.erasures.enforce(batch, touched, now)
        refresh_flags(batch, {r for t, r in touched if t == "lead"} | batch.captured_leads)
        note_conflicts(batch)
        meta.put(batch.repo, meta.HLC, batch.replica.clock.last.encode())
        batch.save()

    def merge_held(self, inc: str, clock: HybridClock, run: MergeRun) -> None:
        """Rows waiting for a parent row are merged again (their parent may be here now)."""
        db = self.context.db
        with db.read() as session:
            held = meta.held_rows(SyncRepository(session))
        for keys in batched(held, run.pace):
            with turn(db, run.pace) as session:
                batch = open_batch(session, inc, clock)
                batch.load(keys)
                capture_touched(batch, keys)
                self.after_apply(batch, set(keys), run)

    def finish(self, inc: str, clock: HybridClock, known: dict[str, list[list[int]]],
               snaps: SnapshotScan, report: SyncReport) -> None:
        """Review flags follow the conflicts, also those that local edits, deletes or restores
        settled or brought back: every flagged lead is looked at again, with its ops loaded."""
        with self.context.db.write() as session:
            batch = open_batch(session, inc, clock)
            repo = batch.repo
            flagged = set(repo.sync_flagged_leads())
            batch.load({("lead", r) for r in flagged} | set(meta.conflict_rows(repo)))
            open_now = decisions(batch.replica)
            refresh_flags(batch, flagged, open_now)
            meta.put(repo, meta.CONFLICT_ROWS, json.dumps(sorted(
                {(c.table, c.row_id) for c in open_now})))
            report.conflicts = reported_conflicts(batch.replica, open_now)
            # Snapshots this laptop needs no more (dominated by what it holds) count as read.
            repo.add_processed((f.sha256, "") for f in snaps.snapshots)
            meta.put(repo, meta.HLC, clock.last.encode())
            meta.put(repo, meta.SYNCED_AT, meta.db_time(self.context.clock()))
            own_max = repo.own_max_seq(inc)
            if own_max:
                add_range(known, inc, 1, own_max)
            meta.put_json(repo, meta.KNOWN, known)
            batch.save()
