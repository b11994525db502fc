"""Undo belongs to the person: a switched-in user never gets the last one's undo, and Ctrl+Z
after a merge undoes the merge wherever the focus went."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import QApplication

from app.domain.leads import LeadQuery
from app.domain.people import Role, UserRecord
from app.services.container import Services
from app.ui.dialogs.profile_dialog import ProfileDialog
from app.ui.main_window import MainWindow
from app.ui.navigation import DUPLICATES


class _Noted(QUndoCommand):
    def __init__(self, text: str) -> None:
        super().__init__(text)

    def redo(self) -> None:
        pass

    def undo(self) -> None:
        pass


def test_switch_user_clears_the_previous_persons_undo_and_redo(
        make_window: Any, manager: UserRecord, services: Services,
        monkeypatch: pytest.MonkeyPatch) -> None:
    window: MainWindow = make_window()
    window.undo_stack.push(_Noted("Assign 1 lead to Nils"))
    window.undo_stack.push(_Noted("Assign 2 leads to Siv"))
    window.undo_stack.undo()
    assert window.redo_action.isEnabled() and window.undo_action.isEnabled()
    rep = services.people.add_user("Rita Rep", "rita@example.com", Role.REP)

    def sign_in_rita(people: Any, _parent: Any = None, **_options: Any) -> UserRecord:
        return people.sign_in(rep.id)

    monkeypatch.setattr(ProfileDialog, "ask", staticmethod(sign_in_rita))
    window.switch_user()
    assert window.undo_stack.count() == 0
    assert not window.undo_action.isEnabled() and not window.redo_action.isEnabled()


def test_switching_to_the_same_person_keeps_their_undo(
        make_window: Any, manager: UserRecord, services: Services,
        monkeypatch: pytest.MonkeyPatch) -> None:
    window: MainWindow = make_window()
    window.undo_stack.push(_Noted("Assign 1 lead to Nils"))
    monkeypatch.setattr(ProfileDialog, "ask",
                        staticmethod(lambda people, _parent=None, **_options: people.current_user()))
    window.switch_user()
    assert window.undo_stack.count() == 1


def _duplicate_pair(services: Services) -> None:
    services.leads.create({"first_name": "Katherine", "last_name": "Schneider",
                           "email": "k.schneider@acme.de", "company": "Acme GmbH"})
    services.leads.create({"first_name": "Kate", "last_name": "Schneider",
                           "email": "k.schneider@acme.de", "company": "ACME"})


def test_ctrl_z_after_a_merge_undoes_it(qtbot: Any, make_window: Any, manager: UserRecord,
                                        services: Services) -> None:
    _duplicate_pair(services)
    window: MainWindow = make_window()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    window.show_page(DUPLICATES)
    page = window.duplicates
    page.scan()
    page.pair_table.selectRow(0)
    page.merge(keep_first=True)
    assert services.leads.count(LeadQuery()) == 1 and "Ctrl+Z" in page.status.text()
    focused = QApplication.focusWidget()
    assert focused is not window.search and focused is not None
    qtbot.keyClick(focused, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert services.leads.count(LeadQuery()) == 2


def test_ctrl_z_in_an_empty_search_box_undoes_the_last_change(
        qtbot: Any, make_window: Any, manager: UserRecord, services: Services) -> None:
    _duplicate_pair(services)
    window: MainWindow = make_window()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    window.show_page(DUPLICATES)
    window.duplicates.scan()
    window.duplicates.pair_table.selectRow(0)
    window.duplicates.merge(keep_first=True)
    window.search.setFocus()
    qtbot.keyClick(window.search, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert services.leads.count(LeadQuery()) == 2
