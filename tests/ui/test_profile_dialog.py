"""First start: the person says who they are; the choice is remembered."""

from __future__ import annotations

from typing import Any

from app.domain.people import Role
from app.services.container import Services
from app.ui.dialogs.profile_dialog import ProfileDialog


def test_first_start_creates_and_signs_in_a_user(qtbot: Any, services: Services) -> None:
    dialog = ProfileDialog(services.people)
    qtbot.addWidget(dialog)
    assert dialog.create_new.isChecked()
    dialog.name_edit.setText("Ben Booth")
    dialog.email_edit.setText("ben@")
    dialog.role_combo.setCurrentIndex(dialog.role_combo.findData(Role.BOOTH.value))
    dialog.accept_choice()
    assert dialog.chosen is None
    assert "Email" in dialog.error_label.text()
    dialog.email_edit.setText("ben@example.com")
    dialog.accept_choice()
    assert dialog.chosen is not None and dialog.chosen.role is Role.BOOTH
    assert services.people.current_user() == dialog.chosen


def test_existing_user_can_be_picked(qtbot: Any, services: Services) -> None:
    services.people.add_user("Ann Admin", "ann@example.com", Role.ADMIN)
    rep = services.people.add_user("Rob Rep", "rob@example.com", Role.REP)
    dialog = ProfileDialog(services.people)
    qtbot.addWidget(dialog)
    assert dialog.pick_existing.isChecked()
    dialog.user_list.setCurrentRow(1)
    dialog.accept_choice()
    assert dialog.chosen is not None and dialog.chosen.id == rep.id
    assert services.context.current_user_id == rep.id
