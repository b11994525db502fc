"""First start: the person says who they are; the choice is remembered."""

from __future__ import annotations

from typing import Any

from app.domain.errors import StorageError
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


def test_a_new_profile_can_have_a_pin_from_the_first_start(qtbot: Any, services: Services) -> None:
    dialog = ProfileDialog(services.people, lock=services.lock)
    qtbot.addWidget(dialog)
    dialog.name_edit.setText("Mia Manager")
    dialog.email_edit.setText("mia@example.com")
    dialog.pin_edit.setText("2468")
    dialog.pin_again.setText("2469")
    dialog.accept_choice()
    assert dialog.chosen is None
    assert "differ" in dialog.error_label.text(), dialog.error_label.text()
    assert services.people.users() == [], "a refused PIN adds no profile"
    dialog.pin_again.setText("2468")
    dialog.accept_choice()
    assert dialog.chosen is not None
    assert services.lock.has_pin(dialog.chosen.id)
    services.lock.check_pin(dialog.chosen.id, "2468")  # no WrongPinError


def test_a_pin_that_cannot_be_stored_adds_no_profile(
        qtbot: Any, services: Services, monkeypatch: Any) -> None:
    def disk_full(*_args: object) -> None:
        raise StorageError("Cannot keep this laptop's settings: No space left on device")

    monkeypatch.setattr(services.lock, "keep_pin", disk_full)
    dialog = ProfileDialog(services.people, lock=services.lock)
    qtbot.addWidget(dialog)
    dialog.name_edit.setText("Mia Manager")
    dialog.email_edit.setText("mia@example.com")
    dialog.pin_edit.setText("2468")
    dialog.pin_again.setText("2468")
    dialog.accept_choice()
    assert dialog.chosen is None and "No space left" in dialog.error_label.text()
    assert services.people.users() == [], "no profile without the PIN its maker gave"


def test_a_profile_that_cannot_be_added_leaves_no_pin(
        qtbot: Any, services: Services, monkeypatch: Any) -> None:
    services.people.add_user("Mia Manager", "mia@example.com", "manager")
    kept: list[Any] = []
    real_keep = services.lock.keep_pin
    monkeypatch.setattr(services.lock, "keep_pin",
                        lambda user_id, pin: kept.append(user_id) or real_keep(user_id, pin))
    dialog = ProfileDialog(services.people, lock=services.lock)
    qtbot.addWidget(dialog)
    dialog.create_new.setChecked(True)
    dialog.name_edit.setText("Mia Again")
    dialog.email_edit.setText("mia@example.com")  # taken
    dialog.pin_edit.setText("2468")
    dialog.pin_again.setText("2468")
    dialog.accept_choice()
    assert dialog.chosen is None and "already exists" in dialog.error_label.text()
    assert len(kept) == 1 and not services.lock.has_pin(kept[0])


def test_a_new_profile_without_a_pin_has_none(qtbot: Any, services: Services) -> None:
    dialog = ProfileDialog(services.people, lock=services.lock)
    qtbot.addWidget(dialog)
    dialog.name_edit.setText("Rob Rep")
    dialog.email_edit.setText("rob@example.com")
    dialog.accept_choice()
    assert dialog.chosen is not None and not services.lock.has_pin(dialog.chosen.id)


def test_a_new_profile_never_takes_a_role_above_the_signed_in_one(
        qtbot: Any, services: Services) -> None:
    """A rep at the profile switch cannot make themselves an administrator."""
    services.people.add_user("Ann Admin", "ann@example.com", Role.ADMIN)
    rep = services.people.add_user("Rob Rep", "rob@example.com", Role.REP)
    services.people.sign_in(rep.id)
    dialog = ProfileDialog(services.people, lock=services.lock)
    qtbot.addWidget(dialog)
    offered = [dialog.role_combo.itemData(i) for i in range(dialog.role_combo.count())]
    assert offered == [Role.BOOTH.value, Role.REP.value]
    admin = services.people.user_by_email("ann@example.com")
    services.people.sign_in(admin.id)
    dialog = ProfileDialog(services.people, lock=services.lock)
    qtbot.addWidget(dialog)
    assert dialog.role_combo.count() == len(Role)
