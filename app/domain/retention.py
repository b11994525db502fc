"""The retention rule: leads never converted are kept for N months after capture, then listed
for erasure (PRODUCT.md: keep personal data no longer than it serves its purpose)."""

from __future__ import annotations

import calendar
import datetime as dt
import uuid
from dataclasses import dataclass

from app.domain.leads import LeadStatus

# A lead that became a customer is the company's record, not a prospect's data.
CONVERTED_STATUSES = frozenset({LeadStatus.CONVERTED, LeadStatus.WON})
MAX_MONTHS = 240


def months_before(moment: dt.datetime, months: int) -> dt.datetime:
    """``moment`` moved back ``months`` calendar months (31 March - 1 month = 28/29 February)."""
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


@dataclass(frozen=True)
class RetentionCandidate:
    """A lead the rule would erase: shown to an admin before anything is erased."""

    id: uuid.UUID
    name: str
    company: str
    status: LeadStatus
    created_at: dt.datetime
