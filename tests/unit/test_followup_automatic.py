"""The follow-up checks are Leadline's own doing: recorded as the app's while a manager is
signed in, reported with the leads they changed, committed batch by batch so other writers
get their turn, and stoppable between batches."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from sqlalchemy import event

from app.domain.history import APP_ACTOR_ID, APP_ACTOR_NAME, ActivityKind
from app.domain.leads import LeadQuery
from app.domain.people import Availability, Role
from app.domain.routing import TargetKind
from app.domain.service_levels import EscalationMode
from app.services import followup_checks
from app.services.container import Services
from app.services.followup_checks import FollowUpCancelledError
from app.storage.repositories.distribution import DistributionRepository
from tests.conftest import FakeClock

pytestmark = pytest.mark.both_databases

AFTER_HOURS = dt.datetime(2026, 11, 20, 16, 30, tzinfo=dt.UTC)  # Friday 17:30 Berlin
BACK_ON = dt.date(2026, 12, 1)


@pytest.fixture
def team(services: Services) -> dict[str, Any]:
    """Two reps, and their manager signed in on this laptop (she clicks nothing below)."""
    people = services.people
    central = people.add_team("Central Europe")
    manager = people.add_user("Maria Keller", "maria@example.com", Role.MANAGER)
    anna = people.add_user("Anna Weber", "anna@example.com", Role.REP, team="Central Europe")
    ben = people.add_user("Ben Braun", "ben@example.com", Role.REP, team="Central Europe")
    people.sign_in(manager.id)
    return {"team": central, "manager": manager, "anna": anna, "ben": ben}


def _hot_leads(services: Services, count: int, owner: str = "anna@example.com") -> list[Any]:
    return [services.leads.create({"last_name": f"Hot {n}", "email": f"hot{n}@ost.example",
                                   "rating": "hot", "owner": owner}) for n in range(count)]


def _nurtured(services: Services, count: int) -> list[Any]:
    leads = [services.leads.create({"last_name": f"Later {n}", "email": f"later{n}@x.example",
                                    "owner": "anna@example.com"}) for n in range(count)]
    for lead in leads:
        services.routing.recycle(lead.id, "budget in December", BACK_ON)
    return leads


def _automatic_rows(services: Services, lead_id: Any) -> list[Any]:
    return [h for h in services.leads.history(lead_id) if h.automatic]


def test_escalation_is_recorded_as_the_apps_while_a_manager_is_signed_in(
        services: Services, team: dict[str, Any], clock: FakeClock) -> None:
    lead, = _hot_leads(services, 1)
    clock.now = AFTER_HOURS
    check = services.followup.check_service_levels()
    assert check.breached == (lead.id,) and check.escalated == 1
    moved = services.leads.get(lead.id)
    assert moved.owner_id is None and moved.queue_name == "Inbox"
    rows = _automatic_rows(services, lead.id)
    assert {r.kind for r in rows} == {ActivityKind.NOTE, ActivityKind.OWNER_CHANGED}
    assert all(r.actor == APP_ACTOR_NAME for r in rows)
    owner_change = next(r for r in rows if r.kind is ActivityKind.OWNER_CHANGED)
    assert "Maria" not in owner_change.text, "nobody but the app decided this"
    assert (owner_change.old_value, owner_change.new_value) == ("Anna Weber", "queue Inbox")
    with services.context.db.read() as session:
        run = DistributionRepository(session).runs(limit=1)[0]
    assert run.actor_id == APP_ACTOR_ID and run.moved == 1
    assert APP_ACTOR_NAME not in {u.name for u in services.people.users()}, \
        "the app is no person to sign in as or route leads to"


def test_the_check_names_the_leads_it_changed_and_the_list_shows_exactly_them(
        services: Services, team: dict[str, Any], clock: FakeClock) -> None:
    queue = services.people.add_queue("Central backlog", team_id=team["team"].id)
    late = _hot_leads(services, 3)
    _hot_leads(services, 1, owner="ben@example.com")
    services.leads.update(late[2].id, {"owner": ""})  # unowned: flagged, not escalated
    clock.now = AFTER_HOURS
    check = services.followup.check_service_levels()
    missed, escalated = check.changes
    assert missed.summary == "4 leads missed their first-touch deadline"
    assert escalated.summary == ("3 leads moved to queue Central backlog after missed "
                                 "first-touch deadlines")
    assert len(escalated.lead_ids) == 3 and late[2].id not in escalated.lead_ids
    listed = services.leads.list(LeadQuery(lead_ids=escalated.lead_ids), limit=10)
    assert {r.id for r in listed} == set(escalated.lead_ids)
    assert {r.queue_id for r in listed} == {queue.id}
    assert services.leads.count(LeadQuery(lead_ids=missed.lead_ids)) == 4


def test_rerouting_names_where_the_leads_went(services: Services, team: dict[str, Any],
                                              clock: FakeClock) -> None:
    services.settings.set("sla.escalation", EscalationMode.REROUTE.value)
    services.routing.add_rule("Everything to Central Europe", [], TargetKind.TEAM,
                              team["team"].id)
    first, second = _hot_leads(services, 2)
    clock.now = AFTER_HOURS
    check = services.followup.check_service_levels()
    assert [c.summary for c in check.escalations] == [
        "2 leads given to other reps after missed first-touch deadlines"]
    assert {services.leads.get(i).owner_id for i in (first.id, second.id)} == {team["ben"].id}
    assert all(r.actor == APP_ACTOR_NAME for r in _automatic_rows(services, first.id))


def test_nurture_returns_are_the_apps_with_their_tasks_and_queue_moves(
        services: Services, team: dict[str, Any], clock: FakeClock) -> None:
    back, gone = _nurtured(services, 2)
    services.leads.update(gone.id, {"owner": "ben@example.com"})
    services.people.set_availability(team["ben"].id, Availability.INACTIVE)
    clock.now = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
    result = services.followup.return_from_nurture()
    assert (result.to_owners, result.to_queue) == ((back.id,), (gone.id,))
    assert [c.summary for c in result.changes] == [
        "1 lead back from nurture on their owners' lists",
        "1 lead back from nurture in the catch-all queue (owner away or gone)"]
    calls = [t for t in services.followup.tasks_for_lead(back.id)
             if t.title == "Back from nurture: call again"]
    assert [(t.owner_id, t.due_at) for t in calls] == [(team["anna"].id, clock.now)]
    assert services.leads.get(back.id).next_due_at == clock.now
    assert services.leads.get(gone.id).queue_name == "Inbox"
    for lead in (back, gone):
        latest = [h for h in services.leads.history(lead.id) if h.occurred_at == clock.now]
        assert latest and all(h.automatic for h in latest)
    assert services.followup.return_from_nurture().count == 0, "once per come-back date"


def test_checks_commit_batch_by_batch_and_let_another_writer_in_between(
        services: Services, team: dict[str, Any], clock: FakeClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(followup_checks, "CHECK_BATCH", 2)
    leads = _nurtured(services, 5)
    clock.now = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
    commits: list[int] = []
    event.listen(services.context.db.engine, "commit", lambda _conn: commits.append(1))
    between, written = threading.Event(), threading.Event()
    asked = [0]

    def at_each_step() -> bool:
        asked[0] += 1
        if asked[0] == 2:  # the first batch is committed: someone else's turn now
            between.set()
            assert written.wait(10), "the other writer never got its turn"
        return False

    outcome: list[object] = []

    def check() -> None:
        try:
            outcome.append(services.followup.return_from_nurture(cancelled=at_each_step))
        except Exception as error:  # recorded: the assertion below names it
            outcome.append(error)
            between.set()

    worker = threading.Thread(target=check)
    worker.start()
    assert between.wait(10)
    services.leads.add_note(leads[4].id, "called in between")  # waits if the check held on
    written.set()
    worker.join(10)
    result, = outcome
    assert not isinstance(result, Exception), result
    assert result.count == 5
    assert any(h.text == "called in between" for h in services.leads.history(leads[4].id))
    assert len(commits) >= 3, "five leads in batches of two: three transactions at least"


def test_a_check_stops_between_batches_and_the_next_one_finishes(
        services: Services, team: dict[str, Any], clock: FakeClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(followup_checks, "CHECK_BATCH", 2)
    leads = _hot_leads(services, 3)
    clock.now = AFTER_HOURS
    asked = [0]

    def closing_after_one_batch() -> bool:
        asked[0] += 1
        return asked[0] > 1

    with pytest.raises(FollowUpCancelledError, match="stopped after 2 leads"):
        services.followup.check_service_levels(cancelled=closing_after_one_batch)
    flagged = [services.leads.get(lead.id).sla_breached_at for lead in leads]
    assert flagged.count(None) == 1, "the first batch stays done"
    assert len(services.followup.check_service_levels().breached) == 1
