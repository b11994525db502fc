"""Reading snapshot files: verifying one, its rows a batch at a time, and which snapshots to absorb."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from app.sync.changeset import CHANGESET_ID_RE
from app.sync.clock import Timestamp
from app.sync.envelope import Envelope, iter_body, iter_lines, open_envelope
from app.sync.heads import Mark
from app.sync.ops import Op, OpFormatError, op_from_dict, split_op_id
from app.sync.snapshot import (
    SNAPSHOT_FORMAT_VERSION,
    SNAPSHOT_MAGIC,
    InvalidSnapshot,
    RowOrder,
    Snapshot,
    SnapshotInfo,
    SnapshotRow,
    check_coverage,
    dominates,
    group_rows,
)
from app.sync.teamkey import TeamKey


def _int(header: Mapping[str, Any], name: str) -> int:
    value = header.get(name)
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidSnapshot(f"header field {name!r} must be an integer")
    return value


def _mark(entry: Any) -> Mark:
    if not isinstance(entry, list) or len(entry) != 4:
        raise InvalidSnapshot(f"bad superseded entry {entry!r}")
    table, row_id, fname, op_id = entry
    if not all(isinstance(x, str) and x for x in (table, row_id, op_id)) or not (
        fname is None or isinstance(fname, str)
    ):
        raise InvalidSnapshot(f"bad superseded entry {entry!r}")
    return (table, row_id, fname, op_id)


def _info(envelope: Envelope) -> SnapshotInfo:
    header = envelope.header
    device, inc, created = header.get("device"), header.get("inc"), header.get("created")
    if not isinstance(device, str) or not isinstance(inc, str) or not isinstance(created, str):
        raise InvalidSnapshot("header lacks device/incarnation/created")
    try:
        stamp = Timestamp.decode(created)
    except ValueError as exc:
        raise InvalidSnapshot(str(exc)) from exc
    coverage = header.get("coverage")
    if not isinstance(coverage, dict):
        raise InvalidSnapshot("header lacks the coverage vector")
    info = SnapshotInfo(device, inc, stamp, dict(coverage), _int(header, "format"), envelope.key_id)
    if not CHANGESET_ID_RE.match(device) or not CHANGESET_ID_RE.match(inc):
        raise InvalidSnapshot(f"device/incarnation ids must match {CHANGESET_ID_RE.pattern}")
    check_coverage(info.coverage)
    return info


def open_snapshot(source: BinaryIO, size: int, key: TeamKey | None = None
                  ) -> tuple[SnapshotInfo, Envelope]:
    """Verify a snapshot file's checksum, header and passphrase (reading it in blocks, not into
    memory); raises the ChangeSetError subclasses of ``open_envelope`` or InvalidSnapshot."""
    envelope = open_envelope(source, size, SNAPSHOT_MAGIC, key, supported=SNAPSHOT_FORMAT_VERSION)
    return _info(envelope), envelope


def _rows_v1(header: Mapping[str, Any], lines: Iterator[bytes]) -> list[SnapshotRow]:
    first_line = next(lines, b"")
    first = json.loads(first_line) if first_line else None
    if not isinstance(first, dict) or not isinstance(first.get("sup"), list):
        raise InvalidSnapshot("body lacks the superseded list")
    marks = [_mark(m) for m in first["sup"]]
    ops = [op_from_dict(json.loads(line)) for line in lines if line]
    if len({op.op_id for op in ops}) != len(ops):
        raise InvalidSnapshot("an op twice")
    if _int(header, "op_count") != len(ops) or _int(header, "sup_count") != len(marks):
        raise InvalidSnapshot("counts do not match the header")
    return group_rows(ops, marks)


def _row_v2(record: Any) -> SnapshotRow:
    if not isinstance(record, dict) or not isinstance(record.get("ops"), list) or not isinstance(
            record.get("sup"), list):
        raise InvalidSnapshot("bad row record")
    table, row_id = record.get("t"), record.get("r")
    if not isinstance(table, str) or not isinstance(row_id, str) or not table or not row_id:
        raise InvalidSnapshot("row record without table or row")
    ops = tuple(op_from_dict(d) for d in record["ops"])
    marks = tuple(_mark([table, row_id, *entry]) if isinstance(entry, list) else _mark(entry)
                  for entry in record["sup"])
    if any((op.table, op.row_id) != (table, row_id) for op in ops):
        raise InvalidSnapshot(f"an op of another row in row {table}/{row_id}")
    for op in ops:
        split_op_id(op.op_id)
    return SnapshotRow(table, row_id, ops, marks)


def iter_snapshot_rows(source: BinaryIO, envelope: Envelope) -> Iterator[SnapshotRow]:
    """The rows of a verified snapshot (``open_snapshot``), in (table, row) order, a line at a
    time for format 2. The end of the body is checked last (counts, authentication, gzip), so a
    consumer must read to the end before it trusts what it read (see ``validate_snapshot``)."""
    lines = iter_lines(iter_body(source, envelope))
    try:
        if envelope.header.get("format") == 1:
            yield from _rows_v1(envelope.header, lines)
            return
        rows = ops = marks = 0
        order = RowOrder()
        for line in lines:
            record = json.loads(line)
            if isinstance(record, dict) and "end" in record:
                counts = record["end"]
                if counts != {"rows": rows, "ops": ops, "sup": marks} or next(lines, None) is not None:
                    raise InvalidSnapshot("counts do not match the end of the snapshot")
                return
            row = _row_v2(record)
            order.check((row.table, row.row_id))
            rows, ops, marks = rows + 1, ops + len(row.ops), marks + len(row.marks)
            yield row
        raise InvalidSnapshot("snapshot without its end line")
    except (ValueError, OpFormatError) as exc:
        if isinstance(exc, InvalidSnapshot):
            raise
        raise InvalidSnapshot(f"bad snapshot body: {exc}") from exc


def validate_snapshot(source: BinaryIO, envelope: Envelope) -> None:
    """Read a snapshot's rows to the end (discarding them): raises if any part is invalid."""
    for _row in iter_snapshot_rows(source, envelope):
        pass


