"""What the dashboard charts, without Qt: its charts' names, the "Created" choices, and for
each bar the LeadQuery that lists exactly the leads it counts (pure: tests call it too)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, replace
from typing import Any

from app.domain.leads import FirstTouch, LeadQuery
from app.domain.reports import Money, ReportFilters
from app.services.report_service import DashboardNumbers

FUNNEL, SOURCE, EVENT, SERVICE, AGE = "funnel", "source", "event", "service", "age"

# "Created" choices: (value kept on this laptop, label). Relative ones stay relative to today.
ANY_TIME, LAST_30, LAST_90, THIS_YEAR, CUSTOM = "any", "last30", "last90", "year", "custom"
PERIODS = ((ANY_TIME, "Any time"), (LAST_30, "Last 30 days"), (LAST_90, "Last 90 days"),
           (THIS_YEAR, "This year"), (CUSTOM, "Custom…"))


@dataclass(frozen=True)
class Bar:
    """One clickable bar: its label, its count and the list behind it."""

    category: str
    count: int
    query: LeadQuery
    series: str = ""


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "–"


def period_days(period: str, today: dt.date, custom_from: dt.date, custom_to: dt.date
                ) -> tuple[dt.date | None, dt.date | None]:
    """The first and last day (both inclusive, None: open) a "Created" choice stands for."""
    if period == LAST_30:
        return today - dt.timedelta(days=29), None
    if period == LAST_90:
        return today - dt.timedelta(days=89), None
    if period == THIS_YEAR:
        return dt.date(today.year, 1, 1), None
    if period == CUSTOM:
        return custom_from, custom_to
    return None, None


def _day_start(day: dt.date | None) -> dt.datetime | None:
    """Midnight at the start of ``day`` on this computer's clock, in UTC."""
    if day is None:
        return None
    return dt.datetime.combine(day, dt.time()).astimezone().astimezone(dt.UTC)


def report_filters(event_id: uuid.UUID | None, owner_id: uuid.UUID | None,
                   first_day: dt.date | None, last_day: dt.date | None) -> ReportFilters:
    """The dashboard's filters: days are calendar days on this computer, both inclusive."""
    return ReportFilters(event_id, owner_id, _day_start(first_day),
                         _day_start(last_day + dt.timedelta(days=1)) if last_day else None)


def describe_days(first_day: dt.date | None, last_day: dt.date | None) -> str:
    if first_day and last_day:
        return (f"created {first_day.isoformat()}" if first_day == last_day
                else f"{first_day.isoformat()} to {last_day.isoformat()}")
    if first_day:
        return f"since {first_day.isoformat()}"
    return f"until {last_day.isoformat()}" if last_day else ""


def filtered_query(filters: ReportFilters, **fields: Any) -> LeadQuery:
    """The Leads list's query for the dashboard's filters plus a bar's own condition."""
    base = LeadQuery(event_id=filters.event_id, owner_id=filters.owner_id,
                     created_since=filters.created_from, created_before=filters.created_before)
    return replace(base, **fields)


def _later(a: dt.datetime | None, b: dt.datetime | None) -> dt.datetime | None:
    return b if a is None else a if b is None else max(a, b)


def _earlier(a: dt.datetime | None, b: dt.datetime | None) -> dt.datetime | None:
    return b if a is None else a if b is None else min(a, b)


def bars_for(numbers: DashboardNumbers) -> dict[str, list[Bar]]:
    """Every chart's bars, with the LeadQuery each one opens (pure: tests call it too).

    Each query carries the filters the numbers were counted with, so the list shows exactly
    the leads a bar counts."""
    f = numbers.filters
    funnel = [Bar(s.label, n, filtered_query(f, statuses=(s,))) for s, n in numbers.by_status]
    source = [Bar(c.label, n, filtered_query(f, channel=c)) for c, n in numbers.by_channel]
    event = [Bar(e.name, e.leads, filtered_query(f, event_id=e.event_id))
             for e in numbers.by_event]
    service: list[Bar] = []
    for row in numbers.service_levels:
        for state, count in ((FirstTouch.MET, row.met), (FirstTouch.MISSED, row.missed),
                             (FirstTouch.PENDING, row.pending)):
            if row.owner_id is not None:
                query = filtered_query(f, owner_id=row.owner_id, first_touch=state)
            else:
                query = filtered_query(f, owner_id=None, unassigned=True, first_touch=state)
            service.append(Bar(row.name, count, query, state.label))
    age = [Bar(band.label, band.leads, filtered_query(
        f, open_only=True, created_since=_later(band.since, f.created_from),
        created_before=_earlier(band.before, f.created_before))) for band in numbers.ages]
    return {FUNNEL: funnel, SOURCE: source, EVENT: event, SERVICE: service, AGE: age}


def money_text(money: Money) -> str:
    """Whole units per currency, e.g. "12,500 EUR + 800 USD" (never added together)."""
    return " + ".join(f"{amount / 100:,.0f} {currency}" for currency, amount in money)


def revenue_lines(numbers: DashboardNumbers, chart: str) -> list[str]:
    """The revenue block under a source or event chart's counts, in the bars' order: matched
    orders credited to each channel or event shown (first touch), as the ROI report counts."""
    if chart == SOURCE:
        channels = dict(numbers.revenue_by_channel)
        named = [(c.label, channels[c]) for c, _n in numbers.by_channel if channels.get(c)]
    else:
        events = dict(numbers.revenue_by_event)
        named = [(e.name, events[e.event_id]) for e in numbers.by_event
                 if events.get(e.event_id)]
    if not named:
        return []
    return ["", "<b>Revenue</b> (matched orders):",
            *[f"{name}: <b>{money_text(money)}</b>" for name, money in named]]


def share_lines(bars: list[Bar], whole: int) -> list[str]:
    """Each bar's count and its share of ``whole``, one line each."""
    return [f"{b.category}: <b>{b.count:,}</b> ({percent(b.count, whole)})" for b in bars]
