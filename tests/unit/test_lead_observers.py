"""Scoring, routing and cadences are handed the saved lead row and never read it again."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from app.services.container import Services
from app.services.lead_service import LeadSaved
from app.storage.orm import Lead
from app.storage.repositories.leads import LeadRepository

pytestmark = pytest.mark.both_databases


@pytest.fixture
def lead_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every LeadRepository.find / .record call, by name."""
    reads: list[str] = []

    def counting(name: str) -> Callable[..., Any]:
        original = getattr(LeadRepository, name)

        def read(self: LeadRepository, lead_id: uuid.UUID, *args: Any, **kwargs: Any) -> Any:
            reads.append(name)
            return original(self, lead_id, *args, **kwargs)
        return read

    for name in ("find", "record"):
        monkeypatch.setattr(LeadRepository, name, counting(name))
    return reads


def test_observers_are_the_scoring_routing_and_cadence_services(services: Services) -> None:
    assert services.leads.on_saved == (services.scoring.lead_saved, services.routing.lead_saved,
                                       services.cadences.lead_saved)


def test_observers_get_the_saved_row_and_read_no_lead(services: Services,
                                                      lead_reads: list[str]) -> None:
    heard: list[tuple[str, str, bool, list[str]]] = []

    def watched(observer: LeadSaved) -> LeadSaved:
        def run(session: Session, lead: Lead, created: bool) -> None:
            before = len(lead_reads)
            observer(session, lead, created)
            heard.append((lead.last_name, lead.title, created, lead_reads[before:]))
        return run

    services.leads.on_saved = tuple(watched(o) for o in services.leads.on_saved)
    lead = services.leads.create({"last_name": "Muster", "email": "max@acme-gmbh.de"})
    services.leads.update(lead.id, {"title": "CEO"})
    assert [entry[:3] for entry in heard] == [("Muster", "", True)] * 3 + \
        [("Muster", "CEO", False)] * 3
    assert [entry[3] for entry in heard] == [[]] * 6  # none of them looked the lead up again


def test_a_saved_lead_is_scored_by_its_observer(services: Services) -> None:
    lead = services.leads.create({"last_name": "Muster", "email": "max@acme-gmbh.de",
                                  "title": "CEO"})
    assert services.leads.get(lead.id).score_reasons  # scored inside the creating transaction
