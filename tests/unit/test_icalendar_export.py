"""iCalendar export: parsed back with icalendar, stable UIDs, non-ASCII round trip, escaping of
commas/semicolons/newlines, CRLF and folding, meetings as events too."""

from __future__ import annotations

import datetime as dt
import uuid

import icalendar
import pytest

from app.domain.tasks import TaskKind
from app.exporters.icalendar_export import CalendarTask, meeting_uid, task_uid, tasks_to_ics

NOW = dt.datetime(2025, 11, 14, 8, 0, tzinfo=dt.UTC)
DUE = dt.datetime(2025, 11, 17, 9, 30, tzinfo=dt.UTC)
LEAD = uuid.UUID(int=5)


def _task(n: int = 1, **kw: object) -> CalendarTask:
    fields: dict[str, object] = {
        "id": uuid.UUID(int=n), "lead_id": LEAD, "title": f"Call lead {n}", "description": "",
        "due_at": DUE, "kind": TaskKind.CALL, "done": False, "lead_name": "Anna Schmidt",
    }
    fields.update(kw)
    return CalendarTask(**fields)  # type: ignore[arg-type]


def _parse(data: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(data)


def _todos(data: bytes) -> list[icalendar.cal.Component]:
    return list(_parse(data).walk("VTODO"))


def test_one_todo_per_task_with_required_properties() -> None:
    data = tasks_to_ics([_task(1), _task(2, kind=TaskKind.EMAIL, done=True,
                                         done_at=DUE + dt.timedelta(hours=1))], "Leadline: Eva", NOW)
    cal = _parse(data)
    assert str(cal["version"]) == "2.0" and "Leadline" in str(cal["prodid"])
    assert str(cal["x-wr-calname"]) == "Leadline: Eva"
    first, second = _todos(data)
    assert str(first["uid"]) == f"{uuid.UUID(int=1)}@leadline" == task_uid(uuid.UUID(int=1))
    assert first.decoded("due") == DUE
    assert first.decoded("dtstamp") == NOW
    assert str(first["summary"]) == "Call lead 1"
    assert str(first["status"]) == "NEEDS-ACTION"
    assert [str(c) for c in first["categories"].cats] == ["CALL"]
    assert str(first["description"]) == "Lead: Anna Schmidt"
    assert str(second["status"]) == "COMPLETED"
    assert second.decoded("completed") == DUE + dt.timedelta(hours=1)
    assert [str(c) for c in second["categories"].cats] == ["EMAIL"]
    assert not list(cal.walk("VEVENT"))


def test_uids_and_sequence_stable_across_exports() -> None:
    updated = dt.datetime(2025, 11, 10, 12, tzinfo=dt.UTC)
    tasks = [_task(1, updated_at=updated), _task(2)]
    first = _todos(tasks_to_ics(tasks, "x", NOW))
    later = _todos(tasks_to_ics(list(reversed(tasks)), "x", NOW + dt.timedelta(days=1)))
    assert {str(t["uid"]) for t in first} == {str(t["uid"]) for t in later}
    by_uid = {str(t["uid"]): t for t in later}
    for todo in first:
        assert todo["sequence"] == by_uid[str(todo["uid"])]["sequence"]
    # An edit raises the sequence so clients take the new version.
    edited = _todos(tasks_to_ics([_task(1, updated_at=updated + dt.timedelta(minutes=5))], "x", NOW))
    assert edited[0]["sequence"] > first[0]["sequence"]
    assert edited[0].decoded("last-modified") == updated + dt.timedelta(minutes=5)
    assert first[1]["sequence"] == 0


def test_non_ascii_round_trips() -> None:
    task = _task(title="Anruf bei Jürgen Müller", lead_name="Łódź Tools – 東京支店",
                 description="Treffen in Łódź; Gruß aus 東京", url="leadline://lead/5")
    todo = _todos(tasks_to_ics([task], "Vertrieb Süd – 東京", NOW))[0]
    assert str(todo["summary"]) == "Anruf bei Jürgen Müller"
    assert str(todo["description"]) == ("Lead: Łódź Tools – 東京支店\n\nTreffen in Łódź; Gruß aus 東京"
                                        "\n\nleadline://lead/5")
    assert str(todo["url"]) == "leadline://lead/5"


def test_commas_semicolons_newlines_are_escaped_and_round_trip() -> None:
    text = "Budget: 10,000 EUR; timeline Q3\r\nAsk about: lasers, cutters;\nnext\\step"
    data = tasks_to_ics([_task(description=text, lead_name="")], "x", NOW)
    unfolded = data.replace(b"\r\n ", b"")
    assert b"10\\,000 EUR\\; timeline Q3\\nAsk about: lasers\\, cutters\\;\\nnext\\\\step" in unfolded
    todo = _todos(data)[0]
    assert str(todo["description"]) == text.replace("\r\n", "\n")


def test_crlf_and_folded_lines() -> None:
    data = tasks_to_ics([_task(description="Müller " * 40)], "x", NOW)
    lines = data.split(b"\r\n")
    assert data.endswith(b"\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in lines)
    assert any(line.startswith(b" ") for line in lines)  # continuation lines


def test_meetings_also_become_events() -> None:
    meeting = _task(3, kind=TaskKind.MEETING, title="Demo for Anna", duration_minutes=45)
    cal = _parse(tasks_to_ics([meeting, _task(4)], "x", NOW))
    assert len(list(cal.walk("VTODO"))) == 2
    (event,) = cal.walk("VEVENT")
    assert str(event["uid"]) == meeting_uid(meeting.id) != task_uid(meeting.id)
    assert event.decoded("dtstart") == DUE
    assert event.decoded("dtend") == DUE + dt.timedelta(minutes=45)
    assert [str(c) for c in event["categories"].cats] == ["MEETING"]
    (alarm,) = event.walk("VALARM")
    assert alarm.decoded("trigger") == -dt.timedelta(minutes=15)
    done = _parse(tasks_to_ics([_task(3, kind=TaskKind.MEETING, done=True)], "x", NOW))
    assert not list(done.walk("VALARM"))


def test_local_due_times_are_written_in_utc() -> None:
    berlin = dt.datetime(2025, 11, 17, 10, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    data = tasks_to_ics([_task(due_at=berlin)], "x", NOW)
    assert b"DUE:20251117T093000Z" in data


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError):
        tasks_to_ics([_task(due_at=dt.datetime(2025, 11, 17, 9))], "x", NOW)
    with pytest.raises(ValueError):
        tasks_to_ics([], "x", dt.datetime(2025, 11, 17, 9))


def test_empty_export_is_a_valid_calendar() -> None:
    cal = _parse(tasks_to_ics([], "", NOW))
    assert not list(cal.walk("VTODO")) and "x-wr-calname" not in cal
