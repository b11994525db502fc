"""Where things live: user data, logs, backups, bundled resources and migrations.

Works from a source checkout and from a PyInstaller build (``sys._MEIPASS``).
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import platformdirs

APP_NAME = "Leadline"
DB_ENV_VAR = "LEADLINE_DB"
DEFAULT_DB_NAME = "leadline.sqlite"


def _bundle_root() -> Path:
    frozen_root = getattr(sys, "_MEIPASS", None)
    return Path(frozen_root) if frozen_root else Path(__file__).resolve().parent.parent


def resources_dir() -> Path:
    return _bundle_root() / "resources"


def migrations_dir() -> Path:
    return _bundle_root() / "migrations"


def resource(name: str) -> Path:
    return resources_dir() / name


def user_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def user_log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


SUPPORTED_LOCATIONS = "a database file path (leads.sqlite) or sqlite:///PATH"
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")


class DatabaseLocationError(ValueError):
    """A database given as a URL this version cannot open; the message names what it can."""


def database_path(text: str | os.PathLike[str]) -> Path:
    """The database file ``--db`` or $LEADLINE_DB names: a path, or a ``sqlite:///`` URL.

    Any other URL is refused: taken as a path it would silently create a new, empty database
    in a folder named after the scheme (``postgresql+psycopg:/…``).
    """
    given = os.fspath(text).strip()
    if not _URL.match(given):
        return Path(given).expanduser()
    parts = urlsplit(given)
    scheme = parts.scheme.lower()
    if scheme in ("sqlite", "sqlite+pysqlite") and not parts.netloc and parts.path:
        # sqlite:///relative.sqlite and sqlite:////absolute.sqlite, as SQLAlchemy reads them.
        return Path(unquote(parts.path[1:] if parts.path.startswith("/") else parts.path))
    if scheme.startswith(("postgresql", "postgres")):
        raise DatabaseLocationError(
            f"{scheme}:// is a PostgreSQL server address; this version of Leadline opens "
            f"database files only. Give {SUPPORTED_LOCATIONS}.")
    raise DatabaseLocationError(
        f"{scheme}:// is not a kind of database Leadline can open. Give {SUPPORTED_LOCATIONS}.")


def default_db_path() -> Path:
    """``--db`` wins, then $LEADLINE_DB, then the platform's user data folder."""
    from_env = os.environ.get(DB_ENV_VAR, "").strip()
    if from_env:
        return database_path(from_env)
    return user_data_dir() / DEFAULT_DB_NAME


def backups_dir_for(db_path: Path) -> Path:
    """Backups sit next to the database, so a database on a USB stick keeps its own."""
    return db_path.parent / "backups"
