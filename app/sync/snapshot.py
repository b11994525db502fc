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

File layout: the same envelope as change sets (``changeset.seal``) with its own magic
``LEADLINE-SNAP``: header line (format, min_reader, creator device and incarnation, creation HLC,
coverage vector, optional encryption), gzip body, AES-256-GCM with the team key when configured,
sha256 trailer.

* Format 2 (written): one line per row, ``{"t", "r", "ops": [...], "sup": [[field or null,
  op id], ...]}``, a table's rows together in row order, tables in the writer's order (parents
  before children: a row joined before the row it refers to would wait for it), then
  ``{"end": {"rows", "ops", "sup"}}``. A row is everything the join needs of it, so a snapshot
  of any size is written and absorbed a batch of rows at a time (``SnapshotWriter``,
  ``iter_snapshot_rows``).
* Format 1 (read): header counts ``op_count`` and ``sup_count``; one ``{"sup": [...]}`` line,
  then one op per line.

No manifest: SYNC.md writes a manifest after a snapshot only because its snapshot there is a raw
SQLite file that cannot validate itself. This file carries its own checksum and is published like
a change set (temp file, fsync, no-replace link, read-back), so a partial or corrupt snapshot is
recognised by content and never used.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from app.sync.changeset import (
    _ID_RE,
    Envelope,
    InvalidChangeSet,
    TeamKey,
    encryption_for,
    header_line_of,
    iter_body,
    iter_lines,
    open_envelope,
    trailer_of,
)
from app.sync.clock import Timestamp
from app.sync.merge import Mark, Replica
from app.sync.ops import Op, OpFormatError, op_from_dict, op_to_dict, split_op_id

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


def _check_coverage(coverage: Mapping[str, int]) -> None:
    for inc, seq in coverage.items():
        if not isinstance(inc, str) or not _ID_RE.match(inc):
            raise InvalidSnapshot(f"bad incarnation {inc!r} in coverage")
        if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
            raise InvalidSnapshot(f"bad coverage {seq!r} for {inc}")


def _check_mark(mark: Any) -> None:
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
        if not _ID_RE.match(self.device) or not _ID_RE.match(self.incarnation):
            raise InvalidSnapshot(f"device/incarnation ids must match {_ID_RE.pattern}")
        _check_coverage(self.coverage)
        seen: set[str] = set()
        for op in self.ops:
            if op.op_id in seen:
                raise InvalidSnapshot(f"op {op.op_id} twice")
            seen.add(op.op_id)
        for mark in self.superseded:
            _check_mark(mark)

    def covers(self, incarnation: str, seq_last: int) -> bool:
        return self.coverage.get(incarnation, 0) >= seq_last

    def file_name(self) -> str:
        return self.info().file_name()

    def rows(self) -> list[SnapshotRow]:
        """The ops and marks grouped by row, in (table, row) order (a format-2 body)."""
        return _group_rows(self.ops, self.superseded)


def _group_rows(ops: Iterable[Op], marks: Iterable[Mark]) -> list[SnapshotRow]:
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


class _RowOrder:
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


