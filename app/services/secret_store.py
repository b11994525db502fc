"""Secrets this laptop keeps for Leadline (the team passphrase): the system keyring, else an
owner-only file in the user data folder, never the database's settings.

Out of the database because the database travels: a backup, a copy handed to a colleague or a
stolen file must not carry the key to the team's shared folder with it. A laptop without a
working keyring (a Linux desktop without a Secret Service) still syncs unattended, from a
0600 file that no backup or copy of the database includes; the README says which applies.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from pathlib import Path

from app.files import atomic_write
from app.paths import user_data_dir

log = logging.getLogger(__name__)

KEYRING_SERVICE = "Leadline team passphrase"
FALLBACK_FILE = "secrets.json"


class SecretStore:
    """``get``/``put``/``forget`` one secret per name (the database's path)."""

    def __init__(self, fallback: Path | None = None) -> None:
        self._fallback = fallback

    @property
    def fallback_file(self) -> Path:
        return self._fallback or user_data_dir() / FALLBACK_FILE

    def get(self, name: str) -> str | None:
        import keyring

        try:
            found = keyring.get_password(KEYRING_SERVICE, name)
        except Exception:  # noqa: BLE001 (no backend, a locked keyring): try the file
            found = None
        return found if found is not None else self._file().get(name)

    def put(self, name: str, secret: str) -> str:
        """Keep ``secret``; returns where ("the system keyring" or the file's path)."""
        import keyring

        try:
            keyring.set_password(KEYRING_SERVICE, name, secret)
        except Exception as error:  # noqa: BLE001 (no backend, a locked or refusing keyring)
            log.info("the system keyring did not keep a secret (%s); using %s",
                     type(error).__name__, self.fallback_file)
            self._write({**self._file(), name: secret})
            return str(self.fallback_file)
        if name in self._file():  # an older copy in the file: the keyring's now
            self._write({k: v for k, v in self._file().items() if k != name})
        return "the system keyring"

    def forget(self, name: str) -> None:
        import keyring

        with contextlib.suppress(Exception):  # none kept there, or no backend
            keyring.delete_password(KEYRING_SERVICE, name)
        if name in self._file():
            self._write({k: v for k, v in self._file().items() if k != name})

    def _file(self) -> dict[str, str]:
        try:
            found = json.loads(self.fallback_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}

    def _write(self, secrets: dict[str, str]) -> None:
        path = self.fallback_file
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_write(path, opener=_owner_only, encoding="utf-8") as handle:
            json.dump(secrets, handle, sort_keys=True)


def _owner_only(path: str, flags: int) -> int:
    """Open for ``open(opener=...)``: created 0600 whatever the process's umask."""
    return os.open(path, flags, 0o600)
