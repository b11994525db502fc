"""A measured app session in its own process: only the app's own imports, so the memory
figure is the app's, not the benchmark harness's (which loads Faker for demo data).

Prints "ready" when the window has painted its first page, then works like a person (scrolls
deep, sorts by a computed column, searches) and prints "peak <MB>" before exiting.
"""

from __future__ import annotations

import os
import resource
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import shiboken6  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402

from app.domain.leads import SortKey  # noqa: E402
from app.services.container import Services  # noqa: E402
from app.storage.opening import open_database  # noqa: E402
from app.ui.application import build_main_window, create_application  # noqa: E402
from app.ui.models.lead_table_model import COLUMN_OF_SORT  # noqa: E402
from app.ui.style import release_cached_icons  # noqa: E402


def session(db_path: Path, settings_path: Path) -> float:
    app = create_application()
    database, _ = open_database(db_path)
    window = build_main_window(Services.build(database),
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
    window.close()
    shiboken6.delete(window)
    release_cached_icons()
    database.dispose()
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    print(f"peak {session(Path(sys.argv[1]), Path(sys.argv[2])):.1f}", flush=True)
