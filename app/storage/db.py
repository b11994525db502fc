"""The database: a SQLite file (engine, pragmas) or a PostgreSQL team server (app/storage/server.py),
its transactions, and translation of failures to plain words."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import sys
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Engine, create_engine, event, exc, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from app.domain.errors import StorageError
from app.domain.ids import new_id
from app.paths import ServerAddress
from app.storage.orm import AppMeta


class DriverConnection(Protocol):
    """The DB-API calls the bulk repositories make: sqlite3's, or the server's dressed as them
    (app/storage/server.py)."""

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> Any: ...

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]], /) -> Any: ...

    @property
    def in_transaction(self) -> bool: ...


def driver_of(session: Session) -> DriverConnection:
    """The session's own DB-API connection, so bulk reads and writes share its transaction."""
    connection = session.connection().connection.driver_connection
    if isinstance(connection, sqlite3.Connection):
        return connection
    from app.storage.server import ServerDriverConnection

    return ServerDriverConnection(connection)  # type: ignore[arg-type]


BUSY_TIMEOUT_MS = 5000
# How long the GUI thread waits for the app's own background writer before saying "busy": a
# background job commits in small steps, so this is only met behind one unusually long step.
FOREGROUND_WRITE_WAIT_S = 10.0
_WRITE_OPTION = "leadline_write"
# This laptop's own values for a team server database (Database.get_local).
_LAPTOP_VALUES = "laptop.json"


