"""sync: a compact local log. Ops are stored in compressed chunks (runs of one incarnation's
ops) with indexes of the chunks each row's ops and each op id are in, instead of a row per op;
the shadow keeps a digest per row and the few values this laptop keeps different on purpose,
instead of every field's value; marks of snapshots move from app_meta into a table of their
own; merged leads wait in a table for their local follow-ups, which run once a merge is done.

The old log is converted as it is (its op texts stay valid), in bounded steps; the old shadow's
values are not needed any more (the merged values come from the log), except this laptop's own
sync review flags and the references it held back for rows that had not arrived yet.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-26 10:00:00
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

# Copied from app/storage/repositories/sync.py, so this migration keeps working whatever later
# code does: ops per chunk, and how a chunk's text is compressed.
_CHUNK_OPS = 128
_READ_BATCH = 5000
_FLAG_FIELDS = ("needs_review", "review_reason")


def _create_tables() -> None:
    op.create_table(
        "sync_chunk",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incarnation", sa.String(length=40), nullable=False),
        sa.Column("seq_first", sa.Integer(), nullable=False),
        sa.Column("seq_last", sa.Integer(), nullable=False),
        sa.Column("op_count", sa.Integer(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_chunk")),
    )
    op.create_index("ix_sync_chunk_incarnation_seq_first", "sync_chunk",
                    ["incarnation", "seq_first"])
    op.create_table(
        "sync_row",
        sa.Column("table_name", sa.String(length=40), nullable=False),
        sa.Column("row_id", sa.String(length=64), nullable=False),
        sa.Column("chunk", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("table_name", "row_id", "chunk", name=op.f("pk_sync_row")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "sync_op_id",
        sa.Column("incarnation", sa.String(length=40), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("chunk", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("incarnation", "seq", name=op.f("pk_sync_op_id")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "sync_mark",
        sa.Column("table_name", sa.String(length=40), nullable=False),
        sa.Column("row_id", sa.String(length=64), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("op_id", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("table_name", "row_id", "field", "op_id", name=op.f("pk_sync_mark")),
        sqlite_with_rowid=False,
    )


def _create_followups() -> None:
    op.create_table(
        "sync_followup",
        sa.Column("lead_id", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("lead_id", name=op.f("pk_sync_followup")),
        sqlite_with_rowid=False,
    )


def _create_shadow() -> None:
    op.create_table(
        "sync_shadow",
        sa.Column("table_name", sa.String(length=40), nullable=False),
        sa.Column("row_id", sa.String(length=64), nullable=False),
        sa.Column("digest", sa.LargeBinary(), nullable=True),
        sa.Column("local", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("table_name", "row_id", name=op.f("pk_sync_shadow")),
        sqlite_with_rowid=False,
    )


def _meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM app_meta WHERE key = ?", [key]).fetchone()
    return None if row is None else str(row[0])


def _set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute("INSERT OR REPLACE INTO app_meta (key, value) VALUES (?, ?)", [key, value])


def _old_ops(conn: sqlite3.Connection) -> Iterator[tuple[str, int, str, str, str, str]]:
    """(incarnation, seq, table, row id, body, hlc) of the old log, in insertion order."""
    last = 0
    while True:
        rows = conn.execute("SELECT rowid, op_id, table_name, row_id, body, hlc FROM sync_op "
                            "WHERE rowid > ? ORDER BY rowid LIMIT ?", [last, _READ_BATCH]).fetchall()
        if not rows:
            return
        for rowid, op_id, table, row_id, body, hlc in rows:
            inc, _, seq = str(op_id).rpartition(":")
            if inc and seq.isdigit():
                yield inc, int(seq), table, row_id, body, hlc
            last = rowid


def _add_range(spans: list[list[int]], first: int, last: int) -> None:
    """Add ``first..last`` to sorted, merged spans (ops of one file come in order: cheap)."""
    if spans and spans[-1][0] <= first <= spans[-1][1] + 1:
        spans[-1][1] = max(spans[-1][1], last)
        return
    merged: list[list[int]] = []
    for start, end in sorted([*spans, [first, last]]):
        if merged and start <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    spans[:] = merged


class _Chunks:
    """Runs of one incarnation's ops in increasing seq order, written a chunk at a time."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.inc = ""
        self.seqs: list[int] = []
        self.rows: set[tuple[str, str]] = set()
        self.lines: list[str] = []

    def add(self, inc: str, seq: int, table: str, row_id: str, body: str) -> None:
        if self.lines and (inc != self.inc or seq <= self.seqs[-1] or len(self.lines) >= _CHUNK_OPS):
            self.flush()
        self.inc = inc
        self.seqs.append(seq)
        self.rows.add((table, row_id))
        self.lines.append(body)

    def flush(self) -> None:
        if not self.lines:
            return
        cursor = self.conn.execute(
            "INSERT INTO sync_chunk (incarnation, seq_first, seq_last, op_count, body) "
            "VALUES (?, ?, ?, ?, ?)", [self.inc, self.seqs[0], self.seqs[-1], len(self.lines),
                                       zlib.compress("\n".join(self.lines).encode(), 6)])
        self.conn.executemany("INSERT OR IGNORE INTO sync_row (table_name, row_id, chunk) "
                              "VALUES (?, ?, ?)", [(t, r, cursor.lastrowid) for t, r in self.rows])
        self.conn.executemany("INSERT INTO sync_op_id (incarnation, seq, chunk) VALUES (?, ?, ?)",
                              [(self.inc, seq, cursor.lastrowid) for seq in self.seqs])
        self.seqs, self.rows, self.lines = [], set(), []


