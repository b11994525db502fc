"""Unexpected errors reach a dialog a person can act on, from any thread; the app keeps running."""

from __future__ import annotations

import errno
import logging
import sqlite3
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QApplication

from app import __version__
from app.domain.errors import ValidationError
from app.logging_setup import configure_logging
from app.ui import crash_reporting, messages
from app.ui.crash_reporting import (
    CrashDialog,
    ErrorReporter,
    current_reporter,
    install_error_dialog,
    uninstall_error_dialog,
)

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def _raised(error: BaseException) -> ExcInfo:
    try:
        raise error
    except BaseException as caught:  # noqa: BLE001 - the point is to capture any error
        return type(caught), caught, caught.__traceback__


def _bug() -> ExcInfo:
    def compute_totals() -> float:
        return 1 / 0
    try:
        compute_totals()
    except ZeroDivisionError as error:
        return ZeroDivisionError, error, error.__traceback__
    raise AssertionError("unreachable")


@pytest.fixture
def installed(qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[
        ErrorReporter]:
    """The hooks installed for one test and put back afterwards."""
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    install_error_dialog(tmp_path / "logs" / "leadline.log")
    reporter = current_reporter()
    assert reporter is not None
    yield reporter
    if reporter.dialog is not None:
        reporter.dialog.close()
    uninstall_error_dialog()


def test_dialog_shows_summary_advice_and_folded_details(qtbot: Any, tmp_path: Path) -> None:
    log_file = tmp_path / "leadline.log"
    dialog = CrashDialog.for_error(_bug(), log_file)
    qtbot.addWidget(dialog)
    dialog.show()
    assert "Something went wrong" in dialog.summary.text()
    assert "ZeroDivisionError" in dialog.summary.text()
    assert "What you can do" in dialog.advice.text()
    assert not dialog.details.isVisible()
    dialog.details_toggle.click()
    assert dialog.details.isVisible()
    details = dialog.details.toPlainText()
    assert "Traceback" in details and "compute_totals" in details
    assert f"Leadline {__version__}" in details and "Qt " in details and "Python " in details
    assert "OS: " in details and str(log_file) in details


def test_copy_details_puts_the_text_on_the_clipboard(qtbot: Any, tmp_path: Path) -> None:
    dialog = CrashDialog.for_error(_bug(), tmp_path / "leadline.log")
    qtbot.addWidget(dialog)
    QApplication.clipboard().setText("something else")
    dialog.copy_button.click()
    copied = QApplication.clipboard().text()
    assert copied == dialog.details_text and "compute_totals" in copied


def test_open_log_folder_opens_the_folder_of_the_log_file(
        qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[Path] = []
    monkeypatch.setattr(crash_reporting, "open_folder", lambda folder: opened.append(folder))
    dialog = CrashDialog.for_error(_bug(), tmp_path / "logs" / "leadline.log")
    qtbot.addWidget(dialog)
    dialog.folder_button.click()
    assert opened == [tmp_path / "logs"]
    without_log = CrashDialog.for_error(_bug(), None)
    qtbot.addWidget(without_log)
    assert not without_log.folder_button.isEnabled()


@pytest.mark.parametrize(("error", "title"), [
    (OSError(errno.ENOSPC, "No space left on device", "/data/leadline.sqlite"),
     "The disk is full"),
    (sqlite3.OperationalError("attempt to write a readonly database"),
     "The file or folder is read-only"),
    (PermissionError(errno.EACCES, "Permission denied", "/srv/share/leads.csv"),
     "The file or folder is read-only"),
    (FileNotFoundError(errno.ENOENT, "No such file or directory", "/tmp/gone.csv"),
     "A file is missing"),
    (sqlite3.OperationalError("database is locked"), "The database is busy"),
])
def test_known_problems_are_plain_words_without_a_traceback(
        qtbot: Any, tmp_path: Path, error: BaseException, title: str) -> None:
    dialog = CrashDialog.for_error(_raised(error), tmp_path / "leadline.log")
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == title
    shown = " ".join((dialog.summary.text(), dialog.advice.text(), dialog.details_text))
    for technical in ("Traceback", "File \"", ", line "):
        assert technical not in shown
    assert "Something went wrong inside Leadline" not in dialog.summary.text()


def test_an_error_in_the_gui_thread_is_logged_and_shown(
        installed: ErrorReporter, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR):
        sys.excepthook(*_bug())
    assert installed.dialog is not None and installed.dialog.isVisible()
    assert "ZeroDivisionError" in installed.dialog.summary.text()
    assert any(r.exc_info and r.exc_info[0] is ZeroDivisionError for r in caplog.records)


def test_a_worker_thread_exception_reaches_the_dialog_on_the_gui_thread(
        installed: ErrorReporter) -> None:
    shown_on: list[threading.Thread] = []
    original = installed.show_error

    def spy(info: Any) -> None:
        shown_on.append(threading.current_thread())
        original(info)

    installed.raised.disconnect(installed.show_error)
    installed.raised.connect(spy)

    def work() -> None:
        raise RuntimeError("worker exploded")

    worker = threading.Thread(target=work, name="import-worker")
    worker.start()
    worker.join()
    assert installed.dialog is None  # queued: nothing shown from the worker itself
    QCoreApplication.sendPostedEvents()
    QCoreApplication.processEvents()
    assert shown_on == [threading.main_thread()]
    assert installed.dialog is not None and "worker exploded" in installed.dialog.summary.text()


def test_expected_errors_use_the_plain_message_box(
        installed: ErrorReporter, monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr(messages, "error", lambda _p, title, text, *a: shown.append(text))
    sys.excepthook(*_raised(ValidationError.single("email", "is not an email address")))
    assert shown == ["email: is not an email address"] and installed.dialog is None


def test_more_errors_while_the_dialog_is_open_are_counted_not_stacked(
        installed: ErrorReporter) -> None:
    sys.excepthook(*_bug())
    first = installed.dialog
    sys.excepthook(*_bug())
    sys.excepthook(*_raised(KeyError("x")))
    assert installed.dialog is first and first is not None
    assert first.more_errors == 2 and "2 more errors" in first.more_label.text()


def test_the_application_keeps_running_after_an_error(installed: ErrorReporter,
                                                      qtbot: Any) -> None:
    sys.excepthook(*_bug())
    assert installed.dialog is not None
    installed.dialog.close()
    ran: list[bool] = []
    QTimer.singleShot(0, lambda: ran.append(True))
    qtbot.waitUntil(lambda: bool(ran))
    assert isinstance(QApplication.instance(), QApplication)
    sys.excepthook(*_raised(OSError(errno.ENOSPC, "No space left on device")))
    assert installed.dialog is not None and installed.dialog.windowTitle() == "The disk is full"


def test_tracebacks_go_to_the_rotating_log_file(installed: ErrorReporter, tmp_path: Path) -> None:
    log_file = configure_logging(tmp_path / "logdir")
    assert log_file is not None
    try:
        sys.excepthook(*_bug())
    finally:
        root = logging.getLogger()
        for handler in [h for h in root.handlers
                        if getattr(h, "baseFilename", "") == str(log_file)]:
            handler.close()
            root.removeHandler(handler)
    text = log_file.read_text(encoding="utf-8")
    assert "unexpected error" in text and "compute_totals" in text


def test_uninstall_restores_the_previous_hooks(qtbot: Any, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    before = sys.excepthook, threading.excepthook
    install_error_dialog(None)
    assert sys.excepthook is not before[0] and threading.excepthook is not before[1]
    uninstall_error_dialog()
    assert (sys.excepthook, threading.excepthook) == before
