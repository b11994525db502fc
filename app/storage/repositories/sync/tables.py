"""The connection every part of the sync repository works on, and its small SQL helpers."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence

from sqlalchemy.orm import Session

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
        self.conn: sqlite3.Connection = session.connection().connection.driver_connection  # type: ignore[assignment]
