"""Lead list at scale: first paint, search as you type, sorting, memory, cold start.

Run: ``.venv/bin/python -m tests.benchmarks.bench_lead_list [LEADS]`` (default 1,000,000).
Each line prints the measured figure and the limit it is compared against.

Cold start and memory are measured twice in a fresh app process, on a copy of the demo
database: first with today's daily jobs due (the re-score of every lead and the follow-up
checks run while the person works, and the session waits for them), then on the same copy the
next time the app starts that day, with nothing left to do.
"""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import shiboken6  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402

import app  # noqa: E402
from app.clock import utc_now  # noqa: E402
from app.domain.leads import LeadQuery, SortKey  # noqa: E402
from app.domain.service_levels import SLA_STATUSES  # noqa: E402
from app.services.container import Services  # noqa: E402
from app.services.scoring_service import RESCORED_ON_KEY  # noqa: E402
from app.storage.opening import open_database  # noqa: E402
from app.storage.repositories.bulk_rows import utc_text  # noqa: E402
from app.storage.repositories.leads import INDEXED_SORTS  # noqa: E402
from app.ui.application import build_main_window, create_application  # noqa: E402
from app.ui.models.lead_table_model import LeadTableModel  # noqa: E402
from app.ui.style import release_cached_icons  # noqa: E402
from app.ui.workers import TaskRunner  # noqa: E402
from tests.benchmarks.common import cache_dir, demo_database, report  # noqa: E402

FIRST_PAINT_LIMIT_S = 0.3
SEARCH_P95_LIMIT_MS = 50.0
SORT_LIMIT_S = 1.5
INDEXED_SORT_LIMIT_S = 0.1
MEMORY_LIMIT_MB = 300.0
COLD_START_LIMIT_S = 1.5
VISIBLE_ROWS = 40
KEYSTROKE_INTERVAL_S = 0.15


def _paint_first_page(model: LeadTableModel) -> None:
    """What the view does for the first screenful: read every visible cell."""
    for row in range(min(VISIBLE_ROWS, model.rowCount())):
        for column in range(model.columnCount()):
            model.data(model.index(row, column))


def measure_first_paint(services: Services, settings_path: Path) -> float:
    app = create_application()
    started = time.perf_counter()
    window = build_main_window(services, QSettings(str(settings_path), QSettings.Format.IniFormat))
    window.show_page(1)
    window.show()
    window.leads.table.viewport().grab()  # forces a real paint of the visible rows
    app.processEvents()
    elapsed = time.perf_counter() - started
    window.close()  # stops its background work, as quitting the app does
    shiboken6.delete(window)
    return elapsed


def typing_sequences(services: Services, rng: random.Random, samples: int = 12) -> list[str]:
    """Prefixes a person types while looking for real leads: names, companies, emails, phones."""
    total = services.leads.count(LeadQuery())
    words: list[str] = []
    for _ in range(samples):
        lead = services.leads.list(LeadQuery(), offset=rng.randrange(total), limit=1)[0]
        words += [lead.last_name, lead.company.split()[0] if lead.company else "",
                  lead.email.split("@")[0], lead.phone_e164[-7:]]
    prefixes: list[str] = []
    for word in filter(None, words):
        prefixes += [word[:n] for n in range(3, min(len(word), 8) + 1)]
    return prefixes


def measure_search(services: Services, runner: TaskRunner) -> list[tuple[float, str]]:
    """Keystroke to first page painted, typing at a brisk 150 ms a key.

    Background work started by one keystroke (reading the full ordering) still runs when the
    next key arrives, as it would for a person typing.
    """
    app = create_application()
    model = LeadTableModel(services.leads, runner, services.context.clock, runner)
    timings = []
    for text in typing_sequences(services, random.Random(7)):
        started = time.perf_counter()
        model.set_query(LeadQuery(search=text))
        _paint_first_page(model)
        timings.append(((time.perf_counter() - started) * 1000, text))
        while time.perf_counter() - started < KEYSTROKE_INTERVAL_S:
            app.processEvents()
            time.sleep(0.005)
    runner.wait()
    return timings


def measure_sorts(services: Services, runner: TaskRunner) -> dict[SortKey, float]:
    model = LeadTableModel(services.leads, runner, services.context.clock, runner)
    results = {}
    for key in SortKey:
        started = time.perf_counter()
        model.set_query(LeadQuery(sort=key, descending=False))
        _paint_first_page(model)
        results[key] = time.perf_counter() - started
        runner.wait()
    return results


