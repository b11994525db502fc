"""Merge: a replica takes in ops and snapshots and shows the state they make (SYNC.md 4.3, 4.9, 4.10).

The state is a pure function of the *set* of ops seen (order-independent, idempotent, dedup by
op id). For speed it is maintained incrementally: applying an op touches only its own field key
and row, and rows are re-materialised lazily, once per batch, when state is next read. The op set
and its heads are kept by ``HeadIndex`` (app.sync.heads), a row is read from its heads by
``materialise_row`` (app.sync.conflicts).

Rules:
* A FieldSet is a version of each field it sets (an edit of several fields is one op). Field
  heads = versions of (table, row, field) not listed in the field's ``pred`` of another FieldSet.
  One head: its value. Several: a conflict; the head with the greatest (HLC, op id) is
  displayed, all are kept. Supersession is per field: one op can be superseded in one of its
  fields and still be the head of another.
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
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from app.sync.clock import HybridClock
from app.sync.conflicts import Conflict, RowState, materialise_row, op_order
from app.sync.heads import FieldKey, HeadIndex, Mark, RowKey, is_covered
from app.sync.ops import Append, FieldSet, FieldVersion, Op, RowDelete, RowRestore, make_op_id, split_op_id


class SnapshotContent(Protocol):
    """What joining a snapshot reads of it; a Protocol so this module need not import
    app.sync.snapshot, which builds snapshots from a Replica."""

    @property
    def coverage(self) -> Mapping[str, int]: ...

    @property
    def ops(self) -> tuple[Op, ...]: ...

    @property
    def superseded(self) -> tuple[Mark, ...]: ...


class RowDeletedError(Exception):
    """A local edit of a deleted row: the UI must restore it first (the edit would otherwise
    resurrect it as a false "concurrent" conflict although the user saw the delete)."""


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
    # Ops not added because an absorbed snapshot covers them and did not keep them: superseded
    # in the snapshot creator's history (SYNC.md 4.12), so ignoring them is exact.
    covered: int = 0
    # absorb_snapshot only: ops held here that the snapshot showed to be superseded (they stay in
    # ``ops`` for history, but are no longer heads; see Replica.superseded_marks).
    superseded: list[str] = field(default_factory=list)


class Replica(HeadIndex):
    """One device's view: the op set plus derived state. ``incarnation`` authors local ops."""

    def __init__(
        self,
        incarnation: str,
        clock: HybridClock | None = None,
        wall: Callable[[], int] | None = None,
        next_seq: int = 1,
        covered: Mapping[str, int] | None = None,
        marks: Iterable[Mark] = (),
    ) -> None:
        self.incarnation = incarnation
        if clock is None:
            clock = HybridClock(incarnation) if wall is None else HybridClock(incarnation, wall)
        self.clock = clock
        self.next_seq = next_seq
        self._rows: dict[RowKey, RowState] = {}
        super().__init__(covered or {}, marks)

    # ---------------------------------------------------------------- applying ops

    def apply(self, ops: Iterable[Op], *, from_store: bool = False) -> ApplyResult:
        """Add ops (any order, duplicates fine). Received ops that an absorbed snapshot covers
        and did not keep are ignored (counted in ``covered``); ``from_store=True`` is for
        reloading ops this replica already held (its own database), which are never skipped."""
        result = ApplyResult()
        own = self.incarnation
        wall: int | None = None  # read once per batch: a merge applies many thousands of ops
        for op in ops:
            existing = self.ops.get(op.op_id)
            if existing is not None:
                result.duplicates += 1
                if existing != op:
                    result.collisions.append(op.op_id)
                continue
            inc, seq = split_op_id(op.op_id)
            if not from_store and seq <= self.covered.get(inc, 0):
                result.covered += 1
                continue
            if inc == own and seq >= self.next_seq:
                result.own_incarnation_ahead = True
            if seq > self._max_seq.get(inc, 0):
                self._max_seq[inc] = seq
            if op.hlc.device != own:
                if wall is None:
                    wall = self.clock.wall_now()
                if self.clock.observe(op.hlc, wall):
                    result.clock_ahead.append(op.op_id)
            self.ops[op.op_id] = op
            self._index(op)
            result.new += 1
        return result

    # ---------------------------------------------------------------- derived state

    def _materialise(self, rk: RowKey) -> RowState:
        return materialise_row(rk[0], rk[1], self.ops, self._heads.get(rk, {}), self._row_appends.get(rk),
                               self._life_heads.get(rk))

    def _refresh(self) -> None:
        for rk in self._dirty:
            self._rows[rk] = self._materialise(rk)
        self._dirty.clear()

    def row(self, table: str, row_id: str) -> dict[str, Any] | None:
        """Displayed values of an alive row, None if deleted or unknown."""
        self._refresh()
        r = self._rows.get((table, row_id))
        return dict(r.values) if r is not None and r.alive else None

    def knows(self, table: str, row_id: str) -> bool:
        """Whether any op of the row is held here."""
        rk = (table, row_id)
        return rk in self._heads or rk in self._row_appends or rk in self._life_heads

    def values(self, table: str, row_id: str) -> dict[str, Any] | None:
        """Displayed values of a known row, deleted or not (a deleted row is still stored:
        history refers to it, and a restore brings back its latest values)."""
        self._refresh()
        r = self._rows.get((table, row_id))
        return dict(r.values) if r is not None else None

    def is_deleted(self, table: str, row_id: str) -> bool:
        # Without a delete among its lifecycle heads a row is alive: answered without
        # materialising it (capture calls this once per field it writes).
        if not self._life_heads.get((table, row_id)):
            return False
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

    def conflicts_of(self, rows: Iterable[RowKey]) -> list[Conflict]:
        """``conflicts`` of these rows only (without materialising every other row)."""
        found: list[Conflict] = []
        for rk in rows:
            if rk in self._dirty:
                self._rows[rk] = self._materialise(rk)
                self._dirty.discard(rk)
            row = self._rows.get(rk)
            if row is not None:
                found.extend(row.conflicts)
        return sorted(found, key=lambda c: (c.table, c.row_id, c.field or ""))

    def heads(self, table: str, row_id: str, field_name: str) -> list[FieldVersion]:
        """Current versions of a field, displayed one first (for the review inbox)."""
        ids = self._heads.get((table, row_id), {}).get(field_name, set())
        found = sorted((self.ops[i] for i in ids), key=op_order, reverse=True)
        return [op.version(field_name) for op in found if isinstance(op, FieldSet)]

    def version(self, op_id: str, field_name: str) -> FieldVersion | None:
        """The version of ``field_name`` that op ``op_id`` wrote (None: no such field op)."""
        op = self.ops.get(op_id)
        if isinstance(op, FieldSet) and field_name in op.values:
            return op.version(field_name)
        return None

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

    # ---------------------------------------------------------------- snapshots (SYNC.md 4.12)

    def absorb_snapshot(self, snapshot: SnapshotContent) -> ApplyResult:
        """Join a snapshot into this replica (dotted-version-vector join of SYNC.md 4.12).

        * The snapshot's hints (versions superseded beyond its coverage) are recorded.
        * A version held here as a head whose id the snapshot's coverage covers, but which is not
          among the snapshot's live ops, was superseded in the creator's history: it stops
          being a head (it stays in ``ops`` for history, listed in ``result.superseded``).
        * The snapshot's live ops are added like received ops (dedup, collisions, clock). One that
          is superseded here (or covered by an earlier snapshot without being held) stays
          superseded: the symmetric half of the join.
        * ``covered`` grows to include the snapshot's coverage: later arriving ops covered by it
          and not held are ignored as already superseded.

        Everything else is kept, so concurrent edits the creator never saw stay heads (and
        conflicts). The result does not depend on the order in which snapshots and change files
        arrive: it equals the state of a replica holding every op.
        """
        result = self.absorb_rows(snapshot.coverage, snapshot.ops, snapshot.superseded)
        self.restore_absorbed(snapshot.coverage)
        # Marks of versions neither held nor needed any more (covered ids are ignored anyway).
        self._marks = {m for m in self._marks if m[3] in self.ops or not is_covered(self.covered, m[3])}
        return result

    def absorb_rows(self, coverage: Mapping[str, int], ops: Iterable[Op], marks: Iterable[Mark],
                    rows: Iterable[RowKey] | None = None) -> ApplyResult:
        """The join of ``absorb_snapshot`` for some rows of a snapshot (its live ops and hints
        of exactly these rows, every op held here of them loaded), so a big snapshot is joined a
        batch of rows at a time; ``rows`` None: every row held here. The caller adds the
        snapshot's coverage (``restore_absorbed``) once every row is joined: a row's state
        depends only on its own ops, so the batches are independent."""
        ops = list(ops)
        live = {op.op_id for op in ops}
        found: set[Mark] = set(marks)
        if rows is None:
            field_keys: Iterable[FieldKey] = [(t, r, f) for (t, r), fields in self._heads.items()
                                              for f in fields]
            life_keys: Iterable[RowKey] = list(self._life_heads)
        else:
            keys = set(rows)
            field_keys = [(t, r, f) for t, r in keys for f in self._heads.get((t, r), {})]
            life_keys = [k for k in keys if k in self._life_heads]
        for table, row_id, fname in field_keys:
            found.update((table, row_id, fname, h) for h in self._heads[(table, row_id)][fname]
                         if h not in live and is_covered(coverage, h))
        for table, row_id in life_keys:
            found.update((table, row_id, None, h) for h in self._life_heads[(table, row_id)]
                         if h not in live and is_covered(coverage, h))
        dropped = self._add_marks(sorted(found, key=lambda m: (m[0], m[1], m[2] or "", m[3])))
        result = self.apply(ops)
        result.superseded = dropped
        if coverage.get(self.incarnation, 0) >= self.next_seq:
            result.own_incarnation_ahead = True
        return result

    # ---------------------------------------------------------------- local edits

    def _next_id(self) -> str:
        op_id = make_op_id(self.incarnation, self.next_seq)
        self.next_seq += 1
        return op_id

    def local_set(
        self, table: str, row_id: str, field_name: str, value: Any, *, resolve: bool = False
    ) -> FieldSet:
        """Write one field (see ``local_set_fields``)."""
        return self.local_set_fields(table, row_id, {field_name: value}, resolve=resolve)

    def local_set_fields(
        self, table: str, row_id: str, values: Mapping[str, Any], *, resolve: bool = False
    ) -> FieldSet:
        """Write fields of a row as one op. Each field's pred = its heads on this device right
        now, i.e. what the user saw; so a resolution (``resolve=True``) supersedes every
        conflicting version."""
        if self.is_deleted(table, row_id):
            raise RowDeletedError(f"{table}/{row_id} is deleted; restore it before editing")
        row_heads = self._heads.get((table, row_id), {})
        preds = {name: tuple(sorted(row_heads.get(name, ()))) for name in values}
        op = FieldSet(self._next_id(), table, row_id, dict(values), self.clock.now(), preds, resolve)
        self.apply([op])
        return op

    def local_delete(self, table: str, row_id: str) -> RowDelete:
        """Delete covering everything this device has for the row ("Delete anyway" included)."""
        rk = (table, row_id)
        if rk not in self._heads and rk not in self._row_appends and rk not in self._life_heads:
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
