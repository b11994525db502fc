"""Settings in one dialog: every page loads, saves, validates; Cancel changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from app.domain.people import Role, UserRecord
from app.services.backup_service import BackupPolicy
from app.services.container import Services
from app.ui.dialogs import settings_pages
from app.ui.dialogs.report_dialog import ReportDialog
from app.ui.dialogs.settings_dialog import SettingsDialog
from app.ui.local_settings import Appearance, Reports, Tray
from app.ui.style import apply_theme
from app.ui.workers import SynchronousRunner


@pytest.fixture
def restore_theme() -> Iterator[QApplication]:
    """Theme changes are application-wide: put the style and palette back afterwards."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    style, palette = app.style().name(), QPalette(app.palette())
    yield app
    app.styleHints().setColorScheme(Qt.ColorScheme.Unknown)
    app.setStyle(style)
    app.setPalette(palette)


def _dialog(qtbot: Any, services: Services, settings: QSettings) -> SettingsDialog:
    dialog = SettingsDialog(services, settings)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _snapshot(settings: QSettings) -> dict[str, Any]:
    settings.sync()
    return {key: settings.value(key) for key in settings.allKeys()}


def test_every_page_shows_the_defaults(qtbot: Any, services: Services, settings: QSettings,
                                       manager: UserRecord) -> None:
    dialog = _dialog(qtbot, services, settings)
    titles = [dialog.page_list.item(i).text() for i in range(dialog.page_list.count())]
    assert titles == ["Profile", "Working time and service levels", "Regional", "Sync",
                      "Backups", "Appearance", "Reports"]
    assert dialog.profile.name.text() == "Maria Keller"
    assert dialog.profile.email.text() == "maria@example.com"
    assert dialog.profile.role.currentData() == Role.MANAGER.value
    assert dialog.working_time.timezone.currentText() == "Europe/Berlin"
    assert dialog.working_time.hot_days.value() == 0
    assert dialog.working_time.warm_days.value() == 2
    assert dialog.regional.country.text() == ""
    assert dialog.sync.folder.text() == "" and dialog.sync.interval.value() == 0
    assert dialog.sync.on_start_close.isChecked()
    assert dialog.backups.daily.isChecked() and dialog.backups.on_close.isChecked()
    assert dialog.backups.before_big.isChecked() and dialog.backups.keep.value() == 10
    assert dialog.backups.folder.text() == str(services.backups.folder())
    assert dialog.appearance.theme.currentData() == "system"
    assert dialog.reports.paper.currentData() == ""
    assert dialog.stack.currentIndex() == 0


def test_ok_saves_every_page_and_a_new_dialog_shows_it(
        qtbot: Any, services: Services, settings: QSettings, manager: UserRecord,
        tmp_path: Path, restore_theme: QApplication) -> None:
    shared = tmp_path / "share"
    shared.mkdir()
    dialog = _dialog(qtbot, services, settings)
    dialog.profile.name.setText("Maria Keller-Braun")
    dialog.profile.email.setText("maria.kb@example.com")
    dialog.working_time.hot_days.setValue(1)
    dialog.working_time.start_minimised.setChecked(True)
    dialog.regional.country.setText("Österreich")
    dialog.sync.folder.setText(str(shared))
    dialog.sync.interval.setValue(15)
    dialog.backups.daily.setChecked(False)
    dialog.backups.keep.setValue(25)
    dialog.appearance.theme.setCurrentIndex(dialog.appearance.theme.findData("light"))
    dialog.reports.paper.setCurrentIndex(dialog.reports.paper.findData("Letter"))
    assert dialog.save()
    assert dialog.result() == SettingsDialog.DialogCode.Accepted

    user = services.people.current_user()
    assert user is not None and (user.name, user.email) == ("Maria Keller-Braun",
                                                            "maria.kb@example.com")
    assert services.settings.get_int("sla.hot_days") == 1
    assert services.cadences.service_levels().hot_days == 1
    assert services.context.default_country == "AT"
    assert services.backups.policy() == BackupPolicy(daily=False, keep=25)
    assert settings.value(Tray.START_MINIMISED.key, type=bool) is True
    synced = services.sync_settings.load()
    assert synced.folder == shared and synced.interval_minutes == 15
    assert settings.value(Appearance.THEME.key) == "light"
    assert settings.value(Reports.PAGE_SIZE.key) == "Letter"

    again = _dialog(qtbot, services, settings)
    assert again.profile.name.text() == "Maria Keller-Braun"
    assert again.working_time.hot_days.value() == 1
    assert again.working_time.start_minimised.isChecked()
    assert again.regional.country.text() == "AT"
    assert again.sync.folder.text() == str(shared) and again.sync.interval.value() == 15
    assert not again.backups.daily.isChecked() and again.backups.keep.value() == 25
    assert again.appearance.theme.currentData() == "light"
    assert again.reports.paper.currentData() == "Letter"


