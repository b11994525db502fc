"""Open (or create) the database file and bring its schema up to date."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import exc as sa_exc

from app.domain.errors import StorageError
from app.storage.db import Database, describe_sqlite_error
from app.storage.migrate import MigrationOutcome, prepare_database


def open_database(path: Path) -> tuple[Database, MigrationOutcome]:
    """The one way the GUI, the CLI and tests get a ready database."""
    path = path.expanduser().resolve()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StorageError(f"Cannot create the folder {path.parent}: {error.strerror}") from error
    if path.exists() and path.is_dir():
        raise StorageError(f"{path} is a folder; --db needs a file path")
    database = Database(path)
    try:
        outcome = prepare_database(database)
        database.use_write_ahead_log()
        _ = database.device_id  # minted now, never inside a later write transaction
    except sa_exc.DBAPIError as error:
        database.dispose()
        raise StorageError(describe_sqlite_error(error, path)) from error
    except Exception:
        database.dispose()
        raise
    return database, outcome
