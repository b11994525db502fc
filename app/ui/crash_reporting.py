"""Unexpected errors: logged, then shown in a dialog a person can act on; the app keeps running.

``install_error_dialog`` hooks ``sys.excepthook`` (errors in slots and event handlers) and
``threading.excepthook`` (errors in worker threads). Both hand the error to a QObject living on
the GUI thread through a signal, so a worker's error is queued to the GUI thread and shown there.
Known environment problems (disk full, read-only, missing file, database locked) are explained
in plain words by :func:`app.services.problems.describe_problem`; bugs get the crash dialog with
the traceback under "Details".
"""

from __future__ import annotations

import contextlib
import logging
import platform
import sys
import threading
import traceback
from pathlib import Path
from types import TracebackType
from typing import Any

from PySide6.QtCore import QObject, Qt, QUrl, Signal, qVersion
from PySide6.QtCore import __version__ as pyside_version
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app import __version__
from app.domain.errors import LeadlineError
from app.redaction import redact
from app.services.problems import KnownProblem, describe_problem
from app.ui import messages
from app.ui.wording import counted

log = logging.getLogger(__name__)

BUG_TITLE = "Leadline ran into a problem"
BUG_SUMMARY = ("Something went wrong inside Leadline: {error}. Your saved data is safe; the last "
               "action may not have finished.")
BUG_ADVICE = ("Try the action again. If it keeps happening, click “Copy details” and send the "
              "text to whoever looks after Leadline for your team, together with what you were "
              "doing.")
ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def environment_text(log_file: Path | None) -> str:
    """Versions and places that help whoever reads a crash report."""
    return "\n".join((
        f"Leadline {__version__}",
        f"Qt {qVersion()}, PySide6 {pyside_version}",
        f"Python {platform.python_version()} ({platform.python_implementation()})",
        f"OS: {platform.platform()}",
        f"Log file: {log_file if log_file else 'none (the log folder cannot be written)'}",
    ))


def crash_details(info: ExcInfo, log_file: Path | None, problem: KnownProblem | None) -> str:
    """The details text: the error (with its traceback for bugs) and the environment."""
    kind, error, trace = info
    if problem is None:
        what = "".join(traceback.format_exception(kind, error, trace)).rstrip()
    else:
        what = f"{kind.__name__}: {error}"
    return f"{redact(what)}\n\n{environment_text(log_file)}\n"


