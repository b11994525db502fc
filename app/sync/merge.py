"""Replica state and merge (SYNC.md sections 4.3, 4.9, 4.10).

The state is a pure function of the *set* of ops seen (order-independent, idempotent, dedup by
op id). For speed it is maintained incrementally: applying an op touches only its own field key
and row, and rows are re-materialised lazily, once per batch, when state is next read.

Rules:
* Field heads = FieldSet versions of (table, row, field) not listed in the ``pred`` of another
  FieldSet of the same key. One head: its value. Several: a conflict; the head with the greatest
  (HLC, op id) is displayed, all are kept.
* Lifecycle heads = RowDelete/RowRestore ops of the row not listed in another lifecycle op's pred.
* A row is deleted iff some lifecycle-head delete's ``pred`` covers every field head and append of
  the row. Otherwise, with a head delete present, the row is alive and flagged "edited while
  deleted" (a concurrent edit wins over a delete, decision 1 of SYNC.md).
* Appends (append-only tables) are unioned; several appends of one row id are overlaid in
  (HLC, op id) order so duplicates cannot diverge.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from app.sync.clock import HybridClock, Timestamp
from app.sync.ops import Append, FieldSet, Op, RowDelete, RowRestore, make_op_id, split_op_id

FieldKey = tuple[str, str, str]
RowKey = tuple[str, str]

FIELD_CONFLICT = "field"
EDIT_VS_DELETE = "edited_while_deleted"


class RowDeletedError(Exception):
    """A local edit of a deleted row: the UI must restore it first (the edit would otherwise
    resurrect it as a false "concurrent" conflict although the user saw the delete)."""


@dataclass(frozen=True, slots=True)
class Conflict:
    table: str
    row_id: str
    field: str | None  # None for an edit-vs-delete conflict on the whole row
    heads: tuple[str, ...]  # op ids; for a field conflict the displayed head comes first
    kind: str = FIELD_CONFLICT


@dataclass(slots=True)
class ApplyResult:
    new: int = 0
    duplicates: int = 0
    # Same op id, different content: a cloned database escaped lineage checks (SYNC.md 4.14).
    # The first version seen is kept; the caller must warn and re-incarnate.
    collisions: list[str] = field(default_factory=list)
    # Ops whose HLC was > MAX_DRIFT ahead of our wall clock (applied anyway, clock not dragged).
    clock_ahead: list[str] = field(default_factory=list)
    # Ops under our own incarnation that we did not author here: this DB is a restored or
    # copied one and must mint a new incarnation before writing again.
    own_incarnation_ahead: bool = False


@dataclass(slots=True)
class _Row:
    alive: bool
    values: dict[str, Any]
    conflicts: list[Conflict]


def _order(op: Op) -> tuple[Timestamp, str]:
    return (op.hlc, op.op_id)


class Replica:
    """One device's view: the op set plus derived state. ``incarnation`` authors local ops."""

    def __init__(
        self,
        incarnation: str,
        clock: HybridClock | None = None,
        wall: Callable[[], int] | None = None,
        next_seq: int = 1,
    ) -> None:
        self.incarnation = incarnation
        if clock is None:
            clock = HybridClock(incarnation) if wall is None else HybridClock(incarnation, wall)
        self.clock = clock
        self.next_seq = next_seq
        self.ops: dict[str, Op] = {}
        self._heads: dict[FieldKey, set[str]] = {}
        self._superseded: dict[FieldKey, set[str]] = {}
        self._row_fields: dict[RowKey, set[str]] = {}
        self._row_appends: dict[RowKey, set[str]] = {}
        self._life_heads: dict[RowKey, set[str]] = {}
        self._life_superseded: dict[RowKey, set[str]] = {}
        self._rows: dict[RowKey, _Row] = {}
        self._dirty: set[RowKey] = set()
        # Highest seq seen per incarnation (for coverage vectors and restore detection).
        self._max_seq: dict[str, int] = {}

    # ---------------------------------------------------------------- applying ops

    def apply(self, ops: Iterable[Op]) -> ApplyResult:
        result = ApplyResult()
        own = self.incarnation
        for op in ops:
            existing = self.ops.get(op.op_id)
            if existing is not None:
                result.duplicates += 1
                if existing != op:
                    result.collisions.append(op.op_id)
                continue
            inc, seq = split_op_id(op.op_id)
            if inc == own and seq >= self.next_seq:
                result.own_incarnation_ahead = True
            if seq > self._max_seq.get(inc, 0):
                self._max_seq[inc] = seq
            if op.hlc.device != own and self.clock.observe(op.hlc):
                result.clock_ahead.append(op.op_id)
            self.ops[op.op_id] = op
            self._index(op)
            result.new += 1
        return result

    def _index(self, op: Op) -> None:
        rk = (op.table, op.row_id)
        self._dirty.add(rk)
        if isinstance(op, FieldSet):
            key = (op.table, op.row_id, op.field)
            sup = self._superseded.setdefault(key, set())
            heads = self._heads.setdefault(key, set())
            for p in op.pred:
                sup.add(p)
                heads.discard(p)
            if op.op_id not in sup:
                heads.add(op.op_id)
            self._row_fields.setdefault(rk, set()).add(op.field)
        elif isinstance(op, Append):
            self._row_appends.setdefault(rk, set()).add(op.op_id)
        else:
            sup = self._life_superseded.setdefault(rk, set())
            heads = self._life_heads.setdefault(rk, set())
            for p in op.pred:
                sup.add(p)
                heads.discard(p)
            if op.op_id not in sup:
                heads.add(op.op_id)

    # ---------------------------------------------------------------- derived state

    def _row_versions(self, rk: RowKey) -> set[str]:
        versions: set[str] = set(self._row_appends.get(rk, ()))
        for f in self._row_fields.get(rk, ()):
            versions |= self._heads[(rk[0], rk[1], f)]
        return versions

    def _materialise(self, rk: RowKey) -> _Row:
        table, row_id = rk
        versions = self._row_versions(rk)
        deletes = [op for i in self._life_heads.get(rk, ()) if isinstance(op := self.ops[i], RowDelete)]
        alive = not any(versions.issubset(d.pred) for d in deletes)
        values: dict[str, Any] = {}
        for append_id in sorted(self._row_appends.get(rk, ()), key=lambda i: _order(self.ops[i])):
            app = self.ops[append_id]
            assert isinstance(app, Append)
            values.update(app.values)
        conflicts: list[Conflict] = []
        for f in sorted(self._row_fields.get(rk, ())):
            heads = sorted((self.ops[i] for i in self._heads[(table, row_id, f)]), key=_order, reverse=True)
            if not heads:  # only possible with a malformed pred cycle
                continue
            winner = heads[0]
            assert isinstance(winner, FieldSet)
            values[f] = winner.value
            if len(heads) > 1:
                conflicts.append(Conflict(table, row_id, f, tuple(h.op_id for h in heads)))
        if deletes and alive:
            covered: set[str] = set().union(*(d.pred for d in deletes))
            heads_ids = sorted(d.op_id for d in deletes) + sorted(versions - covered)
            conflicts.append(Conflict(table, row_id, None, tuple(heads_ids), EDIT_VS_DELETE))
        return _Row(alive, values, conflicts if alive else [])

    def _refresh(self) -> None:
        for rk in self._dirty:
            self._rows[rk] = self._materialise(rk)
        self._dirty.clear()

    def row(self, table: str, row_id: str) -> dict[str, Any] | None:
        """Displayed values of an alive row, None if deleted or unknown."""
        self._refresh()
        r = self._rows.get((table, row_id))
        return dict(r.values) if r is not None and r.alive else None

    def is_deleted(self, table: str, row_id: str) -> bool:
        self._refresh()
        r = self._rows.get((table, row_id))
        return r is not None and not r.alive

    def state(self) -> dict[str, dict[str, dict[str, Any]]]:
        """table -> row id -> field -> displayed value, alive rows only."""
        self._refresh()
        out: dict[str, dict[str, dict[str, Any]]] = {}
        for (table, row_id), r in self._rows.items():
            if r.alive:
                out.setdefault(table, {})[row_id] = dict(r.values)
        return out

    def deleted_rows(self) -> list[RowKey]:
        self._refresh()
        return sorted(rk for rk, r in self._rows.items() if not r.alive)

    def conflicts(self) -> list[Conflict]:
        self._refresh()
        found = [c for r in self._rows.values() for c in r.conflicts]
        return sorted(found, key=lambda c: (c.table, c.row_id, c.field or ""))

    def heads(self, table: str, row_id: str, field_name: str) -> list[FieldSet]:
        """Current versions of a field, displayed one first (for the review inbox)."""
        ids = self._heads.get((table, row_id, field_name), set())
        found = sorted((self.ops[i] for i in ids), key=_order, reverse=True)
        return [op for op in found if isinstance(op, FieldSet)]

    def coverage(self) -> dict[str, int]:
        """Highest seq seen per incarnation (gaps possible while files are still arriving)."""
        return dict(self._max_seq)

    def own_ops(self, after_seq: int = 0) -> list[Op]:
        """Ops authored by this incarnation with seq > after_seq, in seq order (for publishing)."""
        return [self.ops[make_op_id(self.incarnation, s)] for s in range(after_seq + 1, self.next_seq)]

    def digest(self) -> str:
        """Stable hash of displayed state, tombstones and open conflicts (convergence checks)."""
        payload = {
            "state": self.state(),
            "deleted": self.deleted_rows(),
            "conflicts": [[c.table, c.row_id, c.field, list(c.heads), c.kind] for c in self.conflicts()],
        }
        blob = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(blob.encode()).hexdigest()

    # ---------------------------------------------------------------- local edits

    def _next_id(self) -> str:
        op_id = make_op_id(self.incarnation, self.next_seq)
        self.next_seq += 1
        return op_id

    def local_set(
        self, table: str, row_id: str, field_name: str, value: Any, *, resolve: bool = False
    ) -> FieldSet:
        """Write a field. pred = the heads this device has right now, i.e. what the user saw;
        so a resolution (``resolve=True``) supersedes every conflicting version."""
        if self.is_deleted(table, row_id):
            raise RowDeletedError(f"{table}/{row_id} is deleted; restore it before editing")
        pred = tuple(sorted(self._heads.get((table, row_id, field_name), ())))
        op = FieldSet(self._next_id(), table, row_id, field_name, value, self.clock.now(), pred, resolve)
        self.apply([op])
        return op

    def local_delete(self, table: str, row_id: str) -> RowDelete:
        """Delete covering everything this device has for the row ("Delete anyway" included)."""
        rk = (table, row_id)
        if rk not in self._row_fields and rk not in self._row_appends and rk not in self._life_heads:
            raise KeyError(f"unknown row {table}/{row_id}")
        pred = tuple(sorted(self._row_versions(rk) | self._life_heads.get(rk, set())))
        op = RowDelete(self._next_id(), table, row_id, self.clock.now(), pred)
        self.apply([op])
        return op

    def local_restore(self, table: str, row_id: str) -> RowRestore:
        """"Keep" / restore from Trash: supersedes the deletes this device has for the row."""
        rk = (table, row_id)
        deletes = tuple(sorted(i for i in self._life_heads.get(rk, ()) if isinstance(self.ops[i], RowDelete)))
        if not deletes:
            raise KeyError(f"{table}/{row_id} has no delete to restore")
        op = RowRestore(self._next_id(), table, row_id, self.clock.now(), deletes)
        self.apply([op])
        return op

    def local_append(self, table: str, row_id: str, values: dict[str, Any]) -> Append:
        op = Append(self._next_id(), table, row_id, dict(values), self.clock.now())
        self.apply([op])
        return op
