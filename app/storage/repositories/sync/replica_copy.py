"""A new laptop's copy of the team server's replica: its tables and sync state, read in one
snapshot and written into the empty laptop file in one transaction.

The server hands out every value already in SQLite's stored form (hex ids, UTC time text,
0/1 booleans), converted by the server itself, so rows go from a server-side cursor to
``executemany`` untouched. The bulk work is done once, after the rows: the indexes (sorted
with a helper thread) and the search index. A failure anywhere rolls the laptop's transaction
back (the file is filled in place, never a throwaway copy, so its journal stays on): it stays
empty and can join again.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Table, TypeDecorator, Uuid

from app.storage.db import BUSY_TIMEOUT_MS, Database
from app.storage.fulltext import CREATE_STATEMENTS, DROP_STATEMENTS, FILL_STATEMENT
from app.storage.orm import Base

# Server-only (the hub's files) or the file's own identity: never copied.
_NOT_COPIED = frozenset({"app_meta", "sync_hub_file"})
_FETCH_ROWS = 5_000
# FTS5's buffer of pending terms while the search index is filled, and its default (bytes).
_FILL_HASH = 64 << 20
_DEFAULT_HASH = 1 << 20
_SORT_THREADS = 2

log = logging.getLogger(__name__)

# (table, rows copied so far, rows in the table)
TableProgress = Callable[[str, int, int], None]


class LaptopNotEmptyError(Exception):
    """The laptop holds rows or has synced: it exchanges change sets instead of copying."""


def copied_tables() -> list[Table]:
    return [t for t in Base.metadata.sorted_tables if t.name not in _NOT_COPIED]


def is_empty_replica(laptop: Database, incarnation_key: str) -> bool:
    """No row in any copied table and never synced: a file the server's copy may fill."""
    with laptop.raw_connection() as connection:
        return _empty(connection, incarnation_key)


def _empty(connection: Any, incarnation_key: str) -> bool:
    if connection.execute("SELECT 1 FROM app_meta WHERE key = ?", [incarnation_key]).fetchone():
        return False
    return not any(connection.execute(f'SELECT 1 FROM "{t.name}" LIMIT 1').fetchone()
                   for t in copied_tables())


def _stored_form(table: Table) -> str:
    """The SELECT list that has the server write each value as SQLite stores it."""
    parts = []
    for column in table.columns:
        name = f'"{column.name}"'
        kind = column.type.impl if isinstance(column.type, TypeDecorator) else column.type
        if isinstance(kind, Uuid):
            parts.append(f"replace({name}::text, '-', '')")
        elif isinstance(kind, DateTime):
            parts.append(f"to_char({name}, 'YYYY-MM-DD HH24:MI:SS.US')")
        elif isinstance(kind, Date):
            parts.append(f"to_char({name}, 'YYYY-MM-DD')")
        elif isinstance(kind, Boolean):
            parts.append(f"{name}::int")
        else:
            parts.append(name)
    return ", ".join(parts)


def copy_replica(server: Database, laptop: Database, *, meta_keys: Sequence[str],
                 identity: Mapping[str, str], incarnation_key: str,
                 progress: TableProgress | None = None) -> dict[str, int]:
    """Copy the server's tables and the ``meta_keys`` of its app_meta into the empty
    ``laptop``, which takes ``identity`` (its own app_meta values) in the same transaction.
    Returns rows copied per table; LaptopNotEmptyError when the laptop is not empty."""
    tables = copied_tables()
    copied: dict[str, int] = {}
    pooled = server.engine.raw_connection()
    source = pooled.driver_connection
    try:
        source.autocommit = True  # the BEGIN below is ours
        source.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        source.execute("SET LOCAL TimeZone = 'UTC'")
        with laptop.writing():
            laptop.engine.dispose()  # idle pooled connections would keep the write-ahead log
            with laptop.raw_connection() as target, _rollback_journal(target):
                _fill(source, target, tables, copied, meta_keys, identity, incarnation_key,
                      progress, laptop.location)
        source.execute("COMMIT")
    finally:
        if not source.closed:
            source.rollback()
            source.autocommit = False
        pooled.close()
    return copied


def _fill(source: Any, target: Any, tables: Sequence[Table], copied: dict[str, int],
          meta_keys: Sequence[str], identity: Mapping[str, str], incarnation_key: str,
          progress: TableProgress | None, location: str) -> None:
    """The laptop's one transaction: every table, its indexes and search, the adopted meta."""
    # The server kept its references whole; checking each again costs a lookup a row.
    target.execute("PRAGMA foreign_keys = OFF")
    target.execute("BEGIN IMMEDIATE")
    try:
        if not _empty(target, incarnation_key):
            raise LaptopNotEmptyError(f"{location} already holds data")
        indexes = _drop_indexes(target, tables)
        for statement in DROP_STATEMENTS[:-1]:  # the search triggers: filled at once
            target.execute(statement)
        for table in tables:
            copied[table.name] = _copy_table(source, target, table, progress)
        _build_indexes(target, indexes)
        _fill_search(target)
        marks = ",".join("%s" for _ in meta_keys)
        found = source.execute(f"SELECT key, value FROM app_meta WHERE key IN ({marks})",
                               list(meta_keys)).fetchall() if meta_keys else []
        target.executemany("INSERT OR REPLACE INTO app_meta (key, value) VALUES (?, ?)",
                           [*found, *identity.items()])
        target.execute("COMMIT")
    except BaseException:
        target.execute("ROLLBACK")
        raise
    finally:
        target.execute("PRAGMA foreign_keys = ON")


