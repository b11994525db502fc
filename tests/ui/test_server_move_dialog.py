"""File → Move to a team server…: the address, the copy on the runner, the outcome and next steps."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from PySide6.QtCore import Qt

from app.services.container import Services
from app.services.demo_service import DemoService
from app.ui.dialogs.server_move_dialog import ServerMoveDialog
from app.ui.workers import SynchronousRunner
from tests.pg_server import create_database
from tests.ui.test_accessibility import unnamed_controls


def make_dialog(qtbot: Any, services: Services) -> ServerMoveDialog:
    dialog = ServerMoveDialog(services, SynchronousRunner())
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_move_is_offered_only_with_an_address_and_every_control_is_named(
        qtbot: Any, services: Services) -> None:
    dialog = make_dialog(qtbot, services)
    assert not dialog.move_button.isEnabled()
    dialog.address.setText("postgresql://anna@db.example.com/leads")
    assert dialog.move_button.isEnabled()
    assert unnamed_controls(dialog) == []


def test_a_password_in_the_address_is_refused_in_the_dialog(
        qtbot: Any, services: Services, confirmations: list[str]) -> None:
    dialog = make_dialog(qtbot, services)
    dialog.address.setText("postgresql://anna:s3cret@db.example.com/leads")
    qtbot.mouseClick(dialog.move_button, Qt.MouseButton.LeftButton)
    assert "~/.pgpass" in dialog.status.text() and "s3cret" not in dialog.status.text()
    assert dialog.result is None and confirmations == []


@pytest.mark.postgresql
def test_moving_shows_what_was_copied_and_a_second_move_is_refused(
        qtbot: Any, services: Services, postgres_server: str, confirmations: list[str]) -> None:
    DemoService(services.context).generate(25)
    url = create_database(postgres_server, f"t_{uuid.uuid4().hex[:12]}")
    dialog = make_dialog(qtbot, services)
    dialog.address.setText(url)
    qtbot.mouseClick(dialog.move_button, Qt.MouseButton.LeftButton)
    assert dialog.result is not None and dialog.result.count("lead") == 25
    assert "(25 leads)" in dialog.status.text() and "roles.sql" in dialog.status.text()
    assert not dialog.move_button.isEnabled(), "moved once: the button stays off"

    again = make_dialog(qtbot, services)
    again.address.setText(url)
    qtbot.mouseClick(again.move_button, Qt.MouseButton.LeftButton)
    assert again.result is None and again.move_button.isEnabled()
    assert any("already holds a Leadline database" in text for text in confirmations)
