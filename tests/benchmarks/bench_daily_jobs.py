"""The daily jobs at scale: today's re-score of every lead, then the follow-up checks (missed
first touches flagged and escalated, nurture leads coming back), as the window runs them on a
worker thread, while the GUI thread writes like a rep logging a call every 100 ms.

Run: ``.venv/bin/python -m tests.benchmarks.bench_daily_jobs [LEADS]`` (default 1,000,000).
Works on a copy of the cached demo database, opened a week after it was built (a laptop back
from a trade show: deadlines passed, come-back dates reached) with today's re-score due and a
manager signed in. Measures the process's memory growth over the jobs (resident set sampled
every 20 ms), the longest a write on the GUI thread waited for its turn, and that nothing the
jobs did is credited to the manager.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from app.clock import utc_now
from app.domain.errors import StorageError
from app.domain.people import Role
from app.services.container import Services
from app.services.scoring_service import RESCORED_ON_KEY
from app.storage.opening import open_database
from tests.benchmarks.common import demo_database, report

GROWTH_LIMIT_MB = 150.0
WRITE_WAIT_LIMIT_S = 1.0
DAYS_LATER = 7
WRITE_EVERY_S = 0.1


def _copy(source: Path) -> Path:
    """A copy on disk, not only in the page cache: otherwise the jobs' first checkpoint
    flushes gigabytes of copied pages and a write waits for that, which no real laptop sees."""
    copy = source.with_name(f"dailyjobs-{source.name}")
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{source}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", f"{copy}{suffix}")
            with open(f"{copy}{suffix}", "rb+") as written:
                os.fsync(written.fileno())
    return copy


def _resident_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


class _PeakSampler:
    """The highest resident set seen while running, sampled on its own thread."""

    def __init__(self) -> None:
        self.peak = _resident_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, _resident_mb())

    def __enter__(self) -> _PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _resident_mb())


def _run_jobs(services: Services, timings: dict[str, float], outcome: list[object]) -> None:
    jobs: list[tuple[str, Callable[[], object]]] = [
        ("re-score", services.scoring.rescore_daily),
        ("first-touch check", services.followup.check_service_levels),
        ("nurture returns", services.followup.return_from_nurture)]
    try:
        for name, job in jobs:
            started = time.perf_counter()
            outcome.append(job())
            timings[name] = time.perf_counter() - started
    except Exception as error:  # reported by the main thread
        outcome.append(error)


def main(leads: int = 1_000_000) -> bool:
    copy = _copy(demo_database(leads))
    database, _ = open_database(copy)
    try:
        later = dt.timedelta(days=DAYS_LATER)
        services = Services.build(database, lambda: utc_now() + later)
        database.set_meta(RESCORED_ON_KEY, None)
        manager = next(u for u in services.people.users() if u.role is Role.MANAGER)
        services.people.sign_in(manager.id)
        with database.raw_connection() as connection:
            credited_before = connection.execute(
                "SELECT count(*) FROM activity WHERE actor_id = ?", (manager.id.hex,)).fetchone()[0]
        baseline = _resident_mb()
        timings: dict[str, float] = {}
        outcome: list[object] = []
        waits: list[float] = []
        refused = 0
        with _PeakSampler() as sampler:
            worker = threading.Thread(target=_run_jobs, args=(services, timings, outcome))
            worker.start()
            while worker.is_alive():
                started = time.perf_counter()
                try:
                    database.set_meta("bench_rep_touch", str(len(waits)))  # a rep's call
                except StorageError:  # "still saving a large change in the background"
                    refused += 1
                waits.append(time.perf_counter() - started)
                worker.join(WRITE_EVERY_S)
        failed = [o for o in outcome if isinstance(o, Exception)]
        if failed:
            raise RuntimeError(f"a daily job failed: {failed[0]}") from failed[0]
        rescored, checked, returned = outcome
        print(f"{leads:,} leads, opened {DAYS_LATER} days after the demo was built; "
              + "; ".join(f"{name} {seconds:.1f} s" for name, seconds in timings.items()))
        for change in (*getattr(rescored, "changes", ()), *getattr(checked, "changes", ()),
                       *getattr(returned, "changes", ())):
            print(f"  {change.summary}")
        with database.raw_connection() as connection:
            credited = connection.execute(
                "SELECT count(*) FROM activity WHERE actor_id = ?", (manager.id.hex,)
            ).fetchone()[0] - credited_before
        print(f"  {len(waits):,} writes on the GUI thread meanwhile; baseline {baseline:.0f} MB, "
              f"peak {sampler.peak:.0f} MB")
        ok = report("memory growth over the daily jobs", sampler.peak - baseline,
                    GROWTH_LIMIT_MB, "MB")
        ok &= report("longest wait of a write on the GUI thread while they ran", max(waits),
                     WRITE_WAIT_LIMIT_S, "s")
        ok &= report("writes on the GUI thread refused meanwhile", refused, 0, "")
        ok &= report("history rows of the daily jobs credited to the signed-in manager",
                     credited, 0, "")
        return ok
    finally:
        database.dispose()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(0 if main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000) else 1)
