"""A damaged or emptied database file is refused before anything touches it, for reads as for
writes, with the restore offer; half-written backups of a killed run are cleared at start."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from app.domain.leads import LeadQuery
from app.services.backup_files import list_backups
from app.services.backup_service import check_database, remove_stale_partials
from app.services.container import Services
from app.storage.db import Database
from app.storage.opening import DamagedDatabaseError, check_before_opening, open_database
from tests.conftest import CliRun


def add_leads(services: Services, count: int) -> None:
    for i in range(count):
        services.leads.create({"first_name": f"Person{i:03d}", "last_name": "Example",
                               "email": f"p{i}@example.com", "notes": "z" * 300})


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def leaf_pages(path: Path, table: str) -> tuple[int, list[int]]:
    """The page size and the leaf pages of a table."""
    connection = sqlite3.connect(path)
    try:
        (page_size,) = connection.execute("PRAGMA page_size").fetchone()
        (root,) = connection.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()
    finally:
        connection.close()
    pages: list[int] = []
    with open(path, "rb") as handle:
        def walk(page: int) -> None:
            handle.seek((page - 1) * page_size)
            data = handle.read(page_size)
            offset = 100 if page == 1 else 0
            kind, cells = data[offset], int.from_bytes(data[offset + 3:offset + 5], "big")
            if kind == 0x0D:
                pages.append(page)
                return
            pointers = [int.from_bytes(data[offset + 12 + 2 * i:offset + 14 + 2 * i], "big")
                        for i in range(cells)]
            for pointer in pointers:
                walk(int.from_bytes(data[pointer:pointer + 4], "big"))
            walk(int.from_bytes(data[offset + 8:offset + 12], "big"))
        walk(root)
    return page_size, pages


def damage_rows(path: Path, table: str) -> None:
    """A failing disk garbles one page of a table's rows, in the middle of the table."""
    page_size, pages = leaf_pages(path, table)
    victim = pages[len(pages) // 2]
    with open(path, "r+b") as handle:
        handle.seek((victim - 1) * page_size + 8)
        handle.write(b"\xde\xad\xbe\xef" * ((page_size - 8) // 4))


@pytest.fixture
def backed_up(services: Services, db: Database, db_path: Path) -> Path:
    """40 leads, a backup of them, the database closed and in rollback-journal mode (as a
    restored backup or a copied file is: the mode opening used to switch before refusing)."""
    add_leads(services, 40)
    services.backups.back_up()
    db.dispose()
    connection = sqlite3.connect(db_path)
    connection.execute("PRAGMA journal_mode = DELETE")
    connection.close()
    return db_path


# -- item 2: an empty file beside backups is damage, not a new database -----------------------
def test_an_emptied_database_with_backups_is_refused_with_the_restore_offer(
        backed_up: Path, cli: CliRun) -> None:
    backed_up.write_bytes(b"")
    code, out, err = cli("leads", "list")
    assert code == 1 and out == ""
    assert "empty" in err and str(backed_up) in err
    backup = list_backups(backed_up)[0].path
    assert f"restore {backup}" in err
    assert backed_up.stat().st_size == 0, "no schema written over it"
    code, _out, err = cli("leads", "add", "--first-name", "New", "--last-name", "Lead")
    assert code == 1 and backed_up.stat().st_size == 0
    assert not check_database(backed_up).ok and "empty" in check_database(backed_up).message

    code, _out, err = cli("restore", str(backup), "--yes")
    assert code == 0, err
    code, out, err = cli("--json", "leads", "list", "--limit", "100")
    assert code == 0, err
    assert len(json.loads(out)["leads"]) == 40


def test_an_empty_file_without_backups_is_a_new_database(db_path: Path, cli: CliRun) -> None:
    folder = db_path.parent / "backups"
    folder.mkdir()
    (folder / "leadline-work-20261120-093000-daily.sqlite").write_bytes(b"another database's")
    db_path.write_bytes(b"")
    assert check_before_opening(db_path).ok
    code, _out, err = cli("leads", "list")
    assert code == 0 and "Created a new Leadline database" in err


def test_an_sqlite_file_without_tables_beside_backups_is_refused(backed_up: Path) -> None:
    backed_up.unlink()
    sqlite3.connect(backed_up).execute("PRAGMA user_version = 1").connection.close()
    with pytest.raises(DamagedDatabaseError, match="empty"):
        open_database(backed_up)


# -- item 3: damage is found before anything touches the file, and reads are refused too ------
def test_reads_of_a_damaged_file_are_refused_and_the_file_is_left_byte_for_byte(
        backed_up: Path, cli: CliRun, tmp_path: Path) -> None:
    damage_rows(backed_up, "activity")  # the history: neither a list nor an export reads it
    before = digest(backed_up)
    for command in (["leads", "list"], ["--json", "leads", "list"],
                    ["export", "--format", "csv", "--out", str(tmp_path / "all.csv")], ["leads", "add",
                                                                     "--last-name", "X"]):
        code, out, err = cli(*command)
        assert code == 1, (command, out)
        assert "damaged" in err and "restore" in err, command
        assert "--json" in command or out == ""
    assert not (tmp_path / "all.csv").exists()
    assert digest(backed_up) == before, "no journal-mode switch, no header rewrite"
    assert not backed_up.with_name(backed_up.name + "-wal").exists()


def test_the_sample_of_a_big_file_finds_damaged_rows(backed_up: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from app.storage import opening

    monkeypatch.setattr(opening, "_SMALL_TABLE_ROWS", 10)  # the lead table counts as big
    assert check_before_opening(backed_up, full_check_bytes=1024).ok
    damage_rows(backed_up, "lead")
    check = check_before_opening(backed_up, full_check_bytes=1024)
    assert not check.ok and "damaged" in check.problem


def test_a_file_cut_short_is_damaged(backed_up: Path) -> None:
    size = backed_up.stat().st_size
    with open(backed_up, "r+b") as handle:
        handle.truncate(size - 4096 - 100)
    assert "cut short" in check_before_opening(backed_up).problem


def test_a_write_interrupted_by_a_crash_is_rolled_back_not_called_damage(
        backed_up: Path) -> None:
    journal = backed_up.with_name(backed_up.name + "-journal")
    connection = sqlite3.connect(backed_up, isolation_level=None)
    connection.execute("PRAGMA cache_size = 1")  # spill to the file before the commit
    connection.execute("BEGIN")
    connection.execute("UPDATE lead SET notes = ?", ("w" * 900,))
    # A crash now: copy the file and its hot journal as the disk holds them mid-transaction.
    crashed = backed_up.with_name("crashed.sqlite")
    crashed.write_bytes(backed_up.read_bytes())
    crashed.with_name(crashed.name + "-journal").write_bytes(journal.read_bytes())
    connection.execute("ROLLBACK")
    connection.close()
    assert check_before_opening(crashed).ok
    database, _ = open_database(crashed)
    database.dispose()


# -- item 8: half-written backups of a killed run ---------------------------------------------
def test_half_written_backups_of_a_killed_run_are_removed_at_start(
        backed_up: Path, cli: CliRun) -> None:
    folder = backed_up.parent / "backups"
    killed = [folder / "leadline-20261120-093000-before-0016.sqlite.partial",
              folder / "leadline-20261120-093100-manual.sqlite.partial"]
    others = [folder / "other-20261120-093000-manual.sqlite.partial",  # another database's
              folder / "notes.partial"]
    for path in (*killed, *others):
        path.write_bytes(b"x" * 4096)
        os.utime(path, (LONG_AGO, LONG_AGO))
    being_written = folder / "leadline-20261120-093200-manual.sqlite.partial"
    being_written.write_bytes(b"y")  # by another Leadline right now: newer than this process
    code, _out, err = cli("leads", "list")
    assert code == 0, err
    assert not any(path.exists() for path in killed)
    assert all(path.exists() for path in (*others, being_written))
    assert remove_stale_partials(backed_up) == []


def test_the_gui_start_clears_them_too(backed_up: Path) -> None:
    from app.ui.startup_checks import check_before_open

    partial = backed_up.parent / "backups" / "leadline-20261120-093000-daily.sqlite.partial"
    partial.write_bytes(b"x")
    os.utime(partial, (LONG_AGO, LONG_AGO))
    assert check_before_open(backed_up) == backed_up
    assert not partial.exists()


LONG_AGO = 1_000_000_000.0  # 2001: long before this test process started


def test_the_gui_start_offers_the_restore_for_an_emptied_file(
        qapp: object, backed_up: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.ui import startup_checks
    from app.ui.startup_checks import Choice, DamagedDatabaseDialog, check_before_open

    backed_up.write_bytes(b"")
    asked: list[str] = []
    told: list[str] = []
    monkeypatch.setattr(DamagedDatabaseDialog, "ask",
                        lambda check, _parent=None: asked.append(check.message) or Choice.RESTORE)
    monkeypatch.setattr(startup_checks.messages, "info", lambda _p, title, _text: told.append(title))
    assert check_before_open(backed_up) == backed_up
    assert len(asked) == 1 and "empty" in asked[0] and str(backed_up) in asked[0]
    assert told == ["Backup restored"]
    database, outcome = open_database(backed_up)
    try:
        assert not outcome.created
        assert Services.build(database).leads.count(LeadQuery()) == 40
    finally:
        database.dispose()


def test_a_backup_killed_before_its_rename_is_cleared_by_the_next_start(backed_up: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    killed_at_flush = (
        "import os, sys\n"
        "import app.storage.recovery as recovery\n"
        "recovery.os.fsync = lambda _fd: os._exit(9)  # the kill: written, not yet renamed\n"
        "from app.bootstrap import main\n"
        "main(['--db', sys.argv[1], 'backup'])\n")
    run = subprocess.run([sys.executable, "-c", killed_at_flush, str(backed_up)], cwd=root,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 9, run.stderr
    partials = list((backed_up.parent / "backups").glob("*.partial"))
    assert len(partials) == 1 and partials[0].stat().st_size > 0
    assert len(list_backups(backed_up)) == 1, "never listed"
    start = subprocess.run([sys.executable, "main.py", "--db", str(backed_up), "leads", "list"],
                           cwd=root, capture_output=True, text=True, timeout=120)
    assert start.returncode == 0, start.stderr
    assert not partials[0].exists()
    assert len(list_backups(backed_up)) == 1
