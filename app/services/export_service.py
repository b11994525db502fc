"""Lead exports to CSV: everything for a spreadsheet, or a clean list for a marketing tool.

A marketing export is where suppression matters most: it only holds people who agreed to
marketing, have an email, are not flagged do-not-contact and are not on the suppression list
now (the list may have grown since a lead was flagged). Streams in chunks, so a million leads
export in flat memory; written atomically, so a full disk never leaves half a file.
"""

from __future__ import annotations

import csv
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from app.domain.errors import LeadlineError
from app.domain.exports import (
    MARKETING_COLUMNS,
    NURTURE_COLUMNS,
    ExportPurpose,
    marketing_exclusion,
)
from app.domain.leads import LeadQuery, LeadRecord, LeadStatus
from app.domain.serialise import lead_to_dict
from app.files import atomic_write
from app.services.lead_service import LeadService
from app.services.suppression_service import SuppressionService

CHUNK = 2_000
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ExportResult:
    path: Path
    written: int
    excluded: dict[str, int]  # reason → leads left out (marketing only)


class ExportCancelledError(LeadlineError):
    pass


class ExportService:
    def __init__(self, leads: LeadService, suppressions: SuppressionService) -> None:
        self.leads, self.suppressions = leads, suppressions

    def export_csv(self, query: LeadQuery, path: Path,
                   purpose: ExportPurpose = ExportPurpose.ALL, *,
                   progress: Progress | None = None,
                   cancelled: Callable[[], bool] | None = None) -> ExportResult:
        if purpose is ExportPurpose.NURTURE:
            query = replace(query, statuses=(LeadStatus.NURTURE,))
        columns = (NURTURE_COLUMNS if purpose is ExportPurpose.NURTURE
                   else MARKETING_COLUMNS if purpose is ExportPurpose.MARKETING else None)
        keys = self.leads.ordered_keys(query)
        suppressed = self.suppressions.index()
        excluded: dict[str, int] = {}
        written = 0
        try:
            with atomic_write(path, encoding="utf-8-sig", newline="") as handle:
                out = csv.writer(handle)
                header: list[str] | None = None
                for start in range(0, len(keys), CHUNK):
                    if cancelled is not None and cancelled():
                        raise ExportCancelledError("Export cancelled: no file was written.")
                    for record in self.leads.records_for_keys(keys[start:start + CHUNK]):
                        if purpose.for_marketing:
                            reason = marketing_exclusion(record, suppressed)
                            if reason:
                                excluded[reason] = excluded.get(reason, 0) + 1
                                continue
                        row = lead_to_dict(record)
                        if header is None:
                            header = list(columns or row)
                            out.writerow(header)
                        out.writerow(["" if row.get(c) is None else row.get(c)
                                      for c in header])
                        written += 1
                    if progress is not None:
                        progress(min(start + CHUNK, len(keys)), len(keys))
                if header is None:
                    out.writerow(columns or list(lead_to_dict(LeadRecord(id=uuid.UUID(int=0)))))
        except OSError as exc:
            raise LeadlineError(f"Cannot write {path}: {exc.strerror}") from exc
        return ExportResult(path, written, excluded)


