"""First-touch service levels with frozen clocks: deadlines per rating, after hours and across
holidays, SLA states, countdown texts, breach detection."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from app.domain.errors import ValidationError
from app.domain.leads import LeadStatus, Rating
from app.domain.service_levels import (
    DEFAULT_SERVICE_LEVELS,
    Breach,
    EscalationMode,
    FirstTouchFacts,
    ServiceLevels,
    SlaState,
    countdown_text,
    find_breaches,
    first_touch_deadline,
    sla_state,
)
from app.domain.working_time import DEFAULT_CALENDAR

CAL = DEFAULT_CALENDAR
LEVELS = DEFAULT_SERVICE_LEVELS


def local(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=CAL.zone).astimezone(dt.UTC)


FRIDAY_2PM = local(2025, 11, 14, 14)
FRIDAY_5PM = local(2025, 11, 14, 17)


def test_defaults() -> None:
    assert (LEVELS.hot_days, LEVELS.warm_days, LEVELS.cold_days) == (0, 2, 5)
    assert LEVELS.escalate is EscalationMode.MANAGER_QUEUE
    assert LEVELS.days_for(None) == LEVELS.cold_days


def test_friday_afternoon_hot_lead_is_due_friday_5pm() -> None:
    assert first_touch_deadline(Rating.HOT, FRIDAY_2PM, LEVELS, CAL) == FRIDAY_5PM


def test_after_hours_hot_lead_is_due_next_working_day() -> None:
    after_hours = local(2025, 11, 14, 18, 30)
    assert first_touch_deadline(Rating.HOT, after_hours, LEVELS, CAL) == local(2025, 11, 17, 17)
    assert first_touch_deadline(Rating.HOT, local(2025, 11, 16, 11), LEVELS, CAL) == local(2025, 11, 17, 17)
    # Before opening counts for that same day.
    assert first_touch_deadline(Rating.HOT, local(2025, 11, 17, 7), LEVELS, CAL) == local(2025, 11, 17, 17)


def test_warm_lead_across_unity_day() -> None:
    # Thursday 2 Oct 2025; Friday 3 Oct is German Unity Day.
    assert first_touch_deadline(Rating.WARM, local(2025, 10, 2, 10), LEVELS, CAL) == local(2025, 10, 7, 17)


def test_cold_and_unrated_leads() -> None:
    cold = first_touch_deadline(Rating.COLD, FRIDAY_2PM, LEVELS, CAL)
    assert cold == local(2025, 11, 21, 17)
    assert first_touch_deadline(None, FRIDAY_2PM, LEVELS, CAL) == cold


def test_edited_levels() -> None:
    levels = ServiceLevels(hot_days=1, warm_days=3, cold_days=10, escalate=EscalationMode.REROUTE)
    assert first_touch_deadline(Rating.HOT, FRIDAY_2PM, levels, CAL) == local(2025, 11, 17, 17)
    with pytest.raises(ValidationError) as info:
        ServiceLevels(warm_days=-1)
    assert info.value.for_field("warm_days")


def test_deadline_in_dst_week_stays_5pm_local() -> None:
    deadline = first_touch_deadline(Rating.WARM, local(2025, 10, 24, 12), LEVELS, CAL)
    assert deadline == dt.datetime(2025, 10, 28, 16, tzinfo=dt.UTC)  # 17:00 CET


# -- states and countdowns ---------------------------------------------------------------------

def test_sla_states() -> None:
    assert sla_state(FRIDAY_5PM, local(2025, 11, 14, 16), local(2025, 11, 20), CAL) is SlaState.MET
    assert sla_state(FRIDAY_5PM, local(2025, 11, 17, 9), local(2025, 11, 20), CAL) is SlaState.BREACHED
    assert sla_state(FRIDAY_5PM, None, local(2025, 11, 14, 10), CAL) is SlaState.OPEN
    assert sla_state(FRIDAY_5PM, None, local(2025, 11, 14, 15), CAL) is SlaState.DUE_SOON
    assert sla_state(FRIDAY_5PM, None, FRIDAY_5PM, CAL) is SlaState.DUE_SOON
    assert sla_state(FRIDAY_5PM, None, local(2025, 11, 14, 17, 1), CAL) is SlaState.BREACHED


def test_due_soon_counts_working_hours_over_the_weekend() -> None:
    monday_10am = local(2025, 11, 17, 10)
    assert sla_state(monday_10am, None, local(2025, 11, 14, 16, 30), CAL) is SlaState.DUE_SOON  # 0.5 + 1 h
    assert sla_state(monday_10am, None, local(2025, 11, 14, 14), CAL) is SlaState.OPEN  # 3 + 1 h


@pytest.mark.parametrize("now, text", [
    (local(2025, 11, 14, 13, 40), "3 h 20 min left"),
    (local(2025, 11, 14, 15), "2 h left"),
    (local(2025, 11, 14, 16, 35), "25 min left"),
    (local(2025, 11, 14, 7), "8 h left"),  # before opening: a full working day
    (local(2025, 11, 13, 16), "due in 1 working day"),
    (local(2025, 11, 12, 10), "due in 2 working days"),
    (local(2025, 11, 11, 20), "due in 2 working days"),  # after hours: counts from Wednesday
    (local(2025, 11, 14, 17, 25), "overdue by 25 min"),
    (local(2025, 11, 14, 20, 5), "overdue by 3 h 5 min"),
    (local(2025, 11, 15, 21), "overdue by 1 day 4 h"),
    (local(2025, 11, 16, 17), "overdue by 2 days"),
])
def test_countdown_text(now: dt.datetime, text: str) -> None:
    assert countdown_text(FRIDAY_5PM, now, CAL) == text


def test_countdown_over_a_weekend() -> None:
    monday_5pm = local(2025, 11, 17, 17)
    assert countdown_text(monday_5pm, local(2025, 11, 14, 16), CAL) == "due in 1 working day"
    assert countdown_text(monday_5pm, local(2025, 11, 15, 12), CAL) == "8 h left"


# -- breaches ----------------------------------------------------------------------------------

OWNER = uuid.UUID(int=100)


def _facts(n: int, rating: Rating | None, captured_at: dt.datetime, touched: dt.datetime | None = None,
           status: LeadStatus = LeadStatus.INQUIRY, owner: uuid.UUID | None = OWNER) -> FirstTouchFacts:
    return FirstTouchFacts(uuid.UUID(int=n), owner, rating, captured_at, touched, status)


def test_find_breaches() -> None:
    now = local(2025, 11, 17, 10)  # Monday morning
    leads = [
        _facts(1, Rating.HOT, FRIDAY_2PM),  # due Fri 17:00: breached
        _facts(2, Rating.HOT, FRIDAY_2PM, touched=local(2025, 11, 14, 16)),  # touched in time
        _facts(3, Rating.HOT, local(2025, 11, 14, 19)),  # after hours: due Monday 17:00
        _facts(4, Rating.WARM, local(2025, 11, 12, 9)),  # due Fri 14th 17:00: breached
        _facts(5, Rating.HOT, FRIDAY_2PM, status=LeadStatus.DISQUALIFIED),
        _facts(6, Rating.HOT, FRIDAY_2PM, status=LeadStatus.NURTURE),
        _facts(7, None, local(2025, 11, 7, 9), owner=None),  # unrated = cold: due Fri 14th
        _facts(8, Rating.HOT, local(2025, 11, 13, 12), touched=local(2025, 11, 17, 9)),  # touched late
    ]
    breaches = find_breaches(leads, now, LEVELS, CAL)
    assert [b.lead_id.int for b in breaches] == [1, 4, 7]
    assert breaches[0] == Breach(uuid.UUID(int=1), OWNER, FRIDAY_5PM, now)
    assert breaches[2].owner_id is None
    # Plain tuples work too; nothing is breached before the deadline.
    assert find_breaches([tuple(leads[0])], local(2025, 11, 14, 16), LEVELS, CAL) == []  # type: ignore[list-item]
