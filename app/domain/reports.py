"""What reports and the dashboard show: plain records the report repository fills and the PDF
layouts and dashboard read, so neither needs the storage layer."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from app.domain.leads import Channel, LeadStatus

Money = tuple[tuple[str, int], ...]  # (currency, minor units) by currency, never added across


@dataclass(frozen=True)
class ReportFilters:
    event_id: uuid.UUID | None = None
    owner_id: uuid.UUID | None = None
    created_from: dt.datetime | None = None  # inclusive, UTC
    created_before: dt.datetime | None = None  # exclusive, UTC


@dataclass(frozen=True)
class SourceRow:
    source: str
    leads: int
    open: int
    untouched: int
    overdue: int
    won: int


@dataclass(frozen=True)
class LeadLine:
    name: str
    company: str
    status: LeadStatus
    owner: str
    source: str
    last_touch_at: dt.datetime | None
    next_due_at: dt.datetime | None
    next_step: str
    company_source: str = ""  # '' the person gave the company; else where the guess came from


@dataclass(frozen=True)
class RepRow:
    owner_id: uuid.UUID
    name: str
    email: str
    assigned: int
    touched: int
    sla_measured: int
    sla_met: int
    conversions: int
    overdue_tasks: int
    skipped_steps: int
    hours_to_first_touch: tuple[float, ...]


@dataclass(frozen=True)
class ReturnRow:
    source: str
    is_event: bool
    cost: int | None
    currency: str
    leads: int
    mql: int
    sql: int
    opportunities: int
    won: int
    won_value: int = 0  # the deal values of the won leads (what the planner takes a deal as)
    # Matched customer orders credited to the row (first touch, app/domain/attribution.py).
    revenues: Money = ()

    @property
    def revenue(self) -> int:
        """Revenue in the row's currency (for a source: its only currency, if one)."""
        return dict(self.revenues).get(self.currency, 0)

    @property
    def mixed(self) -> bool:
        """Some revenue is in a currency other than the row's: no return can be figured."""
        return any(currency != self.currency for currency, _amount in self.revenues)


@dataclass(frozen=True)
class MonthRow:
    month: str
    leads: int
    mql: int
    sql: int
    opportunities: int
    won: int
    lost: int
    revenues: Money = ()  # first-touch revenue of the month's leads, by currency


@dataclass(frozen=True)
class SheetTask:
    owner_id: uuid.UUID
    due_at: dt.datetime
    kind: str
    title: str
    cadence_step: int | None
    lead_name: str
    company: str
    phone: str
    email: str
    status: LeadStatus
    rating: str


@dataclass(frozen=True)
class EventCount:
    event_id: uuid.UUID
    name: str
    leads: int


@dataclass(frozen=True)
class ServiceLevelRow:
    """First-touch service level of one owner's leads (owner None: unassigned leads)."""

    owner_id: uuid.UUID | None
    name: str
    met: int
    missed: int
    pending: int

    @property
    def measured(self) -> int:
        return self.met + self.missed


@dataclass(frozen=True)
class AgeBand:
    """Open leads created in [since, before); None leaves that end open."""

    label: str
    since: dt.datetime | None
    before: dt.datetime | None
    leads: int


@dataclass(frozen=True)
class DashboardNumbers:
    now: dt.datetime
    total: int
    open: int
    by_status: tuple[tuple[LeadStatus, int], ...]  # every status, funnel order
    by_channel: tuple[tuple[Channel, int], ...]  # channels with leads, most first
    by_event: tuple[EventCount, ...]  # the biggest events, most first
    other_events: int  # leads at events not in by_event
    no_event: int
    service_levels: tuple[ServiceLevelRow, ...]  # owners with the most measured leads
    ages: tuple[AgeBand, ...]  # each band's own edges; the filters' dates narrow it further
    filters: ReportFilters = ReportFilters()  # every number counts only these leads
    # First-touch revenue of matched orders per channel and per event (every event, not only
    # the biggest), by currency.
    revenue_by_channel: tuple[tuple[Channel, Money], ...] = ()
    revenue_by_event: tuple[tuple[uuid.UUID, Money], ...] = ()

    @property
    def is_filtered(self) -> bool:
        return self.filters != ReportFilters()
