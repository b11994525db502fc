"""Routing a new lead counts only the open leads of the members the matched rule considers,
each only up to capacity + 1, and routes exactly as with every rep's full count."""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping
from dataclasses import replace

import pytest

from app.domain.leads import LeadStatus
from app.domain.people import Availability, Role, RoutingMode
from app.domain.routing import Condition, ConditionKind, Roster, Router, TargetKind
from app.services.container import Services
from app.storage.repositories.distribution import DistributionRepository
from tests.unit.test_routing import _lead, _member, _random_lead, _roster, _rule, _team, _world


class RecordingCounter:
    """Counts from the members' open_leads, bounded as asked, remembering each request."""

    def __init__(self, roster: Roster) -> None:
        self.open_leads = {m.id: m.open_leads for m in roster.members}
        self.asked: list[dict[uuid.UUID, int | None]] = []

    def __call__(self, bounds: Mapping[uuid.UUID, int | None]) -> dict[uuid.UUID, int]:
        self.asked.append(dict(bounds))
        return {owner: self.open_leads[owner] if bound is None
                else min(self.open_leads[owner], bound) for owner, bound in bounds.items()}


def _on_demand(roster: Roster) -> tuple[Roster, RecordingCounter]:
    counter = RecordingCounter(roster)
    return replace(roster, count_open_leads=counter), counter


def test_only_the_routed_teams_members_are_counted_up_to_their_capacity() -> None:
    west, east = _team("West", RoutingMode.LEAST_OPEN), _team("East", RoutingMode.LEAST_OPEN)
    full = _member("Full", west, capacity=3, open_leads=500)
    busy = _member("Busy", west, open_leads=40)
    away = _member("Away", west, Availability.AWAY, open_leads=0)
    idle = _member("Idle", east, open_leads=0)  # fewer leads, but in the other team
    roster, counter = _on_demand(_roster([full, busy, away, idle], [west, east]))
    rule = _rule("DE", [Condition.parse(ConditionKind.COUNTRY, "DE")], TargetKind.TEAM, west.id)
    result = Router([rule], roster).route(_lead(country="DE"))
    assert result.owner_id == busy.id, "the full rep is skipped, the other team never looked at"
    assert counter.asked == [{full.id: 4, busy.id: None}], "away members are not counted"


def test_round_robin_counts_only_members_with_a_capacity() -> None:
    team = _team("DACH")
    capped = _member("Capped", team, capacity=2, open_leads=2)
    free = _member("Free", team, open_leads=10_000)
    roster, counter = _on_demand(_roster([capped, free], [team]))
    router = Router([_rule("all", [], TargetKind.TEAM, team.id)], roster)
    assert [router.route(_lead()).owner_id for _ in range(3)] == [free.id] * 3
    assert counter.asked == [{capped.id: 3}], "counted once, for the capacity check only"


def test_a_named_rep_at_capacity_falls_back_to_their_team() -> None:
    team = _team("Team")
    named = _member("Named", team, capacity=1, open_leads=1)
    mate = _member("Mate", team, capacity=5, open_leads=4)
    roster, counter = _on_demand(_roster([named, mate], [team]))
    router = Router([_rule("to named", [], TargetKind.USER, named.id)], roster)
    assert router.route(_lead()).owner_id == mate.id
    assert router.route(_lead()).queue_id is not None, "mate now full too: a queue"
    assert sorted(counter.asked, key=len) == [{named.id: 2}, {mate.id: 6}]


@pytest.mark.parametrize("seed", range(20))
def test_counting_on_demand_routes_as_the_full_count_does(seed: int) -> None:
    rng = random.Random(seed)
    rules, roster = _world(rng, rules=rng.choice([5, 30]))
    members = [replace(m, open_leads=rng.choice([0, 1, 4, 5, 6, 19, 20, 21, 300]))
               for m in roster.members]
    roster = replace(roster, members=tuple(members))
    full, lazy = Router(rules, roster), Router(rules, _on_demand(roster)[0])
    for _ in range(200):
        owner = rng.choice([None, *(m.id for m in members)])
        facts = _random_lead(rng, owner_id=owner,
                             status=rng.choice([LeadStatus.INQUIRY, LeadStatus.WON]))
        keep, pass_over = rng.random() < 0.5, rng.choice([None, owner])
        assert lazy.route(facts, keep, pass_over) == full.route(facts, keep, pass_over)
    assert lazy.state() == full.state()


# -- through the service, on a file and on the server ----------------------------------------
@pytest.mark.both_databases
def test_a_captured_lead_counts_only_the_rule_teams_reps(
        services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    people = services.people
    west = people.add_team("West", RoutingMode.LEAST_OPEN)
    people.add_team("East", RoutingMode.LEAST_OPEN)
    full = people.add_user("Fiona Full", "fiona@example.com", Role.REP, team="West", capacity=2)
    busy = people.add_user("Bert Busy", "bert@example.com", Role.REP, team="West")
    idle = people.add_user("Ida Idle", "ida@example.com", Role.REP, team="East")
    services.settings.set("routing.auto_on_capture", False)
    for i in range(2):
        services.leads.create({"last_name": f"F{i}", "owner": "fiona@example.com"})
    for i in range(3):
        services.leads.create({"last_name": f"B{i}", "owner": "bert@example.com"})
    closed = services.leads.create({"last_name": "Won", "owner": "fiona@example.com",
                                    "status": "won"})
    assert closed.owner_id == full.id
    services.routing.add_rule("DE", [Condition.parse(ConditionKind.COUNTRY, "DE")],
                              TargetKind.TEAM, west.id)
    services.settings.set("routing.auto_on_capture", True)

    asked: list[dict[uuid.UUID, int | None]] = []
    counted = DistributionRepository.open_leads_of

    def recording(self: DistributionRepository, bounds: Mapping[uuid.UUID, int | None]
                  ) -> dict[uuid.UUID, int]:
        asked.append(dict(bounds))
        return counted(self, bounds)

    def every_owner(self: DistributionRepository) -> dict[uuid.UUID, int]:
        raise AssertionError("routing one lead must not count every owner's open leads")

    monkeypatch.setattr(DistributionRepository, "open_leads_of", recording)
    monkeypatch.setattr(DistributionRepository, "open_leads_by_owner", every_owner)
    first = services.leads.create({"last_name": "New", "country": "DE"})
    assert first.owner_id == busy.id, "Fiona is at capacity; Ida is in the other team"
    assert asked == [{full.id: 3, busy.id: None}]
    assert idle.id not in {owner for bounds in asked for owner in bounds}


@pytest.mark.both_databases
def test_open_leads_of_counts_open_live_leads_up_to_the_bound(services: Services) -> None:
    people = services.people
    rep = people.add_user("Rita Rep", "rita@example.com", Role.REP)
    other = people.add_user("Otto Other", "otto@example.com", Role.REP)
    for i in range(5):
        services.leads.create({"last_name": f"R{i}", "owner": "rita@example.com"})
    services.leads.create({"last_name": "Lost", "owner": "rita@example.com", "status": "lost"})
    gone = services.leads.create({"last_name": "Gone", "owner": "rita@example.com"})
    services.leads.delete(gone.id)
    with services.context.db.read() as session:
        repo = DistributionRepository(session)
        assert repo.open_leads_of({rep.id: None, other.id: None}) == {rep.id: 5, other.id: 0}
        assert repo.open_leads_of({rep.id: 3, other.id: 3}) == {rep.id: 3, other.id: 0}
        assert repo.open_leads_of({rep.id: 6}) == {rep.id: 5}
        assert repo.open_leads_of({}) == {}
