"""The export's columns as SQL: what SQLite reads for each ``lead_to_dict`` value, and the
native CSV export's cell for it, worked out by SQLite (see exports and export_lines)."""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import (
    Boolean,
    Integer,
    LargeBinary,
    String,
    case,
    cast,
    func,
    select,
    type_coerce,
)
from sqlalchemy.orm import aliased

from app.exporters.spreadsheet_safety import PHONE_COLUMNS, RISKY_FIRST_CHARACTERS
from app.storage.orm import Event, Lead, Queue, Team, User
from app.storage.orm.base import UTCDateTime

_owner, _event = aliased(User, name="export_owner"), aliased(Event, name="export_event")
_team, _queue = aliased(Team, name="export_team"), aliased(Queue, name="export_queue")
NAMES: dict[str, Any] = {
    "event": _event.name, "owner": _owner.email, "owner_name": _owner.name, "team": _team.name,
    "queue": _queue.name,
}
UUIDS = frozenset({"id", "event_id", "owner_id", "team_id", "queue_id", "captured_by_id",
                   "merged_into_id", "device_id"})
_RISKY_CODES = sorted(ord(character) for character in RISKY_FIRST_CHARACTERS)
# An international phone number as spreadsheet_safety.looks_like_phone reads it: "+", a digit,
# then digits and separators only, five digits at least, ASCII only (so no NUL hides the rest).
_AT_LEAST_FIVE_DIGITS = "+[0-9]*[0-9]*[0-9]*[0-9]*[0-9]*"
_NOT_A_PHONE_CHARACTER = "?*[^0-9 ()./-]*"


def selected(key: str) -> Any:
    """What the statement reads for ``key``: names as text ('' when missing); every other
    column as stored (flags and numbers as the integers SQLite holds, the rest as text)."""
    if key in NAMES:
        return func.coalesce(NAMES[key], "")
    column = Lead.__table__.c[key]
    if isinstance(column.type, Boolean | Integer):
        return type_coerce(column, Integer)
    return type_coerce(column, String)


def guarded(value: Any, cell: Any = None) -> Any:
    """``cell`` (``value`` unless given) with neutralise's apostrophe when ``value`` begins
    like a formula (see app/exporters/spreadsheet_safety)."""
    cell = value if cell is None else cell
    return case((func.unicode(value).in_(_RISKY_CODES), "'" + cell), else_=cell)


def csv_cell(key: str) -> Any:
    """The native CSV export's cell for ``key``: what csv_layouts.write_csv makes of the
    ``lead_to_dict`` value, worked out by SQLite (numbers stay numbers, the review reason is
    converted afterwards)."""
    value = selected(key)
    if key in NAMES:
        return guarded(value)
    column_type = Lead.__table__.c[key].type
    if isinstance(column_type, Boolean):
        return case((value != 0, "True"), (value == 0, "False"))
    if isinstance(column_type, Integer) or key == "review_reason":
        return value
    # Ids and times need no formula guard: SQLAlchemy stores them as hex digits and as dates.
    if key in UUIDS:
        return uuid_cell(value)
    if isinstance(column_type, UTCDateTime):  # as exports._iso_utc writes what SQLAlchemy stores
        iso = case((value.like("%.000000"), func.replace(func.substr(value, 1, 19), " ", "T")),
                   else_=func.replace(value, " ", "T")) + "+00:00"
        return case((value != "", iso), else_=value)
    if key in PHONE_COLUMNS:  # an international phone number stays as it is
        phone = (value.op("GLOB", is_comparison=True)(_AT_LEAST_FIVE_DIGITS)
                 & value.op("NOT GLOB", is_comparison=True)(_NOT_A_PHONE_CHARACTER)
                 & (func.length(value) == func.length(cast(value, LargeBinary))))
        return case((func.unicode(value).in_(_RISKY_CODES) & ~phone, "'" + value), else_=value)
    return guarded(value)


def uuid_cell(value: Any) -> Any:
    """32 hex digits as their canonical text, as exports._uuid_text writes it."""
    dashed = func.printf("%.8s-%.4s-%.4s-%.4s-%s", value, func.substr(value, 9),
                         func.substr(value, 13), func.substr(value, 17), func.substr(value, 21))
    return case((value != "", dashed), else_=value)


@functools.cache
def cells_statement(export_keys: tuple[str, ...], csv_cells: bool) -> Any:
    cell = csv_cell if csv_cells else selected
    return _joined(select(*(cell(key).label(f"export_{n}") for n, key in enumerate(export_keys))))


def _joined(statement: Any) -> Any:
    return (statement.select_from(Lead)
            .outerjoin(_owner, _owner.id == Lead.owner_id)
            .outerjoin(_event, _event.id == Lead.event_id)
            .outerjoin(_team, _team.id == Lead.team_id)
            .outerjoin(_queue, _queue.id == Lead.queue_id))
