"""Which database the window opens at start (--db, $LEADLINE_DB, the remembered choice, the
user data file), the reopening on another one, and a remembered server out of reach."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from app.paths import DB_ENV_VAR, DEFAULT_DB_NAME, ServerAddress, default_db_path, user_data_dir
from app.ui import application
from app.ui.application import SessionEnd, run_gui
from app.ui.database_choice import (
    Unreachable,
    ask_when_unreachable,
    laptop_file,
    location_at_start,
    remember,
)
from app.ui.local_settings import DatabaseChoice, LocalSettings

SERVER = ServerAddress("postgresql+psycopg://anna@db.example.com/leads")


@pytest.fixture
def local(settings: QSettings) -> LocalSettings:
    return LocalSettings(settings)


@pytest.fixture
def nothing_named(monkeypatch: pytest.MonkeyPatch) -> Path:
    """No --db and no $LEADLINE_DB (the launcher hands over None): the user data folder's file."""
    monkeypatch.delenv(DB_ENV_VAR)
    return user_data_dir() / DEFAULT_DB_NAME


def test_the_remembered_server_opens_when_nothing_is_named(local: LocalSettings, nothing_named: Path) -> None:
    remember(local, SERVER)
    assert location_at_start(None, local) == SERVER
    assert location_at_start(None, local) == SERVER


def test_db_and_the_environment_still_win(local: LocalSettings, tmp_path: Path) -> None:
    remember(local, SERVER)
    assert location_at_start(tmp_path / "given.sqlite", local) == tmp_path / "given.sqlite"
    from_env = default_db_path()  # the suite names a file in $LEADLINE_DB
    assert location_at_start(from_env, local) == from_env


def test_without_a_choice_the_user_data_file_opens(local: LocalSettings, nothing_named: Path) -> None:
    assert location_at_start(None, local) == nothing_named
    remember(local, nothing_named)
    assert local.get(DatabaseChoice.LOCATION) == ""
    assert location_at_start(None, local) == nothing_named


def test_a_remembered_file_opens(local: LocalSettings, nothing_named: Path, tmp_path: Path) -> None:
    remember(local, tmp_path / "booth.sqlite")
    assert location_at_start(None, local) == tmp_path / "booth.sqlite"


def test_a_choice_this_version_cannot_read_is_kept_and_the_file_opens(
    local: LocalSettings, nothing_named: Path
) -> None:
    local.set(DatabaseChoice.LOCATION, "mysql://anna@db.example.com/leads")
    assert location_at_start(None, local) == nothing_named
    assert local.get(DatabaseChoice.LOCATION) == "mysql://anna@db.example.com/leads"


def _unreachable(tmp_path: Path) -> ServerAddress:
    return ServerAddress(f"postgresql+psycopg://leadline@/leads?host={tmp_path / 'gone'}")


def test_a_server_out_of_reach_offers_the_laptop_file_and_stays_remembered(
    qapp: Any, local: LocalSettings, tmp_path: Path
) -> None:
    address = _unreachable(tmp_path)
    remember(local, address)
    asked: list[str] = []

    def ask(_address: ServerAddress, problem: str) -> Unreachable:
        asked.append(problem)
        return Unreachable.LAPTOP_FILE

    end = application._run_on_server(qapp, address, ask)
    assert end == SessionEnd(0, switch_to=laptop_file())
    assert len(asked) == 1 and "cannot be reached" in asked[0]
    assert local.get(DatabaseChoice.LOCATION) == str(address), "never forgotten silently"


def test_try_again_connects_again_and_quit_ends(qapp: Any, tmp_path: Path) -> None:
    answers = [Unreachable.RETRY, Unreachable.QUIT]
    asked: list[str] = []

    def ask(_address: ServerAddress, problem: str) -> Unreachable:
        asked.append(problem)
        return answers.pop(0)

    end = application._run_on_server(qapp, _unreachable(tmp_path), ask)
    assert end.code == 1 and end.switch_to is None and len(asked) == 2


def test_start_up_opens_the_remembered_server_and_reopens_on_the_file_it_switches_to(
    monkeypatch: pytest.MonkeyPatch, settings: QSettings, nothing_named: Path
) -> None:
    remember(LocalSettings(settings), SERVER)
    opened: list[object] = []

    def on_server(_application: Any, address: ServerAddress) -> SessionEnd:
        opened.append(address)
        return SessionEnd(0, switch_to=nothing_named)

    def on_file(_application: Any, path: Path) -> SessionEnd:
        opened.append(path)
        return SessionEnd(3)

    monkeypatch.setattr(application, "QSettings", lambda: settings)
    monkeypatch.setattr(application, "configure_logging", lambda: None)
    monkeypatch.setattr(application, "install_error_dialog", lambda _log: None)
    monkeypatch.setattr(application, "share_the_gil_briskly", lambda: None)
    monkeypatch.setattr(application, "limit_malloc_arenas", lambda: None)
    monkeypatch.setattr(application, "_run_on_server", on_server)
    monkeypatch.setattr(application, "_run_windows", on_file)
    assert run_gui(None) == 3
    assert opened == [SERVER, nothing_named.resolve()]


@pytest.mark.parametrize(
    ("button", "expected"),
    [
        ("&Try again", Unreachable.RETRY),
        ("&Work on this laptop's file instead", Unreachable.LAPTOP_FILE),
        ("&Quit", Unreachable.QUIT),
    ],
)
def test_the_out_of_reach_message_names_the_server_and_the_ways_on(
    qtbot: Any, button: str, expected: Unreachable
) -> None:
    seen: list[str] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.append(box.text())
        next(b for b in box.buttons() if b.text() == button).click()

    QTimer.singleShot(0, answer)
    assert ask_when_unreachable(SERVER, "The team server cannot be reached.") is expected
    assert str(SERVER) in seen[0] and "next start" in seen[0]
