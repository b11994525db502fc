"""The replica's state: every op held, indexed by the heads nobody superseded (SYNC.md 4.9, 4.12).

Applying an op touches only its own field keys and row here; ``Replica`` (app.sync.merge) adds
the rules for receiving ops and reads the displayed state from these heads. Supersession known
only from an absorbed snapshot (its coverage and marks) is kept here too, with what a snapshot
of this state must carry (``snapshot_ops``, ``superseded_hints``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from app.sync.ops import Append, FieldSet, Op, OpFormatError, make_op_id, split_op_id

FieldKey = tuple[str, str, str]
RowKey = tuple[str, str]
# A version known to be superseded without the superseding op being held here (from a snapshot):
# (table, row id, field, op id) for a field version, field None for the lifecycle of the row.
Mark = tuple[str, str, str | None, str]


def is_covered(coverage: Mapping[str, int], op_id: str) -> bool:
    """True when ``op_id``'s (incarnation, seq) is within the coverage vector. Malformed ids
    (only possible inside a foreign ``pred``) are never covered."""
    try:
        inc, seq = split_op_id(op_id)
    except OpFormatError:
        return False
    return seq <= coverage.get(inc, 0)


def contiguous_through(held: Mapping[str, Iterable[int]], covered: Mapping[str, int]) -> dict[str, int]:
    """``Replica.known_through`` computed from storage: ``held`` = the seqs stored per incarnation,
    ``covered`` = the persisted ``Replica.covered``. (A lazily loaded replica holds only some ops,
    so its own ``known_through`` would understate; never use a max-seq vector instead.)"""
    out: dict[str, int] = {}
    for inc in set(held) | set(covered):
        n = covered.get(inc, 0)
        seqs = set(held.get(inc, ()))
        while n + 1 in seqs:
            n += 1
        if n:
            out[inc] = n
    return out


def _op_sort_key(op_id: str) -> tuple[str, int]:
    try:
        return split_op_id(op_id)
    except OpFormatError:
        return (op_id, 0)


class HeadIndex:
    """The op set and its heads: per field of a row the versions nobody superseded, per row its
    appends and its lifecycle (delete/restore) heads."""

    def __init__(self, covered: Mapping[str, int], marks: Iterable[Mark]) -> None:
        self.ops: dict[str, Op] = {}
        # Row -> field -> its heads (the versions nobody superseded).
        self._heads: dict[RowKey, dict[str, set[str]]] = {}
        self._superseded: dict[FieldKey, set[str]] = {}
        self._row_appends: dict[RowKey, set[str]] = {}
        self._life_heads: dict[RowKey, set[str]] = {}
        self._life_superseded: dict[RowKey, set[str]] = {}
        # Rows whose heads changed since they were last materialised.
        self._dirty: set[RowKey] = set()
        # Highest seq seen per incarnation (for coverage vectors and restore detection).
        self._max_seq: dict[str, int] = {}
        # Union (per-incarnation max) of the coverage vectors of absorbed snapshots: an op id
        # covered here and not in ``ops`` is known to be superseded (see absorb_snapshot).
        self.covered: dict[str, int] = {}
        self._marks: set[Mark] = set()
        self.restore_absorbed(covered, marks)

    def _index(self, op: Op) -> None:
        rk = (op.table, op.row_id)
        self._dirty.add(rk)
        if isinstance(op, FieldSet):
            # A row's first version sets many fields and supersedes nothing: no superseded sets
            # are made for it (the hot path of a first sync).
            row_heads = self._heads.get(rk)
            if row_heads is None:
                row_heads = self._heads[rk] = {}
            preds, superseded_of, op_id = op.preds, self._superseded, op.op_id
            for name in op.values:
                heads = row_heads.get(name)
                if heads is None:
                    heads = row_heads[name] = set()
                pred = preds.get(name)
                if pred:
                    sup = superseded_of.setdefault((op.table, op.row_id, name), set())
                    sup.update(pred)
                    heads.difference_update(pred)
                elif superseded_of:
                    sup = superseded_of.get((op.table, op.row_id, name))
                else:
                    sup = None
                if sup is None or op_id not in sup:
                    heads.add(op_id)
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

    def _row_versions(self, rk: RowKey) -> set[str]:
        versions: set[str] = set(self._row_appends.get(rk, ()))
        for heads in self._heads.get(rk, {}).values():
            versions |= heads
        return versions

    def known_through(self) -> dict[str, int]:
        """Contiguous knowledge: incarnation -> the largest n such that every op 1..n of it is
        held here or covered by an absorbed snapshot. Unlike ``coverage`` (max seq seen, gaps
        possible), this is what a snapshot and a state file may claim: an op id within it that
        is not held here is known to be superseded."""
        out: dict[str, int] = {}
        for inc in set(self.covered) | set(self._max_seq):
            n = self.covered.get(inc, 0)
            while make_op_id(inc, n + 1) in self.ops:
                n += 1
            if n:
                out[inc] = n
        return out

    def snapshot_ops(self) -> list[Op]:
        """The live ops: every field head, every lifecycle head and every append, in
        (incarnation, seq) order. Together with ``known_through`` and ``superseded_hints`` they
        determine the state exactly (a replica absorbing them reaches this state)."""
        ids: set[str] = set()
        for row_heads in self._heads.values():
            for heads in row_heads.values():
                ids |= heads
        for heads in self._life_heads.values():
            ids |= heads
        for appends in self._row_appends.values():
            ids |= appends
        return [self.ops[i] for i in sorted(ids, key=_op_sort_key)]

    def _is_live(self, op: FieldSet) -> bool:
        """Whether a FieldSet is still the head of some field (so a snapshot carries it)."""
        row_heads = self._heads.get((op.table, op.row_id), {})
        return any(op.op_id in row_heads.get(name, ()) for name in op.values)

    def superseded_hints(self, coverage: Mapping[str, int]) -> list[Mark]:
        """Versions known here to be superseded that a snapshot of ``snapshot_ops`` must name.

        * Those whose ids ``coverage`` does not cover: the op that superseded such a version may
          be in a change file that compaction deletes (it is covered), while the superseded
          version itself is not covered and may still arrive later; without the hint it would
          come back as a head.
        * The superseded fields of live ops: an op still the head of one of its fields travels
          whole, and its other fields must not come back as heads where the op that superseded
          them is not held."""
        hints: set[Mark] = set()
        for (table, row_id, fname), sup in self._superseded.items():
            for i in sup:
                op = self.ops.get(i)
                if not is_covered(coverage, i) or (isinstance(op, FieldSet) and fname in op.values
                                                   and self._is_live(op)):
                    hints.add((table, row_id, fname, i))
        for (table, row_id), sup in self._life_superseded.items():
            hints.update((table, row_id, None, i) for i in sup if not is_covered(coverage, i))
        return sorted(hints, key=lambda m: (m[0], m[1], m[2] or "", m[3]))

    def superseded_marks(self) -> list[Mark]:
        """Persist with ``covered``: versions a snapshot showed to be superseded although the
        superseding op is not held here (restore with ``restore_absorbed`` or the constructor)."""
        return sorted(self._marks, key=lambda m: (m[0], m[1], m[2] or "", m[3]))

    def restore_absorbed(self, covered: Mapping[str, int], marks: Iterable[Mark] = ()) -> None:
        """Reinstate what absorbed snapshots taught (``covered`` and ``superseded_marks()``), e.g.
        after a restart. Call before or after re-loading held ops (``apply(..., from_store=True)``)."""
        for inc, seq in covered.items():
            if seq > self.covered.get(inc, 0):
                self.covered[inc] = seq
            if seq > self._max_seq.get(inc, 0):
                self._max_seq[inc] = seq
        self._add_marks(marks)

    def _add_marks(self, marks: Iterable[Mark]) -> list[str]:
        """Record versions as superseded; returns the held ops that stopped being heads."""
        dropped: list[str] = []
        for mark in marks:
            table, row_id, fname, op_id = mark
            rk = (table, row_id)
            if fname is None:
                sup = self._life_superseded.setdefault(rk, set())
                heads = self._life_heads.setdefault(rk, set())
            else:
                sup = self._superseded.setdefault((table, row_id, fname), set())
                heads = self._heads.setdefault(rk, {}).setdefault(fname, set())
            if mark in self._marks and op_id in sup:
                continue
            self._marks.add(mark)
            sup.add(op_id)
            if op_id in heads:
                heads.discard(op_id)
                dropped.append(op_id)
                self._dirty.add(rk)
        return dropped

    def marks_of(self, rows: Iterable[RowKey]) -> list[Mark]:
        """The marks worth keeping of these rows: of versions held here, or not covered (they
        may still arrive)."""
        keys = set(rows)
        return sorted((m for m in self._marks if (m[0], m[1]) in keys
                       and (m[3] in self.ops or not is_covered(self.covered, m[3]))),
                      key=lambda m: (m[0], m[1], m[2] or "", m[3]))
