"""Text tables (CSV, TSV, semicolon, pipe): encoding, delimiter and header, read past broken quotes."""

from __future__ import annotations

import codecs
import csv
import io
from collections import deque
from collections.abc import Iterator, Sequence
from pathlib import Path

from app.importers import encodings
from app.importers.header_names import header_key, header_score
from app.importers.table_layout import (
    HEADER_SEARCH_ROWS,
    MIN_HEADER_SCORE,
    HeaderScore,
    Layout,
    Record,
    TableError,
    TableInfo,
    find_header,
    is_repeated_header,
    is_totals,
    unique_headers,
)

DELIMITERS = (",", ";", "\t", "|")
_SAMPLE_CHARS = 64 * 1024
_CHUNK = 1 << 20


# A quoted value longer than this is a quote that never closed: Excel allows 253 line breaks and
# 32,767 characters in a cell. Below csv's own field limit (131,072), which ends the whole file.
MAX_RECORD_LINES = 1_000
MAX_RECORD_CHARS = 100_000
_UNICODE_ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be")


def detect_encoding(path: Path, head: bytes) -> str:
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


def text_records(path: Path, encoding: str, delimiter: str) -> Iterator[Record]:
    """One record per CSV row, streaming; multi-line quoted cells stay whole."""
    try:
        feed = _LineFeed(_lines(path, encoding))
        while True:
            reader = csv.reader(feed, delimiter=delimiter)
            try:
                for cells in reader:
                    lines = feed.take()
                    note = "; ".join(dict.fromkeys(n for _, _, n in lines if n))
                    yield Record(lines[0][0], cells, "", note)
                return
            except _RunawayQuoteError:
                to_end = feed.reached_end
                lines = feed.give_up()
                number, text, note = lines[0]
                yield Record(number, _cells_of_line(text, delimiter),
                              _runaway_problem(lines, to_end), note)
            except csv.Error as exc:
                number, text, note = feed.give_up()[0]
                yield Record(number, _cells_of_line(text, delimiter),
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


def _choose(records_by_delimiter: dict[str, list[list[str]]],
            score_of: HeaderScore = header_score) -> tuple[str, int, int]:
    """Pick (delimiter, header index, score): the delimiter under which a header scores best.

    Header recognition is a far stronger signal than character counts (csv.Sniffer guesses
    wrong when notes are full of commas or a title row has none), and it decides the header
    row at the same time. Ties are broken by how consistently later rows have the header's
    width, then by the order of DELIMITERS.
    """
    best: tuple[int, float, int, str, int] | None = None
    for order, (delimiter, records) in enumerate(records_by_delimiter.items()):
        index, score = find_header(records, score_of)
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


def open_text(path: Path, encoding: str, size: int,
              score_of: HeaderScore = header_score) -> Layout:
    try:
        text, at_end = _sample_text(path, encoding)
    except OSError as exc:
        raise TableError(f"Cannot read {path.name}: {exc.strerror or exc}.") from exc
    if not at_end and "\n" in text:
        text = text[: text.rindex("\n") + 1]  # no half line at the end of the sample
    records = {d: _sample_records(text, d) for d in DELIMITERS}
    delimiter, index, _score = _choose(records, score_of)
    if index < 0:
        raise TableError(
            f"{path.name}: no header row found in the first {HEADER_SEARCH_ROWS} rows. The file "
            "needs a row naming its columns, e.g. 'First Name', 'Last Name', 'Email', 'Company'.")
    sample = records[delimiter]
    header_line = _line_of_record(text, delimiter, index)
    headers = unique_headers(sample[index])
    keys = [header_key(h) for h in headers]
    data_rows = 0
    for record in sample[index + 1:]:
        cells = [c.strip() for c in record]
        if any(cells) and not is_totals(cells) and not is_repeated_header(cells, keys):
            data_rows += 1
    if at_end:
        estimate: int | None = data_rows
    else:
        sample_bytes = len(text.encode(encoding, errors="replace")) or 1
        per_row = sample_bytes / max(1, len(sample))
        estimate = max(data_rows, int(size / per_row) - index - 1)
    info = TableInfo(path=path, kind="csv", encoding=encoding, delimiter=delimiter,
                     header_row=header_line, headers=headers)
    return Layout(info, index, estimate)


def _line_of_record(text: str, delimiter: str, index: int) -> int:
    """1-based line where record ``index`` starts (records above it may span several lines)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for _ in range(index):
            next(reader)
    except (StopIteration, csv.Error):
        pass
    return reader.line_num + 1
