"""Moving a SQLite database to an empty PostgreSQL database: every row, verified, exactly once."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Connection, Engine, Table, create_engine, func, insert, inspect, select, text, update

from app.domain.progress import CancelledError
from app.paths import ServerAddress
from app.services.container import Services
from app.services.demo_service import DemoService
from app.storage.db import Database
from app.storage.migrate import head_revision
from app.storage.orm import Base, Lead, SyncChunk, SyncShadow
from app.storage.server_copy import (
    CopyMismatchError,
    ServerNotEmptyError,
    copy_to_server,
)
from app.storage.server_copy import StorageError as CopyRefused
from tests.pg_server import create_database

pytestmark = pytest.mark.postgresql

LEADS = 300


@pytest.fixture
def server_db(postgres_server: str) -> ServerAddress:
    return ServerAddress(create_database(postgres_server, f"t_{uuid.uuid4().hex[:12]}"))


@pytest.fixture
def server(server_db: ServerAddress) -> Iterator[Engine]:
    engine = create_engine(server_db.url)
    yield engine
    engine.dispose()


@pytest.fixture
def source(services: Services, db: Database) -> Database:
    """A demo database with sync bookkeeping too (binary chunks, a shadow without digest)."""
    DemoService(services.context).generate(LEADS)
    with db.write() as session:
        session.execute(insert(SyncChunk), [
            {"id": 7, "incarnation": "laptop-a", "seq_first": 1, "seq_last": 3, "op_count": 3,
             "body": bytes(range(256))},
            {"id": 9, "incarnation": "laptop-a", "seq_first": 4, "seq_last": 4, "op_count": 1,
             "body": b"\x00"}])
        session.execute(insert(SyncShadow), [
            {"table_name": "lead", "row_id": "b", "digest": None, "local": "{\"x\": \"Zoë\"}"},
            {"table_name": "lead", "row_id": "B", "digest": b"\x01\x02", "local": None}])
        first = session.execute(select(Lead.id).order_by(Lead.key).limit(1)).scalar_one()
        last = session.execute(select(Lead.id).order_by(Lead.key.desc()).limit(1)).scalar_one()
        # A lead merged into a later one: the self-reference points forward in key order.
        session.execute(update(Lead).where(Lead.id == first).values(merged_into_id=last))
    return db


def _server_rows(server: Engine) -> dict[str, int]:
    present = set(inspect(server).get_table_names())
    with server.connect() as connection:
        return {table.name: connection.execute(select(func.count()).select_from(table))
                .scalar_one() for table in Base.metadata.sorted_tables if table.name in present}


def _source_rows(db: Database) -> dict[str, int]:
    with db.engine.connect() as connection:
        return {table.name: connection.execute(select(func.count()).select_from(table))
                .scalar_one() for table in Base.metadata.sorted_tables}


def test_round_trip_copies_every_table_with_equal_counts_and_checksums(
        source: Database, server_db: ServerAddress, server: Engine) -> None:
    seen: list[tuple[int, int]] = []
    result = copy_to_server(source, server_db, progress=lambda d, t: seen.append((d, t)))

    assert result.count("lead") == LEADS
    assert {t.name for t in result.tables} == set(Base.metadata.tables)
    assert _server_rows(server) == _source_rows(source) == {t.name: t.rows for t in result.tables}
    assert all(len(t.checksum) == 64 for t in result.tables)
    assert result.schema == head_revision()
    assert seen[-1][0] == seen[-1][1] == 2 * result.rows
    with server.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() \
            == head_revision()
        body = connection.execute(select(SyncChunk.body).where(SyncChunk.id == 7)).scalar_one()
        assert bytes(body) == bytes(range(256))


def test_sequences_continue_after_the_copied_rows(source: Database, server_db: ServerAddress,
                                                  server: Engine) -> None:
    copy_to_server(source, server_db)
    with server.connect() as connection:
        highest = connection.execute(select(func.max(Lead.key))).scalar_one()
        assert connection.execute(text("SELECT nextval('lead_key_seq')")).scalar_one() \
            == highest + 1
        assert connection.execute(text("SELECT nextval('sync_chunk_id_seq')")).scalar_one() == 10


def test_a_second_run_is_refused_and_copies_nothing(source: Database, server_db: ServerAddress,
                                                    server: Engine) -> None:
    copy_to_server(source, server_db)
    before = _server_rows(server)

    with pytest.raises(ServerNotEmptyError, match=f"already holds a Leadline database \\({LEADS}"):
        copy_to_server(source, server_db)
    assert _server_rows(server) == before


def test_a_database_with_other_tables_is_refused(source: Database, server_db: ServerAddress,
                                                 server: Engine) -> None:
    with server.begin() as connection:
        connection.execute(text("CREATE TABLE invoices (id integer)"))
    with pytest.raises(ServerNotEmptyError, match="not a Leadline database"):
        copy_to_server(source, server_db)


def test_cancel_midway_leaves_the_server_empty(source: Database, server_db: ServerAddress,
                                               server: Engine) -> None:
    progress: list[int] = []
    with pytest.raises(CancelledError, match="nothing was copied"):
        copy_to_server(source, server_db, progress=lambda d, _t: progress.append(d),
                       cancelled=lambda: len(progress) >= 3)
    assert progress  # it was under way
    assert set(inspect(server).get_table_names()) == set()


def test_a_value_the_server_refuses_rolls_everything_back(source: Database, server_db: ServerAddress,
                                                          server: Engine) -> None:
    """SQLite keeps a too-long name that PostgreSQL's varchar(100) refuses: no half copy."""
    with source.engine.begin() as connection:
        connection.execute(update(Lead).where(Lead.key == LEADS).values(first_name="x" * 150))
    with pytest.raises(CopyRefused, match=r"lead.first_name of row \d+ is 150 characters"):
        copy_to_server(source, server_db)
    assert set(inspect(server).get_table_names()) == set()


