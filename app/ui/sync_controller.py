"""When and how the main window syncs with the team folder, and what the status bar says about it.

One sync at a time on the TaskRunner; a request while one runs is remembered once and run after
it. The status-bar label shows progress, then "Synced 14:32 · sent 12 · received 40 · 2
conflicts" (the conflicts link opens the review inbox); problems are links to a details box.
Closing the window runs one last sync on a plain thread behind a small modal progress and gives
up after ``CLOSE_TIMEOUT_S`` seconds: closing is never held hostage by a slow network drive.
"""

from __future__ import annotations

import html
import logging
import threading
import time
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEventLoop, QObject, QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QProgressDialog

from app.domain.errors import LeadlineError
from app.services.container import Services
from app.services.sync.hub import hub_folder, sync_as_configured
from app.services.sync.report import SyncReport
from app.services.sync_settings import SyncSettings
from app.ui import messages
from app.ui.dialogs.sync_settings_dialog import forget_legacy_laptop_settings, legacy_laptop_settings
from app.ui.local_settings import LocalSettings
from app.ui.style import alarm_colour, warning_colour
from app.ui.wording import counted
from app.ui.workers import JobState, Lane, TaskRunner

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

log = logging.getLogger(__name__)

START_DELAY_MS = 4000
CLOSE_TIMEOUT_S = 10.0
PENDING_REFRESH_MS = 30_000
# The service reports stages as text; the label turns them into a rough percentage.
_STAGES = (("Reading", 10), ("Recording", 35), ("Publishing", 60), ("Merging", 80))


def _percent(stage: str) -> int:
    return next((p for prefix, p in _STAGES if stage.startswith(prefix)), 50)


def _link(target: str, text: str, colour: str) -> str:
    return (f"<a href='{target}' style='color:{colour}; font-weight:600; "
            f"text-decoration:none'>{html.escape(text)}</a>")


