"""Snapshots and compaction through real databases: the folder stays small, a new laptop joins
from a snapshot, a laptop back after months catches up, and nothing is deleted too early."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.domain.leads import LeadQuery
from app.services.sync.tables import synced_columns
from tests.conftest import FIXED_NOW, FakeClock
from tests.sync_laptops import Laptop


@pytest.fixture
def make(tmp_path: Path) -> Iterator[object]:
    made: list[Laptop] = []

    def laptop(name: str, start: dt.datetime = FIXED_NOW) -> Laptop:
        found = Laptop(tmp_path / name / "leadline.sqlite", FakeClock(start))
        made.append(found)
        return found

    yield laptop
    for found in made:
        found.close()


def _leads(laptop: Laptop) -> list[tuple[object, ...]]:
    columns = ", ".join(f'"{c}"' for c in synced_columns("lead"))
    connection = sqlite3.connect(laptop.path)
    try:
        return connection.execute(f"SELECT {columns}, deleted_at IS NULL FROM lead "
                                  "ORDER BY id").fetchall()
    finally:
        connection.close()


def _change_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".lsync"))


def _advance(days: int, *laptops: Laptop) -> None:
    for laptop in laptops:
        laptop.clock.advance(days=days)


def test_new_laptop_joins_from_a_snapshot_after_the_change_files_are_gone(
        make: object, folder: Path) -> None:
    a, b = make("a"), make("b")  # type: ignore[operator]
    for i in range(5):
        a.services.leads.create({"first_name": f"Lead{i}", "last_name": "Early"})
    a.sync(folder)
    b.sync(folder)
    lead = b.services.leads.list(LeadQuery(search="Lead1"))[0]
    b.services.leads.update(lead.id, {"city": "Bremen"})
    b.sync(folder)
    report = a.services.sync.sync(folder, snapshot=True)
    assert report.snapshot_written is not None and report.files_compacted == 0
    b.sync(folder)  # B acknowledges everything the snapshot covers
    assert len(_change_files(folder)) == 2

    # Too early: the snapshot is younger than the grace period, nothing goes.
    _advance(2, a, b)
    assert a.sync(folder).files_compacted == 0 and len(_change_files(folder)) == 2
    _advance(15, a, b)
    # Any laptop may compact; whichever looks first deletes the covered files.
    assert b.sync(folder).files_compacted + a.sync(folder).files_compacted == 2
    assert _change_files(folder) == []

    c = make("c", FIXED_NOW + dt.timedelta(days=17))  # type: ignore[operator]
    joined = c.sync(folder)
    assert joined.snapshots_absorbed == 1
    assert _leads(c) == _leads(a) == _leads(b)
    assert c.services.leads.get(lead.id).city == "Bremen"
    # The newcomer's own edits travel as usual.
    c.services.leads.update(lead.id, {"city": "Hamburg"})
    c.sync(folder)
    a.sync(folder)
    assert a.services.leads.get(lead.id).city == "Hamburg"
    assert c.services.sync.open_conflicts() == []


def test_an_active_laptop_that_has_not_synced_blocks_deletion(make: object,
                                                             folder: Path) -> None:
    a, b = make("a"), make("b")  # type: ignore[operator]
    a.services.leads.create({"first_name": "Only", "last_name": "Lead"})
    a.sync(folder)
    b.sync(folder)
    a.services.leads.create({"first_name": "Second", "last_name": "Lead"})
    a.services.sync.sync(folder, snapshot=True)
    _advance(20, a, b)
    # B last synced 20 days ago, before the second lead: its file must stay for B.
    assert a.sync(folder).files_compacted == 1
    assert len(_change_files(folder)) == 1
    b.sync(folder)
    assert b.services.leads.count(LeadQuery(search="Second")) == 1


def test_a_laptop_back_after_two_months_catches_up_and_keeps_its_offline_edits(
        make: object, folder: Path) -> None:
    a, b = make("a"), make("b")  # type: ignore[operator]
    lead = a.services.leads.create({"first_name": "Rita", "last_name": "Roam",
                                    "company": "Old GmbH"})
    a.sync(folder)
    b.sync(folder)
    # B goes on a long trip and edits offline; A keeps working.
    b.services.leads.update(lead.id, {"city": "Lisbon"})
    b.services.leads.create({"first_name": "Met", "last_name": "Abroad"})
    a.services.leads.update(lead.id, {"company": "New GmbH"})
    for _ in range(3):
        a.services.leads.create({"first_name": "Home", "last_name": "Lead"})
        a.sync(folder)
    a.services.sync.sync(folder, snapshot=True)
    _advance(61, a)  # B counts as retired now, so A's covered files may go
    assert a.sync(folder).files_compacted >= 3
    _advance(61, b)
    back = b.sync(folder)
    assert back.snapshots_absorbed == 1
    a.sync(folder)
    assert _leads(a) == _leads(b)
    record = a.services.leads.get(lead.id)
    assert (record.company, record.city) == ("New GmbH", "Lisbon")
    assert a.services.leads.count(LeadQuery(search="Abroad")) == 1
    assert b.services.leads.count(LeadQuery(search="Home")) == 3


def test_cli_sync_can_write_a_snapshot(make: object, folder: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from app.cli.main import run

    a = make("a")  # type: ignore[operator]
    a.services.leads.create({"first_name": "Cli", "last_name": "Lead"})
    a.close()
    assert run(["--db", str(a.path), "sync", "--folder", str(folder), "--snapshot",
                "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["snapshot_written"].endswith(".lsnap") and out["sent_ops"] > 0
