"""Routing, pure: conditions, round robin and least-open, fallbacks, the catch-all invariant,
the index against a naive first-match, and re-application that is a fixed point."""

from __future__ import annotations

import random
import uuid
from collections import Counter
from dataclasses import replace
from typing import Any

import pytest

from app.domain.errors import ValidationError
from app.domain.leads import Channel, LeadStatus, Rating
from app.domain.people import Availability, QueueRecord, RoutingMode, TeamRecord
from app.domain.routing import (
    DEFAULT_AFFECTED_STATUSES,
    Assignment,
    Condition,
    ConditionKind,
    Member,
    Move,
    Roster,
    Router,
    RoutingFacts,
    RoutingRule,
    TargetKind,
    plan_reassignment,
    rule_order,
)

C = ConditionKind
EVENT = uuid.UUID(int=42)
INBOX = QueueRecord(uuid.UUID(int=1), "Inbox", None, is_catch_all=True)


def _id() -> uuid.UUID:
    return uuid.uuid4()


def _lead(**kw: Any) -> RoutingFacts:
    kw.setdefault("lead_id", _id())
    return RoutingFacts(**kw)


def _rule(name: str, conditions: list[Condition], kind: TargetKind, target: uuid.UUID,
          position: int = 0, enabled: bool = True) -> RoutingRule:
    return RoutingRule(_id(), name, position, tuple(conditions), kind, target, enabled)


def _team(name: str, mode: RoutingMode = RoutingMode.ROUND_ROBIN) -> TeamRecord:
    return TeamRecord(_id(), name, mode)


def _member(name: str, team: TeamRecord | None, availability: Availability = Availability.ACTIVE,
            capacity: int | None = None, open_leads: int = 0) -> Member:
    return Member(_id(), name, availability, None, capacity, team.id if team else None,
                  open_leads)


def _roster(members: list[Member], teams: list[TeamRecord],
            queues: list[QueueRecord] | None = None) -> Roster:
    return Roster(tuple(members), tuple(teams), tuple([INBOX, *(queues or [])]))


# ---- conditions -----------------------------------------------------------------------------

CONDITION_CASES: list[tuple[ConditionKind, str, dict[str, Any], dict[str, Any]]] = [
    (C.COUNTRY, "de, AT, ch", {"country": "AT"}, {"country": "FR"}),
    (C.REGION, "Bavaria, CA", {"region": "bavaria"}, {"region": "Hesse"}),
    (C.POSTAL_PREFIX, "8, 9 4", {"postal_code": "94 032"}, {"postal_code": "10115"}),
    (C.POSTAL_RANGE, "10000-19999", {"postal_code": "10115"}, {"postal_code": "20095"}),
    (C.POSTAL_RANGE, "01000-01999", {"postal_code": "01067"}, {"postal_code": "1A067"}),
    (C.POSTAL_RANGE, "SW1A-SW9Z", {"postal_code": "sw1a 1aa"}, {"postal_code": "W1A 1AA"}),
    (C.PHONE_AREA_CODE, "+1 415, 0049 89", {"mobile_e164": "+4989123456"},
     {"phone_e164": "+14255550100"}),
    (C.INDUSTRY, "Food & Beverage", {"industry": "food &  beverage"}, {"industry": "Food"}),
    (C.PRODUCT_INTEREST, "valve, seal", {"product_interest": "Pumps; Valves"},
     {"product_interest": "Pumps"}),
    (C.KEY_ACCOUNT, "ACME GmbH", {"company": "Acme AG"}, {"company": "Acme Rockets"}),
    (C.KEY_ACCOUNT, "@acme.com, bosch.de", {"email": "jo@Bosch.de"}, {"email": "jo@acme.de"}),
    (C.EVENT, str(EVENT), {"event_id": EVENT}, {"event_id": uuid.UUID(int=43)}),
    (C.CHANNEL, "web, Trade show", {"channel": Channel.TRADE_SHOW}, {"channel": Channel.PHONE}),
    (C.SCORE_AT_LEAST, "50", {"score": 50}, {"score": 49}),
    (C.SCORE_BELOW, "10", {"score": 9}, {"score": 10}),
    (C.RATING, "hot, warm", {"rating": Rating.WARM}, {"rating": None}),
]