class SnapshotWriter:
    """Writes a format-2 snapshot to ``out`` a row at a time, hashing (and encrypting) as it
    goes: a snapshot of any size needs memory for one row only."""

    def __init__(self, out: BinaryIO, info: SnapshotInfo, key: TeamKey | None = None) -> None:
        if not _ID_RE.match(info.device) or not _ID_RE.match(info.incarnation):
            raise InvalidSnapshot(f"device/incarnation ids must match {_ID_RE.pattern}")
        _check_coverage(info.coverage)
        self.out = out
        header: dict[str, Any] = {
            "format": SNAPSHOT_FORMAT_VERSION,
            "min_reader": SNAPSHOT_FORMAT_VERSION,
            "device": info.device,
            "inc": info.incarnation,
            "created": info.created.encode(),
            "coverage": dict(sorted(info.coverage.items())),
        }
        self._encryptor = None
        if key is not None:
            from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

            header["enc"], raw_key, nonce = encryption_for(key)
            self._encryptor = Cipher(algorithms.AES(raw_key), modes.GCM(nonce)).encryptor()
        header_line = header_line_of(SNAPSHOT_MAGIC, header)
        if self._encryptor is not None:
            self._encryptor.authenticate_additional_data(header_line)
        self._content = hashlib.sha256()
        self._file = hashlib.sha256()
        self._deflate = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        self._emit(header_line)
        self.rows = self.ops = self.marks = 0
        self._order = _RowOrder()
        self._pending: list[bytes] = []
        self._pending_size = 0

    def _emit(self, data: bytes) -> None:
        if data:
            self.out.write(data)
            self._content.update(data)
            self._file.update(data)

    def _body(self, plain: bytes, *, flush: bool = False) -> None:
        self._pending.append(plain)
        self._pending_size += len(plain)
        if self._pending_size < 1 << 18 and not flush:
            return  # compressed a quarter megabyte at a time
        packed = self._deflate.compress(b"".join(self._pending))
        self._pending, self._pending_size = [], 0
        self._emit(self._encryptor.update(packed) if self._encryptor is not None else packed)

    def _next_row(self, key: RowKey) -> None:
        self._order.check(key)

    def add(self, row: SnapshotRow) -> None:
        key = (row.table, row.row_id)
        self._next_row(key)
        if any((op.table, op.row_id) != key for op in row.ops) or any((m[0], m[1]) != key for m in row.marks):
            raise InvalidSnapshot(f"an op or mark of another row in row {key}")
        for mark in row.marks:
            _check_mark(mark)
        line = json.dumps({"t": row.table, "r": row.row_id, "ops": [op_to_dict(op) for op in row.ops],
                           "sup": [[m[2], m[3]] for m in row.marks]},
                          sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        self._body(line.encode() + b"\n")
        self.rows += 1
        self.ops += len(row.ops)
        self.marks += len(row.marks)

    def add_encoded(self, row: EncodedRow) -> None:
        """Like ``add`` for ops given as their JSON texts (the same line ``add`` writes)."""
        self._next_row((row.table, row.row_id))
        dumps = json.dumps
        line = (f'{{"ops":[{",".join(row.op_texts)}],"r":{dumps(row.row_id, ensure_ascii=False)},'
                f'"sup":[],"t":{dumps(row.table, ensure_ascii=False)}}}\n')
        self._body(line.encode())
        self.rows += 1
        self.ops += len(row.op_texts)

    def finish(self) -> str:
        """Write the end line and the trailer; returns the file's sha256."""
        end = {"end": {"rows": self.rows, "ops": self.ops, "sup": self.marks}}
        self._body(json.dumps(end, sort_keys=True, separators=(",", ":")).encode() + b"\n", flush=True)
        packed = self._deflate.flush()
        if self._encryptor is not None:
            packed = self._encryptor.update(packed) + self._encryptor.finalize() + self._encryptor.tag
        self._emit(packed)
        trailer = trailer_of(self._content.hexdigest())
        self.out.write(trailer)
        self._file.update(trailer)
        return self._file.hexdigest()


def encode_snapshot(snap: Snapshot, key: TeamKey | None = None) -> bytes:
    snap.validate()
    out = io.BytesIO()
    writer = SnapshotWriter(out, snap.info(), key)
    for row in snap.rows():
        writer.add(row)
    writer.finish()
    return out.getvalue()


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
    if not _ID_RE.match(device) or not _ID_RE.match(inc):
        raise InvalidSnapshot(f"device/incarnation ids must match {_ID_RE.pattern}")
    _check_coverage(info.coverage)
    return info


def open_snapshot(source: BinaryIO, size: int, key: TeamKey | None = None
                  ) -> tuple[SnapshotInfo, Envelope]:
    """Verify a snapshot file's checksum, header and passphrase (reading it in blocks, not into
    memory); raises the ChangeSetError subclasses of ``open_envelope`` or InvalidSnapshot."""
    envelope = open_envelope(source, size, SNAPSHOT_MAGIC, key, SNAPSHOT_FORMAT_VERSION)
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
    return _group_rows(ops, marks)


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
        order = _RowOrder()
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

