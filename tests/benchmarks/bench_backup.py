"""Backups, the start-up check and restore on a big database.

Run: ``.venv/bin/python -m tests.benchmarks.bench_backup [LEADS]`` (default 100000). Copies the
cached demo database, then times: a backup through SQLite's online backup API (at least 100 MB/s,
so closing the app with a 4 GB million-lead database stays under a minute; a plain file copy
of the same file is printed beside it), verifying that backup, the check every start runs,
and a restore.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from app.services.backup_files import verify_backup
from app.services.backup_service import check_database, restore
from app.services.container import Services
from app.storage.opening import open_database
from tests.benchmarks.common import demo_database, report

START_CHECK_LIMIT_S = 1.0
BACKUP_MB_PER_S = 100.0


def main(leads: int = 100_000) -> bool:
    source = demo_database(leads)
    work = Path(tempfile.mkdtemp(prefix="leadline-bench-backup-"))
    try:
        live = work / "leadline.sqlite"
        started = time.perf_counter()
        shutil.copyfile(source, live)
        copy_seconds = time.perf_counter() - started
        size_mb = live.stat().st_size / 1e6
        database, _ = open_database(live)
        try:
            services = Services.build(database)
            started = time.perf_counter()
            backup = services.backups.back_up("manual")
            backup_seconds = time.perf_counter() - started
        finally:
            database.dispose()
        started = time.perf_counter()
        verify_backup(backup.path)
        verify_seconds = time.perf_counter() - started
        started = time.perf_counter()
        check = check_database(live)
        check_seconds = time.perf_counter() - started
        started = time.perf_counter()
        aside = restore(live, backup.path)
        restore_seconds = time.perf_counter() - started
        print(f"{leads:,} leads, {size_mb:,.0f} MB: plain copy {copy_seconds:,.2f} s, verify "
              f"{verify_seconds:,.2f} s, restore {restore_seconds:,.2f} s (current file kept "
              f"as {aside.name}); start-up check: {'ok' if check.ok else check.problem}",
              flush=True)
        ok = report("online backup", size_mb / backup_seconds, BACKUP_MB_PER_S, "MB/s",
                    higher_is_better=True)
        ok &= report("start-up check", check_seconds, START_CHECK_LIMIT_S, "s")
        return ok
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(0 if main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000) else 1)
