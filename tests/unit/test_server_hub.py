"""Offline laptops with the team server as hub: the same change sets and conflict rules as a
shared folder, the server's database one more replica, a new laptop joining from a snapshot."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.bootstrap import main
from app.paths import ServerAddress
from app.services.container import Services
from app.services.sync.hub import HubReport, hub_folder, sync_as_configured, sync_with_server
from app.services.sync.report import SyncFolderError
from app.services.sync_settings import SyncSettings
from tests.conftest import FIXED_NOW, FakeClock
from tests.sync_laptops import Laptop

pytestmark = pytest.mark.postgresql


@pytest.fixture
def server(hub_server: tuple[ServerAddress, Services]) -> tuple[ServerAddress, Services]:
    return hub_server


def _hub_sync(laptop: Laptop, address: ServerAddress) -> HubReport:
    laptop.clock.advance(seconds=1)
    return sync_with_server(laptop.services, address)


def _names(services: Services) -> list[str]:
    return sorted(lead.last_name for lead in services.leads.search("example"))


def test_laptops_and_the_office_converge_through_the_server(
        server: tuple[ServerAddress, Services], laptops: tuple[Laptop, Laptop]) -> None:
    address, office = server
    a, b = laptops
    a.services.leads.create({"last_name": "FromA", "email": "a@example.com"})
    b.services.leads.create({"last_name": "FromB", "email": "b@example.com"})
    office.leads.create({"last_name": "FromOffice", "email": "o@example.com"})
    first = _hub_sync(a, address)
    assert first.laptop.sent_ops > 0 and first.laptop.received_ops > 0  # the office's lead
    _hub_sync(b, address)
    _hub_sync(a, address)
    every = ["FromA", "FromB", "FromOffice"]
    assert _names(a.services) == _names(b.services) == _names(office) == every


def test_a_week_offline_merges_field_by_field_and_flags_true_conflicts(
        server: tuple[ServerAddress, Services], laptops: tuple[Laptop, Laptop]) -> None:
    address, office = server
    a, b = laptops
    lead = office.leads.create({"last_name": "Shared", "email": "s@example.com", "city": "Bonn"})
    _hub_sync(a, address)
    _hub_sync(b, address)
    # A week at shows: a edits offline while b and the office edit on the server side.
    for day in range(7):
        a.clock.advance(days=1)
        a.services.leads.create({"last_name": f"Booth{day}", "email": f"d{day}@example.com"})
    a.services.leads.update(lead.id, {"title": "CTO", "city": "Köln"})
    b.services.leads.update(lead.id, {"phone": "+49 30 1234567"})
    _hub_sync(b, address)
    office.leads.update(lead.id, {"city": "Berlin"})  # the same field a changed offline
    _hub_sync(a, address)
    _hub_sync(b, address)
    seen = [s.leads.get(lead.id) for s in (a.services, b.services, office)]
    assert {r.value_of("title") for r in seen} == {"CTO"}
    assert {r.value_of("phone_e164") for r in seen} == {"+49301234567"}
    assert len({r.value_of("city") for r in seen}) == 1  # one value shown everywhere ...
    conflicts = office.sync.open_conflicts()  # ... and the conflict waits on the server too
    assert [(c.field, sorted(v.value for v in c.versions)) for c in conflicts] == [
        ("city", ["Berlin", "Köln"])]
    assert len(_names(office)) == 8 and _names(a.services) == _names(office)


def test_a_new_laptop_joins_from_a_snapshot_not_the_history(
        server: tuple[ServerAddress, Services], laptops: tuple[Laptop, Laptop],
        tmp_path: Path) -> None:
    address, office = server
    a, _b = laptops
    for i in range(40):
        lead = a.services.leads.create({"last_name": f"Lead{i:02}", "email": f"l{i}@example.com"})
        for round_ in range(3):  # history the newcomer needs the result of, not the steps
            a.services.leads.update(lead.id, {"notes": f"call {round_}"})
    _hub_sync(a, address)
    newcomer = Laptop(tmp_path / "new" / "leadline.sqlite", FakeClock(FIXED_NOW))
    try:  # a laptop with data of its own (an empty one copies the server: test_server_join)
        newcomer.services.leads.create({"last_name": "Own", "email": "own@example.com"})
        joined = _hub_sync(newcomer, address)
        assert joined.joined_from_snapshot and joined.laptop.snapshots_absorbed == 1
        assert not joined.joined_by_copy
        assert len(_names(newcomer.services)) == 41 == len(_names(office))
        assert joined.laptop.files_read == 0  # no change file replayed: the snapshot holds all
        again = _hub_sync(newcomer, address)
        assert not again.joined_from_snapshot and again.laptop.received_ops == 0
    finally:
        newcomer.close()


def test_an_interrupted_exchange_loses_nothing(
        server: tuple[ServerAddress, Services], laptops: tuple[Laptop, Laptop],
        monkeypatch: pytest.MonkeyPatch) -> None:
    address, office = server
    a, b = laptops
    a.services.leads.create({"last_name": "Survivor", "email": "s@example.com"})
    from app.services.sync import hub

    real_push = hub.HubMirror.push
    calls = {"n": 0}

    def dies_after_publishing(mirror: hub.HubMirror) -> None:
        calls["n"] += 1
        if calls["n"] == 3:  # the laptop has published; its files never reach the server
            raise OSError("network gone")
        real_push(mirror)

    monkeypatch.setattr(hub.HubMirror, "push", dies_after_publishing)
    with pytest.raises(SyncFolderError, match="Nothing is lost"):
        _hub_sync(a, address)
    monkeypatch.setattr(hub.HubMirror, "push", real_push)
    _hub_sync(a, address)  # the files left in the hub folder go first
    _hub_sync(b, address)
    assert _names(office) == _names(b.services) == ["Survivor"]
    assert hub_folder(a.db, address).is_dir()


def test_the_cli_exchanges_with_the_server(server: tuple[ServerAddress, Services],
                                           tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                           ) -> None:
    address, office = server
    office.leads.create({"last_name": "Office", "email": "o@example.com"})
    laptop = str(tmp_path / "cli" / "leadline.sqlite")
    assert main(["--db", laptop, "leads", "add", "--last-name", "Cli",
                 "--email", "c@example.com"]) == 0
    capsys.readouterr()
    assert main(["--db", laptop, "--json", "sync", "--server", address.url]) == 0
    done = json.loads(capsys.readouterr().out)
    assert done["joined_from_snapshot"] and done["server_received_ops"] > 0
    assert _names(office) == ["Cli", "Office"]
    assert main(["--db", laptop, "sync", "--server", str(tmp_path / "not-a-server")]) == 2
    assert "not a team server address" in capsys.readouterr().err


def test_the_server_itself_cannot_hub_with_itself(server: tuple[ServerAddress, Services]
                                                  ) -> None:
    address, office = server
    with pytest.raises(SyncFolderError, match="team server itself"):
        sync_with_server(office, address)


def test_a_database_set_to_sync_with_the_server_does_so_from_the_app_and_the_cli(
        server: tuple[ServerAddress, Services], laptops: tuple[Laptop, Laptop],
        capsys: pytest.CaptureFixture[str]) -> None:
    address, office = server
    a, _b = laptops
    store = a.services.sync_settings
    store.save(SyncSettings(server=address, interval_minutes=15))
    loaded = store.load()
    assert loaded.server == address and loaded.enabled and loaded.folder is None
    assert loaded.place == f"Team server: {address}"
    a.services.leads.create({"last_name": "Configured", "email": "c@example.com"})
    report = sync_as_configured(a.services, loaded)
    assert report.sent_ops > 0 and _names(office) == ["Configured"]
    office.leads.create({"last_name": "Back", "email": "b@example.com"})
    assert main(["--db", str(a.path), "--json", "sync"]) == 0  # no --folder: the stored server
    assert json.loads(capsys.readouterr().out)["server"] == address.url
    assert _names(a.services) == ["Back", "Configured"]
