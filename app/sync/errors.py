"""Why a sync file (change set or snapshot) is not applied: one exception class per reason."""

from __future__ import annotations


class ChangeSetError(Exception):
    """Base of every reason a file is not applied."""


class TruncatedFile(ChangeSetError):  # noqa: N818 (names fixed by the spec)
    """Incomplete (still uploading, partial download, placeholder): retry later, never delete."""


class EmptyFile(TruncatedFile):
    """Zero bytes: typically a cloud placeholder not yet hydrated."""


class ChecksumMismatch(ChangeSetError):  # noqa: N818 (names fixed by the spec)
    """Complete-looking file whose content does not match its trailer (or fails authentication)."""


class NotASyncFile(ChangeSetError):  # noqa: N818 (names fixed by the spec)
    """Something else (desktop.ini, a stray document)."""


class NewerFormat(ChangeSetError):  # noqa: N818 (names fixed by the spec)
    """Written by a newer app: keep the file untouched and tell the user to update."""

    def __init__(self, version: int, supported: int) -> None:
        super().__init__(f"file needs format version {version}; this app reads up to {supported}")
        self.version = version


class WrongPassphrase(ChangeSetError):  # noqa: N818 (names fixed by the spec)
    """Encrypted with a key we do not have: a clear, user-visible error, never a silent skip."""


class PassphraseRequired(WrongPassphrase):
    """Encrypted file but no team passphrase configured."""


class InvalidChangeSet(ChangeSetError):  # noqa: N818 (names fixed by the spec)
    """Checksum fine but the content breaks the format rules (bad header, ops outside the range)."""
