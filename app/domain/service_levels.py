"""First-touch service levels (PRODUCT.md "Pursuit"): how soon a new lead must be touched,
its countdown, and which leads have missed it.

The deadline counts in working time of a ``WorkingCalendar``: "0 days" (hot) is the end of
the capture's working day, "N days" is the end of the Nth working day after it. A capture at
or after closing time, or on a day off, belongs to the next working day.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

from app.domain.errors import ValidationError
from app.domain.leads import LeadStatus, Rating
from app.domain.working_time import WorkingCalendar

DUE_SOON_HOURS = 2.0
# Statuses under the first-touch service level: new leads still to be worked. Nurture leads
# wait for their come-back date; converted/won/lost/disqualified leads are past first touch.
SLA_STATUSES = frozenset({
    LeadStatus.INQUIRY, LeadStatus.SUSPECT, LeadStatus.PROSPECT, LeadStatus.MQL, LeadStatus.SQL,
})


class EscalationMode(StrEnum):
    NONE = "none"
    MANAGER_QUEUE = "manager_queue"  # the breached lead shows in the manager's queue
    REROUTE = "reroute"  # the breached lead is routed again (to someone available)

    @property
    def label(self) -> str:
        return _ESCALATION_LABELS[self]


_ESCALATION_LABELS = {
    EscalationMode.NONE: "Do nothing",
    EscalationMode.MANAGER_QUEUE: "Escalate to the manager's queue",
    EscalationMode.REROUTE: "Reassign through routing",
}


@dataclass(frozen=True)
class ServiceLevels:
    """First-touch deadline per rating, in working days (0 = end of the same working day).
    Unrated leads get the cold deadline."""

    hot_days: int = 0
    warm_days: int = 2
    cold_days: int = 5
    escalate: EscalationMode = EscalationMode.MANAGER_QUEUE

    def __post_init__(self) -> None:
        for name in ("hot_days", "warm_days", "cold_days"):
            value = getattr(self, name)
            if value < 0:
                raise ValidationError.single(name, "Use 0 (same working day) or more working days.")
            if value > 250:
                raise ValidationError.single(name, "Use at most 250 working days (about a year).")

    def days_for(self, rating: Rating | None) -> int:
        if rating is Rating.HOT:
            return self.hot_days
        if rating is Rating.WARM:
            return self.warm_days
        return self.cold_days


DEFAULT_SERVICE_LEVELS = ServiceLevels()


def first_touch_deadline(rating: Rating | None, captured_at: dt.datetime, levels: ServiceLevels,
                         calendar: WorkingCalendar) -> dt.datetime:
    """End (day-end local time, as UTC) of the Nth working day after the capture's working day."""
    same_day = calendar.end_of_working_day(captured_at)
    return calendar.add_working_days(same_day, levels.days_for(rating))


class SlaState(StrEnum):
    MET = "met"
    OPEN = "open"
    DUE_SOON = "due_soon"  # within DUE_SOON_HOURS working hours
    BREACHED = "breached"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


def sla_state(deadline: dt.datetime, first_touch_at: dt.datetime | None, now: dt.datetime,
              calendar: WorkingCalendar) -> SlaState:
    """MET when touched by the deadline; BREACHED when touched late or still untouched after it
    (a late touch stays breached in reports); otherwise DUE_SOON or OPEN."""
    if first_touch_at is not None:
        return SlaState.MET if first_touch_at <= deadline else SlaState.BREACHED
    if now > deadline:
        return SlaState.BREACHED
    if calendar.working_hours_between(now, deadline) <= DUE_SOON_HOURS:
        return SlaState.DUE_SOON
    return SlaState.OPEN


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _hours_minutes(minutes: int) -> str:
    hours, mins = divmod(minutes, 60)
    if not hours:
        return f"{mins} min"
    return f"{hours} h {mins} min" if mins else f"{hours} h"


def countdown_text(deadline: dt.datetime, now: dt.datetime, calendar: WorkingCalendar) -> str:
    """What the lead list shows next to an untouched lead.

    Before the deadline: working time left, as "3 h 20 min left" when the deadline falls on
    the current working day (the next one, outside hours), else "due in 2 working days"
    (working days after that day up to the deadline's day). After it: wall-clock time
    overdue, as "overdue by 1 day 4 h" (a customer waits nights and weekends too).
    """
    if now >= deadline:
        minutes = int((now - deadline).total_seconds() // 60)
        days, rest = divmod(minutes, 24 * 60)
        if not days:
            return f"overdue by {_hours_minutes(rest)}"
        hours = rest // 60
        return f"overdue by {_plural(days, 'day')}" + (f" {hours} h" if hours else "")
    today = calendar.next_working_moment(now).astimezone(calendar.zone).date()
    due_day = deadline.astimezone(calendar.zone).date()
    days = calendar.working_days_between(today, due_day)
    if days:
        return f"due in {_plural(days, 'working day')}"
    minutes = math.ceil(round(calendar.working_hours_between(now, deadline) * 60, 6))
    return f"{_hours_minutes(minutes)} left"


class FirstTouchFacts(NamedTuple):
    """What ``find_breaches`` needs of one lead (a plain tuple in this order works too)."""

    lead_id: uuid.UUID
    owner_id: uuid.UUID | None
    rating: Rating | None
    captured_at: dt.datetime
    first_touch_at: dt.datetime | None
    status: LeadStatus


@dataclass(frozen=True)
class Breach:
    lead_id: uuid.UUID
    owner_id: uuid.UUID | None
    deadline: dt.datetime
    detected_at: dt.datetime


def find_breaches(
    leads: Iterable[tuple[uuid.UUID, uuid.UUID | None, Rating | None, dt.datetime,
                          dt.datetime | None, LeadStatus]],
    now: dt.datetime, levels: ServiceLevels, calendar: WorkingCalendar,
) -> list[Breach]:
    """Leads in an SLA status, never touched, whose first-touch deadline has passed; oldest
    deadline first. Escalation (``levels.escalate``) is left to the service that acts."""
    breaches: list[Breach] = []
    for lead_id, owner_id, rating, captured_at, first_touch_at, status in leads:
        if first_touch_at is not None or status not in SLA_STATUSES:
            continue
        deadline = first_touch_deadline(rating, captured_at, levels, calendar)
        if now > deadline:
            breaches.append(Breach(lead_id, owner_id, deadline, now))
    breaches.sort(key=lambda b: (b.deadline, str(b.lead_id)))
    return breaches
