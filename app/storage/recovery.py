"""The SQLite side of backups and recovery: self-contained copies, checks, and swapping files.

Everything here works on closed files or through its own short-lived connections, so it can run
before the app opens its database (start-up checks, restore) as well as beside it (backups).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from alembic.script import ScriptDirectory

from app.storage.backup import backup_database
from app.storage.migrate import alembic_config

COMPANIONS = ("-wal", "-shm", "-journal")
_CHECK_TIMEOUT_S = 2.0
_PROBLEM_LINES = 3


@dataclass(frozen=True)
class FileCheck:
    """What a check of one SQLite file found; ``problem`` is plain words, empty when ok."""

    problem: str = ""
    locked: bool = False
    revision: str | None = None
    is_leadline: bool = False

    @property
    def ok(self) -> bool:
        return not self.problem and not self.locked


# What copying a database file can raise: the disk (full, read-only, gone) or SQLite itself.
COPY_ERRORS: tuple[type[Exception], ...] = (OSError, sqlite3.Error)


def write_backup(source: Path, destination: Path) -> Path:
    """A consistent copy of ``source`` (open elsewhere or not) as one self-contained file.

    Uses SQLite's online backup, then switches the copy to a rollback journal: a backup is a
    single file that can be copied, mailed or opened read-only without -wal/-shm companions.
    Written under a temporary name and renamed, so no half-written file ever has the final name.
    """
    return backup_database(source, destination, single_file=True, read_only=False)


def check_file(path: Path, *, quick: bool = False, live: bool = False,
               pages: bool = True) -> FileCheck:
    """Integrity (or the faster quick check) and the Leadline schema revision of a file.

    ``live`` is for the database itself, which may have a write-ahead log to read and another
    program holding locks; backups are opened immutable so checking never leaves -wal/-shm files
    beside them. Without ``pages`` only the header and schema are read (fast on huge files).
    """
    uri = path.resolve().as_uri() + ("?mode=ro" if live else "?mode=ro&immutable=1")
    try:
        connection = sqlite3.connect(uri, uri=True, timeout=_CHECK_TIMEOUT_S)
    except sqlite3.Error as error:
        return FileCheck(problem=f"it cannot be opened ({error})")
    try:
        if pages:
            pragma = "quick_check" if quick else "integrity_check"
            rows = connection.execute(f"PRAGMA {pragma}({_PROBLEM_LINES})").fetchall()
            result = [str(r[0]) for r in rows]
            if result != ["ok"]:
                return FileCheck(problem="it is damaged: " + _summary(result))
        tables = {r[0] for r in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "alembic_version" not in tables:
            return FileCheck(problem="it is a SQLite file but not a Leadline database"
                             if tables else "it is empty, not a Leadline database")
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        return FileCheck(revision=row[0] if row else None, is_leadline=True)
    except sqlite3.Error as error:
        return check_of_error(error)
    finally:
        connection.close()


def check_of_error(error: sqlite3.Error) -> FileCheck:
    """What an SQLite error while checking a file says about it, in the user's words."""
    text = str(error).lower()
    if "locked" in text or "busy" in text:
        return FileCheck(problem="another program is writing to it right now", locked=True)
    if "not a database" in text or "encrypted" in text:
        return FileCheck(problem="it is not a SQLite database (maybe another kind of file)")
    return FileCheck(problem=f"it is damaged: {error}")


def _summary(lines: list[str]) -> str:
    words = [part.strip() for line in lines for part in line.splitlines()
             if part.strip() and not part.startswith("***")]
    return "; ".join(words[:_PROBLEM_LINES]) or "the integrity check failed"


def is_known_revision(revision: str) -> bool:
    """Whether this app knows the schema revision (a newer app's file is unknown)."""
    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision) is not None
    except Exception:  # alembic raises several kinds for unknown ids
        return False


def is_in_use(db_path: Path) -> bool:
    """Whether another connection has the database open (so replacing it would lose writes).

    Leaving write-ahead-log mode needs sole access, so trying it is the test; it also folds the
    log into the file, so the copy moved aside by a restore is a single self-contained file.
    """
    if not db_path.exists():
        return False
    try:
        connection = sqlite3.connect(db_path, timeout=_CHECK_TIMEOUT_S)
    except sqlite3.Error:
        return False
    try:
        connection.execute("PRAGMA journal_mode = DELETE").fetchall()
    except sqlite3.Error as error:
        text = str(error).lower()
        return "locked" in text or "busy" in text  # a damaged file is not "in use"
    finally:
        connection.close()
    return False


def replace_database(db_path: Path, backup: Path, aside: Path) -> Path:
    """Put ``backup`` in place of the closed database at ``db_path``; the old file goes to ``aside``.

    The copy is written and flushed beside the database first, so a failed copy changes
    nothing. Only then are the database and its -wal/-shm moved aside (a stale log next to the
    restored file would be replayed into it) and the copy renamed into place. If that last
    step fails the old files are moved back.
    """
    partial = db_path.with_name(db_path.name + ".restore-partial")
    partial.unlink(missing_ok=True)
    try:
        _copy_file(backup, partial)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    aside.parent.mkdir(parents=True, exist_ok=True)
    moved: list[tuple[Path, Path]] = []
    try:
        for suffix in ("", *COMPANIONS):
            current = db_path.with_name(db_path.name + suffix)
            if current.exists():
                target = aside.with_name(aside.name + suffix)
                _move(current, target)
                moved.append((current, target))
        os.replace(partial, db_path)
    except BaseException:
        for current, target in reversed(moved):
            with contextlib.suppress(OSError):
                _move(target, current)
        partial.unlink(missing_ok=True)
        raise
    return aside


def _copy_file(source: Path, destination: Path) -> None:
    with open(source, "rb") as reader, open(destination, "wb") as writer:
        shutil.copyfileobj(reader, writer, 1024 * 1024)
        writer.flush()
        os.fsync(writer.fileno())


def _move(source: Path, destination: Path) -> None:
    try:
        os.replace(source, destination)
    except OSError:
        # The backups folder may be on another drive than the database.
        shutil.move(source, destination)


def remove_with_companions(path: Path) -> None:
    for suffix in ("", *COMPANIONS):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
