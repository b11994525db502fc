"""Leads as export rows: exactly what ``lead_to_dict`` gives for each, in list order.

An export converts every field of every lead, so on SQLite one statement reads the matching
leads in display order, a chunk of rows at a time, and each stored value is turned into its
JSON-ready form directly (a UUID's hex into its canonical text, a stored UTC time into ISO 8601,
a stored flag into a bool), column by column, from the rows as the driver returns them: an ORM
object and a LeadRecord per lead were nine tenths of a CSV export's time, and SQLAlchemy's
per-value processing was a tenth of what was left. Any other database takes the general path
with the same result (a test compares both on varied leads).

The native CSV export reads its cells instead (csv_rows): SQLite itself turns each value into
the text write_csv would write, the formula guard of app/exporters/spreadsheet_safety included,
so the rows go to the csv module as the driver returns them; only the rows with a review
reason (which takes Python to read) are finished here and checked again by the writer. Reading
and converting in Python took as long again as the csv module's writing.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator, Sequence
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
from sqlalchemy.orm import Session, aliased

from app.domain.leads import LeadQuery
from app.domain.review import reason_text
from app.domain.serialise import lead_keys, lead_to_dict
from app.exporters.spreadsheet_safety import PHONE_COLUMNS, RISKY_FIRST_CHARACTERS
from app.storage.orm import Event, Lead, Queue, Team, User
from app.storage.orm.base import UTCDateTime
from app.storage.repositories.leads import LeadRepository

# A chunk of rows, and the positions of those the writer must still check for formula-like text.
RowChunk = tuple[list[Sequence[Any]], list[int]]

_owner, _event = aliased(User, name="export_owner"), aliased(Event, name="export_event")
_team, _queue = aliased(Team, name="export_team"), aliased(Queue, name="export_queue")
_NAMES: dict[str, Any] = {
    "event": _event.name, "owner": _owner.email, "owner_name": _owner.name, "team": _team.name,
    "queue": _queue.name,
}
_UUIDS = frozenset({"id", "event_id", "owner_id", "team_id", "queue_id", "captured_by_id",
                    "merged_into_id", "device_id"})
_RISKY_CODES = sorted(ord(character) for character in RISKY_FIRST_CHARACTERS)
# An international phone number as spreadsheet_safety.looks_like_phone reads it: "+", a digit,
# then digits and separators only, five digits at least, ASCII only (so no NUL hides the rest).
_AT_LEAST_FIVE_DIGITS = "+[0-9]*[0-9]*[0-9]*[0-9]*[0-9]*"
_NOT_A_PHONE_CHARACTER = "?*[^0-9 ()./-]*"


def _iso_utc(stored: str) -> str:
    """A stored UTC time ('2026-11-02 08:00:00.250000') as datetime.isoformat() writes the
    aware time ('2026-11-02T08:00:00.250000+00:00'; no fraction when it is zero)."""
    fraction = stored[20:26]
    if fraction and fraction != "000000":
        return f"{stored[:10]}T{stored[11:19]}.{fraction}+00:00"
    return f"{stored[:10]}T{stored[11:19]}+00:00"


class _UuidTexts(dict[str, str]):
    """The canonical text of UUIDs stored as 32 hex digits, each worked out once: owners,
    events, teams and devices repeat on thousands of leads."""

    def __missing__(self, stored: str) -> str:
        text = _uuid_text(stored)
        if len(self) < 10_000:  # a bound, so an export's memory stays flat
            self[stored] = text
        return text


def _uuid_text(stored: str) -> str:
    return f"{stored[:8]}-{stored[8:12]}-{stored[12:16]}-{stored[16:20]}-{stored[20:]}"


def _selected(key: str) -> Any:
    """What the statement reads for ``key``: names as text ('' when missing); every other
    column as stored (flags and numbers as the integers SQLite holds, the rest as text)."""
    if key in _NAMES:
        return func.coalesce(_NAMES[key], "")
    column = Lead.__table__.c[key]
    if isinstance(column.type, Boolean | Integer):
        return type_coerce(column, Integer)
    return type_coerce(column, String)


def _guarded(value: Any, cell: Any = None) -> Any:
    """``cell`` (``value`` unless given) with neutralise's apostrophe when ``value`` begins
    like a formula (see app/exporters/spreadsheet_safety)."""
    cell = value if cell is None else cell
    return case((func.unicode(value).in_(_RISKY_CODES), "'" + cell), else_=cell)


def _csv_cell(key: str) -> Any:
    """The native CSV export's cell for ``key``: what csv_layouts.write_csv makes of the
    ``lead_to_dict`` value, worked out by SQLite (numbers stay numbers, the review reason is
    converted afterwards)."""
    value = _selected(key)
    if key in _NAMES:
        return _guarded(value)
    column_type = Lead.__table__.c[key].type
    if isinstance(column_type, Boolean):
        return case((value != 0, "True"), (value == 0, "False"))
    if isinstance(column_type, Integer) or key == "review_reason":
        return value
    if key in _UUIDS:  # 32 hex digits: the canonical text, as _uuid_text writes it
        dashed = (func.substr(value, 1, 8) + "-" + func.substr(value, 9, 4) + "-"
                  + func.substr(value, 13, 4) + "-" + func.substr(value, 17, 4) + "-"
                  + func.substr(value, 21))
        return _guarded(value, case((value != "", dashed), else_=value))
    if isinstance(column_type, UTCDateTime):  # as _iso_utc writes what SQLAlchemy stores
        iso = case((value.like("%.000000"), func.replace(func.substr(value, 1, 19), " ", "T")),
                   else_=func.replace(value, " ", "T")) + "+00:00"
        return _guarded(value, case((value != "", iso), else_=value))
    if key in PHONE_COLUMNS:  # an international phone number stays as it is
        phone = (value.op("GLOB", is_comparison=True)(_AT_LEAST_FIVE_DIGITS)
                 & value.op("NOT GLOB", is_comparison=True)(_NOT_A_PHONE_CHARACTER)
                 & (func.length(value) == func.length(cast(value, LargeBinary))))
        return case((func.unicode(value).in_(_RISKY_CODES) & ~phone, "'" + value), else_=value)
    return _guarded(value)


def _converters(keys: tuple[str, ...]) -> list[tuple[int, Any]]:
    """(position, conversion) for the values that are not yet lead_to_dict's; a conversion
    takes the non-empty values (None and '' stay as they are)."""
    uuid_texts = _UuidTexts()
    found: list[tuple[int, Any]] = []
    for position, key in enumerate(keys):
        if key == "id":
            found.append((position, _uuid_text))  # unique per lead: nothing to remember
        elif key in _UUIDS:
            found.append((position, uuid_texts.__getitem__))
        elif key in _NAMES:
            continue
        elif isinstance(Lead.__table__.c[key].type, UTCDateTime):
            found.append((position, _iso_utc))
        elif key == "review_reason":
            found.append((position, reason_text))
    return found


def _flag_positions(keys: tuple[str, ...]) -> list[int]:
    return [n for n, key in enumerate(keys)
            if key not in _NAMES and isinstance(Lead.__table__.c[key].type, Boolean)]


@functools.cache
def _statement(export_keys: tuple[str, ...], csv_cells: bool) -> Any:
    cell = _csv_cell if csv_cells else _selected
    return (select(*(cell(key).label(f"export_{n}") for n, key in enumerate(export_keys)))
            .select_from(Lead)
            .outerjoin(_owner, _owner.id == Lead.owner_id)
            .outerjoin(_event, _event.id == Lead.event_id)
            .outerjoin(_team, _team.id == Lead.team_id)
            .outerjoin(_queue, _queue.id == Lead.queue_id))


class ExportRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def lead_dicts(self, query: LeadQuery, now: dt.datetime, chunk: int
                   ) -> Iterator[list[dict[str, Any]]]:
        """``lead_to_dict`` of every lead the query lists, in list order, ``chunk`` at a time."""
        keys = lead_keys()
        if self.session.get_bind().dialect.name != "sqlite":
            leads = LeadRepository(self.session)
            ordered = leads.ordered_keys(query, now)
            for start in range(0, len(ordered), chunk):
                yield [lead_to_dict(r) for r in leads.records_for_keys(ordered[start:start + chunk])]
            return
        converters, flags = _converters(keys), _flag_positions(keys)
        for rows in self._fetched(_statement(keys, False), query, now, chunk):
            # Column by column: one tight loop per converted column instead of one per value.
            columns = list(zip(*rows, strict=True))
            for position, convert in converters:
                columns[position] = tuple([convert(v) if v else v for v in columns[position]])
            for position in flags:
                columns[position] = tuple([None if v is None else bool(v)
                                           for v in columns[position]])
            yield [dict(zip(keys, values, strict=True)) for values in zip(*columns, strict=True)]

    def csv_rows(self, query: LeadQuery, now: dt.datetime, chunk: int) -> Iterator[RowChunk]:
        """The cells of the native CSV export (every ``lead_keys()`` column), ``chunk`` leads at
        a time: what write_csv makes of ``lead_dicts``, text that begins like a formula already
        neutralised, but in the rows listed with each chunk (those the writer still checks:
        all of them on databases other than SQLite)."""
        keys = lead_keys()
        if self.session.get_bind().dialect.name != "sqlite":
            for dicts in self.lead_dicts(query, now, chunk):
                yield [tuple(lead[key] for key in keys) for lead in dicts], list(range(len(dicts)))
            return
        reason = keys.index("review_reason")
        for rows in self._fetched(_statement(keys, True), query, now, chunk):
            # Review reasons are few and need Python to be read: those rows are done here.
            marked = [n for n, row in enumerate(rows) if row[reason]]
            for n in marked:
                cells = list(rows[n])
                cells[reason] = reason_text(cells[reason])
                rows[n] = tuple(cells)
            yield rows, marked

    def _fetched(self, statement: Any, query: LeadQuery, now: dt.datetime, chunk: int
                 ) -> Iterator[list[Sequence[Any]]]:
        """The rows of ``statement`` for the query's leads in list order, ``chunk`` at a time,
        as the driver returns them: no column needs SQLAlchemy's per-value processing, which
        was a tenth of an export's time."""
        result = self.session.connection().execute(LeadRepository.in_list_order(statement, query,
                                                                                 now))
        try:
            while rows := result.cursor.fetchmany(chunk):
                yield rows
        finally:
            result.close()
