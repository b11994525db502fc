"""Erasure reaches into the sync log: which rows belong to erased leads, and scrubbing their ops."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from app.domain.erasure import PERSONAL_LEAD_NULLABLE
from app.storage.repositories.sync.op_log import OpLog
from app.storage.repositories.sync.replica_state import ReplicaState, Shadow
from app.storage.repositories.sync.tables import in_batches, quote
from app.sync.ops import Append, FieldSet, Op, op_from_dict


class ErasedRows(OpLog, ReplicaState):
    def erased_among(self, lead_ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for chunk in in_batches(lead_ids):
            marks = ",".join("?" * len(chunk))
            found.update(r[0] for r in self.conn.execute(
                f"SELECT id FROM lead WHERE id IN ({marks}) AND erased_at IS NOT NULL",
                list(chunk)))
        return found

    def lead_of_rows(self, table: str, row_ids: Sequence[str]) -> dict[str, str]:
        """row id -> lead_id of these task/activity/answer/card_picture rows."""
        found: dict[str, str] = {}
        for chunk in in_batches(row_ids):
            marks = ",".join("?" * len(chunk))
            found.update((r[0], r[1]) for r in self.conn.execute(
                f"SELECT id, lead_id FROM {quote(table)} WHERE id IN ({marks})", list(chunk)))
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
        """Ids of the task/activity/answer/card_picture rows of these leads."""
        found: list[str] = []
        for chunk in in_batches(lead_ids):
            marks = ",".join("?" * len(chunk))
            found += [r[0] for r in self.conn.execute(
                f"SELECT id FROM {quote(table)} WHERE lead_id IN ({marks})", list(chunk))]
        return found

    def tombstoned_leads(self, tombstone_ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for chunk in in_batches(tombstone_ids):
            marks = ",".join("?" * len(chunk))
            found.update(r[0] for r in self.conn.execute(
                f"SELECT lead_id FROM tombstone WHERE id IN ({marks})", list(chunk)))
        return found

    def purge_erased(self, lead_ids: Sequence[str], columns: Mapping[str, frozenset[str]],
                     other_rows: Mapping[str, Iterable[str]] | None = None) -> int:
        """Empty ``columns`` in every logged version of these leads' rows (the leads, and the
        tasks, history, answers and card pictures that belong to them) and forget what the shadow knew of
        them. The log itself knows which answers belonged to a lead, also those the erasure
        deleted from their table. ``other_rows`` adds rows found otherwise (the person's
        do-not-contact entries). Returns the number of ops rewritten."""
        rows: dict[str, set[str]] = {"lead": set(lead_ids)}
        for table, ids in (other_rows or {}).items():
            rows.setdefault(table, set()).update(ids)
        for table in ("task", "activity", "card_picture"):
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


def _scrubbed(values: Mapping[str, Any], erased: frozenset[str]) -> dict[str, Any]:
    """An op's values with the erased columns emptied ('' for text, NULL for the others)."""
    return {k: (None if k in PERSONAL_LEAD_NULLABLE else "") if k in erased and v not in ("", None)
            else v for k, v in values.items()}