def open_folder(folder: Path) -> bool:
    """Open ``folder`` in the system's file manager (tests replace this)."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


class CrashDialog(QDialog):
    """Plain summary, what to do, and the technical details folded away until asked for."""

    def __init__(self, title: str, summary: str, advice: str, details: str,
                 log_file: Path | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.log_file = log_file
        self.details_text = details
        self.more_errors = 0

        icon = QLabel()
        icon.setPixmap(self.style().standardIcon(
            QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(48, 48))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.title_label = QLabel(f"<b>{_html(title)}</b>")
        self.summary = QLabel(summary)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.advice = QLabel(f"<b>What you can do:</b> {_html(advice)}")
        self.advice.setWordWrap(True)
        self.more_label = QLabel()
        self.more_label.setWordWrap(True)
        self.more_label.hide()
        text_column = QVBoxLayout()
        for label in (self.title_label, self.summary, self.advice, self.more_label):
            text_column.addWidget(label)
        top = QHBoxLayout()
        top.addWidget(icon)
        top.addLayout(text_column, 1)

        self.details_toggle = QToolButton()
        self.details_toggle.setText("Show &details")
        self.details_toggle.setCheckable(True)
        self.details_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.details_toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.details_toggle.setAccessibleName("Show technical details")
        self.details_toggle.toggled.connect(self.show_details)
        self.details = QPlainTextEdit(details)
        self.details.setReadOnly(True)
        self.details.setAccessibleName("Technical details")
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.details.hide()

        buttons = QDialogButtonBox()
        self.copy_button = QPushButton("&Copy details")
        self.copy_button.clicked.connect(self.copy_details)
        self.folder_button = QPushButton("Open &log folder")
        self.folder_button.setEnabled(log_file is not None)
        self.folder_button.clicked.connect(self.open_log_folder)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.folder_button, QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setDefault(True)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.details_toggle, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.details, 1)
        layout.addWidget(buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 90)

    @classmethod
    def for_error(cls, info: ExcInfo, log_file: Path | None,
                  parent: QWidget | None = None) -> CrashDialog:
        """A known problem in plain words, or a bug with its traceback under Details."""
        problem = describe_problem(info[1])
        details = crash_details(info, log_file, problem)
        if problem is not None:
            return cls(problem.title, problem.message, problem.what_to_do, details, log_file,
                       parent)
        summary = BUG_SUMMARY.format(error=_short(info[1]))
        if log_file:
            summary += f" The details are also in the log file {log_file}."
        return cls(BUG_TITLE, summary, BUG_ADVICE, details, log_file, parent)

    def show_details(self, shown: bool) -> None:
        self.details.setVisible(shown)
        self.details_toggle.setArrowType(Qt.ArrowType.DownArrow if shown
                                         else Qt.ArrowType.RightArrow)
        self.details_toggle.setText("Hide &details" if shown else "Show &details")
        self.adjustSize()

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details_text)
        self.copy_button.setText("&Copied")

    def open_log_folder(self) -> None:
        if self.log_file is not None:
            open_folder(self.log_file.parent)

    def note_another_error(self) -> None:
        """Errors raised while this dialog is open are counted here, not stacked as dialogs."""
        self.more_errors += 1
        self.more_label.setText(f"{counted(self.more_errors, 'more error')} happened since; "
                                "they are in the log file.")
        self.more_label.show()


class ErrorReporter(QObject):
    """Lives on the GUI thread; any thread hands errors over through ``raised``."""

    raised = Signal(object)  # an ExcInfo tuple

    def __init__(self, log_file: Path | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.log_file = log_file
        self.dialog: CrashDialog | None = None
        self.raised.connect(self.show_error, Qt.ConnectionType.AutoConnection)

    def report(self, info: ExcInfo) -> None:
        """Safe from any thread: GUI-thread calls show at once, others are queued."""
        with contextlib.suppress(RuntimeError):  # the app is going away; the log has it
            self.raised.emit(info)

    def show_error(self, info: ExcInfo) -> None:
        error = info[1]
        if isinstance(error, LeadlineError):
            messages.error(_parent(), "Leadline", str(error))
            return
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.note_another_error()
            return
        dialog = CrashDialog.for_error(info, self.log_file, _parent())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _code: self._forget(dialog))
        self.dialog = dialog
        dialog.show()
        dialog.raise_()

    def _forget(self, dialog: CrashDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None


_installed: dict[str, Any] = {}


def install_error_dialog(log_file: Path | None) -> None:
    """Unexpected errors in the GUI and in worker threads are logged and shown; the app goes on.

    Call after ``configure_logging`` (so the traceback reaches the rotating log file) and after
    the QApplication exists. Calling again replaces the previous installation.
    """
    uninstall_error_dialog()
    application = QApplication.instance()
    reporter = ErrorReporter(log_file, application)
    previous_sys, previous_thread = sys.excepthook, threading.excepthook

    def on_error(kind: type[BaseException], error: BaseException,
                 trace: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            previous_sys(kind, error, trace)
            return
        log.error("unexpected error", exc_info=(kind, error, trace))
        reporter.report((kind, error, trace))

    def on_thread_error(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None or issubclass(args.exc_type, SystemExit):
            return
        name = args.thread.name if args.thread is not None else "?"
        log.error("unexpected error in thread %s", name,
                  exc_info=(args.exc_type, args.exc_value, args.exc_traceback))
        reporter.report((args.exc_type, args.exc_value, args.exc_traceback))

    sys.excepthook = on_error
    threading.excepthook = on_thread_error
    _installed.update(reporter=reporter, sys=previous_sys, thread=previous_thread,
                      hook=on_error, thread_hook=on_thread_error)


def uninstall_error_dialog() -> None:
    """Put back the hooks found at install time (tests; a second install)."""
    if not _installed:
        return
    if sys.excepthook is _installed["hook"]:
        sys.excepthook = _installed["sys"]
    if threading.excepthook is _installed["thread_hook"]:
        threading.excepthook = _installed["thread"]
    reporter: ErrorReporter = _installed["reporter"]
    with contextlib.suppress(RuntimeError):
        reporter.deleteLater()
    _installed.clear()


def current_reporter() -> ErrorReporter | None:
    reporter: ErrorReporter | None = _installed.get("reporter")
    return reporter


def _parent() -> QWidget | None:
    return QApplication.activeWindow()


def _short(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    first = text[0] if text else ""
    name = type(error).__name__
    return f"{name}: {first[:200]}" if first else name


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


