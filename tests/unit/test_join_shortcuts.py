"""What joining the team server and moving onto it leave out (issue 19): a joined laptop takes
the server's scores as they are, the copy writes the file once (its log only where another
connection needs it), and after migrate-to neither side re-scores every lead again."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from app.paths import ServerAddress
from app.services.container import Services
from app.services.scoring_service import RESCORED_INPUTS_KEY, ScoringService
from app.services.server_move_service import ServerMoveService
from app.services.sync.hub import sync_with_server
from app.storage.opening import open_database
from app.storage.repositories.sync import replica_copy
from tests.conftest import FIXED_NOW, FakeClock
from tests.sync_laptops import Laptop

pytestmark = pytest.mark.postgresql


@pytest.fixture
def rescores(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every full re-score anywhere (laptops and the server's replica), by leads scored."""
    seen: list[int] = []
    real: Callable[..., Any] = ScoringService.rescore_all

    def counted(self: ScoringService, **options: Any) -> Any:
        summary = real(self, **options)
        seen.append(summary.leads)
        return summary

    monkeypatch.setattr(ScoringService, "rescore_all", counted)
    return seen


def _scores(services: Services) -> list[tuple[str, int, str]]:
    return sorted((lead.last_name, lead.score, str(lead.status))
                  for lead in services.leads.search("example"))


def _team(a: Laptop, address: ServerAddress) -> None:
    for i in range(6):
        a.services.leads.create({"last_name": f"Lead{i}", "email": f"l{i}@example.com"})
    a.clock.advance(seconds=1)
    sync_with_server(a.services, address)


def test_a_joined_laptop_takes_the_servers_scores_without_scoring_again(
        hub_server: tuple[ServerAddress, Services], laptops: tuple[Laptop, Laptop],
        newcomer: Laptop, rescores: list[int]) -> None:
    address, office = hub_server
    a, _b = laptops
    _team(a, address)
    rescores.clear()
    joined = sync_with_server(newcomer.services, address)
    assert joined.joined_by_copy > 0
    assert rescores == []
    assert newcomer.db.get_meta(RESCORED_INPUTS_KEY) == office.sync.db.get_meta(
        RESCORED_INPUTS_KEY) == newcomer.services.scoring.inputs_digest()
    assert _scores(newcomer.services) == _scores(office)


def test_a_joined_laptop_scores_again_when_the_day_moved_on(
        hub_server: tuple[ServerAddress, Services], laptops: tuple[Laptop, Laptop],
        newcomer: Laptop, rescores: list[int]) -> None:
    address, office = hub_server
    a, _b = laptops
    _team(a, address)
    newcomer.clock.advance(days=2)  # the server's scores are of an older day
    rescores.clear()
    assert sync_with_server(newcomer.services, address).joined_by_copy > 0
    assert rescores  # the laptop's own re-score, as any laptop's on a new day
    assert newcomer.db.get_meta(RESCORED_INPUTS_KEY) == newcomer.services.scoring.inputs_digest()


def _journal_while_indexing(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    modes: list[str] = []
    real = replica_copy._build_indexes

    def noted(target: Any, indexes: Any) -> None:
        modes.append(str(target.execute("PRAGMA journal_mode").fetchone()[0]))
        real(target, indexes)

    monkeypatch.setattr(replica_copy, "_build_indexes", noted)
    return modes


def _journal(path: Path) -> str:
    with sqlite3.connect(path) as connection:
        return str(connection.execute("PRAGMA journal_mode").fetchone()[0])


def test_the_copy_writes_the_file_once_and_it_keeps_its_log_afterwards(
        hub_server: tuple[ServerAddress, Services], laptops: tuple[Laptop, Laptop],
        newcomer: Laptop, monkeypatch: pytest.MonkeyPatch) -> None:
    address, office = hub_server
    a, _b = laptops
    _team(a, address)
    modes = _journal_while_indexing(monkeypatch)
    assert sync_with_server(newcomer.services, address).joined_by_copy > 0
    assert modes == ["delete"]
    assert _journal(newcomer.path) == "wal"
    assert _scores(newcomer.services) == _scores(office)


def test_a_reader_on_the_file_keeps_its_log_during_the_copy(
        hub_server: tuple[ServerAddress, Services], laptops: tuple[Laptop, Laptop],
        newcomer: Laptop, monkeypatch: pytest.MonkeyPatch) -> None:
    address, office = hub_server
    a, _b = laptops
    _team(a, address)
    modes = _journal_while_indexing(monkeypatch)
    reader = sqlite3.connect(newcomer.path)  # a second window, say
    try:
        reader.execute("SELECT count(*) FROM lead").fetchone()
        assert sync_with_server(newcomer.services, address).joined_by_copy > 0
        assert modes == ["wal"]
        assert reader.execute("SELECT count(*) FROM lead").fetchone()[0] == 6
    finally:
        reader.close()
    assert _scores(newcomer.services) == _scores(office)


def test_after_migrate_to_neither_side_scores_every_lead_again(
        empty_server: ServerAddress, laptops: tuple[Laptop, Laptop],
        rescores: list[int]) -> None:
    a, _b = laptops
    for i in range(8):
        a.services.leads.create({"last_name": f"Moved{i}", "email": f"m{i}@example.com"})
    a.db.set_meta(RESCORED_INPUTS_KEY, None)  # last scored with other inputs (an older day)
    ServerMoveService(a.services.context).move_to(empty_server)
    assert rescores == [8]  # on the laptop, before the copy
    digest = a.services.scoring.inputs_digest()
    database, _ = open_database(empty_server)
    try:
        office = Services.build(database, FakeClock(FIXED_NOW + dt.timedelta(seconds=3)))
        assert database.get_meta(RESCORED_INPUTS_KEY) == digest
        a.clock.advance(minutes=10)
        first = sync_with_server(a.services, empty_server)
        assert rescores == [8]
        assert first.laptop.sent_ops == first.laptop.received_ops == first.server_sent_ops == 0
        assert _scores(office) == _scores(a.services)
    finally:
        database.dispose()