def decode_snapshot(data: bytes, key: TeamKey | None = None) -> Snapshot:
    """Parse and verify a snapshot file held in memory. Raises the same ChangeSetError
    subclasses as change sets (EmptyFile, TruncatedFile, ChecksumMismatch, NotASyncFile,
    NewerFormat, PassphraseRequired, WrongPassphrase) and InvalidSnapshot for broken content."""
    source = io.BytesIO(data)
    info, envelope = open_snapshot(source, len(data), key)
    ops: list[Op] = []
    marks: list[Mark] = []
    for row in iter_snapshot_rows(source, envelope):
        ops.extend(row.ops)
        marks.extend(row.marks)
    ops.sort(key=lambda op: split_op_id(op.op_id))
    snap = Snapshot(info.device, info.incarnation, info.created, dict(info.coverage), tuple(ops),
                    tuple(marks), info.format_version, info.key_id)
    snap.validate()
    return snap


@dataclass(frozen=True, slots=True)
class FoundSnapshot:
    """A verified snapshot file of the folder: ``info`` from its header; ``snapshot``, all of
    it, when the scan decoded it (``scan_snapshots``, for small folders and tests)."""

    path: Path
    info: SnapshotInfo
    sha256: str
    snapshot: Snapshot | None = None

    def load(self, key: TeamKey | None = None) -> Snapshot:
        return self.snapshot if self.snapshot is not None else decode_snapshot(self.path.read_bytes(), key)


@dataclass(slots=True)
class SnapshotScan:
    snapshots: list[FoundSnapshot] = field(default_factory=list)  # valid ones, newest first
    skipped: list[tuple[Path, str]] = field(default_factory=list)  # (path, reason) as in ScanResult
    duplicates: list[Path] = field(default_factory=list)

    def newest(self) -> SnapshotInfo | None:
        return self.snapshots[0].info if self.snapshots else None


def snapshots_to_absorb(found: Iterable[FoundSnapshot], covered: Mapping[str, int]) -> list[FoundSnapshot]:
    """Bootstrap/catch-up choice: newest first, every valid snapshot whose coverage is not already
    dominated by ``covered`` plus the ones chosen before it (usually just the newest one; two when
    devices compacted concurrently and neither coverage dominates)."""
    union = dict(covered)
    chosen: list[FoundSnapshot] = []
    for item in found:
        if dominates(union, item.info.coverage):
            continue
        chosen.append(item)
        for inc, seq in item.info.coverage.items():
            union[inc] = max(union.get(inc, 0), seq)
    return chosen
