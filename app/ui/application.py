"""Start the GUI: QApplication, database, who-am-I, main window."""

from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path
from types import TracebackType

import shiboken6
from PySide6.QtCore import QSettings
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from app import __version__
from app.domain.errors import LeadlineError
from app.logging_setup import configure_logging
from app.paths import APP_NAME, default_db_path, resource
from app.services.container import Services
from app.storage.opening import open_database
from app.ui import messages
from app.ui.dialogs.profile_dialog import ProfileDialog
from app.ui.main_window import MainWindow
from app.ui.style import release_cached_icons
from app.ui.workers import TaskRunner

log = logging.getLogger(__name__)


def create_application(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    application = QApplication(argv or sys.argv[:1])
    application.setApplicationName(APP_NAME)
    application.setOrganizationName(APP_NAME)
    application.setApplicationVersion(__version__)
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


def install_error_dialog(log_file: Path | None) -> None:
    """Unexpected errors in the GUI are logged and shown with details; the app keeps running."""

    def show(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
        log.error("unexpected error", exc_info=(kind, error, trace))
        if isinstance(error, LeadlineError):
            messages.error(None, "Leadline", str(error))
            return
        where = f" The details are also in {log_file}." if log_file else ""
        messages.error(None, "Unexpected error",
                       f"Something went wrong: {error}.\nYour saved data is safe; the last action "
                       f"may not have finished.{where}",
                       "".join(traceback.format_exception(kind, error, trace)))

    sys.excepthook = show


def run_gui(db_path: Path | None) -> int:
    log_file = configure_logging()
    application = create_application()
    install_error_dialog(log_file)
    path = db_path or default_db_path()
    try:
        database, outcome = open_database(path)
    except LeadlineError as error:
        messages.error(None, "Leadline cannot open its database", str(error))
        return 1
    if outcome.backup:
        log.info("upgraded %s; backup at %s", path, outcome.backup)
    services = Services.build(database)
    if services.people.current_user() is None and ProfileDialog.ask(services.people) is None:
        return 0
    window = build_main_window(services)
    if not window.starts_in_tray():
        window.show()
    code = application.exec()
    shiboken6.delete(window)  # widgets go before the application object, not at interpreter exit
    release_cached_icons()
    database.dispose()
    return code
