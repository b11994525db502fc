"""The op log: chunks of compressed op lines, and the indexes of rows and op ids into them.

A chunk holds a run of one incarnation's ops in increasing seq order, one canonical JSON line
per op, compressed together (ops of one row version share their row id, field names and
timestamps with their neighbours, so they compress to a few dozen bytes each).
``sync_row`` says which chunks hold ops of a row, ``sync_op_id`` which chunk holds an op id (for
duplicates and collisions); a row's ops are read by decompressing its chunks. Own ops are always
appended in seq order, so own chunks tile the own seq range.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Iterator, Sequence

from sqlalchemy.orm import Session

from app.storage.repositories.sync.tables import RowKey, SyncTables, in_batches
from app.sync.ops import Op, encode_op, op_from_dict, split_op_id

# Ops per chunk: big enough to compress well, small enough that reading one row's ops (a chunk
# decompressed and its matching lines parsed) stays cheap.
CHUNK_OPS = 128
# Decompressed chunks kept per repository (one transaction): rows of one batch share chunks.
_CACHED_CHUNKS = 64


def _compress(lines: Sequence[str]) -> bytes:
    return zlib.compress("\n".join(lines).encode(), 6)


def _lines(body: bytes) -> list[str]:
    return zlib.decompress(body).decode().split("\n")


def _top_string(line: str, key: str) -> str:
    """The value of a top-level string key of an op line without parsing it: in the lines this
    log holds (canonical ones, and format-1 ones) its first occurrence is the top-level one,
    as keys inside ``p`` and ``v`` come after it or are followed by a list or number."""
    marker = f'"{key}":"'
    start = line.find(marker)
    if start < 0:
        raise ValueError(f"op line without {key!r}")
    start += len(marker)
    return line[start:line.index('"', start)]


def _line_seq(line: str) -> int:
    return split_op_id(_top_string(line, "id"))[1]


class OpLog(SyncTables):
    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self._chunk_cache: dict[int, list[str]] = {}

    def _chunk_lines(self, chunk_ids: Iterable[int]) -> Iterator[tuple[int, list[str]]]:
        """(chunk id, op lines) of these chunks, a few decompressed at a time (the last ones
        read stay cached: the rows of one batch share chunks)."""
        wanted = sorted(set(chunk_ids))
        for start in range(0, len(wanted), _CACHED_CHUNKS // 2):
            part = wanted[start:start + _CACHED_CHUNKS // 2]
            found = {c: self._chunk_cache[c] for c in part if c in self._chunk_cache}
            missing = [c for c in part if c not in found]
            if missing:
                marks = ",".join("?" * len(missing))
                for chunk_id, body in self.conn.execute(
                        f"SELECT id, body FROM sync_chunk WHERE id IN ({marks})", missing):
                    found[chunk_id] = _lines(body)
                if len(found) != len(part):
                    raise ValueError("the sync log refers to a chunk it does not hold")
            for chunk_id in part:
                self._chunk_cache.pop(chunk_id, None)
                self._chunk_cache[chunk_id] = found[chunk_id]
                while len(self._chunk_cache) > _CACHED_CHUNKS:
                    self._chunk_cache.pop(next(iter(self._chunk_cache)))
                yield chunk_id, found[chunk_id]

    def add_ops(self, ops: Sequence[Op]) -> int:
        """Store ops not held yet (by op id), in chunks per incarnation; returns how many."""
        by_inc: dict[str, list[tuple[int, Op]]] = {}
        for op in ops:
            inc, seq = split_op_id(op.op_id)
            by_inc.setdefault(inc, []).append((seq, op))
        stored = 0
        for inc, items in sorted(by_inc.items()):
            held = self._held_seqs(inc, [seq for seq, _op in items])
            fresh = sorted({seq: op for seq, op in items if seq not in held}.items(),
                           key=lambda item: item[0])
            for start in range(0, len(fresh), CHUNK_OPS):
                self._add_chunk(inc, fresh[start:start + CHUNK_OPS])
            stored += len(fresh)
        return stored

    def _add_chunk(self, inc: str, items: Sequence[tuple[int, Op]]) -> None:
        chunk_id = self.inserted_id(
            "INSERT INTO sync_chunk (incarnation, seq_first, seq_last, op_count, body) "
            "VALUES (?, ?, ?, ?, ?)",
            [inc, items[0][0], items[-1][0], len(items), _compress([encode_op(op) for _s, op in items])])
        self.conn.executemany(
            "INSERT INTO sync_row (table_name, row_id, chunk) VALUES (?, ?, ?) "
            "ON CONFLICT DO NOTHING",
            sorted({(op.table, op.row_id, chunk_id) for _s, op in items}))
        self.conn.executemany("INSERT INTO sync_op_id (incarnation, seq, chunk) VALUES (?, ?, ?)",
                              [(inc, seq, chunk_id) for seq, _op in items])

    def _chunks_holding(self, inc: str, seqs: Iterable[int]) -> dict[int, set[int]]:
        """chunk id -> the seqs of ``inc`` among ``seqs`` it holds."""
        found: dict[int, set[int]] = {}
        for part in in_batches(sorted(set(seqs))):
            marks = ",".join("?" * len(part))
            for seq, chunk_id in self.conn.execute(
                    f"SELECT seq, chunk FROM sync_op_id WHERE incarnation = ? AND seq IN ({marks})",
                    [inc, *part]):
                found.setdefault(chunk_id, set()).add(seq)
        return found

    def _held_seqs(self, inc: str, seqs: Sequence[int]) -> set[int]:
        """Which of these seqs of ``inc`` are stored."""
        return {seq for held in self._chunks_holding(inc, seqs).values() for seq in held}

    def _chunks_of(self, keys: set[RowKey]) -> set[int]:
        chunk_ids: set[int] = set()
        by_table: dict[str, list[str]] = {}
        for table, row_id in keys:
            by_table.setdefault(table, []).append(row_id)
        for table, ids in sorted(by_table.items()):
            for part in in_batches(sorted(ids)):
                marks = ",".join("?" * len(part))
                chunk_ids.update(r[0] for r in self.conn.execute(
                    f"SELECT chunk FROM sync_row WHERE table_name = ? AND row_id IN ({marks})",
                    [table, *part]))
        return chunk_ids

    def ops_of_rows(self, keys: Iterable[RowKey]) -> list[Op]:
        """Every op of these rows."""
        wanted = set(keys)
        out: list[Op] = []
        row_ids = {row_id for _t, row_id in wanted}
        for _chunk, lines in self._chunk_lines(self._chunks_of(wanted)):
            for line in lines:
                # Only the lines of wanted rows are parsed (a chunk holds many rows' ops).
                found = _top_string(line, "r")
                if found in row_ids or "\\" in found:
                    op = op_from_dict(json.loads(line))
                    if (op.table, op.row_id) in wanted:
                        out.append(op)
        return out

    def lines_of_rows(self, keys: Iterable[RowKey]) -> dict[RowKey, list[str]]:
        """The stored texts of every op of these rows, per row (a snapshot copies most of them
        as they are)."""
        wanted = set(keys)
        out: dict[RowKey, list[str]] = {}
        row_ids = {row_id for _t, row_id in wanted}
        for _chunk, lines in self._chunk_lines(self._chunks_of(wanted)):
            for line in lines:
                row_id = _top_string(line, "r")
                if "\\" in row_id:  # an escaped id: only parsing tells what it is
                    op = op_from_dict(json.loads(line))
                    key = (op.table, op.row_id)
                elif row_id in row_ids:
                    key = (_top_string(line, "t"), row_id)
                else:
                    continue
                if key in wanted:
                    out.setdefault(key, []).append(line)
        return out

    def ops_by_id(self, op_ids: Iterable[str]) -> list[Op]:
        """The stored ops with these ids (whatever row they belong to)."""
        by_inc: dict[str, set[int]] = {}
        for op_id in op_ids:
            inc, seq = split_op_id(op_id)
            by_inc.setdefault(inc, set()).add(seq)
        out: list[Op] = []
        for inc, seqs in sorted(by_inc.items()):
            for _chunk, lines in self._chunk_lines(self._chunks_holding(inc, seqs)):
                out.extend(op_from_dict(json.loads(line)) for line in lines
                           if _top_string(line, "id").rpartition(":")[0] == inc
                           and _line_seq(line) in seqs)
        return out

    def own_max_seq(self, incarnation: str) -> int:
        """Highest seq of this incarnation's ops held."""
        (found,) = self.conn.execute(
            "SELECT max(seq) FROM sync_op_id WHERE incarnation = ?", [incarnation]).fetchone()
        return int(found or 0)

    def own_lines_after(self, incarnation: str, after_seq: int, max_ops: int, max_bytes: int
                        ) -> list[tuple[int, str]]:
        """(seq, op text) of this incarnation's ops after ``after_seq``, in seq order: at most
        ``max_ops`` ops and about ``max_bytes`` of text (a published file's worth)."""
        out: list[tuple[int, str]] = []
        size = 0
        rows = self.conn.execute(
            "SELECT seq_first, op_count, body FROM sync_chunk WHERE incarnation = ? AND "
            "seq_last > ? ORDER BY seq_first", [incarnation, after_seq])
        for seq_first, count, body in rows:
            lines = _lines(body)
            if len(lines) != count:
                raise ValueError(f"a chunk of {incarnation} is damaged")
            for offset, line in enumerate(lines):
                seq = seq_first + offset
                if seq <= after_seq:
                    continue
                expected = out[-1][0] + 1 if out else after_seq + 1
                if seq != expected:
                    raise ValueError(f"own ops of {incarnation} are not contiguous at {expected}")
                out.append((seq, line))
                size += len(line)
                if len(out) >= max_ops or size >= max_bytes:
                    return out
        return out

    def known_rows(self, table: str, row_ids: Sequence[str]) -> set[str]:
        """Which of these rows already have an op (appends are captured once)."""
        found: set[str] = set()
        for chunk in in_batches(row_ids):
            marks = ",".join("?" * len(chunk))
            found.update(r[0] for r in self.conn.execute(
                f"SELECT DISTINCT row_id FROM sync_row WHERE table_name = ? AND row_id IN ({marks})",
                [table, *chunk]))
        return found

    def logged_tables(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT DISTINCT table_name FROM sync_row")]

    def row_ids_after(self, table: str, after: str, limit: int) -> list[str]:
        """Ids of the rows of ``table`` with ops, in order, after ``after`` (for a snapshot, a
        batch at a time)."""
        return [r[0] for r in self.conn.execute(
            "SELECT DISTINCT row_id FROM sync_row WHERE table_name = ? AND row_id > ? "
            "ORDER BY row_id LIMIT ?", [table, after, limit])]

    def rewrite_ops(self, ops: Sequence[Op]) -> None:
        """Replace stored ops by these versions of them (same ids): erasure scrubs values."""
        by_id = {op.op_id: op for op in ops}
        by_inc: dict[str, set[int]] = {}
        for op_id in by_id:
            inc, seq = split_op_id(op_id)
            by_inc.setdefault(inc, set()).add(seq)
        for inc, seqs in sorted(by_inc.items()):
            for chunk_id, cached in self._chunk_lines(self._chunks_holding(inc, seqs)):
                lines = list(cached)
                changed = False
                for i, line in enumerate(lines):
                    op_id = _top_string(line, "id")
                    if op_id in by_id:
                        lines[i] = encode_op(by_id[op_id])
                        changed = True
                if changed:
                    self.conn.execute("UPDATE sync_chunk SET body = ? WHERE id = ?",
                                      [_compress(lines), chunk_id])
                    self._chunk_cache[chunk_id] = lines

    def log_size(self) -> tuple[int, int]:
        """(chunks, row index entries) of the op log."""
        (chunks,) = self.conn.execute("SELECT count(*) FROM sync_chunk").fetchone()
        (rows,) = self.conn.execute("SELECT count(*) FROM sync_row").fetchone()
        return int(chunks), int(rows)
