"""Follow-up tasks as an iCalendar (RFC 5545) file for Outlook, Apple Calendar, Thunderbird.

Every task becomes a VTODO with a stable UID (``{task_id}@leadline``), so importing a newer
export updates the entries instead of duplicating them; SEQUENCE and LAST-MODIFIED follow the
task's ``updated_at``. Meetings additionally become a VEVENT (UID ``{task_id}-meeting@leadline``)
because most calendar apps (Outlook, Google Calendar) ignore VTODOs and a meeting is a time slot
anyway; open meetings carry a display alarm. Tasks finished or cancelled lately are exported too
(COMPLETED, CANCELLED), so a calendar that imported an earlier file updates them instead of
keeping them open for ever. The ``icalendar`` library escapes text, folds lines
at 75 octets and writes CRLF line endings.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

import icalendar

from app.domain.tasks import TaskKind

PRODID = "-//Leadline//Leadline follow-up tasks//EN"
# SEQUENCE counts seconds since this moment: monotone with every edit, fits 32 bits until 2088.
_SEQUENCE_EPOCH = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
MEETING_ALARM = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class CalendarTask:
    id: uuid.UUID
    lead_id: uuid.UUID
    title: str
    description: str
    due_at: dt.datetime  # aware
    kind: TaskKind
    done: bool
    lead_name: str
    url: str = ""  # e.g. a leadline:// link that opens the lead
    updated_at: dt.datetime | None = None  # drives SEQUENCE / LAST-MODIFIED
    done_at: dt.datetime | None = None
    duration_minutes: int = 30  # meetings only
    cancelled: bool = False  # deleted in Leadline (a stopped cadence): cancelled in calendars


def task_uid(task_id: uuid.UUID) -> str:
    return f"{task_id}@leadline"


def meeting_uid(task_id: uuid.UUID) -> str:
    return f"{task_id}-meeting@leadline"


def _utc(value: dt.datetime, name: str) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value.isoformat()}")
    return value.astimezone(dt.UTC).replace(microsecond=0)


def _sequence(task: CalendarTask) -> int:
    if task.updated_at is None:
        return 0
    return max(0, int((_utc(task.updated_at, "updated_at") - _SEQUENCE_EPOCH).total_seconds()))


def _text(value: str) -> str:
    return value.replace("\r\n", "\n").replace("\r", "\n")


def _description(task: CalendarTask) -> str:
    lines = [f"Lead: {task.lead_name}"] if task.lead_name else []
    if task.description.strip():
        lines += ["", task.description]
    if task.url:
        lines += ["", task.url]
    return _text("\n".join(lines).strip("\n"))


def _common(component: icalendar.cal.Component, task: CalendarTask, stamp: dt.datetime) -> None:
    component.add("dtstamp", stamp)
    component.add("summary", _text(task.title) or task.kind.label)
    component.add("description", _description(task))
    component.add("categories", [task.kind.value.upper()])
    component.add("sequence", _sequence(task))
    if task.updated_at is not None:
        component.add("last-modified", _utc(task.updated_at, "updated_at"))
    if task.url:
        component.add("url", task.url)
    component.add("x-leadline-lead-id", str(task.lead_id))


def _todo(task: CalendarTask, stamp: dt.datetime) -> icalendar.Todo:
    todo = icalendar.Todo()
    todo.add("uid", task_uid(task.id))
    _common(todo, task, stamp)
    todo.add("due", _utc(task.due_at, "due_at"))
    if task.cancelled:
        todo.add("status", "CANCELLED")
    elif task.done:
        todo.add("status", "COMPLETED")
        todo.add("percent-complete", 100)
        if task.done_at is not None:
            todo.add("completed", _utc(task.done_at, "done_at"))
    else:
        todo.add("status", "NEEDS-ACTION")
    return todo


def _meeting(task: CalendarTask, stamp: dt.datetime) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", meeting_uid(task.id))
    _common(event, task, stamp)
    start = _utc(task.due_at, "due_at")
    event.add("dtstart", start)
    event.add("dtend", start + dt.timedelta(minutes=max(1, task.duration_minutes)))
    event.add("status", "CANCELLED" if task.cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if task.cancelled else "OPAQUE")
    if not task.done and not task.cancelled:
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", _text(task.title) or task.kind.label)
        alarm.add("trigger", -MEETING_ALARM)
        event.add_component(alarm)
    return event


def tasks_to_ics(tasks: Iterable[CalendarTask], calendar_name: str, now: dt.datetime) -> bytes:
    """One VCALENDAR: a VTODO per task plus a VEVENT per meeting, in the order given.

    ``now`` is the DTSTAMP of every component (when this file was made)."""
    stamp = _utc(now, "now")
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    if calendar_name:
        cal.add("name", calendar_name)  # RFC 7986
        cal.add("x-wr-calname", calendar_name)  # Outlook, Apple, Google
    for task in tasks:
        cal.add_component(_todo(task, stamp))
        if task.kind is TaskKind.MEETING:
            cal.add_component(_meeting(task, stamp))
    return cal.to_ical()
