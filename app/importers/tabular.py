"""Read exported tables (CSV/TSV/semicolon/pipe text, or the first sheet of an XLSX) as a stream.

Lead-retrieval and registration exports are messy in well-known ways (BADGE-FORMATS.md §3.2):
Excel's "Unicode text" (UTF-16LE + tab), locale CSV in Windows-1252 with semicolons, a BOM glued
to the first header, title rows above the header, totals rows, the header repeated after page
breaks, blank rows, multi-line quoted notes. :func:`open_table` works out the encoding, delimiter
and header row from a sample; :meth:`Table.rows` then re-reads the file row by row, so a
500 MB export costs no more memory than a small one and the import can show progress.

Every value comes out as text: ids keep their leading zeros, XLSX numbers never turn into
``1.23E+18`` and dates become ``YYYY-MM-DD``. A value Excel already mangled in a text file (an id
saved as ``1.23E+18``) cannot be repaired here; it is passed on as is and the validator flags it.

Hostile or broken files cost a row, never the rest of the file: a text file valid in no single
encoding is decoded line by line (app/importers/encodings.py) and text read as UTF-8 in the wrong
encoding upstream is repaired, each such row carrying a warning; a quote that never closes (or a
quoted value longer than any real cell) makes its row a row error and the rows after it are read
normally (:class:`_LineFeed`); a workbook whose parts would inflate beyond any real lead file is
refused before it is read (app/importers/workbook_limits.py).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import warnings
import zipfile
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

from app.domain.errors import LeadlineError
from app.importers import encodings
from app.importers.mapping import header_key, header_score
from app.importers.rows import SourceRow
from app.importers.workbook_limits import WorkbookTooLargeError, check_parts

HEADER_SEARCH_ROWS = 30
MIN_HEADER_SCORE = 2
DELIMITERS = (",", ";", "\t", "|")
_SAMPLE_CHARS = 64 * 1024
_CHUNK = 1 << 20
_TOTALS = re.compile(
    r"^(grand\s+total|total\s+général|totaux|totales|totals?|summe|gesamtsumme|gesamt|"
    r"insgesamt|suma\s+total|anzahl|count)\b\s*[:=]?\s*[\d.,\s]*$",
    re.IGNORECASE)
_NUMBER = re.compile(r"^[\d.,\s%+-]*$")
_ZEROS_FORMAT = re.compile(r"^0+$")
# A quoted value longer than this is a quote that never closed: Excel allows 253 line breaks and
# 32,767 characters in a cell. Below csv's own field limit (131,072), which ends the whole file.
MAX_RECORD_LINES = 1_000
MAX_RECORD_CHARS = 100_000
_UNICODE_ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be")


class TableError(LeadlineError):
    """The file cannot be read as a table; the message names the file and the problem."""


@dataclass(frozen=True)
class TableInfo:
    """What :func:`open_table` found out about a file, for the import dialog and the log."""

    path: Path
    kind: str  # "csv" | "xlsx"
    encoding: str = ""  # e.g. "utf-8-sig", "utf-16", "cp1252"
    delimiter: str = ""  # for text files
    header_row: int = 0  # 1-based line/row number of the header
    headers: tuple[str, ...] = ()


class _Record(NamedTuple):
    number: int  # 1-based first line (text) or row (XLSX)
    cells: list[str]
    problem: str = ""
    note: str = ""  # how the record's text was decoded, if that is doubtful


class Table:
    """An opened table. :meth:`rows` re-reads the file each time it is called."""

    def __init__(self, info: TableInfo, header_index: int, estimate: int | None) -> None:
        self.info = info
        self._header_index = header_index  # 0-based index among records/sheet rows
        self._estimate = estimate

    def rows(self) -> Iterator[SourceRow]:
        """Data rows below the header, skipping blank, totals and repeated header rows."""
        records = _xlsx_records(self.info.path) if self.info.kind == "xlsx" else _text_records(
            self.info.path, self.info.encoding, self.info.delimiter)
        headers = self.info.headers
        header_keys = [header_key(h) for h in headers]
        for index, (number, cells, problem, note) in enumerate(records):
            if index <= self._header_index:
                continue
            cells = [c.strip() for c in cells]
            if problem:
                yield SourceRow(number, dict(zip(headers, cells, strict=False)), problem)
                continue
            if not any(cells) or _is_totals(cells) or _is_repeated_header(cells, header_keys):
                continue
            cells, repair = encodings.repaired(cells)
            cells += [""] * (len(headers) - len(cells))
            warning = "; ".join(filter(None, (note, repair)))
            yield SourceRow(number, dict(zip(headers, cells, strict=False)),
                            warnings={"encoding": warning} if warning else {})

    def estimated_rows(self) -> int | None:
        """Roughly how many data rows the file holds, for a progress bar (None: unknown)."""
        return self._estimate


def open_table(path: Path) -> Table:
    """Identify the file's format, encoding, delimiter and header row; read nothing else yet."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(8192)
        size = path.stat().st_size
    except OSError as exc:
        raise TableError(f"Cannot read {path.name}: {exc.strerror or exc}.") from exc
    if not head.strip(b" \t\r\n\x00"):
        raise TableError(f"{path.name} is empty.")
    if head.startswith(b"PK\x03\x04"):
        return _open_xlsx(path)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise TableError(f"{path.name} is an old Excel .xls file; save it as .xlsx or CSV and try again.")
    encoding = _detect_encoding(path, head)
    return _open_text(path, encoding, size)


