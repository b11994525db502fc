"""Lead list at scale: first paint, search as you type, sorting, memory, cold start.

Run: ``.venv/bin/python -m tests.benchmarks.bench_lead_list [LEADS]`` (default 1,000,000).
Each line prints the measured figure and the limit it is compared against.
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import shiboken6  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402

from app.domain.leads import LeadQuery, SortKey  # noqa: E402
from app.services.container import Services  # noqa: E402
from app.storage.opening import open_database  # noqa: E402
from app.storage.repositories.leads import INDEXED_SORTS  # noqa: E402
from app.ui.application import build_main_window, create_application  # noqa: E402
from app.ui.models.lead_table_model import LeadTableModel  # noqa: E402
from app.ui.style import release_cached_icons  # noqa: E402
from app.ui.workers import TaskRunner  # noqa: E402
from tests.benchmarks.common import demo_database, report  # noqa: E402

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


def measure_app_process(db_path: Path, settings_path: Path) -> tuple[float, float]:
    """A fresh app process: seconds until its window is usable, and its peak memory in MB.

    After reporting "ready" the child keeps working like a person would (scrolls deep, sorts
    by a computed column, searches) so the peak includes a real session, not just start-up.
    """
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.benchmarks.app_session", str(db_path), str(settings_path)],
        stdout=subprocess.PIPE, text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert child.stdout is not None
    ready = child.stdout.readline().strip()
    usable = time.perf_counter() - started
    rest, _ = child.communicate()
    if ready != "ready" or child.returncode or not rest.startswith("peak "):
        raise RuntimeError(f"app child failed ({child.returncode}): {ready} {rest}")
    return usable, float(rest.split()[1])


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
    usable, peak_mb = measure_app_process(db_path, settings_path)
    ok &= report("cold start to a usable window (fresh process)", usable, COLD_START_LIMIT_S, "s")
    ok &= report("peak memory of the app process (start, scroll, sort, search)", peak_mb,
                 MEMORY_LIMIT_MB, "MB")
    runner.wait()
    shiboken6.delete(runner)  # with its models, now rather than during interpreter shutdown
    release_cached_icons()
    database.dispose()
    return ok


if __name__ == "__main__":
    sys.exit(0 if main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000) else 1)
