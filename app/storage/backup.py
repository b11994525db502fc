"""Consistent copies of the live database with SQLite's online backup API, written atomically."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from pathlib import Path


def backup_database(source: Path, destination: Path, *, single_file: bool = False,
                    read_only: bool = True) -> Path:
    """Copy ``source`` to ``destination`` safely while it may be open elsewhere.

    The copy is written under a temporary name, flushed, then renamed, so a crash or a full
    disk never leaves a half-written file with the final name (nor a partial one behind).
    ``single_file`` switches the copy to a rollback journal, so it can be copied, mailed or
    opened read-only without -wal/-shm companions. ``read_only`` opens the source so that a
    missing file is an error rather than a new empty database.
    """
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        src = (sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=5.0) if read_only
               else sqlite3.connect(source, timeout=5.0))
        try:
            dst = sqlite3.connect(partial)
            try:
                src.backup(dst)
                if single_file:
                    dst.execute("PRAGMA journal_mode = DELETE")
            finally:
                dst.close()
        finally:
            src.close()
        with open(partial, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, destination)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return destination


def timestamped_name(db_path: Path, reason: str, now: dt.datetime) -> str:
    stamp = now.strftime("%Y%m%d-%H%M%S")
    return f"{db_path.stem}-{stamp}-{reason}{db_path.suffix or '.sqlite'}"
