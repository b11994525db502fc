"""All SQL of sync: the op log, shadow values, processed files, and raw reads/writes of synced rows.

Synced rows are read and written as SQLite's stored values (hex UUID text, ISO datetime text,
0/1 booleans, enum values): every device runs the same schema, so these travel as JSON unchanged
and no ORM conversion can alter a value on the way (and bulk-written rows look the same as ORM ones).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

# Stored format of SQLAlchemy's SQLite DateTime (naive UTC): text comparison = time order.
DB_TIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"
ShadowKey = tuple[str, str, str]


def _q(name: str) -> str:
    # "user" is a keyword; quoting every identifier keeps the statements uniform.
    return f'"{name}"'


class SyncRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.conn: sqlite3.Connection = session.connection().connection.driver_connection  # type: ignore[assignment]

    # -- op log ---------------------------------------------------------------------------------
    def load_ops(self) -> list[str]:
        """Every op body, in local insertion order."""
        return [r[0] for r in self.conn.execute("SELECT body FROM sync_op ORDER BY seq")]

    def add_ops(self, rows: Sequence[tuple[str, str, str, str, str, str, str | None]]) -> None:
        """rows: (op_id, table, row_id, kind, body, hlc, field); known op ids are ignored."""
        (start,) = self.conn.execute("SELECT coalesce(max(seq), 0) FROM sync_op").fetchone()
        self.conn.executemany(
            "INSERT OR IGNORE INTO sync_op (op_id, seq, table_name, row_id, kind, body, hlc, field) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(r[0], start + i + 1, *r[1:]) for i, r in enumerate(rows)])

    def own_max_seq(self, incarnation: str) -> int:
        """Highest seq of this incarnation's ops (op ids are "<incarnation>:<seq>")."""
        prefix = f"{incarnation}:"
        (found,) = self.conn.execute(
            "SELECT max(CAST(substr(op_id, ?) AS INTEGER)) FROM sync_op "
            "WHERE op_id >= ? AND op_id < ?",
            [len(prefix) + 1, prefix, f"{incarnation};"]).fetchone()
        return int(found or 0)

    def own_ops_after(self, incarnation: str, after_seq: int) -> list[tuple[int, str, str]]:
        """(seq, op_id, body) of this incarnation's ops with seq > after_seq, in seq order."""
        prefix = f"{incarnation}:"
        rows = self.conn.execute(
            "SELECT CAST(substr(op_id, ?) AS INTEGER) AS s, op_id, body FROM sync_op "
            "WHERE op_id >= ? AND op_id < ? AND s > ?",
            [len(prefix) + 1, prefix, f"{incarnation};", after_seq]).fetchall()
        return sorted((int(s), op_id, body) for s, op_id, body in rows)

    def own_max_hlc(self, incarnation: str) -> str | None:
        """Greatest HLC of this incarnation's ops (the encoding sorts as text)."""
        (found,) = self.conn.execute(
            "SELECT max(hlc) FROM sync_op WHERE op_id >= ? AND op_id < ?",
            [f"{incarnation}:", f"{incarnation};"]).fetchone()
        return str(found) if found else None

    def ops_of_rows(self, table: str, row_ids: Iterable[str]) -> list[tuple[str, str]]:
        """(op_id, body) of every op of these rows."""
        out: list[tuple[str, str]] = []
        for chunk in _chunks(row_ids):
            marks = ",".join("?" * len(chunk))
            out.extend(self.conn.execute(
                f"SELECT op_id, body FROM sync_op WHERE table_name = ? AND row_id IN ({marks})",
                [table, *chunk]))
        return out

    def ops_of_fields(self, table: str, keys: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        """(op_id, body) of the field ops of these (row_id, field) keys."""
        wanted = set(keys)
        fields = sorted({f for _r, f in wanted})
        out: list[tuple[str, str]] = []
        for chunk in _chunks(sorted({r for r, _f in wanted}), 400):
            marks = ",".join("?" * len(chunk))
            fmarks = ",".join("?" * len(fields))
            out.extend((op_id, body) for op_id, body, row_id, field in self.conn.execute(
                f"SELECT op_id, body, row_id, field FROM sync_op WHERE table_name = ? "
                f"AND row_id IN ({marks}) AND field IN ({fmarks})", [table, *chunk, *fields])
                if (row_id, field) in wanted)
        return out

    def ops_by_id(self, op_ids: Iterable[str]) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for chunk in _chunks(op_ids):
            marks = ",".join("?" * len(chunk))
            out.extend(self.conn.execute(
                f"SELECT op_id, body FROM sync_op WHERE op_id IN ({marks})", list(chunk)))
        return out

    def lifecycle_rows(self, table: str, row_ids: Iterable[str]) -> set[str]:
        """Which of these rows have a delete or restore op (their state needs every op)."""
        found: set[str] = set()
        for chunk in _chunks(row_ids):
            marks = ",".join("?" * len(chunk))
            found.update(r[0] for r in self.conn.execute(
                f"SELECT DISTINCT row_id FROM sync_op WHERE table_name = ? AND row_id IN ({marks}) "
                "AND kind IN ('del', 'restore')", [table, *chunk]))
        return found

    def all_row_keys(self) -> set[tuple[str, str]]:
        return {(t, r) for t, r in self.conn.execute(
            "SELECT DISTINCT table_name, row_id FROM sync_op")}

    def held_ranges(self) -> dict[str, list[list[int]]]:
        """Per incarnation, the spans of op seqs held (one full read; for databases synced
        before knowledge was tracked incrementally)."""
        seqs: dict[str, list[int]] = {}
        for (op_id,) in self.conn.execute("SELECT op_id FROM sync_op"):
            inc, _, number = str(op_id).rpartition(":")
            if number.isdigit():
                seqs.setdefault(inc, []).append(int(number))
        out: dict[str, list[list[int]]] = {}
        for inc, found in seqs.items():
            spans: list[list[int]] = []
            for seq in sorted(found):
                if spans and seq <= spans[-1][1] + 1:
                    spans[-1][1] = max(spans[-1][1], seq)
                else:
                    spans.append([seq, seq])
            out[inc] = spans
        return out

    def known_rows(self, table: str, row_ids: Sequence[str]) -> set[str]:
        """Which of these rows already have an op (appends are captured once)."""
        found: set[str] = set()
        for chunk in _chunks(row_ids):
            marks = ",".join("?" * len(chunk))
            found.update(r[0] for r in self.conn.execute(
                f"SELECT DISTINCT row_id FROM sync_op WHERE table_name = ? AND row_id IN ({marks})",
                [table, *chunk]))
        return found

    # -- shadow ---------------------------------------------------------------------------------
    def shadow(self, table: str, row_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for chunk in _chunks(row_ids):
            marks = ",".join("?" * len(chunk))
            for row_id, field, value in self.conn.execute(
                    f"SELECT row_id, field, value FROM sync_shadow WHERE table_name = ? "
                    f"AND row_id IN ({marks})", [table, *chunk]):
                out.setdefault(row_id, {})[field] = _decode(value)
        return out

    def set_shadow(self, values: Iterable[tuple[str, str, str, Any]]) -> None:
        self.conn.executemany(
            "INSERT OR REPLACE INTO sync_shadow (table_name, row_id, field, value) VALUES (?,?,?,?)",
            [(t, r, f, json.dumps(v)) for t, r, f, v in values])

    # -- processed files ------------------------------------------------------------------------
    def processed_digests(self) -> set[str]:
        return {r[0] for r in self.conn.execute("SELECT digest FROM sync_file")}

    def add_processed(self, files: Iterable[tuple[str, str]]) -> None:
        self.conn.executemany("INSERT OR IGNORE INTO sync_file (digest, name) VALUES (?, ?)",
                              list(files))

    # -- synced rows ----------------------------------------------------------------------------
    def changed_rows(self, table: str, columns: Sequence[str], since: str | None,
                     skip_stamps: Sequence[str] = ()) -> list[dict[str, Any]]:
        """Rows (id, deleted_at if present, columns) written at or after ``since`` (None: all),
        except those whose last write carries one of ``skip_stamps`` (written by a merge)."""
        cols = ", ".join(_q(c) for c in ("id", *columns))
        sql = f"SELECT {cols} FROM {_q(table)}"
        params: list[Any] = []
        if since is not None:
            sql += " WHERE updated_at >= ?"
            params.append(since)
            if skip_stamps:
                sql += f" AND updated_at NOT IN ({','.join('?' * len(skip_stamps))})"
                params.extend(skip_stamps)
        names = ("id", *columns)
        return [dict(zip(names, row, strict=True)) for row in self.conn.execute(sql, params)]

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

    def insert_row(self, table: str, values: dict[str, Any]) -> None:
        cols = ", ".join(_q(c) for c in values)
        marks = ", ".join("?" * len(values))
        self.conn.execute(f"INSERT OR IGNORE INTO {_q(table)} ({cols}) VALUES ({marks})",
                          list(values.values()))

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

    def flag_review(self, lead_id: str, reason: str) -> tuple[int, str] | None:
        """Set needs_review and add ``reason`` unless present; returns the new (flag, reason)."""
        row = self.conn.execute("SELECT needs_review, review_reason FROM lead WHERE id = ?",
                                [lead_id]).fetchone()
        if row is None:
            return None
        existing = str(row[1] or "")
        parts = [p for p in existing.split("; ") if p]
        if reason not in parts:
            parts.append(reason)
        new_reason = "; ".join(parts)[:500]
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
                "AND review_reason LIKE '%sync conflict:%'", list(chunk)))
        return found

    def sync_flagged_leads(self) -> list[str]:
        """Every lead flagged for a sync conflict (few; read through ix_lead_needs_review)."""
        return [r[0] for r in self.conn.execute(
            "SELECT id FROM lead WHERE needs_review = 1 AND review_reason LIKE "
            "'%sync conflict:%'")]

    def set_review(self, lead_id: str, reasons: Sequence[str]) -> tuple[int, str]:
        """Replace the review reasons; the flag stays while any reason is left."""
        flag, text = (1 if reasons else 0), "; ".join(reasons)[:500]
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

    def erased_family(self, lead_ids: Sequence[str]) -> set[str]:
        """These erased leads and the leads merged into them."""
        found = set(lead_ids)
        for chunk in _chunks(lead_ids):
            marks = ",".join("?" * len(chunk))
            found.update(r[0] for r in self.conn.execute(
                f"SELECT id FROM lead WHERE merged_into_id IN ({marks})", list(chunk)))
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
        """Empty ``columns`` of these leads' rows (the leads, and the tasks, history and answers
        that belong to them) in every logged version and in the shadow. The log itself knows
        which rows belonged to a lead, even rows the erasure deleted from their table.
        ``other_rows`` adds rows found otherwise (the person's suppression entries).
        Returns the number of log entries rewritten."""
        rows: dict[str, set[str]] = {"lead": set(lead_ids)}
        for table, ids in (other_rows or {}).items():
            rows.setdefault(table, set()).update(ids)
        for chunk in _chunks(lead_ids):
            marks = ",".join("?" * len(chunk))
            for table, row_id in self.conn.execute(
                    "SELECT table_name, row_id FROM sync_op WHERE table_name IN "
                    f"('task', 'answer') AND field = 'lead_id' AND json_extract(body, '$.v') "
                    f"IN ({marks})", list(chunk)):
                rows.setdefault(table, set()).add(row_id)
            for (row_id,) in self.conn.execute(
                    "SELECT row_id FROM sync_op WHERE table_name = 'activity' AND "
                    f"json_extract(body, '$.v.lead_id') IN ({marks})", list(chunk)):
                rows.setdefault("activity", set()).add(row_id)
        rewritten = 0
        for table, ids in rows.items():
            erased = columns.get(table, frozenset())
            if not erased:
                continue
            for chunk in _chunks(sorted(ids)):
                marks = ",".join("?" * len(chunk))
                updates: list[tuple[str, str]] = []
                for op_id, body in self.conn.execute(
                        f"SELECT op_id, body FROM sync_op WHERE table_name = ? "
                        f"AND row_id IN ({marks})", [table, *chunk]):
                    op = json.loads(body)
                    value = op.get("v")
                    if op.get("f") in erased and value not in ("", None):
                        op["v"] = ""
                    elif isinstance(value, dict) and any(value.get(c) for c in erased):
                        op["v"] = {k: ("" if k in erased and v else v) for k, v in value.items()}
                    else:
                        continue
                    updates.append((json.dumps(op, separators=(",", ":")), op_id))
                self.conn.executemany("UPDATE sync_op SET body = ? WHERE op_id = ?", updates)
                rewritten += len(updates)
                fields = sorted(erased)
                self.conn.execute(
                    f"UPDATE sync_shadow SET value = '\"\"' WHERE table_name = ? AND row_id IN "
                    f"({marks}) AND field IN ({','.join('?' * len(fields))}) AND value <> 'null'",
                    [table, *chunk, *fields])
        return rewritten

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


_CONSTANTS: dict[str, Any] = {"null": None, "true": True, "false": False, '""': ""}


def _decode(text: str) -> Any:
    """json.loads for shadow values, with a shortcut for the common plain strings and small
    integers (capture reads hundreds of thousands of them; json.loads costs more per call)."""
    if text in _CONSTANTS:
        return _CONSTANTS[text]
    if text[0] == '"' and "\\" not in text:
        return text[1:-1]
    if text.isdigit() and len(text) < 16:
        return int(text)
    return json.loads(text)


def _chunks(items: Sequence[str] | Iterable[str], size: int = 500) -> list[list[str]]:
    seq = list(items)
    return [seq[i:i + size] for i in range(0, len(seq), size)]
