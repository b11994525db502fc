"""Team sync between two laptops: publish 10,000 changed leads on one, merge them on the other.

Run: ``.venv/bin/python -m tests.benchmarks.bench_sync [LEADS]`` (default 10000). Device A is a
copy of the cached demo database, device B a fresh database that first receives A's whole state
(timed separately, not judged); then up to 10,000 leads get a field or two changed on A with one
bulk UPDATE, A syncs (publish) and B syncs (merge). Goal of issue 9: under 5 s each way.
Then A writes a snapshot and a third, new laptop joins from a folder holding only that snapshot.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

from app.services.container import Services
from app.storage.opening import open_database
from app.storage.repositories.sync import DB_TIME_FORMAT
from tests.benchmarks.common import demo_database, report

SECONDS_LIMIT = 5.0
CHANGED_LEADS = 10_000


def _folder_bytes(folder: Path, names: set[str]) -> int:
    return sum((folder / n).stat().st_size for n in names)


def core_throughput(count: int = 30_000) -> bool:
    """The merge core alone: ops applied per second into an empty replica (no database)."""
    import random

    from app.sync.merge import Replica

    author, target = Replica("w"), Replica("r")
    rng = random.Random(1)
    for i in range(count):
        lead = f"L{rng.randint(0, count // 6)}"
        if i % 10 == 9:
            author.local_append("activity", f"A{i}", {"lead": lead})
        else:
            author.local_set("lead", lead, rng.choice(["owner", "status", "notes", "phone"]), i)
    ops = list(author.ops.values())
    started = time.perf_counter()
    target.apply(ops)
    target.state()  # include materialising every touched row
    rate = len(ops) / (time.perf_counter() - started)
    return report(f"merge core applies {len(ops):,} ops", rate, 50_000, "ops/s",
                  higher_is_better=True) and target.digest() == author.digest()


def main(leads: int = 10_000) -> bool:
    source = demo_database(leads)
    work = Path(tempfile.mkdtemp(prefix="leadline-bench-sync-"))
    copy = work / "a.sqlite"
    for suffix in ("", "-wal", "-shm"):
        if (source.parent / f"{source.name}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", f"{copy}{suffix}")
    folder = work / "shared"
    folder.mkdir()
    db_a, _ = open_database(copy)
    db_b, _ = open_database(work / "b.sqlite")
    try:
        a, b = Services.build(db_a), Services.build(db_b)
        started = time.perf_counter()
        first = a.sync.sync(folder)
        initial_publish = time.perf_counter() - started
        started = time.perf_counter()
        got = b.sync.sync(folder)
        initial_merge = time.perf_counter() - started
        initial_files = {p.name for p in folder.iterdir()}
        print(f"initial state: A published {first.sent_ops:,} ops in {initial_publish:,.1f} s, "
              f"B merged {got.received_ops:,} ops in {initial_merge:,.1f} s "
              f"({_folder_bytes(folder, initial_files) / 1e6:,.1f} MB of change files)",
              flush=True)

        changed = min(CHANGED_LEADS, leads)
        stamp = dt.datetime.now(dt.UTC).replace(tzinfo=None).strftime(DB_TIME_FORMAT)
        with db_a.write() as session:
            session.execute(text(
                "UPDATE lead SET city = city || ' (moved)', campaign = 'bench-sync', "
                "updated_at = :stamp WHERE key IN "
                "(SELECT key FROM lead WHERE deleted_at IS NULL ORDER BY key LIMIT :n)"),
                {"stamp": stamp, "n": changed})

        started = time.perf_counter()
        sent = a.sync.sync(folder)
        publish_seconds = time.perf_counter() - started
        new_files = {p.name for p in folder.iterdir()} - initial_files
        started = time.perf_counter()
        merged = b.sync.sync(folder)
        merge_seconds = time.perf_counter() - started
        size = _folder_bytes(folder, new_files)
        print(f"{changed:,} changed leads: {sent.sent_ops:,} ops in {len(new_files)} file(s), "
              f"{size / 1e3:,.0f} kB ({size / max(sent.sent_ops, 1):,.1f} bytes/op); "
              f"B received {merged.received_ops:,} ops", flush=True)
        with db_b.read() as session:
            moved = session.execute(text(
                "SELECT count(*) FROM lead WHERE campaign = 'bench-sync'")).scalar_one()
        ok = moved == changed and merged.received_ops == sent.sent_ops
        if not ok:
            print(f"FAIL  B has {moved:,} of {changed:,} changed leads", flush=True)
        ok &= report(f"publish {changed:,} changed leads", publish_seconds, SECONDS_LIMIT, "s")
        ok &= report(f"merge {changed:,} changed leads", merge_seconds, SECONDS_LIMIT, "s")
        ok &= _join_from_snapshot(a, work, folder, initial_merge)
        return ok & core_throughput()
    finally:
        db_a.dispose()
        db_b.dispose()
        shutil.rmtree(work, ignore_errors=True)


def _join_from_snapshot(a: Services, work: Path, folder: Path, initial_merge: float) -> bool:
    """A snapshot of A, then a new laptop joining a folder that holds only that snapshot (the
    change files compacted away): judged against merging the change files, in the same run."""
    started = time.perf_counter()
    snapshot = a.sync.write_snapshot(folder, None)
    written = time.perf_counter() - started
    joined = work / "joined"
    joined.mkdir()
    shutil.copyfile(snapshot, joined / snapshot.name)
    db_c, _ = open_database(work / "c.sqlite")
    try:
        c = Services.build(db_c)
        started = time.perf_counter()
        got = c.sync.sync(joined)
        join_seconds = time.perf_counter() - started
        with a.context.db.read() as session:
            leads_a = session.execute(text("SELECT count(*) FROM lead")).scalar_one()
        with db_c.read() as session:
            leads_c = session.execute(text("SELECT count(*) FROM lead")).scalar_one()
    finally:
        db_c.dispose()
    print(f"snapshot of A: {snapshot.stat().st_size / 1e6:,.1f} MB written in {written:,.1f} s; "
          f"new laptop absorbed {got.snapshots_absorbed} snapshot(s), {leads_c:,} of "
          f"{leads_a:,} leads", flush=True)
    if got.snapshots_absorbed != 1 or leads_c != leads_a:
        print("FAIL  the new laptop did not get every lead from the snapshot", flush=True)
        return False
    return report("new laptop joins from a snapshot", join_seconds, 1.5 * initial_merge, "s",
                  basis="1.5x merging the change files")


if __name__ == "__main__":
    sys.exit(0 if main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000) else 1)
