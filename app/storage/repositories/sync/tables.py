"""The connection every part of the sync repository works on, and its small SQL helpers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy.orm import Session

from app.storage.db import DriverConnection, driver_of

RowKey = tuple[str, str]


def quote(name: str) -> str:
    # "user" is a keyword; quoting every identifier keeps the statements uniform.
    return f'"{name}"'


def in_batches(items: Sequence[str] | Iterable[str], size: int = 500) -> list[list[str]]:
    """``items`` in lists of ``size``: few enough bound parameters for one ``IN (...)``."""
    seq = list(items)
    return [seq[i:i + size] for i in range(0, len(seq), size)]


class SyncTables:
    """Sync's statements run on the session's raw SQLite connection (stored values as they are)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.conn: DriverConnection = driver_of(session)
        self.on_server = session.get_bind().dialect.name != "sqlite"
        # Keyset pages walk the table in storage order: SQLite's rowid; a server has none that
        # is stable, so its primary key.
        self.storage_order = "id" if self.on_server else "rowid"

    def inserted_id(self, sql: str, parameters: Sequence[object]) -> int:
        """Run an INSERT into a table with an integer key; the new row's key."""
        if self.on_server:
            return int(self.conn.execute(f"{sql} RETURNING id", parameters).fetchone()[0])
        return int(self.conn.execute(sql, parameters).lastrowid)
