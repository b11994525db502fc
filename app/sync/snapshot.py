"""Snapshot files: the live ops of a replica plus the coverage they stand for (SYNC.md 4.12).

A snapshot replaces every change file it covers. It holds:

* ``ops``: every op still live at the creator: each field head, each lifecycle head (delete or
  restore not superseded) and every append;
* ``coverage``: ``{incarnation: n}`` = the creator's *contiguous* knowledge
  (``Replica.known_through``): for each incarnation, every op ``inc:1..n`` was held by the
  creator or covered by a snapshot it had absorbed. Hence an op id within the coverage that is
  not among ``ops`` was superseded in the creator's history and can be ignored wherever it shows
  up later. (A max-seq-seen vector would be wrong: an op in a gap may be live and unseen.)
* ``superseded``: hints ``(table, row, field or None, op id)`` for versions the creator knew to
  be superseded whose ids the coverage does *not* cover (their superseding op may be covered and
  its file compacted away, while they themselves may still arrive).

File layout: the same envelope as change sets (``changeset.seal``/``unseal``) with its own magic
``LEADLINE-SNAP``: header line (format, min_reader, creator device and incarnation, creation HLC,
coverage vector, counts, optional encryption), gzip body (JSON lines: one ``{"sup": [...]}``
line, then one op per line), AES-256-GCM with the team key when configured, sha256 trailer.

No manifest: SYNC.md writes a manifest after a snapshot only because its snapshot there is a raw
SQLite file that cannot validate itself. This file carries its own checksum and is published like
a change set (temp file, fsync, no-replace link, read-back), so a partial or corrupt snapshot is
recognised by content and never used.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.sync.changeset import _ID_RE, InvalidChangeSet, TeamKey, seal, unseal
from app.sync.clock import Timestamp
from app.sync.merge import Mark, Replica
from app.sync.ops import Op, OpFormatError, op_from_dict, op_to_dict, split_op_id

SNAPSHOT_MAGIC = b"LEADLINE-SNAP "
SNAPSHOT_FORMAT_VERSION = 1
SNAPSHOT_SUFFIX = ".lsnap"
_NAME_RE = re.compile(r"^snapshot-(\d{13})-([0-9a-f]{4})-([a-z0-9]{1,40})-([0-9a-f]{8})")


class InvalidSnapshot(InvalidChangeSet):
    """Checksum fine but the content breaks the snapshot format rules."""


def coverage_hash(coverage: Mapping[str, int]) -> str:
    blob = json.dumps(dict(sorted(coverage.items())), separators=(",", ":")).encode()
    return hashlib.sha256(blob).hexdigest()


def dominates(a: Mapping[str, int], b: Mapping[str, int]) -> bool:
    """True when coverage ``a`` covers everything ``b`` covers."""
    return all(a.get(inc, 0) >= seq for inc, seq in b.items())


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

    def validate(self) -> None:
        if not _ID_RE.match(self.device) or not _ID_RE.match(self.incarnation):
            raise InvalidSnapshot(f"device/incarnation ids must match {_ID_RE.pattern}")
        for inc, seq in self.coverage.items():
            if not isinstance(inc, str) or not _ID_RE.match(inc):
                raise InvalidSnapshot(f"bad incarnation {inc!r} in coverage")
            if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
                raise InvalidSnapshot(f"bad coverage {seq!r} for {inc}")
        seen: set[str] = set()
        for op in self.ops:
            if op.op_id in seen:
                raise InvalidSnapshot(f"op {op.op_id} twice")
            seen.add(op.op_id)
        for mark in self.superseded:
            if len(mark) != 4 or not all(isinstance(x, str) for x in (mark[0], mark[1], mark[3])) or not (
                mark[2] is None or isinstance(mark[2], str)
            ):
                raise InvalidSnapshot(f"bad superseded entry {mark!r}")

    def covers(self, incarnation: str, seq_last: int) -> bool:
        return self.coverage.get(incarnation, 0) >= seq_last

    def file_name(self) -> str:
        stamp = f"{self.created.wall_ms:013d}-{self.created.counter:04x}"
        return f"snapshot-{stamp}-{self.incarnation}-{coverage_hash(self.coverage)[:8]}{SNAPSHOT_SUFFIX}"


def parse_snapshot_name(name: str) -> tuple[int, int, str, str] | None:
    """(wall_ms, counter, incarnation, hash8) from a snapshot file name, None if not one."""
    m = _NAME_RE.match(name)
    if not m or SNAPSHOT_SUFFIX not in name:
        return None
    return int(m.group(1)), int(m.group(2), 16), m.group(3), m.group(4)


def encode_snapshot(snap: Snapshot, key: TeamKey | None = None) -> bytes:
    snap.validate()
    dumps = json.dumps
    lines = [dumps({"sup": [list(m) for m in snap.superseded]}, sort_keys=True, separators=(",", ":"))]
    lines += [
        dumps(op_to_dict(op), sort_keys=True, separators=(",", ":"), ensure_ascii=False) for op in snap.ops
    ]
    header: dict[str, Any] = {
        "format": SNAPSHOT_FORMAT_VERSION,
        "min_reader": SNAPSHOT_FORMAT_VERSION,
        "device": snap.device,
        "inc": snap.incarnation,
        "created": snap.created.encode(),
        "coverage": dict(sorted(snap.coverage.items())),
        "op_count": len(snap.ops),
        "sup_count": len(snap.superseded),
    }
    return seal(SNAPSHOT_MAGIC, header, "\n".join(lines).encode() + b"\n", key)


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


def decode_snapshot(data: bytes, key: TeamKey | None = None) -> Snapshot:
    """Parse and verify a snapshot file. Raises the same ChangeSetError subclasses as change
    sets (EmptyFile, TruncatedFile, ChecksumMismatch, NotASyncFile, NewerFormat,
    PassphraseRequired, WrongPassphrase) and InvalidSnapshot for broken content."""
    header, plain, key_id = unseal(data, SNAPSHOT_MAGIC, key, SNAPSHOT_FORMAT_VERSION)
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
    lines = plain.splitlines()
    try:
        first = json.loads(lines[0]) if lines else None
        if not isinstance(first, dict) or not isinstance(first.get("sup"), list):
            raise InvalidSnapshot("body lacks the superseded list")
        marks = tuple(_mark(m) for m in first["sup"])
        # One parse for all ops (one JSON object per line), as for change files.
        ops = tuple(op_from_dict(d) for d in json.loads(b"[" + b",".join(lines[1:]) + b"]")) \
            if len(lines) > 1 else ()
        for op in ops:
            split_op_id(op.op_id)
    except (ValueError, OpFormatError) as exc:
        if isinstance(exc, InvalidSnapshot):
            raise
        raise InvalidSnapshot(f"bad snapshot body: {exc}") from exc
    if _int(header, "op_count") != len(ops) or _int(header, "sup_count") != len(marks):
        raise InvalidSnapshot("counts do not match the header")
    snap = Snapshot(device, inc, stamp, dict(coverage), ops, marks, _int(header, "format"), key_id)
    snap.validate()
    return snap


@dataclass(frozen=True, slots=True)
class FoundSnapshot:
    path: Path
    snapshot: Snapshot
    sha256: str


@dataclass(slots=True)
class SnapshotScan:
    snapshots: list[FoundSnapshot] = field(default_factory=list)  # valid ones, newest first
    skipped: list[tuple[Path, str]] = field(default_factory=list)  # (path, reason) as in ScanResult
    duplicates: list[Path] = field(default_factory=list)

    def newest(self) -> Snapshot | None:
        return self.snapshots[0].snapshot if self.snapshots else None


def snapshots_to_absorb(found: list[FoundSnapshot], covered: Mapping[str, int]) -> list[Snapshot]:
    """Bootstrap/catch-up choice: newest first, every valid snapshot whose coverage is not already
    dominated by ``covered`` plus the ones chosen before it (usually just the newest one; two when
    devices compacted concurrently and neither coverage dominates)."""
    union = dict(covered)
    chosen: list[Snapshot] = []
    for item in found:
        snap = item.snapshot
        if dominates(union, snap.coverage):
            continue
        chosen.append(snap)
        for inc, seq in snap.coverage.items():
            union[inc] = max(union.get(inc, 0), seq)
    return chosen
