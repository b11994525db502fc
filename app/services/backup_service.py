"""Rotating backups of the database, the start-up check, and putting a backup back.

Restoring and the start-up check work on closed files: they are module functions, usable
before the app opens the database. What a backup file is (its name, listing, verifying) is in
:mod:`app.services.backup_files`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from app.clock import utc_now
from app.domain.errors import ValidationError
from app.paths import backups_dir_for, server_backup_refusal
from app.services.backup_files import (
    BEFORE_RESTORE,
    DAILY,
    MANUAL,
    ON_CLOSE,
    PRE_MIGRATION,
    STAMP,
    BackupError,
    BackupInfo,
    list_backups,
    verify_backup,
)
from app.services.context import ServiceContext
from app.storage.opening import check_before_opening
from app.storage.recovery import (
    COPY_ERRORS,
    FileCheck,
    is_in_use,
    remove_with_companions,
    replace_database,
    write_backup,
)

log = logging.getLogger(__name__)

POLICY_KEY = "backup_policy"
KEEP_RANGE = (1, 100)
QUICK_CHECK_LIMIT = 1024 * 1024 * 1024
_REASON = re.compile(r"^[a-z0-9][a-z0-9-]{0,40}$")
_OPERATION = re.compile(r"^[a-z][a-z0-9-]{0,30}$")
# When this process started (near enough: when it loaded this module), in file-time terms: a
# half-written backup last written before it belongs to a run that is over.
_PROCESS_STARTED = time.time()


@dataclass(frozen=True)
class BackupPolicy:
    """When backups are made; ``keep`` is how many of each kind stay."""

    daily: bool = True
    on_close: bool = True
    before_big_operations: bool = True
    keep: int = 10


@dataclass(frozen=True)
class DatabaseCheck:
    """The start-up check of the database file: fine, damaged, or busy elsewhere."""

    path: Path
    problem: str = ""
    locked: bool = False

    @property
    def ok(self) -> bool:
        return not self.problem

    @property
    def message(self) -> str:
        if self.ok:
            return ""
        if self.locked:
            return (f"The database {self.path} is locked: another program (or another Leadline) "
                    "is writing to it. Close that program and start Leadline again.")
        return f"The database {self.path} cannot be used: {self.problem}."


def check_database(db_path: Path, full_limit_bytes: int = QUICK_CHECK_LIMIT) -> DatabaseCheck:
    """The check run at start-up on the database file, before anything opens it.

    ``PRAGMA quick_check`` reads every page: about a second per 1 GB once cached, several cold.
    Above ``full_limit_bytes`` the header, the schema, the small tables and a sample of rows
    across the big ones are read, so a database with a million leads still opens promptly.
    An empty file with backups beside it is damage too (see ``check_before_opening``).
    """
    check: FileCheck = check_before_opening(db_path, full_check_bytes=full_limit_bytes)
    return DatabaseCheck(db_path, check.problem, check.locked)


def restore_offer(db_path: Path, command: str = "leadline") -> str:
    """What to do about a damaged database, for the command line: the newest backup and the
    command that puts it back (``restore`` checks it first and keeps the damaged file)."""
    candidates = [b for b in list_backups(db_path) if b.kind != BEFORE_RESTORE]
    if not candidates:
        return (f"There is no backup of it in {backups_dir_for(db_path)}; if you have a copy "
                f"elsewhere, put it back with: {command} --db {db_path} restore FILE")
    newest = candidates[0]
    when = newest.created.astimezone().strftime("%Y-%m-%d %H:%M")
    return (f"The newest backup is {newest.path} ({newest.label.lower()}, {when}). Put it back "
            f"with: {command} --db {db_path} restore {newest.path} (the backup is checked "
            "first; the damaged file is kept in the backups folder).")


def remove_stale_partials(db_path: Path, started_at: float | None = None) -> list[Path]:
    """Delete the half-written backups (``….partial``) a killed backup or upgrade left in the
    backups folder: only ours (named after this database) and only those last written before
    ``started_at`` (this process's start), so a backup another Leadline is writing stays."""
    folder = backups_dir_for(db_path)
    if not folder.is_dir():
        return []
    before = _PROCESS_STARTED if started_at is None else started_at
    ours = re.compile(rf"^{re.escape(db_path.stem)}-\d{{8}}-\d{{6}}-[a-z0-9][a-z0-9-]*"
                      rf"{re.escape(db_path.suffix or '.sqlite')}\.partial$")
    removed: list[Path] = []
    for path in folder.iterdir():
        if not ours.match(path.name):
            continue
        try:
            if not path.is_file() or path.stat().st_mtime >= before:
                continue
            path.unlink()
        except OSError as error:
            log.warning("could not delete the half-written backup %s: %s", path, error)
            continue
        log.info("deleted a half-written backup left by an interrupted run: %s", path)
        removed.append(path)
    return removed


def newest_good_backup(db_path: Path) -> BackupInfo | None:
    """The newest backup that passes ``verify_backup``; damaged ones are skipped."""
    for backup in list_backups(db_path):
        try:
            verify_backup(backup.path)
        except BackupError as error:
            log.warning("skipping backup: %s", error)
            continue
        return backup
    return None


def restore(db_path: Path, backup_path: Path, now: dt.datetime | None = None) -> Path:
    """Put a backup in place of the (closed) database; returns where the replaced file went.

    The replaced file is kept as ``<name>-before-restore-<time>`` in the backups folder, so a
    restore can itself be undone.
    """
    db_path, backup_path = Path(db_path).resolve(), Path(backup_path).resolve()
    if backup_path == db_path:
        raise BackupError(f"{backup_path} is the database itself; choose a backup file.")
    verify_backup(backup_path)
    if is_in_use(db_path):
        raise BackupError(
            f"{db_path} is open in another program (a Leadline window or command). Close it, "
            "then restore again; nothing was changed.")
    stamp = (now or utc_now()).strftime(STAMP)
    aside = backups_dir_for(db_path) / f"{db_path.stem}-before-restore-{stamp}" \
        f"{db_path.suffix or '.sqlite'}"
    try:
        return replace_database(db_path, backup_path, aside)
    except OSError as error:
        raise BackupError(
            f"Could not restore {backup_path} over {db_path}: {error.strerror or error}. "
            "The database was left as it was. Close every program using it and check free "
            "space, then try again.") from error


class BackupService:
    def __init__(self, context: ServiceContext) -> None:
        self.context = context
        self.db = context.db
        # The dialog's "Back up now" and the start-up daily backup may run on worker threads.
        self._lock = threading.Lock()

    restore = staticmethod(restore)

    # -- policy ----------------------------------------------------------------------------
    def policy(self) -> BackupPolicy:
        stored = self.db.get_meta(POLICY_KEY)
        if not stored:
            return BackupPolicy()
        try:
            values = json.loads(stored)
            defaults = asdict(BackupPolicy())
            policy = BackupPolicy(**{k: type(defaults[k])(values[k])
                                     for k in defaults if k in values})
        except (ValueError, TypeError):
            log.warning("ignoring an unreadable backup policy: %r", stored)
            return BackupPolicy()
        return policy if _keep_ok(policy.keep) else BackupPolicy()

    def set_policy(self, policy: BackupPolicy) -> None:
        if not _keep_ok(policy.keep):
            low, high = KEEP_RANGE
            raise ValidationError.single(
                "keep", f"keep between {low} and {high} backups of each kind "
                        f"(got {policy.keep!r})")
        self.db.set_meta(POLICY_KEY, json.dumps(asdict(policy), sort_keys=True))

    # -- backing up ------------------------------------------------------------------------
    def folder(self) -> Path:
        return backups_dir_for(self.db.path)

    def back_up(self, reason: str = MANUAL, to: Path | None = None) -> BackupInfo:
        """Write a backup now: into the backups folder, or to ``to`` (a file or a folder)."""
        if not _REASON.match(reason):
            raise ValidationError.single(
                "reason", "use lower-case letters, digits and dashes, e.g. 'manual'")
        if self.db.server is not None:
            raise BackupError(server_backup_refusal(self.db.server))
        with self._lock:
            now = self.context.clock()
            if to is None:
                target = self._free_name(reason, now)
            else:
                to = Path(to).expanduser()
                target = to / _name(self.db.path, reason, now) if to.is_dir() else to
                if target.resolve() == self.db.path.resolve():
                    raise ValidationError.single("to", "choose a file other than the database")
            try:
                write_backup(self.db.path, target)
            except COPY_ERRORS as error:
                raise BackupError(
                    f"Could not back up {self.db.path} to {target}: "
                    f"{getattr(error, 'strerror', None) or error}. Check that the folder is "
                    "writable and the disk has free space.") from error
            log.info("backup written: %s", target)
            return BackupInfo(target, now.astimezone(dt.UTC).replace(microsecond=0), reason,
                              target.stat().st_size)

    def _free_name(self, reason: str, now: dt.datetime) -> Path:
        # Names have one-second resolution; step on rather than overwrite a backup.
        folder = self.folder()
        target = folder / _name(self.db.path, reason, now)
        while target.exists():
            now += dt.timedelta(seconds=1)
            target = folder / _name(self.db.path, reason, now)
        return target

    def backups(self) -> list[BackupInfo]:
        if self.db.is_server:  # the server's own backups are not Leadline's to list
            return []
        return list_backups(self.db.path)

    def daily_if_due(self) -> BackupInfo | None:
        """A daily backup, unless one was already made today (local calendar day)."""
        policy = self.policy()
        if not policy.daily:
            return None
        today = self.context.clock().astimezone().date()
        if any(b.reason == DAILY and b.created.astimezone().date() == today
               for b in self.backups()):
            return None
        return self._automatic(DAILY, policy)

    def on_close(self) -> BackupInfo | None:
        policy = self.policy()
        return self._automatic(ON_CLOSE, policy) if policy.on_close else None

    def before(self, operation: str) -> BackupInfo | None:
        """A backup before a big change (``reassign``...)."""
        if not _OPERATION.match(operation):
            raise ValidationError.single("operation", "a lower-case word such as 'reassign'")
        policy = self.policy()
        if not policy.before_big_operations:
            return None
        return self._automatic(f"before-{operation}", policy)

    def _automatic(self, reason: str, policy: BackupPolicy) -> BackupInfo | None:
        if self.db.is_server:  # the server's own backups apply: nothing automatic here
            return None
        made = self.back_up(reason)
        self.prune(made.kind, policy.keep)
        self.prune(PRE_MIGRATION, policy.keep)
        return made

    def prune(self, kind: str, keep: int) -> list[Path]:
        """Delete all but the newest ``keep`` backups of one kind; never the newest overall."""
        with self._lock:
            every = self.backups()
            if not every:
                return []
            newest = every[0].path
            removed: list[Path] = []
            for backup in [b for b in every if b.kind == kind][max(keep, 1):]:
                if backup.path == newest or backup.kind == BEFORE_RESTORE:
                    continue
                try:
                    remove_with_companions(backup.path)
                except OSError as error:
                    log.warning("could not delete old backup %s: %s", backup.path, error)
                    continue
                removed.append(backup.path)
            return removed

    # -- checking ---------------------------------------------------------------------------
    def verify(self, path: Path) -> None:
        verify_backup(path)


def _keep_ok(keep: object) -> bool:
    low, high = KEEP_RANGE
    return isinstance(keep, int) and not isinstance(keep, bool) and low <= keep <= high


def _name(db_path: Path, reason: str, now: dt.datetime) -> str:
    stamp = now.astimezone(dt.UTC).strftime(STAMP)
    return f"{db_path.stem}-{stamp}-{reason}{db_path.suffix or '.sqlite'}"
