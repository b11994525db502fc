"""A small page cache for a connection that walks a whole table once (the daily re-score, the
follow-up checks' search for due leads): it never reads those pages again, and filling the
usual cache would leave the app holding megabytes per pooled connection for nothing."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from app.storage.db import DriverConnection

SEQUENTIAL_CACHE_KIB = 2_000


@contextmanager
def small_page_cache(connection: DriverConnection) -> Iterator[None]:
    """While the block runs, the connection caches at most SEQUENTIAL_CACHE_KIB; afterwards it
    may grow to its usual size again (it is pooled), without refilling what was dropped. (A
    server manages its own shared cache.)"""
    if not isinstance(connection, sqlite3.Connection):
        yield
        return
    (usual,) = connection.execute("PRAGMA cache_size").fetchone()
    connection.execute(f"PRAGMA cache_size = -{SEQUENTIAL_CACHE_KIB}")
    try:
        yield
    finally:
        connection.execute(f"PRAGMA cache_size = {int(usual)}")
