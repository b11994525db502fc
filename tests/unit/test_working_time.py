"""Working calendar, pure: weekends, public holidays (national and Bavarian), DST weeks, company
closed dates, after-hours and Sunday starts, working hours between two instants."""

from __future__ import annotations

import datetime as dt

import pytest

from app.domain.errors import ValidationError
from app.domain.working_time import DEFAULT_CALENDAR, WorkingCalendar

BERLIN = DEFAULT_CALENDAR.zone
CAL = DEFAULT_CALENDAR
BAVARIA = WorkingCalendar(subdivision="BY")


def local(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> dt.datetime:
    """A Berlin wall-clock time, as the UTC instant the calendar takes."""
    return dt.datetime(y, m, d, hh, mm, tzinfo=BERLIN).astimezone(dt.UTC)


def test_default_calendar_is_berlin_germany() -> None:
    assert CAL.timezone == "Europe/Berlin"
    assert CAL.country == "DE"
    assert CAL.hours_per_day == 8


def test_weekends_are_not_working_days() -> None:
    assert CAL.is_working_day(dt.date(2025, 11, 14))  # Friday
    assert not CAL.is_working_day(dt.date(2025, 11, 15))  # Saturday
    assert not CAL.is_working_day(dt.date(2025, 11, 16))  # Sunday


@pytest.mark.parametrize("day", [dt.date(2025, 10, 3), dt.date(2025, 12, 25), dt.date(2025, 12, 26),
                                 dt.date(2026, 10, 3), dt.date(2024, 12, 26)])
def test_german_public_holidays(day: dt.date) -> None:
    assert not CAL.is_working_day(day)
    assert CAL.is_holiday(day)


def test_bavarian_holiday_only_with_subdivision() -> None:
    epiphany = dt.date(2025, 1, 6)  # Monday, Heilige Drei Koenige in Bavaria only
    assert CAL.is_working_day(epiphany)
    assert not BAVARIA.is_working_day(epiphany)
    friday = local(2025, 1, 3, 10)
    assert CAL.add_working_days(friday, 1) == local(2025, 1, 6, 10)
    assert BAVARIA.add_working_days(friday, 1) == local(2025, 1, 7, 10)


def test_no_country_means_no_public_holidays() -> None:
    assert WorkingCalendar(country="").is_working_day(dt.date(2025, 10, 3))


def test_company_closed_dates() -> None:
    cal = WorkingCalendar(closed_dates=frozenset({dt.date(2025, 12, 29), dt.date(2025, 12, 30)}))
    assert not cal.is_working_day(dt.date(2025, 12, 29))
    # Wed 24 Dec (a normal working day in DE) + 1: Christmas, weekend, closed days, 31 Dec.
    assert cal.add_working_days(local(2025, 12, 24, 11), 1) == local(2025, 12, 31, 11)


def test_add_working_days_across_weekend_and_unity_day() -> None:
    thursday = local(2025, 10, 2, 14, 30)
    assert CAL.add_working_days(thursday, 0) == thursday
    assert CAL.add_working_days(thursday, 1) == local(2025, 10, 6, 14, 30)  # Fri 3 Oct is off
    assert CAL.add_working_days(thursday, 5) == local(2025, 10, 10, 14, 30)


def test_add_working_days_from_sunday_counts_from_monday() -> None:
    sunday = local(2025, 11, 16, 10)
    assert CAL.add_working_days(sunday, 0) == local(2025, 11, 17, 10)
    assert CAL.add_working_days(sunday, 2) == local(2025, 11, 19, 10)


def test_add_working_days_keeps_local_time_across_dst() -> None:
    # Summer time ends on Sunday 26 Oct 2025: 10:00 Berlin is 08:00 UTC before, 09:00 UTC after.
    friday = local(2025, 10, 24, 10)
    monday = CAL.add_working_days(friday, 1)
    assert monday == local(2025, 10, 27, 10)
    assert friday.hour == 8 and monday.hour == 9
    # Summer time starts on Sunday 30 Mar 2025.
    assert CAL.add_working_days(local(2025, 3, 28, 9), 1) == dt.datetime(2025, 3, 31, 7, tzinfo=dt.UTC)


def test_add_working_days_rejects_negative_and_naive() -> None:
    with pytest.raises(ValueError):
        CAL.add_working_days(local(2025, 11, 14, 10), -1)
    with pytest.raises(ValueError):
        CAL.add_working_days(dt.datetime(2025, 11, 14, 10), 1)


def test_end_of_working_day() -> None:
    assert CAL.end_of_working_day(local(2025, 11, 14, 15)) == local(2025, 11, 14, 17)
    assert CAL.end_of_working_day(local(2025, 11, 14, 7)) == local(2025, 11, 14, 17)  # before hours
    assert CAL.end_of_working_day(local(2025, 11, 14, 17)) == local(2025, 11, 17, 17)  # at closing
    assert CAL.end_of_working_day(local(2025, 11, 14, 20)) == local(2025, 11, 17, 17)  # after hours
    assert CAL.end_of_working_day(local(2025, 11, 16, 12)) == local(2025, 11, 17, 17)  # Sunday
    assert CAL.end_of_working_day(local(2025, 12, 24, 18)) == local(2025, 12, 29, 17)  # Christmas


def test_end_of_working_day_in_dst_week_is_local_17() -> None:
    assert CAL.end_of_working_day(local(2025, 10, 25, 12)) == dt.datetime(2025, 10, 27, 16, tzinfo=dt.UTC)
    assert CAL.end_of_working_day(local(2025, 10, 24, 12)) == dt.datetime(2025, 10, 24, 15, tzinfo=dt.UTC)


def test_next_working_moment() -> None:
    inside = local(2025, 11, 14, 10, 15)
    assert CAL.next_working_moment(inside) == inside
    assert CAL.next_working_moment(local(2025, 11, 14, 6)) == local(2025, 11, 14, 9)
    assert CAL.next_working_moment(local(2025, 11, 14, 18)) == local(2025, 11, 17, 9)
    assert CAL.next_working_moment(local(2025, 11, 16, 12)) == local(2025, 11, 17, 9)


def test_working_hours_between() -> None:
    assert CAL.working_hours_between(local(2025, 11, 14, 10), local(2025, 11, 14, 13, 30)) == 3.5
    # Friday 15:00 -> Monday 11:00: 2 h Friday + 2 h Monday.
    assert CAL.working_hours_between(local(2025, 11, 14, 15), local(2025, 11, 17, 11)) == 4
    # Night and weekend only.
    assert CAL.working_hours_between(local(2025, 11, 14, 18), local(2025, 11, 17, 8)) == 0
    # Reversed order is negative.
    assert CAL.working_hours_between(local(2025, 11, 17, 11), local(2025, 11, 14, 15)) == -4
    # A full week around Unity Day: Mon-Thu worked, Fri off.
    assert CAL.working_hours_between(local(2025, 9, 29), local(2025, 10, 6)) == 32
    # The DST week is still 5 x 8 h.
    assert CAL.working_hours_between(local(2025, 10, 25), local(2025, 11, 1)) == 40


@pytest.mark.parametrize("kwargs, field", [
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"working_weekdays": frozenset()}, "working_weekdays"),
    ({"working_weekdays": frozenset({7})}, "working_weekdays"),
    ({"day_start": dt.time(17), "day_end": dt.time(9)}, "day_end"),
    ({"country": "XX"}, "country"),
    ({"subdivision": "XX"}, "subdivision"),
])
def test_invalid_calendars_are_refused(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        WorkingCalendar(**kwargs)  # type: ignore[arg-type]
    assert info.value.for_field(field)


def test_other_countries_and_weeks() -> None:
    # A Sunday-to-Thursday week in Dubai.
    cal = WorkingCalendar(timezone="Asia/Dubai", working_weekdays=frozenset({6, 0, 1, 2, 3}), country="")
    thursday = dt.datetime(2025, 11, 13, 10, tzinfo=cal.zone).astimezone(dt.UTC)
    assert cal.add_working_days(thursday, 1) == dt.datetime(2025, 11, 16, 10, tzinfo=cal.zone)