@pytest.mark.parametrize(("page", "spoil", "words"), [
    ("regional", lambda d: d.regional.country.setText("Atlantis"), "not a country"),
    ("working_time", lambda d: d.working_time.day_end.setValue(8), "must end after"),
    ("profile", lambda d: d.profile.name.setText("  "), "Name"),
    ("profile", lambda d: d.profile.email.setText("maria@"), "Email"),
    ("sync", lambda d: d.sync.folder.setText("/no/such/mounted/share"), "does not exist"),
])
def test_a_problem_blocks_ok_opens_its_page_and_saves_nothing(
        qtbot: Any, services: Services, settings: QSettings, manager: UserRecord,
        page: str, spoil: Any, words: str) -> None:
    dialog = _dialog(qtbot, services, settings)
    dialog.page_list.setCurrentRow(dialog.page_list.count() - 1)
    dialog.working_time.hot_days.setValue(3)  # a valid change elsewhere must not be saved
    before = _snapshot(settings)
    spoil(dialog)
    assert not dialog.save()
    assert dialog.result() != SettingsDialog.DialogCode.Accepted
    shown = getattr(dialog, page)
    assert dialog.current_page() is shown
    assert shown.error.isVisibleTo(dialog) and words in shown.error.text()
    assert services.settings.get_int("sla.hot_days") == 0
    assert _snapshot(settings) == before


def test_service_errors_are_shown_on_their_page(qtbot: Any, services: Services,
                                               settings: QSettings, manager: UserRecord) -> None:
    services.people.add_user("Ben Bauer", "ben@example.com", Role.REP)
    dialog = _dialog(qtbot, services, settings)
    dialog.backups.keep.setValue(500)  # the backup service allows at most 100
    assert not dialog.save()
    assert dialog.current_page() is dialog.backups
    assert "Keep" in dialog.backups.error.text() and services.backups.policy().keep == 10
    dialog.backups.keep.setValue(12)
    dialog.profile.email.setText("ben@example.com")  # taken
    assert not dialog.save()
    assert dialog.current_page() is dialog.profile
    assert "already exists" in dialog.profile.error.text()
    dialog.profile.email.setText("maria@example.com")
    assert dialog.save()
    assert not dialog.profile.error.isVisibleTo(dialog)


def test_cancel_changes_nothing(qtbot: Any, services: Services, settings: QSettings,
                                manager: UserRecord, restore_theme: QApplication) -> None:
    settings.setValue(Appearance.THEME.key, "light")
    before = _snapshot(settings)
    style = restore_theme.style().name()
    dialog = _dialog(qtbot, services, settings)
    dialog.profile.name.setText("Someone Else")
    dialog.working_time.warm_days.setValue(9)
    dialog.regional.country.setText("FR")
    dialog.sync.interval.setValue(30)
    dialog.backups.keep.setValue(3)
    dialog.appearance.theme.setCurrentIndex(dialog.appearance.theme.findData("dark"))
    dialog.reports.paper.setCurrentIndex(dialog.reports.paper.findData("A4"))
    dialog.reject()
    assert dialog.result() == SettingsDialog.DialogCode.Rejected
    assert _snapshot(settings) == before
    user = services.people.current_user()
    assert user is not None and user.name == "Maria Keller"
    assert services.settings.get_int("sla.warm_days") == 2
    assert services.context.default_country == ""
    assert services.backups.policy() == BackupPolicy()
    assert restore_theme.style().name() == style