@contextlib.contextmanager
def _rollback_journal(target: Any) -> Iterator[None]:
    """The file built with a rollback journal instead of its write-ahead log, when nothing else
    has it open: the pages the copy adds to the file are written once, not to the log and then
    again into the file (at a million leads that is gigabytes), and pages beyond the file's old
    end need no journal. ROLLBACK still works, and a crash leaves a journal the next opening
    rolls back. Another connection on the file (a window reading it) keeps the log: no wait."""
    if str(target.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
        yield
        return
    target.execute("PRAGMA busy_timeout = 0")
    try:
        switched = str(target.execute("PRAGMA journal_mode = DELETE").fetchone()[0]) == "delete"
    except sqlite3.OperationalError:  # "locked": someone else has the file open
        switched = False
    finally:
        target.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    try:
        yield
    finally:
        if switched:
            try:
                target.execute("PRAGMA journal_mode = WAL")
            except sqlite3.OperationalError as error:  # every opening sets it again
                log.warning("the joined laptop file keeps its rollback journal: %s", error)


def _drop_indexes(target: Any, tables: Sequence[Table]) -> list[str]:
    """Secondary indexes are built once after the rows, faster than updated row by row."""
    names = [t.name for t in tables]
    marks = ",".join("?" * len(names))
    found = target.execute(f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND "
                           f"sql IS NOT NULL AND tbl_name IN ({marks})", names).fetchall()
    for name, _sql in found:
        target.execute(f'DROP INDEX "{name}"')
    return [sql for _name, sql in found]


def _build_indexes(target: Any, indexes: Sequence[str]) -> None:
    """Each index in one sort of its table's rows; a helper thread shares the sorting (the
    reading thread is idle meanwhile)."""
    before = int(target.execute("PRAGMA threads").fetchone()[0])
    target.execute(f"PRAGMA threads = {_SORT_THREADS}")
    try:
        for sql in indexes:
            target.execute(sql)
    finally:
        target.execute(f"PRAGMA threads = {before}")


def _fill_search(target: Any) -> None:
    """The search index in one bulk load; FTS5 gathers terms in memory up to ``hashsize``
    before it writes a segment, and a bigger buffer for this one load writes fewer segments
    (merged less). The file keeps the default afterwards."""
    target.execute(f"INSERT INTO lead_search(lead_search, rank) VALUES ('hashsize', {_FILL_HASH})")
    target.execute(FILL_STATEMENT)
    target.execute(
        f"INSERT INTO lead_search(lead_search, rank) VALUES ('hashsize', {_DEFAULT_HASH})")
    for statement in CREATE_STATEMENTS[1:]:
        target.execute(statement)


def _copy_table(source: Any, target: Any, table: Table, progress: TableProgress | None) -> int:
    total = int(source.execute(f'SELECT count(*) FROM "{table.name}"').fetchone()[0])
    if progress is not None:
        progress(table.name, 0, total)
    if not total:
        return 0
    names = ", ".join(f'"{c.name}"' for c in table.columns)
    insert = (f'INSERT INTO "{table.name}" ({names}) '
              f"VALUES ({', '.join('?' * len(table.columns))})")
    order = ", ".join(f'"{c.name}"' for c in table.primary_key.columns)
    done = 0
    for rows in _prefetched(source, table, f"SELECT {_stored_form(table)} FROM \"{table.name}\" "
                            f"ORDER BY {order}"):
        target.executemany(insert, rows)
        done += len(rows)
        if progress is not None:
            progress(table.name, done, total)
    return done


def _prefetched(source: Any, table: Table, query: str) -> Iterator[list[tuple[Any, ...]]]:
    """The query's rows a batch at a time, the next batch fetched by a thread while the caller
    writes this one (the server's and SQLite's work overlap; both drivers release the GIL)."""
    batches: queue.Queue[list[tuple[Any, ...]] | BaseException | None] = queue.Queue(maxsize=4)
    stop = threading.Event()

    def fetch() -> None:
        try:
            with source.cursor(name=f"join_{table.name}") as cursor:
                cursor.itersize = _FETCH_ROWS
                cursor.execute(query)
                while not stop.is_set() and (rows := cursor.fetchmany(_FETCH_ROWS)):
                    batches.put(rows)
            batches.put(None)
        except BaseException as error:  # handed to the writing thread, which raises it
            batches.put(error)

    reader = threading.Thread(target=fetch, name=f"join-{table.name}", daemon=True)
    reader.start()
    try:
        while (found := batches.get()) is not None:
            if isinstance(found, BaseException):
                raise found
            yield found
    finally:
        stop.set()
        while reader.is_alive():  # let a blocked put finish, then the thread ends
            with contextlib.suppress(queue.Empty):
                batches.get(timeout=0.1)
        reader.join()
