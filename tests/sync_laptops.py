"""Laptops for sync tests: each its own database and fake clock, sharing one folder.

tests/conftest.py registers this module as a plugin, so the ``folder``, ``laptops``,
``newcomer``, ``empty_server`` and ``hub_server`` fixtures are there for every test; ``Laptop``
is imported where a test builds its own.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.paths import ServerAddress
from app.services.container import Services
from app.services.sync.report import SyncReport
from app.storage.db import Database
from app.storage.opening import open_database
from tests.conftest import FIXED_NOW, FakeClock
from tests.pg_server import copy_database, create_database, drop_database


class Laptop:
    def __init__(self, path: Path, clock: FakeClock) -> None:
        self.path = path
        self.clock = clock
        self.db: Database = open_database(path)[0]
        self.services = Services.build(self.db, clock)

    def sync(self, folder: Path, passphrase: str | None = None) -> SyncReport:
        self.clock.advance(seconds=1)
        return self.services.sync.sync(folder, passphrase)

    def close(self) -> None:
        self.db.dispose()


def converge(folder: Path, *laptops: Laptop) -> None:
    """Sync each laptop in turn, then all but the last again: every laptop has then merged the
    changes of every other (the last one's changes reach the others on the second round)."""
    for laptop in (*laptops, *laptops[:-1]):
        laptop.sync(folder)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The shared folder (network drive, cloud folder or USB stick)."""
    shared = tmp_path / "shared"
    shared.mkdir()
    return shared


@pytest.fixture
def laptops(tmp_path: Path) -> Iterator[tuple[Laptop, Laptop]]:
    """Two laptops whose clocks are 7 seconds apart."""
    a = Laptop(tmp_path / "a" / "leadline.sqlite", FakeClock())
    b = Laptop(tmp_path / "b" / "leadline.sqlite", FakeClock(FIXED_NOW + dt.timedelta(seconds=7)))
    yield a, b
    a.close()
    b.close()


@pytest.fixture
def newcomer(tmp_path: Path) -> Iterator[Laptop]:
    """A laptop joining the team: an empty file, the laptops' clock."""
    laptop = Laptop(tmp_path / "new" / "leadline.sqlite", FakeClock(FIXED_NOW))
    yield laptop
    laptop.close()


@pytest.fixture
def empty_server(postgres_server: str) -> Iterator[ServerAddress]:
    """An empty server database, as migrate-to wants it."""
    url = create_database(postgres_server, f"move_{uuid.uuid4().hex[:12]}")
    yield ServerAddress(url)
    drop_database(url)


@pytest.fixture
def hub_server(server_template: str) -> Iterator[tuple[ServerAddress, Services]]:
    """A team server's database (a copy of the migrated template), and the services of someone
    working on it directly (a manager in the office), 3 s ahead of the laptops."""
    url = copy_database(server_template, f"hub_{uuid.uuid4().hex[:12]}")
    address = ServerAddress(url)
    database, _ = open_database(address)
    office = Services.build(database, FakeClock(FIXED_NOW + dt.timedelta(seconds=3)))
    yield address, office
    database.dispose()
    drop_database(url)
