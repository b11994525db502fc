"""The app's own writers queue for SQLite's single write lock instead of failing "busy"."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.domain.errors import StorageError
from app.storage import db as db_module
from app.storage.db import Database
from app.storage.opening import open_database
from app.storage.orm import AppMeta
from app.storage.repositories.bulk import BulkWriter


@pytest.fixture
def impatient_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    """SQLite's own busy timeout cut to 50 ms: without the queue a second writer fails fast."""
    monkeypatch.setattr(db_module, "BUSY_TIMEOUT_MS", 50)
    database, _ = open_database(tmp_path / "queue.sqlite")
    yield database
    database.dispose()


def _hold_write_turn(database: Database, holding: threading.Event,
                     release: threading.Event) -> threading.Thread:
    def hold() -> None:
        with database.write() as session:
            session.add(AppMeta(key="held", value="1"))
            session.flush()
            holding.set()
            release.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    assert holding.wait(10)
    return thread


def test_a_background_writer_waits_its_turn(impatient_db: Database) -> None:
    holding, release, started = threading.Event(), threading.Event(), threading.Event()
    holder = _hold_write_turn(impatient_db, holding, release)
    outcome: list[object] = []

    def second() -> None:
        started.set()
        try:
            impatient_db.set_meta("second", "2")
            with BulkWriter(impatient_db) as bulk, bulk.transaction():
                pass
            outcome.append("written")
        except Exception as error:  # recorded: the assertion below names it
            outcome.append(error)

    writer = threading.Thread(target=second)
    writer.start()
    assert started.wait(10)
    # Far past SQLite's 50 ms busy timeout: the second writer is still waiting, not failed.
    writer.join(0.5)
    assert writer.is_alive() and outcome == []
    release.set()
    holder.join(10)
    writer.join(10)
    assert outcome == ["written"]
    assert impatient_db.get_meta("held") == "1" and impatient_db.get_meta("second") == "2"


def test_reads_never_wait_behind_a_writer(impatient_db: Database) -> None:
    impatient_db.set_meta("before", "x")
    holding, release = threading.Event(), threading.Event()
    holder = _hold_write_turn(impatient_db, holding, release)
    try:
        assert impatient_db.get_meta("before") == "x"
        assert impatient_db.get_meta("held") is None, "uncommitted work is not seen"
    finally:
        release.set()
        holder.join(10)


def test_the_gui_thread_gets_a_plain_message_instead_of_freezing(
        impatient_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(db_module, "FOREGROUND_WRITE_WAIT_S", 0.2)
    holding, release = threading.Event(), threading.Event()
    holder = _hold_write_turn(impatient_db, holding, release)
    try:
        with pytest.raises(StorageError, match="still saving a large change"):
            impatient_db.set_meta("gui", "1")
    finally:
        release.set()
        holder.join(10)
    impatient_db.set_meta("gui", "1")
    assert impatient_db.get_meta("gui") == "1"
