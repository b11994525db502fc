"""Start the GUI: QApplication, database, who-am-I, main window."""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QSettings, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from app import __version__
from app.domain.errors import LeadlineError, NotFoundError
from app.domain.people import Role
from app.logging_setup import configure_logging
from app.paths import APP_NAME, DatabaseLocation, ServerAddress, resource
from app.services.backup_service import check_database
from app.services.backup_service import restore as restore_backup
from app.services.container import Services
from app.services.database_opening import open_checked_database
from app.ui import messages
from app.ui.crash_reporting import install_error_dialog
from app.ui.database_choice import (
    Unreachable,
    ask_when_unreachable,
    laptop_file,
    location_at_start,
    switch_requested,
)
from app.ui.dialogs.backup_dialog import RESTORE_PROPERTY
from app.ui.dialogs.profile_dialog import ProfileDialog
from app.ui.local_settings import Appearance, LocalSettings
from app.ui.main_window import MainWindow
from app.ui.single_instance import SingleInstance, bring_to_front
from app.ui.startup_checks import check_before_open
from app.ui.style import apply_theme, release_cached_icons
from app.ui.workers import (
    GuiThreadGarbageCollector,
    TaskRunner,
    limit_malloc_arenas,
    share_the_gil_briskly,
)

log = logging.getLogger(__name__)

SMOKE_TEST_MS = 1000
DAILY_BACKUP_DELAY_MS = 90_000
SMOKE_TEST_EMAIL = "smoke@example.com"


