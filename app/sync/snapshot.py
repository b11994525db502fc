"""Snapshot files: the live ops of a replica plus the coverage they stand for (SYNC.md 4.12).

A snapshot replaces every change file it covers. It holds:

* ``ops``: every op still live at the creator: each field head, each lifecycle head (delete or
  restore not superseded) and every append;
* ``coverage``: ``{incarnation: n}`` = the creator's *contiguous* knowledge
  (``Replica.known_through``): for each incarnation, every op ``inc:1..n`` was held by the
  creator or covered by a snapshot it had absorbed. Hence an op id within the coverage that is
  not among ``ops`` was superseded in the creator's history and can be ignored wherever it shows
  up later. (A max-seq-seen vector would be wrong: an op in a gap may be live and unseen.)
* ``superseded``: marks ``(table, row, field or None, op id)`` for versions the creator knew to
  be superseded whose ids the coverage does *not* cover (their superseding op may be covered and
  its file compacted away, while they themselves may still arrive), and for the superseded
  fields of live ops (an edit of several fields travels whole while one of them is live).

File layout: the same envelope as change sets (``app.sync.envelope``) with its own magic
``LEADLINE-SNAP``: header line (format, min_reader, creator device and incarnation, creation HLC,
coverage vector, optional encryption), gzip body, AES-256-GCM with the team key when configured,
sha256 trailer.

* Format 2 (written): one line per row, ``{"t", "r", "ops": [...], "sup": [[field or null,
  op id], ...]}``, a table's rows together in row order, tables in the writer's order (parents
  before children: a row joined before the row it refers to would wait for it), then
  ``{"end": {"rows", "ops", "sup"}}``. A row is everything the join needs of it, so a snapshot
  of any size is written and absorbed a batch of rows at a time (``SnapshotWriter`` in
  app.sync.snapshot_writer, ``iter_snapshot_rows`` in app.sync.snapshot_reader).
* Format 1 (read): header counts ``op_count`` and ``sup_count``; one ``{"sup": [...]}`` line,
  then one op per line.

No manifest: SYNC.md writes a manifest after a snapshot only because its snapshot there is a raw
SQLite file that cannot validate itself. This file carries its own checksum and is published like
a change set (temp file, fsync, no-replace link, read-back), so a partial or corrupt snapshot is
recognised by content and never used.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from app.sync.changeset import CHANGESET_ID_RE
from app.sync.clock import Timestamp
from app.sync.errors import InvalidChangeSet
from app.sync.heads import Mark
from app.sync.merge import Replica
from app.sync.ops import Op

SNAPSHOT_MAGIC = b"LEADLINE-SNAP "
# 2: one line per row (written and absorbed a batch of rows at a time); format 1 is still read.
SNAPSHOT_FORMAT_VERSION = 2
SNAPSHOT_SUFFIX = ".lsnap"
_NAME_RE = re.compile(r"^snapshot-(\d{13})-([0-9a-f]{4})-([a-z0-9]{1,40})-([0-9a-f]{8})")
RowKey = tuple[str, str]


class InvalidSnapshot(InvalidChangeSet):
    """Checksum fine but the content breaks the snapshot format rules."""


def coverage_hash(coverage: Mapping[str, int]) -> str:
    blob = json.dumps(dict(sorted(coverage.items())), separators=(",", ":")).encode()
    return hashlib.sha256(blob).hexdigest()


def dominates(a: Mapping[str, int], b: Mapping[str, int]) -> bool:
    """True when coverage ``a`` covers everything ``b`` covers."""
    return all(a.get(inc, 0) >= seq for inc, seq in b.items())


def check_coverage(coverage: Mapping[str, int]) -> None:
    for inc, seq in coverage.items():
        if not isinstance(inc, str) or not CHANGESET_ID_RE.match(inc):
            raise InvalidSnapshot(f"bad incarnation {inc!r} in coverage")
        if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
            raise InvalidSnapshot(f"bad coverage {seq!r} for {inc}")


def check_mark(mark: Any) -> None:
    if len(mark) != 4 or not all(isinstance(x, str) for x in (mark[0], mark[1], mark[3])) or not (
        mark[2] is None or isinstance(mark[2], str)
    ):
        raise InvalidSnapshot(f"bad superseded entry {mark!r}")


@dataclass(frozen=True, slots=True)
class SnapshotInfo:
    """What a snapshot's header says: enough to choose, compact by and name it."""

    device: str
    incarnation: str
    created: Timestamp
    coverage: Mapping[str, int]
    format_version: int = SNAPSHOT_FORMAT_VERSION
    key_id: str | None = None

    def covers(self, incarnation: str, seq_last: int) -> bool:
        return self.coverage.get(incarnation, 0) >= seq_last

    def file_name(self) -> str:
        stamp = f"{self.created.wall_ms:013d}-{self.created.counter:04x}"
        return f"snapshot-{stamp}-{self.incarnation}-{coverage_hash(self.coverage)[:8]}{SNAPSHOT_SUFFIX}"