def test_text_postgresql_cannot_hold_is_refused_by_row(source: Database, server_db: ServerAddress,
                                                       server: Engine) -> None:
    with source.engine.begin() as connection:
        connection.execute(update(Lead).where(Lead.key == 2).values(notes="before\x00after"))
    with pytest.raises(CopyRefused, match="lead.notes of row 2 holds a NUL character"):
        copy_to_server(source, server_db)
    assert set(inspect(server).get_table_names()) == set()


def test_a_dangling_reference_is_refused_by_the_server_and_nothing_is_kept(
        source: Database, server_db: ServerAddress, server: Engine) -> None:
    with source.raw_connection() as raw:  # an older file, written before foreign keys were on
        raw.execute("PRAGMA foreign_keys = OFF")
        raw.execute("UPDATE lead SET owner_id = ? WHERE key = 1", (uuid.uuid4().hex,))
        raw.execute("PRAGMA foreign_keys = ON")
    with pytest.raises(CopyRefused, match="refused the copy: .*foreign key"):
        copy_to_server(source, server_db)
    assert set(inspect(server).get_table_names()) == set()


@pytest.mark.parametrize("tampering", [
    "UPDATE lead SET first_name = first_name || '!' WHERE key = 50",  # a changed value
    "UPDATE lead SET created_at = created_at + interval '1 microsecond' WHERE key = 7",
    "UPDATE sync_chunk SET body = '\\x00ff' WHERE id = 9",  # a changed byte
    "DELETE FROM sync_shadow WHERE row_id = 'b'",  # a missing row
    "INSERT INTO sync_shadow (table_name, row_id) VALUES ('lead', 'c')",  # an extra row
], ids=["value", "timestamp", "bytes", "missing row", "extra row"])
def test_a_mismatch_on_read_back_is_reported_and_rolled_back(
        source: Database, server_db: ServerAddress, server: Engine,
        monkeypatch: pytest.MonkeyPatch, tampering: str) -> None:
    """Rows changed on the server between the COPY and the read-back, as a corrupted copy
    would be: the check notices and nothing is kept."""
    from app.storage import server_copy

    real = server_copy._reset_sequences

    def tamper(target: Connection, tables: list[Table]) -> None:
        real(target, tables)
        target.exec_driver_sql(tampering)

    monkeypatch.setattr(server_copy, "_reset_sequences", tamper)
    with pytest.raises(CopyMismatchError, match="reads back differently"):
        copy_to_server(source, server_db)
    assert set(inspect(server).get_table_names()) == set()


def test_an_empty_database_already_at_the_schema_is_accepted(
        source: Database, server_db: ServerAddress, server: Engine) -> None:
    """An admin may have run the migrations on the server first: no rows, so nothing doubles."""
    from alembic import command

    from app.storage.migrate import alembic_config

    config = alembic_config()
    with server.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    assert copy_to_server(source, server_db).count("lead") == LEADS


def test_two_copies_at_the_same_moment_copy_once(source: Database, server_db: ServerAddress,
                                                 server: Engine) -> None:
    outcomes: list[object] = []

    def attempt() -> None:
        try:
            outcomes.append(copy_to_server(source, server_db).count("lead"))
        except ServerNotEmptyError as error:
            outcomes.append(type(error))

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes, key=str) == sorted([LEADS, ServerNotEmptyError], key=str)
    assert _server_rows(server)["lead"] == LEADS
