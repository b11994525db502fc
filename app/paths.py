"""Where things live: user data, logs, backups, bundled resources and migrations.

Works from a source checkout and from a PyInstaller build (``sys._MEIPASS``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

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


def default_db_path() -> Path:
    """``--db`` wins, then $LEADLINE_DB, then the platform's user data folder."""
    from_env = os.environ.get(DB_ENV_VAR, "").strip()
    if from_env:
        return Path(from_env).expanduser()
    return user_data_dir() / DEFAULT_DB_NAME


def backups_dir_for(db_path: Path) -> Path:
    """Backups sit next to the database, so a database on a USB stick keeps its own."""
    return db_path.parent / "backups"