@dataclass(frozen=True, slots=True)
class SnapshotRow:
    """Everything a snapshot holds of one row: its live ops and its marks."""

    table: str
    row_id: str
    ops: tuple[Op, ...]
    marks: tuple[Mark, ...] = ()


@dataclass(frozen=True, slots=True)
class EncodedRow:
    """A row whose ops are written as they are stored (their JSON texts): a row whose only op
    is live with nothing superseded, most rows of a snapshot, is not parsed and re-encoded."""

    table: str
    row_id: str
    op_texts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Snapshot:
    device: str
    incarnation: str
    created: Timestamp
    coverage: Mapping[str, int]
    ops: tuple[Op, ...]
    superseded: tuple[Mark, ...] = ()
    format_version: int = SNAPSHOT_FORMAT_VERSION
    key_id: str | None = None  # set on decoded encrypted files

    @classmethod
    def of(cls, replica: Replica, device: str, created: Timestamp | None = None) -> Snapshot:
        """Snapshot of a replica holding every op it knows (not a lazily loaded partial one)."""
        coverage = replica.known_through()
        snap = cls(
            device,
            replica.incarnation,
            created if created is not None else replica.clock.now(),
            dict(sorted(coverage.items())),
            tuple(replica.snapshot_ops()),
            tuple(replica.superseded_hints(coverage)),
        )
        snap.validate()
        return snap

    def info(self) -> SnapshotInfo:
        return SnapshotInfo(self.device, self.incarnation, self.created, self.coverage,
                            self.format_version, self.key_id)

    def validate(self) -> None:
        if not CHANGESET_ID_RE.match(self.device) or not CHANGESET_ID_RE.match(self.incarnation):
            raise InvalidSnapshot(f"device/incarnation ids must match {CHANGESET_ID_RE.pattern}")
        check_coverage(self.coverage)
        seen: set[str] = set()
        for op in self.ops:
            if op.op_id in seen:
                raise InvalidSnapshot(f"op {op.op_id} twice")
            seen.add(op.op_id)
        for mark in self.superseded:
            check_mark(mark)

    def covers(self, incarnation: str, seq_last: int) -> bool:
        return self.coverage.get(incarnation, 0) >= seq_last

    def file_name(self) -> str:
        return self.info().file_name()

    def rows(self) -> list[SnapshotRow]:
        """The ops and marks grouped by row, in (table, row) order (a format-2 body)."""
        return group_rows(self.ops, self.superseded)


def group_rows(ops: Iterable[Op], marks: Iterable[Mark]) -> list[SnapshotRow]:
    by_row: dict[RowKey, list[Op]] = {}
    marks_by_row: dict[RowKey, list[Mark]] = {}
    for op in ops:
        by_row.setdefault((op.table, op.row_id), []).append(op)
    for mark in marks:
        marks_by_row.setdefault((mark[0], mark[1]), []).append(mark)
    return [SnapshotRow(t, r, tuple(by_row.get((t, r), ())), tuple(marks_by_row.get((t, r), ())))
            for t, r in sorted(set(by_row) | set(marks_by_row))]


def parse_snapshot_name(name: str) -> tuple[int, int, str, str] | None:
    """(wall_ms, counter, incarnation, hash8) from a snapshot file name, None if not one."""
    m = _NAME_RE.match(name)
    if not m or SNAPSHOT_SUFFIX not in name:
        return None
    return int(m.group(1)), int(m.group(2), 16), m.group(3), m.group(4)


class RowOrder:
    """A table's rows come together, in row order; each table once."""

    def __init__(self) -> None:
        self.done: set[str] = set()
        self.last: RowKey | None = None

    def check(self, key: RowKey) -> None:
        if self.last is not None and key[0] == self.last[0]:
            if key[1] <= self.last[1]:
                raise InvalidSnapshot(f"rows out of order at {key}")
        elif key[0] in self.done:
            raise InvalidSnapshot(f"the rows of {key[0]} are not together")
        else:
            self.done.add(key[0])
        self.last = key

