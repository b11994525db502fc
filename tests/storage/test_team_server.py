"""The team server behind the same repositories: what differs from a file is handled in
app/storage (SQL spelling, watching for others' changes, backups), never in services."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import select, text

from app.domain.leads import LeadQuery, SortKey
from app.services.backup_files import BackupError
from app.services.container import Services
from app.services.sync.report import SyncFolderError
from app.storage.db import Database
from app.storage.orm import Lead
from app.storage.repositories.leads import LeadRepository
from app.storage.server import server_sql
from tests.conftest import FIXED_NOW, CliRun, FakeClock

pytestmark = pytest.mark.both_databases


@pytest.mark.parametrize(("sqlite", "server"), [
    ("SELECT id FROM lead WHERE key > ? LIMIT ?", "SELECT id FROM lead WHERE key > %s LIMIT %s"),
    ("UPDATE t SET a = ? WHERE b LIKE 'x?%'", "UPDATE t SET a = %s WHERE b LIKE 'x?%%'"),
    ("UPDATE t SET a = 'it''s ?' WHERE c IS NOT ?",
     "UPDATE t SET a = 'it''s ?' WHERE c IS DISTINCT FROM %s"),
    ("UPDATE task SET o = 1 WHERE o IS NOT (SELECT 2)",
     "UPDATE task SET o = 1 WHERE o IS DISTINCT FROM (SELECT 2)"),
    ("SELECT 1 FROM lead WHERE x IS NOT NULL AND +status IN (?)",
     "SELECT 1 FROM lead WHERE x IS NOT NULL AND status IN (%s)"),
    ("BEGIN IMMEDIATE", "BEGIN"),
])
def test_the_bulk_paths_sqlite_spelling_is_translated_for_the_server(
        sqlite: str, server: str, database_kind: str) -> None:
    if database_kind == "sqlite":
        pytest.skip("a translation for the server only")
    assert server_sql(sqlite) == server


def test_search_folds_case_beyond_ascii_on_both(services: Services) -> None:
    muller = services.leads.create({"first_name": "Jürgen", "last_name": "Müller",
                                    "company": "Ærø Çelik Øst"})
    services.leads.create({"first_name": "Jurgen", "last_name": "Muller"})
    for typed in ("MÜLLER", "jürg", "ærø", "ÇELIK", "müller jürgen"):
        assert [r.id for r in services.leads.search(typed)] == [muller.id], typed
        assert services.leads.count(LeadQuery(search=typed)) == 1, typed


def test_search_text_with_like_wildcards_matches_them_literally(services: Services) -> None:
    percent = services.leads.create({"last_name": "Percent", "notes": "discount 100% agreed"})
    services.leads.create({"last_name": "Other", "notes": "discount 1000 agreed"})
    under = services.leads.create({"last_name": "Under", "email": "first_last@example.com"})
    assert [r.id for r in services.leads.search("100%")] == [percent.id]
    assert [r.id for r in services.leads.search("first_last")] == [under.id]


def test_another_connections_change_is_noticed_and_ours_is_not(
        db: Database, services: Services, clock: FakeClock) -> None:
    elsewhere = Database(db.path, server=db.server)
    try:
        there = Services.build(elsewhere, clock)
        assert not db.others_wrote()  # the first call only starts watching
        services.leads.create({"last_name": "Ours"})
        assert not db.others_wrote()
        there.leads.create({"last_name": "Theirs"})
        assert db.others_wrote()
        assert not db.others_wrote()  # told once
    finally:
        elsewhere.dispose()


def test_the_cli_lists_and_adds_on_either(cli: CliRun, db: Database) -> None:
    code, out, err = cli("--json", "leads", "add", "--last-name", "Kowalski",
                         "--email", "k@example.com")
    assert code == 0, err
    code, out, err = cli("--json", "leads", "list")
    assert code == 0, err
    assert [lead["last_name"] for lead in json.loads(out)["leads"]] == ["Kowalski"]
    assert db.location in (str(db.path), str(db.server))


def test_backups_are_the_servers_own(services: Services, tmp_path: Path,
                                     database_kind: str) -> None:
    if database_kind == "sqlite":
        assert services.backups.back_up("manual").path.exists()
        return
    with pytest.raises(BackupError, match="pg_dump"):
        services.backups.back_up("manual", to=tmp_path)
    assert services.backups.backups() == [] and services.backups.before("reassign") is None
    assert list(tmp_path.iterdir()) == []


def test_a_server_database_does_not_sync_through_a_folder(services: Services, tmp_path: Path,
                                                         database_kind: str) -> None:
    if database_kind == "sqlite":
        assert services.sync.sync(tmp_path).received_ops == 0
        return
    with pytest.raises(SyncFolderError, match="team server"):
        services.sync.sync(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_who_is_signed_in_and_booth_drafts_stay_with_each_laptop(
        db: Database, services: Services, clock: FakeClock, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, database_kind: str) -> None:
    if database_kind == "sqlite":
        pytest.skip("a database file is one laptop's: its app_meta holds these")
    anna = services.people.add_user("Anna Weber", "anna@example.com", "manager")
    ben = services.people.add_user("Ben Ott", "ben@example.com", "rep")
    services.people.sign_in(anna.id)
    fair = services.events.add("Hannover Messe", starts=dt.date(2026, 4, 20))
    services.events.remember_used(fair.id)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "bens-laptop"))  # another laptop
    elsewhere = Database.on_server(db.server) if db.server else db
    try:
        there = Services.build(elsewhere, clock)
        assert there.people.current_user() is None  # Anna is signed in on her laptop only
        there.people.sign_in(ben.id)
        assert there.events.last_used_id() is None
        assert services.people.current_user().id == anna.id
        assert services.events.last_used_id() == fair.id
        assert db.get_meta("current_user_id") is None  # nothing personal in the shared meta
        assert (db.path.parent / "laptop.json").stat().st_mode & 0o077 == 0
    finally:
        elsewhere.dispose()


def test_a_stray_nul_in_a_scan_or_a_field_is_kept_not_refused(
        services: Services, database_kind: str) -> None:
    lead = services.leads.create({"last_name": "Nul\x00Byte", "notes": "a\x00b"})
    stored = services.leads.get(lead.id)
    expected = "\x00" if database_kind == "sqlite" else "\ufffd"  # a server's text has no NUL
    assert (stored.last_name, stored.value_of("notes")) == (f"Nul{expected}Byte", f"a{expected}b")


@pytest.mark.parametrize("sort", [SortKey.NEXT_DUE, SortKey.LAST_TOUCH])
@pytest.mark.parametrize("descending", [False, True])
def test_a_first_page_sorted_by_a_column_that_can_be_empty_reads_an_index(
        db: Database, services: Services, database_kind: str, sort: SortKey,
        descending: bool) -> None:
    if database_kind == "sqlite":
        pytest.skip("SQLite's own partial indexes from 0001 serve these")
    statement = LeadRepository.in_list_order(
        select(Lead.key), LeadQuery(sort=sort, descending=descending), FIXED_NOW).limit(100)
    sql = str(statement.compile(db.engine, compile_kwargs={"literal_binds": True}))
    with db.read() as session:
        session.execute(text("SET LOCAL enable_sort = off"))  # an empty table: say no to sorts
        plan = "\n".join(row[0] for row in session.execute(text(f"EXPLAIN {sql}")))
    assert "Index" in plan and "ix_lead_pg_" in plan, plan
