"""The native CSV export's lines as SQLite writes them, and the Python that finishes them.

SQLite turns each value into the cell write_csv would write (export_cells.csv_cell, the formula
guard of app/exporters/spreadsheet_safety included) and joins a lead's cells into one line
(printf) with a separator no cell holds; here a line becomes CSV by quoting the few cells that
hold a comma, a quote or a line break, and a chunk of lines by one replace. Handing 64 values a
lead to the csv module cost as much again as the module's own writing. The names and ids of the
owners, events, teams and queues leads refer to are worked out once per row of their table.
A review reason, which takes Python to read, comes marked in its line and is read here. A lead
whose line cannot be trusted (a cell holding a separator or a NUL, which printf would cut, a
fraction in a number column) is marked and written from its cells with the csv module, as every
lead is on other databases.
"""

from __future__ import annotations

import csv
import functools
import re
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Boolean, Integer, String, case, func, select, type_coerce

from app.domain.review import reason_text
from app.domain.serialise import lead_keys
from app.exporters.spreadsheet_safety import RISKY_FIRST_CHARACTERS, neutralise
from app.storage.orm import Event, Lead, Queue, Team, User
from app.storage.orm.base import UTCDateTime
from app.storage.repositories.export_cells import NAMES, UUIDS, csv_cell, guarded, selected, uuid_cell

# Between the cells of a line SQLite writes; a line with more of them than columns less one (a
# cell holds it) is written from its cells instead, as is one holding _MARK (see line_cell).
# A review reason comes after _REASON, as stored: reading it takes Python (_with_reason).
_SEPARATOR, _MARK, _REASON = "\x1f", "\x1e", "\x1d"
_QUOTED_CHARACTERS = re.compile('[,"\r\n]')  # what makes the csv module quote a cell
_REASON_POSITION = lead_keys().index("review_reason")


def line_cell(key: str) -> Any:
    """The cell ``csv_cell`` gives for ``key``, as text for a line, or _MARK when the lead has
    to be written from its cells (see the module docstring)."""
    cell = csv_cell(key)
    if key == "review_reason":
        return case((cell != "", _REASON + cell), else_=cell)
    column_type = None if key in NAMES else Lead.__table__.c[key].type
    if key in UUIDS or isinstance(column_type, Boolean | UTCDateTime):
        return cell  # written by SQLAlchemy: hex digits, ISO times, flags; never a NUL
    if isinstance(column_type, Integer):  # the csv module writes a fraction as Python does
        return case((func.typeof(cell) == "real", _MARK), else_=cell)
    return _text_line_cell(selected(key), cell)


def _text_line_cell(value: Any, cell: Any) -> Any:
    return case((func.instr(value, "\x00") > 0, _MARK), else_=cell)  # printf stops at a NUL


def _referenced(entity: Any, names: dict[str, Any]) -> Any:
    """The id and name cells of every row of a table leads refer to, worked out once per row
    instead of once per lead (MATERIALIZED: SQLite would otherwise fold it into the join)."""
    row_id = type_coerce(entity.id, String)
    cells = [_text_line_cell(func.coalesce(column, ""), guarded(func.coalesce(column, ""))
                             ).label(key) for key, column in names.items()]
    return (select(row_id.label("id"), uuid_cell(row_id).label("id_text"), *cells)
            .cte(f"export_{entity.__tablename__}").prefix_with("MATERIALIZED"))


@functools.cache
def line_statement(export_keys: tuple[str, ...]) -> Any:
    """(lead key, line) of every lead, the line's cells those of ``export_keys``."""
    statement = select(Lead.key).select_from(Lead)
    referenced: dict[str, Any] = {}
    for id_key, entity, names in (("owner_id", User, {"owner": User.email, "owner_name": User.name}),
                                  ("event_id", Event, {"event": Event.name}),
                                  ("team_id", Team, {"team": Team.name}),
                                  ("queue_id", Queue, {"queue": Queue.name})):
        table = _referenced(entity, names)
        statement = statement.outerjoin(table, table.c.id == Lead.__table__.c[id_key])
        referenced[id_key] = func.ifnull(table.c.id_text, line_cell(id_key))
        referenced.update((key, table.c[key]) for key in names)  # NULL: none, written as ''
    line = func.printf(_SEPARATOR.join(["%s"] * len(export_keys)),
                       *(referenced[key] if key in referenced else line_cell(key)
                         for key in export_keys))
    return statement.add_columns(line.label("export_line"))


