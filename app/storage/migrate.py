"""Schema versioning with Alembic: create, refuse newer files, back up, then upgrade.

Called once at start-up by the composition root, for the GUI and the CLI alike.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from app import __version__
from app.clock import utc_now
from app.domain.errors import DatabaseTooNewError, StorageError
from app.paths import backups_dir_for, migrations_dir
from app.storage.backup import backup_database, timestamped_name
from app.storage.db import Database


@dataclass(frozen=True)
class MigrationOutcome:
    created: bool
    from_revision: str | None
    to_revision: str
    backup: Path | None = None

    @property
    def upgraded(self) -> bool:
        return not self.created and self.from_revision != self.to_revision


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(database: Database) -> str | None:
    with database.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def prepare_database(database: Database, now: dt.datetime | None = None) -> MigrationOutcome:
    """Bring the file to the app's schema, or refuse it with a message that says why."""
    now = now or utc_now()
    script = ScriptDirectory.from_config(alembic_config())
    head = head_revision()
    with database.engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
    revision = current_revision(database) if "alembic_version" in tables else None
    if revision is None and tables - {"alembic_version"}:
        raise StorageError(
            f"{database.location} is not a Leadline database (it has tables but no Leadline "
            "version). Choose another database with --db.")
    if revision is None:
        _upgrade(database, head)
        return MigrationOutcome(created=True, from_revision=None, to_revision=head)
    if revision == head:
        return MigrationOutcome(created=False, from_revision=revision, to_revision=head)
    if not _is_known(script, revision):
        raise DatabaseTooNewError(
            f"{database.location} was last opened by a newer Leadline (schema {revision}); this is "
            f"Leadline {__version__}. Install the newer version to open it. The file was not "
            "changed.")
    if database.is_server:  # the server's own backups (pg_dump) apply; no file to copy
        _upgrade(database, head)
        return MigrationOutcome(created=False, from_revision=revision, to_revision=head)
    backup = backups_dir_for(database.path) / timestamped_name(
        database.path, f"before-{head}", now)
    backup_database(database.path, backup)
    _upgrade(database, head)
    return MigrationOutcome(created=False, from_revision=revision, to_revision=head, backup=backup)


def _is_known(script: ScriptDirectory, revision: str) -> bool:
    try:
        return script.get_revision(revision) is not None
    except Exception:  # alembic raises several kinds for unknown ids
        return False


def _upgrade(database: Database, target: str) -> None:
    config = alembic_config()
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, target)
    _reclaim_free_pages(database)


# An upgrade that freed much of the file (0015 replaced the old sync log by a compact one)
# would otherwise leave the freed pages in the file, and in every backup of it.
_FREE_SHARE_TO_VACUUM = 0.25


def _reclaim_free_pages(database: Database) -> None:
    if database.is_server:  # autovacuum's work there
        return
    with database.raw_connection() as connection:  # outside any transaction, as VACUUM needs
        (pages,) = connection.execute("PRAGMA page_count").fetchone()
        (free,) = connection.execute("PRAGMA freelist_count").fetchone()
        if pages and free / pages > _FREE_SHARE_TO_VACUUM:
            connection.execute("VACUUM")
