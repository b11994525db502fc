"""The change model: immutable, JSON-serialisable ops (SYNC.md section 4.4).

Every op has a globally unique ``op_id`` = ``"<incarnation>:<seq>"`` (dense ``seq`` per incarnation,
so coverage is a vector ``{incarnation: max_seq}``). Supersession is explicit: ``pred`` lists the
ids of the versions the author had on screen; the HLC only orders truly concurrent versions.

One edit of a row is one FieldSet carrying every field it changed (a row captured for the first
time: all of them), each field with its own ``pred``; the merge stays per field. Format 1 wrote
one FieldSet per field (``f``, ``v``, ``p``); it is still read, as a FieldSet of one field.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.sync.clock import Timestamp

# JSON scalars (and, for appends, flat dicts of them). Money travels as a decimal string, dates as
# ISO strings: floats are allowed by JSON but never used for money (SYNC.md 4.4).
JSONValue = Any


class OpFormatError(ValueError):
    """An op dict that does not describe a valid op (bad kind, missing key, wrong type)."""


def make_op_id(incarnation: str, seq: int) -> str:
    return f"{incarnation}:{seq}"


def split_op_id(op_id: str) -> tuple[str, int]:
    inc, _, seq = op_id.rpartition(":")
    if not inc or not seq.isdigit():
        raise OpFormatError(f"malformed op id {op_id!r}")
    return inc, int(seq)


@dataclass(frozen=True, slots=True)
class FieldVersion:
    """One field's version inside a FieldSet: what the review inbox and the merge compare."""

    op_id: str
    table: str
    row_id: str
    field: str
    value: JSONValue
    hlc: Timestamp
    pred: tuple[str, ...] = ()
    resolve: bool = False


@dataclass(frozen=True, slots=True)
class FieldSet:
    """A new version of some fields of one row, all written at once (one edit, one capture).

    ``values`` maps each field to its new value; ``preds[field]`` = the versions of that field
    the writer had seen (normalised: sorted, no duplicates, fields without any left out, so a
    row's first version carries no preds at all; read them with ``pred``). The merge is
    per field: the op is a version of each of its fields, identified by the op id within the
    field's key, superseded field by field. A resolution of a conflict is a FieldSet whose pred
    lists every conflicting head; ``resolve`` only tags it for the history/UI.
    """

    op_id: str
    table: str
    row_id: str
    values: Mapping[str, JSONValue]
    hlc: Timestamp
    preds: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    resolve: bool = False

    def __post_init__(self) -> None:
        if not self.values:
            raise OpFormatError(f"op {self.op_id} sets no field")
        unknown = set(self.preds) - set(self.values)
        if unknown:
            raise OpFormatError(f"op {self.op_id} has a pred for fields it does not set: {sorted(unknown)}")
        object.__setattr__(self, "values", dict(self.values))
        object.__setattr__(self, "preds", {
            name: tuple(sorted(set(pred))) for name, pred in sorted(self.preds.items()) if pred})

    def pred(self, field_name: str) -> tuple[str, ...]:
        return self.preds.get(field_name, ())

    @classmethod
    def single(cls, op_id: str, table: str, row_id: str, field_name: str, value: JSONValue,
               hlc: Timestamp, pred: tuple[str, ...] = (), resolve: bool = False) -> FieldSet:
        return cls(op_id, table, row_id, {field_name: value}, hlc, {field_name: pred}, resolve)

    def version(self, field_name: str) -> FieldVersion:
        return FieldVersion(self.op_id, self.table, self.row_id, field_name, self.values[field_name],
                            self.hlc, self.pred(field_name), self.resolve)


@dataclass(frozen=True, slots=True)
class RowDelete:
    """Soft delete. ``pred`` = every field version, append and lifecycle op the deleter had seen
    for the row; an unseen (concurrent) version keeps the row alive and flagged."""

    op_id: str
    table: str
    row_id: str
    hlc: Timestamp
    pred: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RowRestore:
    """"Keep" after a delete: supersedes the deletes listed in ``pred`` (SYNC.md 4.10 restore)."""

    op_id: str
    table: str
    row_id: str
    hlc: Timestamp
    pred: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Append:
    """An immutable row of an append-only table (activities, history): merged by union."""

    op_id: str
    table: str
    row_id: str
    values: Mapping[str, JSONValue] = field(default_factory=dict)
    hlc: Timestamp = Timestamp(0, 0, "")


