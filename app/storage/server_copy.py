"""Copy a SQLite database into an empty PostgreSQL server database, verified table by table.

Everything happens in one server transaction (PostgreSQL's DDL is transactional too): the schema
from the Alembic migrations, every table of the models in foreign-key order (one COPY each, so
a lead merged into a later lead is no problem), the sequences, then a read-back of every table
whose row count and checksum must equal the source's. Any failure, mismatch or cancel rolls it
all back and leaves the server database as it was. The source is read in one snapshot.

SQLite's FTS5 search tables are not models and are not copied: the server has its own trigram
index (migration 0019), built once after the rows rather than updated row by row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg
from alembic import command
from alembic.runtime.migration import MigrationContext
from psycopg.abc import Buffer
from psycopg.copy import LibpqWriter
from sqlalchemy import (
    Column,
    Connection,
    Date,
    Enum,
    LargeBinary,
    MetaData,
    String,
    Table,
    Uuid,
    exists,
    func,
    inspect,
    select,
)
from sqlalchemy import exc as sa_exc

from app.domain.errors import StorageError
from app.domain.progress import CancelCheck, Progress, report, stop_if_cancelled
from app.paths import ServerAddress
from app.storage.db import Database
from app.storage.fulltext import POSTGRESQL_CREATE_STATEMENTS, POSTGRESQL_DROP_STATEMENTS
from app.storage.migrate import alembic_config, head_revision
from app.storage.orm import Base, UTCDateTime
from app.storage.recovery import is_known_revision
from app.storage.server import make_server_engine

# One server-wide lock number for "a Leadline copy is running into this database": a second
# copy started at the same moment waits, then finds the first one's rows and refuses.
_COPY_LOCK = 0x4C4C_434F  # "LLCO"
_READ_BATCH = 5_000
_PROGRESS_EVERY = 2_000
_TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f"
_SERVER_TIMESTAMP_FORMAT = "YYYY-MM-DD HH24:MI:SS.US"
CANCELLED = "Stopped: nothing was copied; the server database is as it was."


class ServerNotEmptyError(StorageError):
    """The server database already holds data (a second run, or another database)."""


class CopyMismatchError(StorageError):
    """A table read back from the server differs from the source: nothing was kept."""


@dataclass(frozen=True)
class TableCopy:
    """One table: rows copied and the checksum both sides agreed on."""

    name: str
    rows: int
    checksum: str

    def to_json(self) -> dict[str, Any]:
        return {"table": self.name, "rows": self.rows, "sha256": self.checksum}


@dataclass(frozen=True)
class ServerCopy:
    """What :func:`copy_to_server` copied, where to, and how long it took."""

    server: str
    schema: str
    tables: tuple[TableCopy, ...]
    seconds: float

    @property
    def rows(self) -> int:
        return sum(table.rows for table in self.tables)

    def count(self, table: str) -> int:
        return next((t.rows for t in self.tables if t.name == table), 0)

    def to_json(self) -> dict[str, Any]:
        return {"server": self.server, "schema": self.schema, "rows": self.rows,
                "seconds": round(self.seconds, 3), "tables": [t.to_json() for t in self.tables]}


def copy_to_server(source: Database, server: ServerAddress, progress: Progress | None = None,
                   cancelled: CancelCheck | None = None) -> ServerCopy:
    """Copy ``source`` (at the current schema) into the empty server database ``server``.

    ``progress(done, total)`` counts rows, copied then verified (total = twice the rows).
    Raises ServerNotEmptyError when the server database holds any data, CopyMismatchError when
    a table reads back differently, CancelledError when ``cancelled()`` turns true; in every
    failure the server database is left as it was.
    """
    if source.is_server:
        raise StorageError(f"{source.location} is a server database already; migrate-to copies "
                           "a database file (give it with --db).")
    started = time.perf_counter()
    tables = [_plain(table) for table in Base.metadata.sorted_tables]
    engine = make_server_engine(server)
    try:
        with source.engine.connect() as reading, reading.begin(), _server_errors(server), \
                engine.connect() as target, target.begin():
            target.exec_driver_sql("SELECT pg_advisory_xact_lock(%s)", (_COPY_LOCK,))
            _refuse_unless_empty(target, server)
            _create_schema(target)
            total = 2 * sum(reading.execute(select(func.count()).select_from(table)).scalar_one()
                            for table in tables)
            done = 0

            def advance(rows: int) -> None:
                nonlocal done
                done += rows
                stop_if_cancelled(cancelled, CANCELLED)
                report(progress, done, total)

            # One bulk build of the trigram index after the rows, not an update per row.
            for statement in POSTGRESQL_DROP_STATEMENTS:
                target.exec_driver_sql(statement)
            # The read-back prints bytea as the hex text psycopg sends, whatever the server's
            # default.
            target.exec_driver_sql("SET LOCAL bytea_output = 'hex'")
            copied = [_copy_table(reading, target, table, advance) for table in tables]
            target.exec_driver_sql(POSTGRESQL_CREATE_STATEMENTS[-1])
            _reset_sequences(target, tables)
            checked = [_check_table(target, table, expected, advance)
                       for table, expected in zip(tables, copied, strict=True)]
        # Outside the copy's transaction, as VACUUM must be: the visibility map it sets lets
        # counts read the indexes alone from the first day, not after autovacuum came round.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as settled:
            settled.exec_driver_sql("VACUUM (ANALYZE)")
    finally:
        engine.dispose()
    return ServerCopy(server=str(server), schema=head_revision(), tables=tuple(checked),
                      seconds=time.perf_counter() - started)


@dataclass(frozen=True)
class _Copied:
    rows: int
    checksum: str


def _plain(table: Table) -> Table:
    """``table`` with enum columns as plain text: values move as stored, never re-validated."""
    columns = [Column(column.name, String(column.type.length) if isinstance(column.type, Enum)
                      else column.type, primary_key=column.primary_key, autoincrement=False)
               for column in table.columns]
    return Table(table.name, MetaData(), *columns)


def _refuse_unless_empty(target: Connection, server: ServerAddress) -> None:
    encoding = target.exec_driver_sql("SHOW server_encoding").scalar_one()
    if str(encoding).upper() not in ("UTF8", "UTF-8"):
        raise StorageError(
            f"The server database {server} uses the {encoding} encoding; Leadline needs "
            "UTF8 (names in every script). Create it with: CREATE DATABASE ... ENCODING 'UTF8'")
    present = set(inspect(target).get_table_names())
    ours = [table for table in Base.metadata.sorted_tables if table.name in present]
    if present and "alembic_version" not in present:
        raise ServerNotEmptyError(
            f"The server database {server} holds other tables ({', '.join(sorted(present)[:5])}"
            "); it is not a Leadline database. Nothing was copied: give an empty database.")
    revision = MigrationContext.configure(target).get_current_revision() if present else None
    if revision is not None and revision != head_revision() and not is_known_revision(revision):
        raise ServerNotEmptyError(
            f"The server database {server} was set up by a newer Leadline (schema "
            f"{revision}). Nothing was copied.")
    filled = [table.name for table in ours if target.execute(select(exists().select_from(table)))
              .scalar_one()]
    if filled:
        leads = target.execute(select(func.count()).select_from(Base.metadata.tables["lead"])) \
            .scalar_one() if "lead" in present else 0
        raise ServerNotEmptyError(
            f"The server database {server} already holds a Leadline database ({leads:,} "
            f"leads; {len(filled)} tables with rows). Nothing was copied: a database is moved "
            "once, into an empty server database. To start over, drop and create it again.")


def _create_schema(target: Connection) -> None:
    config = alembic_config()
    config.attributes["connection"] = target
    command.upgrade(config, "head")


def _copy_table(reading: Connection, target: Connection, table: Table,
                advance: Callable[[int], None]) -> _Copied:
    rows = 0
    names = [column.name for column in table.columns]
    # Only the columns whose values need a change or a check; the rest go as read.
    to_server = [(index, convert) for index, column in enumerate(table.columns)
                 if (convert := _server_value(column)) is not None]
    preparer = target.dialect.identifier_preparer
    statement = (f"COPY {preparer.format_table(table)} "
                 f"({', '.join(preparer.quote(name) for name in names)}) FROM STDIN")
    cursor = target.connection.driver_connection.cursor()  # type: ignore[union-attr]
    writer = _HashingWriter(cursor)
    try:
        with cursor.copy(statement, writer=writer) as copy:
            since_report = 0
            for row in _ordered_rows(reading, table):
                values = list(row)
                for index, convert in to_server:
                    values[index] = convert(values[index], row, table)
                copy.write_row(values)
                rows += 1
                since_report += 1
                if since_report == _PROGRESS_EVERY:
                    advance(since_report)
                    since_report = 0
            advance(since_report)
    finally:
        cursor.close()
    return _Copied(rows, writer.digest.hexdigest())


class _HashingWriter(LibpqWriter):
    """Sends the COPY text stream and hashes exactly the bytes sent, so the read-back compares
    what the server stored with what it was given, not two Python readings of the rows."""

    def __init__(self, cursor: psycopg.Cursor[Any]) -> None:
        super().__init__(cursor)
        self.digest = hashlib.sha256()

    def write(self, data: Buffer) -> None:
        self.digest.update(data)
        super().write(data)


def _ordered_rows(connection: Connection, table: Table) -> Iterator[tuple[Any, ...]]:
    """Every source row in primary-key order (SQLite's BINARY: byte order, as the read-back's
    COLLATE "C"), so both checksums see the rows in the same sequence."""
    order = list(table.primary_key.columns)
    statement = select(table).order_by(*order).execution_options(yield_per=_READ_BATCH)
    binary = [index for index, column in enumerate(table.columns)
              if isinstance(column.type, LargeBinary)]
    for partition in connection.execute(statement).partitions():
        for row in partition:
            values = tuple(row)
            if binary and any(isinstance(values[i], memoryview) for i in binary):
                values = tuple(bytes(v) if isinstance(v, memoryview) else v for v in values)
            yield values


Convert = Callable[[Any, tuple[Any, ...], Table], Any]


def _server_value(column: Column[Any]) -> Convert | None:
    """How one column's value (as SQLAlchemy read it from SQLite) is written by COPY (None: as
    read). Text the server would refuse is refused here, naming the row, rather than by the
    server's COPY error, which names neither."""
    if isinstance(column.type, UTCDateTime):
        # Text in the one format the read-back's to_char prints (str() drops zero microseconds).
        return lambda value, _row, _table: (
            None if value is None else f"{value.astimezone(dt.UTC):{_TIMESTAMP_FORMAT}}")
    if isinstance(column.type, String):
        length = column.type.length
        name = column.name

        def checked(value: Any, row: tuple[Any, ...], table: Table) -> Any:
            if isinstance(value, str):
                if length is not None and len(value) > length:
                    raise StorageError(
                        f"{table.name}.{name} of row {_key(row, table)} is {len(value)} "
                        f"characters long; the server column holds {length}. Nothing was "
                        "copied: shorten it in Leadline, then run this again.")
                if "\x00" in value:
                    raise StorageError(
                        f"{table.name}.{name} of row {_key(row, table)} holds a NUL character, "
                        "which PostgreSQL cannot store. Nothing was copied: edit it in "
                        "Leadline, then run this again.")
            return value

        return checked
    return None


