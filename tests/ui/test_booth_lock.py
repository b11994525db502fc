"""The booth lock in the window (every guarded page and command asks for the PIN), roles that
narrow what a profile opens, and PINs on the profile switch."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import QDialog, QFileDialog

from app.domain.access import Area
from app.domain.people import Role, UserRecord
from app.services.container import Services
from app.ui.actions import ACTIONS, AREAS
from app.ui.dialogs.pin_dialogs import NewPinDialog, PinDialog
from app.ui.dialogs.profile_dialog import ProfileDialog
from app.ui.main_window import MainWindow
from app.ui.navigation import ASSIGNMENT, BOOTH, LEADS, PAGES
from tests.conftest import FakeClock

Make = Callable[[], MainWindow]
GUARDED_ACTIONS = sorted(key for key, area in AREAS.items()
                         if area not in (Area.ANYONE, Area.CAPTURE))


class PinPrompts:
    """Stands in for the PIN dialogs' exec(): types the PIN given (None: cancels)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.answer: str | None = None
        self.asked: list[str] = []
        self.errors: list[str] = []
        self.new_pin = "4711"

        def ask(dialog: PinDialog) -> int:
            self.asked.append(dialog.windowTitle())
            if self.answer is None:
                return int(QDialog.DialogCode.Rejected)
            dialog.pin_edit.setText(self.answer)
            dialog.attempt()
            if dialog.error_label.text():
                self.errors.append(dialog.error_label.text())
            return int(dialog.result())

        def ask_new(dialog: NewPinDialog) -> int:
            dialog.pin_edit.setText(self.new_pin)
            dialog.repeat_edit.setText(self.new_pin)
            dialog.attempt()
            return int(dialog.result())

        monkeypatch.setattr(PinDialog, "exec", ask)
        monkeypatch.setattr(NewPinDialog, "exec", ask_new)


