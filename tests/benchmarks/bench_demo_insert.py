"""Benchmark: how fast demo data reaches the database, and whether a million leads fit in minutes.

1. Insert rate. The rows for ``--compare`` leads (leads, their tasks and history) are generated
   once. They are then inserted twice, chunk by chunk and interleaved so both paths see the same
   machine conditions: through ``BulkWriter`` (value conversion included) into fresh migrated
   database A, and as pre-converted tuples through plain ``sqlite3`` ``executemany`` into fresh
   migrated database B, with the same statements, pragmas, triggers, chunks and transactions.
   BulkWriter must reach at least a third of the raw rate.
2. End to end. ``DemoService.generate`` of N leads (first argument, default 100,000) into a
   fresh database, with every cost included (Faker pools, generation, conversion, inserts,
   full-text index). The rate is extrapolated to 1,000,000 leads, which must take under 10 min.

Run: ``.venv/bin/python -m tests.benchmarks.bench_demo_insert [N] [--compare 100000]``.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from app.services.context import ServiceContext
from app.services.demo_service import DemoService
from app.storage.db import BUSY_TIMEOUT_MS
from app.storage.opening import open_database
from app.storage.repositories.bulk import BulkWriter
from app.storage.repositories.bulk_rows import TABLES
from tests.benchmarks.common import file_size, format_number, report

RATIO_LIMIT = 0.33
MILLION = 1_000_000
TEN_MINUTES = 600.0
CHUNK = 5_000

Batch = dict[str, list[dict[str, Any]]]


def _raw_connection(path: Path) -> sqlite3.Connection:
    """Plain sqlite3 with the pragmas ``app.storage.db.make_engine`` sets (fair comparison)."""
    connection = sqlite3.connect(path, isolation_level=None)
    for pragma in (f"busy_timeout = {BUSY_TIMEOUT_MS}", "journal_mode = WAL",
                   "synchronous = NORMAL", "foreign_keys = ON", "cache_size = -16000"):
        connection.execute(f"PRAGMA {pragma}")
    return connection


def compare_insert_paths(folder: Path, leads: int, seed: int) -> bool:
    """Time BulkWriter against raw executemany on identical rows; True if the ratio holds."""
    print(f"generating rows for {leads:,} leads (not timed)…", flush=True)
    planner, _ = open_database(folder / "plan.sqlite")
    try:
        plan = DemoService(ServiceContext(planner)).plan(leads, seed=seed)
        organisation = plan.organisation
        chunks: list[Batch] = list(plan.chunks(CHUNK))
    finally:
        planner.dispose()
    rows = sum(len(batch[t]) for batch in chunks for t in batch)
    print(f"  {rows:,} rows: " + ", ".join(
        f"{sum(len(b.get(t, [])) for b in chunks):,} {t}" for t in ("lead", "task", "activity")),
        flush=True)

    database_a, _ = open_database(folder / "bulk.sqlite")
    database_b, _ = open_database(folder / "raw.sqlite")
    BulkWriter(database_a).write(organisation)  # same users/events in both, not timed
    BulkWriter(database_b).write(organisation)
    database_b.dispose()
    raw = _raw_connection(folder / "raw.sqlite")
    converted = [[(BulkWriter.insert_statement(t), BulkWriter.convert(t, batch[t]))
                  for t in TABLES if batch.get(t)] for batch in chunks]

    bulk_seconds = raw_seconds = 0.0
    try:
        with BulkWriter(database_a) as writer:
            for batch, prepared in zip(chunks, converted, strict=True):
                started = time.perf_counter()
                writer.write(batch)
                bulk_seconds += time.perf_counter() - started

                started = time.perf_counter()
                raw.execute("BEGIN IMMEDIATE")
                for statement, params in prepared:
                    raw.executemany(statement, params)
                raw.execute("COMMIT")
                raw_seconds += time.perf_counter() - started
    finally:
        raw.close()
        database_a.dispose()

    bulk_rate, raw_rate = rows / bulk_seconds, rows / raw_seconds
    print(f"INFO  raw sqlite3 executemany: {format_number(raw_rate)} rows/s "
          f"({raw_seconds:,.1f} s)", flush=True)
    print(f"INFO  BulkWriter: {bulk_seconds:,.1f} s, ratio to raw "
          f"{bulk_rate / raw_rate:.2f}", flush=True)
    return report("demo insert rate", bulk_rate, RATIO_LIMIT * raw_rate, "rows/s",
                  higher_is_better=True, basis=f"{RATIO_LIMIT}x raw")


def time_generate(folder: Path, leads: int, seed: int) -> bool:
    """Time a full DemoService.generate; True if a million leads would take under 10 minutes."""
    path = folder / "generate.sqlite"
    database, _ = open_database(path)
    step = max(CHUNK, leads // 10)
    marks = [step]
    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        if done >= marks[0] or done == total:
            elapsed = time.perf_counter() - started
            print(f"  {done:,} / {total:,} leads, {elapsed:,.0f} s "
                  f"({done / elapsed:,.0f} leads/s)", flush=True)
            marks[0] = done + step

    print(f"DemoService.generate({leads:,}) into a fresh database…", flush=True)
    try:
        summary = DemoService(ServiceContext(database)).generate(leads, seed=seed,
                                                                progress=progress)
    finally:
        database.dispose()
    size = file_size(path)
    rows = summary.leads + summary.tasks + summary.activities
    print(f"INFO  generated {summary.leads:,} leads, {summary.activities:,} activities, "
          f"{summary.tasks:,} tasks ({rows:,} rows) in {summary.seconds:,.1f} s", flush=True)
    print(f"INFO  database file: {size / 1e6:,.0f} MB ({size / max(summary.leads, 1):,.0f} "
          f"bytes per lead)", flush=True)
    rate = summary.leads / summary.seconds
    extrapolated = MILLION / rate
    passed = report("demo generate rate", rate, MILLION / TEN_MINUTES, "leads/s",
                    higher_is_better=True, basis="1M in 10 min")
    name = "demo generate 1,000,000 leads" + ("" if leads == MILLION else " (extrapolated)")
    return report(name, extrapolated, TEN_MINUTES, "s") and passed


def main(argv: Sequence[str] | None = None) -> bool:
    """Run both measurements; ``argv`` as on the command line (none: the defaults)."""
    parser = argparse.ArgumentParser(prog="bench_demo_insert", description=__doc__.split("\n")[0])
    parser.add_argument("leads", nargs="?", type=int, default=100_000,
                        help="leads for the end-to-end generate run (default 100000)")
    parser.add_argument("--compare", type=int, default=100_000, metavar="N",
                        help="leads whose rows are used for the insert comparison")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(list(argv or []))
    with tempfile.TemporaryDirectory(prefix="leadline-bench-") as temp:
        folder = Path(temp)
        generated = time_generate(folder, args.leads, args.seed)  # first: cold Faker pools
        (folder / "generate.sqlite").unlink()
        compared = compare_insert_paths(folder, args.compare, args.seed)
    return generated and compared


if __name__ == "__main__":
    sys.exit(0 if main(sys.argv[1:]) else 1)
