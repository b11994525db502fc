"""A measured app session in its own process: only the app's own imports, so the memory
figure is the app's, not the benchmark harness's (which loads Faker for demo data).

Prints "ready" when the window has painted its first page, then works like a person (scrolls
deep, sorts by a computed column, searches) and prints "peak <MB>" before exiting. With
``--daily-jobs`` it first waits for the jobs the window starts by itself (today's re-score, the
follow-up checks) and prints "daily <seconds after start> <re-score still due>".
"""

from __future__ import annotations

import os
import resource
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import shiboken6  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402

from app.domain.leads import SortKey  # noqa: E402
from app.services.container import Services  # noqa: E402
from app.storage.opening import open_database  # noqa: E402
from app.ui.application import build_main_window, create_application  # noqa: E402
from app.ui.main_window import PERIODIC_FIRST_MS  # noqa: E402
from app.ui.models.lead_table_model import COLUMN_OF_SORT  # noqa: E402
from app.ui.style import release_cached_icons  # noqa: E402
from app.ui.workers import (  # noqa: E402
    GuiThreadGarbageCollector,
    limit_malloc_arenas,
    share_the_gil_briskly,
)

# Long enough for a million-lead re-score on a busy laptop; the benchmark reports the time.
DAILY_JOBS_TIMEOUT_S = 900


def session(db_path: Path, settings_path: Path, daily_jobs: bool = False) -> float:
    app = create_application()
    # As run_gui sets the process up for the window.
    collector = GuiThreadGarbageCollector(app)
    collector.start()
    share_the_gil_briskly()
    limit_malloc_arenas()
    started = time.perf_counter()
    database, _ = open_database(db_path)
    services = Services.build(database)
    window = build_main_window(services,
                               QSettings(str(settings_path), QSettings.Format.IniFormat))
    window.show_page(1)
    window.show()
    window.leads.table.viewport().grab()
    app.processEvents()
    print("ready", flush=True)
    model = window.leads.model

    def settle() -> None:
        model.wait_for_keys()
        window.runner.wait()
        app.processEvents()

    settle()
    for fraction in (0.5, 0.999, 0.25):
        window.leads.table.scrollTo(model.index(int(model.rowCount() * fraction), 0))
        window.leads.table.viewport().grab()
    model.sort(COLUMN_OF_SORT[SortKey.OWNER])  # a joined sort over every lead
    settle()
    window.search.setText("mül")
    window._search_now()
    settle()
    if daily_jobs:
        # The follow-up checks start PERIODIC_FIRST_MS after the window; the re-score before.
        while (time.perf_counter() - started < PERIODIC_FIRST_MS / 1000 + 1
               or window.runner.busy) and time.perf_counter() - started < DAILY_JOBS_TIMEOUT_S:
            if not window.runner.wait(1000):
                continue
            app.processEvents()
            time.sleep(0.05)  # the checks' timer has not fired yet: nothing to wait on
        print(f"daily {time.perf_counter() - started:.1f} {services.scoring.rescore_due()}",
              flush=True)
    window.close()
    shiboken6.delete(window)
    release_cached_icons()
    database.dispose()
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    peak = session(Path(sys.argv[1]), Path(sys.argv[2]), "--daily-jobs" in sys.argv[3:])
    print(f"peak {peak:.1f}", flush=True)
