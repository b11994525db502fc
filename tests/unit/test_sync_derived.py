"""Derived values after a sync (issue 17 item 9): statuses promoted by score, scores and their
reasons are the same on every laptop that holds the same data, right after the exchange."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

from app.domain.people import Role
from app.domain.scoring import ScoreRuleKind
from tests.conftest import FIXED_NOW, FakeClock
from tests.sync_laptops import Laptop


def _derived(laptop: Laptop, lead_id: uuid.UUID) -> tuple[str, int, str]:
    lead = laptop.services.leads.get(lead_id)
    return lead.status.value, lead.score, lead.score_reasons


def _director(laptop: Laptop, **fields: str) -> uuid.UUID:
    """Director (+20) at a company of 500 (+10) in Germany: 30, or 40 (MQL) where a rep serves
    Germany."""
    values = {"first_name": "Max", "last_name": "Muster", "email": "max@muster.de",
              "country": "DE", "title": "Sales Director", "company_size": "500"} | fields
    return laptop.services.leads.create(values).id


def test_a_promotion_made_while_merging_is_sent_in_the_same_sync(
        laptops: tuple[Laptop, Laptop], folder: Path) -> None:
    a, b = laptops
    b.services.people.add_user("Anna Weber", "anna@example.com", Role.REP, territories=["DE"])
    lead_id = _director(a)
    a.sync(folder)
    b.sync(folder)  # B serves Germany: the merged lead reaches MQL here
    assert _derived(b, lead_id)[:2] == ("mql", 40)
    a.sync(folder)
    assert _derived(a, lead_id) == _derived(b, lead_id)
    history = [e.text for e in a.services.leads.history(lead_id)]
    assert any("reached the MQL threshold" in text for text in history)


def test_a_rep_arriving_from_another_laptop_rescores_every_lead(
        laptops: tuple[Laptop, Laptop], folder: Path) -> None:
    a, b = laptops
    lead_id = _director(a, email="max@gmail.com")  # free mail: -10
    a.sync(folder)
    b.sync(folder)
    b.services.people.add_user("Anna Weber", "anna@example.com", Role.REP, territories=["DE"])
    b.sync(folder)
    a.sync(folder)
    assert _derived(a, lead_id) == _derived(b, lead_id)
    assert _derived(a, lead_id)[1] == 30


def test_rules_arriving_with_leads_score_them_and_every_other_lead(
        laptops: tuple[Laptop, Laptop], folder: Path) -> None:
    a, b = laptops
    own = _director(b, last_name="Own")  # B has scored before: its rules are compiled
    b.sync(folder)
    a.sync(folder)
    a.services.scoring.add_rule(ScoreRuleKind.TITLE_CONTAINS, "Sales", 15)
    a.services.scoring.rescore_all()
    lead_id = _director(a)
    a.sync(folder)
    b.sync(folder)
    a.sync(folder)
    for lead in (lead_id, own):
        assert _derived(a, lead) == _derived(b, lead)
        assert _derived(a, lead)[:2] == ("mql", 45)


def test_laptops_minutes_apart_agree_on_decay(tmp_path: Path, folder: Path) -> None:
    a = Laptop(tmp_path / "a.sqlite", FakeClock())
    b = Laptop(tmp_path / "b.sqlite", FakeClock(FIXED_NOW + dt.timedelta(minutes=3)))
    try:
        lead_id = _director(a)
        a.sync(folder)
        b.sync(folder)
        # Three weeks after the capture, A's clock is a minute short of it, B's two past it.
        for laptop in (a, b):
            laptop.clock.advance(days=21, seconds=-60)
        a.services.leads.update(lead_id, {"city": "Köln"})
        a.sync(folder)
        b.sync(folder)
        assert _derived(a, lead_id) == _derived(b, lead_id)
    finally:
        a.close()
        b.close()
