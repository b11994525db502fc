"""Which database the window opens: the one this laptop remembers (a team server or a file),
the way the window asks to reopen on another, and what to do when the server is out of reach.

Order at start: ``--db``, then $LEADLINE_DB, then the remembered choice, then the user data
folder's file. A remembered server that cannot be reached is never forgotten: working on the
laptop's file instead lasts for this run only.
"""

from __future__ import annotations

import logging
from enum import Enum
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMainWindow, QMessageBox, QPushButton, QWidget

from app.paths import (
    DEFAULT_DB_NAME,
    DatabaseLocation,
    DatabaseLocationError,
    ServerAddress,
    database_location,
    default_db_path,
    user_data_dir,
)
from app.ui.local_settings import DatabaseChoice, LocalSettings

log = logging.getLogger(__name__)

# Dynamic property on the main window: the database (as database_location reads it) to open
# once the window has closed, as RESTORE_PROPERTY names a backup to restore.
SWITCH_PROPERTY = "leadlineSwitchTo"
UNREACHABLE_TITLE = "Leadline cannot reach the team server"


def laptop_file() -> Path:
    """This laptop's own database file: $LEADLINE_DB when it names a file, else the user data
    folder's."""
    location = default_db_path()
    return location if isinstance(location, Path) else user_data_dir() / DEFAULT_DB_NAME


def location_at_start(given: DatabaseLocation | None, local: LocalSettings) -> DatabaseLocation:
    """``given`` (``--db`` or $LEADLINE_DB) wins; else what this laptop remembers; else the
    user data folder's file."""
    if given is not None:
        return given
    remembered = local.get(DatabaseChoice.LOCATION).strip()
    if remembered:
        try:
            return database_location(remembered)
        except DatabaseLocationError as error:  # kept as it is: a newer Leadline may read it
            log.warning("the remembered database %r cannot be used: %s", remembered, error)
    return given or default_db_path()


def remember(local: LocalSettings, location: DatabaseLocation) -> None:
    """Open ``location`` at the next start (the user data folder's file is kept as "")."""
    text = "" if location == user_data_dir() / DEFAULT_DB_NAME else str(location)
    local.set(DatabaseChoice.LOCATION, text)
    local.sync()


def request_switch(window: QMainWindow, location: DatabaseLocation) -> bool:
    """Close the window so that the run loop opens ``location``; False when the window stayed
    open (unsaved changes the person chose to keep editing)."""
    window.setProperty(SWITCH_PROPERTY, str(location))
    if window.close():
        return True
    window.setProperty(SWITCH_PROPERTY, None)
    return False


def switch_requested(window: QMainWindow) -> DatabaseLocation | None:
    chosen = window.property(SWITCH_PROPERTY)
    return database_location(chosen) if chosen else None


class Unreachable(Enum):
    RETRY = "retry"
    LAPTOP_FILE = "laptop-file"
    QUIT = "quit"


def ask_when_unreachable(address: ServerAddress, problem: str, parent: QWidget | None = None) -> Unreachable:
    """The server named for this start did not answer: try again, work on the laptop's own
    file for now (the server stays remembered), or quit."""
    box, buttons = unreachable_message(address, problem, parent)
    box.exec()
    return next(
        (choice for choice, button in buttons.items() if button is box.clickedButton()), Unreachable.QUIT
    )


def unreachable_message(
    address: ServerAddress, problem: str, parent: QWidget | None = None
) -> tuple[QMessageBox, dict[Unreachable, QPushButton]]:
    """The message box of ``ask_when_unreachable`` and its button for each way on."""
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        UNREACHABLE_TITLE,
        f"{problem}\n\nLeadline keeps {address} as this laptop's database and "
        f"tries it again at the next start. Meanwhile you can work on this "
        f"laptop's own file ({laptop_file()}); its leads are not on the server.",
        QMessageBox.StandardButton.NoButton,
        parent,
    )
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    buttons = {
        Unreachable.RETRY: box.addButton("&Try again", QMessageBox.ButtonRole.AcceptRole),
        Unreachable.LAPTOP_FILE: box.addButton(
            "&Work on this laptop's file instead", QMessageBox.ButtonRole.ActionRole
        ),
        Unreachable.QUIT: box.addButton("&Quit", QMessageBox.ButtonRole.RejectRole),
    }
    box.setDefaultButton(buttons[Unreachable.RETRY])
    return box, buttons
