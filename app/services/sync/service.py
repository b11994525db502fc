"""Team sync through a shared folder: wires app/sync (merge core, files) to the database.

Capture is state-based: instead of hooking every write path (ORM, bulk inserts, imports), each
sync reads the synced rows written since the last capture and compares each with what the sync
believes it holds (the merged values of its ops, overlaid with the few values this laptop keeps
different on purpose: ``sync_shadow``); the differences of a row become one op, each field's
``pred`` the replica's current heads, i.e. what this laptop had.

A sync streams: every step works a batch at a time, and every batch is one short write
transaction (about a thousand rows), so other writers get their turn in between and memory does
not grow with the database:

1. lineage: decide this database's incarnation (see ``lineage.decide``);
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

Synced: lead, event, user, team, queue, task and the other tables of ``tables.ROW_TABLES`` (field-level,
soft deletes as RowDelete/RowRestore) and activity and tombstone (append-only, unioned). Derived
columns (lead score, touch times, next due) are recomputed locally, never synced, from synced
facts only and for the same moment (ScoringService.scoring_moment), so they agree everywhere.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from app.services.context import ServiceContext
from app.services.sync import lineage, meta
from app.services.sync.capture import capture
from app.services.sync.erasure import Erasures
from app.services.sync.inbox import Inbox
from app.services.sync.merge import FollowUp, FollowUps, Merger, MergeRun, Rescore
from app.services.sync.passphrase import remember_passphrase, same_passphrase
from app.services.sync.publish import publish_pending, published_seq
from app.services.sync.report import (
    OpenConflict,
    Progress,
    SyncFolderError,
    SyncReport,
    refused_warning,
)
from app.services.sync.snapshots import Snapshots
from app.services.sync.tables import APPEND_TABLES, ROW_TABLES
from app.storage.repositories.sync.repository import SyncRepository
from app.storage.repositories.sync.synced_rows import DB_TIME_FORMAT
from app.sync.compaction import add_range, through
from app.sync.refusals import recent_refusals, remove_refusal, write_refusal
from app.sync.scan import probe, probe_snapshots
from app.sync.teamkey import TeamKey

# Re-scores every lead when what all scores depend on changed; None when nothing needed it.
RescoreStale = Callable[[], object | None]


class SyncService:
    """Sync's public entry: one exchange with a folder (``sync``), the review inbox, status."""

    def __init__(self, context: ServiceContext, rescore: Rescore | None = None,
                 rescore_stale: RescoreStale | None = None, *,
                 after_merge: Sequence[Callable[[], None]] = (),
                 after_merge_in: Sequence[FollowUp] = ()
                 ) -> None:
        self.context = context
        self.db = context.db
        # Scoring re-scores merged leads, and every lead once rules, territories, suppressions
        # or the day changed; optional so this service stays testable on its own.
        self.rescore_stale = rescore_stale
        # Called after other laptops' changes were written: services caching rules, the
        # suppression list or cadences read them again.
        self.after_merge: list[Callable[[], None]] = list(after_merge)
        # after_merge_in: called with the leads a merge changed, in a transaction of their own
        # once every received change is merged (cadences: tasks follow the merged owner, twin
        # cadence steps are dropped).
        self.follow_ups = FollowUps(self.db, rescore, list(after_merge_in))
        self._merger = Merger(context, Erasures(context))
        self._snapshots = Snapshots(context, self._merger)
        self._inbox = Inbox(context, self._merger, self.follow_ups)

    def incarnation(self) -> str | None:
        return lineage.incarnation(self.db)

    # -- the sync -------------------------------------------------------------------------------
    def sync(self, folder: Path, passphrase: str | None = None,
             progress: Progress | None = None, *, snapshot: bool = False) -> SyncReport:
        """One exchange with ``folder``. ``snapshot`` writes a snapshot of everything this laptop
        holds afterwards, whatever the folder's size (otherwise only past 500 files or 50 MB)."""
        if self.db.is_server:
            raise SyncFolderError(
                f"{self.db.location} is the team server: everyone already works on the same "
                "data there, so it does not sync through a folder. Laptops that keep their own "
                "database file sync through the folder.")
        return self.exchange(folder, passphrase, progress, snapshot=snapshot)

    def exchange(self, folder: Path, passphrase: str | None = None,
                 progress: Progress | None = None, *, snapshot: bool = False) -> SyncReport:
        """``sync`` for any replica, the team server's too (the hub exchanges its changes
        through a folder it keeps in step with its own table of change files)."""
        say = progress or (lambda _text: None)
        if not folder.is_dir():
            # Never created here: a missing folder is usually an unmounted drive, not a new team.
            raise SyncFolderError(f"The sync folder {folder} does not exist or is not a folder.")
        report = SyncReport()
        key = TeamKey(passphrase) if passphrase else None
        inc = lineage.decide(self.db, report)

        say("Reading the shared folder")
        with self.db.read() as session:
            repo = SyncRepository(session)
            processed = repo.processed_digests()
            own_max = repo.own_max_seq(inc)
            known = meta.known_ranges(repo)
            covered = meta.covered(repo)
        snaps = probe_snapshots(folder, key, skip=processed)
        report.files_skipped = [(p.name, reason) for p, reason in snaps.skipped]
        if any(f.info.coverage.get(inc, 0) > own_max for f in snaps.snapshots):
            report.warnings.append("a snapshot in the folder holds newer changes of this "
                                   "database's identity (restored backup or copy): it now syncs "
                                   "under a new identity")
            inc = lineage.mint(self.db, report)
            own_max = 0
        if own_max:
            add_range(known, inc, 1, own_max)
        absorb = self._snapshots.to_absorb(snaps, key, through(known), report)
        for found in absorb:
            for snap_inc, seq in found.info.coverage.items():
                covered[snap_inc] = max(covered.get(snap_inc, 0), seq)
        probed = probe(folder, key, skip=processed, covered=covered)
        report.files_skipped += [(p.name, reason) for p, reason in probed.skipped]
        if any(f.incarnation == inc and f.seq_last > own_max for f in probed.files):
            report.warnings.append("the folder has newer changes of this database's identity "
                                   "(restored backup or copy): it now syncs under a new identity")
            inc = lineage.mint(self.db, report)
        report.incarnation = inc
        report.passphrase_rejected = (
            bool(probed.wrong_passphrase or any(r.startswith("wrong-passphrase")
                                                for _p, r in snaps.skipped))
            and not probed.files and not snaps.snapshots)
        if not (report.passphrase_rejected or probed.files or snaps.snapshots):
            report.passphrase_rejected = not same_passphrase(self.db, folder, key)
        device = lineage.device(self.db, inc)
        if not report.passphrase_rejected:
            refused = recent_refusals(folder, lineage.wall_ms(self.context), own_device=device)
            if refused:
                report.refused_laptops = len(refused)
                report.warnings.append(refused_warning(len(refused), refused[-1].written))
        clock = lineage.clock(self.context, inc)

        say("Recording local changes")
        capture(self.context, inc, clock, say=say)

        if not report.passphrase_rejected:
            publish_pending(self.db, folder, key, inc, report, say)

        say("Merging received changes")
        run = MergeRun.at(self.context.clock())
        for found in absorb:
            if self._snapshots.absorb(found, key, inc, clock, known, run, report, say):
                report.snapshots_absorbed += 1
            else:  # not counted as read: the next sync tries it again
                snaps.snapshots.remove(found)
        for found_file in sorted(probed.files, key=lambda f: (f.incarnation, f.seq_first, f.path.name)):
            if self._merger.merge_file(found_file, key, inc, clock, known, run, report, say):
                report.files_read += 1
        self._merger.merge_held(inc, clock, run)
        if run.result.new or report.snapshots_absorbed:
            for forget in self.after_merge:  # the follow-ups score with the merged rules
                forget()
        followed = self.follow_ups.run_all()
        rescored = self.rescore_stale is not None and self.rescore_stale() is not None
        if followed or rescored:
            # What this laptop derived from the merge (promotions by score, cadence tasks
            # following a merged owner) goes out in this sync, so laptops that exchanged their
            # files agree at once instead of a sync later.
            say("Recording what the merge changed")
            capture(self.context, inc, clock, say=say)
            if not report.passphrase_rejected:
                publish_pending(self.db, folder, key, inc, report, say)
        self._merger.finish(inc, clock, known, snaps, report)
        report.received_ops = run.result.new
        report.clock_ahead = bool(run.result.clock_ahead)
        if run.result.collisions:
            report.warnings.append(f"{len(run.result.collisions)} received changes reuse ids "
                                   "with different content (a copied database); the first kept")
        if report.passphrase_rejected:
            # Refused: no state file (it would hold back compaction for everyone), no snapshot,
            # no compaction; only the note that tells the others, which holds no data.
            try:
                write_refusal(folder, device, lineage.wall_ms(self.context))
            except OSError as exc:
                report.warnings.append(f"could not leave the note for the other laptops: {exc}")
            return report
        remove_refusal(folder, device)
        if key is not None and (report.files_read or report.snapshots_absorbed):
            remember_passphrase(self.db, folder, key)
        self._snapshots.acknowledge(folder, inc, through(known), report)
        self._snapshots.maintain(folder, key, snaps, report, force_snapshot=snapshot, say=say)
        return report

    def write_snapshot(self, folder: Path, key: TeamKey | None) -> Path:
        """Publish a snapshot of everything this laptop holds (it replaces the change files it
        covers once every laptop has them and the grace period has passed)."""
        return self._snapshots.write(folder, key)

    # -- status ---------------------------------------------------------------------------------
    def last_synced(self) -> dt.datetime | None:
        """When this database last merged with a folder (by the app or the CLI), UTC."""
        stamp = self.db.get_meta(meta.SYNCED_AT)
        if not stamp:
            return None
        try:
            return dt.datetime.strptime(stamp, DB_TIME_FORMAT).replace(tzinfo=dt.UTC)
        except ValueError:
            return None

    def pending_changes(self, folder: Path | None) -> int:
        """Local changes the next sync would send to ``folder``: edits made since the last sync
        plus recorded changes not yet published there (a rough count of rows and fields)."""
        inc = lineage.incarnation(self.db)
        with self.db.read() as session:
            repo = SyncRepository(session)
            since = meta.get(repo, meta.SYNCED_AT) or "0000"
            edited = repo.written_since([*ROW_TABLES, *APPEND_TABLES], since)
            unpublished = 0
            if inc is not None and folder is not None:
                unpublished = max(0, repo.own_max_seq(inc) - published_seq(self.db, folder, inc))
        return edited + unpublished

    # -- the review inbox ------------------------------------------------------------------------
    def open_conflicts(self) -> list[OpenConflict]:
        """Every field edited on two laptops without either seeing the other, and every row
        edited on one while deleted on another, with all competing versions."""
        return self._inbox.open_conflicts()

    def resolve_conflict(self, table: str, row_id: str, field_name: str | None,
                         value: Any) -> None:
        """Decide a conflict: ``value`` becomes the field's value as an edit that has seen every
        competing version, so the decision syncs and closes the conflict on every laptop. For an
        edit-vs-delete conflict (``field_name`` None) True keeps the row and False deletes it."""
        self._inbox.resolve_conflict(table, row_id, field_name, value)

    @staticmethod
    def db_meta(repo: SyncRepository, key: str) -> str | None:
        """A sync bookkeeping value, read inside the caller's transaction."""
        return meta.get(repo, key)
