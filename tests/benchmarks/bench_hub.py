"""The team server as hub: a team moves onto the server, then a new laptop joins.

    python -m tests.benchmarks.bench_hub [LEADS]      (default 10,000)

Measured on a throwaway PostgreSQL server (tests/pg_server.py): ``migrate-to`` of the demo
database, the first exchange through the server (the server's replica and the moving laptop
each record everything once), a new laptop joining from the server's snapshot (the issue's
figure: under 2 minutes to a usable app at 1,000,000 leads), and an exchange with nothing new.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from app.domain.leads import LeadQuery
from app.paths import ServerAddress
from app.services.container import Services
from app.services.sync.hub import sync_with_server
from app.storage.opening import open_database
from app.storage.server_copy import copy_to_server
from tests.benchmarks.common import demo_database, report
from tests.pg_server import create_database, throwaway_server

JOIN_LIMIT_S = 120.0
QUIET_LIMIT_S = 5.0


def main(leads: int) -> int:
    source = demo_database(leads)
    work = Path(tempfile.mkdtemp(prefix="leadline-bench-hub-"))
    try:
        moving = work / "moving" / "leadline.sqlite"
        moving.parent.mkdir()
        shutil.copyfile(source, moving)
        with throwaway_server() as url:
            address = ServerAddress(create_database(url, "team"))
            laptop_db, _ = open_database(moving)
            try:
                started = time.perf_counter()
                copied = copy_to_server(laptop_db, address)
                print(f"      migrate-to of {leads:,} leads "
                      f"({sum(t.rows for t in copied.tables):,} rows): "
                      f"{time.perf_counter() - started:.1f} s", flush=True)
                laptop = Services.build(laptop_db)
                started = time.perf_counter()
                first = sync_with_server(laptop, address)
                print(f"      first exchange through the server (laptop sent "
                      f"{first.laptop.sent_ops:,} changes, the server's replica "
                      f"{first.server_sent_ops:,}): {time.perf_counter() - started:.1f} s",
                      flush=True)
            finally:
                laptop_db.dispose()
            joining = work / "new" / "leadline.sqlite"
            new_db, _ = open_database(joining)
            try:
                newcomer = Services.build(new_db)
                started = time.perf_counter()
                joined = sync_with_server(newcomer, address)
                join_s = time.perf_counter() - started
                count = newcomer.leads.count(LeadQuery())
                ok = report(f"a new laptop joins a {leads:,}-lead team (snapshot "
                            f"{'absorbed' if joined.laptop.snapshots_absorbed else 'NOT used'}, "
                            f"{count:,} leads found)", join_s, JOIN_LIMIT_S, "s")
                started = time.perf_counter()
                sync_with_server(newcomer, address)
                ok &= report("an exchange with nothing new", time.perf_counter() - started,
                             QUIET_LIMIT_S, "s")
            finally:
                new_db.dispose()
        return 0 if ok else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000))
