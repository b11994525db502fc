"""Erasure and shared settings across laptops: an erased person is forgotten everywhere, in the
tables, the sync log and the shadow, and no sync brings them back."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

from app.domain.leads import LeadQuery
from app.storage.repositories.erasure import ErasureRepository
from tests.sync_laptops import Laptop, converge

SECRETS = ("Zoltanova", "Xerxesia", "zq.unique@hydrafirm.example", "99887766",
           "Hydrafirm Qz", "allergic to walnuts", "Chief Zebra Officer", "Walnut plan")


def _person(laptop: Laptop) -> uuid.UUID:
    services = laptop.services
    event = services.events.add("Hannover Messe 2026", country="DE")
    question = services.questions.add("Budget approved?", "text", event_id=event.id)
    lead = services.leads.create({
        "first_name": "Xerxesia", "last_name": "Zoltanova", "company": "Hydrafirm Qz",
        "email": "zq.unique@hydrafirm.example", "phone": "+49 511 99887766",
        "title": "Chief Zebra Officer", "notes": "allergic to walnuts",
        "event": event.name})
    services.questions.record_answers(lead.id, {question.id: "Walnut plan approved"})
    services.leads.add_note(lead.id, "Call Xerxesia about walnuts")
    services.suppressions.add("email", "zq.unique@hydrafirm.example", "opted_out")
    services.leads.create({"first_name": "Keep", "last_name": "Me", "notes": "stays"})
    return lead.id


def _leftovers(path: Path) -> list[str]:
    """Secrets found in any row of any table of the database file."""
    found = []
    connection = sqlite3.connect(path)
    try:
        tables = [r[0] for r in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            for row in connection.execute(f'SELECT * FROM "{table}"'):
                flat = " ".join(str(v) for v in row if not isinstance(v, bytes)).lower()
                found += [f"{s} in {table}" for s in SECRETS if s.lower() in flat]
    finally:
        connection.close()
    return found


def test_erasure_reaches_the_other_laptop_and_leaves_no_trace_in_either_database(
        laptops: tuple[Laptop, Laptop], folder: Path) -> None:
    a, b = laptops
    lead_id = _person(a)
    a.sync(folder)
    b.sync(folder)
    assert b.services.leads.get(lead_id).last_name == "Zoltanova"
    assert _leftovers(b.path)  # the check can see the person while they are there

    a.services.erasure.erase(lead_id, reason="request 17")
    assert _leftovers(a.path) == []  # the sync log and shadow are scrubbed at once
    converge(folder, a, b)
    for laptop in (a, b):
        assert _leftovers(laptop.path) == [], laptop.path
        assert laptop.services.leads.count(LeadQuery(search="Zoltanova")) == 0
        assert laptop.services.suppressions.entries() == []
        # Re-imports and booth captures are stopped on every laptop by the tombstone.
        with laptop.db.read() as session:
            assert [t.lead_id for t in ErasureRepository(session).tombstones()] == [lead_id]
    assert b.services.leads.count(LeadQuery(search="Keep")) == 1


def test_an_edit_made_before_the_erasure_arrived_does_not_bring_the_person_back(
        laptops: tuple[Laptop, Laptop], folder: Path) -> None:
    a, b = laptops
    lead_id = _person(a)
    a.sync(folder)
    b.sync(folder)
    a.services.erasure.erase(lead_id)
    # B has not seen the erasure yet and edits the person.
    b.services.leads.update(lead_id, {"city": "Zoltanova-Stadt", "notes": "allergic to walnuts!"})
    b.services.leads.add_note(lead_id, "Xerxesia called back")
    a.sync(folder)
    report = b.sync(folder)
    a.sync(folder)
    b.sync(folder)
    assert not any("reuse ids" in w for w in report.warnings)
    for laptop in (a, b):
        assert _leftovers(laptop.path) == [], laptop.path
        assert laptop.services.leads.count(LeadQuery(search="Zoltanova")) == 0
        assert laptop.services.sync.open_conflicts() == []


def test_shared_settings_travel_and_merge_by_key(laptops: tuple[Laptop, Laptop],
                                                 folder: Path) -> None:
    a, b = laptops
    # Both set the same setting before they ever synced: one row, not a unique-key clash.
    a.services.settings.set("scoring.mql_threshold", 40)
    b.services.settings.set("scoring.mql_threshold", 45)
    b.services.settings.set("routing.auto_on_import", False)
    converge(folder, a, b)
    for laptop in (a, b):
        assert laptop.services.settings.get_bool("routing.auto_on_import") is False
    values = {laptop.services.settings.get_int("scoring.mql_threshold") for laptop in (a, b)}
    assert len(values) == 1 and values <= {40, 45}
    [conflict] = a.services.sync.open_conflicts()
    assert (conflict.table, conflict.title) == ("shared_setting", "Setting: Score that makes a lead an MQL")
    a.services.sync.resolve_conflict(conflict.table, conflict.row_id, conflict.field, "45")
    a.sync(folder)
    b.sync(folder)
    for laptop in (a, b):
        assert laptop.services.settings.get_int("scoring.mql_threshold") == 45
        assert laptop.services.sync.open_conflicts() == []
