"""Snapshots (SYNC.md 4.12): absorbing them, writing them, and keeping the folder small."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from app.services.context import ServiceContext
from app.services.sync import lineage, meta
from app.services.sync.batches import Batch, Pace, RowKey, batched
from app.services.sync.capture import capture_touched
from app.services.sync.merge import Merger, MergeRun
from app.services.sync.report import Progress, SyncFolderError, SyncReport
from app.services.sync.tables import APPEND_TABLES, ROW_TABLES
from app.services.sync.turns import open_batch, turn
from app.storage.repositories.sync.repository import SyncRepository
from app.sync.clock import HybridClock
from app.sync.compaction import (
    add_range,
    apply_compaction,
    folder_stats,
    plan_compaction,
    should_snapshot,
    through,
    write_state,
)
from app.sync.errors import ChangeSetError
from app.sync.merge import Replica
from app.sync.ops import Op, op_from_dict
from app.sync.publish import publish_snapshot_rows
from app.sync.refusals import remove_stale_refusals
from app.sync.scan import describe_error
from app.sync.snapshot import EncodedRow, SnapshotInfo, SnapshotRow
from app.sync.snapshot_reader import (
    FoundSnapshot,
    SnapshotScan,
    iter_snapshot_rows,
    open_snapshot,
    snapshots_to_absorb,
    validate_snapshot,
)
from app.sync.teamkey import TeamKey

# Snapshot rows written or absorbed per write transaction: each takes well under a second, so
# other writers (the window, daily jobs) wait little.
SNAPSHOT_ROWS = 1000
# Looking for change files that may be deleted reads every covered file: once a day is plenty.
COMPACTION_EVERY = dt.timedelta(days=1)


class Snapshots:
    """A snapshot replaces the change files it covers once every laptop has them: a new laptop,
    or one back after a long time, joins it instead of files that are gone."""

    def __init__(self, context: ServiceContext, merger: Merger) -> None:
        self.context = context
        self.db = context.db
        self.merger = merger

    # -- absorbing -----------------------------------------------------------------------------
    def to_absorb(self, snaps: SnapshotScan, key: TeamKey | None, knowledge: dict[str, int],
                  report: SyncReport) -> list[FoundSnapshot]:
        """The snapshots that teach this laptop something, each read to its end once first: a
        snapshot that turns out unreadable is skipped (and does not count as covering files)."""
        readable: set[str] = set()
        while True:
            chosen = snapshots_to_absorb(snaps.snapshots, knowledge)
            for found in chosen:
                if found.sha256 in readable:
                    continue
                if not _readable(found, key, report):
                    snaps.snapshots.remove(found)
                    break
                readable.add(found.sha256)
            else:
                return chosen

    def absorb(self, found: FoundSnapshot, key: TeamKey | None, inc: str, clock: HybridClock,
               known: dict[str, list[list[int]]], run: MergeRun, report: SyncReport,
               say: Progress) -> bool:
        """Join a snapshot holding changes whose files are gone, a batch of rows per
        transaction: a row's join needs only its own ops. Its coverage counts once every row
        is joined; False when it could not be read to its end."""
        say("Merging a snapshot")
        try:
            with open(found.path, "rb") as fh:
                info, envelope = open_snapshot(fh, found.path.stat().st_size, key)
                pace = Pace(SNAPSHOT_ROWS)
                for rows in batched(iter_snapshot_rows(fh, envelope), pace):
                    with turn(self.db, pace) as session:
                        batch = open_batch(session, inc, clock)
                        self._absorb_rows(batch, info, rows, run)
        except (OSError, ChangeSetError) as exc:
            # Read to its end a moment ago, so it changed since. What was joined is correct (a
            # row at a time); the rest, and its coverage, wait for a sync that reads it whole.
            report.files_skipped.append((found.path.name, describe_error(exc)))
            return False
        with self.db.write() as session:
            repo = SyncRepository(session)
            covered = meta.covered(repo)
            for snap_inc, seq in info.coverage.items():
                covered[snap_inc] = max(covered.get(snap_inc, 0), seq)
                add_range(known, snap_inc, 1, seq)
            meta.put_json(repo, meta.COVERED, covered)
            meta.put_json(repo, meta.KNOWN, known)
            repo.add_processed([(found.sha256, "")])
        return True

    def _absorb_rows(self, batch: Batch, info: SnapshotInfo, rows: Sequence[SnapshotRow],
                     run: MergeRun) -> None:
        keys = {(r.table, r.row_id) for r in rows}
        batch.load(keys)
        ops = [op for r in rows for op in r.ops]
        unknown = [op.op_id for op in ops if op.op_id not in batch.replica.ops]
        batch.load({(op.table, op.row_id) for op in batch.repo.ops_by_id(unknown)})
        capture_touched(batch, keys)
        self.merger.erasures.erase_arriving(batch, ops)
        replica = batch.replica
        result = replica.absorb_rows(info.coverage, ops, [m for r in rows for m in r.marks], keys)
        batch.repo.add_ops([op for op in ops if replica.ops.get(op.op_id) is op])
        replica.restore_absorbed(info.coverage)
        batch.repo.replace_marks(keys, replica.marks_of(keys))
        self.merger.after_apply(batch, keys, run)
        run.add(result)

    # -- the folder ----------------------------------------------------------------------------
    def acknowledge(self, folder: Path, inc: str, known: dict[str, int],
                    report: SyncReport) -> None:
        """Tell the other laptops what this one holds, so they know what may be compacted."""
        try:
            write_state(folder, lineage.device(self.db, inc), inc, known,
                        lineage.wall_ms(self.context))
        except OSError as exc:
            report.warnings.append(f"could not write this laptop's state file: {exc}")

    def maintain(self, folder: Path, key: TeamKey | None, snaps: SnapshotScan,
                 report: SyncReport, *, force_snapshot: bool, say: Progress) -> None:
        """Keep the folder small: a snapshot once enough change files piled up since the newest
        one, and, once a day, delete what the safe rules of SYNC.md 4.12 allow."""
        try:
            remove_stale_refusals(folder, lineage.wall_ms(self.context))
            coverage = self._newest_coverage(snaps)
            stats = folder_stats(folder, coverage)
            if force_snapshot or should_snapshot(stats):
                say("Writing a snapshot")
                report.snapshot_written = self.write(folder, key)
            last = self.db.get_meta(meta.COMPACTED)
            now = self.context.clock()
            if coverage is None and report.snapshot_written is None:
                return  # without a snapshot nothing may be deleted: no need to look
            if last is None and report.snapshot_written is None:
                # A laptop that just joined waits a day before its first look (the look reads
                # every covered file; the others keep the folder tidy meanwhile).
                self.db.set_meta(meta.COMPACTED, now.isoformat())
                return
            if report.snapshot_written is None and last and \
                    now - dt.datetime.fromisoformat(last) < COMPACTION_EVERY:
                return
            self.db.set_meta(meta.COMPACTED, now.isoformat())
            deleted = apply_compaction(plan_compaction(folder, key, lineage.wall_ms(self.context)))
            report.files_compacted = len(deleted)
        except (OSError, ChangeSetError) as exc:
            report.warnings.append(f"folder maintenance skipped: {exc}")

    def _newest_coverage(self, snaps: SnapshotScan) -> dict[str, int] | None:
        """Coverage of the newest snapshot seen in the folder, remembered so a sync does not
        read snapshots it read before (they are large)."""
        try:
            seen = json.loads(self.db.get_meta(meta.NEWEST_SNAPSHOT) or "null")
        except ValueError:
            seen = None
        newest = snaps.newest()
        if newest is not None and (seen is None or newest.created.encode() > seen["created"]):
            seen = {"created": newest.created.encode(), "coverage": dict(newest.coverage)}
            self.db.set_meta(meta.NEWEST_SNAPSHOT, json.dumps(seen, sort_keys=True))
        return None if seen is None else {str(k): int(v) for k, v in seen["coverage"].items()}

    # -- writing -------------------------------------------------------------------------------
    def write(self, folder: Path, key: TeamKey | None) -> Path:
        """Publish a snapshot of everything this laptop holds (it replaces the change files it
        covers once every laptop has them and the grace period has passed). Written from the
        log a batch of rows at a time, inside one read transaction (a consistent view)."""
        inc = lineage.incarnation(self.db)
        if inc is None:
            raise SyncFolderError("Sync once before writing a snapshot.")
        device = lineage.device(self.db, inc)
        clock = lineage.clock(self.context, inc)
        with self.db.read() as session:
            repo = SyncRepository(session)
            known = meta.known_ranges(repo)
            own_max = repo.own_max_seq(inc)
            if own_max:
                add_range(known, inc, 1, own_max)
            coverage = dict(sorted(through(known).items()))
            covered = meta.covered(repo)
            info = SnapshotInfo(device, inc, clock.now(), coverage)
            try:
                path, digest = publish_snapshot_rows(
                    folder, info, _snapshot_rows(repo, inc, clock, covered, coverage), key)
            except OSError as exc:
                raise SyncFolderError(f"Cannot write to the sync folder {folder}: {exc}") from exc
        with self.db.write() as session:
            repo = SyncRepository(session)
            meta.put(repo, meta.HLC, clock.last.encode())
            meta.put_json(repo, meta.NEWEST_SNAPSHOT,
                          {"created": info.created.encode(), "coverage": coverage})
            repo.add_processed([(digest, path.name)])
        return path


def _readable(found: FoundSnapshot, key: TeamKey | None, report: SyncReport) -> bool:
    try:
        with open(found.path, "rb") as fh:
            _info, envelope = open_snapshot(fh, found.path.stat().st_size, key)
            validate_snapshot(fh, envelope)
    except (OSError, ChangeSetError) as exc:
        report.files_skipped.append((found.path.name, describe_error(exc)))
        return False
    return True


def _snapshot_rows(repo: SyncRepository, inc: str, clock: HybridClock, covered: dict[str, int],
                   coverage: dict[str, int]) -> Iterator[SnapshotRow | EncodedRow]:
    """Every row's live ops and marks, table by table (parents first, as the merge writes
    them), a batch of rows at a time. A row whose only op supersedes nothing and has no
    marks (most rows: one capture, no edit since) is copied as stored; the others go through
    a replica of their batch."""
    logged = set(repo.logged_tables())
    tables = [t for t in (*ROW_TABLES, *APPEND_TABLES) if t in logged] + sorted(
        logged - set(ROW_TABLES) - set(APPEND_TABLES))
    for table in tables:
        yield from _snapshot_rows_of(repo, table, inc, clock, covered, coverage)


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
