"""Merging duplicates and undoing it: values, history, answers, CLI."""

from __future__ import annotations

import json
from typing import Any

import pytest

from app.bootstrap import main
from app.domain.errors import NotFoundError, ValidationError
from app.domain.leads import LeadQuery
from app.services.container import Services

pytestmark = pytest.mark.both_databases


def test_merge_and_undo_round_trip(services: Services) -> None:
    event = services.events.add("Hannover Messe 2026", country="DE")
    question = services.questions.add("Budget approved?", "yes_no", event_id=event.id)
    keep = services.booth.capture(event.id, {"first_name": "Katherine", "last_name": "Schneider",
                                             "email": "k.schneider@acme.de"}).lead
    other = services.booth.capture(event.id, {"first_name": "Kate", "last_name": "Schneider",
                                              "phone": "0511 123456", "title": "CTO",
                                              "email": "kate@acme.de"},
                                   answers={question.id: "yes"}).lead
    services.leads.add_note(other.id, "Met at the booth")
    before = services.leads.get(keep.id)
    result = services.merges.merge(keep.id, other.id, take=["email"])
    survivor = result.survivor
    assert survivor.email == "kate@acme.de"  # taken on request
    assert survivor.first_name == "Katherine"  # the survivor's own value wins otherwise
    assert survivor.phone_e164 == "+49511123456" and survivor.title == "CTO"  # blanks filled
    assert services.leads.count(LeadQuery()) == 1
    texts = [h.text for h in services.leads.history(keep.id)]
    assert "Met at the booth" in texts  # the other lead's history came along
    assert services.questions.answers_for(keep.id) == {question.id: "yes"}
    with pytest.raises(NotFoundError):
        services.leads.get(other.id)  # gone from lists, still stored
    restored = services.merges.undo(other.id)
    assert restored.id == other.id and restored.merged_into_id is None
    assert services.leads.count(LeadQuery()) == 2
    back = services.leads.get(keep.id)
    assert (back.email, back.phone, back.title) == (before.email, before.phone, before.title)
    assert "Met at the booth" in [h.text for h in services.leads.history(other.id)]
    assert services.questions.answers_for(other.id) == {question.id: "yes"}
    with pytest.raises(NotFoundError):
        services.merges.undo(other.id)  # a merge is undone once


def test_merge_refuses_nonsense(services: Services) -> None:
    lead = services.leads.create({"last_name": "Solo", "email": "solo@x.de"})
    with pytest.raises(ValidationError):
        services.merges.merge(lead.id, lead.id)
    with pytest.raises(ValidationError, match="shoe_size"):
        services.merges.merge(lead.id, lead.id, take=["shoe_size"])


def test_dedupe_merge_cli(services: Services, db_location: str, capsys: Any) -> None:
    a = services.leads.create({"first_name": "Jonas", "last_name": "Weber",
                               "email": "jonas@weber-mb.de"})
    b = services.leads.create({"first_name": "Jonas", "last_name": "Weber",
                               "email": "jonas@weber-mb.de", "company": "Weber MB"})
    assert main(["--db", db_location, "--json", "dedupe"]) == 0
    pairs = json.loads(capsys.readouterr().out)["pairs"]
    assert {pairs[0]["a"], pairs[0]["b"]} == {str(a.id), str(b.id)}
    assert main(["--db", db_location, "--json", "dedupe", "merge", str(a.id), str(b.id)]) == 0
    merged = json.loads(capsys.readouterr().out)
    assert merged["survivor"]["company"] == "Weber MB"
    assert main(["--db", db_location, "dedupe", "unmerge", str(b.id)]) == 0
    assert main(["--db", db_location, "dedupe", "merge", str(a.id)]) == 2