class SyncController(QObject):
    def __init__(self, window: MainWindow, services: Services, runner: TaskRunner,
                 settings: QSettings) -> None:
        super().__init__(window)
        self.window, self.services, self.runner = window, services, runner
        self.local = LocalSettings(settings)
        self.label = QLabel()
        self.label.setObjectName("syncLabel")
        self.label.setContentsMargins(6, 0, 6, 0)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.linkActivated.connect(self.open_link)
        self.running = False
        self._queued = False
        self.pending = 0
        self.conflicts_waiting = 0
        self.last_report: SyncReport | None = None
        self._details: tuple[str, str, str] | None = None  # title, text, details
        self._synced_at = services.context.clock().astimezone()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.sync_now)
        self._base = ""  # the sync part of the label; pending changes and conflicts follow it
        self._extra = ""
        self._counting = False
        self.pending_timer = QTimer(self)
        self.pending_timer.setInterval(PENDING_REFRESH_MS)
        self.pending_timer.timeout.connect(self.refresh_pending)
        self.adopt_laptop_wide_settings()
        self.apply_settings()

    # -- settings -----------------------------------------------------------------------------
    def config(self) -> SyncSettings:
        return self.services.sync_settings.load()

    def adopt_laptop_wide_settings(self) -> None:
        """An older Leadline kept one sync folder for the whole laptop and used it for every
        database opened. It is taken over only by a database that already synced there, then
        forgotten, so no other database ever syncs to it unasked."""
        legacy = legacy_laptop_settings(self.local)
        if legacy is None:
            return
        if self.services.sync_settings.adopt_laptop_wide(legacy):
            log.info("sync settings taken over from the laptop's settings for %s",
                     self.services.context.db.path)
            forget_legacy_laptop_settings(self.local)

    def copied_database_notice(self) -> str | None:
        """Set when this file's sync settings were set aside because it was copied or moved."""
        aside = self.services.sync_settings.stored().set_aside_folder
        if aside is None:
            return None
        return (f"This database was copied or moved since it synced with {aside}: sync is off "
                "for it until you choose its folder (File → Sync settings).")

    def apply_settings(self) -> None:
        """Re-read the sync settings: timer and idle label follow (after the settings dialog)."""
        config = self.config()
        self.timer.stop()
        if config.enabled and config.interval_minutes:
            self.timer.start(config.interval_minutes * 60_000)
        if not self.running:
            self._show_idle(config)
        if config.enabled:
            self.pending_timer.start()
            self.refresh_pending()
        else:
            self.pending_timer.stop()

    def _show_idle(self, config: SyncSettings) -> None:
        self.label.setVisible(config.enabled)
        if not config.enabled:
            self._base = self._extra = ""
            self.label.clear()
            return
        # The database knows when it last merged, also through the CLI or another window.
        synced = self.services.sync.last_synced()
        last = f"{synced.astimezone():%Y-%m-%d %H:%M}" if synced is not None else ""
        self._set_base(f"Last synced {html.escape(last)}" if last else "Not synced yet")
        self.label.setToolTip(f"{config.place}\nSync now: F5")

    def _set_base(self, text: str) -> None:
        self._base = text
        self.label.setText(text + self._extra)

    # -- pending changes and open conflicts -----------------------------------------------------
    def refresh_pending(self) -> None:
        """Count, in the background, what the next sync would send and the conflicts waiting."""
        config = self.config()
        folder = config.folder if config.server is None else \
            hub_folder(self.services.context.db, config.server)
        if folder is None or self._counting:
            return
        self._counting = True
        sync = self.services.sync

        def work(_state: JobState) -> tuple[int, int]:
            return sync.pending_changes(folder), len(sync.open_conflicts())

        def failed(error: Exception, _details: str) -> None:
            self._counting = False
            log.warning("counting pending sync changes failed: %s", error)

        self.runner.start(work, on_done=self._show_pending, on_error=failed, lane=Lane.READ)

    def _show_pending(self, counts: tuple[int, int]) -> None:
        self._counting = False
        pending, conflicts = counts
        self.pending, self.conflicts_waiting = counts
        extra = ""
        if pending:
            extra += " · " + html.escape(counted(pending, "change") + " to send")
        if conflicts and "conflict" not in self._base:
            extra += " · " + _link("conflicts", counted(conflicts, "conflict") + " to review", alarm_colour())
        self._extra = extra
        if not self.running:
            self.label.setText(self._base + extra)

    # -- running ------------------------------------------------------------------------------
    def sync_on_start(self) -> None:
        config = self.config()
        if config.enabled and config.on_start_and_close:
            self.sync_now()

    def sync_now(self) -> bool:
        """Start a background sync; False when none was started (off, or queued behind one)."""
        config = self.config()
        if not config.enabled:
            self.window.statusBar().showMessage(
                "Sync is off: choose the shared folder or the team server in "
                "File → Sync settings…", 8000)
            return False
        if self.running:
            self._queued = True
            return False
        self.running = True
        self._show_progress(0)
        services = self.services

        def work(state: JobState) -> SyncReport:
            return sync_as_configured(
                services, config, progress=lambda stage: state.report(_percent(stage), 100))

        self.runner.start(work, on_done=self._done, on_error=self._failed,
                          on_progress=lambda done, _total: self._show_progress(done))
        return True

    def _show_progress(self, percent: int) -> None:
        self.label.show()
        self.label.setText(f"Syncing… {percent}%")
        self._extra = ""

    def _finish(self) -> None:
        self.running = False
        self.refresh_pending()
        if self._queued:
            self._queued = False
            self.sync_now()

    def _done(self, report: SyncReport) -> None:
        self.last_report = report
        self._remember_time()
        self._set_base(self.describe(report))
        self.label.setToolTip(f"{self.config().place}\n"
                              f"Files read: {report.files_read:,}\nSync now: F5")
        if report.received_ops or report.conflicts:
            self.window.refresh_all()
            self.window.conflicts_changed()
        self._finish()

    def _failed(self, error: Exception, details: str) -> None:
        log.warning("sync failed: %s", error)
        text = str(error) if isinstance(error, LeadlineError) else "Sync failed unexpectedly."
        self._details = ("Sync failed", text, "" if isinstance(error, LeadlineError) else details)
        self._set_base(_link("details", f"Sync failed: {text}", alarm_colour()))
        self.label.setToolTip("Click for details")
        self._finish()

    def _remember_time(self) -> None:
        self._synced_at = self.services.context.clock().astimezone()

    def describe(self, report: SyncReport) -> str:
        """The label after a sync: counts, then links for conflicts and problems."""
        if report.passphrase_rejected:
            self._details = ("Wrong team passphrase",
                             "The files in the shared folder were written with another team "
                             "passphrase (or need one). Nothing was received or published. Set "
                             "the team's passphrase in File → Sync settings….",
                             "\n".join(f"{name}: {reason}"
                                       for name, reason in report.files_skipped))
            return _link("details", "Sync: wrong team passphrase", alarm_colour())
        parts = [f"Synced {self._synced_at:%H:%M}", f"sent {report.sent_ops:,}",
                 f"received {report.received_ops:,}"]
        text = html.escape(" · ".join(parts))
        if report.conflicts:
            text += " · " + _link("conflicts", counted(len(report.conflicts), "conflict"), alarm_colour())
        problems: list[str] = []
        lines: list[str] = []
        if report.files_skipped:
            problems.append(counted(len(report.files_skipped), "file") + " skipped")
            lines += [f"Skipped {name}: {reason}" for name, reason in report.files_skipped]
        if report.clock_ahead:
            problems.append("a clock is ahead")
            lines.append("Another laptop's clock is more than 10 minutes ahead: merges stay "
                         "correct, but its clock should be fixed.")
        if report.refused_laptops:  # its own words: someone on the team is locked out
            problems.append("a laptop has another passphrase")
        other_warnings = len(report.warnings) - (1 if report.refused_laptops else 0)
        if other_warnings:
            problems.append(counted(other_warnings, "warning"))
        lines += [f"Warning: {w}" for w in report.warnings]
        if problems:
            self._details = ("Sync warnings", "\n".join(lines[:12]), "\n".join(lines))
            text += " · " + _link("details", "⚠ " + ", ".join(problems), warning_colour())
        else:
            self._details = None
        return text

    def open_link(self, target: str) -> None:
        if target == "conflicts":
            self.window.review_conflicts()
        elif target == "details" and self._details is not None:
            title, text, details = self._details
            messages.error(self.window, title, text, details)

    # -- closing ------------------------------------------------------------------------------
    def sync_before_close(self, timeout_s: float = CLOSE_TIMEOUT_S) -> bool:
        """A last sync while the window closes, never longer than ``timeout_s``; failures are
        logged and closing goes on. True when a sync ran to the end."""
        config = self.config()
        self.timer.stop()
        if not config.enabled or not config.on_start_and_close:
            return False
        deadline = time.monotonic() + timeout_s
        progress = QProgressDialog("Syncing with the team folder before closing…", "", 0, 0,
                                   self.window)
        progress.setWindowTitle("Leadline")
        progress.setCancelButton(None)
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(0)
        progress.show()
        try:
            while self.running and time.monotonic() < deadline:  # a background sync finishing
                _pump(0.05)
            if self.running:
                log.warning("sync on close skipped: the running sync did not finish in time")
                return False
            result: dict[str, Any] = {}
            services = self.services

            def work() -> None:
                try:
                    result["report"] = sync_as_configured(services, config)
                except Exception as error:  # logged below; closing goes on
                    result["error"] = error

            thread = threading.Thread(target=work, name="leadline-sync-on-close", daemon=True)
            thread.start()
            while thread.is_alive() and time.monotonic() < deadline:
                _pump(0.05)
                thread.join(0.05)
            if thread.is_alive():
                log.warning("sync on close did not finish within %.0f s; closing anyway",
                            timeout_s)
                return False
            if "error" in result:
                log.warning("sync on close failed: %s", result["error"])
                return False
            self._remember_time()
            return True
        finally:
            progress.close()
            progress.deleteLater()


def _pump(seconds: float) -> None:
    app = QApplication.instance()
    if app is not None:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, int(seconds * 1000))
    time.sleep(0.01)

