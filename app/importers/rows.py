"""The row a table reader yields and the column mapping reads, so neither module imports the other."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SourceRow:
    """One data row: its 1-based line/row number in the file and header → stripped cell text.

    ``problem``: the row could not be read as a row (the import rejects it with this reason).
    ``warnings``: doubts about how it was read (its encoding), shown with the row.
    """

    number: int
    values: dict[str, str]
    problem: str = ""
    warnings: Mapping[str, str] = field(default_factory=dict)
