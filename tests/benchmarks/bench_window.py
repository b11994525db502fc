"""The real window at 100,000 and 1,000,000 leads, as a team laptop meets it on a new morning:
today's re-score and the follow-up checks due, a sync folder set and the first sync to do.

``python -m tests.benchmarks.bench_window [LEADS ...]`` (default 100000 1000000). For each size
a copy of the cached demo database gets a fresh, empty team folder and has its daily jobs made
due; then the app runs in its own process (real TaskRunner threads and timers, the GUI-thread
garbage collector, the daily backup) while this process samples its resident memory every 50
ms. The session, scripted like a person:

1. open the window on the Leads page (time to the first painted page);
2. Sync now, and while the first sync runs: open the Assignment board, then My day (time until
   each shows its counts and its first page, painted);
3. wait for the sync, the re-score and the follow-up checks to finish;
4. scroll deep into the lead list, search, open My day again;
5. back up, close.

Printed against their limits: peak RSS over the whole session, the two times to first paint
while syncing, and the database and backup size after the first sync relative to before.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from app.services.scoring_service import RESCORED_ON_KEY
from tests.benchmarks.common import cache_dir, demo_database, file_size, report

PEAK_LIMIT_MB = {100_000: 400, 1_000_000: 600}
FIRST_PAINT_WHILE_SYNCING_S = 1.0
GROWTH_LIMIT = 1.5
SESSION_TIMEOUT_S = 3600


# -- the app's process ----------------------------------------------------------------------
def _child(db_path: Path, settings_path: Path) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings

    from app.domain.leads import LeadQuery
    from app.services.container import Services
    from app.storage.opening import open_database
    from app.ui.application import build_main_window, create_application, schedule_daily_backup
    from app.ui.navigation import ASSIGNMENT, LEADS, MY_DAY
    from app.ui.workers import (
        GuiThreadGarbageCollector,
        limit_malloc_arenas,
        share_the_gil_briskly,
    )

    def say(event: str, **values: object) -> None:
        print(json.dumps({"event": event, **values}), flush=True)

    app = create_application()
    collector = GuiThreadGarbageCollector(app)
    collector.start()
    share_the_gil_briskly()  # as run_gui does
    limit_malloc_arenas()
    started = time.perf_counter()
    database, _ = open_database(db_path)
    services = Services.build(database)
    window = build_main_window(services, QSettings(str(settings_path), QSettings.Format.IniFormat))
    window.show_page(LEADS)
    window.show()
    window.leads.table.viewport().grab()
    app.processEvents()
    say("first_paint", seconds=time.perf_counter() - started)
    schedule_daily_backup(services, window)  # as run_session does

    def pump_until(done: object, timeout: float) -> float:
        begun = time.perf_counter()
        while not done() and time.perf_counter() - begun < timeout:  # type: ignore[operator]
            app.processEvents()
            time.sleep(0.005)
        return time.perf_counter() - begun

    sync_started = time.perf_counter()
    window.sync.sync_now()
    asked = time.perf_counter()
    window.show_page(ASSIGNMENT)
    board = window.assignment
    waited = pump_until(lambda: board.counts is not None, 600)
    board.grab()
    say("board_while_syncing", seconds=time.perf_counter() - asked, counted=waited < 600,
        syncing=window.sync.running)
    loaded: list[int] = []
    window.my_day.loaded.connect(loaded.append)
    asked = time.perf_counter()
    window.show_page(MY_DAY)
    waited = pump_until(lambda: bool(loaded), 600)
    window.my_day.grab()
    say("my_day_while_syncing", seconds=time.perf_counter() - asked, counted=waited < 600,
        syncing=window.sync.running)

    pump_until(lambda: not window.sync.running, SESSION_TIMEOUT_S)
    report_ = window.sync.last_report
    say("first_sync", seconds=time.perf_counter() - sync_started,
        sent=report_.sent_ops if report_ else None, label=window.sync.label.text())
    # The window starts the re-score and the follow-up checks a few seconds after it opens.
    pump_until(lambda: time.perf_counter() - started > 8 and not window.runner.busy,
               SESSION_TIMEOUT_S)
    say("daily_jobs", seconds=time.perf_counter() - started,
        rescore_still_due=services.scoring.rescore_due())

    window.show_page(LEADS)
    model = window.leads.model
    pump_until(lambda: not window.runner.busy, 600)
    for fraction in (0.5, 0.999, 0.1):
        window.leads.table.scrollTo(model.index(int(model.rowCount() * fraction), 0))
        window.leads.table.viewport().grab()
        app.processEvents()
    window.search.setText("mül")
    window._search_now()
    pump_until(lambda: not window.runner.busy, 600)
    loaded.clear()
    window.show_page(MY_DAY)
    pump_until(lambda: bool(loaded), 600)
    backup = services.backups.back_up("manual")
    say("backup", path=str(backup.path), leads=services.leads.count(LeadQuery()))
    window.close()
    collector.stop()
    database.dispose()


# -- the measuring process ------------------------------------------------------------------
def _prepare(leads: int, work: Path) -> tuple[Path, Path, Path]:
    source = demo_database(leads)
    target = work / f"window-{leads}.sqlite"
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
        # Today's re-score not done yet: a new morning.
        dst.execute("DELETE FROM app_meta WHERE key = ?", (RESCORED_ON_KEY,))
    folder = work / f"team-folder-{leads}"
    folder.mkdir()
    from app.services.sync_settings import SyncSettings, SyncSettingsStore
    from app.storage.opening import open_database

    database, _ = open_database(target)
    try:
        # A manual sync only: the benchmark decides when it starts (start/close syncs off).
        SyncSettingsStore(database).save(SyncSettings(folder, on_start_and_close=False))
    finally:
        database.dispose()
    return target, folder, work / f"window-{leads}.ini"


def _rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def run(leads: int) -> bool:
    print(f"\n== the window at {leads:,} leads: daily jobs due, first sync ==", flush=True)
    work = Path(tempfile.mkdtemp(prefix="bench-window-", dir=cache_dir()))
    try:
        db_path, folder, settings_path = _prepare(leads, work)
        before = file_size(db_path)
        child = subprocess.Popen(
            [sys.executable, "-m", "tests.benchmarks.bench_window", "--child", str(db_path),
             str(settings_path)], stdout=subprocess.PIPE, text=True,
            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
        peak = [0.0]

        def sample() -> None:
            while child.poll() is None:
                rss = _rss_mb(child.pid)
                if rss is not None:
                    peak[0] = max(peak[0], rss)
                time.sleep(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        events: dict[str, dict[str, object]] = {}
        assert child.stdout is not None
        for line in child.stdout:
            if line.startswith("{"):
                found = json.loads(line)
                events[str(found["event"])] = found
                print(f"   {found}", flush=True)
        child.wait(SESSION_TIMEOUT_S)
        sampler.join(5)
        if child.returncode != 0 or "backup" not in events:
            print(f"FAIL  the session ended early (exit {child.returncode})", flush=True)
            return False
        after = file_size(db_path)
        backup = Path(str(events["backup"]["path"]))
        results = [
            report(f"peak RSS, {leads:,} leads, first sync and daily jobs", peak[0],
                   PEAK_LIMIT_MB.get(leads, 600), "MB"),
            report("window open to first painted page", float(events["first_paint"]["seconds"]),
                   1.5, "s"),
            report("Assignment board counted and painted while the sync runs",
                   float(events["board_while_syncing"]["seconds"]), FIRST_PAINT_WHILE_SYNCING_S,
                   "s"),
            report("My day counted and painted while the sync runs",
                   float(events["my_day_while_syncing"]["seconds"]), FIRST_PAINT_WHILE_SYNCING_S,
                   "s"),
            report(f"database after the first sync / before ({after / 1e6:,.0f} MB / "
                   f"{before / 1e6:,.0f} MB)", after / before, GROWTH_LIMIT, "x"),
            report(f"backup after the first sync / database before "
                   f"({file_size(backup) / 1e6:,.0f} MB)", file_size(backup) / before,
                   GROWTH_LIMIT, "x"),
        ]
        print(f"   first sync {float(events['first_sync']['seconds']):,.1f} s; daily jobs done "
              f"{float(events['daily_jobs']['seconds']):,.1f} s after start", flush=True)
        return all(results)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> bool:
    sizes = [int(a) for a in (argv if argv is not None else sys.argv[1:])] or [100_000, 1_000_000]
    return all([run(leads) for leads in sizes])


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        _child(Path(sys.argv[2]), Path(sys.argv[3]))
        sys.exit(0)
    sys.exit(0 if main() else 1)
