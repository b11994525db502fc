"""Reaching a team server before the window opens on it: a test connection, and its password
kept in the system keyring (never in the settings, the address or the logs)."""

from __future__ import annotations

import logging

from app.domain.errors import LeadlineError
from app.paths import ServerAddress
from app.storage.server import KEYRING_SERVICE, server_version

log = logging.getLogger(__name__)


class KeyringError(LeadlineError):
    """The system keyring would not keep the password (none installed, locked, refused)."""


def check_connection(address: ServerAddress, password: str | None = None) -> str:
    """Log in to the server database once; returns what answered ("PostgreSQL 16.4"). Without
    ``password``, the one the window will use: the keyring's, else ~/.pgpass or a service file.
    Raises LeadlineError in plain words when the server cannot be reached or refuses."""
    try:
        return server_version(address, password)
    except LeadlineError:
        log.info("connection test to %s failed", address)
        raise


def keep_password(address: ServerAddress, password: str) -> None:
    """Keep ``password`` for this address in the system keyring, where the window finds it."""
    import keyring

    try:
        keyring.set_password(KEYRING_SERVICE, address.url, password)
    except Exception as error:  # noqa: BLE001 (no backend, a locked or refusing keyring)
        raise KeyringError(
            f"The system keyring did not keep the password ({type(error).__name__}). Put it in "
            "~/.pgpass or a libpq service file instead."
        ) from None
