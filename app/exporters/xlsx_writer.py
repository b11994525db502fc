"""Lead lists as an Excel workbook, streamed so 100,000 rows take as little memory as 1,000.

openpyxl's write-only mode sends each row to a temporary file as it is appended and writes
text as inline strings (no shared-string table growing with the rows), so memory stays flat.
Widths are taken from the header and the first rows (the only ones held back), the header row
is bold and frozen. Every text value is a text cell, never a formula; ids and phone numbers are
text cells with the Text number format, phones also with Excel's hidden quote prefix, so
"+49 30 1234567" shows as typed and stays text when edited. Text a spreadsheet could take for a
formula is kept unaltered in a text cell with the quote prefix: a text cell is never evaluated
(see spreadsheet_safety), so no apostrophe is needed, as it is in CSV.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from app.exporters.csv_layouts import Layout, Row
from app.exporters.spreadsheet_safety import needs_quote_prefix

SHEET_TITLE = "Leads"
MAX_CELL_TEXT = 32_767  # Excel's limit for one cell
WIDTH_SAMPLE_ROWS = 200
MIN_WIDTH, MAX_WIDTH = 8, 50
TEXT_FORMAT = "@"


def _is_id_column(header: str) -> bool:
    return header == "id" or header.endswith("_id") or header in ("Id", "ID")


def xlsx_value(value: Any) -> Any:
    """A value openpyxl can store: text cleaned of control characters, cut to Excel's limit."""
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
    workbook = Workbook(write_only=True)
    sheet: WriteOnlyWorksheet = workbook.create_sheet(SHEET_TITLE)
    header = layout.header
    phones = [c.phone for c in layout.columns]
    ids = [_is_id_column(h) for h in header]
    rows: Iterator[list[Any]] = (
        [xlsx_value(v) for v in layout.row(lead)]
        for lead in leads)
    sample = list(islice(rows, WIDTH_SAMPLE_ROWS))
    for index, name in enumerate(header):
        letter = get_column_letter(index + 1)
        sheet.column_dimensions[letter].width = _width([name, *(r[index] for r in sample)])
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for name in header:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)

    def styled(values: list[Any]) -> list[Any]:
        for index, value in enumerate(values):
            risky = needs_quote_prefix(value)
            if isinstance(value, str) and (ids[index] or phones[index] or risky):
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"  # openpyxl would store text starting with "=" as a formula
                if ids[index] or phones[index]:
                    cell.number_format = TEXT_FORMAT
                if phones[index] or risky:
                    cell.quotePrefix = True
                values[index] = cell
        return values

    written = 0
    for values in sample:
        sheet.append(styled(values))
        written += 1
    for values in rows:
        sheet.append(styled(values))
        written += 1
    workbook.save(handle)
    return written
