"""File → Connect to a team server…: the address (never a password), the test connection off the
GUI thread, Connect (the remembered server, the password in the keyring), and the way back."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QSettings, Qt

from app.paths import ServerAddress, database_location
from app.services.container import Services
from app.storage.server import KEYRING_SERVICE
from app.ui import messages
from app.ui.about_dialog import AboutDialog
from app.ui.application import build_main_window
from app.ui.database_choice import laptop_file, switch_requested
from app.ui.dialogs.team_server_dialog import TeamServerDialog
from app.ui.local_settings import DatabaseChoice, LocalSettings
from app.ui.main_window import MainWindow
from app.ui.workers import SynchronousRunner
from tests.memory_keyring import MemoryKeyring
from tests.pg_server import create_database
from tests.ui.test_accessibility import unnamed_controls


@pytest.fixture
def local(settings: QSettings) -> LocalSettings:
    return LocalSettings(settings)


def make_dialog(qtbot: Any, local: LocalSettings, current: str = "") -> TeamServerDialog:
    dialog = TeamServerDialog(SynchronousRunner(), local, current)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def click(qtbot: Any, button: Any) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_the_buttons_wait_for_an_address_and_every_control_is_named(qtbot: Any, local: LocalSettings) -> None:
    dialog = make_dialog(qtbot, local)
    assert not dialog.test_button.isEnabled() and not dialog.connect_button.isEnabled()
    dialog.address.setText("postgresql://anna@db.example.com/leads")
    assert dialog.test_button.isEnabled() and dialog.connect_button.isEnabled()
    assert dialog.keep.isChecked()
    assert unnamed_controls(dialog) == []


def test_a_password_in_the_address_is_refused(
    qtbot: Any, local: LocalSettings, memory_keyring: MemoryKeyring, confirmations: list[str]
) -> None:
    dialog = make_dialog(qtbot, local)
    dialog.address.setText("postgresql://anna:s3cret@db.example.com/leads")
    click(qtbot, dialog.connect_button)
    assert "~/.pgpass" in dialog.status.text() and "s3cret" not in dialog.status.text()
    click(qtbot, dialog.test_button)
    assert "password" in dialog.status.text()
    assert dialog.chosen is None and dialog.isVisible()
    assert not local.is_kept(DatabaseChoice.LOCATION) and memory_keyring.passwords == {}
    assert confirmations == []


def test_a_missing_socket_folder_is_reported_as_out_of_reach(
    qtbot: Any, local: LocalSettings, tmp_path: Path, confirmations: list[str]
) -> None:
    dialog = make_dialog(qtbot, local)
    dialog.address.setText(f"postgresql://leadline@/leads?host={tmp_path / 'no-such-folder'}")
    click(qtbot, dialog.test_button)
    assert "cannot be reached" in dialog.status.text()
    assert dialog.test_button.isEnabled() and dialog.address.isEnabled(), "no longer busy"
    click(qtbot, dialog.connect_button)
    assert "cannot be reached" in dialog.status.text()
    assert dialog.chosen is None and not local.is_kept(DatabaseChoice.LOCATION)
    assert confirmations == [], "said in the dialog, not in a box over it"


@pytest.mark.postgresql
def test_test_connection_reports_the_server_that_answered(
    qtbot: Any,
    local: LocalSettings,
    postgres_server: str,
    memory_keyring: MemoryKeyring,
    confirmations: list[str],
) -> None:
    dialog = make_dialog(qtbot, local)
    dialog.address.setText(postgres_server)
    click(qtbot, dialog.test_button)
    assert dialog.status.text().startswith("Connected: PostgreSQL ")
    assert dialog.isVisible() and not local.is_kept(DatabaseChoice.LOCATION), "only a test"
    assert confirmations == []


@pytest.mark.postgresql
def test_connect_remembers_the_server_and_keeps_the_password_in_the_keyring_only(
    qtbot: Any,
    settings: QSettings,
    local: LocalSettings,
    postgres_server: str,
    memory_keyring: MemoryKeyring,
    tmp_path: Path,
) -> None:
    url = create_database(postgres_server, f"t_{uuid.uuid4().hex[:12]}")
    address = database_location(url)
    dialog = make_dialog(qtbot, local)
    dialog.address.setText(url)
    dialog.password.setText("team-pass-42")
    click(qtbot, dialog.connect_button)
    assert dialog.chosen == address and dialog.result() == TeamServerDialog.DialogCode.Accepted
    assert local.get(DatabaseChoice.LOCATION) == str(address)
    assert memory_keyring.passwords == {(KEYRING_SERVICE, str(address)): "team-pass-42"}
    settings.sync()
    assert "team-pass-42" not in Path(settings.fileName()).read_text(encoding="utf-8")


@pytest.mark.postgresql
def test_an_unkept_password_is_used_for_the_test_only(
    qtbot: Any, local: LocalSettings, postgres_server: str, memory_keyring: MemoryKeyring
) -> None:
    dialog = make_dialog(qtbot, local)
    dialog.address.setText(postgres_server)
    dialog.password.setText("not-kept")
    dialog.keep.setChecked(False)
    click(qtbot, dialog.connect_button)
    assert dialog.chosen is not None and memory_keyring.passwords == {}


def test_connect_reopens_the_window_on_the_server(
    make_window: Any, monkeypatch: pytest.MonkeyPatch, admin: Any
) -> None:
    window: MainWindow = make_window()
    address = ServerAddress("postgresql+psycopg://anna@db.example.com/leads")
    monkeypatch.setattr(TeamServerDialog, "ask", classmethod(lambda *_args: address))
    window.connect_server_action.trigger()
    assert not window.isVisible() and switch_requested(window) == address


def test_a_window_that_stays_open_switches_at_the_next_start_only(
    make_window: Any, monkeypatch: pytest.MonkeyPatch, admin: Any
) -> None:
    window: MainWindow = make_window()
    address = ServerAddress("postgresql+psycopg://anna@db.example.com/leads")
    monkeypatch.setattr(TeamServerDialog, "ask", classmethod(lambda *_args: address))
    monkeypatch.setattr(window.leads.detail, "has_unsaved_changes", lambda: True)
    monkeypatch.setattr(messages, "confirm", lambda *_args: True)
    monkeypatch.setattr(window.leads.detail, "save", lambda: False)  # the save was refused
    window.connect_server_action.trigger()
    assert window.isVisible() and switch_requested(window) is None
    assert "next start" in window.statusBar().currentMessage()


def test_the_way_back_opens_the_laptop_file_and_remembers_it(
    make_window: Any, monkeypatch: pytest.MonkeyPatch, admin: Any, settings: QSettings
) -> None:
    window: MainWindow = make_window()
    asked: list[str] = []
    monkeypatch.setattr(messages, "choose", lambda _parent, _title, text, _choices: asked.append(text) or 0)
    window.use_laptop_file_action.trigger()
    assert str(laptop_file()) in asked[0]
    assert switch_requested(window) == laptop_file() and not window.isVisible()
    assert LocalSettings(settings).get(DatabaseChoice.LOCATION) == str(laptop_file())


def test_about_names_the_team_server(qtbot: Any, tmp_path: Path) -> None:
    about = AboutDialog(
        "postgresql+psycopg://anna@db.example.com/leads", tmp_path, on_server=True, fonts_dir=tmp_path
    )
    qtbot.addWidget(about)
    assert about.facts["Team server"] == "postgresql+psycopg://anna@db.example.com/leads"
    assert "Database" not in about.facts


@pytest.mark.parametrize(
    "database_kind", [pytest.param("postgresql", marks=pytest.mark.postgresql)], indirect=True
)
def test_the_status_bar_names_the_team_server(
    qtbot: Any, services: Services, settings: QSettings, manager: Any, confirmations: list[str]
) -> None:
    window = build_main_window(services, settings, SynchronousRunner())
    try:
        assert window.db_label.text() == f"Team server: {services.context.db.location}"
    finally:
        # Gone before its database is dropped: its start-up timers would read a missing one.
        window.close()
        shiboken6.delete(window)
