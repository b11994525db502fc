"""GUI fixtures: a main window over a fresh database, synchronous jobs, no blocking dialogs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings

from app.domain.leads import LeadRecord
from app.domain.people import Role, UserRecord
from app.services.container import Services
from app.ui import messages
from app.ui.application import build_main_window
from app.ui.main_window import MainWindow
from app.ui.workers import SynchronousRunner


@pytest.fixture
def confirmations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every confirm() is answered yes and recorded; errors are recorded, never shown."""
    asked: list[str] = []

    def confirm(_parent: Any, title: str, text: str, action: str = "OK") -> bool:
        asked.append(f"{title}: {text}")
        return True

    monkeypatch.setattr(messages, "confirm", confirm)
    monkeypatch.setattr(messages, "error", lambda *a, **k: asked.append(f"error: {a[1:]}"))
    monkeypatch.setattr(messages, "info", lambda *a, **k: None)
    return asked


@pytest.fixture
def manager(services: Services) -> UserRecord:
    user = services.people.add_user("Maria Keller", "maria@example.com", Role.MANAGER)
    return services.people.sign_in(user.id)


@pytest.fixture
def admin(services: Services) -> UserRecord:
    """Signed in as an administrator: settings, imports and exports are theirs alone."""
    user = services.people.add_user("Ada Admin", "ada@example.com", Role.ADMIN)
    return services.people.sign_in(user.id)


@pytest.fixture
def add_leads(services: Services) -> Callable[..., list[LeadRecord]]:
    def add(count: int, **fields: Any) -> list[LeadRecord]:
        return [services.leads.create({"first_name": f"Person{i:03d}", "last_name": "Example",
                                       "company": f"Company {i % 7}",
                                       "email": f"person{i}@example.com", **fields})
                for i in range(count)]
    return add


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def make_window(qtbot: Any, services: Services, settings: QSettings,
                confirmations: list[str]) -> Iterator[Callable[[], MainWindow]]:
    windows: list[MainWindow] = []

    def make() -> MainWindow:
        window = build_main_window(services, settings, SynchronousRunner())
        qtbot.addWidget(window)
        window.show()
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()
