"""Badge-id-only leads (issue 16, item 3): resolved against the event's registration list, or
kept waiting for it and filled in the moment it is imported; never lost."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest

from app.domain.imports import DuplicatePolicy
from app.domain.leads import LeadQuery
from app.domain.review import UNREGISTERED_BADGE, store_reasons
from app.services.container import Services
from app.storage.repositories.leads import LeadRepository

pytestmark = pytest.mark.both_databases

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "badges"


@pytest.fixture
def event_id(services: Services) -> uuid.UUID:
    return services.events.add("Hannover Messe 2026", country="DE").id


def _import(services: Services, path: Path, event_id: uuid.UUID) -> None:
    table = services.imports.open(path)
    mapping, _template = services.imports.suggested_mapping(table)
    services.imports.run(table, mapping, event_id, DuplicatePolicy.SKIP)


def _by_badge(services: Services) -> dict[str, object]:
    return {lead.badge_id: lead for lead in services.leads.list(LeadQuery(), limit=100)}


def test_badge_only_export_before_the_list_waits_then_fills_itself_in(
        services: Services, event_id: uuid.UUID) -> None:
    _import(services, FIXTURES / "export_badge_only_leads.csv", event_id)
    waiting = _by_badge(services)
    assert set(waiting) == {"000451", "SBpax001", "0814847311126137001", "A-7731"}
    assert all(lead.awaiting_registration and not lead.last_name  # type: ignore[attr-defined]
               for lead in waiting.values())
    assert services.booth.waiting_count(event_id) == 4
    assert "Hot" in waiting["000451"].notes or waiting["000451"].rating  # type: ignore[attr-defined]

    result = services.booth.import_registrations(
        event_id, FIXTURES / "registration_list_with_address.csv")
    assert result.resolved_leads == 3  # A-7731 is not on the list: it keeps waiting
    filled = _by_badge(services)
    anna = filled["000451"]
    assert (anna.first_name, anna.last_name, anna.company) == (  # type: ignore[attr-defined]
        "Anna", "Müller", "Acme GmbH")
    assert (anna.street, anna.postal_code, anna.region) == (  # type: ignore[attr-defined]
        "Karmarschstraße 12", "30159", "Niedersachsen")
    assert anna.birth_date == dt.date(1984, 3, 7)  # type: ignore[attr-defined]
    assert anna.phone_e164 == "+49511123456"  # type: ignore[attr-defined]
    assert not anna.awaiting_registration  # type: ignore[attr-defined]
    # SpotMe prints "SB" + the confirmation number; the list holds the confirmation number.
    assert filled["pax001"].last_name == "Okafor"  # type: ignore[attr-defined]
    # A US phone in a "U.S.A." address gets its +1, not the event's German code.
    assert filled["0814847311126137001"].phone_e164 == "+14155550123"  # type: ignore[attr-defined]
    assert filled["A-7731"].awaiting_registration  # type: ignore[attr-defined]
    assert services.booth.waiting_count(event_id) == 1
    history = [a.text for a in services.leads.history(anna.id)]  # type: ignore[attr-defined]
    assert "Filled in from the registration list (registration_list_with_address.csv)" in history


def test_badge_only_export_after_the_list_is_resolved_on_import(
        services: Services, event_id: uuid.UUID) -> None:
    services.booth.import_registrations(event_id, FIXTURES / "registration_list_with_address.csv")
    _import(services, FIXTURES / "export_badge_only_leads.csv", event_id)
    leads = _by_badge(services)
    assert leads["000451"].last_name == "Müller"  # type: ignore[attr-defined]
    assert not leads["000451"].awaiting_registration  # type: ignore[attr-defined]
    assert leads["pax001"].email == "adaeze@brightwater.example"  # type: ignore[attr-defined]
    assert leads["A-7731"].awaiting_registration  # type: ignore[attr-defined]


def test_waiting_leads_are_filled_in_batches(services: Services, event_id: uuid.UUID,
                                             tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                             ) -> None:
    import app.services.booth_service as booth_module

    monkeypatch.setattr(booth_module, "WAITING_BATCH", 3)
    monkeypatch.setattr(booth_module, "REGISTRATION_BATCH", 4)
    for number in range(10):
        services.booth.capture(event_id, {"badge_id": f"B{number:03d}"})
    export = tmp_path / "list.csv"
    export.write_text("Badge ID,First Name,Last Name\n" + "".join(
        f"B{number:03d},Person,{number}\n" for number in range(0, 10, 2)), encoding="utf-8")
    transactions: list[int] = []
    real_write = services.context.db.write

    def counting_write():  # type: ignore[no-untyped-def]
        transactions.append(1)
        return real_write()

    monkeypatch.setattr(services.context.db, "write", counting_write)
    progress: list[tuple[int, int]] = []
    result = services.booth.import_registrations(
        event_id, export, progress=lambda done, total: progress.append((done, total)))
    assert (result.added, result.resolved_leads) == (5, 5)
    assert len(transactions) >= 2 + 4  # 5 rows in batches of 4; 10 leads in batches of 3
    assert progress[-1] == (10, 10)
    assert services.booth.waiting_count(event_id) == 5


def test_leads_flagged_before_the_column_existed_are_still_resolved(
        services: Services, event_id: uuid.UUID, tmp_path: Path) -> None:
    lead = services.booth.capture(event_id, {"badge_id": "000777"}).lead
    with services.context.db.write() as session:  # how a lead captured before migration 0016 looks
        row = LeadRepository(session).find(lead.id)
        assert row is not None
        row.awaiting_registration = False
        row.needs_review, row.review_reason = True, store_reasons([UNREGISTERED_BADGE])
    export = tmp_path / "list.csv"
    export.write_text("Badge ID;Vorname;Nachname\n777;Ben;Booth\n", encoding="utf-8")
    assert services.booth.import_registrations(event_id, export).resolved_leads == 1
    resolved = services.leads.get(lead.id)
    assert resolved.last_name == "Booth" and resolved.badge_id == "777"
    assert not resolved.needs_review and not resolved.review_reason


def test_a_scanned_badge_with_a_vendor_prefix_finds_its_registration(
        services: Services, event_id: uuid.UUID) -> None:
    services.booth.import_registrations(event_id, FIXTURES / "registration_list_with_address.csv")
    reading, capture = services.booth.scan(event_id, "SBPAX001\r")  # Code 39: capitals only
    assert reading.registered and capture is not None
    assert capture.lead.last_name == "Okafor" and capture.lead.badge_id == "pax001"
    assert any("SBPAX001 is registration pax001" in w for w in reading.warnings)
    again, second = services.booth.scan(event_id, "SBpax001\r")
    assert again.status == "existing" and second is None


def test_a_delimited_badge_without_a_layout_finds_its_id_in_the_list(
        services: Services, event_id: uuid.UUID) -> None:
    services.booth.import_registrations(event_id, FIXTURES / "registration_list_with_address.csv")
    raw = (FIXTURES / "delimited_caret_no_layout.txt").read_text(encoding="utf-8")
    reading, capture = services.booth.scan(event_id, raw)
    assert reading.registered and capture is not None
    assert capture.lead.badge_id == "000451" and capture.lead.last_name == "Müller"
    assert not capture.lead.awaiting_registration


def test_a_name_typed_later_takes_the_lead_off_the_waiting_list(
        services: Services, event_id: uuid.UUID) -> None:
    lead = services.booth.capture(event_id, {"badge_id": "Z-1"}).lead
    assert lead.awaiting_registration
    updated = services.booth.capture(event_id, {"badge_id": "Z-1", "last_name": "Known",
                                                "email": "k@known.example"}).lead
    assert updated.id == lead.id and not updated.awaiting_registration
