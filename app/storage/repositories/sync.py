"""All SQL of sync: the op log, shadow, marks, processed files, and raw reads/writes of synced rows.

Synced rows are read and written as SQLite's stored values (hex UUID text, ISO datetime text,
0/1 booleans, enum values): every device runs the same schema, so these travel as JSON unchanged
and no ORM conversion can alter a value on the way (and bulk-written rows look the same as ORM ones).

The op log is chunked: a chunk holds a run of one incarnation's ops in increasing seq order, one
canonical JSON line per op, compressed together (ops of one row version share their row id,
field names and timestamps with their neighbours, so they compress to a few dozen bytes each).
``sync_row`` says which chunks hold ops of a row, ``sync_op_id`` which chunk holds an op id (for
duplicates and collisions); a row's ops are read by decompressing its chunks. Own ops are always
appended in seq order, so own chunks tile the own seq range.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from app.domain.erasure import PERSONAL_LEAD_NULLABLE
from app.domain.review import ReviewCode, ReviewReason, code_tag, with_reasons
from app.sync.merge import Mark
from app.sync.ops import Append, FieldSet, Op, encode_op, op_from_dict, split_op_id

# How stored review reasons mark a sync conflict (the filters match the code, not wording).
_SYNC_CONFLICT_TAG = code_tag(ReviewCode.SYNC_CONFLICT)

# Stored format of SQLAlchemy's SQLite DateTime (naive UTC): text comparison = time order.
DB_TIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"
RowKey = tuple[str, str]
# Ops per chunk: big enough to compress well, small enough that reading one row's ops (a chunk
# decompressed and its matching lines parsed) stays cheap.
CHUNK_OPS = 128
# Decompressed chunks kept per repository (one transaction): rows of one batch share chunks.
_CACHED_CHUNKS = 64


def _q(name: str) -> str:
    # "user" is a keyword; quoting every identifier keeps the statements uniform.
    return f'"{name}"'


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


# Where capture continues: (pass number, keyset of the last row read).
CaptureCursor = tuple[int, tuple[Any, ...]]
# Tables whose updated_at is indexed, with the index's condition: capture reads them by time.
_UPDATED_INDEX = {"activity": "", "task": "", "lead": "deleted_at IS NULL"}


def _capture_passes(table: str, since: str | None) -> list[tuple[str, str]]:
    """(condition, order) of each pass over ``table``: all rows of a first capture by id (the
    log keeps ops in the order they are captured, and a snapshot reads them back row by row in
    id order: so it reads the log once); later ones by time through the updated_at index, or
    in storage order where there is none (small tables, deleted leads)."""
    if since is None:
        return [("", "id")]
    if table not in _UPDATED_INDEX:
        return [("", "rowid")]
    condition = _UPDATED_INDEX[table]
    by_time = [(condition, "updated_at, rowid")]
    return [*by_time, (f"NOT ({condition})", "rowid")] if condition else by_time


@dataclass(slots=True)
class Shadow:
    """What the sync believes of one row (see orm.SyncShadow): ``digest`` of the row as capture
    last saw it with nothing left to send (None: unknown, compare field by field), and the
    fields kept different here on purpose, with their values."""

    digest: bytes | None = None
    local: dict[str, Any] = field(default_factory=dict)


class SyncRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.conn: sqlite3.Connection = session.connection().connection.driver_connection  # type: ignore[assignment]
        self._chunk_cache: dict[int, list[str]] = {}

    # -- op log ---------------------------------------------------------------------------------
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
        cursor = self.conn.execute(
            "INSERT INTO sync_chunk (incarnation, seq_first, seq_last, op_count, body) "
            "VALUES (?, ?, ?, ?, ?)",
            [inc, items[0][0], items[-1][0], len(items), _compress([encode_op(op) for _s, op in items])])
        chunk_id = cursor.lastrowid
        self.conn.executemany(
            "INSERT OR IGNORE INTO sync_row (table_name, row_id, chunk) VALUES (?, ?, ?)",
            sorted({(op.table, op.row_id, chunk_id) for _s, op in items}))
        self.conn.executemany("INSERT INTO sync_op_id (incarnation, seq, chunk) VALUES (?, ?, ?)",
                              [(inc, seq, chunk_id) for seq, _op in items])

    def _chunks_holding(self, inc: str, seqs: Iterable[int]) -> dict[int, set[int]]:
        """chunk id -> the seqs of ``inc`` among ``seqs`` it holds."""
        found: dict[int, set[int]] = {}
        for part in _chunks(sorted(set(seqs))):
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
            for part in _chunks(sorted(ids)):
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
        for chunk in _chunks(row_ids):
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

    # -- marks ----------------------------------------------------------------------------------
    def marks_of_rows(self, keys: Iterable[RowKey]) -> list[Mark]:
        by_table: dict[str, list[str]] = {}
        for table, row_id in keys:
            by_table.setdefault(table, []).append(row_id)
        out: list[Mark] = []
        for table, ids in sorted(by_table.items()):
            for part in _chunks(sorted(ids)):
                marks = ",".join("?" * len(part))
                out.extend((t, r, f or None, o) for t, r, f, o in self.conn.execute(
                    f"SELECT table_name, row_id, field, op_id FROM sync_mark WHERE table_name = ? "
                    f"AND row_id IN ({marks})", [table, *part]))
        return out

    def replace_marks(self, keys: Iterable[RowKey], marks: Iterable[Mark]) -> None:
        """The marks of these rows become ``marks`` (which belong to these rows)."""
        for table, row_id in sorted(set(keys)):
            self.conn.execute("DELETE FROM sync_mark WHERE table_name = ? AND row_id = ?",
                              [table, row_id])
        self.conn.executemany(
            "INSERT OR IGNORE INTO sync_mark (table_name, row_id, field, op_id) VALUES (?, ?, ?, ?)",
            [(t, r, f or "", o) for t, r, f, o in marks])

    # -- shadow ---------------------------------------------------------------------------------
    def shadow(self, table: str, row_ids: Sequence[str]) -> dict[str, Shadow]:
        out: dict[str, Shadow] = {}
        for chunk in _chunks(row_ids):
            marks = ",".join("?" * len(chunk))
            for row_id, digest, local in self.conn.execute(
                    f"SELECT row_id, digest, local FROM sync_shadow WHERE table_name = ? "
                    f"AND row_id IN ({marks})", [table, *chunk]):
                out[row_id] = Shadow(digest, json.loads(local) if local else {})
        return out

    def set_shadow(self, table: str, shadows: Mapping[str, Shadow]) -> None:
        """Store these rows' shadows (nothing known and nothing kept: the row is removed)."""
        keep = [(table, r, s.digest, json.dumps(s.local, sort_keys=True) if s.local else None)
                for r, s in shadows.items() if s.digest is not None or s.local]
        drop = [(table, r) for r, s in shadows.items() if s.digest is None and not s.local]
        self.conn.executemany("INSERT OR REPLACE INTO sync_shadow (table_name, row_id, digest, "
                              "local) VALUES (?, ?, ?, ?)", keep)
        self.conn.executemany("DELETE FROM sync_shadow WHERE table_name = ? AND row_id = ?", drop)

    # -- follow-ups of merged leads ----------------------------------------------------------
    def add_followups(self, lead_ids: Iterable[str]) -> None:
        self.conn.executemany("INSERT OR IGNORE INTO sync_followup (lead_id) VALUES (?)",
                              [(lead_id,) for lead_id in lead_ids])

    def pending_followups(self, limit: int) -> list[str]:
        return [r[0] for r in self.conn.execute(
            "SELECT lead_id FROM sync_followup ORDER BY lead_id LIMIT ?", [limit])]

    def followups_done(self, lead_ids: Sequence[str]) -> None:
        self.conn.executemany("DELETE FROM sync_followup WHERE lead_id = ?",
                              [(lead_id,) for lead_id in lead_ids])

    # -- processed files ------------------------------------------------------------------------
    def processed_digests(self) -> set[str]:
        return {r[0] for r in self.conn.execute("SELECT digest FROM sync_file")}

    def add_processed(self, files: Iterable[tuple[str, str]]) -> None:
        self.conn.executemany("INSERT OR IGNORE INTO sync_file (digest, name) VALUES (?, ?)",
                              list(files))

    # -- synced rows ----------------------------------------------------------------------------
    def changed_rows(self, table: str, columns: Sequence[str], since: str | None,
                     skip_stamps: Sequence[str], after: CaptureCursor | None, limit: int
                     ) -> tuple[list[dict[str, Any]], CaptureCursor | None]:
        """Up to ``limit`` rows (id, columns) written at or after ``since`` (None: all), except
        those whose last write carries one of ``skip_stamps`` (written by a merge), continuing
        after the cursor ``after``; returns them with the cursor to continue from (None: done).

        Rows are read in keyset order (see ``_capture_passes``), so a capture pages through a
        table once."""
        passes = _capture_passes(table, since)
        pass_no, key = after if after is not None else (0, ())
        names = ("id", *columns)
        cols = ", ".join(_q(c) for c in names)
        out: list[dict[str, Any]] = []
        while pass_no < len(passes) and len(out) < limit:
            where, order = passes[pass_no]
            conditions = [where] if where else []
            params: list[Any] = []
            if since is not None:
                conditions.append("updated_at >= ?")
                params.append(since)
                if skip_stamps:
                    conditions.append(f"updated_at NOT IN ({','.join('?' * len(skip_stamps))})")
                    params.extend(skip_stamps)
            if key:
                conditions.append(f"({order}) > ({', '.join('?' * len(key))})")
                params.extend(key)
            sql = (f"SELECT rowid, updated_at, {cols} FROM {_q(table)}"
                   + (f" WHERE {' AND '.join(conditions)}" if conditions else "")
                   + f" ORDER BY {order} LIMIT ?")
            rows = self.conn.execute(sql, [*params, limit - len(out)]).fetchall()
            out.extend(dict(zip(names, row[2:], strict=True)) for row in rows)
            if len(out) >= limit:
                last = rows[-1]
                key = {"id": (last[2],), "rowid": (last[0],)}.get(order, (last[1], last[0]))
                return out, (pass_no, key)
            pass_no, key = pass_no + 1, ()
        return out, None

    def rows_by_id(self, table: str, columns: Sequence[str], row_ids: Sequence[str]
                   ) -> dict[str, dict[str, Any]]:
        names = ("id", *columns)
        cols = ", ".join(_q(c) for c in names)
        out: dict[str, dict[str, Any]] = {}
        for chunk in _chunks(row_ids):
            marks = ",".join("?" * len(chunk))
            for row in self.conn.execute(
                    f"SELECT {cols} FROM {_q(table)} WHERE id IN ({marks})", list(chunk)):
                out[row[0]] = dict(zip(names, row, strict=True))
        return out

    def insert_rows(self, table: str, rows: Sequence[dict[str, Any]]) -> None:
        """Insert rows (known ids are left alone), one statement per set of columns."""
        by_columns: dict[tuple[str, ...], list[list[Any]]] = {}
        for values in rows:
            by_columns.setdefault(tuple(values), []).append(list(values.values()))
        for columns, params in by_columns.items():
            cols = ", ".join(_q(c) for c in columns)
            marks = ", ".join("?" * len(columns))
            self.conn.executemany(f"INSERT OR IGNORE INTO {_q(table)} ({cols}) VALUES ({marks})",
                                  params)

    def update_row(self, table: str, row_id: str, values: dict[str, Any]) -> None:
        if not values:
            return
        sets = ", ".join(f"{_q(c)} = ?" for c in values)
        self.conn.execute(f"UPDATE {_q(table)} SET {sets} WHERE id = ?", [*values.values(), row_id])

    def delete_row(self, table: str, row_id: str) -> None:
        self.conn.execute(f"DELETE FROM {_q(table)} WHERE id = ?", [row_id])

    def dangling(self, table: str, column: str, parent: str, row_ids: Sequence[str]
                 ) -> list[str]:
        """Of these rows, those whose ``column`` names a ``parent`` row that is not stored."""
        found: list[str] = []
        for chunk in _chunks(row_ids):
            marks = ",".join("?" * len(chunk))
            found += [r[0] for r in self.conn.execute(
                f"SELECT t.id FROM {_q(table)} AS t WHERE t.id IN ({marks}) AND "
                f"t.{_q(column)} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {_q(parent)} AS p "
                f"WHERE p.id = t.{_q(column)})", list(chunk))]
        return found

    def defer_foreign_keys(self) -> None:
        """Rows of one batch may reference each other in any order; checked at commit."""
        self.conn.execute("PRAGMA defer_foreign_keys = ON")

    def refresh_touch_times(self, lead_ids: Sequence[str], touch_kinds: Sequence[str]) -> None:
        """first/last touch and next due are derived from activities and tasks: recompute."""
        kinds = ",".join("?" * len(touch_kinds))
        for chunk in _chunks(lead_ids):
            marks = ",".join("?" * len(chunk))
            self.conn.execute(
                "UPDATE lead SET "
                f"first_touch_at = (SELECT min(occurred_at) FROM activity a WHERE a.lead_id = lead.id "
                f"AND a.kind IN ({kinds})), "
                f"last_touch_at = (SELECT max(occurred_at) FROM activity a WHERE a.lead_id = lead.id "
                f"AND a.kind IN ({kinds})), "
                "next_due_at = (SELECT min(due_at) FROM task WHERE task.lead_id = lead.id "
                "AND done_at IS NULL AND deleted_at IS NULL) "
                f"WHERE id IN ({marks})", [*touch_kinds, *touch_kinds, *chunk])

    def leads_of(self, table: str, row_ids: Sequence[str]) -> set[str]:
        """lead_id of these task/activity rows."""
        found: set[str] = set()
        for chunk in _chunks(row_ids):
            marks = ",".join("?" * len(chunk))
            found.update(r[0] for r in self.conn.execute(
                f"SELECT lead_id FROM {_q(table)} WHERE id IN ({marks})", list(chunk)))
        return found

    def flag_review(self, lead_id: str, reason: ReviewReason) -> tuple[int, str] | None:
        """Set needs_review and add ``reason`` unless present; returns the new (flag, reason)."""
        row = self.conn.execute("SELECT needs_review, review_reason FROM lead WHERE id = ?",
                                [lead_id]).fetchone()
        if row is None:
            return None
        new_reason = with_reasons(str(row[1] or ""), [reason])
        self.conn.execute("UPDATE lead SET needs_review = 1, review_reason = ? WHERE id = ?",
                          [new_reason, lead_id])
        return 1, new_reason

    def sync_review_reasons(self, lead_ids: Sequence[str]) -> dict[str, str]:
        """Review reasons of those leads that were flagged for a sync conflict."""
        found: dict[str, str] = {}
        for chunk in _chunks(lead_ids):
            marks = ",".join("?" * len(chunk))
            found.update((r[0], r[1]) for r in self.conn.execute(
                f"SELECT id, review_reason FROM lead WHERE id IN ({marks}) "
                "AND instr(review_reason, ?) > 0", [*chunk, _SYNC_CONFLICT_TAG]))
        return found

    def sync_flagged_leads(self) -> list[str]:
        """Every lead flagged for a sync conflict (few; read through ix_lead_needs_review)."""
        return [r[0] for r in self.conn.execute(
            "SELECT id FROM lead WHERE needs_review = 1 AND instr(review_reason, ?) > 0",
            [_SYNC_CONFLICT_TAG])]

    def set_review(self, lead_id: str, stored: str) -> tuple[int, str]:
        """Replace the review reasons (their stored form); the flag stays while any is left."""
        flag, text = (1 if stored else 0), stored
        self.conn.execute("UPDATE lead SET needs_review = ?, review_reason = ? WHERE id = ?",
                          [flag, text, lead_id])
        return flag, text

    def written_since(self, tables: Sequence[str], stamp: str) -> int:
        """Rows of these tables written after ``stamp`` (edits a sync has not looked at)."""
        total = 0
        for table in tables:
            if table == "lead":  # live rows through the partial index, deleted ones directly
                sql = ("SELECT (SELECT COUNT(*) FROM lead WHERE deleted_at IS NULL AND "
                       "updated_at > :s) + (SELECT COUNT(*) FROM lead WHERE deleted_at IS NOT "
                       "NULL AND updated_at > :s)")
            else:
                sql = f"SELECT COUNT(*) FROM {_q(table)} WHERE updated_at > :s"
            total += int(self.conn.execute(sql, {"s": stamp}).fetchone()[0])
        return total

    # -- erasure -------------------------------------------------------------------------------
    def erased_among(self, lead_ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for chunk in _chunks(lead_ids):
            marks = ",".join("?" * len(chunk))
            found.update(r[0] for r in self.conn.execute(
                f"SELECT id FROM lead WHERE id IN ({marks}) AND erased_at IS NOT NULL",
                list(chunk)))
        return found

    def lead_of_rows(self, table: str, row_ids: Sequence[str]) -> dict[str, str]:
        """row id -> lead_id of these task/activity/answer rows."""
        found: dict[str, str] = {}
        for chunk in _chunks(row_ids):
            marks = ",".join("?" * len(chunk))
            found.update((r[0], r[1]) for r in self.conn.execute(
                f"SELECT id, lead_id FROM {_q(table)} WHERE id IN ({marks})", list(chunk)))
        return found

    def _logged_rows_of_leads(self, table: str, lead_ids: Sequence[str]) -> set[str]:
        """Rows of ``table`` whose logged versions name one of these leads (read from the log:
        the rows may be gone from their table)."""
        wanted = set(lead_ids)
        chunk_ids = [r[0] for r in self.conn.execute(
            "SELECT DISTINCT chunk FROM sync_row WHERE table_name = ?", [table])]
        found: set[str] = set()
        for _chunk, lines in self._chunk_lines(chunk_ids):
            for line in lines:
                if any(lead in line for lead in wanted):
                    op = op_from_dict(json.loads(line))
                    values = op.values if isinstance(op, FieldSet | Append) else {}
                    if op.table == table and values.get("lead_id") in wanted:
                        found.add(op.row_id)
        return found

    def rows_of_leads(self, table: str, lead_ids: Sequence[str]) -> list[str]:
        """Ids of the task/activity/answer rows of these leads."""
        found: list[str] = []
        for chunk in _chunks(lead_ids):
            marks = ",".join("?" * len(chunk))
            found += [r[0] for r in self.conn.execute(
                f"SELECT id FROM {_q(table)} WHERE lead_id IN ({marks})", list(chunk))]
        return found

    def tombstoned_leads(self, tombstone_ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for chunk in _chunks(tombstone_ids):
            marks = ",".join("?" * len(chunk))
            found.update(r[0] for r in self.conn.execute(
                f"SELECT lead_id FROM tombstone WHERE id IN ({marks})", list(chunk)))
        return found

    def purge_erased(self, lead_ids: Sequence[str], columns: Mapping[str, frozenset[str]],
                     other_rows: Mapping[str, Iterable[str]] | None = None) -> int:
        """Empty ``columns`` in every logged version of these leads' rows (the leads, and the
        tasks, history and answers that belong to them) and forget what the shadow knew of
        them. The log itself knows which answers belonged to a lead, also those the erasure
        deleted from their table. ``other_rows`` adds rows found otherwise (the person's
        do-not-contact entries). Returns the number of ops rewritten."""
        rows: dict[str, set[str]] = {"lead": set(lead_ids)}
        for table, ids in (other_rows or {}).items():
            rows.setdefault(table, set()).update(ids)
        for table in ("task", "activity"):
            rows.setdefault(table, set()).update(self.rows_of_leads(table, lead_ids))
        rows.setdefault("answer", set()).update(self._logged_rows_of_leads("answer", lead_ids))
        keys = [(t, r) for t, ids in rows.items() if columns.get(t) for r in ids]
        rewritten: list[Op] = []
        for op in self.ops_of_rows(keys):
            erased = columns[op.table]
            if isinstance(op, FieldSet):
                values = _scrubbed(op.values, erased)
                if values != op.values:
                    rewritten.append(FieldSet(op.op_id, op.table, op.row_id, values, op.hlc,
                                              op.preds, op.resolve))
            elif isinstance(op, Append):
                values = _scrubbed(op.values, erased)
                if values != op.values:
                    rewritten.append(Append(op.op_id, op.table, op.row_id, values, op.hlc))
        self.rewrite_ops(rewritten)
        for table, ids in rows.items():
            found = self.shadow(table, sorted(ids))
            self.set_shadow(table, {r: Shadow(None, s.local) for r, s in found.items()})
        return len(rewritten)

    def row_title(self, table: str, row_id: str) -> str:
        """A short human name of a synced row for lists (the review inbox)."""
        if table == "lead":
            row = self.conn.execute(
                "SELECT first_name, last_name, company, erased_at FROM lead WHERE id = ?",
                [row_id]).fetchone()
            if row is None:
                return "Lead (not on this laptop)"
            if row[3] is not None:
                return "Erased person"
            name = " ".join(p for p in (row[0], row[1]) if p) or "Unnamed lead"
            return f"{name} · {row[2]}" if row[2] else name
        columns = {"task": "title", "event": "name", "user": "name", "team": "name",
                   "queue": "name", "question": "prompt", "cadence": "name",
                   "suppression": "value", "score_rule": "value", "routing_rule": "name",
                   "shared_setting": "key"}
        column = columns.get(table)
        found = None if column is None else self.conn.execute(
            f"SELECT {_q(column)} FROM {_q(table)} WHERE id = ?", [row_id]).fetchone()
        kind = table.replace("_", " ").capitalize()
        return f"{kind}: {found[0]}" if found and found[0] else kind


def _chunks(items: Sequence[str] | Iterable[str], size: int = 500) -> list[list[str]]:
    seq = list(items)
    return [seq[i:i + size] for i in range(0, len(seq), size)]


def _scrubbed(values: Mapping[str, Any], erased: frozenset[str]) -> dict[str, Any]:
    """An op's values with the erased columns emptied ('' for text, NULL for the others)."""
    return {k: (None if k in PERSONAL_LEAD_NULLABLE else "") if k in erased and v not in ("", None)
            else v for k, v in values.items()}