def measure_app_process(db_path: Path, settings_path: Path) -> tuple[float, float, str]:
    """A fresh app process: seconds until its window is usable, its peak memory in MB, and
    how its daily jobs went.

    After reporting "ready" the child keeps working like a person would (scrolls deep, sorts
    by a computed column, searches) and waits for the jobs the window starts by itself, so the
    peak includes a real session, not just start-up.
    """
    environment = app_environment()
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.benchmarks.app_session", str(db_path), str(settings_path),
         "--daily-jobs"], stdout=subprocess.PIPE, text=True, env=environment)
    assert child.stdout is not None
    ready = child.stdout.readline().strip()
    usable = time.perf_counter() - started
    rest, _ = child.communicate()
    daily, _, peak = rest.strip().rpartition("\n")
    if ready != "ready" or child.returncode or not daily.startswith("daily ") or \
            not peak.startswith("peak "):
        raise RuntimeError(f"app child failed ({child.returncode}): {ready} {rest}")
    _word, seconds, still_due = daily.split()
    jobs = (f"daily jobs finished {float(seconds):.0f} s after start" if still_due == "False"
            else f"today's re-score did not finish within {float(seconds):.0f} s")
    return usable, float(peak.split()[1]), jobs


def app_environment() -> dict[str, str]:
    """The app process's environment, with the app's bytecode compiled beforehand as an
    installed app has it (a shell with PYTHONDONTWRITEBYTECODE would otherwise time compiling
    every module at each start), kept beside the benchmark databases."""
    environment = {key: value for key, value in os.environ.items()
                   if key != "PYTHONDONTWRITEBYTECODE"}
    environment.update(QT_QPA_PLATFORM="offscreen",
                       PYTHONPYCACHEPREFIX=str(cache_dir() / "bytecode"))
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(app.__file__).parent)],
                   env=environment, check=True)
    return environment


def waiting_work(db_path: Path) -> str:
    """What the follow-up checks would find: missed first touches and nurture returns."""
    now = utc_now()
    statuses = sorted(s.value for s in SLA_STATUSES)
    connection = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        missed, back = connection.execute(
            "SELECT sum(first_touch_at IS NULL AND sla_breached_at IS NULL AND "
            f"first_touch_due_at < ? AND status IN ({', '.join('?' for _ in statuses)})), "
            "sum(status = 'nurture' AND come_back_on <= ?) FROM lead WHERE deleted_at IS NULL",
            [utc_text(now), *statuses, now.date().isoformat()]).fetchone()
    finally:
        connection.close()
    return f"{missed or 0:,} missed first touches and {back or 0:,} nurture returns waiting"


def copy_with_daily_jobs_due(source: Path) -> Path:
    """A copy of the demo database whose daily re-score has not run today (the cached file
    stays as built, for the other benchmarks)."""
    copy = source.with_name(f"leadlist-{source.name}")
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{source}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", f"{copy}{suffix}")
            with open(f"{copy}{suffix}", "rb+") as written:  # on disk, as a real file is
                os.fsync(written.fileno())
    database, _ = open_database(copy)
    try:
        database.set_meta(RESCORED_ON_KEY, None)
    finally:
        database.dispose()
    return copy


def measure_cold_starts(db_path: Path, settings_path: Path) -> bool:
    """Cold start and peak memory with today's daily jobs due, then once they are done."""
    copy = copy_with_daily_jobs_due(db_path)
    ok = True
    try:
        for state in ("daily jobs due", "daily jobs done today"):
            print(f"  {state}: {waiting_work(copy)}", flush=True)
            usable, peak_mb, jobs = measure_app_process(copy, settings_path)
            print(f"  {state}: {jobs}", flush=True)
            ok &= report(f"cold start to a usable window ({state})", usable,
                         COLD_START_LIMIT_S, "s")
            ok &= report(f"peak memory of the app process ({state}: start, scroll, sort, "
                         "search, daily jobs)", peak_mb, MEMORY_LIMIT_MB, "MB")
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)
    return ok


def main(leads: int = 1_000_000) -> bool:
    db_path = demo_database(leads)
    settings_path = db_path.with_suffix(".bench.ini")
    database, _ = open_database(db_path)
    services = Services.build(database)
    create_application()
    runner = TaskRunner()
    print(f"lead list benchmark at {services.leads.count(LeadQuery()):,} leads ({db_path})")
    ok = report("window opened to first page painted", measure_first_paint(services, settings_path),
                FIRST_PAINT_LIMIT_S, "s")
    timings = measure_search(services, runner)
    p95 = statistics.quantiles([ms for ms, _text in timings], n=20)[-1]
    ok &= report(f"search as you type, p95 of {len(timings)} keystrokes", p95,
                 SEARCH_P95_LIMIT_MS, "ms")
    print("      slowest: " + ", ".join(f"{text!r} {ms:.0f} ms"
                                        for ms, text in sorted(timings, reverse=True)[:6]))
    for key, seconds in measure_sorts(services, runner).items():
        limit = INDEXED_SORT_LIMIT_S if key in INDEXED_SORTS else SORT_LIMIT_S
        kind = "indexed" if key in INDEXED_SORTS else "computed"
        ok &= report(f"sort by {key.value} ({kind})", seconds, limit, "s")
    runner.wait()
    shiboken6.delete(runner)  # with its models, now rather than during interpreter shutdown
    release_cached_icons()
    database.dispose()
    cold_starts_ok = measure_cold_starts(db_path, settings_path)
    return ok and cold_starts_ok


if __name__ == "__main__":
    sys.exit(0 if main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000) else 1)