@pytest.mark.parametrize(("kind", "text", "hit", "miss"), CONDITION_CASES)
def test_each_condition_kind_matches_and_misses(kind: ConditionKind, text: str,
                                                hit: dict[str, Any], miss: dict[str, Any]) -> None:
    condition = Condition.parse(kind, text)
    assert condition.matches(_lead(**hit))
    assert not condition.matches(_lead(**miss))
    # ...and the indexed router agrees with the condition on its own
    team = _team("T")
    member = _member("Ann", team)
    router = Router([_rule("r", [condition], TargetKind.USER, member.id)],
                    _roster([member], [team]))
    assert router.route(_lead(**hit)).owner_id == member.id
    assert router.route(_lead(**miss)).queue_id == INBOX.id


def test_every_condition_kind_is_covered_and_labelled() -> None:
    assert {case[0] for case in CONDITION_CASES} == set(ConditionKind)
    assert all(kind.label for kind in ConditionKind)


def test_conditions_normalise_and_describe() -> None:
    assert Condition.parse(C.COUNTRY, "de, at;CH").describe() == "country in DE, AT, CH"
    assert Condition(C.COUNTRY, ("de",)) == Condition(C.COUNTRY, ("DE",))
    assert Condition.parse(C.PHONE_AREA_CODE, "+1 (415)").values == ("+1415",)
    assert Condition.parse(C.KEY_ACCOUNT, "www.Acme.com, Acme Inc.").values == (
        "@acme.com", "Acme Inc.")
    assert Condition.parse(C.SCORE_AT_LEAST, "70").describe() == "score ≥ 70"


