"""Every control on every page and dialog can be named by a screen reader; shortcuts are unique.

A control counts as named when it has an accessible name, its own visible text (buttons,
check boxes), or a QLabel whose buddy it is (form rows: the label's mnemonic focuses it too).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QCalendarWidget,
    QCheckBox,
    QComboBox,
    QDialog,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QPushButton,
    QRadioButton,
    QTabBar,
    QTableView,
    QToolBar,
    QToolButton,
    QWidget,
)

from app.domain.leads import LeadRecord
from app.domain.people import UserRecord
from app.domain.tasks import TaskKind
from app.services.container import Services
from app.ui.about_dialog import AboutDialog
from app.ui.crash_reporting import CrashDialog
from app.ui.dialogs.backup_dialog import BackupDialog
from app.ui.dialogs.cadences_dialog import CadencesDialog
from app.ui.dialogs.conflicts_dialog import ConflictsDialog
from app.ui.dialogs.erasure_dialog import ErasureDialog
from app.ui.dialogs.event_dialog import EventDialog
from app.ui.dialogs.export_dialog import ExportDialog
from app.ui.dialogs.followup_settings_dialog import followup_settings_dialog
from app.ui.dialogs.hand_back_dialog import HandBackDialog, RecycleDialog
from app.ui.dialogs.import_history_dialog import ImportHistoryDialog
from app.ui.dialogs.import_wizard import ImportWizard
from app.ui.dialogs.new_lead_dialog import NewLeadDialog
from app.ui.dialogs.profile_dialog import ProfileDialog
from app.ui.dialogs.questions_dialog import QuestionsDialog
from app.ui.dialogs.reassign_dialog import AssignToDialog, ReassignDialog
from app.ui.dialogs.report_dialog import ReportDialog
from app.ui.dialogs.routing_rules_dialog import RoutingRulesDialog
from app.ui.dialogs.scan_log_dialog import ScanLogDialog
from app.ui.dialogs.scanner_dialog import ScannerDialog
from app.ui.dialogs.scoring_rules_dialog import ScoringRulesDialog
from app.ui.dialogs.settings_dialog import SettingsDialog
from app.ui.dialogs.suppression_dialog import SuppressionDialog
from app.ui.dialogs.sync_settings_dialog import sync_settings_dialog
from app.ui.dialogs.touch_dialog import SnoozeDialog, TouchDialog
from app.ui.main_window import MainWindow
from app.ui.workers import SynchronousRunner

CHECKED = (QLineEdit, QComboBox, QAbstractSpinBox, QCheckBox, QRadioButton, QPushButton,
           QToolButton, QTableView, QListView)
# Parts Qt builds inside other controls; their owner carries the name.
INTERNAL_OWNERS = (QAbstractSpinBox, QComboBox, QLineEdit, QTabBar, QCalendarWidget)


def _plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").strip()


def _is_internal(widget: QWidget) -> bool:
    if widget.objectName().startswith("qt_"):
        return True
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, INTERNAL_OWNERS):
            return True
        if isinstance(parent, QToolBar) and widget.objectName() == "qt_toolbar_ext_button":
            return True
        parent = parent.parentWidget()
    return False


def _buddies(root: QWidget) -> set[int]:
    found = set()
    for label in root.findChildren(QLabel):
        buddy = label.buddy()
        if buddy is not None and _plain(label.text()):
            found.add(id(buddy))
    return found


def _describe(widget: QWidget) -> str:
    path = []
    current: QWidget | None = widget
    while current is not None and len(path) < 4:
        path.append(f"{type(current).__name__}({current.objectName() or ''})")
        current = current.parentWidget()
    extra = ""
    if isinstance(widget, QLineEdit):
        extra = f" placeholder={widget.placeholderText()!r}"
    elif isinstance(widget, QComboBox):
        extra = f" first item={widget.itemText(0)!r}"
    elif isinstance(widget, QAbstractSpinBox):
        extra = f" text={widget.text()!r}"
    return " < ".join(path) + extra


def unnamed_controls(root: QWidget) -> list[str]:
    """Controls under ``root`` a screen reader could not name."""
    labelled = _buddies(root)
    missing = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, CHECKED) or _is_internal(widget):
            continue
        if widget.accessibleName().strip() or id(widget) in labelled:
            continue
        if isinstance(widget, QAbstractButton) and _plain(widget.text()):
            continue
        if isinstance(widget, QToolButton) and widget.defaultAction() is not None \
                and _plain(widget.defaultAction().text()):
            continue
        missing.append(_describe(widget))
    return missing


@pytest.fixture
def window(make_window: Callable[[], MainWindow], manager: UserRecord,
           add_leads: Callable[..., list[LeadRecord]]) -> MainWindow:
    add_leads(3)
    built = make_window()
    built.refresh_all()
    return built


def test_every_page_of_the_main_window_names_its_controls(window: MainWindow) -> None:
    pages = window.pages
    problems: list[str] = []
    for index in range(pages.count()):
        window.show_page(index)
        problems += [f"page {index}: {p}" for p in unnamed_controls(pages.widget(index))]
    problems += [f"window: {p}" for p in unnamed_controls(window)
                 if not any(p in q for q in problems)]
    assert problems == [], "\n".join(problems)


def _dialogs(services: Services, settings: QSettings, lead: LeadRecord,
             tmp_path: Path) -> Iterator[tuple[str, Callable[[], QDialog]]]:
    runner = SynchronousRunner()
    today = dt.date(2026, 11, 20)
    yield "settings", lambda: SettingsDialog(services, settings)
    yield "about", lambda: AboutDialog(tmp_path / "leadline.sqlite", tmp_path / "logs")
    yield "crash", lambda: CrashDialog("Problem", "Summary", "Advice", "Details",
                                       tmp_path / "leadline.log")
    yield "cadences", lambda: CadencesDialog(services)
    yield "erasure", lambda: ErasureDialog(services, lead)
    yield "event", lambda: EventDialog(services.events)
    yield "export", lambda: ExportDialog(5)
    yield "follow-up settings", lambda: followup_settings_dialog(services, settings)
    yield "hand back", lambda: HandBackDialog("Anna Example")
    yield "recycle", lambda: RecycleDialog("Anna Example", today)
    yield "import history", lambda: ImportHistoryDialog(services.imports, services.customers)
    yield "import wizard", lambda: ImportWizard(services, runner)
    yield "profile", lambda: ProfileDialog(services.people)
    yield "questions", lambda: QuestionsDialog(services.questions, None)
    yield "assign to", lambda: AssignToDialog(services, 2)
    yield "reassign", lambda: ReassignDialog(services, runner, QUndoStack(), lambda: None)
    yield "reports", lambda: ReportDialog(services, runner)
    yield "routing rules", lambda: RoutingRulesDialog(services)
    yield "scan log", lambda: ScanLogDialog([])
    yield "scanner", lambda: ScannerDialog(settings)
    yield "scoring rules", lambda: ScoringRulesDialog(services)
    yield "suppression", lambda: SuppressionDialog(services.suppressions)
    yield "sync settings", lambda: sync_settings_dialog(services.sync_settings)
    yield "touch", lambda: TouchDialog("Anna Example", "Call Anna", TaskKind.CALL)
    yield "snooze", lambda: SnoozeDialog("Anna Example", "Call Anna", today)
    yield "backups", lambda: BackupDialog(services, runner)
    yield "sync conflicts", lambda: ConflictsDialog(services, runner)


def test_every_dialog_names_its_controls(
        qtbot: Any, services: Services, settings: QSettings, manager: UserRecord,
        add_leads: Callable[..., list[LeadRecord]], tmp_path: Path,
        confirmations: list[str]) -> None:
    lead = add_leads(1)[0]
    problems: list[str] = []
    for name, make in _dialogs(services, settings, lead, tmp_path):
        dialog = make()
        qtbot.addWidget(dialog)
        dialog.show()
        problems += [f"{name}: {p}" for p in unnamed_controls(dialog)]
        dialog.close()
    assert problems == [], "\n".join(problems)


def test_new_lead_dialog_names_its_controls(window: MainWindow, qtbot: Any) -> None:
    dialog = NewLeadDialog(window.services.leads, window.leads._choices(), window)
    qtbot.addWidget(dialog)
    dialog.show()
    assert unnamed_controls(dialog) == []


def test_the_checker_finds_an_unnamed_control(qtbot: Any) -> None:
    box = QWidget()
    qtbot.addWidget(box)
    QLineEdit(box)
    named = QLineEdit(box)
    named.setAccessibleName("Named")
    labelled = QComboBox(box)
    QLabel("&Choice:", box).setBuddy(labelled)
    QPushButton("&Go", box)
    QToolButton(box)
    assert len(unnamed_controls(box)) == 2


def _menu_actions(menu: QMenu) -> Iterator[QAction]:
    for action in menu.actions():
        if action.menu() is not None:
            yield from _menu_actions(action.menu())
        elif not action.isSeparator():
            yield action


def test_no_two_menu_actions_share_a_shortcut(window: MainWindow) -> None:
    owners: dict[str, str] = {}
    clashes: list[str] = []
    seen: set[int] = set()
    for top in window.menuBar().actions():
        menu = top.menu()
        assert menu is not None
        for action in _menu_actions(menu):
            if id(action) in seen:  # the same action in two menus (Import in File and Data)
                continue
            seen.add(id(action))
            for shortcut in action.shortcuts():
                key = shortcut.toString(QKeySequence.SequenceFormat.PortableText)
                if key in owners:
                    clashes.append(f"{key}: {owners[key]} and {_plain(action.text())}")
                owners[key] = _plain(action.text())
    assert clashes == []
    assert owners, "the menus have shortcuts"


def test_every_top_level_menu_has_a_unique_mnemonic(window: MainWindow) -> None:
    letters = []
    for top in window.menuBar().actions():
        text = top.text()
        assert "&" in text.replace("&&", ""), f"menu {text!r} has no &mnemonic"
        letters.append(text[text.index("&") + 1].lower())
    assert len(letters) == len(set(letters)), letters


def test_items_of_each_menu_have_distinct_mnemonics(window: MainWindow) -> None:
    """Alt+letter inside an open menu picks one item; two items sharing a letter need two
    presses (the Booth menu had Badge &layout and Scan &log)."""
    clashes = []
    for top in window.menuBar().actions():
        menu = top.menu()
        seen: dict[str, str] = {}
        for action in menu.actions():
            text = action.text().replace("&&", "")
            if action.isSeparator() or "&" not in text:
                continue
            letter = text[text.index("&") + 1].lower()
            if letter in seen:
                clashes.append(f"{_plain(top.text())}: {seen[letter]} and {_plain(action.text())}")
            seen[letter] = _plain(action.text())
    assert clashes == []


def test_about_dialog_shows_versions_places_and_font_licences(qtbot: Any, tmp_path: Path) -> None:
    from PySide6.QtCore import qVersion
    from PySide6.QtWidgets import QApplication

    from app import __version__

    dialog = AboutDialog(tmp_path / "leadline.sqlite", tmp_path / "logs")
    qtbot.addWidget(dialog)
    text = dialog.text()
    assert f"Leadline {__version__}" in text and qVersion() in text and "Python" in text
    assert str(tmp_path / "leadline.sqlite") in text and str(tmp_path / "logs") in text
    assert "DejaVu" in dialog.licences.toPlainText()
    assert "Bitstream" in dialog.licences.toPlainText()
    QApplication.clipboard().setText("")
    dialog.copy_button.click()
    assert QApplication.clipboard().text() == text
