"""The status bar tells a team that one of its laptops tried to sync with another passphrase
(issue 17 item 10)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings

from app.services.container import Services
from app.services.sync_settings import SyncSettings
from app.storage.opening import open_database
from app.ui.main_window import MainWindow
from tests.conftest import FIXED_NOW, FakeClock

Make = Callable[[], MainWindow]


@pytest.fixture
def other(tmp_path: Path) -> Iterator[Services]:
    database, _ = open_database(tmp_path / "other" / "leadline.sqlite")
    yield Services.build(database, FakeClock(FIXED_NOW + dt.timedelta(seconds=7)))
    database.dispose()


def test_a_laptop_with_another_passphrase_shows_in_the_status_bar(
        qtbot: Any, services: Services, make_window: Make, other: Services, folder: Path,
        settings: QSettings, confirmations: list[str], tmp_path: Path) -> None:
    services.leads.create({"first_name": "Team", "last_name": "Lead"})
    services.sync.sync(folder, "team secret")
    assert other.sync.sync(folder, "another one").passphrase_rejected
    services.sync_settings.save(SyncSettings(folder, "team secret", 0, False))
    window = make_window()
    window.sync_now()
    qtbot.waitUntil(lambda: not window.sync.running)
    text = window.sync.label.text()
    assert "a laptop has another passphrase" in text
    assert "warning" not in text  # said in its own words, not as "1 warning"
    window.resize(1024, 700)
    window.show()
    qtbot.waitExposed(window)
    window.statusBar().grab().save(str(tmp_path / "status.png"))
    window.sync.open_link("details")
    assert "tried to sync with another passphrase" in confirmations[-1]