def create_application(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    application = QApplication(argv or sys.argv[:1])
    application.setApplicationName(APP_NAME)
    application.setOrganizationName(APP_NAME)
    application.setApplicationVersion(__version__)
    # Wayland matches windows to resources/leadline.desktop (dock icon, grouping) by this name.
    application.setDesktopFileName("leadline")
    icon = resource("icons/leadline.svg")
    if icon.exists():
        application.setWindowIcon(QIcon(str(icon)))
    return application


def build_main_window(services: Services, settings: QSettings | None = None,
                      runner: TaskRunner | None = None) -> MainWindow:
    """The window with its runner; tests pass their own settings file and a synchronous runner."""
    runner = runner or TaskRunner()
    window = MainWindow(services, runner, settings or QSettings())
    runner.setParent(window)
    return window


@dataclass(frozen=True)
class SessionEnd:
    """How a window's run ended: its exit code, and what to do next (restore a backup into the
    file, or open another database)."""

    code: int
    restore_from: Path | None = None
    switch_to: DatabaseLocation | None = None
    not_opened: str = ""  # why the database could not be opened, in plain words


def run_gui(location: DatabaseLocation | None, smoke_test: bool = False) -> int:
    log_file = configure_logging()
    application = create_application()
    local = LocalSettings(QSettings())
    apply_theme(application, local.get(Appearance.THEME))
    collector = GuiThreadGarbageCollector(application)
    collector.start()
    share_the_gil_briskly()
    limit_malloc_arenas()
    try:
        if smoke_test and not isinstance(location, ServerAddress):
            # The packaged build's own check: on the file named, never on a remembered server.
            return run_smoke_test(application, (location or laptop_file()).expanduser().resolve())
        location = location_at_start(location, local)
        install_error_dialog(log_file)
        while True:
            if isinstance(location, ServerAddress):
                # No file to check, copy or restore: the server looks after its own data.
                end = _run_on_server(application, location)
            else:
                end = _run_windows(application, location.expanduser().resolve())
            if end.switch_to is None:
                return end.code
            log.info("reopening on %s", end.switch_to)
            location = end.switch_to
    finally:
        collector.stop()


def _run_windows(application: QApplication, path: Path) -> SessionEnd:
    instance = SingleInstance(path)
    if not instance.claim():
        log.info("Leadline already has %s open; asked it to come to the front", path)
        return SessionEnd(0)
    try:
        while True:
            chosen = check_before_open(path)
            if chosen is None:
                return SessionEnd(0)
            path = chosen
            end = run_session(application, instance, path)
            if end.not_opened:
                messages.error(None, "Leadline cannot open its database", end.not_opened)
            if end.restore_from is None:
                return end
            _restore_chosen_backup(path, end.restore_from)  # then open the database again
    finally:
        instance.release()


def _run_on_server(application: QApplication, address: ServerAddress,
                   ask: Callable[[ServerAddress, str], Unreachable] = ask_when_unreachable
                   ) -> SessionEnd:
    """Connect (again, as often as the person asks) and run the window; a server out of reach
    offers the laptop's own file for this run instead of a traceback."""
    while True:
        end = run_session(application, None, address)
        if not end.not_opened:
            return end
        log.warning("team server %s not opened: %s", address, end.not_opened)
        choice = ask(address, end.not_opened)
        if choice is Unreachable.LAPTOP_FILE:
            return SessionEnd(0, switch_to=laptop_file())
        if choice is Unreachable.QUIT:
            return SessionEnd(1)


def run_session(application: QApplication, instance: SingleInstance | None,
                location: DatabaseLocation) -> SessionEnd:
    """Open the database, run the window until it closes, close the database; the end names
    the backup the person chose to restore (restored once the database is closed) or the
    database to open next, if any, or why the database could not be opened."""
    try:
        database, outcome = open_checked_database(location)
    except LeadlineError as error:
        return SessionEnd(1, not_opened=str(error))
    if outcome.backup:
        log.info("upgraded %s; backup at %s", location, outcome.backup)
    services = Services.build(database)
    if services.people.current_user() is None and \
            ProfileDialog.ask(services.people, lock=services.lock) is None:
        database.dispose()
        return SessionEnd(0)
    window = build_main_window(services)

    def show_window() -> None:
        bring_to_front(window)

    if instance is not None:
        instance.raiseRequested.connect(show_window)
    if not window.starts_in_tray():
        window.show()
    schedule_daily_backup(services, window)
    code = application.exec()
    # A leftover quit request would end the next window's loop at once after a restore.
    QCoreApplication.removePostedEvents(application, QEvent.Type.Quit)
    if instance is not None:
        instance.raiseRequested.disconnect(show_window)
    chosen = window.property(RESTORE_PROPERTY)
    end = SessionEnd(code, Path(chosen) if chosen else None, switch_requested(window))
    shiboken6.delete(window)  # widgets go before the application object, not at interpreter exit
    release_cached_icons()
    if end.restore_from is None:
        backup_on_close(services)
    database.dispose()
    return end


def schedule_daily_backup(services: Services, window: MainWindow) -> None:
    """The daily backup, once the start-up burst is over (first counts, the sync on start,
    today's re-score): copying a big file meanwhile would slow what the person waits for."""
    QTimer.singleShot(DAILY_BACKUP_DELAY_MS, window,
                      lambda: start_daily_backup(services, window.runner))


def start_daily_backup(services: Services, runner: TaskRunner) -> None:
    """Once a day, on the runner: a backup only reads the database, so work goes on meanwhile."""

    def failed(error: Exception, _details: str) -> None:
        log.warning("daily backup failed: %s", error)

    runner.start(lambda _state: services.backups.daily_if_due(),
                 on_done=lambda made: log.info("daily backup: %s", made) if made else None,
                 on_error=failed)


def backup_on_close(services: Services) -> None:
    try:
        services.backups.on_close()
    except LeadlineError as error:
        log.warning("backup on close failed: %s", error)
        messages.error(None, "Backup on close failed", str(error))


def _restore_chosen_backup(path: Path, backup: Path) -> None:
    try:
        aside = restore_backup(path, backup)
    except LeadlineError as error:
        messages.error(None, "Backup not restored",
                       f"{error}\n\nLeadline opens the database as it was.")
        return
    messages.info(None, "Backup restored",
                  f"{backup.name} is back in place; Leadline opens it now. The database it "
                  f"replaced is kept at {aside}.")


def sign_in_smoke_test_user(services: Services) -> None:
    # example.com rather than .invalid: the email check refuses reserved top-level domains.
    try:
        user = services.people.user_by_email(SMOKE_TEST_EMAIL)
    except NotFoundError:
        user = services.people.add_user("Smoke Test", SMOKE_TEST_EMAIL, Role.ADMIN)
    services.people.sign_in(user.id)


def run_smoke_test(application: QApplication, path: Path) -> int:
    """For packaging checks: the real start-up without questions, a second of the window, exit.

    Prints one line on stdout; exit code 0 when everything worked.
    """
    failures: list[BaseException] = []
    previous_hook = sys.excepthook
    # Errors inside the event loop reach the excepthook, not this function's try block.
    sys.excepthook = lambda _kind, error, _trace: failures.append(error)
    try:
        check = check_database(path)
        if not check.ok:
            raise LeadlineError(check.message)
        database, outcome = open_checked_database(path)
        try:
            services = Services.build(database)
            if services.people.current_user() is None:
                sign_in_smoke_test_user(services)
            window = build_main_window(services)
            window.show()
            # Closing the last window ends the event loop; the second timer (gone with the
            # window) only guards against a window that refuses to close.
            QTimer.singleShot(SMOKE_TEST_MS, window, window.close)
            QTimer.singleShot(SMOKE_TEST_MS + 10_000, window, application.quit)
            application.exec()
            QCoreApplication.removePostedEvents(application, QEvent.Type.Quit)
            shiboken6.delete(window)
            release_cached_icons()
        finally:
            database.dispose()
        if failures:
            raise failures[0]
    except BaseException as error:  # noqa: BLE001 (report anything, the build must not pass)
        traceback.print_exception(error, file=sys.stderr)
        print(f"smoke test failed: {type(error).__name__}: {error}", flush=True)
        return 1
    finally:
        sys.excepthook = previous_hook
    print(f"smoke test ok: {database.path} schema {outcome.to_revision}", flush=True)
    return 0
