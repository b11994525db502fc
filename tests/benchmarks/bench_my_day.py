""""My day" for one rep with 1,000,000 leads and 3,000,000 tasks in the database.

Run: ``.venv/bin/python -m tests.benchmarks.bench_my_day [LEADS]`` (default 1,000,000). Works on
a copy of the cached demo database, topped up with generated tasks (mostly done, the rest
open and spread from two months late to two months ahead, like a team that follows up)
until the task table holds three per lead. Measures the my-day query (overdue, today and the
next seven days, most urgent first) for the busiest reps: p95 of 60 runs, limit 50 ms.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
import statistics
import sys
import time
import uuid
from pathlib import Path

from app.domain.tasks import TaskKind
from app.services.container import Services
from app.storage.opening import open_database
from app.storage.repositories.bulk import BulkWriter
from tests.benchmarks.common import demo_database, report

P95_LIMIT_MS = 50.0
TASKS_PER_LEAD = 3
SEED = 7


def _copy(source: Path) -> Path:
    copy = source.with_name(f"myday-{source.name}")
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{source}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", f"{copy}{suffix}")
    return copy


def top_up_tasks(services: Services, leads: int) -> int:
    """Add generated tasks until there are TASKS_PER_LEAD per lead; returns the total."""
    db, rng = services.context.db, random.Random(SEED)
    now = services.context.clock()
    with db.raw_connection() as connection:
        have = connection.execute("SELECT count(*) FROM task").fetchone()[0]
        rows = connection.execute("SELECT id, owner_id FROM lead WHERE owner_id IS NOT NULL "
                                  "AND deleted_at IS NULL").fetchall()
    owned = [(uuid.UUID(hex=lead), uuid.UUID(hex=owner)) for lead, owner in rows]
    missing = leads * TASKS_PER_LEAD - have
    device = db.device_id
    kinds = list(TaskKind)
    with BulkWriter(db) as writer:
        for start in range(0, missing, 100_000):
            batch = []
            for _ in range(min(100_000, missing - start)):
                lead_id, owner_id = rng.choice(owned)
                # Three in four tasks are history (done); the open ones run from a month
                # late to a month ahead, so the busiest reps have thousands overdue.
                due = now + dt.timedelta(hours=rng.uniform(-24 * 120, 24 * 30))
                done = due < now - dt.timedelta(days=30) or (due < now and rng.random() < 0.5)
                batch.append({"id": uuid.uuid4(), "lead_id": lead_id, "owner_id": owner_id,
                              "kind": rng.choice(kinds), "title": "Follow-up call",
                              "due_at": due, "done_at": due if done else None,
                              "created_at": due - dt.timedelta(days=3), "updated_at": now,
                              "device_id": device})
            writer.write({"task": batch})
            print(f"  {have + start + len(batch):,} tasks", flush=True)
    return have + missing


def main(leads: int = 1_000_000) -> bool:
    copy = _copy(demo_database(leads))
    database, _ = open_database(copy)
    try:
        services = Services.build(database)
        total = top_up_tasks(services, leads)
        with database.raw_connection() as connection:
            busiest = [row[0] for row in connection.execute(
                "SELECT owner_id FROM task WHERE done_at IS NULL AND deleted_at IS NULL "
                "GROUP BY owner_id ORDER BY count(*) DESC LIMIT 5")]
            open_tasks = connection.execute(
                "SELECT count(*) FROM task WHERE done_at IS NULL").fetchone()[0]
        reps = [uuid.UUID(hex=owner) for owner in busiest if owner]
        print(f"{leads:,} leads, {total:,} tasks ({open_tasks:,} open); the 5 busiest reps",
              flush=True)
        timings, shown = [], 0
        for run in range(60):
            started = time.perf_counter()
            day = services.followup.my_day(reps[run % len(reps)])
            timings.append((time.perf_counter() - started) * 1000)
            shown = max(shown, len(day.overdue) + len(day.today) + len(day.upcoming))
        p95 = statistics.quantiles(timings, n=20)[-1]
        print(f"my day: up to {shown:,} tasks listed; median {statistics.median(timings):.1f} ms")
        return report("my-day query for one rep, p95 of 60", p95, P95_LIMIT_MS, "ms")
    finally:
        database.dispose()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(0 if main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000) else 1)
