"""Rows as SQLite stores them for bulk writes: the stored text formats and each table's column spec.

The format is identical to what SQLAlchemy writes, so every ORM read still works:

* ``Uuid`` columns: 32 lower-case hex digits without dashes (``uuid.hex``);
* ``DateTime`` columns: naive UTC text ``YYYY-MM-DD HH:MM:SS.ffffff`` (aware values required,
  exactly like ``orm.UTCDateTime``);
* ``Date`` columns: ``YYYY-MM-DD``; ``Boolean``: 0/1; ``Enum``: the member's ``value``.

Column names, defaults and conversions are read from the ORM tables, so a column added in
``app/storage/orm`` is picked up here without edits.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum as PyEnum
from operator import itemgetter
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Enum, Table, Uuid

from app.storage.orm import Base, UTCDateTime

# Parents before children, so foreign keys hold at every statement.
TABLES: tuple[str, ...] = ("team", "user", "queue", "event", "import_batch", "lead", "task",
                           "activity", "answer")

# Columns SQLite fills in itself (the lead's rowid alias ``key``).
_AUTOMATIC = {"lead": frozenset({"key"})}

Row = Mapping[str, Any]
Converter = Callable[[Any], Any]

_REQUIRED = object()
_UUID = uuid.UUID
_UTC = dt.UTC


def _uuid_text(value: Any) -> str:
    if value.__class__ is not _UUID:
        raise TypeError(f"expected a uuid.UUID, got {value!r}")
    return str(value.hex)


def _utc_text(value: Any) -> str:
    if not isinstance(value, dt.datetime):
        raise TypeError(f"expected a datetime, got {value!r}")
    if value.tzinfo is None:
        raise ValueError("naive datetime given to a UTC column")
    return value.astimezone(_UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


# Public names for other raw-connection paths (re-scoring, routing) that write the same format.
uuid_text = _uuid_text
utc_text = _utc_text


def parse_utc_text(text: str | None) -> dt.datetime | None:
    """The reverse of ``utc_text``: stored naive UTC text to an aware datetime."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=_UTC) if text else None


def _date_text(value: Any) -> str:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise TypeError(f"expected a datetime.date, got {value!r}")
    return value.isoformat()


def _bool_int(value: Any) -> int:
    return 1 if value else 0


def _enum_text(allowed: frozenset[str]) -> Converter:
    def convert(value: Any) -> str:
        text = value.value if isinstance(value, PyEnum) else value
        if text not in allowed:
            raise ValueError(f"'{value}' is not one of {sorted(allowed)}")
        return str(text)

    return convert


def _converter(column_type: Any) -> Converter | None:
    """The bind conversion SQLAlchemy would apply to this column type on SQLite, or None."""
    if isinstance(column_type, Uuid):
        return _uuid_text
    if isinstance(column_type, UTCDateTime | DateTime):
        return _utc_text
    if isinstance(column_type, Date):
        return _date_text
    if isinstance(column_type, Boolean):
        return _bool_int
    if isinstance(column_type, Enum):
        return _enum_text(frozenset(column_type.enums))
    return None


@dataclass(frozen=True)
class TableSpec:
    """Everything needed to turn mappings into parameter lists for one table.

    ``converters`` is the checked, one-value-at-a-time definition; the index tuples below
    drive the inlined fast path in :meth:`BulkWriter.convert`, which must agree with it
    (tests compare both against rows written by the ORM).
    """

    name: str
    columns: tuple[str, ...]
    defaults: dict[str, Any]
    required: frozenset[str]
    converters: tuple[tuple[int, Converter], ...]
    uuids: tuple[int, ...]
    stamps: tuple[int, ...]
    dates: tuple[int, ...]
    flags: tuple[int, ...]
    enums: tuple[tuple[int, dict[str, str]], ...]
    statement: str

    @classmethod
    def of(cls, table: Table) -> TableSpec:
        skip = _AUTOMATIC.get(table.name, frozenset())
        columns = tuple(c for c in table.columns if c.name not in skip)
        defaults: dict[str, Any] = {}
        converters: list[tuple[int, Converter]] = []
        kinds: dict[Converter, list[int]] = {_uuid_text: [], _utc_text: [], _date_text: [],
                                             _bool_int: []}
        enums: list[tuple[int, dict[str, str]]] = []
        for index, column in enumerate(columns):
            default = column.default
            if default is not None and default.is_scalar:
                defaults[column.name] = default.arg  # type: ignore[attr-defined]
            elif column.server_default is not None:
                defaults[column.name] = column.server_default.arg  # type: ignore[attr-defined]
            elif column.nullable:
                defaults[column.name] = None
            else:  # includes ``id``: its default (new_id) is random, callers must choose ids
                defaults[column.name] = _REQUIRED
            convert = _converter(column.type)
            if convert is None:
                continue
            converters.append((index, convert))
            if convert in kinds:
                kinds[convert].append(index)
            else:  # StrEnum members hash and compare like their values: one dict serves both
                enums.append((index, {v: v for v in column.type.enums}))  # type: ignore[attr-defined]
        names = tuple(c.name for c in columns)
        quoted = ", ".join(f'"{n}"' for n in names)
        marks = ", ".join("?" for _ in names)
        return cls(
            name=table.name, columns=names,
            defaults={k: v for k, v in defaults.items() if v is not _REQUIRED},
            required=frozenset(k for k, v in defaults.items() if v is _REQUIRED),
            converters=tuple(converters), uuids=tuple(kinds[_uuid_text]),
            stamps=tuple(kinds[_utc_text]), dates=tuple(kinds[_date_text]),
            flags=tuple(kinds[_bool_int]), enums=tuple(enums),
            statement=f'INSERT INTO "{table.name}" ({quoted}) VALUES ({marks})',
        )

    def checked(self, row: Row) -> list[Any]:
        """The slow path: convert one row value by value, naming the column that fails."""
        values = list(itemgetter(*self.columns)({**self.defaults, **row}))
        for index, convert in self.converters:
            if values[index] is not None:
                try:
                    values[index] = convert(values[index])
                except (TypeError, ValueError) as exc:
                    raise ValueError(f"{self.name}.{self.columns[index]}: {exc}") from None
        return values


_SPECS: dict[str, TableSpec] = {name: TableSpec.of(Base.metadata.tables[name]) for name in TABLES}


def table_spec(table: str) -> TableSpec:
    try:
        return _SPECS[table]
    except KeyError:
        raise ValueError(f"bulk writes support {', '.join(TABLES)}, not '{table}'") from None
