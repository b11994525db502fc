"""Size limits for the parts of an XLSX workbook, checked before any part is inflated.

An XLSX file is a zip of XML parts. A part can be packed a thousand to one: a 1 MB "workbook"
that inflates to 1 GiB took 21 s and 2.2 GB of memory to read, 0.3 MB inflating to a 300 MB
shared-strings part 0.7 GB (openpyxl holds every shared string in memory). :func:`check_parts`
refuses such a file from the zip's directory alone, naming the part, before openpyxl reads it.

The limits are far beyond any real lead file: real worksheets pack 5 to 20 to one (measured on
workbooks Excel and openpyxl write, repetitive ones included); a worksheet of 512 MiB holds
about 500,000 rows of 25 columns, Excel's own limit per cell is 32,767 characters.

A zip's directory could understate a part's size, but Python's zipfile never inflates more
than the size the directory states: it stops there and the checksum then fails, so the sizes
checked here bound what is read.
"""

from __future__ import annotations

import zipfile
from typing import BinaryIO

MIB = 1 << 20
MAX_WORKSHEET_BYTES = 512 * MIB
MAX_SHARED_STRINGS_BYTES = 128 * MIB
MAX_OTHER_PART_BYTES = 64 * MIB  # styles, workbook, relationships, properties, themes…
MAX_PACKING_RATIO = 200
RATIO_CHECKED_ABOVE = MIB  # a small part packed tightly (an empty sheet, a style list) is harmless


class WorkbookTooLargeError(Exception):
    """A part of the workbook is beyond any real lead file; the message names it."""


def _limit(name: str) -> int:
    lowered = name.lower()
    if "sharedstrings" in lowered:
        return MAX_SHARED_STRINGS_BYTES
    if "/worksheets/" in lowered:
        return MAX_WORKSHEET_BYTES
    return MAX_OTHER_PART_BYTES


def _size(count: int) -> str:
    return f"{count / MIB:,.0f} MB" if count >= MIB else f"{count:,} bytes"


def check_parts(handle: BinaryIO) -> None:
    """Raise WorkbookTooLargeError if any part would inflate beyond the limits.

    Raises zipfile.BadZipFile if the file is not a zip at all.
    """
    with zipfile.ZipFile(handle) as archive:
        parts = archive.infolist()
    for part in parts:
        ratio = part.file_size / max(1, part.compress_size)
        if part.file_size > RATIO_CHECKED_ABOVE and ratio > MAX_PACKING_RATIO:
            raise WorkbookTooLargeError(
                f"its part {part.filename} is packed {ratio:,.0f} to one (it would inflate from "
                f"{_size(part.compress_size)} to {_size(part.file_size)}); real workbooks pack "
                "at most about 20 to one")
        limit = _limit(part.filename)
        if part.file_size > limit:
            raise WorkbookTooLargeError(
                f"its part {part.filename} would inflate to {_size(part.file_size)}, beyond any "
                f"lead list (at most {_size(limit)})")
