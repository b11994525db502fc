"""What opening a table finds: its info, raw records, the header row and the rows to skip."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from app.domain.errors import LeadlineError
from app.importers.header_names import header_key, header_score

HEADER_SEARCH_ROWS = 30
MIN_HEADER_SCORE = 2
# Scores a row as the header: how many distinct known fields its cells name.
HeaderScore = Callable[[Sequence[str]], int]


_TOTALS = re.compile(
    r"^(grand\s+total|total\s+général|totaux|totales|totals?|summe|gesamtsumme|gesamt|"
    r"insgesamt|suma\s+total|anzahl|count)\b\s*[:=]?\s*[\d.,\s]*$",
    re.IGNORECASE)
_NUMBER = re.compile(r"^[\d.,\s%+-]*$")


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


class Layout(NamedTuple):
    """What a reader found: the table's info, the header's 0-based record index, a row estimate."""

    info: TableInfo
    header_index: int
    estimate: int | None


class Record(NamedTuple):
    """One record as read, before header, blank, totals and repeated-header rows are sorted out."""

    number: int  # 1-based first line (text) or row (XLSX)
    cells: list[str]
    problem: str = ""
    note: str = ""  # how the record's text was decoded, if that is doubtful


def find_header(records: Sequence[Sequence[str]],
                score_of: HeaderScore = header_score) -> tuple[int, int]:
    """The first of the top rows with the best header score (index, score); ``score_of``
    knows the fields (lead fields unless a customer file is read)."""
    best_index, best_score = -1, 0
    for index, cells in enumerate(records[:HEADER_SEARCH_ROWS]):
        score = score_of([c for c in cells if len(c) <= 200])
        if score > best_score:
            best_index, best_score = index, score
    return best_index, best_score


def unique_headers(cells: Sequence[str]) -> tuple[str, ...]:
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


def is_totals(cells: Sequence[str]) -> bool:
    """A summary row: 'Total: 42', 'Summe;;;17', 'Gesamt', with nothing but numbers beside it."""
    first = next((c for c in cells if c), "")
    if not first or not _TOTALS.match(first):
        return False
    return all(_NUMBER.match(c) for c in cells if c and c is not first)


def is_repeated_header(cells: Sequence[str], header_keys: Sequence[str]) -> bool:
    """The header again (any case/spacing), e.g. after a page break; stops at the first mismatch."""
    if len(cells) < len(header_keys) or any(cells[len(header_keys):]) or not header_keys:
        return False
    first = cells[0][:1]
    if first.isascii() and first.isalnum() and header_keys[0][:1] != first.lower():
        return False  # cheap reject: most data rows never reach header_key
    return all(header_key(cell) == key for cell, key in zip(cells, header_keys, strict=False))