def _key(row: tuple[Any, ...], table: Table) -> str:
    positions = [index for index, column in enumerate(table.columns) if column.primary_key]
    return "/".join(str(row[index]) for index in positions)


def _reset_sequences(target: Connection, tables: list[Table]) -> None:
    """Serial columns (lead.key, sync_chunk.id) continue after the copied rows, not at 1."""
    preparer = target.dialect.identifier_preparer
    for table in tables:
        for column in table.primary_key.columns:
            sequence = target.execute(select(func.pg_get_serial_sequence(
                preparer.format_table(table), column.name))).scalar_one()
            if sequence is None:
                continue
            highest = target.execute(select(func.max(column))).scalar_one()
            target.execute(select(func.setval(sequence, highest or 1, highest is not None)))


def _check_table(target: Connection, table: Table, copied: _Copied,
                 advance: Callable[[int], None]) -> TableCopy:
    """Read ``table`` back as the COPY text psycopg sent (the server prints each column in the
    format the sender wrote it), hashed as it arrives: a changed value, a missing or an extra
    row each change the digest or the count."""
    digest = hashlib.sha256()
    rows = since_report = 0
    cursor = target.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(_read_back_statement(target, table)) as copy:
            for data in copy:
                digest.update(data)
                rows += 1
                since_report += 1
                if since_report == _PROGRESS_EVERY:
                    advance(since_report)
                    since_report = 0
        advance(since_report)
    finally:
        cursor.close()
    if rows != copied.rows or digest.hexdigest() != copied.checksum:
        raise CopyMismatchError(
            f"The server's {table.name} table reads back differently from the source ({rows:,} "
            f"rows against {copied.rows:,}; checksums {digest.hexdigest()[:12]} and "
            f"{copied.checksum[:12]}). Nothing was kept on the server.")
    return TableCopy(table.name, rows, copied.checksum)


