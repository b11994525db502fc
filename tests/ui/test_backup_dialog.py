"""The backups dialog: the list, "Back up now" on the runner, and handing a restore to the app."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QWidget

from app.services.backup_service import BackupPolicy
from app.services.container import Services
from app.ui.dialogs import backup_dialog
from app.ui.dialogs.backup_dialog import RESTORE_PROPERTY, BackupDialog, back_up_now, size_text
from app.ui.workers import SynchronousRunner
from tests.conftest import FakeClock


def make_dialog(qtbot: Any, services: Services, parent: QWidget | None = None) -> BackupDialog:
    dialog = BackupDialog(services, SynchronousRunner(), parent)
    if parent is None:
        qtbot.addWidget(dialog)
    return dialog


def rows(dialog: BackupDialog) -> list[list[str]]:
    return [[dialog.table.topLevelItem(i).text(c) for c in range(3)]
            for i in range(dialog.table.topLevelItemCount())]


def test_lists_backups_newest_first_with_reason_and_size(
        qtbot: Any, services: Services, clock: FakeClock) -> None:
    services.backups.back_up()
    clock.advance(hours=1)
    services.backups.on_close()
    dialog = make_dialog(qtbot, services)
    listed = rows(dialog)
    assert [r[1] for r in listed] == ["On close", "Manual"]
    assert all(r[2].endswith("KB") for r in listed)
    assert dialog.selected_path() == services.backups.backups()[0].path


def test_empty_folder_says_how_to_start(qtbot: Any, services: Services) -> None:
    dialog = make_dialog(qtbot, services)
    assert rows(dialog) == [] and "Back up now" in dialog.status.text()


def test_back_up_now_adds_a_row(qtbot: Any, services: Services) -> None:
    dialog = make_dialog(qtbot, services)
    dialog.backup_button.click()
    assert len(rows(dialog)) == 1 and dialog.backup_button.isEnabled()
    assert "Backup written" in dialog.status.text()
    assert services.backups.backups()[0].reason == "manual"


def test_back_up_failure_is_shown(qtbot: Any, services: Services, confirmations: list[str],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    services.backups.folder().parent.joinpath("backups").write_text("a file, not a folder")
    dialog = make_dialog(qtbot, services)
    dialog.backup_button.click()
    assert any("Backup failed" in text for text in confirmations)
    assert dialog.backup_button.isEnabled()


def test_menu_back_up_now_reports_in_the_status_bar(services: Services) -> None:
    shown: list[str] = []
    back_up_now(None, services, SynchronousRunner(), shown.append)
    assert len(shown) == 1 and "Backup written" in shown[0]


def test_restore_confirms_then_closes_the_window_for_the_app_to_restore(
        qtbot: Any, services: Services, confirmations: list[str]) -> None:
    made = services.backups.back_up()
    window = QWidget()
    qtbot.addWidget(window)
    window.show()
    dialog = make_dialog(qtbot, services, window)
    assert dialog.restore(made.path)
    assert "kept as" in confirmations[0] and "before-restore" in confirmations[0]
    assert window.property(RESTORE_PROPERTY) == str(made.path)
    assert not window.isVisible()
    assert dialog.restore_requested == made.path


def test_restore_is_refused_for_a_bad_file(qtbot: Any, services: Services, tmp_path: Path,
                                           confirmations: list[str]) -> None:
    junk = tmp_path / "junk.sqlite"
    junk.write_text("not a database")
    window = QWidget()
    qtbot.addWidget(window)
    window.show()
    dialog = make_dialog(qtbot, services, window)
    assert not dialog.restore(junk)
    assert any("junk.sqlite" in text and "cannot be restored" in text for text in confirmations)
    assert window.property(RESTORE_PROPERTY) is None and window.isVisible()


def test_restore_cancelled_changes_nothing(qtbot: Any, services: Services,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    made = services.backups.back_up()
    monkeypatch.setattr(backup_dialog.messages, "confirm", lambda *a, **k: False)
    window = QWidget()
    qtbot.addWidget(window)
    window.show()
    dialog = make_dialog(qtbot, services, window)
    assert not dialog.restore(made.path)
    assert window.property(RESTORE_PROPERTY) is None and window.isVisible()


def test_policy_does_not_affect_manual_backups(qtbot: Any, services: Services) -> None:
    services.backups.set_policy(BackupPolicy(daily=False, on_close=False,
                                             before_big_operations=False, keep=1))
    dialog = make_dialog(qtbot, services)
    dialog.backup_button.click()
    dialog.backup_button.click()
    assert len(rows(dialog)) == 2


@pytest.mark.parametrize(("size", "text"), [(512, "512 bytes"), (2048, "2.0 KB"),
                                            (5 * 1024 * 1024, "5.0 MB")])
def test_size_text(size: int, text: str) -> None:
    assert size_text(size) == text
