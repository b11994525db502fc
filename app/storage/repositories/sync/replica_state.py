"""What this replica keeps about synced rows: shadows, marks, follow-ups of merges, files read."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.storage.repositories.sync.tables import RowKey, SyncTables, in_batches
from app.sync.heads import Mark


@dataclass(slots=True)
class Shadow:
    """What the sync believes of one row (see orm.SyncShadow): ``digest`` of the row as capture
    last saw it with nothing left to send (None: unknown, compare field by field), and the
    fields kept different here on purpose, with their values."""

    digest: bytes | None = None
    local: dict[str, Any] = field(default_factory=dict)


class ReplicaState(SyncTables):
    # -- marks ----------------------------------------------------------------------------------
    def marks_of_rows(self, keys: Iterable[RowKey]) -> list[Mark]:
        by_table: dict[str, list[str]] = {}
        for table, row_id in keys:
            by_table.setdefault(table, []).append(row_id)
        out: list[Mark] = []
        for table, ids in sorted(by_table.items()):
            for part in in_batches(sorted(ids)):
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
            "INSERT INTO sync_mark (table_name, row_id, field, op_id) VALUES (?, ?, ?, ?) "
            "ON CONFLICT DO NOTHING",
            [(t, r, f or "", o) for t, r, f, o in marks])

    # -- shadow ---------------------------------------------------------------------------------
    def shadow(self, table: str, row_ids: Sequence[str]) -> dict[str, Shadow]:
        out: dict[str, Shadow] = {}
        for chunk in in_batches(row_ids):
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
        self.conn.executemany("INSERT INTO sync_shadow (table_name, row_id, digest, local) "
                              "VALUES (?, ?, ?, ?) ON CONFLICT (table_name, row_id) DO UPDATE "
                              "SET digest = excluded.digest, local = excluded.local", keep)
        self.conn.executemany("DELETE FROM sync_shadow WHERE table_name = ? AND row_id = ?", drop)

    def forget_shadows(self, tables: Iterable[str]) -> None:
        """Drop every shadow of these tables (a baseline given up)."""
        self.conn.executemany("DELETE FROM sync_shadow WHERE table_name = ?",
                              [(table,) for table in tables])

    # -- follow-ups of merged leads ----------------------------------------------------------
    def add_followups(self, lead_ids: Iterable[str]) -> None:
        self.conn.executemany("INSERT INTO sync_followup (lead_id) VALUES (?) "
                              "ON CONFLICT DO NOTHING",
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
        self.conn.executemany("INSERT INTO sync_file (digest, name) VALUES (?, ?) "
                              "ON CONFLICT DO NOTHING",
                              list(files))
