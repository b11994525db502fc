"""Change-set files: one immutable batch of ops from one incarnation (SYNC.md 4.4, 4.13).

A change set travels in the shared envelope (``app.sync.envelope``) with the magic
``LEADLINE-SYNC``: its header names the device, the incarnation and the seq range, its body is
the ops as JSON lines, encrypted with the team key (``app.sync.teamkey``) when one is set.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.sync.envelope import header_int, seal, unseal
from app.sync.errors import InvalidChangeSet
from app.sync.ops import Op, OpFormatError, encode_op, make_op_id, op_from_dict
from app.sync.teamkey import TeamKey

MAGIC = b"LEADLINE-SYNC "
SUFFIX = ".lsync"
# 2: an op sets several fields of a row (an edit, a captured row) instead of one; format-1 files
# are still read. Readers of format 1 refuse format-2 files as newer (they keep and report them).
FORMAT_VERSION = 2
# Ids end up in file names: ASCII lower-case alnum only (Windows/OneDrive rules, SYNC.md 4.6).
CHANGESET_ID_RE = re.compile(r"^[a-z0-9]{1,40}$")


@dataclass(frozen=True, slots=True)
class ChangeSet:
    device: str
    incarnation: str
    seq_first: int
    seq_last: int
    ops: tuple[Op, ...]
    format_version: int = FORMAT_VERSION
    key_id: str | None = None  # set on decoded encrypted files

    @classmethod
    def build(cls, device: str, incarnation: str, ops: Sequence[Op]) -> ChangeSet:
        """A change set of consecutive own ops (dense seq, as Replica.own_ops returns them)."""
        if not ops:
            raise ValueError("a change set holds at least one op")
        first = int(ops[0].op_id.rpartition(":")[2])
        cs = cls(device, incarnation, first, first + len(ops) - 1, tuple(ops))
        cs.validate()
        return cs

    def validate(self) -> None:
        if not CHANGESET_ID_RE.match(self.device) or not CHANGESET_ID_RE.match(self.incarnation):
            raise InvalidChangeSet(f"device/incarnation ids must match {CHANGESET_ID_RE.pattern}")
        if self.seq_first < 1 or self.seq_last < self.seq_first:
            raise InvalidChangeSet(f"bad sequence range {self.seq_first}..{self.seq_last}")
        expected = [make_op_id(self.incarnation, s) for s in range(self.seq_first, self.seq_last + 1)]
        if [op.op_id for op in self.ops] != expected:
            raise InvalidChangeSet("ops must be exactly the incarnation's seq range, in order")

    def file_name(self) -> str:
        return changeset_file_name(self.device, self.incarnation, self.seq_first, self.seq_last)


def encode(cs: ChangeSet, key: TeamKey | None = None) -> bytes:
    cs.validate()
    return encode_lines(cs.device, cs.incarnation, cs.seq_first, cs.seq_last,
                        [encode_op(op).encode() for op in cs.ops], key)


def encode_lines(device: str, incarnation: str, seq_first: int, seq_last: int,
                 lines: Sequence[bytes], key: TeamKey | None = None) -> bytes:
    """A change-set file from op texts (one JSON op each, seq_first..seq_last in order), as
    the local log stores them: publishing does not parse and re-encode every op."""
    if not CHANGESET_ID_RE.match(device) or not CHANGESET_ID_RE.match(incarnation):
        raise InvalidChangeSet(f"device/incarnation ids must match {CHANGESET_ID_RE.pattern}")
    if len(lines) != seq_last - seq_first + 1 or seq_first < 1:
        raise InvalidChangeSet(f"{len(lines)} ops for the range {seq_first}..{seq_last}")
    header: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "min_reader": FORMAT_VERSION,
        "device": device,
        "inc": incarnation,
        "seq_first": seq_first,
        "seq_last": seq_last,
        "op_count": len(lines),
    }
    return seal(MAGIC, header, b"".join(line + b"\n" for line in lines), key)


def changeset_file_name(device: str, incarnation: str, seq_first: int, seq_last: int) -> str:
    return f"{device}-{incarnation}-{seq_first:010d}-{seq_last:010d}{SUFFIX}"


@dataclass(frozen=True, slots=True)
class ChangeFile:
    """A verified change-set file whose ops are parsed a batch at a time (``ops``): a big file
    never becomes a big list of objects."""

    device: str
    incarnation: str
    seq_first: int
    seq_last: int
    lines: tuple[bytes, ...]
    format_version: int = FORMAT_VERSION
    key_id: str | None = None

    def ops(self, start: int = 0, stop: int | None = None) -> list[Op]:
        return [op_from_dict(json.loads(line)) for line in self.lines[start:stop]]


def read_changeset(data: bytes, key: TeamKey | None = None) -> ChangeFile:
    """Parse and verify a change-set file: every op is checked once (ids, range, format) but
    only their texts are kept. Raises a ChangeSetError subclass, so nothing of a bad file is
    ever applied."""
    header, plain, key_id = unseal(data, MAGIC, key, supported=FORMAT_VERSION)
    device, inc = header.get("device"), header.get("inc")
    if not isinstance(device, str) or not isinstance(inc, str):
        raise InvalidChangeSet("header lacks device/incarnation")
    if not CHANGESET_ID_RE.match(device) or not CHANGESET_ID_RE.match(inc):
        raise InvalidChangeSet(f"device/incarnation ids must match {CHANGESET_ID_RE.pattern}")
    first, last = header_int(header, "seq_first"), header_int(header, "seq_last")
    lines = tuple(plain.splitlines())
    if header_int(header, "op_count") != len(lines):
        raise InvalidChangeSet("op count does not match the header")
    if first < 1 or last - first + 1 != len(lines):
        raise InvalidChangeSet(f"bad sequence range {first}..{last}")
    try:
        for seq, line in enumerate(lines, start=first):
            if op_from_dict(json.loads(line)).op_id != make_op_id(inc, seq):
                raise InvalidChangeSet("ops must be exactly the incarnation's seq range, in order")
    except (ValueError, OpFormatError) as exc:
        if isinstance(exc, InvalidChangeSet):
            raise
        raise InvalidChangeSet(f"bad op: {exc}") from exc
    return ChangeFile(device, inc, first, last, lines, header_int(header, "format"), key_id)


def decode(data: bytes, key: TeamKey | None = None) -> ChangeSet:
    """Parse and verify a change-set file; raises a ChangeSetError subclass, never applies half."""
    found = read_changeset(data, key)
    return ChangeSet(found.device, found.incarnation, found.seq_first, found.seq_last, tuple(found.ops()),
                     found.format_version, found.key_id)

