"""Sync in the window: settings dialog, Sync now (F5) against a second laptop's database, the
status-bar label (counts, conflicts link, errors, wrong passphrase), one queued request, and the
last sync on close."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QKeySequence

from app.domain.leads import LeadQuery
from app.services.container import Services
from app.services.sync_settings import SyncSettings, SyncSettingsStore
from app.storage.opening import open_database
from app.ui.dialogs.sync_settings_dialog import legacy_laptop_settings, sync_settings_dialog
from app.ui.local_settings import LegacySync, LocalSettings
from app.ui.main_window import MainWindow
from app.ui.navigation import LEADS
from app.ui.sync_controller import SyncController
from app.ui.workers import JobState, TaskRunner
from tests.conftest import FIXED_NOW, FakeClock

Make = Callable[[], MainWindow]


@pytest.fixture
def other(tmp_path: Path) -> Iterator[Services]:
    """A second laptop: its own database file, its clock a few seconds off."""
    database, _ = open_database(tmp_path / "other" / "leadline.sqlite")
    yield Services.build(database, FakeClock(FIXED_NOW + dt.timedelta(seconds=7)))
    database.dispose()


def _configure(qtbot: Any, store: SyncSettingsStore, folder: Path, passphrase: str = "") -> None:
    dialog = sync_settings_dialog(store)
    qtbot.addWidget(dialog)
    dialog.page.folder.setText(str(folder))
    dialog.page.passphrase.setText(passphrase)
    dialog.page.interval.setValue(15)
    dialog.save()
    assert dialog.result() == dialog.DialogCode.Accepted


def _names(window: MainWindow) -> set[str]:
    model = window.leads.model
    return {r.display_name for r in (model.record(i) for i in range(model.rowCount())) if r}


def test_sync_now_brings_the_other_laptops_lead_and_shows_counts(
        qtbot: Any, make_window: Make, services: Services, other: Services, folder: Path,
        settings: QSettings, clock: FakeClock) -> None:
    lead = services.leads.create({"first_name": "Local", "last_name": "Lead"})
    remote = other.leads.create({"first_name": "Remote", "last_name": "Lead",
                                 "company": "Far Away GmbH"})
    other.sync.sync(folder)
    window = make_window()
    assert not window.sync.label.isVisible()  # sync off: nothing in the status bar
    assert window.sync_now_action.shortcut() == QKeySequence("F5")
    _configure(qtbot, services.sync_settings, folder)
    window.sync.apply_settings()
    assert window.sync.timer.isActive() and window.sync.timer.interval() == 15 * 60_000
    # Everything made before the first sync is waiting to be sent: lead, history line...
    assert window.sync.label.text().startswith("Not synced yet · ")
    assert window.sync.label.text().endswith("changes to send") and window.sync.pending > 0

    window.show_page(LEADS)
    window.sync_now_action.trigger()
    report = window.sync.last_report
    assert report is not None and report.received_ops > 0 and report.sent_ops > 0
    assert "Remote Lead" in _names(window) and "Local Lead" in _names(window)
    text = window.sync.label.text()
    local = clock().astimezone()
    assert f"Synced {local:%H:%M} · sent {report.sent_ops:,} · received " \
        f"{report.received_ops:,}" in text
    assert "conflict" not in text and "to send" not in text and window.sync.pending == 0
    assert services.sync.last_synced() == clock(), "the database keeps when it last synced"

    # Concurrent edits of the same field: a red conflicts link that opens the review inbox.
    other.sync.sync(folder)
    services.leads.update(remote.id, {"company": "From here"})
    other.leads.update(remote.id, {"company": "From there"})
    other.sync.sync(folder)
    window.sync.sync_now()
    assert "1 conflict</a>" in window.sync.label.text()
    assert "#c62828" in window.sync.label.text()
    window.sync.label.linkActivated.emit("conflicts")
    inbox = window._conflicts_dialog
    assert inbox is not None and inbox.isVisible()
    qtbot.waitUntil(lambda: inbox.model.rowCount() == 1)
    inbox.close()
    assert lead.id != remote.id


def test_missing_folder_is_shown_in_the_status_bar_with_details(
        make_window: Make, services: Services, tmp_path: Path,
        confirmations: list[str]) -> None:
    services.sync_settings.save(SyncSettings(tmp_path / "unplugged-usb-stick"))
    window = make_window()
    window.sync_now()
    text = window.sync.label.text()
    assert "Sync failed" in text and "does not exist" in text and not window.sync.running
    window.sync.open_link("details")
    assert confirmations and "Sync failed" in confirmations[-1]


def test_settings_dialog_refuses_a_missing_folder_and_keeps_the_passphrase_local(
        qtbot: Any, services: Services, tmp_path: Path, folder: Path) -> None:
    store = services.sync_settings
    dialog = sync_settings_dialog(store)
    qtbot.addWidget(dialog)
    dialog.page.folder.setText(str(tmp_path / "Z-drive-not-mounted"))
    dialog.save()
    assert dialog.page.error.isVisibleTo(dialog) and "mount" in dialog.page.error.text()
    assert store.load().folder is None
    assert dialog.page.passphrase.echoMode() == dialog.page.passphrase.EchoMode.Password
    dialog.page.show_passphrase.setChecked(True)
    assert dialog.page.passphrase.echoMode() == dialog.page.passphrase.EchoMode.Normal
    dialog.page.folder.setText(str(folder))
    dialog.page.passphrase.setText("team secret")
    dialog.page.on_start_close.setChecked(False)
    dialog.save()
    assert store.load() == SyncSettings(folder, "team secret", 0, False)


def test_wrong_passphrase_is_a_clear_warning(
        qtbot: Any, services: Services, make_window: Make, other: Services, folder: Path, settings: QSettings,
        confirmations: list[str]) -> None:
    other.leads.create({"first_name": "Secret", "last_name": "Lead"})
    other.sync.sync(folder, "right one")
    _configure(qtbot, services.sync_settings, folder, "wrong one")
    window = make_window()
    window.sync_now()
    assert "wrong team passphrase" in window.sync.label.text()
    assert "Secret Lead" not in _names(window)
    window.sync.open_link("details")
    assert "Wrong team passphrase" in confirmations[-1]


class _HeldRunner(TaskRunner):
    """Keeps jobs until the test releases them: a sync 'in the background'."""

    def __init__(self) -> None:
        super().__init__()
        self.jobs: list[tuple[Any, Any]] = []

    def start(self, work: Any, *, on_done: Any = None, on_error: Any = None,
              on_progress: Any = None, lane: Any = None, owner: Any = None) -> JobState:
        self.jobs.append((work, on_done))
        state = JobState()
        state.on_progress = on_progress
        self.state = state
        return state

    def release(self) -> None:
        work, on_done = self.jobs.pop(0)
        on_done(work(self.state))

    def syncs(self) -> int:
        return sum(getattr(on_done, "__name__", "") == "_done" for _work, on_done in self.jobs)

    def count_pending(self) -> None:
        """Run the queued pending-changes counts (they wait behind nothing)."""
        for job in [j for j in self.jobs if getattr(j[1], "__name__", "") == "_show_pending"]:
            self.jobs.remove(job)
            job[1](job[0](self.state))


def test_one_sync_at_a_time_and_a_second_request_is_queued_once(
        qtbot: Any, services: Services, make_window: Make, folder: Path, settings: QSettings) -> None:
    _configure(qtbot, services.sync_settings, folder)
    window = make_window()
    runner = _HeldRunner()
    controller = SyncController(window, window.services, runner, settings)
    assert controller.sync_now()
    assert controller.label.text() == "Syncing… 0%"
    assert not controller.sync_now() and not controller.sync_now()
    runner.count_pending()
    assert runner.syncs() == 1 and runner.jobs[0][1].__name__ == "_done"
    runner.release()
    runner.count_pending()
    assert runner.syncs() == 1 and controller.running  # the queued one started
    runner.release()
    runner.count_pending()
    assert not runner.jobs and not controller.running
    assert controller.label.text().startswith("Synced")


def test_closing_the_window_publishes_local_changes(
        qtbot: Any, make_window: Make, services: Services, other: Services, folder: Path,
        settings: QSettings) -> None:
    _configure(qtbot, services.sync_settings, folder)
    window = make_window()
    services.leads.create({"first_name": "Written", "last_name": "Before Close"})
    window.close()
    assert other.sync.sync(folder).received_ops > 0
    assert other.leads.list(LeadQuery(search="Before Close"))


def test_a_second_database_never_syncs_into_the_first_ones_folder(
        qtbot: Any, services: Services, make_window: Make, other: Services, folder: Path,
        settings: QSettings) -> None:
    """The folder belongs to the database it was chosen for, not to the laptop."""
    _configure(qtbot, services.sync_settings, folder)
    assert other.sync_settings.load().folder is None
    second = SyncController(make_window(), other, SynchronousRunnerForTests(), settings)
    assert second.config().folder is None and not second.sync_now()
    assert not list(folder.iterdir()), "nothing of the second database reached the team folder"


def test_a_copied_database_starts_with_sync_off_and_says_why(
        qtbot: Any, services: Services, folder: Path, tmp_path: Path) -> None:
    import shutil

    _configure(qtbot, services.sync_settings, folder, "team secret")
    services.context.db.engine.dispose()
    copy_path = tmp_path / "copy" / "leadline.sqlite"
    copy_path.parent.mkdir()
    shutil.copy(services.context.db.path, copy_path)
    copy, _ = open_database(copy_path)
    try:
        stored = SyncSettingsStore(copy).stored()
        assert stored.settings.folder is None and stored.settings.passphrase is None
        assert stored.set_aside_folder == folder
        dialog = sync_settings_dialog(SyncSettingsStore(copy))
        qtbot.addWidget(dialog)
        assert "copied or moved" in dialog.page.error.text() and dialog.page.folder.text() == ""
    finally:
        copy.dispose()
    assert services.sync_settings.load().folder == folder, "the original keeps its folder"


def test_laptop_wide_settings_of_an_older_version_go_to_the_database_that_synced_there(
        qtbot: Any, services: Services, other: Services, folder: Path, settings: QSettings,
        make_window: Make) -> None:
    services.leads.create({"first_name": "Team", "last_name": "Lead"})
    services.sync.sync(folder)  # this database published there under the older version
    settings.setValue(LegacySync.FOLDER.key, str(folder))
    legacy = legacy_laptop_settings(LocalSettings(settings))
    assert legacy is not None and not other.sync_settings.adopt_laptop_wide(legacy)
    assert other.sync_settings.load().folder is None, "never synced there: not adopted"
    window = make_window()
    assert window.sync.config().folder == folder
    assert settings.value(LegacySync.FOLDER.key) is None, "adopted once, then forgotten"


class SynchronousRunnerForTests(TaskRunner):
    def start(self, work: Any, *, on_done: Any = None, on_error: Any = None,
              on_progress: Any = None, lane: Any = None, owner: Any = None) -> JobState:
        state = JobState()
        if on_done is not None:
            on_done(work(state))
        return state
