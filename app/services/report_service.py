"""Printed reports: gather the numbers (SQL aggregates in the reports repository), lay them out
(app/reports) and write the PDF atomically. No Qt: the GUI runs ``report`` on a worker thread
with ``progress`` and ``cancelled``, the CLI calls it directly.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from reportlab.platypus import Flowable

from app.domain.attribution import Model
from app.domain.audit import AuditAction
from app.domain.errors import ValidationError
from app.domain.reports import ReportFilters
from app.files import atomic_write
from app.reports import (
    attribution_report,
    followup_sheet,
    funnel_report,
    reps_report,
    roi_report,
    status_report,
)
from app.reports.document import Progress, render
from app.reports.document import ReportCancelledError as ReportCancelledError  # for the GUI
from app.reports.headings import Filters
from app.reports.page import PageSize, page_size_for
from app.reports.style import styles
from app.reports.tables import ListColumns
from app.services.attribution_service import AttributionService
from app.services.audit_service import AuditService
from app.services.context import ServiceContext
from app.storage.repositories.reports import DashboardNumbers as DashboardNumbers
from app.storage.repositories.reports import ReportRepository

REPORT_KINDS = ("status", "reps", "roi", "funnel", "attribution", "followup")
SHEET_DAYS = 7  # the follow-up sheet's default window: everything overdue and the next 7 days
_TITLES = {"status": status_report.TITLE, "reps": reps_report.TITLE, "roi": roi_report.TITLE,
           "funnel": funnel_report.TITLE, "attribution": attribution_report.TITLE,
           "followup": followup_sheet.TITLE}


@dataclass(frozen=True)
class ReportResult:
    path: Path
    pages: int
    rows: int  # rows of the report's main table: leads, reps, sources, months or tasks


class ReportService:
    def __init__(self, context: ServiceContext, audit: AuditService,
                 attribution: AttributionService | None = None) -> None:
        self.context, self.audit = context, audit
        self.attribution = attribution or AttributionService(context)
        self.db = context.db

    def report(self, kind: str, path: Path, *, event_id: uuid.UUID | None = None,
               owner_id: uuid.UUID | None = None, date_from: dt.date | None = None,
               date_to: dt.date | None = None, page_size: str | PageSize | None = None,
               progress: Callable[[int, int], None] | None = None,
               cancelled: Callable[[], bool] | None = None,
               printing: bool = False, model: str | Model = Model.FIRST) -> ReportResult:
        """Write report ``kind`` (one of REPORT_KINDS) to ``path``, recorded in the audit trail
        (``printing``: the caller prints it and records the print instead).

        Dates are calendar days on this computer, both inclusive: the day each lead was created,
        or for the follow-up sheet the day each task is due. Raises ValidationError for an
        unknown kind or attribution ``model`` (first, even), a bad page size or a range that
        ends before it starts;
        ReportCancelledError
        when ``cancelled()`` turns true (the file is then left as it was).
        """
        if kind not in REPORT_KINDS:
            raise ValidationError.single("kind", f"'{kind}' is not a report: choose one of "
                                                 f"{', '.join(REPORT_KINDS)}")
        if date_from and date_to and date_to < date_from:
            raise ValidationError.single("to", "is before the start date")
        try:
            model = Model(model)
        except ValueError:
            raise ValidationError.single("model", f"'{model}' is not an attribution model: "
                                                  "choose first or even") from None
        try:
            page = page_size_for(page_size)
        except ValueError as error:
            raise ValidationError.single("page_size", str(error)) from None
        now = self.context.clock()
        filters = ReportFilters(event_id, owner_id, _day_start(date_from),
                                _day_start(date_to + dt.timedelta(days=1)) if date_to else None)
        st = styles()
        track = Progress(progress, cancelled)
        with self.db.read() as session:
            repo = ReportRepository(session)
            event_name, owner_name = repo.filter_names(filters)
            words = Filters(event_name, owner_name, date_from, date_to)
            story: Iterator[Flowable]
            if kind == "status":
                data = status_report.StatusData(
                    repo.lead_count(filters), repo.status_counts(filters),
                    repo.owner_status_counts(filters), repo.source_rows(filters, now), now)
                track.total = rows = data.total
                story = status_report.story(data, repo.lead_lines(filters), words, st, page,
                                            track)
                columns = status_report.list_columns(page)
            else:
                columns = None
                if kind == "reps":
                    reps = repo.rep_rows(filters, now)
                    rows, story = len(reps), reps_report.story(reps, words, now, st, page)
                elif kind == "roi":
                    sources = repo.return_rows(filters)
                    rows, story = len(sources), roi_report.story(sources, words, now, st, page)
                elif kind == "funnel":
                    months = repo.month_rows(filters)
                    rows, story = len(months), funnel_report.story(months, words, now, st, page)
                elif kind == "attribution":
                    analysis = self.attribution.analysis(model, filters)
                    rows = analysis.rows
                    story = attribution_report.story(analysis, words, now, st, page)
                else:
                    sheets, window = self._sheets(repo, filters, date_from, date_to, now)
                    words = Filters(event_name, owner_name)
                    rows = sum(len(s.tasks) for s in sheets)
                    story = followup_sheet.story(sheets, words, now, window, st, page)
            with atomic_write(path, "wb") as handle:
                pages = self._render(handle, story, kind, page, columns)
        if not printing:
            what = f"{kind} ({model.label})" if kind == "attribution" else kind
            self.audit.record(AuditAction.REPORT, f"{what} report, {_pages(pages)} "
                                                  f"({path.name})", rows)
        return ReportResult(path, pages, rows)

    def record_print(self, result: ReportResult, kind: str, pages_printed: int) -> None:
        """A report sent to the printer (the PDF rendered for it is not kept)."""
        self.audit.record(AuditAction.PRINT, f"{kind} report, {_pages(pages_printed)} printed",
                          result.rows)

    def dashboard(self, filters: ReportFilters | None = None) -> DashboardNumbers:
        """The dashboard's chart numbers (SQL aggregates; about a second at a million leads),
        counting only the leads in ``filters`` (event, owner, created from/before)."""
        now = self.context.clock()
        with self.db.read() as session:
            return ReportRepository(session).dashboard(now, filters)

    def _render(self, handle: IO[bytes], story: Iterator[Flowable], kind: str, page: PageSize,
                columns: object) -> int:
        return render(handle, story, title=_TITLES[kind], page=page,
                      footer_left=f"Leadline · {_TITLES[kind]}",
                      columns=columns if isinstance(columns, ListColumns) else None).pages

    def _sheets(self, repo: ReportRepository, filters: ReportFilters, date_from: dt.date | None,
                date_to: dt.date | None, now: dt.datetime
                ) -> tuple[list[followup_sheet.Sheet], str]:
        if date_to is not None:
            until = _day_start(date_to + dt.timedelta(days=1))
        else:
            until = _day_start(now.astimezone().date() + dt.timedelta(days=SHEET_DAYS + 1))
        due_from = _day_start(date_from)
        assert until is not None
        window = (f"due {date_from.isoformat() if date_from else 'any time'} to "
                  f"{(until - dt.timedelta(days=1)).astimezone().date().isoformat()}")
        if date_from is None and date_to is None:
            window = f"overdue or due in the next {SHEET_DAYS} days"
        sheets = [followup_sheet.Sheet(name, email,
                                       repo.sheet_tasks(owner, filters, until, due_from))
                  for owner, name, email in repo.sheet_owners(filters, until, due_from)]
        return sheets, window


def _day_start(day: dt.date | None) -> dt.datetime | None:
    """Midnight at the start of ``day`` on this computer's clock, in UTC."""
    if day is None:
        return None
    return dt.datetime.combine(day, dt.time()).astimezone().astimezone(dt.UTC)


def _pages(count: int) -> str:
    return f"{count:,} page{'' if count == 1 else 's'}"