def _read_back_statement(target: Connection, table: Table) -> str:
    """COPY … TO STDOUT of ``table`` in key order (text in byte order, as SQLite's BINARY),
    each column printed as psycopg's COPY FROM wrote it."""
    preparer = target.dialect.identifier_preparer
    columns = []
    for column in table.columns:
        name = preparer.quote(column.name)
        if isinstance(column.type, UTCDateTime):
            name = f"to_char({name}, '{_SERVER_TIMESTAMP_FORMAT}')"
        elif isinstance(column.type, Uuid):
            name = f"replace({name}::text, '-', '')"  # psycopg sends 32 hex digits
        elif isinstance(column.type, Date):
            name = f"to_char({name}, 'YYYY-MM-DD')"
        columns.append(name)
    order = [f'{preparer.quote(column.name)} COLLATE "C"' if isinstance(column.type, String)
             else preparer.quote(column.name) for column in table.primary_key.columns]
    return (f"COPY (SELECT {', '.join(columns)} FROM {preparer.format_table(table)} "
            f"ORDER BY {', '.join(order)}) TO STDOUT")


@contextmanager
def _server_errors(server: ServerAddress) -> Iterator[None]:
    """The server's own failures (cannot connect, not allowed, refused a value) in plain words
    (a ServerAddress never holds a password)."""
    try:
        yield
    except (sa_exc.DBAPIError, psycopg.Error) as error:
        cause = getattr(error, "orig", error)
        if not isinstance(cause, psycopg.Error):
            raise
        detail = str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__
        if isinstance(cause, psycopg.OperationalError):
            raise StorageError(
                f"Cannot reach the server {server}: {detail}. Check the address, that the "
                "server runs and your login (its password in ~/.pgpass). Nothing was copied."
            ) from error
        if isinstance(cause, psycopg.errors.InsufficientPrivilege):
            raise StorageError(
                f"The server {server} does not allow this login to set up the database: "
                f"{detail}. Run migrate-to as the database's owner. Nothing was copied.") from error
        raise StorageError(f"The server {server} refused the copy: {detail}. Nothing was "
                           "kept on the server.") from error
