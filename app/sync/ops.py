"""The change model: immutable, JSON-serialisable ops (SYNC.md section 4.4).

Every op has a globally unique ``op_id`` = ``"<incarnation>:<seq>"`` (dense ``seq`` per incarnation,
so coverage is a vector ``{incarnation: max_seq}``). Supersession is explicit: ``pred`` lists the
ids of the versions the author had on screen; the HLC only orders truly concurrent versions.
"""

from __future__ import annotations

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
class FieldSet:
    """A new version of one field. ``pred`` = the versions of that field the writer had seen.

    A resolution of a conflict is a FieldSet whose ``pred`` lists every conflicting head;
    ``resolve`` only tags it for the history/UI, the merge treats it like any other write.
    """

    op_id: str
    table: str
    row_id: str
    field: str
    value: JSONValue
    hlc: Timestamp
    pred: tuple[str, ...] = ()
    resolve: bool = False


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
    """Canonical JSON-ready dict (short keys: change files hold many thousands of ops)."""
    d: dict[str, JSONValue] = {
        "k": _KINDS[type(op)],
        "id": op.op_id,
        "t": op.table,
        "r": op.row_id,
        "h": op.hlc.encode(),
    }
    if isinstance(op, FieldSet):
        d["f"] = op.field
        d["v"] = op.value
        d["p"] = list(op.pred)
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


def _pred(d: Mapping[str, Any]) -> tuple[str, ...]:
    pred = d.get("p", [])
    if not isinstance(pred, list) or not all(isinstance(p, str) for p in pred):
        raise OpFormatError(f"op pred must be a list of op ids, got {pred!r}")
    # Sorted so that two encodings of the same op compare equal (collision check in merge).
    return tuple(sorted(set(pred)))


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
        if "v" not in d:
            raise OpFormatError("set op without a value")
        return FieldSet(op_id, table, row_id, _str(d, "f"), d["v"], hlc, _pred(d), bool(d.get("res", False)))
    if kind == "del":
        return RowDelete(op_id, table, row_id, hlc, _pred(d))
    if kind == "restore":
        return RowRestore(op_id, table, row_id, hlc, _pred(d))
    if kind == "app":
        values = d.get("v")
        if not isinstance(values, dict):
            raise OpFormatError("append op values must be an object")
        return Append(op_id, table, row_id, dict(values), hlc)
    raise OpFormatError(f"unknown op kind {kind!r}")
