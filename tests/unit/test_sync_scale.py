"""How a sync's work grows with the database, proved by its structure rather than timed (the
figures at 100,000 leads are in tests/benchmarks/bench_sync.py).

* The log holds one op per captured row version, whatever the number of fields, in chunks of
  many ops: a row's first capture is one op, and the log's index has about one entry per row.
* A sync works in batches of a bounded size, each batch its own write transaction: capture,
  publishing and merging never hold more than a batch of rows or ops in memory, and other
  writers get their turn between the batches.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from app.services.context import ServiceContext
from app.services.demo_service import DemoService
from app.services.sync import capture, merge, snapshots
from app.services.sync.batches import Batch
from app.services.sync.tables import synced_columns
from app.storage.db import Database
from app.storage.repositories.sync.repository import SyncRepository
from tests.sync_laptops import Laptop

BATCH = 40


def _synced_rows(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        found = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
                 for t in ("user", "event", "lead", "task", "activity")}
    conn.close()
    return found


def _log(path: Path) -> tuple[int, int, int]:
    """(ops, chunks, row index entries) of a laptop's log."""
    with sqlite3.connect(path) as conn:
        ops, chunks = conn.execute("SELECT sum(op_count), count(*) FROM sync_chunk").fetchone()
        (entries,) = conn.execute("SELECT count(*) FROM sync_row").fetchone()
    conn.close()
    return int(ops or 0), int(chunks), int(entries)


@pytest.fixture
def demo_laptop(laptops: tuple[Laptop, Laptop]) -> Laptop:
    a, _b = laptops
    DemoService(ServiceContext(a.db, a.clock)).generate(150, seed=3)
    return a


class Transactions:
    """Every write transaction of a database during a sync: the ops it stored, the largest
    replica a batch of it held."""

    def __init__(self) -> None:
        self.ops: list[int] = []
        self.replica_ops: list[int] = []


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> Iterator[Transactions]:
    """Batches of BATCH rows/ops, and a record of what each write transaction held."""
    for module, name in ((capture, "CAPTURE_ROWS"), (merge, "MERGE_OPS"),
                         (snapshots, "SNAPSHOT_ROWS")):
        monkeypatch.setattr(module, name, BATCH)
    seen = Transactions()
    original_write = Database.write
    original_add = SyncRepository.add_ops
    original_save = Batch.save

    @contextmanager
    def write(self: Database) -> Iterator[Any]:
        seen.ops.append(0)
        with original_write(self) as session:
            yield session

    def add_ops(self: Any, ops: Any) -> int:
        if seen.ops:
            seen.ops[-1] += len(ops)
        return original_add(self, ops)

    def save(self: Batch) -> None:
        seen.replica_ops.append(len(self.replica.ops))
        original_save(self)

    monkeypatch.setattr(Database, "write", write)
    monkeypatch.setattr(SyncRepository, "add_ops", add_ops)
    monkeypatch.setattr(Batch, "save", save)
    yield seen


def test_a_first_sync_logs_one_op_per_row_in_a_compact_log(
        demo_laptop: Laptop, folder: Path) -> None:
    rows = _synced_rows(demo_laptop.path)
    report = demo_laptop.sync(folder)
    ops, chunks, entries = _log(demo_laptop.path)
    total = sum(rows.values())
    # One op per row (its creation carries every field): not one per field.
    assert report.sent_ops == ops and total <= ops <= total + 20  # + settings, cadences, rules
    fields = sum(n * len(synced_columns(t)) for t, n in rows.items())
    assert ops * 10 < fields
    # The row index has an entry per row (each row's ops sit in one chunk), chunks many ops.
    assert entries == ops and chunks * 50 < ops
    with sqlite3.connect(demo_laptop.path) as conn:
        (shadows,) = conn.execute("SELECT count(*) FROM sync_shadow").fetchone()
    conn.close()
    assert shadows <= total  # a digest per row, not a value per field


def test_a_first_sync_captures_publishes_and_merges_in_bounded_batches(
        small_batches: Transactions, laptops: tuple[Laptop, Laptop], demo_laptop: Laptop,
        folder: Path) -> None:
    _a, b = laptops
    rows = sum(_synced_rows(demo_laptop.path).values())
    sent = demo_laptop.sync(folder)
    stored = [n for n in small_batches.ops if n]
    # Each transaction stored a batch's worth (a row's version plus its delete or restore at
    # most), and the capture took one transaction per batch of rows.
    assert max(stored) <= 2 * BATCH and len(stored) >= rows // BATCH
    assert max(small_batches.replica_ops) <= 2 * BATCH
    small_batches.ops.clear()
    small_batches.replica_ops.clear()
    got = b.sync(folder)
    assert got.received_ops == sent.sent_ops
    stored = [n for n in small_batches.ops if n]
    assert max(stored) <= 2 * BATCH and len(stored) >= sent.sent_ops // BATCH
    assert max(small_batches.replica_ops) <= 2 * BATCH
    assert _synced_rows(b.path)["lead"] == _synced_rows(demo_laptop.path)["lead"]


def test_a_capture_stopped_half_way_resumes_without_duplicates(
        monkeypatch: pytest.MonkeyPatch, demo_laptop: Laptop, folder: Path) -> None:
    """Killed after some committed capture batches: the next sync sends every row once."""
    monkeypatch.setattr(capture, "CAPTURE_ROWS", BATCH)
    rows = sum(_synced_rows(demo_laptop.path).values())
    calls = {"n": 0}
    real = capture.capture_rows

    def dying(batch: Batch, table: str, found: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 4:
            raise KeyboardInterrupt("power cut")
        return real(batch, table, found)

    monkeypatch.setattr(capture, "capture_rows", dying)
    with pytest.raises(KeyboardInterrupt):
        demo_laptop.sync(folder)
    partial, _chunks, _entries = _log(demo_laptop.path)
    assert 0 < partial < rows
    monkeypatch.setattr(capture, "capture_rows", real)
    report = demo_laptop.sync(folder)
    ops, _chunks, entries = _log(demo_laptop.path)
    assert report.sent_ops == ops and entries == ops and rows <= ops <= rows + 20
