"""The PostgreSQL team server: its engine, its failures in plain words, and the DB-API
connection the bulk paths use, speaking the same SQL and values as SQLite's.

The bulk repositories (imports, re-scoring, routing, sync) write hundreds of thousands of rows
through the driver's ``executemany`` and were measured against plain sqlite3. On the server
they run unchanged through :class:`ServerDriverConnection`: ``?`` placeholders, parameters
sent untyped so the server reads them by their column (as SQLite's type affinity does), and
results handed back as SQLite hands them back (ids as hex, times as UTC text).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import psycopg
from psycopg.adapt import Dumper
from psycopg.pq import TransactionStatus
from psycopg.types.string import StrDumperUnknown
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import NullPool

from app.domain.errors import StorageError
from app.paths import ServerAddress

CONNECT_TIMEOUT_S = 10
KEYRING_SERVICE = "Leadline team server"


def server_password(address: ServerAddress) -> str | None:
    """The password kept in the system keyring for this address, if it holds one; else
    libpq's own ~/.pgpass or service file applies."""
    import keyring

    try:
        return keyring.get_password(KEYRING_SERVICE, address.url)
    except Exception:  # a locked or missing keyring backend is the same as no password stored
        return None


def make_server_engine(address: ServerAddress, password: str | None = None, *,
                       purpose: str = "Leadline", pooled: bool = True) -> Engine:
    """``password``: one typed just now (a connection test); else the keyring's, else libpq's
    ~/.pgpass or service file."""
    connect_args: dict[str, Any] = {"connect_timeout": CONNECT_TIMEOUT_S,
                                    "application_name": purpose}
    password = password or server_password(address)
    if password:
        connect_args["password"] = password
    pool: dict[str, Any] = {"pool_pre_ping": True} if pooled else {"poolclass": NullPool}
    # pre_ping: a laptop's connection dies with the Wi-Fi; the next checkout reconnects.
    engine = create_engine(address.url, connect_args=connect_args, hide_parameters=True, **pool)
    event.listen(engine, "connect", _text_without_nul)
    return engine


class _NulFreeText(StrDumperUnknown):
    """A server's text cannot hold NUL, which a SQLite file stores: a scanner's or a file's
    stray NUL is kept as U+FFFD (the replacement character) instead of refusing the record."""

    def dump(self, obj: str) -> Any:
        return super().dump(obj.replace("\x00", "\ufffd") if "\x00" in obj else obj)


def _text_without_nul(connection: psycopg.Connection[Any], _record: Any) -> None:
    connection.adapters.register_dumper(str, _NulFreeText)  # text, as psycopg sends str


def server_version(address: ServerAddress, password: str | None = None) -> str:
    """Log in once and say what answered ("PostgreSQL 16.4"); StorageError in plain words
    when the server cannot be reached or refuses."""
    engine = make_server_engine(address, password, purpose="Leadline (connection test)",
                                pooled=False)
    try:
        with engine.connect() as connection:
            version = connection.dialect.server_version_info or ()
    except Exception as error:  # every driver failure becomes one plain sentence
        raise StorageError(describe_server_error(error, address, at_start=True)) from None
    finally:
        engine.dispose()
    return "PostgreSQL " + ".".join(str(part) for part in version[:2]) if version else \
        "PostgreSQL"


def describe_server_error(error: BaseException, address: ServerAddress, *,
                          at_start: bool = False) -> str:
    """Plain-language text for what people meet with a team server (``at_start``: nothing
    was being saved, as when connecting)."""
    original = getattr(error, "orig", error)
    message = str(original).lower()
    where = str(address)
    if "password authentication failed" in message or "no password supplied" in message:
        return (f"The team server {where} refused the login: put the password in ~/.pgpass or "
                "a libpq service file (or the system keyring), or ask the admin for access.")
    if "does not exist" in message and "database" in message:
        return f"The team server has no database named in {where}: ask the admin to create it."
    if ("connection refused" in message or "could not connect" in message
            or "timeout" in message or "could not translate host" in message
            or "no such file or directory" in message):
        lost = "" if at_start else " Nothing was saved from the last change."
        return (f"The team server {where} cannot be reached: check the network (or VPN) and "
                f"the address.{lost}")
    if "permission denied" in message:
        return (f"The team server refused this: your server role may not do it "
                f"({str(original).splitlines()[0]}).")
    if "serialization" in message or "deadlock" in message:
        return "Someone else changed the same records at the same moment; try again."
    if "no space left" in message or "disk full" in message:
        return "The team server's disk is full; nothing was saved. Tell the admin."
    return f"The team server {where} reported an error: {str(original).splitlines()[0]}"


