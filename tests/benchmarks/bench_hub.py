"""The team server as hub: a team moves onto the server, then a new laptop joins.

    python -m tests.benchmarks.bench_hub [LEADS]      (default 10,000)

Measured on a throwaway PostgreSQL server (tests/pg_server.py): ``migrate-to`` of the demo
database (the copy, then the sync handover: both sides start from the copied rows), the first
exchange through the server (nothing to record: the handover left both agreeing), a new, empty
laptop joining by copying the server replica's state (the issue's figure: under 2 minutes to a
usable app at 1,000,000 leads: the leads counted and the first page of the lead list read), and
an exchange with nothing new. Up to 10,000 leads, a laptop holding data of its own joins from
the server's snapshot too (the server first records its baseline rows as ops: the slow path,
once, shown beside the copy).
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
from app.services.sync.handover import handing_over
from app.services.sync.hub import sync_with_server
from app.storage.migrate import head_revision
from app.storage.opening import open_database
from app.storage.server_copy import copy_to_server
from tests.benchmarks.common import cache_dir, demo_database, report
from tests.pg_server import create_database, throwaway_server

JOIN_LIMIT_S = 120.0
FIRST_EXCHANGE_LIMIT_S = 60.0
QUIET_LIMIT_S = 5.0
SNAPSHOT_JOIN_UP_TO = 10_000


def _cached_source(leads: int) -> Path:
    """The cached demo database; one of an older schema when only that exists (a million
    leads take long to build; its copy here is brought up to date when opened)."""
    older = sorted(cache_dir().glob(f"demo-{leads}-seed1-schema*.sqlite"))
    wanted = cache_dir() / f"demo-{leads}-seed1-schema{head_revision()}.sqlite"
    if wanted.exists() or not older:
        return demo_database(leads)
    print(f"using cached {older[-1]} (older schema: upgraded in the copy)", flush=True)
    return older[-1]


def _since(started: float) -> float:
    return time.perf_counter() - started


def main(leads: int) -> int:
    source = _cached_source(leads)
    work = Path(tempfile.mkdtemp(prefix="leadline-bench-hub-"))
    try:
        moving = work / "moving" / "leadline.sqlite"
        moving.parent.mkdir()
        shutil.copyfile(source, moving)
        with throwaway_server() as url:
            address = ServerAddress(create_database(url, "team"))
            ok = _move(moving, address, leads)
            ok &= _join(work / "new" / "leadline.sqlite", address, leads)
            if leads <= SNAPSHOT_JOIN_UP_TO:
                _snapshot_join(work / "own" / "leadline.sqlite", address, leads)
        return 0 if ok else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _move(moving: Path, address: ServerAddress, leads: int) -> bool:
    laptop_db, _ = open_database(moving)
    try:
        laptop = Services.build(laptop_db)
        started = time.perf_counter()
        with handing_over(laptop.context, address):
            copied = copy_to_server(laptop_db, address)
        print(f"      migrate-to of {leads:,} leads ({copied.rows:,} rows, copy "
              f"{copied.seconds:.1f} s): {_since(started):.1f} s", flush=True)
        started = time.perf_counter()
        first = sync_with_server(laptop, address)
        return report(f"first exchange after migrate-to (laptop sent {first.laptop.sent_ops:,} "
                      f"changes, the server's replica {first.server_sent_ops:,})",
                      _since(started), FIRST_EXCHANGE_LIMIT_S, "s")
    finally:
        laptop_db.dispose()


def _join(path: Path, address: ServerAddress, leads: int) -> bool:
    new_db, _ = open_database(path)
    try:
        newcomer = Services.build(new_db)
        started = time.perf_counter()
        joined = sync_with_server(newcomer, address)
        copied_s = _since(started)
        count = newcomer.leads.count(LeadQuery())
        page = newcomer.leads.list(LeadQuery(), limit=100)
        join_s = _since(started)
        ok = report(f"a new laptop joins a {leads:,}-lead team (copied {joined.joined_by_copy:,} "
                    f"rows in {copied_s:.1f} s, then {count:,} leads counted and a page of "
                    f"{len(page)} read)", join_s, JOIN_LIMIT_S, "s")
        started = time.perf_counter()
        quiet = sync_with_server(newcomer, address)
        ok &= report(f"an exchange with nothing new (sent {quiet.laptop.sent_ops}, received "
                     f"{quiet.laptop.received_ops})", _since(started), QUIET_LIMIT_S, "s")
        return ok
    finally:
        new_db.dispose()


def _snapshot_join(path: Path, address: ServerAddress, leads: int) -> None:
    own_db, _ = open_database(path)
    try:
        own = Services.build(own_db)
        own.leads.create({"last_name": "Own", "email": "own@example.com"})
        started = time.perf_counter()
        joined = sync_with_server(own, address)
        count = own.leads.count(LeadQuery())
        print(f"      beside it: a laptop with data of its own joins from the server's snapshot "
              f"({'absorbed' if joined.laptop.snapshots_absorbed else 'NOT used'}, {count:,} "
              f"leads): {_since(started):.1f} s", flush=True)
    finally:
        own_db.dispose()


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000))
