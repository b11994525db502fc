"""Lead exports: CSV, XLSX, Salesforce and HubSpot import layouts, vCard.

Every format shares one row source: the leads matching the query, in list order, read in
chunks, with the people the purpose must leave out already dropped (a marketing or nurture
export only holds people who agreed to marketing, have an email, are not flagged do-not-contact
and are not on the suppression list now: the list may have grown since a lead was flagged).
A writer per format (app/exporters) turns the rows into the file. Memory stays flat however
many leads there are; files are written atomically, so a full disk or a cancel never leaves
half a file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from app.domain.audit import AuditAction
from app.domain.errors import LeadlineError
from app.domain.exports import (
    MARKETING_COLUMNS,
    NURTURE_COLUMNS,
    ExportFormat,
    ExportPurpose,
    marketing_exclusion,
)
from app.domain.leads import LeadQuery, LeadStatus
from app.domain.progress import CancelCheck, CancelledError, Progress
from app.domain.serialise import lead_keys
from app.files import atomic_write
from app.services.audit_service import AuditService
from app.services.lead_service import LeadService
from app.services.suppression_service import SuppressionService
from app.storage.repositories.exports import CsvText, ExportRepository
from app.storage.repositories.leads import LeadRepository

CHUNK = 2_000


@dataclass(frozen=True)
class ExportResult:
    path: Path
    written: int
    excluded: dict[str, int]  # reason → leads left out (marketing and nurture only)


class ExportCancelledError(CancelledError):
    """The export stopped between chunks; atomic_write left no file behind."""


def purpose_columns(purpose: ExportPurpose) -> tuple[str, ...]:
    """Our own columns for a CSV or XLSX export with this purpose."""
    if purpose is ExportPurpose.NURTURE:
        return NURTURE_COLUMNS
    if purpose is ExportPurpose.MARKETING:
        return MARKETING_COLUMNS
    return lead_keys()


_PURPOSE_WORDS = {ExportPurpose.ALL: "every field", ExportPurpose.MARKETING: "for marketing",
                  ExportPurpose.NURTURE: "the nurture list"}


class ExportService:
    def __init__(self, leads: LeadService, suppressions: SuppressionService,
                 audit: AuditService) -> None:
        self.leads, self.suppressions, self.audit = leads, suppressions, audit

    def export_csv(self, query: LeadQuery, path: Path,
                   purpose: ExportPurpose = ExportPurpose.ALL, *,
                   progress: Progress | None = None,
                   cancelled: CancelCheck | None = None) -> ExportResult:
        return self.export(query, path, ExportFormat.CSV, purpose, progress=progress,
                           cancelled=cancelled)

    def export(self, query: LeadQuery, path: Path, fmt: ExportFormat = ExportFormat.CSV,
               purpose: ExportPurpose = ExportPurpose.ALL, *,
               progress: Progress | None = None,
               cancelled: CancelCheck | None = None) -> ExportResult:
        """Write the leads matching ``query`` to ``path`` in ``fmt``, leaving out whoever
        ``purpose`` excludes (counted by reason in the result); recorded in the audit trail."""
        scope = "all leads" if query == LeadQuery() else "a filtered list"

        def audited(written: int) -> int:
            self.audit.record(AuditAction.EXPORT, f"{fmt.value.upper()}, "
                                                  f"{_PURPOSE_WORDS[purpose]}, {scope} "
                                                  f"({path.name})", written)
            return written

        return self._write(query, path, fmt, purpose, audited, progress=progress,
                           cancelled=cancelled)

    def _write(self, query: LeadQuery, path: Path, fmt: ExportFormat, purpose: ExportPurpose,
               audited: Callable[[int], int], *, progress: Progress | None,
               cancelled: CancelCheck | None) -> ExportResult:
        """Write the file; ``audited`` records it in the audit trail inside atomic_write, before
        the file takes its name, so no export exists without its audit entry."""
        # Imported here: the GUI builds this service at start-up, openpyxl and vobject are
        # only needed once someone exports.
        from app.exporters.csv_layouts import (
            HUBSPOT_CONTACTS,
            SALESFORCE_LEADS,
            native_layout,
            write_csv,
            write_csv_text,
        )
        from app.exporters.vcard_writer import write_vcards
        from app.exporters.xlsx_writer import write_xlsx

        excluded: dict[str, int] = {}
        if fmt is ExportFormat.CSV and not purpose.for_marketing:
            # Every column, nobody left out: the lines are written as the database makes them.
            try:
                with atomic_write(path, encoding="utf-8-sig", newline="") as text:
                    written = audited(write_csv_text(text, native_layout(lead_keys()),
                                                     self.csv_chunks(query, progress=progress,
                                                                     cancelled=cancelled)))
            except OSError as exc:
                raise LeadlineError(f"Cannot write {path}: {exc.strerror or exc}") from exc
            return ExportResult(path, written, excluded)
        rows = self.rows(query, purpose, excluded, progress=progress, cancelled=cancelled)
        try:
            if fmt is ExportFormat.XLSX:
                with atomic_write(path, "wb") as binary:
                    written = audited(write_xlsx(binary, native_layout(purpose_columns(purpose)),
                                                 rows))
            elif fmt is ExportFormat.VCARD:
                with atomic_write(path, encoding="utf-8", newline="") as text:
                    written = audited(write_vcards(text, rows))
            else:
                layout = {ExportFormat.SALESFORCE: SALESFORCE_LEADS,
                          ExportFormat.HUBSPOT: HUBSPOT_CONTACTS}.get(fmt)
                with atomic_write(path, encoding="utf-8-sig", newline="") as text:
                    written = audited(write_csv(
                        text, layout or native_layout(purpose_columns(purpose)), rows))
        except OSError as exc:
            raise LeadlineError(f"Cannot write {path}: {exc.strerror or exc}") from exc
        return ExportResult(path, written, excluded)

    def csv_chunks(self, query: LeadQuery, *, progress: Progress | None = None,
                   cancelled: CancelCheck | None = None) -> Iterator[CsvText]:
        """The lines of the native CSV export of every lead the query lists, a chunk at a time
        (see ExportRepository.csv_text); progress and cancelling as in ``rows``."""
        now = self.leads.context.clock()
        with self.leads.db.read() as session:
            total = LeadRepository(session).count(query, now)
            done = 0
            for chunk in ExportRepository(session).csv_text(query, now, CHUNK):
                if cancelled is not None and cancelled():
                    raise ExportCancelledError("Export cancelled: no file was written.")
                yield chunk
                done += chunk[1]
                if progress is not None:
                    progress(min(done, total), total)

    def rows(self, query: LeadQuery, purpose: ExportPurpose, excluded: dict[str, int], *,
             progress: Progress | None = None,
             cancelled: CancelCheck | None = None) -> Iterator[dict[str, Any]]:
        """The row source of every format: lead dicts in list order, after the purpose's
        exclusions (each counted in ``excluded`` by reason). Raises ExportCancelledError
        between chunks once ``cancelled()`` says so."""
        if purpose is ExportPurpose.NURTURE:
            query = replace(query, statuses=(LeadStatus.NURTURE,))
        suppressed = self.suppressions.index() if purpose.for_marketing else None
        done = 0
        for total, batch in self.leads.export_rows(query, CHUNK):
            if cancelled is not None and cancelled():
                raise ExportCancelledError("Export cancelled: no file was written.")
            for lead in batch:
                if suppressed is not None:
                    reason = marketing_exclusion(lead, suppressed)
                    if reason:
                        excluded[reason] = excluded.get(reason, 0) + 1
                        continue
                yield lead
            done += len(batch)
            if progress is not None:
                progress(min(done, total), total)
