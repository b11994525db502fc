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
normally (app/importers/text_tables.py); a workbook whose parts would inflate beyond any real
lead file is refused before it is read (app/importers/workbook_limits.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from app.importers import encodings
from app.importers.header_names import header_key, header_score
from app.importers.rows import SourceRow
from app.importers.table_layout import (
    HeaderScore,
    TableError,
    TableInfo,
    is_repeated_header,
    is_totals,
)
from app.importers.text_tables import detect_encoding, open_text, text_records
from app.importers.xlsx_tables import open_xlsx, xlsx_records


class Table:
    """An opened table. :meth:`rows` re-reads the file each time it is called."""

    def __init__(self, info: TableInfo, header_index: int, estimate: int | None) -> None:
        self.info = info
        self._header_index = header_index  # 0-based index among records/sheet rows
        self._estimate = estimate

    def rows(self) -> Iterator[SourceRow]:
        """Data rows below the header, skipping blank, totals and repeated header rows."""
        records = xlsx_records(self.info.path) if self.info.kind == "xlsx" else text_records(
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
            if not any(cells) or is_totals(cells) or is_repeated_header(cells, header_keys):
                continue
            cells, repair = encodings.repaired(cells)
            cells += [""] * (len(headers) - len(cells))
            warning = "; ".join(filter(None, (note, repair)))
            yield SourceRow(number, dict(zip(headers, cells, strict=False)),
                            warnings={"encoding": warning} if warning else {})

    def estimated_rows(self) -> int | None:
        """Roughly how many data rows the file holds, for a progress bar (None: unknown)."""
        return self._estimate


def open_table(path: Path, score_of: HeaderScore = header_score) -> Table:
    """Identify the file's format, encoding, delimiter and header row; read nothing else yet.
    ``score_of`` recognises the header row (lead fields; customer files pass their own)."""
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
        return Table(*open_xlsx(path, score_of))
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise TableError(f"{path.name} is an old Excel .xls file; save it as .xlsx or CSV and try again.")
    encoding = detect_encoding(path, head)
    return Table(*open_text(path, encoding, size, score_of))


