"""Sync phase 1 end to end: separate databases exchanging change sets through one folder."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import uuid
from pathlib import Path

import pytest

from app.cli.main import run
from app.domain.errors import ConflictError, ValidationError
from app.domain.history import ActivityKind
from app.domain.ids import new_id
from app.domain.leads import LeadQuery
from app.domain.people import Role
from app.domain.tasks import TaskKind
from app.storage.orm import Task
from tests.conftest import FIXED_NOW, FakeClock
from tests.sync_laptops import Laptop, converge


def _lead(laptop: Laptop, **fields: object) -> uuid.UUID:
    values = {"first_name": "Max", "last_name": "Muster", "email": "max@example.com"} | fields
    return laptop.services.leads.create(values).id


def test_lead_with_tasks_and_activities_reaches_the_other_laptop(
        laptops: tuple[Laptop, Laptop], folder: Path) -> None:
    a, b = laptops
    anna = a.services.people.add_user("Anna Weber", "anna@example.com", Role.REP)
    lead_id = _lead(a, company="ACME", owner=str(anna.id))
    a.services.leads.add_note(lead_id, "met at the booth")
    with a.db.write() as session:
        session.add(Task(id=new_id(), lead_id=lead_id, owner_id=anna.id, kind=TaskKind.CALL,
                         title="call back", due_at=FIXED_NOW + dt.timedelta(days=2),
                         created_at=FIXED_NOW,
                         updated_at=a.clock(), device_id=a.db.device_id))

    sent = a.sync(folder)
    assert sent.sent_ops > 0 and sent.published is not None
    got = b.sync(folder)
    assert got.received_ops == sent.sent_ops and got.files_read == 1

    record = b.services.leads.get(lead_id)
    assert (record.company, record.owner_id) == ("ACME", anna.id)
    kinds = {h.kind for h in b.services.leads.history(lead_id)}
    assert {ActivityKind.CREATED, ActivityKind.NOTE} <= kinds
    # The task added here and the cadence's tasks A's services created, with their due dates.
    tasks_a = a.services.followup.tasks_for_lead(lead_id)
    tasks_b = b.services.followup.tasks_for_lead(lead_id)
    assert "call back" in [t.title for t in tasks_b]
    assert [(t.id, t.title, t.due_at) for t in tasks_b] == [(t.id, t.title, t.due_at) for t in tasks_a]
    assert record.next_due_at == min(t.due_at for t in tasks_b)  # recomputed locally

    # Idempotent: nothing new either way, and the merged rows are not echoed back as edits.
    assert (b.sync(folder).sent_ops, b.sync(folder).received_ops) == (0, 0)
    again = a.sync(folder)
    assert (again.sent_ops, again.received_ops) == (0, 0)


def test_edits_of_different_fields_merge(laptops: tuple[Laptop, Laptop], folder: Path) -> None:
    a, b = laptops
    lead_id = _lead(a)
    a.sync(folder)
    b.sync(folder)
    a.services.leads.update(lead_id, {"company": "ACME"})
    b.services.leads.update(lead_id, {"city": "Berlin"})
    converge(folder, a, b)
    for laptop in (a, b):
        record = laptop.services.leads.get(lead_id)
        assert (record.company, record.city, record.needs_review) == ("ACME", "Berlin", False)
    assert a.services.sync.sync(folder).conflicts == []


def test_same_field_on_both_is_a_conflict_shown_alike_and_flagged(
        laptops: tuple[Laptop, Laptop], folder: Path) -> None:
    a, b = laptops
    lead_id = _lead(a)
    a.sync(folder)
    b.sync(folder)
    a.services.leads.update(lead_id, {"company": "From A"})
    b.services.leads.update(lead_id, {"company": "From B"})
    a.sync(folder)
    b.sync(folder)
    last = a.sync(folder)
    shown = {laptop.services.leads.get(lead_id).company for laptop in (a, b)}
    assert len(shown) == 1
    for laptop in (a, b):
        record = laptop.services.leads.get(lead_id)
        assert record.needs_review and "sync conflict: company" in record.review_reason
    [conflict] = last.conflicts
    assert (conflict.row_id, conflict.field) == (lead_id.hex, "company")
    assert set(conflict.values) == {"From A", "From B"} and conflict.values[0] in shown
    # Flagging is local on each laptop: no op ping-pong about the review flag.
    assert (b.sync(folder).sent_ops, a.sync(folder).sent_ops) == (0, 0)


def test_edit_concurrent_with_delete_keeps_the_lead_and_flags_it(
        laptops: tuple[Laptop, Laptop], folder: Path) -> None:
    a, b = laptops
    lead_id = _lead(a)
    a.sync(folder)
    b.sync(folder)
    a.services.leads.delete(lead_id)
    b.services.leads.update(lead_id, {"phone": "+49 30 1234567"})
    converge(folder, a, b)
    for laptop in (a, b):
        record = laptop.services.leads.get(lead_id)  # alive on both
        assert record.needs_review and "edited while deleted" in record.review_reason


def test_plain_delete_and_restore_travel(laptops: tuple[Laptop, Laptop], folder: Path) -> None:
    a, b = laptops
    lead_id = _lead(a)
    a.sync(folder)
    b.sync(folder)
    a.services.leads.delete(lead_id)
    a.sync(folder)
    b.sync(folder)
    assert b.services.leads.count(_all()) == 0
    b.services.leads.restore(lead_id)
    b.sync(folder)
    a.sync(folder)
    assert a.services.leads.get(lead_id).needs_review is False


def _all() -> LeadQuery:
    return LeadQuery()


def test_truncated_file_and_wrong_passphrase_are_reported_not_applied(
        laptops: tuple[Laptop, Laptop], folder: Path) -> None:
    a, b = laptops
    _lead(a)
    report = a.sync(folder, "team secret")
    assert report.published is not None
    data = report.published.read_bytes()
    (folder / "broken.lsync").write_bytes(data[: len(data) // 2])

    wrong = b.sync(folder, "not the secret")
    assert wrong.received_ops == 0 and wrong.passphrase_rejected and wrong.published is None
    reasons = dict(wrong.files_skipped)
    assert reasons["broken.lsync"].startswith("truncated")
    assert reasons[report.published.name].startswith("wrong-passphrase")
    assert b.services.leads.count(_all()) == 0

    right = b.sync(folder, "team secret")
    assert right.received_ops == report.sent_ops and b.services.leads.count(_all()) == 1
    assert [n for n, _ in right.files_skipped] == ["broken.lsync"]


def test_copied_database_gets_a_new_incarnation(tmp_path: Path, folder: Path) -> None:
    a = Laptop(tmp_path / "a.sqlite", FakeClock())
    _lead(a)
    a.sync(folder)
    original = a.services.sync.incarnation()
    a.close()
    shutil.copy(tmp_path / "a.sqlite", tmp_path / "copy.sqlite")
    a = Laptop(tmp_path / "a.sqlite", FakeClock())
    copy = Laptop(tmp_path / "copy.sqlite", FakeClock())
    try:
        _lead(copy, email="other@example.com")
        report = copy.sync(folder)
        assert report.new_incarnation and report.incarnation != original
        assert report.sent_ops > 0
        assert a.sync(folder).received_ops == report.sent_ops
        assert a.services.sync.incarnation() == original  # the original keeps its identity
        assert a.services.leads.count(_all()) == 2
    finally:
        a.close()
        copy.close()


def test_cli_sync_exit_codes_and_json(tmp_path: Path, folder: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "cli.sqlite")
    assert run(["--db", db, "leads", "add", "--first-name", "Max", "--last-name", "Muster",
                "--email", "max@example.com"]) == 0
    capsys.readouterr()
    assert run(["--db", db, "sync", "--folder", str(folder), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["sent_ops"] > 0 and out["files_skipped"] == [] and out["conflicts"] == []
    assert run(["--db", db, "sync", "--folder", str(folder)]) == 0
    assert "Sent 0 change(s)" in capsys.readouterr().out
    assert run(["--db", db, "sync", "--folder", str(tmp_path / "missing")]) == 1
    assert run(["--db", db, "sync"]) == 2
    assert run(["--db", db, "sync", "--folder", str(folder),
                "--passphrase-file", str(tmp_path / "nope")]) == 2

    other = str(tmp_path / "other.sqlite")
    pass_file = tmp_path / "pass.txt"
    pass_file.write_text("secret\n")
    enc = tmp_path / "enc"
    enc.mkdir()
    assert run(["--db", db, "sync", "--folder", str(enc), "--passphrase-file", str(pass_file)]) == 0
    pass_file.write_text("wrong\n")
    capsys.readouterr()
    assert run(["--db", other, "sync", "--folder", str(enc), "--passphrase-file",
                str(pass_file)]) == 1
    assert "wrong team passphrase" in capsys.readouterr().err


def test_sync_loads_only_touched_keys_yet_keeps_conflicts_and_history(
        laptops: tuple[Laptop, Laptop], folder: Path) -> None:
    """A sync loads only the ops of the keys it touches: an open conflict must still be reported
    by later syncs that do not touch it, and a resolution must supersede both versions."""
    a, b = laptops
    lead_id, other_id = _lead(a), _lead(a, email="eva@example.com")
    a.sync(folder)
    b.sync(folder)
    a.services.leads.update(lead_id, {"company": "From A"})
    b.services.leads.update(lead_id, {"company": "From B"})
    converge(folder, a, b)
    # Later syncs touching only the other lead still list the conflict (never re-read the log).
    a.services.leads.update(other_id, {"city": "Hamburg"})
    later = a.sync(folder)
    assert [(c.row_id, c.field) for c in later.conflicts] == [(lead_id.hex, "company")]
    assert [(c.row_id, c.field) for c in b.sync(folder).conflicts] == [(lead_id.hex, "company")]
    assert b.services.leads.get(other_id).city == "Hamburg"
    # Editing the field on B supersedes both versions it has seen: resolved everywhere.
    b.services.leads.update(lead_id, {"company": "Settled"})
    assert b.sync(folder).conflicts == []
    assert a.sync(folder).conflicts == []
    assert a.services.leads.get(lead_id).company == "Settled"
    # Two edits of one field in a row on A: B gets the latest, no conflict.
    a.services.leads.update(other_id, {"city": "Bremen"})
    a.sync(folder)
    a.services.leads.update(other_id, {"city": "Kiel"})
    a.sync(folder)
    assert b.sync(folder).conflicts == []
    assert b.services.leads.get(other_id).city == "Kiel"


def test_lists_and_rules_travel_too(laptops: tuple[Laptop, Laptop], folder: Path) -> None:
    """Suppression entries, qualifier questions with their answers and scoring rules made on
    one laptop reach the other, whose caches see them at once."""
    from app.domain.scoring import ScoreRule, ScoreRuleKind

    a, b = laptops
    event = a.services.events.add("Hannover Messe 2026", country="DE")
    question = a.services.questions.add("Budget approved?", "yes_no", event_id=event.id)
    lead_id = _lead(a, event=str(event.id))
    a.services.questions.record_answers(lead_id, {question.id: "yes"})
    a.services.suppressions.add("domain", "rival.example", "competitor")
    a.services.scoring.save_rules([*a.services.scoring.rules(), ScoreRule(
        uuid.uuid4(), ScoreRuleKind.INDUSTRY_IS, "robotics", 7)])
    assert b.services.suppressions.index().entries == {}  # B looked before the sync
    a.sync(folder)
    b.sync(folder)
    assert [e.value for e in b.services.suppressions.entries()] == ["rival.example"]
    assert b.services.questions.answers_for(lead_id) == {question.id: "yes"}
    assert any(r.value == "robotics" for r in b.services.scoring.rules())
    spy = b.services.booth.capture(event.id, {"last_name": "Spy",
                                               "email": "spy@rival.example"}).lead
    assert spy.do_not_contact, "B's capture checks the list it just received"


def _conflicting_phone(laptops: tuple[Laptop, Laptop], folder: Path) -> uuid.UUID:
    a, b = laptops
    lead_id = _lead(a, company="Acme")
    a.sync(folder)
    b.sync(folder)
    a.services.leads.update(lead_id, {"phone": "+49 30 1111111"})
    b.services.leads.update(lead_id, {"phone": "+49 30 2222222"})
    converge(folder, a, b)
    return lead_id


def test_review_inbox_lists_every_version_and_a_decision_closes_it_everywhere(
        laptops: tuple[Laptop, Laptop], folder: Path) -> None:
    a, b = laptops
    lead_id = _conflicting_phone(laptops, folder)
    [conflict] = a.services.sync.open_conflicts()
    assert (conflict.table, conflict.field, conflict.lead_id) == ("lead", "phone", lead_id)
    assert conflict.title == "Max Muster · Acme" and conflict.field_label == "Phone"
    values = [v.value for v in conflict.versions]
    assert len(set(values)) == 2 and all("1111111" in v or "2222222" in v for v in values)
    assert [v.shown for v in conflict.versions] == [True, False]
    assert a.services.leads.get(lead_id).phone == values[0]
    hidden = values[1]

    a.services.sync.resolve_conflict("lead", lead_id.hex, "phone", hidden)
    record = a.services.leads.get(lead_id)
    assert (record.phone, record.needs_review) == (hidden, False)
    assert a.services.sync.open_conflicts() == []
    history = a.services.leads.history(lead_id)
    assert any("Sync conflict on Phone resolved" in h.text for h in history)

    converge(folder, a, b)
    for laptop in (a, b):
        record = laptop.services.leads.get(lead_id)
        assert (record.phone, record.needs_review) == (hidden, False)
        assert laptop.services.sync.open_conflicts() == []
    # The unflagging is local on each laptop, like the flag: nothing left to send.
    assert (b.sync(folder).sent_ops, a.sync(folder).sent_ops) == (0, 0)


def test_keeping_the_shown_value_also_resolves(laptops: tuple[Laptop, Laptop],
                                               folder: Path) -> None:
    a, b = laptops
    lead_id = _conflicting_phone(laptops, folder)
    [conflict] = b.services.sync.open_conflicts()
    shown = conflict.versions[0].value
    b.services.sync.resolve_conflict("lead", lead_id.hex, "phone", shown)
    assert b.services.sync.open_conflicts() == []
    b.sync(folder)
    a.sync(folder)
    assert a.services.sync.open_conflicts() == []
    assert a.services.leads.get(lead_id).phone == shown


def test_resolving_refuses_stale_or_invalid_choices(laptops: tuple[Laptop, Laptop],
                                                    folder: Path) -> None:
    a, b = laptops
    lead_id = _lead(a)
    a.sync(folder)
    b.sync(folder)
    a.services.leads.update(lead_id, {"status": "mql"})
    b.services.leads.update(lead_id, {"status": "sql"})
    a.sync(folder)
    b.sync(folder)
    [conflict] = b.services.sync.open_conflicts()
    with pytest.raises(ValidationError):  # a status nobody chose cannot be typed in
        b.services.sync.resolve_conflict("lead", lead_id.hex, "status", "won")
    b.services.sync.resolve_conflict("lead", lead_id.hex, "status", "sql")
    with pytest.raises(ConflictError):
        b.services.sync.resolve_conflict("lead", lead_id.hex, "status", "mql")


def test_edit_against_delete_can_be_kept_or_deleted(laptops: tuple[Laptop, Laptop],
                                                    folder: Path) -> None:
    a, b = laptops
    kept, dropped = _lead(a), _lead(a, email="other@example.com")
    a.sync(folder)
    b.sync(folder)
    for lead_id in (kept, dropped):
        a.services.leads.delete(lead_id)
        b.services.leads.update(lead_id, {"city": "Köln"})
    a.sync(folder)
    b.sync(folder)
    found = {c.lead_id: c for c in b.services.sync.open_conflicts()}
    assert set(found) == {kept, dropped} and all(c.field is None for c in found.values())
    assert {v.value for v in found[kept].versions} >= {"<deleted>"}
    b.services.sync.resolve_conflict("lead", kept.hex, None, True)
    b.services.sync.resolve_conflict("lead", dropped.hex, None, False)
    b.sync(folder)
    a.sync(folder)
    for laptop in (a, b):
        assert laptop.services.sync.open_conflicts() == []
        assert laptop.services.leads.get(kept).needs_review is False
        assert laptop.services.leads.count(LeadQuery()) == 1


def test_pending_changes_count_what_the_next_sync_sends(laptops: tuple[Laptop, Laptop],
                                                       folder: Path) -> None:
    a, _b = laptops
    assert a.services.sync.pending_changes(folder) == 0
    assert a.services.sync.last_synced() is None
    lead_id = _lead(a)
    assert a.services.sync.pending_changes(folder) >= 1
    a.sync(folder)
    assert a.services.sync.pending_changes(folder) == 0
    # Shown as "Last synced" in the status bar, whether the app or the CLI synced.
    synced = a.services.sync.last_synced()
    assert synced is not None and abs((synced - a.clock()).total_seconds()) < 1
    a.clock.advance(seconds=5)
    a.services.leads.update(lead_id, {"city": "Bonn"})
    assert a.services.sync.pending_changes(folder) == 2  # the lead and its history line
    # Recorded but not published to this folder (another folder was used): still pending.
    other = folder.parent / "other"
    other.mkdir()
    a.sync(other)
    assert a.services.sync.pending_changes(other) == 0
    assert a.services.sync.pending_changes(folder) > 0


def test_tasks_follow_the_decision_on_their_leads_owner(laptops: tuple[Laptop, Laptop],
                                                       folder: Path) -> None:
    a, b = laptops
    ben = a.services.people.add_user("Ben Braun", "ben@example.com", Role.REP).id
    cara = a.services.people.add_user("Cara Diaz", "cara@example.com", Role.REP).id
    lead_id = _lead(a)
    a.sync(folder)
    b.sync(folder)
    # Owned for the first time on both laptops: each starts the cadence for its owner.
    a.services.leads.update(lead_id, {"owner": str(ben)})
    b.services.leads.update(lead_id, {"owner": str(cara)})
    converge(folder, a, b)
    inbox = a.services.sync.open_conflicts()
    assert [(c.table, c.field) for c in inbox] == [("lead", "owner_id")]
    a.services.sync.resolve_conflict("lead", lead_id.hex, "owner_id", cara.hex)
    a.sync(folder)
    b.sync(folder)
    for laptop in (a, b):
        assert laptop.services.sync.open_conflicts() == []
        assert laptop.services.leads.get(lead_id).owner_id == cara
        with laptop.db.read() as session:
            owners = {t.owner_id for t in session.query(Task).filter(Task.lead_id == lead_id,
                                                                     Task.done_at.is_(None))}
        assert owners == {cara}


def test_restore_edit_and_delete_again_between_syncs_reaches_the_others(
        laptops: tuple[Laptop, Laptop], folder: Path) -> None:
    a, b = laptops
    lead_id = _lead(a, city="Hamburg")
    a.sync(folder)
    b.sync(folder)
    a.services.leads.delete(lead_id)
    a.sync(folder)
    b.sync(folder)
    b.services.leads.restore(lead_id)
    b.services.leads.update(lead_id, {"city": "München"})
    b.services.leads.delete(lead_id)
    b.sync(folder)
    a.sync(folder)
    a.services.leads.restore(lead_id)  # the values it comes back with are the latest
    a.sync(folder)
    b.sync(folder)
    assert a.services.leads.get(lead_id).city == b.services.leads.get(lead_id).city == "München"


def test_cli_lists_and_decides_conflicts(laptops: tuple[Laptop, Laptop], folder: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    a, b = laptops
    lead_id = _conflicting_phone(laptops, folder)
    db = str(a.path)
    a.close()
    assert run(["--db", db, "conflicts", "list", "--json"]) == 0
    [listed] = json.loads(capsys.readouterr().out)
    assert (listed["table"], listed["field"], listed["lead_id"]) == ("lead", "phone",
                                                                    str(lead_id))
    hidden = next(v["value"] for v in listed["versions"] if not v["shown"])
    assert run(["--db", db, "conflicts", "resolve", "lead", lead_id.hex, "phone"]) == 2
    capsys.readouterr()
    assert run(["--db", db, "conflicts", "resolve", "lead", lead_id.hex, "phone", hidden,
                "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "resolved": True, "table": "lead", "row_id": lead_id.hex, "field": "phone",
        "value": hidden}
    assert run(["--db", db, "conflicts", "list"]) == 0
    assert "No conflicts waiting." in capsys.readouterr().out
    assert run(["--db", db, "conflicts", "resolve", "lead", lead_id.hex, "phone", hidden]) == 1


def test_restoring_a_lead_brings_back_the_conflict_its_delete_hid(
        laptops: tuple[Laptop, Laptop], folder: Path) -> None:
    """Deleted while its phone was in conflict: the inbox no longer lists it. Restored here,
    the conflict is back in the inbox and the lead flagged, with no other laptop involved."""
    a, _b = laptops
    lead_id = _conflicting_phone(laptops, folder)
    assert [c.field for c in a.services.sync.open_conflicts()] == ["phone"]
    a.services.leads.delete(lead_id)
    a.sync(folder)
    assert a.services.sync.open_conflicts() == []
    a.services.leads.restore(lead_id)
    a.sync(folder)
    assert [c.field for c in a.services.sync.open_conflicts()] == ["phone"]
    record = a.services.leads.get(lead_id)
    assert record.needs_review and "sync conflict: phone" in record.review_reason
