"""The app's one wall clock: every "now" in Leadline is read here (or from a clock passed in).

``$LEADLINE_NOW`` (an ISO 8601 instant such as ``2026-11-20T09:30:00Z``) fixes it, so a scripted
run, a demo or a test's command-line call sees the same day as the data it was given, whatever the
real date is. Without it the clock is the system's, in UTC.
"""

from __future__ import annotations

import datetime as dt
import functools
import os

from app.domain.errors import LeadlineError

NOW_ENV_VAR = "LEADLINE_NOW"


class ClockSettingError(LeadlineError):
    """$LEADLINE_NOW holds something that is not a date and time."""


def utc_now() -> dt.datetime:
    fixed = os.environ.get(NOW_ENV_VAR, "").strip()
    if fixed:
        return fixed_instant(fixed)
    return dt.datetime.now(dt.UTC)


@functools.lru_cache(maxsize=16)
def fixed_instant(text: str) -> dt.datetime:
    """``text`` as an aware UTC instant; a bare date is its midnight UTC, a naive time is UTC."""
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ClockSettingError(
            f"{NOW_ENV_VAR}={text!r} is not a date and time: use ISO 8601, e.g. "
            "2026-11-20T09:30:00Z, or unset it to use the system clock.") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)
