"""Lead lists as an Excel workbook, streamed so 100,000 rows take as little memory as 1,000.

XlsxWriter's constant-memory mode writes each row to a temporary file as soon as the next row
starts and writes text as inline strings (no shared-string table growing with the rows), so
memory stays flat; it is faster than openpyxl's write-only mode, whose per-cell objects were
most of an export's time. Widths are taken from the header and the first rows
(the only ones held back), the header row is bold and frozen. Every text value is written as a
text cell, never a formula or a number (so zip codes keep their leading zeros); ids and phone
numbers are text cells with the Text number format, phones also with Excel's hidden quote
prefix, so "+49 30 1234567" shows as typed and stays text when edited. Text a spreadsheet
could take for a formula is kept unaltered in a text cell with the quote prefix: a text cell
is never evaluated (see spreadsheet_safety), so no apostrophe is needed, as it is in CSV.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import chain, islice
from operator import itemgetter
from pathlib import Path
from typing import IO, Any

from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from app.exporters.csv_layouts import Layout, Row
from app.exporters.spreadsheet_safety import RISKY_FIRST_CHARACTERS

SHEET_TITLE = "Leads"
MAX_CELL_TEXT = 32_767  # Excel's limit for one cell
WIDTH_SAMPLE_ROWS = 200
MIN_WIDTH, MAX_WIDTH = 8, 50
TEXT_FORMAT = "@"
# Control characters XML 1.0 cannot hold (tab, line feed and carriage return can).
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


def _is_id_column(header: str) -> bool:
    return header == "id" or header.endswith("_id") or header in ("Id", "ID")


def xlsx_value(value: Any) -> Any:
    """A value a cell can hold: text cleaned of control characters, cut to Excel's limit."""
    if value is None:
        return None
    if isinstance(value, list | tuple | dict):
        value = str(value)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)[:MAX_CELL_TEXT]
    return value


def _width(values: Iterable[Any]) -> float:
    longest = max((len(str(v)) for v in values if v is not None), default=0)
    return float(min(MAX_WIDTH, max(MIN_WIDTH, longest + 2)))


def write_xlsx(handle: IO[bytes], layout: Layout, leads: Iterable[Row]) -> int:
    """Write the workbook to ``handle``; returns the number of leads written."""
    workbook = Workbook(handle, {"constant_memory": True})
    sheet = workbook.add_worksheet(SHEET_TITLE)
    header = layout.header
    bold = workbook.add_format({"bold": True})
    id_format = workbook.add_format({"num_format": TEXT_FORMAT})
    phone_format = workbook.add_format({"num_format": TEXT_FORMAT, "quote_prefix": True})
    risky_format = workbook.add_format({"quote_prefix": True})
    risky_id_format = workbook.add_format({"num_format": TEXT_FORMAT, "quote_prefix": True})
    # The format of a text cell per column, and of one a spreadsheet could take for a formula.
    plain = [id_format if _is_id_column(h) else None for h in header]
    for index, column in enumerate(layout.columns):
        if column.phone:
            plain[index] = phone_format
    risky = [phone_format if fmt is phone_format else risky_id_format if fmt is id_format
             else risky_format for fmt in plain]

    rows = _values(layout, leads)
    try:
        sample = [[xlsx_value(v) for v in row] for row in islice(rows, WIDTH_SAMPLE_ROWS)]
        for index, name in enumerate(header):
            sheet.set_column(index, index, _width([name, *(r[index] for r in sample)]))
            sheet.write_string(0, index, name, bold)
        sheet.freeze_panes(1, 0)
        written = _write_rows(sheet, chain(sample, rows), plain, risky)
    except BaseException:
        _discard(sheet)  # a cancel or a failed read: no workbook, and no temporary file left
        raise
    workbook.close()
    return written


def _values(layout: Layout, leads: Iterable[Row]) -> Iterator[Sequence[Any]]:
    """Each lead's cell values, as they are (see _write_rows); our own columns are picked from
    a lead dict in one step."""
    if layout.keys is None or len(layout.keys) < 2:
        return (layout.row(lead) for lead in leads)
    pick, keys = itemgetter(*layout.keys), layout.keys
    return (_picked(pick, keys, lead) for lead in leads)


def _picked(pick: Callable[[Row], Sequence[Any]], keys: Sequence[str], lead: Row
            ) -> Sequence[Any]:
    try:
        return pick(lead)
    except KeyError:  # a row without some of the columns: those are empty
        return [lead.get(key) for key in keys]


def _write_rows(sheet: Worksheet, rows: Iterator[Sequence[Any]], plain: list[Format | None],
                risky: list[Format]) -> int:
    """The lead rows below the header; returns how many there were. A row is looked at as one
    text first: only one with a control character, a carriage return or a very long text has
    its values cleaned one by one (xlsx_value), which was a fifth of a workbook's time."""
    write_string, write_number, write_boolean = (sheet.write_string, sheet.write_number,
                                                 sheet.write_boolean)
    search_illegal = ILLEGAL_CHARACTERS_RE.search
    written = 0
    for values in rows:
        written += 1
        text = "\n".join(map(str, values))
        dirty = len(text) > MAX_CELL_TEXT or "\r" in text or search_illegal(text) is not None
        if dirty:
            values = [xlsx_value(v) for v in values]
        for index, value in enumerate(values):
            if value is None:
                continue
            kind = value.__class__
            if kind is str:
                if value:
                    cell_format = (risky[index] if value[0] in RISKY_FIRST_CHARACTERS
                                   else plain[index])
                    if dirty and "\r" in value:  # as an XML parser reads it (XlsxWriter
                        # would keep _x000D_)
                        value = value.replace("\r\n", "\n").replace("\r", "\n")
                    write_string(written, index, value, cell_format)
            elif kind is bool:
                write_boolean(written, index, value)
            elif kind is int or kind is float:
                write_number(written, index, value)
            else:
                write_string(written, index, str(value), plain[index])
    return written


def _discard(sheet: Worksheet) -> None:
    """Close and delete the temporary file constant-memory mode streams the rows to."""
    handle, name = getattr(sheet, "row_data_fh", None), getattr(sheet, "row_data_filename", None)
    if handle is not None:
        handle.close()
    if name:
        Path(name).unlink(missing_ok=True)

