"""Backups and restore: the list of backups, "Back up now", "Restore…" and "Open folder".

A restore cannot happen under the open database: the dialog marks the chosen backup on the main
window and closes it; ``run_gui`` then closes the database, puts the backup in place and opens
the window again.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import LeadlineError
from app.services.backup_service import BackupInfo
from app.services.container import Services
from app.ui import messages
from app.ui.wording import noun_for
from app.ui.workers import TaskRunner

# Dynamic property on the main window: the backup file to restore once the window has closed.
RESTORE_PROPERTY = "leadlineRestoreFrom"
_PATH_ROLE = Qt.ItemDataRole.UserRole


def size_text(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return (f"{int(value)} {noun_for(int(value), 'byte')}" if unit == "bytes"
                    else f"{value:.1f} {unit}")
        value /= 1024
    return f"{size} bytes"  # not reached


def when_text(backup: BackupInfo) -> str:
    return backup.created.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def back_up_now(parent: QWidget | None, services: Services, runner: TaskRunner,
                report: Callable[[str], None] | None = None,
                done: Callable[[BackupInfo], None] | None = None) -> None:
    """A manual backup on the runner; ``report`` shows the outcome (e.g. in the status bar)."""

    def finished(made: BackupInfo) -> None:
        text = f"Backup written: {made.path} ({size_text(made.size_bytes)})"
        if report is not None:
            report(text)
        else:
            messages.info(parent, "Backup written", text)
        if done is not None:
            done(made)

    def failed(error: Exception, details: str) -> None:
        messages.error(parent, "Backup failed", str(error),
                       "" if isinstance(error, LeadlineError) else details)

    runner.start(lambda _state: services.backups.back_up("manual"), on_done=finished,
                 on_error=failed)


class BackupDialog(QDialog):
    def __init__(self, services: Services, runner: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services, self.runner = services, runner
        self.restore_requested: Path | None = None
        self.setWindowTitle("Backups and restore")
        self.resize(640, 420)
        layout = QVBoxLayout(self)
        db_path = services.context.db.path
        intro = QLabel(f"Backups of {db_path} are kept in {services.backups.folder()}. "
                       "Leadline backs up once a day, when it closes, before upgrading the "
                       "database and before re-applying routing rules to everyone. Settings → "
                       "Backups says how many are kept.")
        intro.setWordWrap(True)
        intro.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(intro)
        self.table = QTreeWidget()
        self.table.setHeaderLabels(["Date", "Reason", "Size"])
        self.table.setRootIsDecorated(False)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.header().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.itemDoubleClicked.connect(lambda *_: self.restore_selected())
        layout.addWidget(self.table, 1)
        self.status = QLabel()
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.backup_button = QPushButton("&Back up now")
        self.restore_button = QPushButton("&Restore…")
        self.folder_button = QPushButton("Open &folder")
        for button in (self.backup_button, self.restore_button, self.folder_button):
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        self.backup_button.clicked.connect(self.back_up)
        self.restore_button.clicked.connect(self.restore_selected)
        self.folder_button.clicked.connect(self.open_folder)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.refresh()

    @classmethod
    def ask(cls, services: Services, runner: TaskRunner, parent: QWidget | None = None) -> None:
        cls(services, runner, parent).exec()

    # -- list ---------------------------------------------------------------------------------
    def refresh(self) -> None:
        self.table.clear()
        backups = self.services.backups.backups()
        for backup in backups:
            item = QTreeWidgetItem([when_text(backup), backup.label, size_text(backup.size_bytes)])
            item.setData(0, _PATH_ROLE, str(backup.path))
            item.setToolTip(0, str(backup.path))
            item.setTextAlignment(2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.addTopLevelItem(item)
        for column in (0, 2):
            self.table.resizeColumnToContents(column)
        if backups:
            self.table.setCurrentItem(self.table.topLevelItem(0))
        else:
            self.status.setText("No backups yet. \"Back up now\" writes the first one.")
        self._selection_changed()

    def selected_path(self) -> Path | None:
        item = self.table.currentItem()
        return Path(item.data(0, _PATH_ROLE)) if item is not None else None

    def _selection_changed(self) -> None:
        self.restore_button.setToolTip(
            "Put the selected backup back in place" if self.selected_path()
            else "Choose a backup file to put back in place")

    # -- actions ------------------------------------------------------------------------------
    def back_up(self) -> None:
        self.backup_button.setEnabled(False)
        self.status.setText("Backing up…")

        def done(made: BackupInfo) -> None:
            self.backup_button.setEnabled(True)
            self.refresh()
            self.status.setText(f"Backup written: {made.path.name} "
                                f"({size_text(made.size_bytes)}).")

        def failed(error: Exception, details: str) -> None:
            self.backup_button.setEnabled(True)
            self.status.setText("The backup failed.")
            messages.error(self, "Backup failed", str(error),
                           "" if isinstance(error, LeadlineError) else details)

        self.runner.start(lambda _state: self.services.backups.back_up("manual"), on_done=done,
                          on_error=failed)

    def restore_selected(self) -> None:
        path = self.selected_path()
        if path is None:
            name, _ = QFileDialog.getOpenFileName(
                self, "Restore a backup", str(self.services.backups.folder()),
                "Leadline databases (*.sqlite *.db);;All files (*)")
            if not name:
                return
            path = Path(name)
        self.restore(path)

    def restore(self, path: Path) -> bool:
        """Check the backup, confirm, then hand it to the main window to restore on close."""
        with messages.reported(self, "This backup cannot be restored") as attempt:
            self.services.backups.verify(path)
        if attempt.failed:
            return False
        db_path = self.services.context.db.path
        aside = self.services.backups.folder() / (
            f"{db_path.stem}-before-restore-<date>-<time>{db_path.suffix or '.sqlite'}")
        if not messages.confirm(
                self, "Restore backup",
                f"Put back the backup {path.name}?\n\nEverything changed after it was made "
                f"will be gone from the database. The current database is kept as\n{aside}\n"
                "so you can go back to it.\n\nLeadline closes its window, restores the backup "
                "and opens it again.", "Restore"):
            return False
        self.restore_requested = path
        window = self.parentWidget().window() if self.parentWidget() is not None else None
        self.accept()
        if window is None:
            return True
        window.setProperty(RESTORE_PROPERTY, str(path))
        if not window.close():  # e.g. unsaved changes the person chose to keep editing
            window.setProperty(RESTORE_PROPERTY, None)
            self.restore_requested = None
            messages.info(window, "Restore cancelled", "The window stayed open; nothing was "
                          "restored.")
            return False
        return True

    def open_folder(self) -> None:
        folder = self.services.backups.folder()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            messages.error(self, "Cannot open the backups folder",
                           f"{folder} cannot be created: {error.strerror}")
            return
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
            messages.info(self, "Backups folder", f"The backups are in {folder}")
