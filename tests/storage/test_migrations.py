"""Schema versioning: fresh schema equals the models, newer files refused untouched, backups
before upgrades, foreign or damaged files refused, pragmas, and released databases upgrade.

Released-schema fixtures live in tests/fixtures/db_<revision>.sqlite. When a release changes the
schema, add one for it: ``python -m tests.storage.test_migrations tests/fixtures/db_XXXX.sqlite``
run on that release's code (the builder refuses to run when the head is not the named revision).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import sqlite3
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, MetaData, String, select

from app.domain.errors import DatabaseTooNewError, StorageError
from app.domain.leads import LeadQuery
from app.paths import backups_dir_for, migrations_dir
from app.services.container import Services
from app.storage import migrate
from app.storage.db import BUSY_TIMEOUT_MS, Database
from app.storage.fulltext import SHADOW_TABLES
from app.storage.migrate import alembic_config, current_revision, head_revision, prepare_database
from app.storage.opening import open_database
from app.storage.orm import Base, Lead
from tests.conftest import FIXED_NOW, FakeClock

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
RELEASED = sorted(FIXTURES.glob("db_*.sqlite"))


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sqlite_revision(path: Path) -> str:
    # Not mode=ro: a read-only connection cannot remove the -wal/-shm files of a WAL database.
    connection = sqlite3.connect(path)
    try:
        (revision,) = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    finally:
        connection.close()
    return str(revision)


# -- (1) the migrated schema is the ORM schema ------------------------------------------------
def schema_diff(database: Database, metadata: MetaData) -> list[Any]:
    """compare_metadata inside the real migrations/env.py (its include_object, compare_type)."""
    config = alembic_config()
    script = ScriptDirectory.from_config(config)
    found: list[Any] = []

    def compare(_revision: Any, context: MigrationContext) -> list[Any]:
        found.extend(compare_metadata(context, metadata))
        return []

    with database.engine.connect() as connection:
        config.attributes["connection"] = connection
        with EnvironmentContext(config, script, fn=compare):
            script.run_env()
    return found


def test_expression_indexes_exist_and_serve_the_status_sort(db: Database) -> None:
    """The indexes comparison cannot see are there, and the status sort really uses one."""
    from app.domain.leads import SortKey
    from app.storage.orm import EXPRESSION_INDEXES
    from app.storage.repositories.leads import _filters, _ordering, _with_sort_joins

    with db.engine.connect() as connection:
        names = {row[0] for row in connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert names >= EXPRESSION_INDEXES
        query = LeadQuery(sort=SortKey.STATUS)
        statement = _with_sort_joins(select(Lead.key), query).where(
            *_filters(query, dt.datetime.now(dt.UTC))).order_by(*_ordering(query))
        compiled = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
        plan = " ".join(str(row[3]) for row in connection.exec_driver_sql(
            f"EXPLAIN QUERY PLAN {compiled}"))
    assert "ix_lead_live_status_rank" in plan
    assert "TEMP B-TREE" not in plan


def test_upgrade_head_on_empty_database_matches_the_models(db: Database) -> None:
    assert current_revision(db) == head_revision()
    assert schema_diff(db, Base.metadata) == []


def test_schema_comparison_notices_drift(db: Database) -> None:
    """The check above can fail: a column the migrations lack shows up as a difference."""
    drifted = MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.sorted_tables:
        table.to_metadata(drifted)
    drifted.tables["lead"].append_column(Column("favourite_colour", String(20)))
    diff = schema_diff(db, drifted)
    assert [(d[0], d[2], d[3].name) for d in diff] == [
        ("add_column", "lead", "favourite_colour")]


def test_fulltext_tables_exist_and_are_what_the_env_filter_hides(db: Database) -> None:
    tables = db.schema_tables()
    assert "lead_search" in tables
    shadow = {t for t in tables if t.startswith("lead_search")}
    assert shadow <= SHADOW_TABLES
    with db.engine.connect() as connection:
        unfiltered = compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata)
    assert {d[1].name for d in unfiltered if d[0] == "remove_table"} == shadow


# -- (2) newer databases are refused untouched ------------------------------------------------
def test_database_from_a_newer_version_is_refused_and_left_unchanged(db_path: Path) -> None:
    database, _ = open_database(db_path)
    database.dispose()
    with sqlite3.connect(db_path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    connection.close()
    before = file_hash(db_path)
    with pytest.raises(DatabaseTooNewError) as caught:
        open_database(db_path)
    message = str(caught.value)
    assert "newer Leadline" in message and "9999_from_the_future" in message
    assert "Install the newer version" in message and "not changed" in message
    assert isinstance(caught.value, StorageError)
    assert file_hash(db_path) == before
    assert sqlite_revision(db_path) == "9999_from_the_future"
    assert not backups_dir_for(db_path).exists()


# -- (3) upgrades back up first ---------------------------------------------------------------
EXTRA_REVISION = '''"""test only: one harmless table"""

import sqlalchemy as sa
from alembic import op

revision = "{revision}"
down_revision = "{down_revision}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("scratch_note", sa.Column("id", sa.Integer(), primary_key=True),
                    sa.Column("text", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    op.drop_table("scratch_note")
'''


@pytest.fixture
def scripts_with_extra_revision(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                ) -> Iterator[str]:
    """A copy of migrations/ with one more revision after the head, used by the app."""
    real_head = head_revision()
    extra = f"{int(real_head) + 1:04d}"
    scripts = tmp_path / "migrations"
    shutil.copytree(migrations_dir(), scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / f"{extra}_scratch_note.py").write_text(
        EXTRA_REVISION.format(revision=extra, down_revision=real_head), encoding="utf-8")
    monkeypatch.setattr(migrate, "migrations_dir", lambda: scripts)
    assert head_revision() == extra
    yield extra


def test_upgrade_takes_a_timestamped_backup_first(
        tmp_path: Path, scripts_with_extra_revision: str) -> None:
    db_file = tmp_path / "usb-stick" / "leadline.sqlite"
    db_file.parent.mkdir()
    shutil.copyfile(FIXTURES / "db_0001.sqlite", db_file)
    database = Database(db_file)
    try:
        outcome = prepare_database(database, now=FIXED_NOW)
        assert outcome.upgraded and not outcome.created
        assert (outcome.from_revision, outcome.to_revision) == ("0001", scripts_with_extra_revision)
        expected = (tmp_path / "usb-stick" / "backups"
                    / f"leadline-20261120-093000-before-{scripts_with_extra_revision}.sqlite")
        assert outcome.backup == expected and expected.is_file()
        assert current_revision(database) == scripts_with_extra_revision
        assert "scratch_note" in database.schema_tables()
        assert Services.build(database).leads.count(LeadQuery()) > 0
    finally:
        database.dispose()
    assert sqlite_revision(expected) == "0001"
    backup = sqlite3.connect(expected)
    try:
        assert backup.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        tables = {r[0] for r in backup.execute("SELECT name FROM sqlite_master")}
        assert "scratch_note" not in tables and "lead" in tables
    finally:
        backup.close()
    assert not list(expected.parent.glob("*.partial"))


def test_database_at_head_is_opened_without_backup(db_path: Path) -> None:
    first, created = open_database(db_path)
    first.dispose()
    assert created.created and created.from_revision is None and created.backup is None
    again, outcome = open_database(db_path)
    again.dispose()
    assert not outcome.created and not outcome.upgraded and outcome.backup is None
    assert not backups_dir_for(db_path).exists()


# -- (4) files that are not Leadline databases ------------------------------------------------
def _foreign_database(path: Path) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE invoice (number INTEGER PRIMARY KEY, total INTEGER)")
        connection.execute("INSERT INTO invoice VALUES (1, 100)")
    connection.close()


def test_other_sqlite_database_is_refused(db_path: Path) -> None:
    _foreign_database(db_path)
    with pytest.raises(StorageError) as caught:
        open_database(db_path)
    assert "is not a Leadline database" in str(caught.value)
    assert "--db" in str(caught.value)
    connection = sqlite3.connect(db_path)
    try:
        assert connection.execute("SELECT * FROM invoice").fetchall() == [(1, 100)]
        tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master")}
    finally:
        connection.close()
    assert tables == {"invoice"}, "no Leadline tables were added"


def test_other_sqlite_database_is_left_byte_for_byte_unchanged(db_path: Path) -> None:
    _foreign_database(db_path)
    before = file_hash(db_path)
    with pytest.raises(StorageError):
        open_database(db_path)
    assert file_hash(db_path) == before


def test_file_that_is_not_a_database_is_called_damaged(db_path: Path) -> None:
    junk = bytes(range(256)) * 64
    db_path.write_bytes(junk)
    with pytest.raises(StorageError) as caught:
        open_database(db_path)
    assert "damaged" in str(caught.value) and str(db_path) in str(caught.value)
    assert db_path.read_bytes() == junk


def test_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="is a folder"):
        open_database(tmp_path)


# -- (5) pragmas ------------------------------------------------------------------------------
def test_pragmas_on_every_connection(db: Database) -> None:
    with db.raw_connection() as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert raw.execute("PRAGMA foreign_keys").fetchone() == (1,)
        assert raw.execute("PRAGMA busy_timeout").fetchone() == (BUSY_TIMEOUT_MS,)
        assert BUSY_TIMEOUT_MS >= 1000
    with db.engine.connect() as first, db.engine.connect() as second:  # two pooled connections
        for connection in (first, second):
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == BUSY_TIMEOUT_MS
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_foreign_keys_are_enforced(db: Database) -> None:
    with db.raw_connection() as raw, pytest.raises(sqlite3.IntegrityError):
        raw.execute("INSERT INTO queue (id, name, team_id, is_catch_all, updated_at, device_id) "
                    "VALUES (?, 'Inbox', ?, 0, '2026-01-01 00:00:00', ?)",
                    (uuid.uuid4().hex, uuid.uuid4().hex, uuid.uuid4().hex))


# -- (6) released databases upgrade with their data -------------------------------------------
def build_release_fixture(path: Path, revision: str = "0001") -> None:
    """Write a small database at ``revision`` through the services (users, event, leads,
    history, a deleted lead). Run on the release whose head is ``revision``."""
    if head_revision() != revision:
        raise SystemExit(f"head is {head_revision()}, not {revision}: check out that release")
    path.unlink(missing_ok=True)
    database, _ = open_database(path)
    try:
        clock = FakeClock(dt.datetime(2026, 11, 2, 8, 0, tzinfo=dt.UTC))
        services = Services.build(database, clock)
        services.people.add_user("Anna Weber", "anna@example.com", "rep", capacity=40)
        services.people.add_user("Ben Ott", "ben@example.com", "manager")
        services.events.add("Hannover Messe 2026", country="DE", starts="2026-04-20",
                            ends="2026-04-24", cost="12500", city="Hannover")
        leads = [
            {"first_name": "Max", "last_name": "Muster", "company": "ACME Industrial",
             "email": "max@acme.example", "phone": "030 1234567", "event": "Hannover Messe 2026",
             "owner": "anna@example.com", "rating": "hot", "deal_value": "25000",
             "notes": "Wants a retrofit quote"},
            {"first_name": "Eva", "last_name": "Adler", "company": "Beta GmbH",
             "mobile": "+49 171 9876543", "status": "nurture", "come_back_on": "2027-03-01"},
            {"first_name": "Jürgen", "last_name": "Größer", "company": "Zeta AG",
             "email": "jg@zeta.example", "country": "AT", "owner": "ben@example.com"},
            {"badge_id": "HM-0042", "channel": "trade_show", "event": "Hannover Messe 2026"},
            {"first_name": "Gone", "last_name": "Deleted", "company": "Old Corp"},
        ]
        created = []
        for fields in leads:
            created.append(services.leads.create(fields))
            clock.advance(minutes=7)
        services.leads.update(created[0].id, {"status": "sql", "title": "Head of Production"})
        services.leads.add_note(created[2].id, "Called, send brochure")
        services.leads.delete(created[4].id)
    finally:
        database.dispose()
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()


def _snapshot(path: Path) -> dict[str, Any]:
    """The data that must survive any upgrade, read with plain sqlite3."""
    connection = sqlite3.connect(path)
    try:
        leads = {uuid.UUID(row[0]): row[1:] for row in connection.execute(
            "SELECT id, first_name, last_name, company, email, deleted_at IS NOT NULL "
            "FROM lead")}
        history = dict(connection.execute(
            "SELECT lead_id, count(*) FROM activity GROUP BY lead_id"))
        users = {row[0] for row in connection.execute("SELECT email FROM user")}
        events = {row[0] for row in connection.execute("SELECT name FROM event")}
    finally:
        connection.close()
    return {"leads": leads, "history": {uuid.UUID(k): v for k, v in history.items()},
            "users": users, "events": events}


def test_there_is_a_fixture_for_the_released_schema() -> None:
    assert FIXTURES / "db_0001.sqlite" in RELEASED


@pytest.mark.parametrize("fixture", RELEASED, ids=[p.stem for p in RELEASED])
def test_released_database_upgrades_to_head_with_data_intact(
        fixture: Path, tmp_path: Path, clock: FakeClock) -> None:
    db_file = tmp_path / fixture.name
    shutil.copyfile(fixture, db_file)
    before = _snapshot(db_file)
    assert before["leads"], "fixture has leads"
    released = sqlite_revision(db_file)
    database, outcome = open_database(db_file)
    try:
        assert current_revision(database) == head_revision()
        assert outcome.from_revision == released
        assert (outcome.backup is not None) == (released != head_revision())
        services = Services.build(database, clock)
        live = {r.id: r for r in services.leads.list(LeadQuery(), limit=10_000)}
        expected_live = {k for k, v in before["leads"].items() if not v[-1]}
        assert set(live) == expected_live
        for lead_id, (first, last, company, email, _deleted) in before["leads"].items():
            if lead_id in live:
                record = live[lead_id]
                assert (record.first_name, record.last_name, record.company, record.email) == (
                    first, last, company, email)
            assert len(services.leads.history(lead_id)) == before["history"].get(lead_id, 0)
        assert {u.email for u in services.people.users()} == before["users"]
        assert {e.name for e in services.events.events()} == before["events"]
        for record in live.values():  # the full-text index came along
            if record.last_name:
                assert record.id in {r.id for r in services.leads.search(record.last_name)}
        services.leads.create({"last_name": "After upgrade"})  # still writable
    finally:
        database.dispose()
    assert schema_diff_ok(db_file)


def schema_diff_ok(path: Path) -> bool:
    database = Database(path)
    try:
        return schema_diff(database, Base.metadata) == []
    finally:
        database.dispose()


if __name__ == "__main__":  # python -m tests.storage.test_migrations tests/fixtures/db_0001.sqlite
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else FIXTURES / "db_0001.sqlite"
    build_release_fixture(target, target.stem.removeprefix("db_"))
    print(f"wrote {target} at revision {sqlite_revision(target)}")
