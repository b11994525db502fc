"""Merge all duplicates: clusters, the survivor rule, dismissed pairs, undo, audit, cancel, CLI."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from app.bootstrap import main
from app.domain.audit import AuditAction
from app.domain.dedupe.clusters import clusters, plan_group
from app.domain.dedupe.keys import CandidatePair
from app.domain.errors import NotFoundError
from app.domain.leads import LeadQuery, LeadRecord
from app.domain.people import Role
from app.domain.progress import CancelledError
from app.services.container import Services
from tests.conftest import FakeClock

pytestmark = pytest.mark.both_databases


def _schneiders(services: Services) -> tuple[LeadRecord, LeadRecord, LeadRecord]:
    """Three leads of one person: A~B share an email, B~C a phone; A and C share nothing."""
    a = services.leads.create({"first_name": "Katherine", "last_name": "Schneider",
                               "email": "k.schneider@acme.de", "company": "Acme GmbH"})
    b = services.leads.create({"first_name": "Kate", "last_name": "Schneider",
                               "email": "k.schneider@acme.de", "phone": "+49 511 123456"})
    c = services.leads.create({"first_name": "Katherine", "last_name": "Schneider",
                               "phone": "+49 (511) 123456", "email": "kathy@home.de",
                               "title": "CTO", "city": "Hannover"})
    return a, b, c


def _webers(services: Services) -> tuple[LeadRecord, LeadRecord]:
    a = services.leads.create({"first_name": "Jonas", "last_name": "Weber",
                               "email": "jonas@weber-mb.de"})
    b = services.leads.create({"first_name": "Jonas", "last_name": "Weber",
                               "email": "JONAS@weber-mb.de", "company": "Weber MB"})
    return a, b


def _pair(a: uuid.UUID, b: uuid.UUID) -> CandidatePair:
    return CandidatePair(a, b, 95.0, ("same email",))


def test_clusters_join_chains_and_keep_separate_people_apart() -> None:
    ids = [uuid.UUID(int=i) for i in range(1, 7)]
    found = clusters([_pair(ids[0], ids[1]), _pair(ids[4], ids[5]), _pair(ids[2], ids[1]),
                      _pair(ids[3], ids[2])])
    assert found == [ids[:4], ids[4:]]  # largest first, each sorted


def test_survivor_has_most_fields_then_oldest_capture(services: Services,
                                                      clock: FakeClock) -> None:
    newer_fuller = services.leads.create({"first_name": "Ann", "last_name": "Lee",
                                          "email": "ann@lee.de", "city": "Kiel"})
    clock.advance(hours=1)
    first = services.leads.create({"first_name": "Ann", "last_name": "Lee", "email": "ann@lee.de"})
    clock.advance(hours=1)
    second = services.leads.create({"first_name": "Ann", "last_name": "Lee", "email": "ann@lee.de"})
    records = [services.leads.get(i) for i in (second.id, first.id, newer_fuller.id)]
    assert plan_group(records).survivor == newer_fuller.id  # more filled wins over age
    tie = plan_group(records[:2])
    assert (tie.survivor, tie.merged) == (first.id, (second.id,))  # same fields: older stays


def test_merge_all_merges_a_cluster_of_three_into_one_survivor(services: Services) -> None:
    a, b, c = _schneiders(services)
    w1, w2 = _webers(services)
    services.leads.add_note(a.id, "Met at the booth")
    result = services.merges.merge_all(min_score=90)
    by_survivor = {g.survivor: set(g.merged) for g in result.groups}
    assert by_survivor == {c.id: {a.id, b.id}, w2.id: {w1.id}}  # C and W2 have the most fields
    assert result.leads_merged == 3
    assert services.leads.count(LeadQuery()) == 2
    survivor = services.leads.get(c.id)
    assert survivor.email == "kathy@home.de" and survivor.title == "CTO"  # nothing overwritten
    assert survivor.company == "Acme GmbH"  # a blank filled from a lead merged away
    assert "Met at the booth" in [h.text for h in services.leads.history(c.id)]
    assert services.merges.plan_merge_all(90) == []  # nothing left to merge


def test_dismissed_pair_is_never_merged(services: Services) -> None:
    w1, w2 = _webers(services)
    a, b, _c = _schneiders(services)
    services.dedupe.dismiss(w1.id, w2.id)
    result = services.merges.merge_all(min_score=90)
    assert [g.merged for g in result.groups if w1.id in g.merged or w2.id in g.merged] == []
    assert services.leads.get(w1.id) and services.leads.get(w2.id)  # both still live
    with pytest.raises(NotFoundError):
        services.leads.get(a.id)


def test_dismissed_pair_is_not_joined_through_a_third_lead(services: Services) -> None:
    a, b, c = _schneiders(services)  # A~B (email) and B~C (phone)
    services.dedupe.dismiss(a.id, c.id)
    result = services.merges.merge_all(min_score=90)
    assert [(g.survivor, g.merged) for g in result.groups] == [(a.id, (b.id,))]
    assert services.leads.get(a.id) and services.leads.get(c.id)


def test_clusters_keep_dismissed_leads_apart() -> None:
    ids = [uuid.UUID(int=i) for i in range(1, 4)]
    found = clusters([_pair(ids[0], ids[1]), _pair(ids[1], ids[2])], apart=[(ids[0], ids[2])])
    assert found == [ids[:2], ids[2:]]


def test_a_backup_is_made_before_merging_but_not_when_nothing_is_merged(
        services: Services) -> None:
    services.merges.merge_all(min_score=90)
    assert services.backups.backups() == []
    _webers(services)
    services.merges.merge_all(min_score=90)
    expected = [] if services.context.db.is_server else ["before-merge"]
    assert [b.reason for b in services.backups.backups()] == expected


def test_each_merge_of_a_merge_all_is_undone_on_its_own(services: Services) -> None:
    a, b, c = _schneiders(services)
    services.merges.merge_all(min_score=90)
    restored = services.merges.undo(b.id)
    assert restored.id == b.id and restored.merged_into_id is None
    assert services.leads.count(LeadQuery()) == 2  # C and B; A stays merged into C
    with pytest.raises(NotFoundError):
        services.leads.get(a.id)
    assert services.leads.get(c.id).phone_e164 == "+49511123456"  # C's own phone


def test_merge_all_is_one_audit_entry_with_count_and_actor(services: Services) -> None:
    user = services.people.add_user("Maria Keller", "maria@example.com", Role.MANAGER)
    services.people.sign_in(user.id)
    _schneiders(services)
    _webers(services)
    services.merges.merge_all(min_score=90)
    entries = services.audit.entries(action=AuditAction.MERGE_ALL)
    assert [(e.what, e.records, e.actor_name) for e in entries] == [
        ("min score 90: 2 groups", 3, "Maria Keller")]
    assert "Schneider" not in entries[0].what and "@" not in entries[0].what


def test_cancel_between_groups_keeps_what_was_merged(services: Services) -> None:
    _schneiders(services)
    _webers(services)
    seen: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> None:
        seen.append((done, total))

    def cancelled() -> bool:  # asked to stop once the first group is merged
        return any(done > total // 2 for done, total in seen)

    with pytest.raises(CancelledError, match="1 of 2 groups.*2 merges done are kept"):
        services.merges.merge_all(min_score=90, progress=progress, cancelled=cancelled)
    assert services.leads.count(LeadQuery()) == 3  # the Schneiders merged, the Webers not
    (entry,) = services.audit.entries(action=AuditAction.MERGE_ALL)
    assert (entry.what, entry.records) == ("min score 90: 1 of 2 groups", 2)


def test_cli_merge_all_needs_yes_and_reports_json(services: Services, db_location: str,
                                                  capsys: Any) -> None:
    a, b, c = _schneiders(services)
    assert main(["--db", db_location, "dedupe", "merge-all", "--min-score", "90"]) == 2
    captured = capsys.readouterr()
    assert "add --yes to merge" in captured.err + captured.out
    assert "Schneider" in captured.out and services.leads.count(LeadQuery()) == 3
    assert main(["--db", db_location, "--json", "dedupe", "merge-all", "--min-score", "90",
                 "--yes"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["groups"] == 1 and out["leads_merged"] == 2
    assert [(g["survivor"], sorted(g["merged_ids"])) for g in out["merged"]] == [
        (str(c.id), sorted([str(a.id), str(b.id)]))]
    assert services.leads.count(LeadQuery()) == 1
    assert main(["--db", db_location, "dedupe", "unmerge", str(a.id)]) == 0
    assert main(["--db", db_location, "dedupe", "merge-all", "--min-score", "101"]) != 0