class _Untyped(Dumper):
    """Numbers sent as untyped text, so the server reads 1 as true in a boolean column, as an
    integer beside an integer, and a hex id as a uuid: what SQLite's affinity does."""

    oid = 0

    def dump(self, obj: Any) -> bytes:
        return str(obj).encode()


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)  # SQLite stores booleans as 0 and 1
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, dt.datetime):
        # SQLAlchemy's SQLite storage format, which the bulk readers parse.
        return value.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _sqlite_row(row: Sequence[Any] | None) -> tuple[Any, ...] | None:
    return None if row is None else tuple(_sqlite_value(v) for v in row)


# SQLite's boolean columns hold 0 and 1 and its SQL says "= 1"; the server's are booleans.
_BOOLEAN_COLUMNS = ("needs_review", "awaiting_registration", "do_not_contact", "active",
                    "enabled", "is_catch_all")
_PLACEHOLDER = re.compile(
    r"'(?:[^']|'')*'|\?|\bIS NOT (?=[(?])|\b(?:AND|OR|WHERE) \+(?=[a-z_])|\binstr\("
    rf"|\b(?:{'|'.join(_BOOLEAN_COLUMNS)}) = [01]\b")
_STATEMENT = {"BEGIN IMMEDIATE": "BEGIN", "BEGIN DEFERRED": "BEGIN"}


def _spelled(match: re.Match[str]) -> str:
    found = match.group(0)
    if found == "?":
        return "%s"
    if found.startswith("IS NOT"):  # SQLite's null-safe "IS NOT ?" and "IS NOT (subquery)"
        return "IS DISTINCT FROM "
    if found.endswith("+"):  # SQLite's "+column", which keeps its planner off an index
        return found[:-1]
    if found == "instr(":  # instr(text, part): the server's strpos, same arguments
        return "strpos("
    if found.endswith(("= 0", "= 1")):
        return found[:-1] + ("true" if found.endswith("1") else "false")
    return found  # a literal: question marks in it are text


def server_sql(sql: str) -> str:
    """SQLite's spelling for the server: ``?`` placeholders as psycopg's ``%s`` (so a literal
    ``%`` is doubled: always send parameters, even none), SQLite's ``BEGIN IMMEDIATE`` as
    BEGIN, the null-safe ``IS NOT`` as ``IS DISTINCT FROM``, ``+column`` (SQLite's way to
    keep its planner off an index) as the column, ``instr`` as ``strpos`` and a boolean
    column's ``= 1`` as ``= true``."""
    sql = _STATEMENT.get(sql.strip().upper(), sql)
    return _PLACEHOLDER.sub(_spelled, sql.replace("%", "%%"))


class ServerCursor:
    """The part of sqlite3.Cursor the repositories use, over a psycopg cursor."""

    def __init__(self, cursor: psycopg.Cursor[Any]) -> None:
        self._cursor = cursor

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    def fetchone(self) -> tuple[Any, ...] | None:
        return _sqlite_row(self._cursor.fetchone() if self._cursor.description else None)

    def fetchall(self) -> list[tuple[Any, ...]]:
        if not self._cursor.description:
            return []
        return [tuple(_sqlite_value(v) for v in row) for row in self._cursor.fetchall()]

    def fetchmany(self, size: int) -> list[tuple[Any, ...]]:
        return [tuple(_sqlite_value(v) for v in row) for row in self._cursor.fetchmany(size)]

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        if not self._cursor.description:
            return
        for row in self._cursor:
            yield tuple(_sqlite_value(v) for v in row)

    def close(self) -> None:
        self._cursor.close()


class ServerDriverConnection:
    """A psycopg connection dressed as the sqlite3 connection the bulk repositories use.

    ``own_transactions``: the caller sends BEGIN and COMMIT itself, as with sqlite3 in
    autocommit mode (the app's setting); otherwise statements join the session's transaction.
    """

    def __init__(self, connection: psycopg.Connection[Any], *,
                 own_transactions: bool = False) -> None:
        self._connection = connection
        if own_transactions:
            connection.autocommit = True

    @property
    def in_transaction(self) -> bool:
        return self._connection.info.transaction_status != TransactionStatus.IDLE

    def _cursor(self) -> psycopg.Cursor[Any]:
        cursor = self._connection.cursor()
        for kind in (int, float):  # a cursor's adapters are its own copy of the connection's
            cursor.adapters.register_dumper(kind, _Untyped)
        return cursor

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> ServerCursor:
        cursor = self._cursor()
        cursor.execute(server_sql(sql), tuple(_sqlite_value(v) for v in parameters))
        return ServerCursor(cursor)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> ServerCursor:
        cursor = self._cursor()
        cursor.executemany(server_sql(sql),
                           [tuple(_sqlite_value(v) for v in row) for row in rows])
        return ServerCursor(cursor)

    def release(self) -> None:
        """Give the connection back as the pool expects it: no transaction, autocommit off."""
        if self._connection.autocommit:
            self._connection.autocommit = False
