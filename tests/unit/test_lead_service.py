"""LeadService through the Services container: writes with history, validation, lists, search."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select, update

from app.domain.errors import NotFoundError, StorageError, ValidationError
from app.domain.history import ActivityKind
from app.domain.leads import (
    EDITABLE_FIELDS,
    Channel,
    LeadQuery,
    LeadRecord,
    LeadStatus,
    Rating,
    SortKey,
)
from app.domain.review import ReviewCode, parse_reasons, reason_text
from app.services.container import Services
from app.storage.db import Database
from app.storage.orm import Activity, Lead
from tests.conftest import FakeClock

pytestmark = pytest.mark.both_databases


@pytest.fixture
def people(services: Services) -> dict[str, uuid.UUID]:
    anna = services.people.add_user("Anna Weber", "anna@example.com", "rep")
    ben = services.people.add_user("Ben Ott", "ben@example.com", "rep")
    fair = services.events.add("Hannover Messe", country="DE", starts="2026-04-20")
    expo = services.events.add("Automatica", country="DE")
    return {"anna": anna.id, "ben": ben.id, "fair": fair.id, "expo": expo.id}


def activity_count(db: Database, lead_id: uuid.UUID | None = None) -> int:
    with db.read() as session:
        statement = select(func.count()).select_from(Activity)
        if lead_id is not None:
            statement = statement.where(Activity.lead_id == lead_id)
        return int(session.scalar(statement) or 0)


def set_columns(db: Database, lead_id: uuid.UUID, **values: Any) -> None:
    """Columns no LEAD_FIELDS entry sets (next_due_at, last_touch_at: kept by task services)."""
    with db.write() as session:
        session.execute(update(Lead).where(Lead.id == lead_id).values(**values))


# -- regression: the first write on a new database --------------------------------------------
def test_first_write_on_a_new_database_succeeds(services: Services) -> None:
    """The device id must exist before a write transaction that reads first (SQLITE_BUSY_SNAPSHOT)."""
    services.people.add_user("Anna Weber", "anna@example.com", "rep")
    services.events.add("Fair")
    assert services.leads.create({"last_name": "X"}).device_id == services.context.device_id


# -- create / get -----------------------------------------------------------------------------
def test_create_normalises_and_records_history(services: Services, people: dict[str, uuid.UUID],
                                               clock: FakeClock) -> None:
    lead = services.leads.create({
        "first_name": " Max ", "last_name": "Muster", "email": "Max@Example.COM",
        "phone": "030 1234567", "event": "hannover messe", "owner": "ANNA@example.com",
        "deal_value": "12,500.50", "come_back_on": "22.11.2026", "do_not_contact": "yes",
        "rating": "Hot",
    }, history_text="typed in at the booth")
    assert lead.first_name == "Max" and lead.email == "max@example.com"
    assert lead.phone == "030 1234567" and lead.phone_e164 == "+49301234567"
    assert lead.event_id == people["fair"] and lead.event_name == "Hannover Messe"
    assert lead.channel is Channel.TRADE_SHOW, "an event implies a trade-show lead"
    assert lead.owner_id == people["anna"] and lead.owner_email == "anna@example.com"
    assert lead.owner_name == "Anna Weber"
    assert lead.deal_value == 1250050 and lead.come_back_on == dt.date(2026, 11, 22)
    assert lead.do_not_contact is True and lead.rating is Rating.HOT and lead.score == 15
    assert lead.score_reasons == "+15 rated hot"  # computed by the default scoring rules
    assert lead.created_at == lead.updated_at == clock.now
    assert lead.device_id == services.context.device_id
    assert services.leads.get(lead.id) == lead
    history = services.leads.history(lead.id)
    assert [(h.kind, h.text) for h in history] == [  # has an owner: not routed; do not
        (ActivityKind.CREATED, "typed in at the booth")]  # contact: no cadence


def test_create_without_event_defaults_channel_other(services: Services) -> None:
    assert services.leads.create({"last_name": "X"}).channel is Channel.OTHER


def test_get_unknown_raises_not_found(services: Services) -> None:
    with pytest.raises(NotFoundError, match="No lead with id"):
        services.leads.get(uuid.uuid4())


def test_validation_errors_name_every_field(services: Services) -> None:
    with pytest.raises(ValidationError) as caught:
        services.leads.create({"email": "bad@", "phone": "12", "score": "many",
                          "come_back_on": "03/04/2026", "colour": "red", "status": "maybe"})
    fields = {e.field for e in caught.value.errors}
    assert fields == {"email", "phone", "score", "come_back_on", "colour", "status"}
    assert "YYYY-MM-DD" in (caught.value.for_field("come_back_on") or "")
    assert services.leads.count(LeadQuery()) == 0 and activity_count(services.context.db) == 0


@pytest.mark.parametrize(("fields", "field", "words"), [
    ({"company": ""}, "last_name", "needs at least"),
    ({"last_name": "X", "status": "disqualified"}, "disqualify_reason", "say why"),
    ({"last_name": "X", "status": "nurture"}, "come_back_on", "come-back date"),
    ({"last_name": "X", "owner": "ghost@example.com"}, "owner", "no user with email"),
    ({"last_name": "X", "event": "Atlantis"}, "event", "no event named"),
    ({"last_name": "X", "team": "North"}, "team", "no team named"),
    ({"last_name": "X", "queue": "Inbox"}, "queue", "no queue named"),
    ({"last_name": "X" * 101}, "last_name", "at most 100"),
])
def test_lead_rules_and_references_name_the_field(
        services: Services, fields: dict[str, Any], field: str, words: str) -> None:
    with pytest.raises(ValidationError) as caught:
        services.leads.create(fields)
    assert words in (caught.value.for_field(field) or ""), caught.value
    assert services.leads.count(LeadQuery()) == 0


def test_lenient_create_keeps_doubtful_contact_data_and_flags_review(services: Services) -> None:
    lead = services.leads.create({"last_name": "Booth", "email": "max@exa mple", "phone": "12"},
                            lenient=True)
    assert lead.email == "max@exa mple" and lead.phone == "12" and lead.phone_e164 == ""
    assert lead.needs_review is True
    assert [(r.code, r.field) for r in parse_reasons(lead.review_reason)] == [
        (ReviewCode.DOUBTFUL_VALUE, "email"), (ReviewCode.DOUBTFUL_VALUE, "phone")]
    assert services.leads.list(LeadQuery(needs_review=True)) == [lead]


def test_lenient_still_refuses_what_cannot_be_stored(services: Services) -> None:
    with pytest.raises(ValidationError) as caught:
        services.leads.create({"last_name": "X", "score": "many"}, lenient=True)
    assert caught.value.for_field("score")


def test_phone_uses_event_country_then_lead_country(services: Services,
                                                   people: dict[str, uuid.UUID]) -> None:
    at_fair = services.leads.create({"last_name": "A", "phone": "030 1234567", "event": "Automatica"})
    assert at_fair.phone_e164 == "+49301234567"
    in_france = services.leads.create({"last_name": "B", "phone": "01 23 45 67 89",
                                  "country": "France", "event": "Automatica"})
    assert in_france.country == "FR" and in_france.phone_e164 == "+33123456789"
    with pytest.raises(ValidationError) as caught:
        services.leads.create({"last_name": "C", "phone": "030 1234567"})
    assert "+country code" in (caught.value.for_field("phone") or "")


# -- update and history -----------------------------------------------------------------------
def test_update_writes_one_history_row_per_changed_field(
        services: Services, people: dict[str, uuid.UUID], clock: FakeClock) -> None:
    lead = services.leads.create({"first_name": "Max", "last_name": "Muster", "rating": "warm",
                             "owner": "anna@example.com", "deal_value": "100"})
    clock.advance(hours=1)
    updated = services.leads.update(lead.id, {
        "first_name": "Max",  # unchanged: no row
        "status": "mql", "rating": "", "owner": "ben@example.com", "deal_value": "250.5",
        "company": "ACME", "do_not_contact": "true", "come_back_on": "2026-12-01",
        "event": "Automatica",
    })
    assert updated.updated_at == clock.now and updated.created_at == lead.created_at
    changed = {h.field: (h.kind, h.old_value, h.new_value) for h in services.leads.history(lead.id)
               if h.kind not in (ActivityKind.CREATED, ActivityKind.TASK_CREATED,
                                 ActivityKind.NOTE)}  # the cadence stopped: do not contact
    assert changed == {
        "status": (ActivityKind.STATUS_CHANGED, "Inquiry", "MQL"),
        "rating": (ActivityKind.FIELD_CHANGED, "Warm", ""),
        "owner": (ActivityKind.OWNER_CHANGED, "Anna Weber", "Ben Ott"),
        "deal_value": (ActivityKind.FIELD_CHANGED, "100.00", "250.50"),
        "company": (ActivityKind.FIELD_CHANGED, "", "ACME"),
        "do_not_contact": (ActivityKind.FIELD_CHANGED, "no", "yes"),
        "come_back_on": (ActivityKind.FIELD_CHANGED, "", "2026-12-01"),
        "event": (ActivityKind.FIELD_CHANGED, "", "Automatica"),
    }
    assert all(h.occurred_at == clock.now for h in services.leads.history(lead.id)
               if h.kind not in (ActivityKind.CREATED, ActivityKind.TASK_CREATED))
    assert updated.owner_id == people["ben"] and updated.rating is None
    assert updated.deal_value == 25050 and updated.event_id == people["expo"]


def test_update_with_same_values_changes_nothing(services: Services, people: dict[str, uuid.UUID],
                                                 clock: FakeClock) -> None:
    lead = services.leads.create({"last_name": "Muster", "email": "max@example.com",
                             "owner": "anna@example.com", "status": "sql"})
    clock.advance(minutes=5)
    same = services.leads.update(lead.id, {"last_name": "Muster", "email": "MAX@example.com",
                                      "owner": "anna@example.com", "status": "SQL"})
    assert same == lead, "no change: updated_at kept too"
    assert len(services.leads.history(lead.id)) == 1


def test_history_summary_reads_in_plain_words(services: Services) -> None:
    lead = services.leads.create({"last_name": "Muster"})
    services.leads.update(lead.id, {"status": "prospect"})
    assert services.leads.history(lead.id)[0].summary == "Status: Inquiry → Prospect"


def test_failed_update_mid_way_changes_nothing(services: Services, people: dict[str, uuid.UUID],
                                               clock: FakeClock) -> None:
    """The owner reference fails after company and city were already applied in the session."""
    lead = services.leads.create({"last_name": "Muster", "company": "Old", "city": "Bonn"})
    rows_before = activity_count(services.context.db)
    clock.advance(hours=1)
    with pytest.raises(ValidationError) as caught:
        services.leads.update(lead.id, {"company": "New", "city": "Köln",
                                   "owner": "ghost@example.com"})
    assert [e.field for e in caught.value.errors] == ["owner"]
    assert services.leads.get(lead.id) == lead
    assert activity_count(services.context.db) == rows_before


def test_failed_history_write_rolls_back_the_field_changes(
        services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    """A storage failure while writing the second history row leaves lead and history as they were."""
    from app.storage.repositories.history import HistoryRepository

    lead = services.leads.create({"last_name": "Muster", "company": "Old", "city": "Bonn"})
    rows_before = activity_count(services.context.db)
    original = HistoryRepository.record
    calls = itertools.count(1)

    def failing_record(self: HistoryRepository, *args: Any, **kwargs: Any) -> Activity:
        if next(calls) == 2:
            raise StorageError("disk full (simulated)")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(HistoryRepository, "record", failing_record)
    with pytest.raises(StorageError, match="simulated"):
        services.leads.update(lead.id, {"company": "New", "city": "Köln", "title": "CEO"})
    monkeypatch.undo()
    assert services.leads.get(lead.id) == lead
    assert activity_count(services.context.db) == rows_before


def test_invalid_update_names_fields_and_keeps_lead(services: Services) -> None:
    lead = services.leads.create({"last_name": "Muster", "email": "max@example.com"})
    with pytest.raises(ValidationError) as caught:
        services.leads.update(lead.id, {"email": "nope", "score": "x", "last_name": "Neu"})
    assert {e.field for e in caught.value.errors} == {"email", "score"}
    assert services.leads.get(lead.id) == lead
    with pytest.raises(ValidationError) as rules:
        services.leads.update(lead.id, {"last_name": "", "email": ""})
    assert rules.value.for_field("last_name")


def test_update_status_rules_use_the_merged_lead(services: Services) -> None:
    lead = services.leads.create({"last_name": "Muster"})
    with pytest.raises(ValidationError):
        services.leads.update(lead.id, {"status": "nurture"})
    nurtured = services.leads.update(lead.id, {"status": "nurture", "come_back_on": "2027-01-10"})
    assert nurtured.status is LeadStatus.NURTURE


def test_lenient_update_appends_review_reasons(services: Services) -> None:
    lead = services.leads.create({"last_name": "Muster"})
    flagged = services.leads.update(lead.id, {"email": "max@@example.com"}, lenient=True)
    assert flagged.needs_review and flagged.email == "max@@example.com"
    assert reason_text(flagged.review_reason).startswith("email: 'max@@example.com'")


def test_update_unknown_lead(services: Services) -> None:
    with pytest.raises(NotFoundError):
        services.leads.update(uuid.uuid4(), {"company": "X"})


# -- delete / restore -------------------------------------------------------------------------
def test_delete_and_restore(services: Services, clock: FakeClock) -> None:
    lead = services.leads.create({"last_name": "Muster"})
    keep = services.leads.create({"last_name": "Keep"})
    clock.advance(minutes=1)
    deleted = services.leads.delete(lead.id)
    assert deleted.deleted_at == clock.now
    with pytest.raises(NotFoundError):
        services.leads.get(lead.id)
    assert services.leads.list(LeadQuery()) == [keep]
    assert services.leads.count(LeadQuery()) == 1
    assert services.leads.search("Muster") == []
    with pytest.raises(NotFoundError):
        services.leads.delete(lead.id)
    with pytest.raises(NotFoundError):
        services.leads.update(lead.id, {"company": "X"})
    clock.advance(minutes=1)
    restored = services.leads.restore(lead.id)
    assert restored.deleted_at is None and restored.updated_at == clock.now
    assert services.leads.get(lead.id) == restored
    with pytest.raises(NotFoundError, match="No restorable lead"):
        services.leads.restore(lead.id)
    assert [h.kind for h in services.leads.history(lead.id)] == [
        ActivityKind.RESTORED, ActivityKind.DELETED, ActivityKind.OWNER_CHANGED,
        ActivityKind.CREATED]


def test_delete_unknown_lead_message(services: Services) -> None:
    with pytest.raises(NotFoundError, match="^No lead with id"):
        services.leads.delete(uuid.uuid4())


# -- filters ----------------------------------------------------------------------------------
@pytest.fixture
def filtered(services: Services, people: dict[str, uuid.UUID], clock: FakeClock
             ) -> dict[str, LeadRecord]:
    leads = {
        "max": services.leads.create({"first_name": "Max", "last_name": "Muster", "status": "mql",
                                 "rating": "hot", "owner": "anna@example.com",
                                 "event": "Hannover Messe"}),
        "eva": services.leads.create({"first_name": "Eva", "last_name": "Adler", "status": "sql",
                                 "rating": "warm", "owner": "ben@example.com"}),
        "olga": services.leads.create({"first_name": "Olga", "last_name": "Zorn", "status": "won",
                                  "event": "Automatica"}),
        "lia": services.leads.create({"first_name": "Lia", "last_name": "Berg", "email": "x@@y"},
                                lenient=True),
    }
    set_columns(services.context.db, leads["max"].id, next_due_at=clock.now - dt.timedelta(hours=1))
    set_columns(services.context.db, leads["eva"].id, next_due_at=clock.now + dt.timedelta(hours=1))
    return leads


@pytest.mark.parametrize(("make_query", "expected"), [
    (lambda p: LeadQuery(), {"max", "eva", "olga", "lia"}),
    (lambda p: LeadQuery(statuses=(LeadStatus.MQL,)), {"max"}),
    (lambda p: LeadQuery(statuses=(LeadStatus.MQL, LeadStatus.WON)), {"max", "olga"}),
    (lambda p: LeadQuery(owner_id=p["anna"]), {"max"}),
    (lambda p: LeadQuery(unassigned=True), {"olga", "lia"}),
    (lambda p: LeadQuery(unassigned=True, owner_id=p["anna"]), {"olga", "lia"}),
    (lambda p: LeadQuery(event_id=p["expo"]), {"olga"}),
    (lambda p: LeadQuery(ratings=(Rating.HOT, Rating.WARM)), {"max", "eva"}),
    (lambda p: LeadQuery(overdue=True), {"max"}),
    (lambda p: LeadQuery(needs_review=True), {"lia"}),
    (lambda p: LeadQuery(open_only=True), {"max", "eva", "lia"}),
    (lambda p: LeadQuery(open_only=True, unassigned=True), {"lia"}),
    (lambda p: LeadQuery(statuses=(LeadStatus.SQL,), owner_id=p["anna"]), set()),
])
def test_filters(services: Services, people: dict[str, uuid.UUID], filtered: dict[str, LeadRecord],
                 make_query: Callable[[dict[str, uuid.UUID]], LeadQuery],
                 expected: set[str]) -> None:
    query = make_query(people)
    records = services.leads.list(query)
    names = {name for name, lead in filtered.items() if lead.id in {r.id for r in records}}
    assert names == expected
    assert len(records) == len(expected) == services.leads.count(query)


def test_overdue_follows_the_clock(services: Services, filtered: dict[str, LeadRecord],
                                   clock: FakeClock) -> None:
    clock.advance(hours=2)
    overdue = {r.id for r in services.leads.list(LeadQuery(overdue=True))}
    assert overdue == {filtered["max"].id, filtered["eva"].id}


def test_created_since_and_captured_by(services: Services, clock: FakeClock) -> None:
    early = services.leads.create({"last_name": "Early"})
    clock.advance(days=1)
    anna = services.people.add_user("Anna Weber", "anna@example.com", "booth")
    services.people.sign_in(anna.id)
    late = services.leads.create({"last_name": "Late"})
    assert late.captured_by_id == anna.id and early.captured_by_id is None
    assert services.leads.list(LeadQuery(created_since=clock.now)) == [late]
    assert services.leads.list(LeadQuery(captured_by_id=anna.id)) == [late]
    assert services.leads.history(late.id)[0].actor_name == "Anna Weber"


# -- sorting and paging -----------------------------------------------------------------------
_STATUS_RANK = {s: i for i, s in enumerate(LeadStatus)}
_RATING_RANK = {r: i for i, r in enumerate(Rating)}


def _nullable(value: Any) -> tuple[int, Any]:
    """SQLite puts NULL before every value in ascending order."""
    return (0, "") if value is None else (1, value)


_SORT_VALUE: dict[SortKey, Callable[[LeadRecord], Any]] = {
    SortKey.NAME: lambda r: (r.last_name, r.first_name),
    SortKey.COMPANY: lambda r: r.company,
    SortKey.EMAIL: lambda r: r.email,
    SortKey.PHONE: lambda r: r.phone_e164,
    SortKey.COUNTRY: lambda r: r.country,
    SortKey.STATUS: lambda r: _STATUS_RANK[r.status],
    SortKey.RATING: lambda r: 9 if r.rating is None else _RATING_RANK[r.rating],
    SortKey.SCORE: lambda r: r.score,
    SortKey.OWNER: lambda r: _nullable(r.owner_name or None),
    SortKey.EVENT: lambda r: _nullable(r.event_name or None),
    SortKey.NEXT_DUE: lambda r: _nullable(r.next_due_at),
    SortKey.LAST_TOUCH: lambda r: _nullable(r.last_touch_at),
    SortKey.CREATED: lambda r: r.created_at,
    SortKey.UPDATED: lambda r: r.updated_at,
}


@pytest.fixture
def sortable(services: Services, people: dict[str, uuid.UUID], clock: FakeClock
             ) -> list[LeadRecord]:
    """Leads that differ in every sort column, with some ties and empty values."""
    rows: list[dict[str, Any]] = [
        {"first_name": "Max", "last_name": "Muster", "company": "Zeta", "email": "m@x.example",
         "phone": "+49 30 1111111", "country": "DE", "status": "sql", "rating": "cold",
         "owner": "ben@example.com", "event": "Hannover Messe"},
        {"first_name": "Eva", "last_name": "Adler", "company": "acme", "email": "e@x.example",
         "phone": "+33 1 23 45 67 89", "country": "FR", "status": "inquiry", "rating": "hot",
         "owner": "anna@example.com"},
        {"first_name": "Olga", "last_name": "Zorn", "company": "ACME", "status": "won",
         "event": "Automatica", "country": "AT"},
        {"first_name": "Ali", "last_name": "Adler", "email": "a@x.example", "status": "mql",
         "rating": "warm", "phone": "+1 212 555 0100", "owner": "anna@example.com"},
        {"last_name": "Berg", "company": "Beta", "status": "sql", "rating": "hot",
         "event": "Automatica"},
    ]
    created = []
    for row in rows:
        created.append(services.leads.create(row))
        clock.advance(minutes=3)
    for index, lead in enumerate(reversed(created)):  # updated in the opposite order
        services.leads.update(lead.id, {"notes": f"touch {index}"})
        clock.advance(minutes=1)
    set_columns(services.context.db, created[0].id, next_due_at=clock.now + dt.timedelta(days=2),
                last_touch_at=clock.now - dt.timedelta(days=3))
    set_columns(services.context.db, created[2].id, next_due_at=clock.now - dt.timedelta(days=2))
    set_columns(services.context.db, created[3].id, next_due_at=clock.now + dt.timedelta(days=2),
                last_touch_at=clock.now - dt.timedelta(days=1))
    return [services.leads.get(lead.id) for lead in created]  # in creation (key) order


@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize("sort", list(SortKey), ids=[k.value for k in SortKey])
def test_every_sort_key_both_directions(services: Services, sortable: list[LeadRecord],
                                        sort: SortKey, descending: bool) -> None:
    creation_rank = {lead.id: index for index, lead in enumerate(sortable)}
    expected = sorted(sortable, key=lambda r: (_SORT_VALUE[sort](r), creation_rank[r.id]))
    if descending:
        expected.reverse()
    query = LeadQuery(sort=sort, descending=descending)
    assert [r.id for r in services.leads.list(query)] == [r.id for r in expected]
    keys = services.leads.ordered_keys(query)
    assert [r.id for r in services.leads.records_for_keys(keys)] == [r.id for r in expected]


def test_paging_is_stable_with_ties(services: Services, clock: FakeClock) -> None:
    for index in range(23):
        services.leads.create({"last_name": f"Lead {index:02d}", "company": "Same"})
        if index % 5 == 0:
            clock.advance(seconds=1)  # ties in created_at too
    for sort, descending in [(SortKey.COMPANY, False), (SortKey.SCORE, True),
                             (SortKey.CREATED, True), (SortKey.STATUS, False)]:
        query = LeadQuery(sort=sort, descending=descending)
        whole = [r.id for r in services.leads.list(query, limit=1000)]
        paged = [r.id for offset in range(0, 30, 7)
                 for r in services.leads.list(query, offset=offset, limit=7)]
        assert paged == whole and len(set(whole)) == 23
        assert [r.id for r in services.leads.list(query, offset=7, limit=7)] == whole[7:14]
        assert services.leads.list(query, offset=23, limit=7) == []


def test_ordered_keys_and_records_for_keys_agree_with_list(
        services: Services, sortable: list[LeadRecord], filtered: dict[str, LeadRecord]) -> None:
    queries = [
        LeadQuery(),
        LeadQuery(sort=SortKey.OWNER, descending=False, open_only=True),
        LeadQuery(sort=SortKey.EVENT, descending=True),
        LeadQuery(search="adler", sort=SortKey.NAME, descending=False),
        LeadQuery(unassigned=True, sort=SortKey.NEXT_DUE),
    ]
    for query in queries:
        keys = list(services.leads.ordered_keys(query))
        assert len(keys) == services.leads.count(query)
        listed = services.leads.list(query, limit=1000)
        assert services.leads.records_for_keys(keys) == listed
        assert services.leads.records_for_keys(keys[2:4]) == listed[2:4]


def test_records_for_keys_skips_deleted(services: Services, sortable: list[LeadRecord]) -> None:
    keys = list(services.leads.ordered_keys(LeadQuery()))
    services.leads.delete(sortable[-1].id)  # the newest: first in the default order
    assert [r.id for r in services.leads.records_for_keys(keys)] == [
        r.id for r in services.leads.list(LeadQuery())]
    assert services.leads.records_for_keys([]) == []


# -- search -----------------------------------------------------------------------------------
@pytest.fixture
def searchable(services: Services) -> dict[str, LeadRecord]:
    return {
        "max": services.leads.create({"first_name": "Maximilian", "last_name": "Musterhausen",
                                 "company": "Kraftwerk Anlagenbau", "email": "mm@kraft.example",
                                 "phone": "+49 30 1234567", "notes": "Wants a retrofit quote"}),
        "eva": services.leads.create({"first_name": "Eva", "last_name": "Adler", "company": "Beta",
                                 "mobile": "0171 9876543", "country": "DE"}),
        "jon": services.leads.create({"first_name": "Jon", "last_name": "Mayer",
                                 "email": "jon@mayer.example", "company": "ZZ Top"}),
    }


@pytest.mark.parametrize(("text", "expected"), [
    ("usterhau", {"max"}),              # inside a last name
    ("MAXIMILIAN", {"max"}),            # any case
    ("anlagenbau", {"max"}),            # company
    ("kraft.example", {"max"}),         # email
    ("+49 30 123", {"max"}),            # phone typed with spaces
    ("030 1234567", {"max"}),           # phone in national format
    ("301234567", {"max"}),             # digits only
    ("0171 98765", {"eva"}),            # a mobile as typed
    ("+49 171 9876543", {"eva"}),       # the mobile in international format
    ("retrofit", {"max"}),              # notes
    ("eva adler", {"eva"}),             # every word must occur
    ("eva mayer", set()),
    ("ma", {"max", "jon"}),             # short: prefix of first/last name, company, email
    ("ay", set()),                      # short text is a prefix, not a substring
    ("zz", {"jon"}),
    ("E", {"eva"}),
    ("nothing", set()),
])
def test_search(services: Services, searchable: dict[str, LeadRecord], text: str,
                expected: set[str]) -> None:
    found = {name for name, lead in searchable.items()
             if lead.id in {r.id for r in services.leads.search(text)}}
    assert found == expected
    assert services.leads.count(LeadQuery(search=text)) == len(expected)


def test_search_follows_updates_and_limit(services: Services, searchable: dict[str, LeadRecord]
                                          ) -> None:
    services.leads.update(searchable["jon"].id, {"last_name": "Schmidt", "notes": "retrofit too"})
    assert {r.id for r in services.leads.search("mayer")} == {searchable["jon"].id}  # still email
    assert {r.id for r in services.leads.search("schmidt")} == {searchable["jon"].id}
    assert len(services.leads.search("retrofit")) == 2
    assert len(services.leads.search("retrofit", limit=1)) == 1


def test_search_combines_with_filters(services: Services, searchable: dict[str, LeadRecord]) -> None:
    services.leads.update(searchable["max"].id, {"status": "won"})
    query = LeadQuery(search="ma", open_only=True)
    assert [r.id for r in services.leads.list(query)] == [searchable["jon"].id]


def test_every_field_round_trips_through_create(services: Services,
                                                people: dict[str, uuid.UUID]) -> None:
    services.people.add_team("North")
    services.people.add_queue("Inbox")
    values: dict[str, str] = {
        "first_name": "Max", "last_name": "Muster", "title": "CTO", "birth_date": "1980-05-17",
        "company": "ACME",
        "industry": "Machinery", "company_size": "50-200", "website": "acme.example",
        "email": "max@acme.example", "phone": "+49 30 1234567", "mobile": "+49 171 1234567",
        "street": "Hauptstr. 1", "postal_code": "10115", "city": "Berlin", "region": "BE",
        "country": "DE", "channel": "web", "event": "Automatica", "campaign": "Spring",
        "badge_id": "B-9", "status": "disqualified", "rating": "cold",
        "product_interest": "Lathe", "budget": "yes", "authority": "no", "need": "yes",
        "timeline": "Q3", "come_back_on": "2027-01-01", "disqualify_reason": "competitor",
        "deal_value": "99.99", "owner": "anna@example.com", "team": "North", "queue": "Inbox",
        "consent": "granted", "consent_text": "You may email me about lathes.",
        "do_not_contact": "yes", "needs_review": "yes",
        "review_reason": "check", "notes": "long\nnotes",
    }
    assert set(values) == {f.name for f in EDITABLE_FIELDS}, "test covers every field"
    lead = services.leads.create(values)
    assert lead.team_name == "North" and lead.queue_name == "Inbox"
    assert lead.value_of("owner") == "anna@example.com" and lead.deal_value == 9999
    assert lead.status is LeadStatus.DISQUALIFIED and lead.notes == "long\nnotes"
    assert lead.consent_at == services.context.clock()  # when the wording was agreed to
    assert services.leads.get(lead.id) == lead


def test_team_and_queue_can_be_set_by_id_or_name(services: Services) -> None:
    team = services.people.add_team("Field Sales")
    queue = services.people.add_queue("Hot leads", team_id=team.id)
    lead = services.leads.create({"last_name": "Teamed", "team": team.id, "queue": "hot leads"})
    assert (lead.team_id, lead.team_name) == (team.id, "Field Sales")
    assert (lead.queue_id, lead.queue_name) == (queue.id, "Hot leads")
    moved = services.leads.update(lead.id, {"queue": str(queue.id), "team": ""})
    assert moved.team_id is None and moved.queue_id == queue.id


def test_default_country_is_the_last_resort_region_for_phone_numbers(services: Services) -> None:
    with pytest.raises(ValidationError, match="phone"):
        services.leads.create({"last_name": "Local", "phone": "030 1234567"})
    services.context.set_default_country("DE")
    lead = services.leads.create({"last_name": "Local", "phone": "030 1234567"})
    assert lead.phone_e164 == "+49301234567"
    french = services.leads.create({"last_name": "Lyon", "phone": "04 72 00 00 00",
                                    "country": "FR"})
    assert french.phone_e164 == "+33472000000"  # the lead's own country wins
