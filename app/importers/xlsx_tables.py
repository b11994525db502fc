"""The first sheet of an XLSX workbook as text records; workbooks that would inflate are refused."""

from __future__ import annotations

import datetime as dt
import re
import warnings
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

from app.importers.header_names import header_score
from app.importers.table_layout import (
    HEADER_SEARCH_ROWS,
    MIN_HEADER_SCORE,
    HeaderScore,
    Layout,
    Record,
    TableError,
    TableInfo,
    find_header,
    unique_headers,
)
from app.importers.workbook_limits import WorkbookTooLargeError, check_parts

_ZEROS_FORMAT = re.compile(r"^0+$")


@contextmanager
def _workbook(path: Path) -> Iterator[Any]:
    """openpyxl in read-only mode: rows are parsed from the zip as they are asked for.

    The file is handed over as an open handle so a workbook saved as ``leads.csv`` (or with no
    extension) still opens: openpyxl refuses paths by their extension.
    """
    try:
        from openpyxl import load_workbook
    except ImportError as exc:  # pragma: no cover - openpyxl is a dependency
        raise TableError("Reading XLSX files needs the openpyxl package.") from exc
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise TableError(f"Cannot read {path.name}: {exc.strerror or exc}.") from exc
    with handle:
        try:
            check_parts(handle)
            handle.seek(0)
        except WorkbookTooLargeError as exc:
            raise TableError(f"{path.name} was not read: {exc}.") from exc
        except zipfile.BadZipFile as exc:
            raise TableError(f"{path.name} is not a text or XLSX file.") from exc
        try:
            with warnings.catch_warnings():
                # "Workbook contains no default style" and friends: cosmetic, about formatting.
                warnings.simplefilter("ignore")
                workbook = load_workbook(handle, read_only=True, data_only=True)
        except zipfile.BadZipFile as exc:
            raise TableError(f"{path.name} is not a text or XLSX file.") from exc
        except Exception as exc:  # openpyxl raises many kinds on damaged or foreign zips
            raise TableError(f"{path.name} cannot be read as an XLSX workbook ({exc}).") from exc
        try:
            yield workbook
        finally:
            workbook.close()


def xlsx_records(path: Path) -> Iterator[Record]:
    with _workbook(path) as workbook:
        sheet = workbook.worksheets[0]
        for number, row in enumerate(_iter_sheet(path, sheet), start=1):
            yield Record(number, [_cell_text(cell) for cell in row])


def _iter_sheet(path: Path, sheet: Any) -> Iterator[Iterable[Any]]:
    """Every row of the sheet, blank ones included, so row numbers match Excel's.

    The stored dimension is dropped first: some exporters write a wrong one (e.g. "A1"), and
    openpyxl's read-only reader would silently stop there.
    """
    sheet.reset_dimensions()
    rows = iter(sheet.iter_rows(min_row=1))
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except Exception as exc:  # damaged sheet XML surfaces only while iterating
            raise TableError(f"{path.name}: the first sheet is damaged ({exc}).") from exc
        yield row


def _cell_text(cell: Any) -> str:
    """Cell → text the way a person reads it in Excel, never in scientific notation.

    A zip code stored as the number 1234 with the format "00000" shows as 01234 in Excel, so it
    comes out as "01234" here too.
    """
    value = getattr(cell, "value", None)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat(timespec="seconds")
    if isinstance(value, int | float):
        if isinstance(value, float) and value != value:  # NaN
            return ""
        if isinstance(value, int) or value.is_integer():
            # Excel keeps 15 significant digits; show what Excel shows with format "0".
            text = str(value) if isinstance(value, int) else format(Decimal(f"{value:.15g}"), "f")
            number_format = getattr(cell, "number_format", "") or ""
            if _ZEROS_FORMAT.match(number_format) and len(text) < len(number_format):
                text = text.zfill(len(number_format))
            return text
        return format(Decimal(repr(value)), "f")
    return str(value).strip()


def open_xlsx(path: Path, score_of: HeaderScore = header_score) -> Layout:
    with _workbook(path) as workbook:
        if not workbook.worksheets:
            raise TableError(f"{path.name} has no worksheet.")
        sheet = workbook.worksheets[0]
        max_row = sheet.max_row  # from the stored dimension: good enough for a progress bar
        top: list[list[str]] = []
        for row in _iter_sheet(path, sheet):
            top.append([_cell_text(cell) for cell in row])
            if len(top) >= HEADER_SEARCH_ROWS:
                break
    index, _score = find_header(top, score_of)
    if index < 0 or _score < MIN_HEADER_SCORE:
        raise TableError(
            f"{path.name}: no header row found in the first {HEADER_SEARCH_ROWS} rows of the first "
            "sheet. The sheet needs a row naming its columns, e.g. 'First Name', 'Email'.")
    estimate = max(0, max_row - index - 1) if isinstance(max_row, int) else None
    info = TableInfo(path=path, kind="xlsx", header_row=index + 1,
                     headers=unique_headers(top[index]))
    return Layout(info, index, estimate)
