"""Follow-up tasks: the next step on a lead, who does it, and how it went.

Also what "my day" is made of: the three due buckets (overdue, today, the next days), their
bounds in the team's working time zone, and the lines a rep acts on.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

from app.domain.leads import LeadStatus, Rating


class TaskKind(StrEnum):
    EMAIL = "email"
    CALL = "call"
    MEETING = "meeting"
    TASK = "task"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class TaskOutcome(StrEnum):
    REACHED = "reached"
    VOICEMAIL = "voicemail"
    NO_ANSWER = "no_answer"
    MEETING_SET = "meeting_set"
    NOT_INTERESTED = "not_interested"
    WRONG_PERSON = "wrong_person"
    SENT = "sent"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


# What can come of each kind of touch, the most common first. An email is sent (no answer
# yet) or answered; a voicemail belongs to calls; a generic task may end any way.
_OUTCOMES_BY_KIND = {
    TaskKind.EMAIL: (TaskOutcome.SENT, TaskOutcome.REACHED, TaskOutcome.NO_ANSWER,
                     TaskOutcome.MEETING_SET, TaskOutcome.NOT_INTERESTED,
                     TaskOutcome.WRONG_PERSON),
    TaskKind.CALL: (TaskOutcome.REACHED, TaskOutcome.VOICEMAIL, TaskOutcome.NO_ANSWER,
                    TaskOutcome.MEETING_SET, TaskOutcome.NOT_INTERESTED,
                    TaskOutcome.WRONG_PERSON),
    TaskKind.MEETING: (TaskOutcome.REACHED, TaskOutcome.NO_ANSWER, TaskOutcome.MEETING_SET,
                       TaskOutcome.NOT_INTERESTED, TaskOutcome.WRONG_PERSON),
}


def outcomes_for(kind: TaskKind) -> tuple[TaskOutcome, ...]:
    """The outcomes a touch of this kind can have, in the order a rep picks them."""
    return _OUTCOMES_BY_KIND.get(kind, tuple(TaskOutcome))


class DueBucket(StrEnum):
    """The parts of "my day", in the order a rep works them."""

    OVERDUE = "overdue"
    TODAY = "today"
    UPCOMING = "upcoming"


@dataclass(frozen=True)
class DueItem:
    """One line of "my day": the task and what the rep needs to act on it."""

    task_id: uuid.UUID
    lead_id: uuid.UUID
    kind: TaskKind
    title: str
    notes: str
    due_at: dt.datetime
    cadence_step: int | None
    lead_name: str
    company: str
    email: str
    phone: str
    rating: Rating | None
    score: int
    deal_value: int | None
    status: LeadStatus
    owner_id: uuid.UUID | None


@dataclass(frozen=True)
class DueRange:
    """Where a bucket starts and ends (UTC); overdue has no start, it reaches back forever."""

    bucket: DueBucket
    starts: dt.datetime | None
    ends: dt.datetime


def due_ranges(now: dt.datetime, zone: ZoneInfo, upcoming_days: int) -> tuple[DueRange, ...]:
    """Overdue (before now), today (until local midnight in the working time zone) and the
    next ``upcoming_days`` days after it."""
    local = now.astimezone(zone)
    end_of_today = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(),
                                       zone).astimezone(dt.UTC)
    until = end_of_today + dt.timedelta(days=upcoming_days)
    return (DueRange(DueBucket.OVERDUE, None, now),
            DueRange(DueBucket.TODAY, now, end_of_today),
            DueRange(DueBucket.UPCOMING, end_of_today, until))


@dataclass(frozen=True)
class DueSection:
    """One bucket of "my day": the tasks read so far, in due order, and the bucket's exact
    size (None until counted: the first page was full, so there are more)."""

    range: DueRange
    count: int | None
    items: tuple[DueItem, ...]

    @property
    def bucket(self) -> DueBucket:
        return self.range.bucket

    @property
    def has_more(self) -> bool:
        return self.count is None or len(self.items) < self.count


@dataclass(frozen=True)
class DueOverview:
    """What "my day" shows at one moment: every bucket with its first rows and its size."""

    owner_id: uuid.UUID
    now: dt.datetime
    sections: tuple[DueSection, ...]

    def section(self, bucket: DueBucket) -> DueSection:
        return next(s for s in self.sections if s.bucket is bucket)

    @property
    def counted(self) -> bool:
        return all(s.count is not None for s in self.sections)

    @property
    def due_now(self) -> int | None:
        """What the tray icon counts: overdue plus due today (None until counted)."""
        overdue, today = (self.section(b).count for b in (DueBucket.OVERDUE, DueBucket.TODAY))
        return None if overdue is None or today is None else overdue + today
