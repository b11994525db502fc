"""Demo data: counts, realism rules, determinism, appending, cancelling, and ORM-readable rows.

The bulk writer bypasses the ORM, so these tests read everything back through the services
and the ORM models: a format slip (dashed UUIDs, aware timestamps, enum names) shows up here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import phonenumbers
import pytest
from sqlalchemy import func, select

from app.domain.contact_data import normalise_email, normalise_phone
from app.domain.history import ActivityKind
from app.domain.lead_validation import check_lead_rules
from app.domain.leads import CLOSED_STATUSES, LeadQuery, LeadRecord, LeadStatus
from app.domain.people import Availability, Role
from app.services.container import Services
from app.services.demo_service import DemoService, DemoSummary
from app.storage.db import Database
from app.storage.opening import open_database
from app.storage.orm import Activity, Lead, Task
from app.storage.repositories.bulk import BulkWriter
from tests.conftest import FakeClock

pytestmark = pytest.mark.both_databases

N = 2000


def _generate(services: Services, leads: int = N, **kwargs: Any) -> DemoSummary:
    return DemoService(services.context).generate(leads, **kwargs)


def _all_leads(services: Services) -> list[LeadRecord]:
    query = LeadQuery(descending=False)
    return services.leads.list(query, limit=services.leads.count(query) + 1)


@pytest.fixture
def demo(services: Services) -> Services:
    """A database holding the demo organisation and N leads."""
    _generate(services)
    return services


def test_counts_match_the_summary(services: Services, db: Database) -> None:
    summary = _generate(services)

    assert summary.leads == services.leads.count(LeadQuery()) == N
    assert summary.users == len(services.people.users()) == 12
    assert summary.events == len(services.events.events()) == 8
    writer = BulkWriter(db)
    assert summary.tasks == writer.count("task") > 0
    assert summary.activities == writer.count("activity") > N
    assert summary.seconds > 0


def test_organisation_has_every_role_orphans_and_a_catch_all_queue(demo: Services) -> None:
    users = demo.people.users()
    assert {u.role for u in users} == set(Role)
    assert {u.availability for u in users} == set(Availability)
    assert len(demo.people.teams()) == 2
    assert any(q.is_catch_all and q.name == "Unassigned" for q in demo.people.queues())
    events = demo.events.events()
    assert len({e.country for e in events}) >= 6
    now = demo.context.clock().date()
    assert all(e.starts_on and e.ends_on and e.ends_on < now for e in events)
    assert all(e.starts_on and (now - e.starts_on).days <= 548 for e in events)
    assert all(e.cost and e.venue and e.city for e in events)
    # Orphans: no owner, or an owner who is away or has left.
    assert demo.leads.count(LeadQuery(unassigned=True)) > 0
    away = {u.id for u in users if u.availability is not Availability.ACTIVE}
    assert any(lead.owner_id in away for lead in _all_leads(demo))


def test_every_status_appears_with_its_rules(demo: Services) -> None:
    leads = _all_leads(demo)
    statuses = Counter(lead.status for lead in leads)

    assert set(statuses) == set(LeadStatus)
    for lead in leads:
        check_lead_rules({"status": lead.status, "disqualify_reason": lead.disqualify_reason,
                          "come_back_on": lead.come_back_on, "last_name": lead.last_name})
        if lead.status is LeadStatus.WON:
            assert lead.deal_value and lead.deal_value > 0
        if lead.needs_review:
            assert lead.review_reason
    assert any(lead.needs_review for lead in leads)
    assert {lead.channel for lead in leads} >= {"trade_show", "web", "phone", "referral"}
    assert len({lead.country for lead in leads}) >= 10
    assert any(not lead.first_name.isascii() or not lead.last_name.isascii() for lead in leads)


def test_same_seed_gives_the_same_leads_and_ids(tmp_path: Path, clock: FakeClock) -> None:
    def run(name: str, seed: int) -> list[tuple[Any, ...]]:
        database, _ = open_database(tmp_path / name)
        try:
            services = Services.build(database, clock)
            _generate(services, 600, seed=seed)
            return [(r.id, r.first_name, r.last_name, r.email, r.status, r.owner_id,
                     r.event_id, r.created_at, r.next_due_at) for r in _all_leads(services)]
        finally:
            database.dispose()

    first, second = run("a.sqlite", 7), run("b.sqlite", 7)
    assert first == second
    assert len(first) == 600
    assert run("c.sqlite", 8) != first


def test_running_again_appends_without_collisions(services: Services) -> None:
    first = _generate(services, 500)
    second = _generate(services, 500)

    assert (first.users, first.events) == (12, 8)
    assert (second.users, second.events) == (0, 0)  # organisation reused
    assert len(services.people.users()) == 12
    leads = _all_leads(services)
    assert len(leads) == 1000
    assert len({lead.id for lead in leads}) == 1000


def test_ids_are_uuid7_in_time_order(demo: Services) -> None:
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    leads = _all_leads(demo)
    for lead in leads:
        assert lead.id.version == 7 and lead.id.variant == uuid.RFC_4122
        assert lead.created_at is not None
        assert lead.id.int >> 80 == (lead.created_at - epoch) // dt.timedelta(milliseconds=1)
    assert [lead.id for lead in leads] == sorted(lead.id for lead in leads)


def test_contact_data_passes_the_app_validation(demo: Services) -> None:
    leads = _all_leads(demo)
    emails = [lead.email for lead in leads if lead.email]
    assert len(emails) > N * 0.8
    for email in emails:
        assert normalise_email(email) == email
    assert any(e.endswith(("@gmail.com", "@outlook.com", "@web.de")) for e in emails)

    phones = [(lead.phone, lead.phone_e164, lead.country) for lead in leads if lead.phone]
    phones += [(lead.mobile, lead.mobile_e164, lead.country) for lead in leads if lead.mobile]
    assert len(phones) > N * 0.8
    for typed, e164, country in phones:
        assert normalise_phone(typed, country) == e164
        assert phonenumbers.is_valid_number(phonenumbers.parse(e164, None)), e164


def test_next_due_is_the_earliest_open_task(demo: Services, db: Database) -> None:
    now = demo.context.clock()
    with db.read() as session:
        earliest = dict(session.execute(
            select(Task.lead_id, func.min(Task.due_at)).where(Task.done_at.is_(None))
            .group_by(Task.lead_id)).all())
        due = {lead_id: next_due for lead_id, next_due in session.execute(
            select(Lead.id, Lead.next_due_at))}
    leads = {lead.id: lead for lead in _all_leads(demo)}

    assert earliest
    for lead_id, next_due in due.items():
        expected = earliest.get(lead_id)
        if expected is not None:
            expected = expected.replace(tzinfo=dt.UTC)
        assert next_due == expected
        lead = leads[lead_id]
        if next_due is not None:  # only owned open leads have something planned
            assert lead.owner_id is not None and lead.status not in CLOSED_STATUSES
    dues = [d for d in due.values() if d is not None]
    end_of_day = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(), dt.UTC)
    assert any(d < now for d in dues), "some follow-ups are overdue"
    assert any(now <= d < end_of_day for d in dues), "some are due today"
    assert any(d >= end_of_day for d in dues), "some are due later"
    assert demo.leads.count(LeadQuery(overdue=True)) == sum(d < now for d in dues)


def test_every_lead_has_consistent_history(demo: Services, db: Database) -> None:
    now = demo.context.clock()
    touches = (ActivityKind.CALL, ActivityKind.EMAIL, ActivityKind.MEETING)
    with db.read() as session:
        created = dict(session.execute(
            select(Activity.lead_id, func.count()).where(Activity.kind == ActivityKind.CREATED)
            .group_by(Activity.lead_id)).all())
        spans = {row[0]: (row[1], row[2]) for row in session.execute(
            select(Activity.lead_id, func.min(Activity.occurred_at), func.max(Activity.occurred_at))
            .where(Activity.kind.in_(touches)).group_by(Activity.lead_id))}
        latest = dict(session.execute(
            select(Activity.lead_id, func.max(Activity.occurred_at)).group_by(Activity.lead_id)
        ).all())
    leads = _all_leads(demo)

    assert len(created) == len(leads) and set(created.values()) == {1}
    assert any(lead.first_touch_at for lead in leads)
    for lead in leads:
        first, last = spans.get(lead.id, (None, None))
        assert lead.first_touch_at == (first and first.replace(tzinfo=dt.UTC))
        assert lead.last_touch_at == (last and last.replace(tzinfo=dt.UTC))
        assert lead.created_at is not None and lead.updated_at is not None
        assert lead.created_at <= lead.updated_at <= now
        assert latest[lead.id].replace(tzinfo=dt.UTC) <= lead.updated_at

    won = next(lead for lead in leads if lead.status is LeadStatus.WON)
    history = demo.leads.history(won.id)
    assert history[-1].kind is ActivityKind.CREATED
    changes = [a for a in history if a.kind is ActivityKind.STATUS_CHANGED]
    assert changes[0].new_value == "Won" and changes[0].summary == "Status: Converted → Won"
    assert any(a.kind.is_touch and a.actor_name for a in history)


def test_cancel_stops_between_chunks_and_keeps_what_was_written(services: Services) -> None:
    seen: list[tuple[int, int]] = []
    summary = DemoService(services.context, chunk_size=200).generate(
        N, progress=lambda done, total: seen.append((done, total)),
        cancelled=lambda: len(seen) >= 2)

    assert seen == [(200, N), (400, N)]
    assert summary.leads == services.leads.count(LeadQuery()) == 400


def test_progress_is_reported_every_chunk(services: Services) -> None:
    seen: list[tuple[int, int]] = []
    DemoService(services.context, chunk_size=300).generate(
        700, progress=lambda done, total: seen.append((done, total)))

    assert seen == [(300, 700), (600, 700), (700, 700)]


def test_records_are_readable_through_the_services(demo: Services) -> None:
    sample = demo.leads.list(LeadQuery(), limit=20)
    for record in sample:
        again = demo.leads.get(record.id)
        assert again == record
        assert again.created_at is not None and again.created_at.tzinfo is dt.UTC
        assert isinstance(again.status, LeadStatus)

    named = next(r for r in _all_leads(demo) if len(r.last_name) >= 4 and r.event_id)
    found = demo.leads.list(LeadQuery(search=named.last_name), limit=N)
    assert named.id in {r.id for r in found}
    assert named.event_name and (named.owner_name or named.queue_name)
    hot_open = demo.leads.list(LeadQuery(open_only=True, statuses=(LeadStatus.SQL,)), limit=5)
    assert hot_open and all(r.status is LeadStatus.SQL for r in hot_open)
    # The demo rows stay editable through the ORM path.
    edited = demo.leads.update(named.id, {"notes": "Checked in the demo test"})
    assert edited.notes == "Checked in the demo test"
    assert demo.leads.search("Checked in the demo")[0].id == named.id


def test_bulk_rows_are_stored_exactly_as_the_orm_stores_them(services: Services,
                                                             db: Database) -> None:
    services.settings.set("routing.auto_on_capture", False)  # the row as typed, not routed
    orm = services.leads.create({
        "first_name": "Zoë", "last_name": "Müller", "email": "zoe@example.de", "country": "DE",
        "phone": "030 1234567", "status": "nurture", "come_back_on": "2027-01-15",
        "do_not_contact": True, "rating": "hot", "deal_value": "1200.50"})
    copy: dict[str, Any] = {
        "id": uuid.UUID(int=orm.id.int + 1), "created_at": orm.created_at,
        "updated_at": orm.updated_at, "device_id": orm.device_id,
        **{name: getattr(orm, name) for name in (
            "first_name", "last_name", "email", "country", "phone", "phone_e164", "status",
            "come_back_on", "do_not_contact", "rating", "deal_value", "channel", "consent",
            "needs_review", "score", "score_reasons")}}
    BulkWriter(db).write({"lead": [copy]})

    with db.raw_connection() as connection:
        rows = connection.execute("SELECT * FROM lead ORDER BY key").fetchall()
    assert len(rows) == 2
    stored_orm, stored_bulk = rows[0][2:], rows[1][2:]  # skip key and id
    assert stored_orm == stored_bulk
    assert rows[1][1] == copy["id"].hex
    assert services.leads.get(copy["id"]) == dataclasses.replace(orm, id=copy["id"])


def test_a_failing_batch_writes_nothing(demo: Services, db: Database) -> None:
    before = demo.leads.count(LeadQuery())
    lead = next(iter(_all_leads(demo)))
    now = demo.context.clock()
    new_id = uuid.UUID(int=lead.id.int + 12345)
    # The lead is fine; the second activity repeats the first one's id, so the batch fails
    # after the lead row (and its full-text entry) were already inserted.
    activity = {"id": new_id, "lead_id": new_id, "kind": ActivityKind.CREATED,
                "occurred_at": now, "updated_at": now, "device_id": lead.device_id}
    batch = {
        "lead": [{"id": new_id, "created_at": now, "updated_at": now,
                  "device_id": lead.device_id, "last_name": "Rollback"}],
        "activity": [activity, activity],
    }
    if db.is_server:
        import psycopg

        unique_violation: type[Exception] = psycopg.IntegrityError
    else:
        unique_violation = sqlite3.IntegrityError
    with pytest.raises(unique_violation, match="(?i)unique"):
        BulkWriter(db).write(batch)

    assert demo.leads.count(LeadQuery()) == before
    assert demo.leads.search("Rollback") == []


def test_bulk_writer_names_bad_values(db: Database) -> None:
    now = dt.datetime(2026, 1, 1)  # naive: refused, like orm.UTCDateTime
    with pytest.raises(ValueError, match="naive datetime"):
        BulkWriter.convert("lead", [{"id": uuid.uuid4(), "created_at": now, "updated_at": now,
                                     "device_id": uuid.uuid4()}])
    with pytest.raises(ValueError, match="lacks required"):
        BulkWriter.convert("lead", [{"last_name": "No id"}])
    with pytest.raises(ValueError, match="no column"):
        BulkWriter.convert("team", [{"id": uuid.uuid4(), "name": "x", "updated_at": now,
                                     "device_id": uuid.uuid4(), "colour": "red"}])
