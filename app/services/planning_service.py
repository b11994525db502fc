"""The lead-flow planner: measured funnel rates and this period's lead flow, read with the same
queries as the ROI and funnel reports, turned into a plan (app.domain.planning) and its PDF."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from app.domain.audit import AuditAction
from app.domain.errors import ValidationError
from app.domain.planning import (
    FunnelHistory,
    LeadFlowPlan,
    Period,
    Stage,
    inputs_from,
    measure_window,
    plan,
)
from app.domain.reports import ReportFilters
from app.files import atomic_write
from app.reports import plan_report
from app.reports.document import render
from app.reports.page import page_size_for
from app.reports.style import styles
from app.services.audit_service import AuditService
from app.services.context import ServiceContext
from app.storage.repositories.reports import ReportRepository

DEFAULT_CURRENCY = "EUR"


@dataclass(frozen=True)
class Measured:
    """What the history says, for prefilling the planner: counts over ``window``."""

    history: FunnelHistory
    currency: str  # the events' most common currency (deal values carry none of their own)
    window: tuple[str, str]  # first and last month measured, 'YYYY-MM'


class PlanningService:
    def __init__(self, context: ServiceContext, audit: AuditService) -> None:
        self.context, self.audit = context, audit

    def measured(self, period: Period) -> Measured:
        """Funnel counts of the leads created in the 12 months before ``period`` (or before this
        month, when the period has begun): the ROI report's rows, added up."""
        start, end = measure_window(period, self.context.clock())
        with self.context.db.read() as session:
            rows = ReportRepository(session).return_rows(ReportFilters(created_from=start,
                                                                       created_before=end))
        history = FunnelHistory(*(sum(getattr(r, name) for r in rows) for name in
                                  ("leads", "mql", "sql", "opportunities", "won", "won_value")))
        currencies = Counter(r.currency for r in rows if r.is_event for _ in range(r.leads))
        currency = currencies.most_common(1)[0][0] if currencies else DEFAULT_CURRENCY
        last_month = f"{end.year - (end.month == 1):04d}-{(end.month - 2) % 12 + 1:02d}"
        return Measured(history, currency, (start.strftime("%Y-%m"), last_month))

    def plan(self, target: int, period: Period, *, deal_size: int | None = None,
             estimates: Mapping[Stage, Fraction] | None = None, currency: str | None = None,
             measured: Measured | None = None) -> LeadFlowPlan:
        """The plan for ``target`` (minor units) in ``period``; typed ``deal_size`` and
        ``estimates`` replace the measured ones. Raises ValidationError naming what to type."""
        found = measured if measured is not None else self.measured(period)
        inputs = inputs_from(target, currency or found.currency, period, found.history,
                             deal_size, estimates)
        return plan(inputs, self.actual_by_month(period), self.context.clock())

    def actual_by_month(self, period: Period) -> dict[str, int]:
        """Live leads created in each month of ``period``, from every source."""
        with self.context.db.read() as session:
            rows = ReportRepository(session).month_rows(
                ReportFilters(created_from=period.start, created_before=period.end))
        return {r.month: r.leads for r in rows}

    def write_pdf(self, result: LeadFlowPlan, path: Path, *, page_size: str | None = None,
                  printing: bool = False) -> int:
        """The plan as a one- or two-page PDF at ``path``; returns the page count."""
        try:
            page = page_size_for(page_size)
        except ValueError as error:
            raise ValidationError.single("page", str(error)) from None
        story = plan_report.story(result, self.context.clock(), styles(), page)
        with atomic_write(path, "wb") as handle:
            pages = render(handle, story, title=plan_report.TITLE, page=page,
                           footer_left=f"Leadline · {plan_report.TITLE}").pages
        if not printing:
            self.audit.record(AuditAction.REPORT, f"lead-flow plan {result.inputs.period}, "
                                                  f"{pages} page(s) ({path.name})",
                              len(result.months))
        return pages

    def record_print(self, result: LeadFlowPlan, pages_printed: int) -> None:
        """The plan sent to the printer (the PDF rendered for it is not kept)."""
        self.audit.record(AuditAction.PRINT, f"lead-flow plan {result.inputs.period}, "
                                             f"{pages_printed} page(s) printed",
                          len(result.months))
