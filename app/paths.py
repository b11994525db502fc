"""Where things live: user data, logs, backups, bundled resources and migrations.

Works from a source checkout and from a PyInstaller build (``sys._MEIPASS``).
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import SplitResult, unquote, urlsplit

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


SUPPORTED_LOCATIONS = ("a database file path (leads.sqlite), sqlite:///PATH, or a team server "
                       "postgresql+psycopg://USER@HOST/DBNAME")
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_SERVER_SCHEMES = ("postgresql", "postgresql+psycopg", "postgres")


class DatabaseLocationError(ValueError):
    """A database given as a URL this version cannot open; the message names what it can."""


@dataclass(frozen=True)
class ServerAddress:
    """A PostgreSQL team database, as a SQLAlchemy URL that never holds a password: libpq
    finds it in ~/.pgpass or a service file (PGSERVICEFILE), or the app in the system keyring."""

    url: str

    def __str__(self) -> str:
        return self.url

    @property
    def slug(self) -> str:
        """The address as a folder name (user, host, database, options)."""
        parts = urlsplit(self.url)
        return re.sub(r"[^A-Za-z0-9.-]+", "-", f"{parts.netloc}{parts.path}-{parts.query}"
                      ).strip("-")

    @property
    def local_folder(self) -> Path:
        """This laptop's own files for the server (settings scope, exports): never the data."""
        return user_data_dir() / "servers" / self.slug


DatabaseLocation = Path | ServerAddress


def server_backup_refusal(address: ServerAddress) -> str:
    return (f"{address} is a team server: its backups are the server's own (pg_dump, or the "
            "hosting's snapshots; ask the admin). Leadline backs up and restores database files "
            "only.")


def database_location(text: str | os.PathLike[str]) -> DatabaseLocation:
    """What ``--db`` or $LEADLINE_DB names: a database file (a path or a ``sqlite:///`` URL) or
    a PostgreSQL server (``postgresql+psycopg://user@host/db``, ``...:///db?service=NAME``).

    Any other URL is refused: taken as a path it would silently create a new, empty database
    in a folder named after the scheme.
    """
    given = os.fspath(text).strip()
    if not _URL.match(given):
        return Path(given).expanduser()
    parts = urlsplit(given)
    scheme = parts.scheme.lower()
    if scheme in ("sqlite", "sqlite+pysqlite") and not parts.netloc and parts.path:
        # sqlite:///relative.sqlite and sqlite:////absolute.sqlite, as SQLAlchemy reads them.
        return Path(unquote(parts.path[1:] if parts.path.startswith("/") else parts.path))
    if scheme in _SERVER_SCHEMES:
        return _server_address(given, parts)
    raise DatabaseLocationError(
        f"{scheme}:// is not a kind of database Leadline can open. Give {SUPPORTED_LOCATIONS}.")


def _server_address(given: str, parts: SplitResult) -> ServerAddress:
    if parts.password is not None or "password=" in parts.query.lower():
        raise DatabaseLocationError(
            "the server address holds a password; leave it out (postgresql+psycopg://USER@HOST/"
            "DBNAME) and put it in ~/.pgpass, a libpq service file, or the system keyring, so "
            "it never shows in the command line, the settings or the logs")
    database = parts.path.lstrip("/")
    if not database and "service=" not in parts.query and "dbname=" not in parts.query:
        raise DatabaseLocationError(
            f"the server address {given} names no database: add /DBNAME "
            "(postgresql+psycopg://USER@HOST/DBNAME) or ?service=NAME")
    # One driver for every spelling: psycopg 3, which the app ships with.
    return ServerAddress("postgresql+psycopg" + given[len(parts.scheme):])


def database_path(text: str | os.PathLike[str]) -> Path:
    """A database *file* (for the commands that only work on one, like restoring a backup)."""
    location = database_location(text)
    if isinstance(location, ServerAddress):
        raise DatabaseLocationError(
            f"{location} is a team server; this needs a database file: {SUPPORTED_LOCATIONS}")
    return location


def default_db_path() -> DatabaseLocation:
    """``--db`` wins, then $LEADLINE_DB, then the platform's user data folder."""
    from_env = os.environ.get(DB_ENV_VAR, "").strip()
    if from_env:
        return database_location(from_env)
    return user_data_dir() / DEFAULT_DB_NAME


def backups_dir_for(db_path: Path) -> Path:
    """Backups sit next to the database, so a database on a USB stick keeps its own."""
    return db_path.parent / "backups"
