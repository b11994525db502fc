"""Imports of lead-retrieval exports: policies, per-row outcomes, counts, batches."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class DuplicatePolicy(StrEnum):
    """What to do with a row whose person is already a lead."""

    SKIP = "skip"      # leave the existing lead alone
    FILL = "fill"      # fill the existing lead's empty fields
    CREATE = "create"  # create another lead anyway

    @property
    def label(self) -> str:
        return {"skip": "Skip it", "fill": "Fill empty fields of the existing lead",
                "create": "Create a new lead anyway"}[self.value]


class RowOutcome(StrEnum):
    NEW = "new"
    DUPLICATE = "duplicate"   # skipped (in the file or already stored)
    FILL = "fill"             # fills an existing lead
    REJECTED = "rejected"


@dataclass
class ImportCounts:
    read: int = 0
    created: int = 0
    updated: int = 0
    duplicates: int = 0
    rejected: int = 0
    warned: int = 0  # imported (or would be) with a warning: a value kept, no contact person…

    def add(self, outcome: RowOutcome) -> None:
        self.read += 1
        if outcome is RowOutcome.NEW:
            self.created += 1
        elif outcome is RowOutcome.FILL:
            self.updated += 1
        elif outcome is RowOutcome.DUPLICATE:
            self.duplicates += 1
        else:
            self.rejected += 1


@dataclass(frozen=True)
class RejectedRow:
    number: int
    reason: str
    values: Mapping[str, str] = field(default_factory=dict)  # the row as read, to fix and retry


@dataclass(frozen=True)
class WarnedRow:
    """A row that is imported despite doubts, with each doubt and the values kept verbatim."""

    number: int
    warnings: Mapping[str, str]
    originals: Mapping[str, str] = field(default_factory=dict)


WARNED_ROWS_LISTED = 1000  # the report lists this many; the count covers every one


@dataclass(frozen=True)
class PreviewRow:
    """One row as it will be stored, with every doubtful cell and why."""

    number: int
    outcome: RowOutcome
    values: Mapping[str, str]
    issues: Mapping[str, str] = field(default_factory=dict)
    reason: str = ""  # why rejected, or which lead it duplicates


@dataclass(frozen=True)
class ImportReport:
    counts: ImportCounts
    rejected: tuple[RejectedRow, ...]
    sample: tuple[PreviewRow, ...] = ()
    batch_id: uuid.UUID | None = None
    warned: tuple[WarnedRow, ...] = ()  # the first WARNED_ROWS_LISTED of counts.warned


# import_batch.source_format of a customer and order import (app/services/customer_service.py).
CUSTOMER_IMPORT_FORMAT = "customers"


@dataclass(frozen=True)
class BatchRecord:
    id: uuid.UUID
    file_name: str
    started_at: dt.datetime
    status: str  # completed | undone
    created: int
    duplicates: int
    rejected: int
    mapping: str  # JSON
    source_format: str = ""  # CUSTOMER_IMPORT_FORMAT for a customer and order import
