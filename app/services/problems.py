"""Environment problems a person can fix, told in plain words instead of a traceback.

A full disk, a read-only folder, a missing file or a database another program holds are not bugs:
the GUI's crash dialog and the CLI both ask :func:`describe_problem` first and, when it knows the
error, show its title, message and what to do. No Qt and no SQLAlchemy here: SQLite errors are
recognised by their (stable) message text, wherever they sit in the exception chain.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass
from enum import StrEnum


class ProblemKind(StrEnum):
    DISK_FULL = "disk_full"
    READ_ONLY = "read_only"
    MISSING = "missing"
    LOCKED = "locked"


@dataclass(frozen=True)
class KnownProblem:
    """A problem in the computer's surroundings, explained for the person at the keyboard."""

    kind: ProblemKind
    title: str
    message: str
    what_to_do: str

    def __str__(self) -> str:
        return f"{self.message} {self.what_to_do}"


_DISK_FULL_ERRNOS = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
_READ_ONLY_ERRNOS = {errno.EROFS, errno.EACCES, errno.EPERM}
_SQLITE_TEXT = (
    ("database or disk is full", ProblemKind.DISK_FULL),
    ("attempt to write a readonly database", ProblemKind.READ_ONLY),
    ("readonly database", ProblemKind.READ_ONLY),
    ("database is locked", ProblemKind.LOCKED),
    ("database table is locked", ProblemKind.LOCKED),
)


def describe_problem(error: BaseException) -> KnownProblem | None:
    """The plain-language explanation of ``error``, or None when it is not a known problem.

    Looks through the whole chain: ``raise ... from``, the implicit context, and the ``orig``
    attribute database drivers use to wrap the underlying sqlite3 error.
    """
    for link in _chain(error):
        kind, where = _classify(link)
        if kind is not None:
            return _explain(kind, where)
    return None


def _chain(error: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    pending: list[BaseException | None] = [error]
    while pending and len(seen) < 20:
        current = pending.pop(0)
        if current is None or any(current is s for s in seen):
            continue
        seen.append(current)
        orig = getattr(current, "orig", None)
        pending.extend([orig if isinstance(orig, BaseException) else None,
                        current.__cause__, current.__context__])
    return seen


def _classify(error: BaseException) -> tuple[ProblemKind | None, str]:
    if isinstance(error, OSError):
        where = str(error.filename) if error.filename else ""
        if error.errno in _DISK_FULL_ERRNOS:
            return ProblemKind.DISK_FULL, where
        if isinstance(error, PermissionError) or error.errno in _READ_ONLY_ERRNOS:
            return ProblemKind.READ_ONLY, where
        if isinstance(error, FileNotFoundError) or error.errno == errno.ENOENT:
            return ProblemKind.MISSING, where
    text = str(error).lower()
    for phrase, kind in _SQLITE_TEXT:
        if phrase in text:
            return kind, ""
    return None, ""


def _explain(kind: ProblemKind, where: str) -> KnownProblem:
    place = f" ({where})" if where else ""
    if kind is ProblemKind.DISK_FULL:
        return KnownProblem(
            kind, "The disk is full",
            f"Leadline could not save because the disk is full{place}. The last change was "
            "not saved; everything saved before it is safe.",
            "Free some space (empty the recycle bin, delete or move large files), then try "
            "again.")
    if kind is ProblemKind.READ_ONLY:
        return KnownProblem(
            kind, "The file or folder is read-only",
            f"Leadline is not allowed to write here{place}: the file or folder is read-only, "
            "or belongs to another user. The last change was not saved.",
            "Check that the drive is not write-protected (USB stick, network share, CD) and "
            "that you may write to the folder, or choose another folder, then try again.")
    if kind is ProblemKind.MISSING:
        return KnownProblem(
            kind, "A file is missing",
            f"A file or folder Leadline needs is not there{place}. It may have been moved, "
            "renamed or deleted, or the drive holding it is not connected.",
            "Connect the drive or put the file back, or choose it again, then try again.")
    return KnownProblem(
        kind, "The database is busy",
        "Another program is using the Leadline database right now (a second Leadline window, "
        "a backup or sync tool), so the change could not be saved yet.",
        "Wait a moment and try again. If it keeps happening, close other Leadline windows and "
        "programs that may have the database open.")