def _kept_shadow(conn: sqlite3.Connection) -> dict[tuple[str, str], dict[str, Any]]:
    """The old shadow values that differ from the merged ones on purpose: review flags of sync
    conflicts, and the references of rows held back for a parent that had not arrived."""
    kept: dict[tuple[str, str], dict[str, Any]] = {}
    flagged = [r[0] for r in conn.execute(
        "SELECT row_id FROM sync_shadow WHERE table_name = 'lead' AND field = 'review_reason' "
        "AND value LIKE '%sync conflict:%'")]
    for start in range(0, len(flagged), 500):
        ids = flagged[start:start + 500]
        marks = ",".join("?" * len(ids))
        for row_id, field, value in conn.execute(
                f"SELECT row_id, field, value FROM sync_shadow WHERE table_name = 'lead' AND "
                f"row_id IN ({marks}) AND field IN (?, ?)", [*ids, *_FLAG_FIELDS]):
            kept.setdefault(("lead", row_id), {})[field] = json.loads(value)
    try:
        held = json.loads(_meta(conn, "sync_held_rows") or "[]")
    except ValueError:
        held = []
    for table, row_id in held:
        for field, value in conn.execute(
                "SELECT field, value FROM sync_shadow WHERE table_name = ? AND row_id = ? "
                "AND value = 'null'", [table, row_id]):
            kept.setdefault((str(table), str(row_id)), {})[field] = json.loads(value)
    return kept


def _replace_old_log() -> None:
    op.drop_index("ix_sync_op_table_name_row_id_field", table_name="sync_op")
    op.drop_index("ix_sync_op_table_name_row_id", table_name="sync_op")
    op.drop_table("sync_op")
    op.drop_table("sync_shadow")
    _create_shadow()


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        # PostgreSQL databases are created empty at head: no old log to convert.
        _create_tables()
        _create_followups()
        _replace_old_log()
        return
    conn: sqlite3.Connection = op.get_bind().connection.driver_connection  # type: ignore[assignment]
    _create_tables()
    _create_followups()
    kept = _kept_shadow(conn)
    own = _meta(conn, "sync_incarnation")
    own_hlc = ""
    spans: dict[str, list[list[int]]] = {}
    chunks = _Chunks(conn)
    for inc, seq, table, row_id, body, hlc in _old_ops(conn):
        chunks.add(inc, seq, table, row_id, body)
        _add_range(spans.setdefault(inc, []), seq, seq)
        if inc == own and hlc > own_hlc:
            own_hlc = hlc
    chunks.flush()
    _replace_old_log()
    conn.executemany("INSERT INTO sync_shadow (table_name, row_id, digest, local) VALUES "
                     "(?, ?, NULL, ?)", [(t, r, json.dumps(v, sort_keys=True))
                                         for (t, r), v in sorted(kept.items())])
    try:
        marks = json.loads(_meta(conn, "sync_marks") or "[]")
    except ValueError:
        marks = []
    conn.executemany("INSERT OR IGNORE INTO sync_mark (table_name, row_id, field, op_id) VALUES "
                     "(?, ?, ?, ?)", [(t, r, f or "", o) for t, r, f, o in marks])
    conn.execute("DELETE FROM app_meta WHERE key = 'sync_marks'")
    if spans and _meta(conn, "sync_known") is None:
        # Synced before knowledge was tracked: what the log holds (and absorbed snapshots cover).
        try:
            covered = json.loads(_meta(conn, "sync_covered") or "{}")
        except ValueError:
            covered = {}
        for inc, seq in covered.items():
            _add_range(spans.setdefault(str(inc), []), 1, int(seq))
        _set_meta(conn, "sync_known", json.dumps(spans, sort_keys=True))
    saved = _meta(conn, "sync_hlc") or ""
    if own and own_hlc and own_hlc[:18] > saved[:18]:
        # Ops captured by a sync that stopped before it saved its clock: never issue lower ones.
        _set_meta(conn, "sync_hlc", own_hlc)


def downgrade() -> None:
    """The older version cannot read this log's format-2 ops: it gets an empty log and syncs
    under a new identity (it re-sends its rows; laptops that already have them see no change)."""
    op.drop_table("sync_shadow")
    op.drop_table("sync_followup")
    op.drop_table("sync_mark")
    op.drop_table("sync_op_id")
    op.drop_table("sync_row")
    op.drop_index("ix_sync_chunk_incarnation_seq_first", table_name="sync_chunk")
    op.drop_table("sync_chunk")
    op.create_table(
        "sync_op",
        sa.Column("op_id", sa.String(length=80), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("table_name", sa.String(length=40), nullable=False),
        sa.Column("row_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("hlc", sa.String(length=80), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("op_id", name=op.f("pk_sync_op")),
    )
    op.create_index("ix_sync_op_table_name_row_id", "sync_op", ["table_name", "row_id"])
    op.create_index("ix_sync_op_table_name_row_id_field", "sync_op",
                    ["table_name", "row_id", "field"])
    op.create_table(
        "sync_shadow",
        sa.Column("table_name", sa.String(length=40), nullable=False),
        sa.Column("row_id", sa.String(length=64), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("table_name", "row_id", "field", name=op.f("pk_sync_shadow")),
    )
    op.execute("DELETE FROM app_meta WHERE key IN ('sync_incarnation', 'sync_device', "
               "'sync_db_path', 'sync_published', 'sync_captured_since', 'sync_known', "
               "'sync_covered', 'sync_conflict_rows', 'sync_held_rows', 'sync_merge_stamps')")