def _with_reason(line: str) -> str:
    """``line`` with its review reason read (reason_text), neutralised like any other text."""
    cells = line.split(_SEPARATOR)
    stored = cells[_REASON_POSITION]
    if stored.startswith(_REASON):
        cells[_REASON_POSITION] = neutralise(reason_text(stored[1:]))
    return _SEPARATOR.join(cells)


def _quote_cells(line: str) -> str:
    """``line`` with each cell that holds a comma, a quote or a line break quoted as the csv
    module quotes it."""
    if '"' in line or "\r" in line or "\n" in line:
        return _SEPARATOR.join(['"' + cell.replace('"', '""') + '"'
                                if _QUOTED_CHARACTERS.search(cell) else cell
                                for cell in line.split(_SEPARATOR)])
    parts: list[str] = []  # only commas, the usual case: from one to the next
    done, at = 0, line.find(",")
    while at >= 0:
        start, end = line.rfind(_SEPARATOR, 0, at) + 1, line.find(_SEPARATOR, at)
        end = len(line) if end < 0 else end
        parts += (line[done:start], '"', line[start:end], '"')
        done, at = end, line.find(",", end)
    parts.append(line[done:])
    return "".join(parts)


class _Lines(list[str]):
    """What a csv writer writes, one line (ending in CRLF) an item."""

    def write(self, line: str) -> None:
        self.append(line)


def csv_lines(rows: Sequence[Sequence[Any]], phones: Sequence[bool]) -> list[str]:
    """The csv module's lines (each ending in CRLF) for rows of ``lead_dicts`` values, text
    that begins like a formula neutralised."""
    lines = _Lines()
    out = csv.writer(lines)
    for row in rows:
        out.writerow([neutralise(cell, phone=phone)
                      if cell.__class__ is str and cell and cell[0] in RISKY_FIRST_CHARACTERS
                      else cell for cell, phone in zip(row, phones, strict=True)])
    return lines


def chunk_text(rows: Sequence[Sequence[Any]], cell_lines: Callable[[list[int]], list[str]]) -> str:
    """The CSV text of a chunk of (lead key, line) rows of ``line_statement``: runs of trusted
    lines become CSV in one step; a lead ``cell_lines`` writes from its cells (given their keys,
    it returns their csv_lines) takes its own place."""
    separators = len(lead_keys()) - 1
    # Each line has ``separators`` at least: if the chunk has no more, none has.
    counted = "".join([line for _, line in rows]).count(_SEPARATOR) == separators * len(rows)
    pieces: list[str] = []
    run: list[str] = []
    marked: list[tuple[int, int]] = []  # (place in pieces, lead key)
    for key, line in rows:
        if _MARK in line or not counted and line.count(_SEPARATOR) != separators:
            if run:
                pieces.append("\r\n".join(run).replace(_SEPARATOR, ","))
                run = []
            marked.append((len(pieces), key))
            pieces.append("")
        else:
            if _REASON in line:
                line = _with_reason(line)
            if "," in line or '"' in line or "\r" in line or "\n" in line:
                line = _quote_cells(line)
            run.append(line)
    if run:
        pieces.append("\r\n".join(run).replace(_SEPARATOR, ","))
    if marked:
        for (place, _), line in zip(marked, cell_lines([key for _, key in marked]), strict=True):
            pieces[place] = line[:-2]  # joined with the others' CRLF
    return "\r\n".join(pieces) + "\r\n"
