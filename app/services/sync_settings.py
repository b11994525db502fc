"""Where a database syncs: its shared folder, team passphrase and schedule.

The passphrase is kept in the system keyring (app/services/secret_store.py), under the
database's path; the rest in the database's own ``app_meta`` (local to this file: never synced,
never written to the shared folder), because they belong to the database, not to the laptop:
opening a second database (a demo, last year's file) must never make it sync into the first
one's team folder.
Each laptop still reaches the folder by its own path (drive letter, mount point, cloud client),
which is why they are not team settings either.

The settings remember the path of the file they were chosen for. A copy of the file at another
path (a colleague's copy, a backup opened from elsewhere) starts with sync off and says why, so a
file nobody pointed at the team folder never pushes its data there.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from app.paths import ServerAddress, database_location
from app.services.secret_store import SecretStore
from app.storage.db import Database

log = logging.getLogger(__name__)

SYNC_SETTINGS_KEY = "sync_settings"
# sync/service.py META_PUBLISHED: the folders this database has published its changes to.
_PUBLISHED_KEY = "sync_published"


@dataclass(frozen=True)
class SyncSettings:
    folder: Path | None = None
    passphrase: str | None = None
    interval_minutes: int = 0
    on_start_and_close: bool = True
    # The team server this laptop's file exchanges with instead of a folder (never both).
    server: ServerAddress | None = None

    @property
    def enabled(self) -> bool:
        return self.folder is not None or self.server is not None

    @property
    def place(self) -> str:
        """Where it syncs, in words for the status bar."""
        if self.server is not None:
            return f"Team server: {self.server}"
        return f"Shared folder: {self.folder}" if self.folder is not None else "Sync is off"


@dataclass(frozen=True)
class StoredSyncSettings:
    """The settings in force, and the folder of a copied file's settings that were set aside."""

    settings: SyncSettings
    set_aside_folder: Path | None = None


class SyncSettingsStore:
    def __init__(self, db: Database, secrets: SecretStore | None = None) -> None:
        self.db = db
        self.secrets = secrets or SecretStore()

    def _path(self) -> str:
        return str(self.db.path.resolve())

    def stored(self) -> StoredSyncSettings:
        raw = self.db.get_meta(SYNC_SETTINGS_KEY)
        if not raw:
            return StoredSyncSettings(SyncSettings())
        try:
            found: dict[str, Any] = json.loads(raw)
            folder = str(found.get("folder") or "").strip()
            server = str(found.get("server") or "").strip()
            legacy_passphrase = str(found.get("passphrase") or "")
            settings = SyncSettings(
                Path(folder) if folder else None,
                legacy_passphrase or self.secrets.get(self._path()) or None,
                max(0, int(found.get("interval_minutes") or 0)),
                bool(found.get("on_start_and_close", True)),
                _server(server) if server else None)
        except (ValueError, TypeError, AttributeError):
            log.warning("unreadable sync settings in %s: sync stays off until set again",
                        self.db.path)
            return StoredSyncSettings(SyncSettings())
        if found.get("database") != self._path() and settings.enabled:
            return StoredSyncSettings(replace(settings, folder=None, passphrase=None, server=None),
                                      set_aside_folder=settings.folder)
        if legacy_passphrase:  # an older Leadline kept it in the database: move it out
            self.save(settings)
        return StoredSyncSettings(settings)

    def load(self) -> SyncSettings:
        return self.stored().settings

    def save(self, settings: SyncSettings) -> None:
        folder = settings.folder.expanduser() if settings.folder is not None else None
        if settings.passphrase:
            self.secrets.put(self._path(), settings.passphrase)
        else:
            self.secrets.forget(self._path())
        self.db.set_meta(SYNC_SETTINGS_KEY, json.dumps({
            "folder": str(folder) if folder is not None else "",
            "interval_minutes": max(0, settings.interval_minutes),
            "on_start_and_close": settings.on_start_and_close,
            "server": settings.server.url if settings.server is not None else "",
            "database": self._path(),
        }))

    def adopt_laptop_wide(self, legacy: SyncSettings) -> bool:
        """Take over settings an older Leadline kept for the whole laptop, only when this
        database has already published to that folder (so it is the team's database there) and
        has no settings of its own. Returns whether they were adopted."""
        if legacy.folder is None or self.db.get_meta(SYNC_SETTINGS_KEY):
            return False
        try:
            published = json.loads(self.db.get_meta(_PUBLISHED_KEY) or "{}")
        except ValueError:
            return False
        wanted = str(legacy.folder.expanduser().resolve())
        if not isinstance(published, dict) or wanted not in published:
            return False
        self.save(legacy)
        return True


def _server(text: str) -> ServerAddress:
    location = database_location(text)  # DatabaseLocationError is a ValueError: sync stays off
    if not isinstance(location, ServerAddress):
        raise ValueError(f"{text} is not a team server address")
    return location