@pytest.mark.parametrize(("kind", "text", "message"), [
    (C.POSTAL_RANGE, "10000-1999x", "'10000-1999x' mixes a number and letters"),
    (C.POSTAL_RANGE, "10000", "'10000' is not a range such as 10000-19999"),
    (C.POSTAL_RANGE, "20000-10000", "starts above where it ends"),
    (C.POSTAL_RANGE, "SW1-SW9Z", "both ends need the same length"),
    (C.COUNTRY, "Germany", "'Germany' is not a two-letter country code"),
    (C.PHONE_AREA_CODE, "415", "'415' is not an international prefix"),
    (C.EVENT, "booth 7", "'booth 7' is not an event id"),
    (C.CHANNEL, "fax", "'fax' is not a channel"),
    (C.RATING, "boiling", "'boiling' is not hot, warm or cold"),
    (C.SCORE_BELOW, "10, 20", "is not one whole number"),
    (C.INDUSTRY, " , ", "needs at least one value"),
])
def test_invalid_conditions_name_the_problem(kind: ConditionKind, text: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Condition.parse(kind, text)
    assert message in str(caught.value)
    assert caught.value.for_field(kind.label)


def test_router_needs_a_catch_all_queue() -> None:
    with pytest.raises(ValidationError, match="create a catch-all queue first"):
        Router([], Roster((), (), (QueueRecord(_id(), "Team queue"),)))


def test_assignment_needs_an_owner_or_a_queue() -> None:
    with pytest.raises(ValueError, match="owner or a queue"):
        Assignment(None, _id(), None, None, "", "nowhere")


# ---- rule order and targets -----------------------------------------------------------------

def test_first_enabled_rule_in_position_order_wins_and_empty_conditions_match_all() -> None:
    team = _team("T")
    a, b = _member("Ann", team), _member("Bob", team)
    partners = QueueRecord(_id(), "Partners")
    rules = [_rule("everyone", [], TargetKind.QUEUE, partners.id, position=30),
             _rule("DE to Bob", [Condition(C.COUNTRY, ("DE",))], TargetKind.USER, b.id, 20),
             _rule("DE to Ann", [Condition(C.COUNTRY, ("DE",))], TargetKind.USER, a.id, 10,
                   enabled=False)]
    router = Router(rules, _roster([a, b], [team], [partners]))
    assert router.route(_lead(country="DE")).reason == "rule 'DE to Bob' → Bob"
    result = router.route(_lead(country="FR"))
    assert (result.owner_id, result.queue_id, result.reason) == (
        None, partners.id, "rule 'everyone' → queue Partners")


def test_no_rule_goes_to_the_catch_all_queue() -> None:
    result = Router([], _roster([], [])).route(_lead(country="DE"))
    assert (result.owner_id, result.queue_id, result.rule_id) == (None, INBOX.id, None)
    assert result.reason == "no rule matched → catch-all queue Inbox"


def test_round_robin_is_fair_skips_the_away_and_honours_capacity() -> None:
    team = _team("Central Europe")
    members = [_member("Anna", team), _member("Bob", team),
               _member("Cleo", team, Availability.AWAY), _member("Dan", team, capacity=50,
                                                                   open_leads=10),
               _member("Eve", team)]
    rule = _rule("DACH", [Condition(C.COUNTRY, ("DE", "AT", "CH"))], TargetKind.TEAM, team.id)
    router = Router([rule], _roster(members, [team]))
    owners = Counter(router.route(_lead(country="DE")).owner_id for _ in range(1000))
    by_name = {m.name: owners[m.id] for m in members}
    assert by_name["Cleo"] == 0
    assert by_name["Dan"] == 40  # 10 open + 40 = capacity 50, never more
    eligible = [by_name[n] for n in ("Anna", "Bob", "Eve")]
    assert max(eligible) - min(eligible) <= 1 and sum(eligible) == 960
    assert router.open_counts()[members[3].id] == 50
    assert router.route(_lead(country="AT")).reason.startswith(
        "rule 'DACH' → team Central Europe (round robin): ")


def test_round_robin_continues_from_the_saved_pointer() -> None:
    team = _team("T")
    a, b, c = _member("Ann", team), _member("Bob", team), _member("Cid", team)
    rule = _rule("all", [], TargetKind.TEAM, team.id)
    first = Router([rule], _roster([a, b, c], [team]))
    assert [first.route(_lead()).owner_id for _ in range(2)] == [a.id, b.id]
    assert first.state() == {team.id: b.id}
    second = Router([rule], _roster([a, b, c], [team]), first.state())
    assert [second.route(_lead()).owner_id for _ in range(2)] == [c.id, a.id]


def test_least_open_picks_the_emptiest_with_ties_by_member_order() -> None:
    team = _team("Inside", RoutingMode.LEAST_OPEN)
    a, b, c = (_member("Ann", team, open_leads=5), _member("Bob", team, open_leads=2),
               _member("Cid", team, open_leads=2))
    router = Router([_rule("all", [], TargetKind.TEAM, team.id)], _roster([c, b, a], [team]))
    picked = [router.route(_lead()).owner_id for _ in range(5)]
    assert picked == [b.id, c.id, b.id, c.id, b.id]
    assert router.route(_lead()).reason == "rule 'all' → team Inside (least open leads): Cid"


def test_user_target_falls_back_to_the_team_then_the_queues() -> None:
    team = _team("Central Europe")
    bob = _member("Bob", team, Availability.AWAY)
    anna = _member("Anna", team, capacity=1)
    team_queue = QueueRecord(_id(), "CE queue", team.id)
    rule = _rule("Key accounts", [], TargetKind.USER, bob.id)
    router = Router([rule], _roster([bob, anna], [team], [team_queue]))
    first = router.route(_lead())
    assert first.owner_id == anna.id
    assert first.reason == ("rule 'Key accounts' → Bob; Bob is away, so team Central Europe "
                            "(round robin): Anna")
    second = router.route(_lead())
    assert (second.owner_id, second.queue_id) == (None, team_queue.id)
    assert second.reason.endswith("nobody can take it (1 away or inactive, 1 at capacity), "
                                  "so queue CE queue")

    solo = _member("Sol", None, capacity=0)
    alone = Router([_rule("Key accounts", [], TargetKind.USER, solo.id)], _roster([solo], []))
    result = alone.route(_lead())
    assert result.queue_id == INBOX.id
    assert result.reason == ("rule 'Key accounts' → Sol; Sol is at capacity (0 open leads), "
                             "so catch-all queue Inbox")


def test_team_without_a_queue_falls_back_to_the_catch_all_and_dangling_targets_too() -> None:
    team = _team("Empty")
    router = Router([_rule("t", [Condition(C.COUNTRY, ("DE",))], TargetKind.TEAM, team.id),
                     _rule("gone", [Condition(C.COUNTRY, ("FR",))], TargetKind.USER, _id())],
                    _roster([], [team]))
    result = router.route(_lead(country="DE"))
    assert result.queue_id == INBOX.id and "the team has no members" in result.reason
    gone = router.route(_lead(country="FR"))
    assert gone.queue_id == INBOX.id and "a user who no longer exists" in gone.reason


def test_keep_current_keeps_an_acceptable_owner_without_counting_or_rotating() -> None:
    team = _team("T")
    a, b = _member("Ann", team, open_leads=3, capacity=3), _member("Bob", team)
    rule = _rule("all", [], TargetKind.TEAM, team.id)
    router = Router([rule], _roster([a, b], [team]), {team.id: b.id})
    kept = router.route(_lead(owner_id=a.id), keep_current=True)
    assert kept.owner_id == a.id and kept.reason == "rule 'all' → team T: kept with Ann"
    assert router.state() == {team.id: b.id} and router.open_counts()[a.id] == 3
    # without keep_current the lead is handed out afresh (Ann is full, so Bob)
    assert router.route(_lead(owner_id=a.id)).owner_id == b.id


# ---- random data: the invariant, the index, re-application -----------------------------------

COUNTRIES = ["DE", "AT", "CH", "US", "FR", "GB"]
INDUSTRIES = ["Pharma", "Food", "Automotive"]
COMPANIES = ["Acme GmbH", "Globex Inc.", "Initech"]
DOMAINS = ["acme.com", "globex.com", "initech.de"]


def _random_condition(rng: random.Random) -> Condition:
    kind = rng.choice(list(ConditionKind))
    pick = lambda pool: tuple(rng.sample(pool, rng.randint(1, 2)))  # noqa: E731
    values: tuple[str, ...]
    if kind is C.COUNTRY:
        values = pick(COUNTRIES)
    elif kind is C.REGION:
        values = pick(["CA", "NY", "Bavaria"])
    elif kind is C.POSTAL_PREFIX:
        values = pick(["1", "80", "9", "SW"])
    elif kind is C.POSTAL_RANGE:
        low = rng.randrange(0, 90_000)
        values = (f"{low:05d}-{low + rng.randrange(20_000):05d}",) if rng.random() < 0.8 \
            else ("SA-SZ",)
    elif kind is C.PHONE_AREA_CODE:
        values = pick(["+1415", "+1212", "+4989", "+49"])
    elif kind is C.INDUSTRY:
        values = pick(INDUSTRIES)
    elif kind is C.PRODUCT_INTEREST:
        values = pick(["pump", "valve"])
    elif kind is C.KEY_ACCOUNT:
        values = pick(COMPANIES + ["@" + d for d in DOMAINS])
    elif kind is C.EVENT:
        values = (str(EVENT),)
    elif kind is C.CHANNEL:
        values = pick([c.value for c in Channel])
    elif kind in (C.SCORE_AT_LEAST, C.SCORE_BELOW):
        values = (str(rng.randint(0, 100)),)
    else:
        values = pick([r.value for r in Rating])
    return Condition(kind, values)


def _random_lead(rng: random.Random, **kw: Any) -> RoutingFacts:
    country = rng.choice(COUNTRIES)
    i = rng.randrange(len(COMPANIES))
    return _lead(
        country=country, region=rng.choice(["CA", "ny", "Bavaria", ""]),
        postal_code=rng.choice([f"{rng.randrange(100_000):05d}", "SW1A 1AA", "sk9 4ab", ""]),
        phone_e164=rng.choice(["+14155550100", "+12125550100", "+498912345", "+4930123", ""]),
        mobile_e164=rng.choice(["", "+4917012345"]), industry=rng.choice(INDUSTRIES + [""]),
        product_interest=rng.choice(["", "Pumps", "Valves; Seals"]),
        company=rng.choice([COMPANIES[i], COMPANIES[i].upper(), ""]),
        email=rng.choice([f"x@{DOMAINS[i]}", "x@gmail.com", ""]),
        event_id=rng.choice([EVENT, None]), channel=rng.choice(list(Channel)),
        score=rng.randint(-10, 110), rating=rng.choice([None, *Rating]), **kw)


def _world(rng: random.Random, rules: int = 25) -> tuple[list[RoutingRule], Roster]:
    teams = [_team(f"Team {t}", rng.choice(list(RoutingMode))) for t in range(3)]
    members = [_member(f"Rep {t}{n}", team,
                       rng.choice([Availability.ACTIVE] * 4 + [Availability.AWAY,
                                                               Availability.INACTIVE]),
                       rng.choice([None, None, 5, 20]))
               for t, team in enumerate(teams) for n in range(rng.randint(0, 4))]
    members.append(_member("Loner", None, capacity=3))
    queues = [QueueRecord(_id(), "Team 0 queue", teams[0].id), QueueRecord(_id(), "Partners")]
    roster = _roster(members, teams, queues)
    targets = ([(TargetKind.USER, m.id) for m in members] + [(TargetKind.TEAM, t.id) for t in teams]
               + [(TargetKind.QUEUE, q.id) for q in queues])
    out = []
    for n in range(rules):
        kind, target = rng.choice(targets)
        count = rng.choice([1, 1, 2, 2, 3]) if rng.random() > 0.03 else 0  # few match-alls
        conditions = [_random_condition(rng) for _ in range(count)]
        out.append(_rule(f"rule {n}", conditions, kind, target, position=rng.randrange(10),
                         enabled=rng.random() > 0.1))
    return out, roster


def _naive(rules: list[RoutingRule], facts: RoutingFacts) -> RoutingRule | None:
    for rule in sorted((r for r in rules if r.enabled), key=rule_order):
        if all(c.matches(facts) for c in rule.conditions):
            return rule
    return None


@pytest.mark.parametrize("seed", range(25))
def test_indexed_router_equals_naive_first_match_and_always_places(seed: int) -> None:
    rng = random.Random(seed)
    rules, roster = _world(rng, rules=rng.choice([5, 30, 80]))
    router = Router(rules, roster)
    for _ in range(300):
        facts = _random_lead(rng)
        assert router.match(facts) == _naive(rules, facts)
        result = router.route(facts)
        assert result.owner_id is not None or result.queue_id is not None
    for member in roster.members:
        if member.capacity is not None:
            assert router.open_counts()[member.id] <= member.capacity
        if member.availability is not Availability.ACTIVE:
            assert router.open_counts()[member.id] == member.open_leads


def _apply(leads: list[RoutingFacts], moves: list[Move]) -> list[RoutingFacts]:
    by_lead = {m.lead_id: m for m in moves}
    return [replace(f, owner_id=by_lead[f.lead_id].to_owner_id,
                    queue_id=by_lead[f.lead_id].to_queue_id) if f.lead_id in by_lead else f
            for f in leads]


def _recount(roster: Roster, leads: list[RoutingFacts]) -> Roster:
    counts = Counter(f.owner_id for f in leads if f.owner_id and f.status.is_open)
    return replace(roster, members=tuple(replace(m, open_leads=counts[m.id])
                                         for m in roster.members))


@pytest.mark.parametrize("seed", range(20))
def test_reapplying_is_deterministic_and_a_fixed_point(seed: int) -> None:
    rng = random.Random(1000 + seed)
    rules, roster = _world(rng)
    statuses = list(LeadStatus)
    # Leads as they are today: placed by the old rules with the old roster.
    start = Router(rules, roster)
    leads = []
    for _ in range(400):
        facts = _random_lead(rng, status=rng.choice(statuses))
        placed = start.route(facts)
        leads.append(replace(facts, owner_id=placed.owner_id, queue_id=placed.queue_id))
    # Reorganisation: new rules, someone goes away, a capacity is cut.
    new_rules, _ = _world(rng)
    new_rules = [replace(r, target_kind=old.target_kind, target_id=old.target_id)
                 for r, old in zip(new_rules, rules, strict=True)]
    members = list(roster.members)
    members[0] = replace(members[0], availability=Availability.AWAY)
    members[-1] = replace(members[-1], capacity=1)
    reorganised = _recount(replace(roster, members=tuple(members)), leads)
    state = start.state()
    affected = DEFAULT_AFFECTED_STATUSES | {LeadStatus.SQL} if seed % 2 else \
        DEFAULT_AFFECTED_STATUSES

    first = Router(new_rules, reorganised, state)
    moves = plan_reassignment(leads, first, affected)
    assert moves == plan_reassignment(leads, Router(new_rules, reorganised, state), affected)
    moved = {m.lead_id for m in moves}
    for facts in leads:
        if facts.lead_id in moved:
            assert facts.status in affected or first.is_orphan(facts)
    assert all(m.to_owner_id is not None or m.to_queue_id is not None for m in moves)

    applied = _apply(leads, moves)
    after = _recount(reorganised, applied)
    for member in after.members:  # the plan never overfills anyone it gave leads to
        if member.capacity is not None and any(m.to_owner_id == member.id for m in moves):
            assert member.open_leads <= member.capacity
    again = plan_reassignment(applied, Router(new_rules, after, first.state()), affected)
    assert again == []


def test_plan_leaves_worked_and_closed_leads_alone_but_rescues_orphans() -> None:
    team = _team("T")
    away = _member("Ann", team, Availability.AWAY, open_leads=2)
    bob = _member("Bob", team, open_leads=1)
    rule = _rule("all", [], TargetKind.TEAM, team.id)
    router = Router([rule], _roster([away, bob], [team]))
    sql_of_bob = _lead(status=LeadStatus.SQL, owner_id=bob.id)
    sql_orphan = _lead(status=LeadStatus.SQL, owner_id=away.id)
    won_orphan = _lead(status=LeadStatus.WON, owner_id=away.id)
    no_owner = _lead(status=LeadStatus.CONVERTED)
    inquiry_kept = _lead(status=LeadStatus.INQUIRY, owner_id=bob.id)
    moves = plan_reassignment([sql_of_bob, sql_orphan, won_orphan, no_owner, inquiry_kept],
                              router)
    assert [(m.lead_id, m.to_owner_id) for m in moves] == [(sql_orphan.lead_id, bob.id),
                                                         (no_owner.lead_id, bob.id)]
    assert moves[0].reason == "rule 'all' → team T (round robin): Bob"
    assert moves[0].from_owner_id == away.id and moves[0].rule_id == rule.id


def test_plan_frees_capacity_before_handing_out() -> None:
    """A lead leaving a full rep makes room that a lead earlier in the list may take."""
    north, south = _team("North"), _team("South")
    nina = _member("Nina", north, capacity=1, open_leads=1)
    sam = _member("Sam", south)
    queue = QueueRecord(_id(), "North queue", north.id)
    rules = [_rule("north", [Condition(C.COUNTRY, ("DE",))], TargetKind.TEAM, north.id),
             _rule("south", [Condition(C.COUNTRY, ("IT",))], TargetKind.TEAM, south.id)]
    waiting = _lead(country="DE", queue_id=queue.id)
    leaving = _lead(country="IT", owner_id=nina.id)  # Nina's lead now belongs to the south
    roster = _roster([nina, sam], [north, south], [queue])
    moves = plan_reassignment([waiting, leaving], Router(rules, roster))
    assert {(m.lead_id, m.to_owner_id) for m in moves} == {(waiting.lead_id, nina.id),
                                                          (leaving.lead_id, sam.id)}
    applied = _apply([waiting, leaving], moves)
    assert plan_reassignment(applied, Router(rules, _recount(roster, applied))) == []