@pytest.fixture
def pins(monkeypatch: pytest.MonkeyPatch) -> PinPrompts:
    return PinPrompts(monkeypatch)


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Any other dialog a command opens is recorded and cancelled, never shown."""
    seen: list[str] = []

    def record(dialog: QDialog) -> int:
        seen.append(type(dialog).__name__)
        return int(QDialog.DialogCode.Rejected)

    monkeypatch.setattr(QDialog, "exec", record)
    for name in ("getOpenFileName", "getSaveFileName", "getExistingDirectory"):
        monkeypatch.setattr(QFileDialog, name,
                            lambda *a, _name=name, **k: seen.append(_name) or ("", ""))
    return seen


def locked_window(make_window: Make, pins: PinPrompts) -> MainWindow:
    window = make_window()
    window.lock_action.trigger()
    assert window.services.lock.is_locked()
    return window


def test_every_action_belongs_to_an_area() -> None:
    assert {spec.id for spec in ACTIONS} == set(AREAS)


def test_locking_from_the_file_menu_leaves_only_the_booth(
        make_window: Make, manager: UserRecord, add_leads: Any, pins: PinPrompts) -> None:
    add_leads(3)
    window = make_window()
    window.undo_stack.push(QUndoCommand("Assign 3 leads to Rita"))
    file_menu = window.menuBar().actions()[0].menu()
    assert window.lock_action in file_menu.actions()
    window.lock_action.trigger()
    assert window.pages.currentIndex() == BOOTH
    assert window.lock_label.isVisible() and "Locked for the booth" in window.lock_label.text()
    assert not window.search.isEnabled() and window.undo_stack.count() == 0
    assert not window.count_label.isVisible()
    assert window.unlock_action.isVisible() and not window.lock_action.isVisible()
    stored = window.services.context.db.get_local("booth_lock") or ""
    assert "4711" not in stored


@pytest.mark.parametrize("page", [p for p in PAGES if p.index != BOOTH], ids=lambda p: p.action_id)
def test_every_rail_page_asks_for_the_pin_while_locked(
        make_window: Make, manager: UserRecord, pins: PinPrompts, page: Any) -> None:
    window = locked_window(make_window, pins)
    window.rail.setCurrentRow(page.index)
    assert window.pages.currentIndex() == BOOTH and window.rail.currentRow() == BOOTH
    getattr(window, f"{page.action_id}_action").trigger()
    assert window.pages.currentIndex() == BOOTH
    assert pins.asked == ["Unlock this laptop"] * 2


def test_every_guarded_menu_command_asks_for_the_pin_while_locked(
        make_window: Make, admin: UserRecord, add_leads: Any, pins: PinPrompts,
        opened: list[str], confirmations: list[str]) -> None:
    add_leads(2)
    window = locked_window(make_window, pins)
    window.leads.table.selectRow(0)
    for key in GUARDED_ACTIONS:
        pins.asked.clear()
        getattr(window, f"{key}_action").trigger()
        assert pins.asked == ["Unlock this laptop"], key
    assert opened == [] and confirmations == []
    assert window.services.lock.is_locked() and window.pages.currentIndex() == BOOTH


def test_capture_commands_work_while_locked(
        make_window: Make, manager: UserRecord, pins: PinPrompts, opened: list[str]) -> None:
    window = locked_window(make_window, pins)
    window.booth_action.trigger()
    window.new_event_action.trigger()
    window.about_action.trigger()
    assert pins.asked == [] and window.pages.currentIndex() == BOOTH
    assert opened == ["EventDialog", "AboutDialog"]


def test_the_pin_unlocks_and_wrong_ones_make_the_next_try_wait(
        make_window: Make, manager: UserRecord, pins: PinPrompts, clock: FakeClock) -> None:
    window = locked_window(make_window, pins)
    pins.answer = "0000"
    window.leads_action.trigger()
    assert pins.errors == ["Wrong PIN. Wait 1 s before trying again."]
    assert window.pages.currentIndex() == BOOTH
    pins.answer = "4711"
    window.leads_action.trigger()
    assert pins.errors[-1] == "Wait 1 s before trying again.", "too soon, even when right"
    clock.advance(seconds=1)
    window.leads_action.trigger()
    assert window.pages.currentIndex() == LEADS and not window.services.lock.is_locked()
    assert not window.lock_label.isVisible() and window.search.isEnabled()


def test_the_lock_survives_closing_and_reopening_the_window(
        make_window: Make, manager: UserRecord, pins: PinPrompts) -> None:
    first = locked_window(make_window, pins)
    first.close()
    again = make_window()
    assert again.pages.currentIndex() == BOOTH and again.lock_label.isVisible()
    again.leads_action.trigger()
    assert pins.asked == ["Unlock this laptop"] and again.pages.currentIndex() == BOOTH


def test_only_admins_and_managers_may_lock(
        make_window: Make, services: Services, pins: PinPrompts, confirmations: list[str]) -> None:
    rep = services.people.add_user("Rita Rep", "rita@example.com", Role.REP)
    services.people.sign_in(rep.id)
    window = make_window()
    window.lock_action.trigger()
    assert not services.lock.is_locked()
    assert any("administrator or a sales manager" in text for text in confirmations)


def test_a_rep_sees_only_their_own_leads_and_is_told_so(
        make_window: Make, services: Services, confirmations: list[str]) -> None:
    rep = services.people.add_user("Rita Rep", "rita@example.com", Role.REP)
    services.people.add_user("Otto Other", "otto@example.com", Role.REP)
    for name in ("Mine1", "Mine2"):
        services.leads.create({"last_name": name, "owner": "rita@example.com"})
    for name in ("Theirs", "Nobodys"):
        services.leads.create({"last_name": name, "owner": "otto@example.com"})
    services.leads.create({"last_name": "Unowned"})
    services.people.sign_in(rep.id)
    window = make_window()
    window.show_page(LEADS)
    page = window.leads
    names = sorted(page.model.record(row).last_name for row in range(page.model.rowCount()))
    assert names == ["Mine1", "Mine2"]
    assert page.scope_banner.isVisible() and "your own leads" in page.scope_banner.text()
    assert not page.owner_filter.isEnabled()
    page.set_search("Theirs")
    assert page.model.rowCount() == 0
    assert window.rail.item(ASSIGNMENT).isHidden() and not window.rail.item(LEADS).isHidden()
    window.show_page(ASSIGNMENT)
    assert window.pages.currentIndex() == LEADS
    window.export_action.trigger()
    assert any("sales rep profile cannot open exports" in text for text in confirmations)


def test_booth_staff_see_capture_only(make_window: Make, services: Services,
                                      confirmations: list[str]) -> None:
    services.people.sign_in(services.people.add_user("Ben Booth", "ben@example.com",
                                                     Role.BOOTH).id)
    window = make_window()
    assert window.pages.currentIndex() == BOOTH
    assert [p.index for p in PAGES if not window.rail.item(p.index).isHidden()] == [BOOTH]
    window.show_page(LEADS)
    assert window.pages.currentIndex() == BOOTH


def test_the_profile_switch_asks_for_that_profiles_pin(
        qtbot: Any, services: Services, manager: UserRecord, pins: PinPrompts) -> None:
    rita = services.people.add_user("Rita Rep", "rita@example.com", Role.REP)
    services.lock.set_pin(rita, "2468")

    def pick_rita() -> ProfileDialog:
        dialog = ProfileDialog(services.people, lock=services.lock)
        qtbot.addWidget(dialog)
        rows = [dialog.user_list.item(i).data(256).id for i in range(dialog.user_list.count())]
        dialog.user_list.setCurrentRow(rows.index(rita.id))
        dialog.accept_choice()
        return dialog

    pins.answer = None
    assert pick_rita().chosen is None and services.people.current_user() == manager
    pins.answer = "2468"
    assert pick_rita().chosen == services.people.current_user() == rita
    assert pins.asked == ["Rita Rep's PIN"] * 2


def test_set_my_pin_and_clear_it(make_window: Make, services: Services, manager: UserRecord,
                                 pins: PinPrompts) -> None:
    window = make_window()
    window.set_pin_action.trigger()
    assert services.lock.has_pin(manager.id)
    window.clear_pin_action.trigger()
    assert not services.lock.has_pin(manager.id)


def test_screenshots_of_the_lock_dialog_and_the_locked_window(
        make_window: Make, manager: UserRecord, pins: PinPrompts, tmp_path: Path) -> None:
    window = locked_window(make_window, pins)
    window.resize(1100, 700)
    dialog = PinDialog("Unlock this laptop", "This laptop is locked for the booth. Type the "
                       "booth PIN to open everything else.", "Unlock", lambda _pin: None,
                       waiting=8, parent=window)
    dialog.show()
    for widget, name in ((dialog, "unlock_dialog.png"), (window, "locked_window.png")):
        assert widget.grab().save(str(tmp_path / name))
        assert (tmp_path / name).stat().st_size > 1000
    dialog.close()
