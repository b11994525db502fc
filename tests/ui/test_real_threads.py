"""The window as people run it: the real TaskRunner (worker threads, queued delivery) and real
timers, no synchronous stand-in. Import, re-apply preview, duplicate scan, sync and the daily
jobs run at the same time on one window; the assertions are on what the person sees.

These tests wait for real threads, so each wait has a generous timeout and pytest-timeout
guards the whole test: a freeze fails it instead of hanging the suite.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QSettings
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QApplication, QWizard

from app.domain.leads import LeadQuery, LeadRecord
from app.domain.people import Role, UserRecord
from app.domain.routing import TargetKind
from app.services.container import Services
from app.services.sync_settings import SyncSettings
from app.storage.opening import open_database
from app.ui import main_window as main_window_module
from app.ui.application import build_main_window
from app.ui.dialogs.import_wizard import ImportWizard
from app.ui.dialogs.reassign_dialog import ReassignDialog
from app.ui.main_window import MainWindow
from app.ui.navigation import DUPLICATES
from tests.conftest import FIXED_NOW, FakeClock

WAIT_MS = 30_000
pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def real_window(qtbot: Any, services: Services, settings: QSettings,
                confirmations: list[str],
                monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], MainWindow]]:
    """A window with the real runner; its start-up timers fire within a second, not seconds."""
    monkeypatch.setattr(main_window_module, "DAILY_RESCORE_DELAY_MS", 200)
    monkeypatch.setattr(main_window_module, "PERIODIC_FIRST_MS", 300)
    monkeypatch.setattr(main_window_module, "SYNC_START_DELAY_MS", 100)
    windows: list[MainWindow] = []

    def make() -> MainWindow:
        window = build_main_window(services, settings)
        qtbot.addWidget(window)
        window.show()
        windows.append(window)
        return window

    yield make
    for window in windows:
        if shiboken6.isValid(window):
            window.close()


@pytest.fixture
def other_laptop(tmp_path: Path) -> Iterator[Services]:
    database, _ = open_database(tmp_path / "other" / "leadline.sqlite")
    yield Services.build(database, FakeClock(FIXED_NOW + dt.timedelta(seconds=7)))
    database.dispose()


def _export(path: Path, rows: int) -> Path:
    lines = ["First name,Last name,Company,Email,Country"]
    lines += [f"Imported{i},Visitor,Firm {i % 40},visitor{i}@firm{i % 40}.example,DE"
              for i in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _run_import(qtbot: Any, services: Services, window: MainWindow, path: Path) -> ImportWizard:
    wizard = ImportWizard(services, window.runner, path, window)  # goes with its window
    wizard.show()
    wizard.next()
    wizard.next()
    qtbot.waitUntil(lambda: wizard.report is not None, timeout=WAIT_MS)  # the preview
    wizard.button(QWizard.WizardButton.FinishButton).click()
    return wizard


def _errors(confirmations: list[str]) -> list[str]:
    return [line for line in confirmations if line.startswith("error")]


def test_import_preview_scan_sync_and_daily_jobs_at_once(
        qtbot: Any, real_window: Callable[[], MainWindow], services: Services,
        manager: UserRecord, add_leads: Callable[..., list[LeadRecord]],
        other_laptop: Services, tmp_path: Path, confirmations: list[str]) -> None:
    rep = services.people.add_user("Anna Berger", "anna@example.com", Role.REP)
    add_leads(120, country="DE")
    add_leads(2, first_name="Katherine", last_name="Schneider", email="k.schneider@acme.de")
    services.routing.add_rule("All to Anna", [], TargetKind.USER, rep.id)
    folder = tmp_path / "team-share"
    folder.mkdir()
    other_laptop.leads.create({"first_name": "Remote", "last_name": "Colleague"})
    other_laptop.sync.sync(folder)
    services.sync_settings.save(SyncSettings(folder, interval_minutes=0,
                                             on_start_and_close=False))
    window = real_window()

    wizard = _run_import(qtbot, services, window, _export(tmp_path / "fair.csv", 400))
    reassign = ReassignDialog(services, window.runner, QUndoStack(), lambda: None, window)
    qtbot.addWidget(reassign)
    reassign.show()
    reassign.preview_button.click()
    window.show_page(DUPLICATES)
    window.duplicates.scan()
    assert window.sync.sync_now()
    window.run_periodic_checks()
    window.rescore_daily()

    qtbot.waitUntil(lambda: wizard.imported is not None, timeout=WAIT_MS)
    assert wizard.imported is not None and wizard.imported.counts.created == 400
    qtbot.waitUntil(lambda: "would move" in reassign.count_label.text(), timeout=WAIT_MS)
    assert reassign.model.rowCount() > 0 and reassign.apply_button.isEnabled()
    qtbot.waitUntil(lambda: "duplicate pair" in window.duplicates.status.text(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.sync.label.text().startswith("Synced"), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=WAIT_MS)
    assert _errors(confirmations) == []
    assert services.leads.list(LeadQuery(search="Remote Colleague"))
    assert services.leads.count(LeadQuery()) == 120 + 2 + 400 + 1


def test_reapply_preview_shows_its_result_with_real_threads(
        qtbot: Any, real_window: Callable[[], MainWindow], services: Services,
        manager: UserRecord, add_leads: Callable[..., list[LeadRecord]]) -> None:
    """Closing the progress dialog once the preview finished used to cancel it."""
    rep = services.people.add_user("Anna Berger", "anna@example.com", Role.REP)
    add_leads(30)
    services.routing.add_rule("All to Anna", [], TargetKind.USER, rep.id)
    window = real_window()
    dialog = ReassignDialog(services, window.runner, QUndoStack(), lambda: None, window)
    qtbot.addWidget(dialog)
    dialog.show()
    for _attempt in range(3):
        dialog.preview_button.click()
        qtbot.waitUntil(lambda: dialog.preview_button.isEnabled(), timeout=WAIT_MS)
        assert dialog.count_label.text().startswith("30 of 30 leads would move")
        assert dialog.model.rowCount() == 30


def test_fifty_imports_and_closes_without_a_hang(
        qtbot: Any, real_window: Callable[[], MainWindow], services: Services,
        settings: QSettings, manager: UserRecord, tmp_path: Path,
        confirmations: list[str]) -> None:
    """The freeze after an import was intermittent (1 in 2): fifty rounds of opening the
    window, importing a file and closing the window, each with every background job live."""
    for round_number in range(50):
        window = build_main_window(services, settings)  # as run_session: made, used, deleted
        window.show()
        path = tmp_path / f"round{round_number}.csv"
        path.write_text("First name,Last name,Email\n"
                        f"Round{round_number},Person,round{round_number}@example.com\n"
                        f"Round{round_number},Second,second{round_number}@example.com\n",
                        encoding="utf-8")
        wizard = _run_import(qtbot, services, window, path)
        qtbot.waitUntil(lambda w=wizard: w.imported is not None, timeout=WAIT_MS)
        window.close()
        shiboken6.delete(window)
        QApplication.processEvents()
    assert services.leads.count(LeadQuery()) == 100
    assert _errors(confirmations) == []
