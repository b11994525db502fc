"""Files and databases of the first sync release (change-set and snapshot format 1, schema 0014)
keep working: a new laptop joins from them, an upgraded laptop keeps its history and its log
shrinks, and old and new files merge.

The fixture in tests/fixtures/sync_v1/ was written by that release:
``python -m tests.unit.test_sync_formats`` (the builder refuses to run on a later format).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
import sys
import uuid
from pathlib import Path

import pytest

from app.domain.ids import new_id
from app.domain.people import Role
from app.domain.review import reason_text
from app.domain.tasks import TaskKind
from app.storage.orm import Task
from app.sync.changeset import FORMAT_VERSION, MAGIC, decode
from app.sync.envelope import open_envelope
from app.sync.errors import NewerFormat
from app.sync.ops import FieldSet
from app.sync.scan import parse_changeset_name, scan_snapshots
from tests.conftest import FIXED_NOW, FakeClock
from tests.sync_laptops import Laptop

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "sync_v1"


def _dump(laptop: Laptop) -> dict[str, object]:
    """What a laptop shows: leads (alive or not, key fields), tasks, history and the inbox."""
    with sqlite3.connect(laptop.path) as conn:
        leads = {r[0]: [*r[1:-1], reason_text(r[-1])] for r in conn.execute(
            "SELECT id, first_name, last_name, company, city, title, phone, "
            "deleted_at IS NOT NULL, needs_review, review_reason FROM lead")}
        tasks = {r[0]: list(r[1:]) for r in conn.execute("SELECT id, lead_id, title FROM task")}
        history = sorted(r[0] for r in conn.execute("SELECT id FROM activity"))
    conn.close()
    inbox = sorted([c.table, c.row_id, c.field, sorted(json.dumps(v.value) for v in c.versions)]
                   for c in laptop.services.sync.open_conflicts())
    return {"leads": leads, "tasks": tasks, "history": history, "inbox": inbox}


def build_fixture(target: Path) -> None:
    """Two laptops of the first release exchange edits, conflicts, a delete and a snapshot."""
    from app.sync.changeset import FORMAT_VERSION

    if FORMAT_VERSION != 1:
        raise SystemExit(f"change-set format is {FORMAT_VERSION}: run this on the first release")
    shutil.rmtree(target, ignore_errors=True)
    work = target.parent / f"{target.name}.build"
    shutil.rmtree(work, ignore_errors=True)
    folder = work / "folder"
    folder.mkdir(parents=True)
    a = Laptop(work / "a" / "leadline.sqlite", FakeClock())
    b = Laptop(work / "b" / "leadline.sqlite", FakeClock(FIXED_NOW + dt.timedelta(seconds=7)))
    try:
        anna = a.services.people.add_user("Anna Weber", "anna@example.com", Role.REP)
        ada = a.services.leads.create({"first_name": "Ada", "last_name": "Lovelace",
                                       "company": "ACME", "owner": str(anna.id)}).id
        bob = a.services.leads.create({"first_name": "Bob", "last_name": "Builder",
                                       "company": "Bau AG"}).id
        cleo = a.services.leads.create({"first_name": "Cleo", "last_name": "Patra",
                                        "company": "Nile Ltd", "city": "Alexandria"}).id
        a.services.leads.add_note(ada, "met at the booth")
        with a.db.write() as session:
            session.add(Task(id=new_id(), lead_id=ada, owner_id=anna.id, kind=TaskKind.CALL,
                             title="call back", due_at=FIXED_NOW + dt.timedelta(days=2),
                             created_at=FIXED_NOW, updated_at=a.clock(),
                             device_id=a.db.device_id))
        a.sync(folder)
        b.sync(folder)
        b.services.leads.update(ada, {"company": "ACME Ltd"})
        b.services.leads.update(cleo, {"city": "Köln"})
        b.services.leads.update(bob, {"phone": "+49 30 1234567"})
        a.services.leads.update(ada, {"company": "ACME GmbH"})
        a.services.leads.delete(bob)
        for _ in range(2):
            a.sync(folder)
            b.sync(folder)
        a.clock.advance(seconds=1)
        a.services.sync.sync(folder, snapshot=True)
        a.services.leads.update(cleo, {"title": "Queen"})
        a.services.leads.add_note(cleo, "after the snapshot")
        a.sync(folder)
        b.sync(folder)
        a.sync(folder)
        expected = _dump(a)
        assert _dump(b) == expected, "the first release's laptops did not converge"
        assert expected["inbox"], "the fixture must hold open conflicts"
    finally:
        a.close()
        b.close()
    for side in ("a", "b"):
        with sqlite3.connect(work / side / "leadline.sqlite") as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
    target.mkdir(parents=True)
    shutil.copytree(folder, target / "folder")
    shutil.copyfile(work / "a" / "leadline.sqlite", target / "laptop_a.sqlite")
    (target / "expected.json").write_text(json.dumps(
        {"state": expected, "ids": {"ada": ada.hex, "bob": bob.hex, "cleo": cleo.hex}},
        indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    shutil.rmtree(work, ignore_errors=True)


def _expected() -> dict[str, object]:
    return dict(json.loads((FIXTURE / "expected.json").read_text(encoding="utf-8")))


def _jsonish(state: dict[str, object]) -> dict[str, object]:
    return dict(json.loads(json.dumps(state)))


def test_format_1_files_and_snapshot_bring_a_new_laptop_to_the_same_state(tmp_path: Path) -> None:
    folder = tmp_path / "folder"
    shutil.copytree(FIXTURE / "folder", folder)
    fresh = Laptop(tmp_path / "fresh" / "leadline.sqlite", FakeClock(FIXED_NOW + dt.timedelta(days=1)))
    try:
        report = fresh.sync(folder)
        assert not report.files_skipped and not report.warnings
        assert _jsonish(_dump(fresh)) == _expected()["state"]
        again = fresh.sync(folder)
        assert (again.received_ops, again.sent_ops) == (0, 0)
    finally:
        fresh.close()


def test_a_format_1_snapshot_alone_is_enough_to_join(tmp_path: Path) -> None:
    """The change files the snapshot covers were compacted away: only the snapshot and the
    files written after it are left."""
    folder = tmp_path / "folder"
    folder.mkdir()
    [found] = scan_snapshots(FIXTURE / "folder").snapshots
    shutil.copyfile(found.path, folder / found.path.name)
    kept = 0
    for path in (FIXTURE / "folder").glob("*.lsync"):
        parsed = parse_changeset_name(path.name)
        assert parsed is not None
        if not found.info.covers(parsed[1], parsed[3]):
            shutil.copyfile(path, folder / path.name)
            kept += 1
    assert kept == 1, "the fixture has one change file written after its snapshot"
    joined = Laptop(tmp_path / "joined" / "leadline.sqlite", FakeClock(FIXED_NOW + dt.timedelta(days=1)))
    try:
        report = joined.sync(folder)
        assert report.snapshots_absorbed == 1 and not report.files_skipped
        assert _jsonish(_dump(joined)) == _expected()["state"]
    finally:
        joined.close()


def _upgraded_laptop_a(tmp_path: Path, folder: Path) -> Laptop:
    """Laptop A of the first release, upgraded: its database opened by this version (which
    migrates it), where it lives and with the folder it syncs with (its identity is bound to
    the path, what it published to the folder)."""
    path = tmp_path / "a" / "leadline.sqlite"
    path.parent.mkdir()
    shutil.copyfile(FIXTURE / "laptop_a.sqlite", path)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE app_meta SET value = ? WHERE key = 'sync_db_path'", [str(path.resolve())])
        (published,) = conn.execute(
            "SELECT value FROM app_meta WHERE key = 'sync_published'").fetchone()
        conn.execute("UPDATE app_meta SET value = ? WHERE key = 'sync_published'", [json.dumps(
            {str(folder.resolve()): next(iter(json.loads(published).values()))})])
        (old_ops,) = conn.execute("SELECT count(*) FROM sync_op").fetchone()
    conn.close()
    laptop = Laptop(path, FakeClock(FIXED_NOW + dt.timedelta(days=1)))
    laptop.old_ops = old_ops  # type: ignore[attr-defined]
    return laptop


def test_an_upgraded_laptop_keeps_its_history_and_conflicts_in_a_smaller_log(tmp_path: Path) -> None:
    folder = tmp_path / "folder"
    shutil.copytree(FIXTURE / "folder", folder)
    a = _upgraded_laptop_a(tmp_path, folder)
    try:
        with sqlite3.connect(a.path) as conn:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            (chunks,) = conn.execute("SELECT count(*) FROM sync_chunk").fetchone()
            (entries,) = conn.execute("SELECT count(*) FROM sync_row").fetchone()
        conn.close()
        assert "sync_op" not in tables and chunks > 0
        assert entries < a.old_ops / 3  # type: ignore[attr-defined]
        assert _jsonish(_dump(a)) == _expected()["state"]
        inc = a.services.sync.incarnation()
        report = a.sync(folder)
        # Nothing is sent again, not even the columns added since (at their defaults).
        assert (report.sent_ops, report.received_ops, report.new_incarnation) == (0, 0, False)
        assert not report.warnings and not report.files_skipped and a.services.sync.incarnation() == inc
        assert _jsonish(_dump(a)) == _expected()["state"]
    finally:
        a.close()


def test_new_edits_of_an_upgraded_laptop_merge_with_old_files_on_a_new_laptop(tmp_path: Path) -> None:
    folder = tmp_path / "folder"
    shutil.copytree(FIXTURE / "folder", folder)
    ids = _expected()["ids"]
    assert isinstance(ids, dict)
    a = _upgraded_laptop_a(tmp_path, folder)
    fresh = Laptop(tmp_path / "fresh" / "leadline.sqlite", FakeClock(FIXED_NOW + dt.timedelta(days=2)))
    try:
        a.services.leads.update(uuid.UUID(ids["cleo"]), {"city": "Luxor", "title": "Pharaoh"})
        a.services.sync.resolve_conflict("lead", ids["ada"], "company", "ACME GmbH")
        sent = a.sync(folder)
        assert sent.published is not None
        edits = [op for op in decode(sent.published.read_bytes()).ops
                 if isinstance(op, FieldSet) and op.row_id == ids["cleo"]]
        assert [sorted(op.values) for op in edits] == [["city", "title"]]  # one op, both fields
        # What a laptop of the first release does with it: keeps it, reads nothing of it, and
        # tells its user to update (its scan reports "newer-format").
        with open(sent.published, "rb") as fh, pytest.raises(NewerFormat) as refused:
            open_envelope(fh, sent.published.stat().st_size, MAGIC, supported=1)
        assert refused.value.version == FORMAT_VERSION
        got = fresh.sync(folder)
        assert not got.files_skipped and got.received_ops > 0
        cleo = fresh.services.leads.get(uuid.UUID(ids["cleo"]))
        assert (cleo.city, cleo.title, cleo.first_name) == ("Luxor", "Pharaoh", "Cleo")
        ada = fresh.services.leads.get(uuid.UUID(ids["ada"]))
        assert ada.company == "ACME GmbH" and not ada.needs_review
        assert [c.row_id for c in fresh.services.sync.open_conflicts()] == [ids["bob"]]
    finally:
        a.close()
        fresh.close()


if __name__ == "__main__":
    build_fixture(Path(sys.argv[1]) if len(sys.argv) > 1 else FIXTURE)
    print(f"wrote {FIXTURE}")
