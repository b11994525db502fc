"""Shared fixtures: a fresh migrated database per test, services on a fixed clock, headless Qt."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Before any Qt import: GUI tests run on the offscreen platform unless told otherwise.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.services.container import Services  # noqa: E402
from app.storage.db import Database  # noqa: E402
from app.storage.opening import open_database  # noqa: E402

FIXED_NOW = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)

# Sync tests' laptops and shared folder (fixtures ``folder`` and ``laptops``).
pytest_plugins = ["tests.sync_laptops"]


class FakeClock:
    """A clock tests can move forward; every service in a test shares it."""

    def __init__(self, now: dt.datetime = FIXED_NOW) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "leadline.sqlite"


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:
    database, _outcome = open_database(db_path)
    yield database
    database.dispose()


@pytest.fixture
def services(db: Database, clock: FakeClock) -> Services:
    return Services.build(db, clock)


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never touch the real user data folder or settings from a test."""
    monkeypatch.setenv("LEADLINE_DB", str(tmp_path / "default-location" / "leadline.sqlite"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))