def make_engine(path: Path) -> Engine:
    """An engine with WAL, foreign keys, a busy timeout, and real BEGIN statements."""
    engine = create_engine(
        f"sqlite+pysqlite:///{path}",
        connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # pysqlite's own transaction handling defers BEGIN oddly; take control (SQLAlchemy docs).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA cache_size = -16000")  # 16 MB per connection
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        # Writers take the write lock up front: a deferred transaction that read first and
        # writes later fails at once (SQLITE_BUSY_SNAPSHOT) if another connection wrote meanwhile.
        immediate = connection.get_execution_options().get(_WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def describe_sqlite_error(error: BaseException, path: Path) -> str:
    """Plain-language text for the SQLite failures people actually meet."""
    message = str(getattr(error, "orig", error)).lower()
    if "locked" in message or "busy" in message:
        return (f"The database {path} is busy: another Leadline window or program is writing "
                "to it. Close the other window and try again.")
    if "readonly" in message or "read-only" in message:
        return f"The database {path} is read-only. Move it to a folder you can write to."
    if "disk is full" in message or "database or disk is full" in message:
        return "The disk is full. Free some space; nothing was saved from the last change."
    if "not a database" in message or "malformed" in message:
        return (f"The file {path} is damaged or is not a Leadline database. "
                "Restore it from a backup.")
    if "unable to open" in message:
        return f"The database {path} cannot be opened: check that the folder exists and is yours."
    return f"The database {path} reported an error: {getattr(error, 'orig', error)}"


class Database:
    """One SQLite file or team server database: engine, session factory, transactions and
    local identity.

    Services receive this object; only repositories use the sessions it hands out.
    """

    def __init__(self, path: Path, *, server: ServerAddress | None = None) -> None:
        """``server``: the team database; ``path`` is then this laptop's own folder of files
        for it (settings scope), never the data."""
        self.server = server
        self.path = path
        if server is not None:
            from app.storage.server import make_server_engine

            self.engine = make_server_engine(server)
        else:
            self.engine = make_engine(path)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False, autoflush=False)
        self._device_id: uuid.UUID | None = None
        # SQLite has one writer at a time. Within this process writers queue here, so the app's
        # own jobs (sync, re-score, follow-up check, import) wait for each other instead of
        # failing "busy" after the busy timeout, which remains for other processes (the CLI).
        self._write_turn = threading.RLock()
        # Others' commits show as a new PRAGMA data_version on a connection that did not make
        # them; this one only ever reads it (see others_wrote).
        self._watcher: Any = None
        self._seen_version: int | str | None = None
        self._own_writes = 0
        self._own_writes_seen = 0

    @classmethod
    def on_server(cls, address: ServerAddress) -> Database:
        return cls(address.local_folder / "server", server=address)

    @property
    def is_server(self) -> bool:
        return self.server is not None

    @property
    def location(self) -> str:
        """What to show people: the file path or the server address (never a password)."""
        return str(self.server) if self.server is not None else str(self.path)

    @contextmanager
    def writing(self) -> Iterator[None]:
        """This thread's turn to write. Background threads wait as long as it takes; the GUI
        thread waits a bounded time, then gets the plain "busy" message instead of freezing."""
        foreground = threading.current_thread() is threading.main_thread()
        if not self._write_turn.acquire(timeout=FOREGROUND_WRITE_WAIT_S if foreground else -1):
            raise StorageError(
                "Leadline is still saving a large change in the background (an import, a sync "
                "or today's re-scoring). Try again in a moment; nothing was saved.")
        try:
            yield
        finally:
            self._own_writes += 1
            self._write_turn.release()

    def others_wrote(self) -> bool:
        """True when another program (a second window, the CLI, a sync on another machine
        writing this file) committed since the last call and this process did not write
        meanwhile; cheap enough to ask every few seconds. A change that lands in the same
        interval as one of ours is reported at the next foreign commit."""
        try:
            version = self._server_version() if self.server else self._file_version()
        except (sqlite3.Error, exc.DBAPIError, OSError):
            self.stop_watching()
            return False  # busy or gone: ask again next time
        own = self._own_writes
        changed = (self._seen_version is not None and version != self._seen_version
                   and own == self._own_writes_seen)
        self._seen_version, self._own_writes_seen = version, own
        return changed

    def _file_version(self) -> int:
        if self._watcher is None:
            self._watcher = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True,
                                            check_same_thread=False, timeout=0.1)
        return int(self._watcher.execute("PRAGMA data_version").fetchone()[0])

    def _server_version(self) -> str:
        # The snapshot (oldest running, next and running transaction ids) changes whenever a
        # writing transaction starts or ends anywhere on the server; reads never change it.
        if self._watcher is None:
            self._watcher = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        return str(self._watcher.exec_driver_sql("SELECT pg_current_snapshot()").scalar())

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction: everything in the block is committed together or not at all."""
        with self.writing(), self._translated(), self._sessions.begin() as session:
            session.connection(execution_options={_WRITE_OPTION: True})
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._translated(), self._sessions() as session:
            yield session

    @contextmanager
    def raw_connection(self) -> Iterator[DriverConnection]:
        """The DB-API connection in autocommit mode (the caller sends BEGIN and COMMIT), for
        bulk paths measured against raw sqlite3; on a server, dressed as one."""
        with self._translated():
            pooled = self.engine.raw_connection()
            try:
                if self.server is None:
                    yield pooled.driver_connection
                else:
                    from app.storage.server import ServerDriverConnection

                    dressed = ServerDriverConnection(pooled.driver_connection,
                                                     own_transactions=True)
                    try:
                        yield dressed
                    finally:
                        dressed.release()
            finally:
                pooled.close()

    @contextmanager
    def _translated(self) -> Iterator[None]:
        try:
            yield
        except (exc.OperationalError, exc.DatabaseError, sqlite3.OperationalError,
                sqlite3.DatabaseError) as error:
            if isinstance(error, exc.IntegrityError | sqlite3.IntegrityError):
                raise
            raise StorageError(self.describe_error(error)) from error
        except Exception as error:
            driver = sys.modules.get("psycopg") if self.server is not None else None
            if driver is None or not isinstance(error, driver.Error) \
                    or isinstance(error, driver.IntegrityError):
                raise
            raise StorageError(self.describe_error(error)) from error

    def describe_error(self, error: BaseException) -> str:
        if self.server is not None:
            from app.storage.server import describe_server_error

            return describe_server_error(error, self.server)
        return describe_sqlite_error(error, self.path)

    def use_write_ahead_log(self) -> None:
        """WAL is a property of the file; set once the file is known to be ours."""
        if self.server is not None:
            return
        with self.raw_connection() as connection:  # outside any transaction, as SQLite requires
            connection.execute("PRAGMA journal_mode = WAL")

    def truncate_write_ahead_log(self) -> bool:
        """Checkpoint the WAL into the file and empty it; False when a reader kept it busy."""
        if self.server is not None:
            return True
        with self.raw_connection() as connection:
            busy, _, _ = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        return not busy

    def get_meta(self, key: str) -> str | None:
        with self.read() as session:
            row = session.get(AppMeta, key)
            return row.value if row else None

    def set_meta(self, key: str, value: str | None) -> None:
        with self.write() as session:
            row = session.get(AppMeta, key)
            if value is None:
                if row is not None:
                    session.delete(row)
            elif row is None:
                session.add(AppMeta(key=key, value=value))
            else:
                row.value = value

    def get_local(self, key: str) -> str | None:
        """A value of this laptop's own for this database (who is signed in, booth drafts,
        the last event): in the file for a database file; for a team server in a file of this
        laptop's, since the server's app_meta is everyone's."""
        if self.server is None:
            return self.get_meta(key)
        return self._laptop_values().get(key)

    def set_local(self, key: str, value: str | None) -> None:
        if self.server is None:
            self.set_meta(key, value)
            return
        values = self._laptop_values()
        if value is None:
            values.pop(key, None)
        else:
            values[key] = value
        target = self.path.parent / _LAPTOP_VALUES
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(f"{_LAPTOP_VALUES}.part")
            # Drafts hold people's details: readable by this account only.
            handle = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(values, out, sort_keys=True)
            os.replace(partial, target)
        except OSError as error:
            raise StorageError(f"Cannot keep this laptop's settings for the team server in "
                               f"{target}: {error.strerror or error}") from error

    def change_local(self, key: str, change: Callable[[str | None], str | None]) -> str | None:
        """Read, change and write one of this laptop's values as one step, so two processes
        never both act on the old value (the count of wrong PIN tries); the new value."""
        if self.server is None:
            with self.write() as session:  # BEGIN IMMEDIATE: the file's write lock is held
                row = session.get(AppMeta, key)
                value = change(row.value if row else None)
                if row is not None and value is None:
                    session.delete(row)
                elif row is None and value is not None:
                    session.add(AppMeta(key=key, value=value))
                elif row is not None:
                    row.value = value
            return value
        with _exclusive(self.path.parent / f"{_LAPTOP_VALUES}.lock"):
            value = change(self.get_local(key))
            self.set_local(key, value)
        return value

    def _laptop_values(self) -> dict[str, str]:
        try:
            found = json.loads((self.path.parent / _LAPTOP_VALUES).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}

    @property
    def device_id(self) -> uuid.UUID:
        """This database's device identity, minted on first use and kept in app_meta."""
        if self._device_id is None:
            stored = self.get_meta("device_id")
            if stored is None:
                stored = str(new_id())
                self.set_meta("device_id", stored)
            self._device_id = uuid.UUID(stored)
        return self._device_id

    def schema_tables(self) -> set[str]:
        if self.server is not None:
            with self.engine.connect() as connection:
                return set(inspect(connection).get_table_names())
        with self.read() as session:
            rows = session.execute(
                select(_sqlite_master.c.name).where(_sqlite_master.c.type == "table"))
            return {r[0] for r in rows}

    def stop_watching(self) -> None:
        """Close the connection others_wrote reads (it opens again when next asked)."""
        if self._watcher is not None:
            with contextlib.suppress(Exception):  # a dead server connection closes anyway
                self._watcher.close()
            self._watcher = None
        self._seen_version = None

    def dispose(self) -> None:
        self.stop_watching()
        self.engine.dispose()


def _master_table() -> Any:
    from sqlalchemy import Column, MetaData, String, Table

    return Table("sqlite_master", MetaData(), Column("name", String), Column("type", String))


_sqlite_master = _master_table()



@contextmanager
def _exclusive(lock_file: Path) -> Iterator[None]:
    """Hold an operating-system lock on ``lock_file`` (other processes wait for it)."""
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    handle = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if sys.platform == "win32":
            import msvcrt

            msvcrt.locking(handle, msvcrt.LK_LOCK, 1)
        else:
            import fcntl

            fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)  # closing releases the lock on both systems
