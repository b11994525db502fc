"""Leads as export rows: exactly what ``lead_to_dict`` gives for each, in list order.

An export converts every field of every lead, so on SQLite one statement reads the matching
leads in display order, a chunk of rows at a time, and each stored value is turned into its
JSON-ready form directly (a UUID's hex into its canonical text, a stored UTC time into ISO 8601,
a stored flag into a bool), column by column, from the rows as the driver returns them: an ORM
object and a LeadRecord per lead were nine tenths of a CSV export's time, and SQLAlchemy's
per-value processing was a tenth of what was left. Any other database takes the general path
with the same result (a test compares both on varied leads).

The native CSV export reads its text instead (csv_text): on SQLite, lines SQLite itself writes
(see export_lines); elsewhere the csv module's lines of lead_dicts.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Boolean, bindparam
from sqlalchemy.orm import Session

from app.domain.leads import LeadQuery
from app.domain.review import reason_text
from app.domain.serialise import lead_keys, lead_to_dict
from app.exporters.spreadsheet_safety import PHONE_COLUMNS
from app.storage.orm import Lead
from app.storage.orm.base import UTCDateTime
from app.storage.repositories.export_cells import NAMES, UUIDS, cells_statement
from app.storage.repositories.export_lines import chunk_text, csv_lines, line_statement
from app.storage.repositories.leads import LeadRepository

# A chunk of the native CSV export: its lines (each ending in CRLF) and how many leads they hold.
CsvText = tuple[str, int]


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


def _converters(keys: tuple[str, ...]) -> list[tuple[int, Any]]:
    """(position, conversion) for the values that are not yet lead_to_dict's; a conversion
    takes the non-empty values (None and '' stay as they are)."""
    uuid_texts = _UuidTexts()
    found: list[tuple[int, Any]] = []
    for position, key in enumerate(keys):
        if key == "id":
            found.append((position, _uuid_text))  # unique per lead: nothing to remember
        elif key in UUIDS:
            found.append((position, uuid_texts.__getitem__))
        elif key in NAMES:
            continue
        elif isinstance(Lead.__table__.c[key].type, UTCDateTime):
            found.append((position, _iso_utc))
        elif key == "review_reason":
            found.append((position, reason_text))
    return found


def _flag_positions(keys: tuple[str, ...]) -> list[int]:
    return [n for n, key in enumerate(keys)
            if key not in NAMES and isinstance(Lead.__table__.c[key].type, Boolean)]


@functools.cache
def _cells_of_leads(keys: tuple[str, ...]) -> Any:
    return (cells_statement(keys, True).add_columns(Lead.key)
            .where(Lead.key.in_(bindparam("leads", expanding=True))))


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
        for rows in self._fetched(cells_statement(keys, False), query, now, chunk):
            # Column by column: one tight loop per converted column instead of one per value.
            columns = list(zip(*rows, strict=True))
            for position, convert in converters:
                columns[position] = tuple([convert(v) if v else v for v in columns[position]])
            for position in flags:
                columns[position] = tuple([None if v is None else bool(v)
                                           for v in columns[position]])
            yield [dict(zip(keys, values, strict=True)) for values in zip(*columns, strict=True)]

    def csv_text(self, query: LeadQuery, now: dt.datetime, chunk: int) -> Iterator[CsvText]:
        """The lines of the native CSV export (every ``lead_keys()`` column) for the leads the
        query lists, ``chunk`` leads at a time: what write_csv makes of ``lead_dicts``."""
        keys = lead_keys()
        phones = [key in PHONE_COLUMNS for key in keys]
        if self.session.get_bind().dialect.name != "sqlite":
            for dicts in self.lead_dicts(query, now, chunk):
                lines = csv_lines([tuple(lead[key] for key in keys) for lead in dicts], phones)
                yield "".join(lines), len(dicts)
            return
        for rows in self._fetched(line_statement(keys), query, now, chunk):
            yield chunk_text(rows, lambda leads: self._cell_lines(leads, phones)), len(rows)

    def _cell_lines(self, leads: list[int], phones: Sequence[bool]) -> list[str]:
        """The CSV lines of these leads (by local key), in this order, from their cells
        (export_cells.csv_cell): review reasons read here, as the driver returns the rest."""
        keys = lead_keys()
        reason = keys.index("review_reason")
        result = self.session.connection().execute(_cells_of_leads(keys), {"leads": leads})
        by_key: dict[int, list[Any]] = {}
        for *cells, key in result.cursor.fetchall():
            if cells[reason]:
                cells[reason] = reason_text(cells[reason])
            by_key[key] = cells
        return csv_lines([by_key[key] for key in leads], phones)

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