Op = FieldSet | RowDelete | RowRestore | Append

_KINDS: dict[type, str] = {FieldSet: "set", RowDelete: "del", RowRestore: "restore", Append: "app"}


def op_to_dict(op: Op) -> dict[str, JSONValue]:
    """Canonical JSON-ready dict (short keys: change files hold many thousands of ops).

    A FieldSet is written in the format-2 form (``v``: field -> value, ``p``: field -> pred, for
    fields with a pred only); ``op_from_dict`` also reads format 1 (one field: ``f``, ``v``, ``p``).
    """
    d: dict[str, JSONValue] = {
        "k": _KINDS[type(op)],
        "id": op.op_id,
        "t": op.table,
        "r": op.row_id,
        "h": op.hlc.encode(),
    }
    if isinstance(op, FieldSet):
        d["v"] = dict(op.values)
        if op.preds:
            d["p"] = {name: list(pred) for name, pred in op.preds.items()}
        if op.resolve:
            d["res"] = True
    elif isinstance(op, RowDelete | RowRestore):
        d["p"] = list(op.pred)
    else:
        d["v"] = dict(op.values)
    return d


def _str(d: Mapping[str, Any], key: str) -> str:
    value = d.get(key)
    if not isinstance(value, str) or not value:
        raise OpFormatError(f"op field {key!r} must be a non-empty string, got {value!r}")
    return value


def _pred_list(pred: Any) -> tuple[str, ...]:
    if not isinstance(pred, list) or not all(isinstance(p, str) for p in pred):
        raise OpFormatError(f"op pred must be a list of op ids, got {pred!r}")
    # Sorted so that two encodings of the same op compare equal (collision check in merge).
    return tuple(sorted(set(pred)))


def _field_set(d: Mapping[str, Any], op_id: str, table: str, row_id: str, hlc: Timestamp) -> FieldSet:
    resolve = bool(d.get("res", False))
    if "f" in d:  # format 1: one field per op
        if "v" not in d:
            raise OpFormatError("set op without a value")
        return FieldSet.single(op_id, table, row_id, _str(d, "f"), d["v"], hlc,
                               _pred_list(d.get("p", [])), resolve)
    values, preds = d.get("v"), d.get("p", {})
    if not isinstance(values, dict) or not values or not all(isinstance(k, str) and k for k in values):
        raise OpFormatError("set op values must be a non-empty object of fields")
    if not isinstance(preds, dict):
        raise OpFormatError("set op preds must be an object of fields")
    return FieldSet(op_id, table, row_id, values, hlc,
                    {name: _pred_list(pred) for name, pred in preds.items()}, resolve)


def op_from_dict(d: Mapping[str, Any]) -> Op:
    if not isinstance(d, Mapping):
        raise OpFormatError(f"op must be an object, got {type(d).__name__}")
    kind = d.get("k")
    op_id = _str(d, "id")
    split_op_id(op_id)
    table, row_id = _str(d, "t"), _str(d, "r")
    try:
        hlc = Timestamp.decode(_str(d, "h"))
    except ValueError as exc:
        raise OpFormatError(str(exc)) from exc
    if kind == "set":
        return _field_set(d, op_id, table, row_id, hlc)
    if kind == "del":
        return RowDelete(op_id, table, row_id, hlc, _pred_list(d.get("p", [])))
    if kind == "restore":
        return RowRestore(op_id, table, row_id, hlc, _pred_list(d.get("p", [])))
    if kind == "app":
        values = d.get("v")
        if not isinstance(values, dict):
            raise OpFormatError("append op values must be an object")
        return Append(op_id, table, row_id, dict(values), hlc)
    raise OpFormatError(f"unknown op kind {kind!r}")


def encode_op(op: Op) -> str:
    """The canonical text of an op: one line of a change file, a snapshot and the local log."""
    return json.dumps(op_to_dict(op), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