def test_dark_theme_applies_a_dark_palette_at_once(qtbot: Any, services: Services,
                                                   settings: QSettings, manager: UserRecord,
                                                   restore_theme: QApplication) -> None:
    dialog = _dialog(qtbot, services, settings)
    dialog.appearance.theme.setCurrentIndex(dialog.appearance.theme.findData("dark"))
    assert dialog.save()
    app = restore_theme
    assert app.palette().color(QPalette.ColorRole.Window).lightness() < 80
    assert app.palette().color(QPalette.ColorRole.WindowText).lightness() > 200
    assert app.style().name().lower() == "fusion"
    assert settings.value(Appearance.THEME.key) == "dark"
    apply_theme(app, "light")
    assert app.palette().color(QPalette.ColorRole.Window).lightness() > 128


def test_the_page_list_works_with_the_keyboard(qtbot: Any, services: Services,
                                               settings: QSettings, manager: UserRecord) -> None:
    dialog = _dialog(qtbot, services, settings)
    dialog.page_list.setFocus()
    qtbot.keyClick(dialog.page_list, Qt.Key.Key_Down)
    qtbot.keyClick(dialog.page_list, Qt.Key.Key_Down)
    assert dialog.current_page() is dialog.regional
    qtbot.keyClick(dialog.page_list, Qt.Key.Key_End)
    assert dialog.current_page() is dialog.reports


def test_open_backup_folder(qtbot: Any, services: Services, settings: QSettings,
                            manager: UserRecord, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[Path] = []
    monkeypatch.setattr(settings_pages, "open_folder", lambda folder: opened.append(folder))
    dialog = _dialog(qtbot, services, settings)
    dialog.backups.open_button.click()
    assert opened == [services.backups.folder()]


def test_without_a_signed_in_user_the_profile_page_is_read_only(
        qtbot: Any, services: Services, settings: QSettings) -> None:
    dialog = _dialog(qtbot, services, settings)
    assert not dialog.profile.name.isEnabled() and dialog.profile.problem() is None
    assert dialog.save()


def test_report_dialog_starts_with_the_chosen_paper(qtbot: Any, services: Services,
                                                    settings: QSettings) -> None:
    automatic = ReportDialog(services, SynchronousRunner(), None, settings)
    qtbot.addWidget(automatic)
    assert automatic.paper_combo.currentData() is None
    settings.setValue(Reports.PAGE_SIZE.key, "Letter")
    letter = ReportDialog(services, SynchronousRunner(), None, settings)
    qtbot.addWidget(letter)
    assert letter.paper_combo.currentData() == "Letter"
    assert letter.choice().page_size == "Letter"


def test_search_keeps_the_pages_that_mention_the_words(qtbot: Any, services: Services,
                                                       settings: QSettings) -> None:
    dialog = _dialog(qtbot, services, settings)
    matches = dialog.find("passphrase")
    visible = [dialog.page_list.item(r).text() for r in range(dialog.page_list.count())
               if not dialog.page_list.isRowHidden(r)]
    assert visible == ["Sync"] and dialog.current_page() is dialog.sync and matches
    dialog.search.setText("passphrase")
    dialog.focus_match()
    assert dialog.focusWidget() is dialog.sync.passphrase
    dialog.find("theme")
    assert dialog.current_page() is dialog.appearance
    assert dialog.find("no such setting anywhere") == [] and dialog.no_match.isVisibleTo(dialog)
    dialog.find("")
    assert not any(dialog.page_list.isRowHidden(r) for r in range(dialog.page_list.count()))
