"""Before the GUI opens the database: is the file healthy, and if not, what the person can do.

A damaged file (or an empty one with backups beside it) gets a dialog naming the file and the
problem, offering the newest backup that checks out, another file, or quitting. A file locked by
another program gets a clear message. Half-written backups a killed run left are cleared.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import LeadlineError
from app.services.backup_service import (
    DatabaseCheck,
    check_database,
    newest_good_backup,
    remove_stale_partials,
    restore,
)
from app.ui import messages

log = logging.getLogger(__name__)

TITLE = "Leadline cannot open its database"


class Choice(Enum):
    RESTORE = "restore"
    OPEN_OTHER = "open-other"
    QUIT = "quit"


class DamagedDatabaseDialog(QDialog):
    """Says which file is damaged and how, and offers the ways out."""

    def __init__(self, check: DatabaseCheck, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.choice = Choice.QUIT
        layout = QVBoxLayout(self)
        text = QLabel(f"{check.message}\n\nLeadline can put back the newest backup that is "
                      "intact (the damaged file is kept in the backups folder), open another "
                      "database file, or quit so you can look at the file first.")
        text.setWordWrap(True)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(text)
        row = QHBoxLayout()
        self.restore_button = QPushButton("&Restore newest good backup")
        self.open_button = QPushButton("&Open another file…")
        self.quit_button = QPushButton("&Quit")
        for button, choice in ((self.restore_button, Choice.RESTORE),
                               (self.open_button, Choice.OPEN_OTHER),
                               (self.quit_button, Choice.QUIT)):
            button.clicked.connect(lambda _=False, c=choice: self._choose(c))
            row.addWidget(button)
        self.restore_button.setDefault(True)
        layout.addLayout(row)

    def _choose(self, choice: Choice) -> None:
        self.choice = choice
        self.accept()

    @classmethod
    def ask(cls, check: DatabaseCheck, parent: QWidget | None = None) -> Choice:
        dialog = cls(check, parent)
        dialog.exec()
        return dialog.choice


def ask_other_file(parent: QWidget | None, current: Path) -> Path | None:
    name, _ = QFileDialog.getOpenFileName(parent, "Open a Leadline database", str(current.parent),
                                          "Leadline databases (*.sqlite *.db);;All files (*)")
    return Path(name) if name else None


def check_before_open(path: Path, parent: QWidget | None = None) -> Path | None:
    """The database file to open (this one, once repaired, or another), or None to quit."""
    while True:
        check = check_database(path)
        if check.ok:
            remove_stale_partials(path)
            return path
        log.warning("start-up check failed: %s", check.message)
        if check.locked:
            messages.error(parent, TITLE, check.message)
            return None
        choice = DamagedDatabaseDialog.ask(check, parent)
        if choice is Choice.QUIT:
            return None
        if choice is Choice.OPEN_OTHER:
            other = ask_other_file(parent, path)
            if other is not None:
                path = other
            continue
        restore_newest(path, parent)


@contextmanager
def _busy() -> Iterator[None]:
    # Checking every page of a large backup takes a few seconds.
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QApplication.restoreOverrideCursor()


def restore_newest(path: Path, parent: QWidget | None = None) -> bool:
    """Put back the newest backup that verifies; says what happened either way."""
    with _busy():
        try:
            backup = newest_good_backup(path)
            aside = restore(path, backup.path) if backup is not None else None
        except LeadlineError as error:
            failure = str(error)
        else:
            failure = ""
    if failure:
        messages.error(parent, "Backup not restored", failure)
        return False
    if backup is None or aside is None:
        messages.error(parent, "No intact backup",
                       f"There is no intact backup of {path} in its backups folder. Open "
                       "another file, or quit and copy a backup next to the database.")
        return False
    when = backup.created.astimezone().strftime("%Y-%m-%d %H:%M")
    messages.info(parent, "Backup restored",
                  f"The backup from {when} ({backup.label.lower()}) is back in place. Changes "
                  f"made after it are not in it. The damaged file is kept at {aside}.")
    return True
