"""Raw reads and writes of the synced tables: capture's keyset pages, merge's inserts and updates.

Synced rows are read and written as SQLite's stored values (hex UUID text, ISO datetime text,
0/1 booleans, enum values): every device runs the same schema, so these travel as JSON unchanged
and no ORM conversion can alter a value on the way (and bulk-written rows look the same as ORM ones).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from app.storage.repositories.sync.tables import SyncTables, in_batches, quote

# Stored format of SQLAlchemy's SQLite DateTime (naive UTC): text comparison = time order.
DB_TIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"

# Where capture continues: (pass number, keyset of the last row read).
CaptureCursor = tuple[int, tuple[Any, ...]]
# Tables whose updated_at is indexed, with the index's condition: capture reads them by time.
_UPDATED_INDEX = {"activity": "", "task": "", "lead": "deleted_at IS NULL"}


def _capture_passes(table: str, since: str | None, rowid: str) -> list[tuple[str, str]]:
    """(condition, order) of each pass over ``table``: all rows of a first capture by id (the
    log keeps ops in the order they are captured, and a snapshot reads them back row by row in
    id order: so it reads the log once); later ones by time through the updated_at index, or
    in storage order where there is none (small tables, deleted leads)."""
    if since is None:
        return [("", "id")]
    if table not in _UPDATED_INDEX:
        return [("", rowid)]
    condition = _UPDATED_INDEX[table]
    by_time = [(condition, f"updated_at, {rowid}")]
    return [*by_time, (f"NOT ({condition})", rowid)] if condition else by_time


@functools.cache
def _complete_rows(table: str, columns: tuple[str, ...]) -> Callable[[Sequence[Any]], bool]:
    """Whether a row of these columns has every value the table requires: what SQLite's
    INSERT OR IGNORE checks (and skips the row), done before the server would refuse it."""
    from app.storage.orm import Base

    schema = Base.metadata.tables[table]
    required = {c.name for c in schema.columns if not c.nullable and c.server_default is None
                and c is not schema.autoincrement_column}  # lead.key: the database numbers it
    if required - set(columns):
        return lambda _row: False
    checked = [i for i, name in enumerate(columns)
               if name in schema.columns and not schema.columns[name].nullable]
    return lambda row: all(row[i] is not None for i in checked)


class SyncedRows(SyncTables):

    # -- synced rows ----------------------------------------------------------------------------
    def changed_rows(self, table: str, columns: Sequence[str], since: str | None,
                     skip_stamps: Sequence[str], after: CaptureCursor | None, limit: int
                     ) -> tuple[list[dict[str, Any]], CaptureCursor | None]:
        """Up to ``limit`` rows (id, columns) written at or after ``since`` (None: all), except
        those whose last write carries one of ``skip_stamps`` (written by a merge), continuing
        after the cursor ``after``; returns them with the cursor to continue from (None: done).

        Rows are read in keyset order (see ``_capture_passes``), so a capture pages through a
        table once."""
        passes = _capture_passes(table, since, self.storage_order)
        pass_no, key = after if after is not None else (0, ())
        names = ("id", *columns)
        cols = ", ".join(quote(c) for c in names)
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
            sql = (f"SELECT {self.storage_order}, updated_at, {cols} FROM {quote(table)}"
                   + (f" WHERE {' AND '.join(conditions)}" if conditions else "")
                   + f" ORDER BY {order} LIMIT ?")
            rows = self.conn.execute(sql, [*params, limit - len(out)]).fetchall()
            out.extend(dict(zip(names, row[2:], strict=True)) for row in rows)
            if len(out) >= limit:
                last = rows[-1]
                key = {"id": (last[2],), self.storage_order: (last[0],)}.get(
                    order, (last[1], last[0]))
                return out, (pass_no, key)
            pass_no, key = pass_no + 1, ()
        return out, None

    def rows_by_id(self, table: str, columns: Sequence[str], row_ids: Sequence[str]
                   ) -> dict[str, dict[str, Any]]:
        names = ("id", *columns)
        cols = ", ".join(quote(c) for c in names)
        out: dict[str, dict[str, Any]] = {}
        for chunk in in_batches(row_ids):
            marks = ",".join("?" * len(chunk))
            for row in self.conn.execute(
                    f"SELECT {cols} FROM {quote(table)} WHERE id IN ({marks})", list(chunk)):
                out[row[0]] = dict(zip(names, row, strict=True))
        return out

    def insert_rows(self, table: str, rows: Sequence[dict[str, Any]]) -> None:
        """Insert rows (known ids are left alone), one statement per set of columns."""
        by_columns: dict[tuple[str, ...], list[list[Any]]] = {}
        for values in rows:
            by_columns.setdefault(tuple(values), []).append(list(values.values()))
        for columns, params in by_columns.items():
            cols = ", ".join(quote(c) for c in columns)
            marks = ", ".join("?" * len(columns))
            if not self.on_server:
                # OR IGNORE also skips a row missing a required value (only some of its fields
                # have arrived yet): materialise holds such rows until the rest comes.
                self.conn.executemany(
                    f"INSERT OR IGNORE INTO {quote(table)} ({cols}) VALUES ({marks})", params)
                continue
            complete = _complete_rows(table, columns)
            self.conn.executemany(f"INSERT INTO {quote(table)} ({cols}) VALUES ({marks}) "
                                  "ON CONFLICT DO NOTHING", [p for p in params if complete(p)])

    def update_row(self, table: str, row_id: str, values: dict[str, Any]) -> None:
        if not values:
            return
        sets = ", ".join(f"{quote(c)} = ?" for c in values)
        self.conn.execute(f"UPDATE {quote(table)} SET {sets} WHERE id = ?", [*values.values(), row_id])

    def delete_row(self, table: str, row_id: str) -> None:
        self.conn.execute(f"DELETE FROM {quote(table)} WHERE id = ?", [row_id])

    def dangling(self, table: str, column: str, parent: str, row_ids: Sequence[str]
                 ) -> list[str]:
        """Of these rows, those whose ``column`` names a ``parent`` row that is not stored."""
        found: list[str] = []
        for chunk in in_batches(row_ids):
            marks = ",".join("?" * len(chunk))
            found += [r[0] for r in self.conn.execute(
                f"SELECT t.id FROM {quote(table)} AS t WHERE t.id IN ({marks}) AND "
                f"t.{quote(column)} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {quote(parent)} AS p "
                f"WHERE p.id = t.{quote(column)})", list(chunk))]
        return found

    def defer_foreign_keys(self) -> None:
        """Rows of one batch may reference each other in any order; checked at commit."""
        self.conn.execute("SET CONSTRAINTS ALL DEFERRED" if self.on_server
                          else "PRAGMA defer_foreign_keys = ON")

    def refresh_touch_times(self, lead_ids: Sequence[str], touch_kinds: Sequence[str]) -> None:
        """first/last touch and next due are derived from activities and tasks: recompute."""
        kinds = ",".join("?" * len(touch_kinds))
        for chunk in in_batches(lead_ids):
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
        for chunk in in_batches(row_ids):
            marks = ",".join("?" * len(chunk))
            found.update(r[0] for r in self.conn.execute(
                f"SELECT lead_id FROM {quote(table)} WHERE id IN ({marks})", list(chunk)))
        return found

    def written_since(self, tables: Sequence[str], stamp: str) -> int:
        """Rows of these tables written after ``stamp`` (edits a sync has not looked at)."""
        total = 0
        for table in tables:
            if table == "lead":  # live rows through the partial index, deleted ones directly
                sql = ("SELECT (SELECT COUNT(*) FROM lead WHERE deleted_at IS NULL AND "
                       "updated_at > ?) + (SELECT COUNT(*) FROM lead WHERE deleted_at IS NOT "
                       "NULL AND updated_at > ?)")
                params = [stamp, stamp]
            else:
                sql = f"SELECT COUNT(*) FROM {quote(table)} WHERE updated_at > ?"
                params = [stamp]
            total += int(self.conn.execute(sql, params).fetchone()[0])
        return total

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
            f"SELECT {quote(column)} FROM {quote(table)} WHERE id = ?", [row_id]).fetchone()
        kind = table.replace("_", " ").capitalize()
        return f"{kind}: {found[0]}" if found and found[0] else kind
