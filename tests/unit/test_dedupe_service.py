"""Duplicate scan over a real (small) database, the one-lead check for booth and import, the CLI."""

from __future__ import annotations

import json
import uuid

import pytest

from app.bootstrap import main
from app.services.container import Services

pytestmark = pytest.mark.both_databases


@pytest.fixture
def people(services: Services) -> dict[str, uuid.UUID]:
    """Three pairs of duplicates and two leads that only look alike."""
    event = services.events.add("Hannover Messe 2026", country="DE")

    def add(label: str, **fields: str) -> tuple[str, uuid.UUID]:
        return label, services.leads.create(dict(fields)).id

    return dict([
        add("robert", first_name="Robert", last_name="Schneider", company="Acme GmbH",
            email="robert.schneider@acme.de", phone="+49 30 1234567"),
        add("bob", first_name="Bob", last_name="Schnieder", company="ACME AG",
            email="Robert.Schneider+messe@acme.de"),
        add("anna", first_name="Anna", last_name="Meyer", company="Globex",
            phone="+49 40 7654321", email="anna@globex.de"),
        add("anna_swapped", first_name="Meyer", last_name="Anna", phone="040 7654321",
            country="DE"),
        add("badge", first_name="Jon", last_name="Smith", badge_id="B-1", event=str(event.id)),
        add("badge_again", last_name="Smith", badge_id="B-1", event=str(event.id)),
        add("colleague", first_name="Jennifer", last_name="Schneider", company="Acme GmbH",
            email="jennifer.schneider@acme.de", phone="+49 30 1234567"),
        add("namesake", first_name="Robert", last_name="Schneider", company="Initech",
            email="rs@initech.com", phone="+49 89 5550000"),
        ("event", event.id),
    ])


def pairs_of(found: list[tuple[uuid.UUID, uuid.UUID]], people: dict[str, uuid.UUID]
             ) -> set[frozenset[str]]:
    names = {v: k for k, v in people.items()}
    return {frozenset((names[a], names[b])) for a, b in found}


def test_scan_finds_the_known_duplicates_only(services: Services,
                                              people: dict[str, uuid.UUID]) -> None:
    progress: list[tuple[int, int]] = []
    pairs = services.dedupe.scan(progress=lambda d, t: progress.append((d, t)))
    assert pairs_of([(p.a, p.b) for p in pairs], people) == {
        frozenset(("robert", "bob")), frozenset(("anna", "anna_swapped")),
        frozenset(("badge", "badge_again"))}
    assert progress and progress[-1][0] == progress[-1][1]
    swapped = next(p for p in pairs if people["anna"] in (p.a, p.b))
    assert "names swapped" in swapped.reasons and "same phone" in swapped.reasons


def test_deleted_leads_are_not_scanned(services: Services, people: dict[str, uuid.UUID]) -> None:
    services.leads.delete(people["bob"])
    found = pairs_of([(p.a, p.b) for p in services.dedupe.scan()], people)
    assert frozenset(("robert", "bob")) not in found


def test_candidates_for_a_new_lead(services: Services, people: dict[str, uuid.UUID]) -> None:
    found = services.dedupe.candidates_for(
        {"first_name": "Bobby", "last_name": "Schneider", "email": "ROBERT.SCHNEIDER@acme.de"},
        None)
    assert found[0][0] == people["robert"]
    assert "same email" in found[0][2]
    by_phone = services.dedupe.candidates_for(
        {"first_name": "Anna", "last_name": "Mayer", "phone": "040 765 43 21", "country": "DE"},
        None)
    assert [i for i, _score, _why in by_phone][:1] in ([people["anna"]], [people["anna_swapped"]])
    rescan = services.dedupe.candidates_for({"badge_id": "B-1"}, people["event"])
    assert {i for i, _s, _w in rescan} == {people["badge"], people["badge_again"]}
    assert services.dedupe.candidates_for({"first_name": "Zoe", "last_name": "Quast"}, None) == []


def test_cli_dedupe_json(services: Services, people: dict[str, uuid.UUID], db_location: str,
                         capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", db_location, "dedupe", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["pairs"]
    assert len(listed) == 3
    first = listed[0]
    assert set(first) == {"a", "b", "a_name", "b_name", "score", "reasons"}
    assert all(p["score"] >= 80 for p in listed)
    names = {frozenset((p["a_name"], p["b_name"])) for p in listed}
    assert frozenset(("Robert Schneider", "Bob Schnieder")) in names

    assert main(["--db", db_location, "dedupe", "--min-score", "99"]) == 0
    text = capsys.readouterr().out
    assert "likely duplicate pairs (score >= 99)" in text


def test_scan_and_import_check_find_people_known_by_name_and_address(
        services: Services, db_location: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Registration-list people: no email or phone, only name, address and date of birth."""
    robert = services.leads.create({"first_name": "Robert", "last_name": "Schneider",
                                    "street": "Hauptstraße 12", "postal_code": "80331",
                                    "city": "München", "region": "Bayern",
                                    "birth_date": "1980-03-12"})
    bob = services.leads.create({"first_name": "Bob", "last_name": "Schneider",
                                 "street": "Hauptstr. 12a", "postal_code": "80331",
                                 "city": "Munchen", "birth_date": "1980-12-03"})
    services.leads.create({"first_name": "Anna", "last_name": "Schneider",
                           "street": "Hauptstraße 12", "postal_code": "80331",
                           "city": "München", "birth_date": "1984-07-30"})  # his wife
    pairs = services.dedupe.scan()
    assert [{p.a, p.b} for p in pairs] == [{robert.id, bob.id}]
    reasons = pairs[0].reasons
    assert "Bob is a nickname of Robert" in reasons
    assert "same date of birth (day and month swapped)" in reasons
    assert "street matches, house number 12 vs 12a" in reasons
    assert services.dedupe.last_stats.linked == 3

    typed_again = {"first_name": "Robert", "last_name": "Schneider", "street": "Hauptstr 12",
                   "postal_code": "80331", "city": "München", "birth_date": "1980-03-12"}
    found = services.dedupe.candidates_for(typed_again, None)
    assert {lead_id for lead_id, _score, _reasons in found} == {robert.id, bob.id}

    assert main(["--db", db_location, "dedupe", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["pairs"]
    assert [frozenset((p["a_name"], p["b_name"])) for p in listed] == [
        frozenset(("Robert Schneider", "Bob Schneider"))]
    assert "Bob is a nickname of Robert" in listed[0]["reasons"]
