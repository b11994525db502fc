"""Consistent copies of the live database with SQLite's online backup API, written atomically."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from pathlib import Path


def backup_database(source: Path, destination: Path) -> Path:
    """Copy ``source`` to ``destination`` safely while it may be open elsewhere.

    The copy is written under a temporary name, flushed, then renamed, so a crash or a full
    disk never leaves a half-written file with the final name.
    """
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    with open(partial, "rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(partial, destination)
    return destination


def timestamped_name(db_path: Path, reason: str, now: dt.datetime) -> str:
    stamp = now.strftime("%Y%m%d-%H%M%S")
    return f"{db_path.stem}-{stamp}-{reason}{db_path.suffix or '.sqlite'}"
