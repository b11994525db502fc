"""Pursuit through the services and the CLI: cadences start, move and stop; my day; touches;
first-touch service levels with escalation; nurture returns; the calendar export."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import icalendar
import pytest

from app.bootstrap import main
from app.domain.errors import NotFoundError, ValidationError
from app.domain.exports import ExportPurpose
from app.domain.leads import LeadQuery, LeadStatus
from app.domain.people import Availability, Role
from app.domain.routing import TargetKind
from app.domain.service_levels import EscalationMode
from app.domain.tasks import TaskKind, TaskOutcome
from app.services.container import Services
from tests.conftest import FakeClock

pytestmark = pytest.mark.both_databases

BERLIN = dt.timezone(dt.timedelta(hours=1))  # November: CET


@pytest.fixture
def reps(services: Services) -> dict[str, Any]:
    people = services.people
    team = people.add_team("Central Europe")
    queue = people.add_queue("Central backlog", team_id=team.id)
    anna = people.add_user("Anna Weber", "anna@example.com", Role.REP, team="Central Europe")
    ben = people.add_user("Ben Braun", "ben@example.com", Role.REP, team="Central Europe")
    event = services.events.add("Hannover Messe 2026", country="DE")
    return {"anna": anna, "ben": ben, "queue": queue, "event": event, "team": team}


def _show_lead(services: Services, reps: dict[str, Any], **extra: Any) -> Any:
    return services.leads.create({"first_name": "Uwe", "last_name": "Ost", "company": "Ost GmbH",
                                  "email": "uwe@ost.example", "event": reps["event"].id,
                                  "owner": "anna@example.com", **extra})


def test_a_new_owner_starts_the_trade_show_cadence(services: Services,
                                                   reps: dict[str, Any]) -> None:
    lead = _show_lead(services, reps)
    tasks = services.followup.tasks_for_lead(lead.id)
    assert [(t.kind, t.cadence_step) for t in tasks] == [
        (TaskKind.EMAIL, 0), (TaskKind.CALL, 1), (TaskKind.EMAIL, 2), (TaskKind.CALL, 3)]
    # Friday 20 Nov 10:30 Berlin: +2 working days is Tuesday, +5 Friday, +10 and +20 later.
    assert [t.due_at.astimezone(BERLIN).date().isoformat() for t in tasks] == [
        "2026-11-24", "2026-11-27", "2026-12-04", "2026-12-18"]
    assert "Uwe" in tasks[0].title or "Uwe" in tasks[0].notes
    assert "Hannover Messe 2026" in tasks[0].title + tasks[0].notes
    assert {t.owner_id for t in tasks} == {reps["anna"].id}
    assert services.leads.get(lead.id).next_due_at == tasks[0].due_at
    services.leads.update(lead.id, {"owner": "ben@example.com"})
    assert {t.owner_id for t in services.followup.tasks_for_lead(lead.id)} == {reps["ben"].id}


def test_my_day_buckets_and_touches_advance_the_cadence(services: Services,
                                                        reps: dict[str, Any],
                                                        clock: FakeClock) -> None:
    lead = _show_lead(services, reps)
    first, second, *_ = services.followup.tasks_for_lead(lead.id)
    clock.now = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)  # Tuesday afternoon
    day = services.followup.my_day(reps["anna"].id)
    assert [i.task_id for i in day.overdue] == [first.id]  # due Tuesday 09:30 UTC
    assert day.today == () and [i.task_id for i in day.upcoming] == [second.id]
    assert day.due_now == 1 == services.followup.due_count(reps["anna"].id)
    services.followup.log_touch(lead.id, TaskKind.EMAIL, None, "sent the personal email",
                                task_id=first.id)
    after = services.leads.get(lead.id)
    assert after.first_touch_at == clock.now and after.last_touch_at == clock.now
    remaining = services.followup.tasks_for_lead(lead.id)
    call = next(t for t in remaining if t.id == second.id)
    # done a few hours late: the call keeps its 3-working-day gap from the email
    assert call.due_at.astimezone(BERLIN).date().isoformat() == "2026-11-27"
    history = services.leads.history(lead.id)
    assert history[0].kind.value == "email" and history[0].text == "sent the personal email"
    services.followup.log_touch(lead.id, TaskKind.CALL, TaskOutcome.MEETING_SET,
                                task_id=second.id)
    open_tasks = [t for t in services.followup.tasks_for_lead(lead.id) if t.done_at is None]
    assert open_tasks == [], "a meeting set stops the cadence"
    assert any("Cadence stopped: Meeting set" in h.text
               for h in services.leads.history(lead.id))
    with pytest.raises(ValidationError):
        services.followup.log_touch(lead.id, "fax")


def test_a_stopping_status_cancels_the_plan_and_snooze_records_why(
        services: Services, reps: dict[str, Any], clock: FakeClock) -> None:
    lead = _show_lead(services, reps)
    task = services.followup.tasks_for_lead(lead.id)[0]
    new_due = services.followup.snooze_to_day(task.id, dt.date(2026, 11, 26), "at a fair")
    assert new_due.astimezone(BERLIN).date() == dt.date(2026, 11, 26)
    assert "at a fair" in services.leads.history(lead.id)[0].text
    services.leads.update(lead.id, {"status": "sql"})
    assert [t for t in services.followup.tasks_for_lead(lead.id) if t.done_at is None] == []
    with pytest.raises(NotFoundError):
        services.followup.snooze(task.id, clock.now + dt.timedelta(days=1), "again")


def test_missed_first_touch_is_flagged_and_escalated(services: Services, reps: dict[str, Any],
                                                     clock: FakeClock) -> None:
    hot = _show_lead(services, reps, rating="hot")
    cold = _show_lead(services, reps, rating="cold", email="c@ost.example")
    assert services.leads.get(hot.id).first_touch_at is None
    clock.now = dt.datetime(2026, 11, 20, 16, 30, tzinfo=dt.UTC)  # Friday 17:30 Berlin
    check = services.followup.check_service_levels()
    assert check.breached == (hot.id,) and check.escalated == 1
    moved = services.leads.get(hot.id)
    assert moved.owner_id is None and moved.queue_id == reps["queue"].id
    assert any("First touch missed" in h.text for h in services.leads.history(hot.id))
    assert services.followup.check_service_levels().breached == (), "flagged once"
    assert services.leads.get(cold.id).owner_id == reps["anna"].id


def test_rerouting_a_missed_first_touch_never_gives_the_lead_back_to_its_owner(
        services: Services, reps: dict[str, Any], clock: FakeClock) -> None:
    services.settings.set("sla.escalation", EscalationMode.REROUTE.value)
    services.routing.add_rule("Everything to Central Europe", [], TargetKind.TEAM,
                              reps["team"].id)
    first = _show_lead(services, reps, rating="hot")
    second = _show_lead(services, reps, rating="hot", email="second@ost.example")
    clock.now = dt.datetime(2026, 11, 20, 16, 30, tzinfo=dt.UTC)  # Friday 17:30 Berlin
    check = services.followup.check_service_levels()
    assert set(check.breached) == {first.id, second.id} and check.escalated == 2
    # Round robin would come back to Anna for one of them: she is passed over.
    assert {services.leads.get(i).owner_id for i in (first.id, second.id)} == {reps["ben"].id}
    services.people.set_availability(reps["ben"].id, Availability.AWAY)
    third = _show_lead(services, reps, rating="hot", email="third@ost.example")
    clock.now = dt.datetime(2026, 11, 23, 16, 30, tzinfo=dt.UTC)  # Monday, after hours
    assert services.followup.check_service_levels().breached == (third.id,)
    placed = services.leads.get(third.id)
    assert placed.owner_id is None and placed.queue_id is not None  # nobody else: a queue


def test_nurture_leads_come_back_on_their_date(services: Services, reps: dict[str, Any],
                                               clock: FakeClock) -> None:
    lead = _show_lead(services, reps)
    gone = _show_lead(services, reps, email="gone@ost.example")
    back_on = dt.date(2026, 12, 1)
    services.routing.recycle(lead.id, "budget in December", back_on)
    services.routing.recycle(gone.id, "later", back_on)
    services.people.set_availability(reps["anna"].id, Availability.INACTIVE)
    services.leads.update(lead.id, {"owner": "ben@example.com"})
    assert services.followup.return_from_nurture().count == 0
    clock.now = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
    assert services.followup.return_from_nurture().count == 2
    day = services.followup.my_day(reps["ben"].id)
    assert [i.title for i in day.overdue + day.today if i.lead_id == lead.id] == [
        "Back from nurture: call again"]
    assert services.leads.get(gone.id).queue_name == "Inbox", "owner left: back to the queue"
    assert services.followup.return_from_nurture().count == 0


def test_nurture_export_leaves_out_the_suppressed(services: Services, reps: dict[str, Any],
                                                  tmp_path: Path) -> None:
    for name in ("keep", "spam"):
        lead = services.leads.create({"last_name": name, "email": f"{name}@x.example",
                                      "consent": "granted", "consent_text": "yes"})
        services.routing.recycle(lead.id, "later", dt.date(2027, 3, 1))
    services.leads.create({"last_name": "active", "email": "a@x.example", "consent": "granted",
                           "consent_text": "yes"})
    services.suppressions.add("email", "spam@x.example", "opted_out")
    result = services.exports.export_csv(LeadQuery(), tmp_path / "n.csv", ExportPurpose.NURTURE)
    text = result.path.read_text(encoding="utf-8-sig")
    assert result.written == 1 and "keep@x.example" in text and "come_back_on" in text
    assert result.excluded == {"do not contact": 1}


def test_calendar_export_parses_back_with_stable_ids(services: Services, reps: dict[str, Any],
                                                     tmp_path: Path) -> None:
    lead = _show_lead(services, reps, last_name="Müller-Łódź")
    path = tmp_path / "anna.ics"
    assert services.followup.export_calendar(reps["anna"].id, path) == 4
    first = icalendar.Calendar.from_ical(path.read_bytes())
    todos = [c for c in first.walk("VTODO")]
    assert len(todos) == 4 and all(str(t["UID"]).endswith("@leadline") for t in todos)
    assert any("Müller-Łódź" in str(t.get("DESCRIPTION", "")) for t in todos)
    services.followup.export_calendar(reps["anna"].id, path)
    again = icalendar.Calendar.from_ical(path.read_bytes())
    assert sorted(str(t["UID"]) for t in again.walk("VTODO")) == sorted(
        str(t["UID"]) for t in todos)
    assert services.leads.get(lead.id).next_due_at is not None


def test_calendar_export_cancels_what_left_the_plan_and_completes_what_was_done(
        services: Services, reps: dict[str, Any], tmp_path: Path, clock: FakeClock) -> None:
    lead = _show_lead(services, reps)
    first, *rest = services.followup.tasks_for_lead(lead.id)
    path = tmp_path / "anna.ics"
    services.followup.export_calendar(reps["anna"].id, path)
    before = {str(t["UID"]): t for t in icalendar.Calendar.from_ical(path.read_bytes())
              .walk("VTODO")}
    assert {str(t["STATUS"]) for t in before.values()} == {"NEEDS-ACTION"}
    clock.advance(hours=1)
    services.followup.log_touch(lead.id, TaskKind.EMAIL, None, "sent", task_id=first.id)
    clock.advance(hours=1)
    services.leads.update(lead.id, {"status": "sql"})  # the cadence stops: steps cancelled
    assert services.followup.export_calendar(reps["anna"].id, path) == 0  # nothing open
    after = {str(t["UID"]): t for t in icalendar.Calendar.from_ical(path.read_bytes())
             .walk("VTODO")}
    assert set(after) == set(before), "the same entries, so calendars update them"
    assert str(after[f"{first.id}@leadline"]["STATUS"]) == "COMPLETED"
    assert {str(after[f"{t.id}@leadline"]["STATUS"]) for t in rest} == {"CANCELLED"}
    assert all(int(after[uid]["SEQUENCE"]) > int(before[uid]["SEQUENCE"]) for uid in after)
    clock.advance(days=91)  # long gone: no longer exported
    services.followup.export_calendar(reps["anna"].id, path)
    assert list(icalendar.Calendar.from_ical(path.read_bytes()).walk("VTODO")) == []


def test_imported_leads_get_deadlines_and_cadences(services: Services, reps: dict[str, Any],
                                                   tmp_path: Path) -> None:
    from app.domain.imports import DuplicatePolicy
    from app.domain.routing import Condition, ConditionKind, TargetKind

    services.routing.add_rule("Germany", [Condition.parse(ConditionKind.COUNTRY, "DE")],
                              TargetKind.USER, reps["anna"].id)
    export = tmp_path / "list.csv"
    export.write_text("Last name,Email,Country,Rating\nOst,o@ost.example,DE,hot\n"
                      "Far,f@far.example,BR,\n", encoding="utf-8")
    table = services.imports.open(export)
    services.imports.run(table, services.imports.suggested_mapping(table)[0],
                         reps["event"].id, DuplicatePolicy.SKIP)
    leads = {lead.last_name: lead for lead in services.leads.list(LeadQuery())}
    assert leads["Ost"].first_touch_due_at is not None and leads["Far"].first_touch_due_at
    assert len(services.followup.tasks_for_lead(leads["Ost"].id)) == 4
    assert services.followup.tasks_for_lead(leads["Far"].id) == [], "in a queue: no owner yet"


def test_followup_cli(services: Services, reps: dict[str, Any], db_path: Path,
                      tmp_path: Path, capsys: Any, clock: FakeClock) -> None:
    lead = _show_lead(services, reps)
    run = lambda *args: main(["--db", services.context.db.location, *args])  # noqa: E731
    capsys.readouterr()
    assert run("--json", "reminders", "--owner", "anna@example.com") == 0
    listed = json.loads(capsys.readouterr().out)
    assert [t["bucket"] for t in listed["tasks"]] == ["upcoming", "upcoming"]
    task_id = listed["tasks"][0]["task_id"]
    assert run("reminders") == 2, "nobody signed in and no --owner"
    assert run("--json", "tasks", "done", task_id, "--outcome", "voicemail") == 0
    assert json.loads(capsys.readouterr().out)["done"] is True
    assert run("tasks", "done", task_id) == 2, "already done"
    assert run("tasks", "done", task_id, "--outcome", "maybe") == 2
    assert run("--json", "tasks", "snooze", listed["tasks"][1]["task_id"], "--until",
               "2026-12-02", "--reason", "trade fair") == 0
    out = tmp_path / "anna.ics"
    assert run("export", "--format", "ics", "--owner", "anna@example.com", "--out",
               str(out)) == 0
    assert out.read_bytes().startswith(b"BEGIN:VCALENDAR")
    capsys.readouterr()
    assert run("--json", "followup", "check") == 0
    assert json.loads(capsys.readouterr().out)["breached"] == []
    assert services.leads.get(lead.id).status is LeadStatus.INQUIRY


def test_suppressed_leads_get_no_cadence(services: Services, reps: dict[str, Any]) -> None:
    spy = services.leads.create({"last_name": "Spy", "email": "spy@rival.example",
                                 "owner": "anna@example.com", "do_not_contact": True})
    assert services.followup.tasks_for_lead(spy.id) == []
    lead = _show_lead(services, reps)
    services.suppressions.add("email", "uwe@ost.example", "opted_out")
    assert [t for t in services.followup.tasks_for_lead(lead.id) if t.done_at is None] == []
    assert any("do not contact" in h.text for h in services.leads.history(lead.id))


def test_a_bulk_assignment_starts_cadences_for_contactable_leads_only(
        services: Services, reps: dict[str, Any]) -> None:
    quiet = services.leads.create({"last_name": "Quiet", "email": "q@quiet.example",
                                   "do_not_contact": True, "event": reps["event"].id})
    open_ = services.leads.create({"last_name": "Open", "email": "o@open.example",
                                   "event": reps["event"].id})
    services.routing.assign([quiet.id, open_.id], owner_id=reps["anna"].id, reason="booth")
    assert services.followup.tasks_for_lead(quiet.id) == []
    assert services.followup.tasks_for_lead(open_.id)  # its cadence, started once it had an owner