# --- text files -----------------------------------------------------------------------------


def _detect_encoding(path: Path, head: bytes) -> str:
    """Excel's own rule: a BOM decides; otherwise UTF-8 if the whole file is valid, else legacy.

    Validating the whole file (streamed in 1 MB chunks) matters: an export whose first thousand
    rows are ASCII and whose 5,000th row holds "Müller" in cp1252 is common. A file that is not
    UTF-8 throughout is read line by line (see app/importers/encodings.py); the encoding
    returned is its own legacy one (cp1252 unless its non-UTF-8 lines say otherwise).
    """
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = head[:4096]
    if len(sample) >= 4 and b"\x00" in sample:
        even, odd = sample[0::2], sample[1::2]
        if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.1 * len(even):
            return "utf-16-le"
        if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.1 * len(odd):
            return "utf-16-be"
        raise TableError(f"{path.name} is not a text or XLSX file.")
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    if controls > max(2, len(sample) // 50):
        raise TableError(f"{path.name} is not a text or XLSX file.")
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        pass
    except OSError as exc:
        raise TableError(f"Cannot read {path.name}: {exc.strerror or exc}.") from exc
    else:
        return "utf-8"
    try:
        with path.open("rb") as handle:
            return encodings.file_legacy_encoding(encodings.non_utf8_sample(handle))
    except OSError as exc:
        raise TableError(f"Cannot read {path.name}: {exc.strerror or exc}.") from exc


def _lines(path: Path, encoding: str) -> Iterator[tuple[str, str]]:
    """(text, note) per physical line, line ends kept; notes only for files mixing encodings."""
    if encoding in _UNICODE_ENCODINGS:
        with path.open("r", encoding=encoding, errors="replace", newline="") as handle:
            for line in handle:
                yield line, ""
    else:
        yield from encodings.lines_of(path, encoding)


class _RunawayQuoteError(Exception):
    """The record being read cannot be a real one: its quoted value never ends."""


class _LineFeed:
    """The physical lines csv.reader parses, keeping those of the record being read.

    A record that cannot be a real one (a quote opened in it runs to the end of the file, or over
    more lines or characters than any real cell) is given up: its first line is reported, the
    others are read again as records of their own. Line numbers stay those of the file.
    """

    def __init__(self, lines: Iterator[tuple[str, str]]) -> None:
        self._lines = lines
        self._again: deque[tuple[int, str, str]] = deque()
        self._read = 0
        self._chars = 0
        self.record: list[tuple[int, str, str]] = []  # (line number, text, note)
        self.reached_end = False

    def __iter__(self) -> _LineFeed:
        return self

    def __next__(self) -> str:
        if self.record and (len(self.record) >= MAX_RECORD_LINES or self._chars > MAX_RECORD_CHARS):
            raise _RunawayQuoteError
        if self._again:
            line = self._again.popleft()
        else:
            try:
                text, note = next(self._lines)
            except StopIteration:
                self.reached_end = True
                if self.record:  # csv.reader asks for more only inside a quoted value
                    raise _RunawayQuoteError from None
                raise
            self._read += 1
            line = (self._read, text, note)
        self.record.append(line)
        self._chars += len(line[1])
        return line[1]

    def take(self) -> list[tuple[int, str, str]]:
        """The lines of the record csv.reader has just returned."""
        record, self.record, self._chars = self.record, [], 0
        return record

    def give_up(self) -> list[tuple[int, str, str]]:
        """The record's lines (its first one is reported); all but the first are read again."""
        record = self.take()
        self._again.extendleft(reversed(record[1:]))
        self.reached_end = False
        return record


def _text_records(path: Path, encoding: str, delimiter: str) -> Iterator[_Record]:
    """One record per CSV row, streaming; multi-line quoted cells stay whole."""
    try:
        feed = _LineFeed(_lines(path, encoding))
        while True:
            reader = csv.reader(feed, delimiter=delimiter)
            try:
                for cells in reader:
                    lines = feed.take()
                    note = "; ".join(dict.fromkeys(n for _, _, n in lines if n))
                    yield _Record(lines[0][0], cells, "", note)
                return
            except _RunawayQuoteError:
                to_end = feed.reached_end
                lines = feed.give_up()
                number, text, note = lines[0]
                yield _Record(number, _cells_of_line(text, delimiter),
                              _runaway_problem(lines, to_end), note)
            except csv.Error as exc:
                number, text, note = feed.give_up()[0]
                yield _Record(number, _cells_of_line(text, delimiter),
                              f"cannot be read as a row ({exc}); not imported", note)
    except OSError as exc:
        raise TableError(f"Cannot read {path.name}: {exc.strerror or exc}.") from exc


def _runaway_problem(lines: Sequence[tuple[int, str, str]], to_end: bool) -> str:
    where = ("to the end of the file" if to_end else
             f"past {len(lines):,} lines and {sum(len(text) for _, text, _ in lines):,} "
             "characters, longer than any real cell")
    return (f"a quote (\") opened in this row never closes (it would run {where}); this row was "
            "not imported, the rows after it were. Fix the quote and import the row again")


def _cells_of_line(text: str, delimiter: str) -> list[str]:
    """The cells of one line as far as they can be read, for the rejected-rows file."""
    line = text.rstrip("\r\n")
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return line.split(delimiter)


def _sample_records(text: str, delimiter: str) -> list[list[str]]:
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        return []


def _choose(records_by_delimiter: dict[str, list[list[str]]]) -> tuple[str, int, int]:
    """Pick (delimiter, header index, score): the delimiter under which a header scores best.

    Header recognition is a far stronger signal than character counts (csv.Sniffer guesses
    wrong when notes are full of commas or a title row has none), and it decides the header
    row at the same time. Ties are broken by how consistently later rows have the header's
    width, then by the order of DELIMITERS.
    """
    best: tuple[int, float, int, str, int] | None = None
    for order, (delimiter, records) in enumerate(records_by_delimiter.items()):
        index, score = _find_header(records)
        if score < MIN_HEADER_SCORE:
            continue
        width = len(records[index])
        body = [r for r in records[index + 1:] if any(c.strip() for c in r)]
        consistency = sum(1 for r in body if len(r) == width) / len(body) if body else 1.0
        key = (score, consistency, -order, delimiter, index)
        if best is None or key[:3] > best[:3]:
            best = key
    if best is None:
        return "", -1, 0
    return best[3], best[4], best[0]


def _find_header(records: Sequence[Sequence[str]]) -> tuple[int, int]:
    """The first of the top rows with the best header score (index, score)."""
    best_index, best_score = -1, 0
    for index, cells in enumerate(records[:HEADER_SEARCH_ROWS]):
        score = header_score([c for c in cells if len(c) <= 200])
        if score > best_score:
            best_index, best_score = index, score
    return best_index, best_score


def _sample_text(path: Path, encoding: str) -> tuple[str, bool]:
    """The file's first _SAMPLE_CHARS characters (decoded as the rows will be), and whether
    that is the whole file."""
    if encoding in _UNICODE_ENCODINGS:
        with path.open("r", encoding=encoding, errors="replace", newline="") as handle:
            text = handle.read(_SAMPLE_CHARS)
            return text, not handle.read(1)
    parts: list[str] = []
    length = 0
    lines = encodings.lines_of(path, encoding)
    for line, _note in lines:
        parts.append(line)
        length += len(line)
        if length >= _SAMPLE_CHARS:
            at_end = next(lines, None) is None
            lines.close()
            return "".join(parts)[:_SAMPLE_CHARS], at_end
    return "".join(parts), True


def _open_text(path: Path, encoding: str, size: int) -> Table:
    try:
        text, at_end = _sample_text(path, encoding)
    except OSError as exc:
        raise TableError(f"Cannot read {path.name}: {exc.strerror or exc}.") from exc
    if not at_end and "\n" in text:
        text = text[: text.rindex("\n") + 1]  # no half line at the end of the sample
    records = {d: _sample_records(text, d) for d in DELIMITERS}
    delimiter, index, _score = _choose(records)
    if index < 0:
        raise TableError(
            f"{path.name}: no header row found in the first {HEADER_SEARCH_ROWS} rows. The file "
            "needs a row naming its columns, e.g. 'First Name', 'Last Name', 'Email', 'Company'.")
    sample = records[delimiter]
    header_line = _line_of_record(text, delimiter, index)
    headers = _unique_headers(sample[index])
    keys = [header_key(h) for h in headers]
    data_rows = 0
    for record in sample[index + 1:]:
        cells = [c.strip() for c in record]
        if any(cells) and not _is_totals(cells) and not _is_repeated_header(cells, keys):
            data_rows += 1
    if at_end:
        estimate: int | None = data_rows
    else:
        sample_bytes = len(text.encode(encoding, errors="replace")) or 1
        per_row = sample_bytes / max(1, len(sample))
        estimate = max(data_rows, int(size / per_row) - index - 1)
    info = TableInfo(path=path, kind="csv", encoding=encoding, delimiter=delimiter,
                     header_row=header_line, headers=headers)
    return Table(info, index, estimate)


def _line_of_record(text: str, delimiter: str, index: int) -> int:
    """1-based line where record ``index`` starts (records above it may span several lines)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for _ in range(index):
            next(reader)
    except (StopIteration, csv.Error):
        pass
    return reader.line_num + 1


def _unique_headers(cells: Sequence[str]) -> tuple[str, ...]:
    """Header names made usable as dict keys: BOM and spaces stripped, blanks and repeats named.

    Trailing empty header cells (Excel's ";;;" tail) are dropped; an empty cell between named
    ones becomes "Column N"; a repeated name gets " (2)", " (3)"… so no column is lost.
    """
    names = [c.replace("\ufeff", "").strip() for c in cells]
    while names and not names[-1]:
        names.pop()
    seen: dict[str, int] = {}
    out = []
    for position, name in enumerate(names, start=1):
        name = name or f"Column {position}"
        count = seen.get(name.casefold(), 0) + 1
        seen[name.casefold()] = count
        out.append(name if count == 1 else f"{name} ({count})")
    return tuple(out)


def _is_totals(cells: Sequence[str]) -> bool:
    """A summary row: 'Total: 42', 'Summe;;;17', 'Gesamt', with nothing but numbers beside it."""
    first = next((c for c in cells if c), "")
    if not first or not _TOTALS.match(first):
        return False
    return all(_NUMBER.match(c) for c in cells if c and c is not first)


def _is_repeated_header(cells: Sequence[str], header_keys: Sequence[str]) -> bool:
    """The header again (any case/spacing), e.g. after a page break; stops at the first mismatch."""
    if len(cells) < len(header_keys) or any(cells[len(header_keys):]) or not header_keys:
        return False
    first = cells[0][:1]
    if first.isascii() and first.isalnum() and header_keys[0][:1] != first.lower():
        return False  # cheap reject: most data rows never reach header_key
    return all(header_key(cell) == key for cell, key in zip(cells, header_keys, strict=False))


# --- XLSX ----------------------------------------------------------------------------------


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


def _xlsx_records(path: Path) -> Iterator[_Record]:
    with _workbook(path) as workbook:
        sheet = workbook.worksheets[0]
        for number, row in enumerate(_iter_sheet(path, sheet), start=1):
            yield _Record(number, [_cell_text(cell) for cell in row])


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


def _open_xlsx(path: Path) -> Table:
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
    index, _score = _find_header(top)
    if index < 0 or _score < MIN_HEADER_SCORE:
        raise TableError(
            f"{path.name}: no header row found in the first {HEADER_SEARCH_ROWS} rows of the first "
            "sheet. The sheet needs a row naming its columns, e.g. 'First Name', 'Email'.")
    estimate = max(0, max_row - index - 1) if isinstance(max_row, int) else None
    info = TableInfo(path=path, kind="xlsx", header_row=index + 1,
                     headers=_unique_headers(top[index]))
    return Table(info, index, estimate)
