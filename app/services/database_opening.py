"""The GUI's way to a ready database, so the UI layer reaches storage only through services."""

from __future__ import annotations

from app.paths import DatabaseLocation
from app.storage.db import Database
from app.storage.migrate import MigrationOutcome
from app.storage.opening import open_database


def open_checked_database(location: DatabaseLocation) -> tuple[Database, MigrationOutcome]:
    """Open (and upgrade) the database the window's start-up check has just found sound, so the
    file is not read a second time (or connect to the team server)."""
    return open_database(location, checked=True)
