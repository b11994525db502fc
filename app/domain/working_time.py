"""Working time: which days and hours count for follow-up deadlines and service levels.

A ``WorkingCalendar`` knows a team's time zone, its working weekdays and hours, the public
holidays of its country (and subdivision, e.g. Bavaria) from the ``holidays`` package, and
company closed dates. Every method takes and returns aware datetimes (normally UTC); the
conversion to local wall-clock time happens inside, so DST changes never shift a "17:00"
deadline by an hour.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

from app.domain.errors import ValidationError

MONDAY_TO_FRIDAY = frozenset({0, 1, 2, 3, 4})
# How far the calendar looks for the next working day before giving up (a calendar whose
# closed dates cover ten years is a configuration mistake, not a long weekend).
_MAX_SEARCH_DAYS = 3660


@functools.lru_cache(maxsize=256)
def _public_holidays(country: str, subdivision: str | None, year: int) -> frozenset[dt.date]:
    """The public holidays of one country/subdivision in one year (cached per year)."""
    table = holidays.country_holidays(country, subdiv=subdivision, years=year)
    return frozenset(table.keys())


def _has_table(country: str, subdivision: str | None) -> bool:
    try:
        _public_holidays(country, subdivision, 2000)
    except (NotImplementedError, ValueError):
        return False
    return True


def _require_aware(value: dt.datetime, name: str = "datetime") -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value.isoformat()}")


@dataclass(frozen=True)
class WorkingCalendar:
    """A team's working week, hours, time zone, public holidays and company closed dates.

    ``country`` is an ISO 3166 alpha-2 code ("" means no public holidays); ``subdivision``
    narrows it (e.g. "BY" for Bavaria). Weekdays use ``date.weekday()`` numbers (Mon=0).
    """

    timezone: str = "Europe/Berlin"
    working_weekdays: frozenset[int] = MONDAY_TO_FRIDAY
    day_start: dt.time = dt.time(9, 0)
    day_end: dt.time = dt.time(17, 0)
    country: str = "DE"
    subdivision: str | None = None
    closed_dates: frozenset[dt.date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValidationError.single("timezone", f"Unknown time zone {self.timezone!r}.") from exc
        if not self.working_weekdays:
            raise ValidationError.single("working_weekdays", "Choose at least one working day.")
        if any(d not in range(7) for d in self.working_weekdays):
            raise ValidationError.single("working_weekdays", "Weekdays are 0 (Monday) to 6 (Sunday).")
        if self.day_start.tzinfo is not None or self.day_end.tzinfo is not None:
            raise ValidationError.single("day_start", "Working hours are local times without a zone.")
        if not self.day_start < self.day_end:
            raise ValidationError.single("day_end", "The working day must end after it starts.")
        if self.country:
            try:
                _public_holidays(self.country, self.subdivision, 2000)
            except (NotImplementedError, ValueError) as exc:
                if self.subdivision and _has_table(self.country, None):
                    raise ValidationError.single(
                        "subdivision",
                        f"No public-holiday table for {self.subdivision!r} in {self.country!r}.") from exc
                raise ValidationError.single(
                    "country", f"No public-holiday table for {self.country!r}.") from exc

    # -- local time helpers --------------------------------------------------------------------

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def _local(self, at: dt.datetime) -> dt.datetime:
        _require_aware(at)
        return at.astimezone(self.zone)

    def _at(self, day: dt.date, time: dt.time) -> dt.datetime:
        """The UTC instant of a local wall-clock time on a local date."""
        return dt.datetime.combine(day, time, tzinfo=self.zone).astimezone(dt.UTC)

    @property
    def hours_per_day(self) -> float:
        start = dt.datetime.combine(dt.date(2000, 1, 3), self.day_start)
        end = dt.datetime.combine(dt.date(2000, 1, 3), self.day_end)
        return (end - start).total_seconds() / 3600

    # -- days ----------------------------------------------------------------------------------

    def is_holiday(self, day: dt.date) -> bool:
        """A public holiday of the calendar's country/subdivision, or a company closed date."""
        if day in self.closed_dates:
            return True
        return bool(self.country) and day in _public_holidays(self.country, self.subdivision, day.year)

    def is_working_day(self, day: dt.date) -> bool:
        return day.weekday() in self.working_weekdays and not self.is_holiday(day)

    def next_working_day(self, day: dt.date, *, include_self: bool = False) -> dt.date:
        """The first working day after ``day`` (or ``day`` itself when ``include_self``)."""
        candidate = day if include_self else day + dt.timedelta(days=1)
        for _ in range(_MAX_SEARCH_DAYS):
            if self.is_working_day(candidate):
                return candidate
            candidate += dt.timedelta(days=1)
        raise ValueError(f"No working day within {_MAX_SEARCH_DAYS} days of {day.isoformat()}.")

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in the half-open local-date range (start, end]; 0 when end <= start."""
        count = 0
        day = start + dt.timedelta(days=1)
        while day <= end:
            count += self.is_working_day(day)
            day += dt.timedelta(days=1)
        return count

    # -- instants ------------------------------------------------------------------------------

    def add_working_days(self, start: dt.datetime, days: int) -> dt.datetime:
        """``days`` working days after ``start``, at the same local time of day (UTC out).

        A start on a non-working day counts from the next working day: Sunday 10:00 + 0 is
        Monday 10:00, Sunday 10:00 + 2 is Wednesday 10:00 (the weekend is not "day 0"). The
        local wall-clock time is kept across DST changes; hours outside the working day are
        kept too (callers wanting "by end of day" use ``end_of_working_day``).
        """
        if days < 0:
            raise ValueError("days must not be negative")
        local = self._local(start)
        day = self.next_working_day(local.date(), include_self=True)
        for _ in range(days):
            day = self.next_working_day(day)
        return dt.datetime.combine(day, local.time(), tzinfo=self.zone).astimezone(dt.UTC)

    def end_of_working_day(self, at: dt.datetime) -> dt.datetime:
        """The "same working day" deadline: day end (17:00 local) of ``at``'s day, or of the
        next working day when ``at`` is at/after hours or on a day off."""
        local = self._local(at)
        day = local.date()
        if not (self.is_working_day(day) and local.time() < self.day_end):
            day = self.next_working_day(day)
        return self._at(day, self.day_end)

    def next_working_moment(self, at: dt.datetime) -> dt.datetime:
        """``at`` itself inside working hours; otherwise the next start of a working day."""
        local = self._local(at)
        day = local.date()
        if self.is_working_day(day):
            if self.day_start <= local.time() < self.day_end:
                return at.astimezone(dt.UTC)
            if local.time() < self.day_start:
                return self._at(day, self.day_start)
        return self._at(self.next_working_day(day), self.day_start)

    def working_hours_between(self, a: dt.datetime, b: dt.datetime) -> float:
        """Working hours from ``a`` to ``b`` (negative when ``b`` is before ``a``)."""
        _require_aware(a, "a")
        _require_aware(b, "b")
        if b < a:
            return -self.working_hours_between(b, a)
        day = self._local(a).date()
        last = self._local(b).date()
        seconds = 0.0
        while day <= last:
            if self.is_working_day(day):
                opens = max(a, self._at(day, self.day_start))
                closes = min(b, self._at(day, self.day_end))
                if closes > opens:
                    seconds += (closes - opens).total_seconds()
            day += dt.timedelta(days=1)
        return seconds / 3600


DEFAULT_CALENDAR = WorkingCalendar()
