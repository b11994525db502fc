"""Conflict detection: a row's displayed values and conflicts, read from its heads (SYNC.md 4.9-4.10).

One head of a field: its value. Several: a field conflict, the head with the greatest (HLC, op
id) is displayed. A lifecycle-head delete whose ``pred`` does not cover every version of the row
leaves it alive and flagged "edited while deleted".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.sync.clock import Timestamp
from app.sync.ops import Append, FieldSet, Op, RowDelete

FIELD_CONFLICT = "field"
EDIT_VS_DELETE = "edited_while_deleted"


@dataclass(frozen=True, slots=True)
class Conflict:
    table: str
    row_id: str
    field: str | None  # None for an edit-vs-delete conflict on the whole row
    heads: tuple[str, ...]  # op ids; for a field conflict the displayed head comes first
    kind: str = FIELD_CONFLICT


@dataclass(slots=True)
class RowState:
    """A row as displayed: alive or deleted, its values and its open conflicts."""

    alive: bool
    values: dict[str, Any]
    conflicts: list[Conflict]


def op_order(op: Op) -> tuple[Timestamp, str]:
    """The order of heads: the greatest (HLC, op id) is displayed."""
    return (op.hlc, op.op_id)


def materialise_row(table: str, row_id: str, ops: Mapping[str, Op], field_heads: Mapping[str, set[str]],
                    appends: set[str] | None, life_heads: set[str] | None) -> RowState:
    """A row's displayed values and conflicts from its heads: ``field_heads`` (field -> the
    versions nobody superseded), its ``appends`` and its lifecycle heads (``life_heads``);
    ``ops`` holds every op they name."""
    deletes = [op for i in life_heads if isinstance(op := ops[i], RowDelete)] if life_heads else []
    values: dict[str, Any] = {}
    if appends:
        for append_id in sorted(appends, key=lambda i: op_order(ops[i])):
            app = ops[append_id]
            assert isinstance(app, Append)
            values.update(app.values)
    conflicts: list[Conflict] = []
    for f in sorted(field_heads):
        ids = field_heads[f]
        if not ids:  # only possible with a malformed pred cycle
            continue
        if len(ids) == 1:
            winner = ops[next(iter(ids))]
        else:
            heads = sorted((ops[i] for i in ids), key=op_order, reverse=True)
            winner = heads[0]
            conflicts.append(Conflict(table, row_id, f, tuple(h.op_id for h in heads)))
        assert isinstance(winner, FieldSet)
        values[f] = winner.values[f]
    alive = True
    if deletes:
        versions = set(appends or ()).union(*field_heads.values())
        alive = not any(versions.issubset(d.pred) for d in deletes)
        if alive:
            covered: set[str] = set().union(*(d.pred for d in deletes))
            heads_ids = sorted(d.op_id for d in deletes) + sorted(versions - covered)
            conflicts.append(Conflict(table, row_id, None, tuple(heads_ids), EDIT_VS_DELETE))
    return RowState(alive, values, conflicts if alive else [])
