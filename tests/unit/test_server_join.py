"""A new laptop joins the team server by copying the server replica's state (issue 19), and a
team moved onto the server starts its exchanges in agreement instead of recording it all again."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text

from app.paths import ServerAddress
from app.services.container import Services
from app.services.server_move_service import ServerMoveService
from app.services.sync.hub import HubReport, sync_with_server
from app.services.sync.join import can_join_by_copy
from app.storage.db import Database
from app.storage.opening import open_database
from app.storage.repositories.sync import replica_copy
from tests.conftest import FIXED_NOW, FakeClock
from tests.sync_laptops import Laptop

pytestmark = pytest.mark.postgresql


@pytest.fixture
def server(hub_server: tuple[ServerAddress, Services]) -> tuple[ServerAddress, Services]:
    return hub_server


def _office(address: ServerAddress, late: dt.timedelta = dt.timedelta()
            ) -> tuple[Database, Services]:
    database, _ = open_database(address)
    clock = FakeClock(FIXED_NOW + late + dt.timedelta(seconds=3))
    return database, Services.build(database, clock)


def _hub_sync(laptop: Laptop, address: ServerAddress) -> HubReport:
    laptop.clock.advance(seconds=1)
    return sync_with_server(laptop.services, address)


def _count(db: Database, table: str) -> int:
    with db.read() as session:
        return int(session.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one())


def _state(services: Services) -> dict[str, object]:
    leads = sorted((lead.last_name, lead.value_of("city"), lead.value_of("notes"))
                   for lead in services.leads.search("example"))
    return {"leads": leads, **{t: _count(services.sync.db, t) for t in ("activity", "task")}}


def _team_with_history(a: Laptop, address: ServerAddress, leads: int = 12) -> list[uuid.UUID]:
    ids = []
    for i in range(leads):
        lead = a.services.leads.create({"last_name": f"Lead{i:02}", "email": f"l{i}@example.com",
                                        "city": "Bonn"})
        for round_ in range(2):
            a.services.leads.update(lead.id, {"notes": f"call {round_}"})
        ids.append(lead.id)
    _hub_sync(a, address)
    return ids


def test_an_empty_laptop_joins_by_copying_the_servers_state(
        server: tuple[ServerAddress, Services], laptops: tuple[Laptop, Laptop],
        newcomer: Laptop) -> None:
    address, office = server
    a, b = laptops
    ids = _team_with_history(a, address)
    office.leads.create({"last_name": "Office", "email": "o@example.com"})
    seen: list[str] = []
    joined = sync_with_server(newcomer.services, address, progress=seen.append)
    assert joined.joined_by_copy > 0 and not joined.joined_from_snapshot
    assert joined.laptop.files_read == 0 and joined.laptop.sent_ops == 0
    assert joined.laptop.received_ops == 0 and joined.laptop.snapshots_absorbed == 0
    assert _state(newcomer.services) == _state(office)
    assert newcomer.services.sync.incarnation() not in (office.sync.incarnation(),
                                                        a.services.sync.incarnation())
    assert any(line.startswith("Copying the team's") for line in seen)
    # Everyone edits on their own, then exchanges: nothing lost, no history twice.
    _hub_sync(b, address)
    newcomer.services.leads.update(ids[0], {"city": "Köln"})
    newcomer.services.leads.create({"last_name": "FromNew", "email": "n@example.com"})
    office.leads.update(ids[1], {"city": "Berlin"})
    a.services.leads.update(ids[2], {"city": "Hamburg"})
    b.services.leads.create({"last_name": "FromB", "email": "b@example.com"})
    for laptop in (newcomer, a, b, newcomer, a):
        _hub_sync(laptop, address)
    assert _state(newcomer.services) == _state(office) == _state(a.services) \
        == _state(b.services)
    cities = {lead.last_name: lead.value_of("city") for lead in office.leads.search("example")}
    assert (cities["Lead00"], cities["Lead01"], cities["Lead02"]) == ("Köln", "Berlin", "Hamburg")
    assert "FromNew" in cities and "FromB" in cities
    assert office.sync.open_conflicts() == newcomer.services.sync.open_conflicts() == []
    quiet = _hub_sync(newcomer, address)
    assert quiet.laptop.sent_ops == quiet.laptop.received_ops == 0


def test_a_laptop_with_data_of_its_own_is_not_replaced(
        server: tuple[ServerAddress, Services], laptops: tuple[Laptop, Laptop]) -> None:
    address, office = server
    a, b = laptops
    _team_with_history(a, address, leads=3)
    b.services.leads.create({"last_name": "Mine", "email": "m@example.com"})
    assert not can_join_by_copy(b.db)
    joined = _hub_sync(b, address)
    assert joined.joined_by_copy == 0 and joined.joined_from_snapshot
    assert _state(b.services) == _state(office)
    assert "Mine" in [lead.last_name for lead in office.leads.search("example")]


def test_an_interrupted_join_leaves_an_empty_laptop_that_joins_again(
        server: tuple[ServerAddress, Services], laptops: tuple[Laptop, Laptop],
        newcomer: Laptop, monkeypatch: pytest.MonkeyPatch) -> None:
    address, office = server
    a, _b = laptops
    _team_with_history(a, address)
    real_copy = replica_copy._copy_table

    def network_gone(source: object, target: object, table: object, progress: object) -> int:
        if getattr(table, "name", "") == "activity":
            raise OSError("network gone")
        return real_copy(source, target, table, progress)  # type: ignore[arg-type]

    monkeypatch.setattr(replica_copy, "_copy_table", network_gone)
    with pytest.raises(Exception, match="network gone"):
        _hub_sync(newcomer, address)
    monkeypatch.setattr(replica_copy, "_copy_table", real_copy)
    assert can_join_by_copy(newcomer.db) and _count(newcomer.db, "lead") == 0
    joined = _hub_sync(newcomer, address)
    assert joined.joined_by_copy > 0
    assert _state(newcomer.services) == _state(office)


def test_after_migrate_to_the_first_exchange_sends_nothing_both_hold(
        empty_server: ServerAddress, laptops: tuple[Laptop, Laptop], newcomer: Laptop) -> None:
    a, _b = laptops
    ids = [a.services.leads.create({"last_name": f"Moved{i}", "email": f"m{i}@example.com"}).id
           for i in range(20)]
    a.services.leads.update(ids[0], {"notes": "called"})
    ServerMoveService(a.services.context).move_to(empty_server)
    # Capture re-reads the last 5 minutes (CAPTURE_OVERLAP): history written then would be
    # sent once more (harmless, ids are kept); later on, none is.
    a.clock.advance(minutes=10)
    database, office = _office(empty_server, late=dt.timedelta(minutes=10))
    try:
        assert office.sync.db.device_id != a.db.device_id
        first = _hub_sync(a, empty_server)
        assert first.laptop.sent_ops == first.laptop.received_ops == 0
        assert first.server_sent_ops == first.server_received_ops == 0
        assert first.laptop.snapshots_absorbed == 0 and not first.joined_from_snapshot
        assert office.sync.incarnation() != a.services.sync.incarnation()
        # Later edits on either side travel as usual, a field at a time.
        a.clock.advance(seconds=1)
        a.services.leads.update(ids[1], {"city": "Bonn"})
        office.leads.update(ids[2], {"city": "Köln"})
        _hub_sync(a, empty_server)
        _hub_sync(a, empty_server)
        assert _state(a.services) == _state(office)
        assert office.sync.open_conflicts() == []
        # A new, empty laptop copies the server; one with data of its own gets every row.
        assert _hub_sync(newcomer, empty_server).joined_by_copy > 0
        assert _state(newcomer.services) == _state(office)
    finally:
        database.dispose()


def test_a_laptop_with_data_joins_a_moved_team_and_gets_every_row(
        empty_server: ServerAddress, laptops: tuple[Laptop, Laptop]) -> None:
    a, b = laptops
    for i in range(5):
        a.services.leads.create({"last_name": f"Moved{i}", "email": f"m{i}@example.com"})
    ServerMoveService(a.services.context).move_to(empty_server)
    a.clock.advance(seconds=1)
    b.services.leads.create({"last_name": "Mine", "email": "mine@example.com"})
    database, office = _office(empty_server)
    try:
        joined = _hub_sync(b, empty_server)
        assert joined.joined_from_snapshot
        _hub_sync(a, empty_server)
        assert _state(a.services) == _state(b.services) == _state(office)
        assert len(_state(office)["leads"]) == 6  # type: ignore[arg-type]
    finally:
        database.dispose()


def test_a_folder_team_keeps_converging_after_a_colleague_moved_it_onto_the_server(
        empty_server: ServerAddress, laptops: tuple[Laptop, Laptop], folder: Path) -> None:
    a, b = laptops
    shared = a.services.leads.create({"last_name": "Shared", "email": "s@example.com"})
    b.services.leads.create({"last_name": "FromB", "email": "b@example.com"})
    for laptop in (a, b, a):
        laptop.sync(folder)
    a.services.leads.update(shared.id, {"notes": "before the move"})  # not synced yet
    ServerMoveService(a.services.context).move_to(empty_server)
    database, office = _office(empty_server)
    try:
        first = _hub_sync(a, empty_server)
        assert first.laptop.sent_ops == 0 and first.server_sent_ops == 0
        assert office.sync.incarnation() not in (a.services.sync.incarnation(),
                                                 b.services.sync.incarnation())
        a.clock.advance(seconds=1)
        b.services.leads.update(shared.id, {"city": "Bonn"})  # b still on the folder
        office.leads.create({"last_name": "Office", "email": "o@example.com"})
        b.sync(folder)  # b reads a's last edit from the folder, then moves to the server
        _hub_sync(b, empty_server)
        _hub_sync(a, empty_server)
        assert _state(a.services) == _state(b.services) == _state(office)
        names = [lead.last_name for lead in office.leads.search("example")]
        assert sorted(names) == ["FromB", "Office", "Shared"]
        lead = office.leads.get(shared.id)
        assert (lead.value_of("notes"), lead.value_of("city")) == ("before the move", "Bonn")
        assert office.sync.open_conflicts() == []
    finally:
        database.dispose()
