"""Writing snapshot files (format 2) a row at a time, hashed and encrypted as they are written."""

from __future__ import annotations

import hashlib
import io
import json
import zlib
from typing import Any, BinaryIO

from app.sync.changeset import CHANGESET_ID_RE
from app.sync.envelope import header_line_of, trailer_of
from app.sync.ops import op_to_dict
from app.sync.snapshot import (
    SNAPSHOT_FORMAT_VERSION,
    SNAPSHOT_MAGIC,
    EncodedRow,
    InvalidSnapshot,
    RowKey,
    RowOrder,
    Snapshot,
    SnapshotInfo,
    SnapshotRow,
    check_coverage,
    check_mark,
)
from app.sync.teamkey import TeamKey, encryption_for


class SnapshotWriter:
    """Writes a format-2 snapshot to ``out`` a row at a time, hashing (and encrypting) as it
    goes: a snapshot of any size needs memory for one row only."""

    def __init__(self, out: BinaryIO, info: SnapshotInfo, key: TeamKey | None = None) -> None:
        if not CHANGESET_ID_RE.match(info.device) or not CHANGESET_ID_RE.match(info.incarnation):
            raise InvalidSnapshot(f"device/incarnation ids must match {CHANGESET_ID_RE.pattern}")
        check_coverage(info.coverage)
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
        self._order = RowOrder()
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
            check_mark(mark)
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
