"""The system keyring, in memory, for tests: no test reads or writes the real one."""

from __future__ import annotations

from keyring.backend import KeyringBackend


class MemoryKeyring(KeyringBackend):
    """What a test kept, and nothing of the real keyring's."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.passwords.pop((service, username), None)


class BrokenKeyring(KeyringBackend):
    """A laptop without a working keyring (no Secret Service): every call fails."""

    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        raise RuntimeError("no keyring backend")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise RuntimeError("no keyring backend")

    def delete_password(self, service: str, username: str) -> None:
        raise RuntimeError("no keyring backend")
