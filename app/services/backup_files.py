"""Backup files on disk: what their names say (time and reason), listing them, checking one.

Backups live in ``backups/`` next to the database and carry their time and reason in the file
name (``leadline-20261120-093000-daily.sqlite``), so the folder explains itself and listing it
needs no database.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from app.domain.errors import StorageError
from app.paths import backups_dir_for
from app.storage.recovery import check_file, is_known_revision

MANUAL, DAILY, ON_CLOSE, PRE_MIGRATION, BEFORE_RESTORE = (
    "manual", "daily", "on-close", "pre-migration", "before-restore")
STAMP = "%Y%m%d-%H%M%S"


class BackupError(StorageError):
    """A backup could not be written, checked or put back; the text names the file."""


@dataclass(frozen=True)
class BackupInfo:
    """One backup file: where it is, when it was made (UTC), why, and how big it is."""

    path: Path
    created: dt.datetime  # UTC
    reason: str
    size_bytes: int

    @property
    def kind(self) -> str:
        """The rotation group: the reason, except migrations (``before-0012``) share one."""
        return kind_of(self.reason)

    @property
    def label(self) -> str:
        """The reason as a person reads it."""
        return reason_label(self.reason)

    def to_json(self) -> dict[str, object]:
        return {"path": str(self.path), "created": self.created.isoformat(timespec="seconds"),
                "reason": self.reason, "size_bytes": self.size_bytes}


def kind_of(reason: str) -> str:
    rest = reason.removeprefix("before-")
    # Migration backups are named after the schema revision they upgrade to; revisions start
    # with a digit, operation names with a letter.
    if rest != reason and rest[:1].isdigit():
        return PRE_MIGRATION
    return reason


def reason_label(reason: str) -> str:
    if kind_of(reason) == PRE_MIGRATION:
        return f"Before upgrading to schema {reason.removeprefix('before-')}"
    labels = {MANUAL: "Manual", DAILY: "Daily", ON_CLOSE: "On close",
              BEFORE_RESTORE: "Replaced by a restore"}
    if reason in labels:
        return labels[reason]
    return "Before " + reason.removeprefix("before-").replace("-", " ")


def list_backups(db_path: Path) -> list[BackupInfo]:
    """The backups of ``db_path`` in its backups folder, newest first."""
    folder = backups_dir_for(db_path)
    if not folder.is_dir():
        return []
    suffix = db_path.suffix or ".sqlite"
    stem = re.escape(db_path.stem)
    regular = re.compile(rf"^{stem}-(\d{{8}}-\d{{6}})-([a-z0-9][a-z0-9-]*){re.escape(suffix)}$")
    replaced = re.compile(rf"^{stem}-before-restore-(\d{{8}}-\d{{6}}){re.escape(suffix)}$")
    found: list[BackupInfo] = []
    for path in folder.iterdir():
        match = replaced.match(path.name)
        stamp, reason = (match.group(1), BEFORE_RESTORE) if match else ("", "")
        if not match:
            match = regular.match(path.name)
            if match:
                stamp, reason = match.group(1), match.group(2)
        if not match:
            continue
        try:
            created = dt.datetime.strptime(stamp, STAMP).replace(tzinfo=dt.UTC)
            size = path.stat().st_size
        except (ValueError, OSError):
            continue
        found.append(BackupInfo(path, created, reason, size))
    found.sort(key=lambda b: (b.created, b.path.name), reverse=True)
    return found


def verify_backup(path: Path) -> None:
    """Refuse a file that is missing, damaged, not ours or from a newer Leadline."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"The backup {path} does not exist. Choose an existing backup file.")
    check = check_file(path, live=True) if _has_log(path) else check_file(path)
    if not check.ok:
        raise BackupError(f"The backup {path} cannot be used: {check.problem}. "
                          "Choose another backup.")
    if check.revision is None:
        raise BackupError(f"The backup {path} has no Leadline schema version. "
                          "Choose another backup.")
    if not is_known_revision(check.revision):
        raise BackupError(f"The backup {path} was made by a newer Leadline (schema "
                          f"{check.revision}). Install the newer version to restore it.")


def _has_log(path: Path) -> bool:
    # A database moved aside by a restore may carry its write-ahead log; read it too.
    return path.with_name(path.name + "-wal").exists()
