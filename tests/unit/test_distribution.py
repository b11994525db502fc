"""Scoring and routing through the services and the CLI: reasons, thresholds in history,
automatic routing on capture, re-application (preview = apply, idempotent, undoable), the
manager's assignments, hand-back and recycling."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from app.bootstrap import main
from app.domain.errors import ConflictError, ValidationError
from app.domain.history import ActivityKind
from app.domain.leads import LeadQuery, LeadStatus
from app.domain.people import Availability, Role, RoutingMode
from app.domain.routing import Condition, ConditionKind, TargetKind
from app.domain.scoring import ScoreRule, ScoreRuleKind
from app.services.container import Services
from app.storage.repositories.distribution import DistributionRepository
from tests.conftest import FakeClock

pytestmark = pytest.mark.both_databases


@pytest.fixture
def team(services: Services) -> dict[str, Any]:
    people = services.people
    central = people.add_team("Central Europe", RoutingMode.ROUND_ROBIN)
    anna = people.add_user("Anna Weber", "anna@example.com", Role.REP, team="Central Europe",
                           territories=["DE", "AT"])
    ben = people.add_user("Ben Braun", "ben@example.com", Role.REP, team="Central Europe",
                          capacity=2)
    cleo = people.add_user("Cleo Vogel", "cleo@example.com", Role.REP, team="Central Europe")
    people.set_availability(cleo.id, Availability.AWAY)
    queue = people.add_queue("Central backlog", team_id=central.id)
    services.routing.add_rule("DACH", [Condition.parse(ConditionKind.COUNTRY, "DE, AT, CH")],
                              TargetKind.TEAM, central.id)
    return {"team": central, "anna": anna, "ben": ben, "cleo": cleo, "queue": queue}


# -- scoring --------------------------------------------------------------------------------
def test_every_lead_carries_its_score_and_reasons(services: Services) -> None:
    lead = services.leads.create({"last_name": "Boss", "title": "Director of Engineering",
                                  "rating": "hot", "email": "boss@gmail.com"})
    assert lead.score == 20 + 15 - 10
    assert lead.score_reasons == "+20 Director title; +15 rated hot; -10 free-mail address"
    record, result = services.scoring.explain(lead.id)
    assert result.total == record.score and result.explain() == record.score_reasons
    updated = services.leads.update(lead.id, {"rating": "cold"})
    assert updated.score == 20 - 5 - 10, "re-scored in the same transaction as the edit"


def test_crossing_a_threshold_promotes_with_a_history_row(services: Services) -> None:
    services.scoring.set_thresholds(30, 60)
    lead = services.leads.create({"last_name": "Rising", "title": "Director", "rating": "warm"})
    assert lead.status is LeadStatus.INQUIRY and lead.score == 25
    promoted = services.leads.update(lead.id, {"rating": "hot"})
    assert promoted.status is LeadStatus.MQL
    change = next(h for h in services.leads.history(lead.id)
                  if h.kind is ActivityKind.STATUS_CHANGED)
    assert change.text == "score 35 reached the MQL threshold (30)"
    demoted = services.leads.update(lead.id, {"rating": "cold"})
    assert demoted.status is LeadStatus.MQL, "a falling score never demotes"


def test_rule_changes_and_decay_reach_every_lead_with_rescore_all(
        services: Services, clock: FakeClock) -> None:
    leads = [services.leads.create({"last_name": f"L{i}", "industry": "Robotics"})
             for i in range(5)]
    assert {services.leads.get(lead.id).score for lead in leads} == {0}
    rules = services.scoring.rules()
    services.scoring.save_rules([*rules, ScoreRule(uuid.uuid4(), ScoreRuleKind.INDUSTRY_IS,
                                                   "robotics", 12)])
    summary = services.scoring.rescore_all()
    assert (summary.leads, summary.changed) == (5, 5)
    assert services.leads.get(leads[0].id).score == 12
    clock.advance(days=22)  # three weeks untouched: decay 2 a week
    services.scoring.rescore_all()
    again = services.leads.get(leads[0].id)
    assert again.score == 6 and "decay: 3 weeks since capture" in again.score_reasons
    with pytest.raises(ValidationError):
        services.scoring.set_thresholds(80, 50)


def test_suppressed_and_competitor_leads_score_lower(services: Services) -> None:
    services.suppressions.add("domain", "rival.example", "competitor")
    lead = services.leads.create({"last_name": "Spy", "email": "spy@rival.example"})
    assert lead.score == -50 - 40 and "competitor" in lead.score_reasons


# -- routing --------------------------------------------------------------------------------
def test_new_leads_are_routed_round_robin_skipping_away_and_full(
        services: Services, team: dict[str, Any]) -> None:
    owners = [services.leads.create({"last_name": f"DE {i}", "country": "DE"}).owner_id
              for i in range(8)]
    anna, ben, cleo = team["anna"].id, team["ben"].id, team["cleo"].id
    assert cleo not in owners, "away reps receive nothing"
    assert owners.count(ben) == 2, "capacity 2 is honoured"
    assert owners.count(anna) == 6
    assert owners[:4] == [anna, ben, anna, ben], "alternates while both have room"
    stray = services.leads.create({"last_name": "Elsewhere", "country": "JP"})
    assert stray.owner_id is None and stray.queue_name == "Inbox"
    history = services.leads.history(stray.id)[0]
    assert history.kind is ActivityKind.OWNER_CHANGED
    assert history.text == "no rule matched → catch-all queue Inbox"


def test_reapply_preview_equals_apply_and_is_idempotent(services: Services,
                                                        team: dict[str, Any]) -> None:
    services.settings.set("routing.auto_on_capture", False)
    services.people.add_user("Dora Solo", "dora@example.com", Role.REP)  # in no team
    for i in range(6):
        services.leads.create({"last_name": f"Backlog {i}", "country": "AT"})
    services.leads.create({"last_name": "Far", "country": "BR"})
    working = services.leads.create({"last_name": "Working", "country": "DE", "status": "sql",
                                     "owner": "dora@example.com"})
    orphan = services.leads.create({"last_name": "Orphan", "country": "DE", "status": "sql",
                                    "owner": "cleo@example.com"})
    preview = services.routing.preview()
    assert len(preview.moves) == 8 and preview.considered == 8  # Dora's SQL lead is not read
    assert orphan.id in {m.lead_id for m in preview.moves}, "owner away: re-planned"
    result = services.routing.apply(expected=preview.moves)
    assert result.moves == preview.moves and result.run_id is not None
    assert services.routing.preview().moves == (), "applying twice moves nothing"
    orphans = [lead for lead in services.leads.list(LeadQuery(), limit=100)
               if lead.owner_id is None and lead.queue_id is None]
    assert orphans == [], "every lead has an owner or a queue"
    assert services.leads.get(working.id).owner_name == "Dora Solo", \
        "an SQL lead is not taken from its rep unless asked"
    moved = services.routing.preview([LeadStatus.SQL]).moves
    assert [m.lead_id for m in moved] == [working.id], "moves when SQL is included"
    assert services.routing.undo(result.run_id) == 8
    # The rotation is rewound with the leads: planning again gives exactly the same moves.
    assert services.routing.preview().moves == preview.moves
    with pytest.raises(ConflictError):
        services.routing.undo(result.run_id)


def test_undo_leaves_the_rotation_alone_once_leads_were_routed_since(
        services: Services, team: dict[str, Any]) -> None:
    services.settings.set("routing.auto_on_capture", False)
    for i in range(3):
        services.leads.create({"last_name": f"Backlog {i}", "country": "AT"})
    result = services.routing.apply()
    assert result.run_id is not None
    services.settings.set("routing.auto_on_capture", True)
    newcomer = services.leads.create({"last_name": "Newcomer", "country": "DE"})
    assert newcomer.owner_id is not None  # the rotation moved on after the run
    with services.context.db.read() as session:
        pointers = DistributionRepository(session).round_robin_state()
    services.routing.undo(result.run_id)
    with services.context.db.read() as session:
        assert DistributionRepository(session).round_robin_state() == pointers


def test_apply_refuses_a_stale_preview(services: Services, team: dict[str, Any]) -> None:
    services.settings.set("routing.auto_on_capture", False)
    services.leads.create({"last_name": "One", "country": "DE"})
    preview = services.routing.preview()
    services.leads.create({"last_name": "Two", "country": "DE"})
    with pytest.raises(ConflictError, match="preview again"):
        services.routing.apply(expected=preview.moves)


def test_a_manual_assignment_no_rule_claims_is_kept(services: Services,
                                                     team: dict[str, Any]) -> None:
    lead = services.leads.create({"last_name": "Tokyo", "country": "JP"})
    services.routing.assign([lead.id], owner_id=team["anna"].id, reason="speaks Japanese")
    assert services.routing.preview().moves == ()


def test_manager_assigns_with_a_reason_and_can_undo(services: Services,
                                                    team: dict[str, Any]) -> None:
    leads = [services.leads.create({"last_name": f"JP {i}", "country": "JP"}) for i in range(3)]
    ids = [lead.id for lead in leads]
    result = services.routing.assign(ids, owner_id=team["anna"].id, reason="trade fair Tokyo")
    assert len(result.moves) == 3
    assert {services.leads.get(i).owner_id for i in ids} == {team["anna"].id}
    history = services.leads.history(ids[0])
    last = next(h for h in history if h.kind is ActivityKind.OWNER_CHANGED)
    assert "trade fair Tokyo" in last.text
    assert history[0].text == "Cadence 'General follow-up' started for Anna Weber: 2 steps"
    assert (last.old_value, last.new_value) == ("queue Inbox", "Anna Weber")
    assert services.routing.undo(result.run_id) == 3
    assert {services.leads.get(i).queue_name for i in ids} == {"Inbox"}
    workload = {w.user.name: w for w in services.routing.workload()}
    assert workload["Anna Weber"].open_leads == 0
    with pytest.raises(ValidationError):
        services.routing.assign(ids)


def test_hand_back_and_recycle(services: Services, team: dict[str, Any],
                               clock: FakeClock) -> None:
    lead = services.leads.create({"last_name": "Munich", "country": "DE"})
    assert lead.owner_id == team["anna"].id
    services.routing.hand_back(lead.id, "wrong territory")
    back = services.leads.get(lead.id)
    assert back.owner_id is None and back.queue_id == team["queue"].id
    with pytest.raises(ValidationError):
        services.routing.hand_back(lead.id, " ")
    comes_back = clock.now.date() + dt.timedelta(days=90)
    services.routing.recycle(lead.id, "budget next year", comes_back)
    nurtured = services.leads.get(lead.id)
    assert nurtured.status is LeadStatus.NURTURE and nurtured.come_back_on == comes_back
    assert "budget next year" in services.leads.history(lead.id)[0].text
    counts = {c.queue.name if c.queue else None: c.open_leads
              for c in services.routing.queue_counts()}
    assert counts["Central backlog"] == 1


# -- CLI ------------------------------------------------------------------------------------
def test_assign_and_score_cli(services: Services, db_path: Path, capsys: Any) -> None:
    run = lambda *args: main(["--db", services.context.db.location, *args])  # noqa: E731
    assert run("teams", "add", "Nordics", "--mode", "least_open") == 0
    assert run("users", "add", "--name", "Nils", "--email", "nils@example.com", "--role", "rep",
               "--team", "Nordics", "--territories", "se,no") == 0
    assert run("users", "add", "--name", "Siv", "--email", "siv@example.com", "--role", "rep",
               "--team", "Nordics") == 0
    lead = services.leads.create({"last_name": "Stockholm", "country": "SE",
                                  "title": "VP Sales"})
    capsys.readouterr()
    assert run("--json", "routing", "add", "Nordics", "--when", "country=SE,NO",
               "--to", "team:Nordics") == 0
    assert json.loads(capsys.readouterr().out)["describe"] == "country in SE, NO"
    assert run("routing", "add", "Bad", "--when", "postal_range=1-x", "--to",
               "team:Nordics") == 2
    assert run("--json", "assign", "--preview") == 0
    preview = json.loads(capsys.readouterr().out)
    assert preview["moves"] == 1 and preview["details"][0]["lead_id"] == str(lead.id)
    assert preview["details"][0]["from"] == "queue Inbox"
    assert run("--json", "assign", "--apply") == 0
    applied = json.loads(capsys.readouterr().out)
    assert applied["moves"] == 1 and applied["details"][0]["to"] in ("Nils", "Siv")
    assert run("--json", "assign", "--apply") == 0
    assert json.loads(capsys.readouterr().out)["moves"] == 0
    assert run("--json", "assign", "--undo", applied["run_id"]) == 0
    assert json.loads(capsys.readouterr().out)["restored"] == 1
    assert run("assign", "--preview", "--statuses", "hot") == 2
    assert run("--json", "score", "--explain", str(lead.id)) == 0
    explained = json.loads(capsys.readouterr().out)
    # Nils covers SE: the lead's country is in a served territory.
    assert explained["reasons"] == [{"points": 25, "reason": "VP title"},
                                    {"points": 10, "reason": "country in served territory"}]
    assert explained["score"] == explained["stored_score"] == 35
    assert run("score", "--explain", str(uuid.uuid4())) == 1
    assert run("--json", "score", "--all") == 0
    assert json.loads(capsys.readouterr().out)["leads"] == 1
    assert run("--json", "users", "availability", "siv@example.com", "away") == 0
    assert json.loads(capsys.readouterr().out)["availability"] == "away"


def test_imported_leads_are_scored_and_routed_in_the_import(
        services: Services, team: dict[str, Any], tmp_path: Path) -> None:
    export = tmp_path / "fair.csv"
    export.write_text("First name,Last name,Country,Job title,Email\n"
                      "Uwe,Ost,DE,Chief Executive Officer,uwe@ost.example\n"
                      "Ida,West,AT,Buyer,ida@west.example\n"
                      "Rio,Sul,BR,Director,rio@gmail.com\n", encoding="utf-8")
    table = services.imports.open(export)
    mapping, _ = services.imports.suggested_mapping(table)
    from app.domain.imports import DuplicatePolicy

    services.imports.run(table, mapping, None, DuplicatePolicy.SKIP)
    leads = {lead.last_name: lead for lead in services.leads.list(LeadQuery())}
    assert leads["Ost"].owner_id == team["anna"].id and leads["West"].owner_id == team["ben"].id
    assert leads["Sul"].queue_name == "Inbox"
    assert leads["Ost"].score == 30 + 10 and leads["Ost"].score_reasons.startswith("+30")
    assert leads["Ost"].status is LeadStatus.MQL  # 40 reaches the default MQL threshold
    assert leads["Sul"].score == 20 - 10
    owner_rows = [h for h in services.leads.history(leads["West"].id)
                  if h.kind is ActivityKind.OWNER_CHANGED]
    assert owner_rows[0].new_value == "Ben Braun" and "DACH" in owner_rows[0].text
    services.settings.set("routing.auto_on_import", False)
    again = tmp_path / "later.csv"
    again.write_text("Last name,Country,Email\nLater,DE,later@x.example\n", encoding="utf-8")
    table = services.imports.open(again)
    report = services.imports.run(table, services.imports.suggested_mapping(table)[0], None,
                                  DuplicatePolicy.SKIP)
    assert report.counts.created == 1, report.rejected
    later = services.leads.list(LeadQuery(search="Later"))[0]
    assert later.owner_id is None and later.queue_id is None  # routing off: left to a person


def test_queue_and_orphan_filters(services: Services, team: dict[str, Any]) -> None:
    services.settings.set("routing.auto_on_capture", False)
    nobody = services.leads.create({"last_name": "Nobody"})
    away = services.leads.create({"last_name": "Away", "owner": "cleo@example.com"})
    services.leads.create({"last_name": "Closed", "owner": "cleo@example.com",
                           "status": "lost"})
    waiting = services.leads.create({"last_name": "Waiting", "queue": "Central backlog"})
    services.leads.create({"last_name": "Worked", "owner": "anna@example.com"})
    orphaned = services.leads.list(LeadQuery(orphaned=True))
    assert {lead.id for lead in orphaned} == {nobody.id, away.id}
    assert services.routing.orphan_count() == 2
    in_queue = services.leads.list(LeadQuery(queue_id=team["queue"].id))
    assert [lead.id for lead in in_queue] == [waiting.id]
    assert [lead.id for lead in services.leads.list(
        LeadQuery(unassigned=True, no_queue=True))] == [nobody.id]


def test_daily_rescoring_applies_decay_once_a_day(services: Services, clock: FakeClock) -> None:
    lead = services.leads.create({"last_name": "Ageing", "title": "Director"})
    assert services.scoring.rescore_daily() is not None  # first start: due
    assert services.scoring.rescore_daily() is None  # same day: nothing to do
    clock.advance(days=15)
    summary = services.scoring.rescore_daily()
    assert summary is not None and summary.changed == 1
    assert services.leads.get(lead.id).score == 20 - 4
