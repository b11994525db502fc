"""The GUI's way to a ready database, so the UI layer reaches storage only through services."""

from __future__ import annotations

from pathlib import Path

from app.storage.db import Database
from app.storage.migrate import MigrationOutcome
from app.storage.opening import open_database


def open_checked_database(path: Path) -> tuple[Database, MigrationOutcome]:
    """Open (and upgrade) the database the window's start-up check has just found sound, so the
    file is not read a second time."""
    return open_database(path, checked=True)
