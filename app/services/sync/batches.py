"""A sync's work in short write transactions: batch sizes paced by time, and one batch's rows."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy.orm import Session

from app.storage.repositories.sync.replica_state import Shadow
from app.storage.repositories.sync.repository import SyncRepository
from app.sync.clock import HybridClock
from app.sync.merge import Replica

RowKey = tuple[str, str]

# What a batch's transaction aims at: on a slow disk or a busy machine batches get smaller.
_BATCH_SECONDS = 0.5
_SMALLEST_BATCH = 50


class Pace:
    """Batch sizes that keep each write transaction near _BATCH_SECONDS: starting at a
    quarter of the maximum (CAPTURE_ROWS, MERGE_OPS, SNAPSHOT_ROWS), halved after a slow batch
    (a slow disk, a busy machine, big rows), doubled after quick ones, never above the maximum."""

    def __init__(self, maximum: int) -> None:
        self.maximum = maximum
        self.smallest = min(_SMALLEST_BATCH, maximum)
        self.size = max(self.smallest, maximum // 4)

    def took(self, seconds: float) -> None:
        if seconds > _BATCH_SECONDS:
            self.size = max(self.smallest, self.size // 2)
        elif seconds < _BATCH_SECONDS / 3:
            self.size = min(self.maximum, self.size * 2)


def batched(items: Iterable[Any], pace: Pace) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= pace.size:
            yield batch
            batch = []
    if batch:
        yield batch


class Batch:
    """One transaction of a sync: a replica holding every op of the rows it loaded (a row's
    merge state depends on its ops only, so the results are those of a replica holding the
    whole log), and those rows' shadows, saved at the end."""

    def __init__(self, session: Session, inc: str, clock: HybridClock,
                 covered: dict[str, int]) -> None:
        self.session = session
        self.repo = SyncRepository(session)
        self.replica = Replica(inc, clock, next_seq=self.repo.own_max_seq(inc) + 1, covered=covered)
        self.loaded: set[RowKey] = set()
        # Loaded rows that had ops in the log.
        self.known: set[RowKey] = set()
        self._shadows: dict[str, dict[str, Shadow]] = {}
        self._changed: set[RowKey] = set()
        # Leads captured in this batch: their edits may have settled a conflict.
        self.captured_leads: set[str] = set()

    def load(self, keys: Iterable[RowKey]) -> None:
        missing = set(keys) - self.loaded
        if not missing:
            return
        self.replica.restore_absorbed({}, self.repo.marks_of_rows(missing))
        known = self.replica.ops
        self.replica.apply([op for op in self.repo.ops_of_rows(missing) if op.op_id not in known],
                           from_store=True)
        self.loaded |= missing
        self.known |= {k for k in missing if self.replica.knows(*k)}

    def shadows(self, table: str, row_ids: Sequence[str]) -> dict[str, Shadow]:
        cache = self._shadows.setdefault(table, {})
        missing = [r for r in row_ids if r not in cache]
        found = self.repo.shadow(table, missing)
        for row_id in missing:
            cache[row_id] = found.get(row_id, Shadow())
        return {r: cache[r] for r in row_ids}

    def changed(self, table: str, row_id: str) -> Shadow:
        """The shadow of a row, to be changed and saved with the batch."""
        self._changed.add((table, row_id))
        return self.shadows(table, [row_id])[row_id]

    def keep_local(self, table: str, row_id: str, values: dict[str, Any]) -> None:
        """These fields stay different here on purpose (flags, held references)."""
        shadow = self.changed(table, row_id)
        shadow.local.update(values)
        shadow.digest = None

    def save(self) -> None:
        by_table: dict[str, dict[str, Shadow]] = {}
        for table, row_id in self._changed:
            by_table.setdefault(table, {})[row_id] = self._shadows[table][row_id]
        for table, shadows in sorted(by_table.items()):
            self.repo.set_shadow(table, shadows)
        self._changed.clear()
