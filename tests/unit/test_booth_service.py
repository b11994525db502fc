"""Booth capture through the service: minimum to save, lenient flags, badges at one event,
registration lists and pending leads, the scan log, one transaction per capture."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.domain.booth_capture import CaptureForm
from app.domain.errors import NotFoundError, StorageError, ValidationError
from app.domain.leads import Channel, LeadQuery
from app.services.container import Services
from app.storage.db import Database
from tests.conftest import FakeClock

pytestmark = pytest.mark.both_databases

VCARD = ("BEGIN:VCARD\r\nVERSION:3.0\r\nN:Müller;Anna;;;\r\nFN:Anna Müller\r\nORG:Acme GmbH\r\n"
         "EMAIL:anna@acme.de\r\nTEL;TYPE=WORK:0511 123456\r\nUID:B-1001\r\nEND:VCARD\r\n")


@pytest.fixture
def event_id(services: Services) -> uuid.UUID:
    return services.events.add("Hannover Messe 2026", country="DE").id


def test_minimum_is_a_reachable_name_or_a_badge(services: Services, event_id: uuid.UUID) -> None:
    with pytest.raises(ValidationError, match="last_name"):
        services.booth.capture(event_id, {"company": "Acme"})
    with pytest.raises(ValidationError, match="email"):
        services.booth.capture(event_id, {"first_name": "Anna"})
    assert services.leads.count(LeadQuery()) == 0
    saved = services.booth.capture(event_id, {"last_name": "Muster", "phone": "0511 123456"})
    assert saved.created and saved.lead.phone_e164 == "+49511123456"  # the event's country
    assert saved.lead.channel is Channel.TRADE_SHOW and saved.lead.event_id == event_id


def test_doubtful_data_is_saved_and_flagged_not_refused(services: Services,
                                                        event_id: uuid.UUID) -> None:
    saved = services.booth.capture(event_id, {"first_name": "Zoë", "email": "zoe@",
                                              "phone": "12", "country": "Atlantis"})
    lead = saved.lead
    assert lead.email == "zoe@" and lead.phone == "12" and lead.country == ""
    assert lead.needs_review
    for field in ("email", "phone", "country"):
        assert field in lead.review_reason


def test_consent_keeps_its_wording(services: Services, event_id: uuid.UUID) -> None:
    lead = services.booth.capture(event_id, {"last_name": "Agrees", "email": "a@b.de"},
                                  consent=True, consent_text="You may email me.").lead
    assert lead.consent.value == "granted" and lead.consent_text == "You may email me."
    assert lead.consent_at is not None


def test_a_vcard_scan_fills_and_a_second_scan_opens_the_same_lead(
        services: Services, event_id: uuid.UUID) -> None:
    reading, capture = services.booth.scan(event_id, VCARD)
    assert reading.status == "new" and reading.format == "vcard"
    assert capture is not None and capture.created
    lead = capture.lead
    assert (lead.first_name, lead.last_name, lead.company) == ("Anna", "Müller", "Acme GmbH")
    assert lead.badge_id == "B-1001" and lead.phone_e164 == "+49511123456"
    again, second = services.booth.scan(event_id, VCARD)
    assert again.status == "existing" and second is None
    assert again.lead is not None and again.lead.id == lead.id
    assert services.leads.count(LeadQuery()) == 1
    outcomes = [r.outcome for r in services.booth.scan_log(event_id)]
    assert outcomes == ["matched", "created"]


def test_same_badge_at_another_event_is_a_new_lead(services: Services,
                                                   event_id: uuid.UUID) -> None:
    other = services.events.add("Automatica 2026", country="DE").id
    services.booth.capture(event_id, {"badge_id": "000123"})
    services.booth.capture(other, {"badge_id": "000123"})
    services.booth.capture(event_id, {"badge_id": "000123", "first_name": "Late"})
    assert services.leads.count(LeadQuery()) == 2
    at_first = services.leads.list(LeadQuery(event_id=event_id))
    assert at_first[0].first_name == "Late" and at_first[0].badge_id == "000123"


def test_garbled_scan_saves_nothing_and_is_logged(services: Services,
                                                  event_id: uuid.UUID) -> None:
    reading, capture = services.booth.scan(event_id, "MECARDÖNÖMüller,Anna;;\r")
    assert reading.status == "rejected" and capture is None
    assert "keyboard" in reading.reason.lower()
    assert services.leads.count(LeadQuery()) == 0
    log = services.booth.scan_log(event_id)
    assert log[0].outcome == "rejected" and log[0].raw.startswith("MECARD")


def test_id_only_scans_wait_for_the_registration_list(services: Services, event_id: uuid.UUID,
                                                      tmp_path: Path) -> None:
    _reading, capture = services.booth.scan(event_id, "0814847311126137001\r")
    assert capture is not None
    pending = capture.lead
    assert pending.badge_id == "0814847311126137001"  # text: 19 digits survive
    assert pending.awaiting_registration and not pending.needs_review
    assert services.booth.waiting_count(event_id) == 1
    export = tmp_path / "attendees.csv"
    export.write_text("Attendee list Hannover Messe\n\nBadge ID;Vorname;Nachname;Firma;E-Mail\n"
                      "0814847311126137001;Anna;Müller;Acme GmbH;anna@acme.de\n"
                      "000777;Ben;Booth;Booth AG;ben@booth.de\n;;;;\n", encoding="cp1252")
    result = services.booth.import_registrations(event_id, export)
    assert (result.added, result.updated, result.resolved_leads) == (2, 0, 1)
    resolved = services.leads.get(pending.id)
    assert (resolved.first_name, resolved.last_name, resolved.email) == (
        "Anna", "Müller", "anna@acme.de")
    assert not resolved.needs_review and not resolved.awaiting_registration
    assert services.booth.waiting_count(event_id) == 0
    history = [a.text for a in services.leads.history(pending.id)]
    assert "Filled in from the registration list (attendees.csv)" in history
    reading, capture = services.booth.scan(event_id, "000777\r")
    assert reading.registered and capture is not None
    assert capture.lead.company == "Booth AG" and not capture.lead.needs_review


def test_capture_with_answers_is_one_transaction(services: Services,
                                                 event_id: uuid.UUID) -> None:
    question = services.questions.add("Budget approved?", "yes_no", required=True,
                                       event_id=event_id)
    with pytest.raises(ValidationError):
        services.booth.capture(event_id, {"last_name": "Half", "email": "h@x.de"},
                               answers={question.id: "maybe"})
    assert services.leads.count(LeadQuery()) == 0  # no lead without its valid answers
    lead = services.booth.capture(event_id, {"last_name": "Whole", "email": "w@x.de"},
                                  answers={question.id: "Yes"}).lead
    assert services.questions.answers_for(lead.id) == {question.id: "yes"}


def test_today_count_and_recent_captures_are_per_staff_member(
        services: Services, event_id: uuid.UUID) -> None:
    me = services.people.add_user("Ben Booth", "ben@example.com", "booth")
    services.people.sign_in(me.id)
    for i in range(3):
        services.booth.capture(event_id, {"badge_id": f"B{i}"})
    assert services.booth.today_count(event_id, me.id) == 3
    assert [r.badge_id for r in services.booth.recent_captures(event_id, me.id)] == [
        "B2", "B1", "B0"]
    assert services.booth.today_count(event_id, uuid.uuid4()) == 0


def test_badge_layout_is_validated_and_used(services: Services, event_id: uuid.UUID) -> None:
    with pytest.raises(ValidationError, match="badge_layout"):
        services.booth.set_badge_layout(event_id, "^ first_name,shoe_size")
    services.booth.set_badge_layout(event_id, "^ first_name,last_name,company,badge_id")
    _reading, capture = services.booth.scan(event_id, "Anna^Müller^Acme GmbH^2427\r")
    assert capture is not None
    assert (capture.lead.last_name, capture.lead.badge_id) == ("Müller", "2427")


def test_a_typed_badge_id_resolves_through_the_registration_list(
        services: Services, event_id: uuid.UUID, tmp_path: Path) -> None:
    export = tmp_path / "reg.tsv"
    export.write_text("Badge\tFirst Name\tLast Name\tEmail\n00042\tLi\tWei\tli@wei.cn\n",
                      encoding="utf-8")
    services.booth.import_registrations(event_id, export)
    lead = services.booth.capture(event_id, {"badge_id": "00042", "notes": "typed"}).lead
    assert (lead.first_name, lead.last_name, lead.email) == ("Li", "Wei", "li@wei.cn")
    assert not lead.needs_review and lead.notes == "typed"


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.one_of(
    st.text(max_size=200),
    st.sampled_from([VCARD, "MECARD:N:Ng,Zoë;EMAIL:z@n.io;;\r", '{"badgeId":"J1"}\r',
                     "https://e.example/b?id=42\r", "000123\r"]).flatmap(
        lambda base: st.integers(0, len(base)).map(lambda cut: base[:cut])),
))
def test_any_scan_is_saved_whole_or_not_at_all(services: Services, event_id: uuid.UUID,
                                               raw: str) -> None:
    before = services.leads.count(LeadQuery())
    logged = len(services.booth.scan_log(event_id, limit=100_000))
    try:
        reading, capture = services.booth.scan(event_id, raw)
    except ValidationError:
        reading, capture = None, None  # read, but not enough to be a lead: nothing stored
    after = services.leads.count(LeadQuery())
    if capture is not None and capture.created:
        assert after == before + 1
        stored = services.leads.get(capture.lead.id)
        assert stored.event_id == event_id
        assert services.leads.history(stored.id)  # created together with its history
    else:
        assert after == before
    if reading is not None and reading.status == "rejected":
        assert len(services.booth.scan_log(event_id, limit=100_000)) == logged + 1


def test_drafts_keep_every_field_until_taken(services: Services, event_id: uuid.UUID,
                                             clock: FakeClock) -> None:
    question = uuid.uuid4()
    form = CaptureForm(event_id, {"first_name": "Anna", "company": "Acme", "notes": "Call back",
                                  "rating": "hot", "city": "Linz"},
                       {question: "yes"}, consent=True)
    first = services.booth.keep_draft(form)
    clock.advance(minutes=2)
    second = services.booth.keep_draft(CaptureForm(event_id, {"badge_id": "SB-2"}))
    assert [d.id for d in services.booth.drafts()] == [second.id, first.id]  # newest first
    assert services.booth.drafts()[1].saved_at == first.saved_at
    assert services.booth.take_draft(first.id) == form
    assert [d.id for d in services.booth.drafts()] == [second.id]
    with pytest.raises(NotFoundError, match="already opened"):
        services.booth.take_draft(first.id)
    assert services.leads.count(LeadQuery()) == 0  # a draft is not a lead
    assert form.title == "Anna · Acme" and second.form.title == "SB-2"


def test_unreadable_drafts_are_named_and_left_alone(services: Services, db: Database) -> None:
    db.set_local("booth_drafts", "[{broken")
    with pytest.raises(StorageError, match="drafts"):
        services.booth.drafts()
    assert db.get_local("booth_drafts") == "[{broken"
