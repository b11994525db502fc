"""Erasing one person from a large database: scrub, search-index compaction, log truncation.

Run: ``.venv/bin/python -m tests.benchmarks.bench_erasure [LEADS]`` (default 100000). Works on a
copy of the cached demo database, so the cache stays intact. The erasure is a rare admin
action but holds the write lock while the full-text index is merged into one segment, so
its duration is what other laptops' writers wait at worst.
"""

from __future__ import annotations

import shutil
import sys
import time

from sqlalchemy import select

from app.services.container import Services
from app.storage.opening import open_database
from app.storage.orm import Lead
from tests.benchmarks.common import demo_database, file_size, report

SECONDS_PER_100K_LIMIT = 10.0


def main(leads: int = 100_000) -> bool:
    source = demo_database(leads)
    copy = source.with_name(f"erasure-{source.name}")
    for suffix in ("", "-wal", "-shm"):
        if (source.parent / f"{source.name}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", f"{copy}{suffix}")
    database, _ = open_database(copy)
    try:
        services = Services.build(database)
        with database.read() as session:
            lead_id = session.scalars(select(Lead.id).where(Lead.deleted_at.is_(None))
                                      .order_by(Lead.key).limit(1).offset(leads // 2)).one()
        started = time.perf_counter()
        receipt = services.erasure.erase(lead_id, reason="benchmark")
        seconds = time.perf_counter() - started
        print(f"erased {len(receipt.erased_lead_ids)} lead(s) from {leads:,} leads "
              f"({file_size(copy) / 1e6:,.0f} MB); rows scrubbed: {receipt.scrubbed}")
        limit = SECONDS_PER_100K_LIMIT * max(1.0, leads / 100_000)
        return report(f"erase one person at {leads:,} leads", seconds, limit, "s",
                      basis=f"{SECONDS_PER_100K_LIMIT:g} s per 100,000 leads")
    finally:
        database.dispose()
        for suffix in ("", "-wal", "-shm"):
            (copy.parent / f"{copy.name}{suffix}").unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(0 if main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000) else 1)
