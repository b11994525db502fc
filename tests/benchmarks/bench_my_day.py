""""My day" for one rep with 1,000,000 leads and 3,000,000 tasks in the database.

Run: ``.venv/bin/python -m tests.benchmarks.bench_my_day [LEADS]`` (default 1,000,000). Works on
a copy of the cached demo database, topped up with generated tasks (mostly done, the rest
open and spread from a month late to a month ahead, like a team that follows up) until the
task table holds three per lead. For the busiest reps it measures:

- the time to the first painted My day: the page asks for the list on the runner's read lane
  (as the window does) and the measure stops when the table is painted with its rows, then
  the time until the exact counts of every bucket are shown too;
- what a full read costs (every bucket counted exactly plus the first rows), p95 of 30 runs;
- the next page of the overdue list ("show more"), p95 of 30 runs;
- the old capped query (``FollowUpService.my_day``, the CLI's and the tray's), for comparison.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import statistics
import sys
import time
import uuid
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import shiboken6  # noqa: E402

from app.domain.tasks import DueBucket, TaskKind  # noqa: E402
from app.services.container import Services  # noqa: E402
from app.services.followup_service import DUE_MORE_ROWS  # noqa: E402
from app.storage.opening import open_database  # noqa: E402
from app.storage.repositories.bulk import BulkWriter  # noqa: E402
from app.ui.application import create_application  # noqa: E402
from app.ui.pages.my_day import MyDayPage  # noqa: E402
from app.ui.style import release_cached_icons  # noqa: E402
from app.ui.workers import TaskRunner  # noqa: E402
from tests.benchmarks.common import demo_database, report  # noqa: E402

P95_LIMIT_MS = 50.0  # the old capped query
OVERVIEW_P95_LIMIT_MS = 400.0  # exact counts of every bucket plus the first rows
MORE_P95_LIMIT_MS = 50.0  # one more page of a bucket
FIRST_PAINT_LIMIT_S = 1.0  # the goal for the first painted My day
COUNTED_LIMIT_S = 2.0  # the counts may follow the rows, a moment later
RUNS = 30
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


def _p95(timings: list[float]) -> float:
    return statistics.quantiles(timings, n=20)[-1]


def measure_overview(services: Services, reps: list[uuid.UUID]) -> bool:
    """Exact counts of every bucket and the first rows, as My day reads them."""
    timings: list[float] = []
    counts: dict[uuid.UUID, tuple[int, int, int]] = {}
    for run in range(RUNS):
        rep = reps[run % len(reps)]
        started = time.perf_counter()
        overview = services.followup.due_overview(rep)
        timings.append((time.perf_counter() - started) * 1000)
        counts[rep] = tuple(s.count for s in overview.sections)  # type: ignore[assignment]
    for rep, (overdue, today, upcoming) in counts.items():
        print(f"  {services.people.user(rep).name}: {overdue:,} overdue · {today:,} today · "
              f"{upcoming:,} in the next 7 days")
    print(f"my day, exact counts and first rows: median {statistics.median(timings):.1f} ms")
    return report("my-day counts + first rows for one rep, p95 of 30", _p95(timings),
                  OVERVIEW_P95_LIMIT_MS, "ms")


def measure_more(services: Services, rep: uuid.UUID) -> bool:
    """Page after page of the busiest rep's overdue list, as "show more" reads it."""
    section = services.followup.due_overview(rep).section(DueBucket.OVERDUE)
    last, timings, read = section.items[-1], [], len(section.items)
    for _ in range(RUNS):
        started = time.perf_counter()
        page = services.followup.due_after(rep, section.range, last, limit=DUE_MORE_ROWS)
        timings.append((time.perf_counter() - started) * 1000)
        if not page:
            break
        last, read = page[-1], read + len(page)
    print(f"show more: {read:,} of {section.count:,} overdue read in pages of {DUE_MORE_ROWS}")
    return report("my-day next page of 100, p95", _p95(timings), MORE_P95_LIMIT_MS, "ms")


def measure_first_paint(services: Services, rep: uuid.UUID) -> bool:
    """From asking for My day to the table painted with its rows, on the real runner."""
    app = create_application()
    runner = TaskRunner()
    services.people.sign_in(rep)
    page = MyDayPage(services, runner)
    page.resize(1280, 760)
    page.show()
    app.processEvents()
    loaded: list[int] = []
    page.loaded.connect(loaded.append)
    started = time.perf_counter()
    page.refresh()
    while page.model.rowCount() == 0 and time.perf_counter() - started < 60:
        app.processEvents()
        time.sleep(0.001)
    page.table.viewport().grab()  # forces a real paint of the visible rows
    painted = time.perf_counter() - started
    while not loaded and time.perf_counter() - started < 60:
        app.processEvents()
        time.sleep(0.001)
    page.summary.grab()
    counted = time.perf_counter() - started
    overview = page.model.overview
    sizes = [s.count for s in overview.sections] if overview else []
    print(f"first painted My day: {page.model.rowCount()} rows; exact counts {sizes} "
          f"({loaded[0] if loaded else 0:,} due now) shown after {counted:.2f} s")
    runner.shut_down()
    shiboken6.delete(page)
    release_cached_icons()
    return all([report("time to the first painted My day", painted, FIRST_PAINT_LIMIT_S, "s"),
                report("time until My day shows every exact count", counted,
                       COUNTED_LIMIT_S, "s")])


def measure_capped(services: Services, reps: list[uuid.UUID]) -> bool:
    timings, shown = [], 0
    for run in range(60):
        started = time.perf_counter()
        day = services.followup.my_day(reps[run % len(reps)])
        timings.append((time.perf_counter() - started) * 1000)
        shown = max(shown, len(day.overdue) + len(day.today) + len(day.upcoming))
    print(f"capped my day: up to {shown:,} tasks listed; median "
          f"{statistics.median(timings):.1f} ms")
    return report("capped my-day query for one rep, p95 of 60", _p95(timings), P95_LIMIT_MS,
                  "ms")


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
        results = [measure_first_paint(services, reps[0]), measure_overview(services, reps),
                   measure_more(services, reps[0]), measure_capped(services, reps)]
        return all(results)
    finally:
        database.dispose()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(0 if main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000) else 1)
