"""Backups: writing, listing, rotation, policy, verification, restore, and the CLI commands."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from app.domain.errors import LeadlineError, ValidationError
from app.domain.leads import LeadQuery
from app.services import backup_service
from app.services.backup_files import BackupError, list_backups
from app.services.backup_service import BackupPolicy, BackupService, check_database, restore
from app.services.container import Services
from app.storage import recovery
from app.storage.db import Database
from app.storage.opening import open_database
from tests.conftest import CliRun, FakeClock


def add_leads(services: Services, count: int, prefix: str = "Person") -> None:
    for i in range(count):
        services.leads.create({"first_name": f"{prefix}{i:03d}", "last_name": "Example",
                               "company": f"Company {i % 7}", "email": f"p{prefix}{i}@example.com",
                               "notes": "x" * 300})


def lead_count(db_path: Path) -> int:
    database, _ = open_database(db_path)
    try:
        return Services.build(database).leads.count(LeadQuery())
    finally:
        database.dispose()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def corrupt(path: Path) -> None:
    """Overwrite the middle third of the file with garbage, as a failing disk would."""
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.seek(size // 3)
        handle.write(b"\xde\xad\xbe\xef" * (size // 12))


# -- writing and listing ------------------------------------------------------------------------
def test_back_up_writes_a_listed_self_contained_copy(services: Services, db_path: Path) -> None:
    add_leads(services, 3)
    made = services.backups.back_up()
    assert made.path.parent == db_path.parent / "backups" == services.backups.folder()
    assert made.reason == "manual" and made.size_bytes == made.path.stat().st_size > 0
    assert made.path.name == "leadline-20261120-093000-manual.sqlite"
    assert [b.path for b in services.backups.backups()] == [made.path]
    assert not made.path.with_name(made.path.name + "-wal").exists()
    services.backups.verify(made.path)
    assert lead_count(made.path) == 3


def test_backups_in_the_same_second_do_not_overwrite_each_other(services: Services) -> None:
    first, second = services.backups.back_up(), services.backups.back_up()
    assert first.path != second.path
    assert [b.path for b in services.backups.backups()] == [second.path, first.path]


def test_back_up_to_a_chosen_file_or_folder(services: Services, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere" / "copy.sqlite"
    assert services.backups.back_up(to=target).path == target
    (tmp_path / "folder").mkdir()
    into = services.backups.back_up(to=tmp_path / "folder")
    assert into.path.parent == tmp_path / "folder" and into.path.exists()
    assert services.backups.backups() == []  # outside the backups folder: not rotated
    with pytest.raises(ValidationError):
        services.backups.back_up(to=services.context.db.path)


# -- rotation -----------------------------------------------------------------------------------
def test_daily_backup_once_a_day_and_rotation_keeps_the_newest(
        services: Services, clock: FakeClock) -> None:
    services.backups.set_policy(BackupPolicy(keep=3))
    manual = services.backups.back_up()
    made = []
    for _day in range(5):
        made.append(services.backups.daily_if_due())
        assert services.backups.daily_if_due() is None  # already done today
        clock.advance(days=1)
    daily = [b.path for b in services.backups.backups() if b.reason == "daily"]
    assert daily == [m.path for m in reversed(made) if m][:3]
    assert manual.path.exists()  # manual backups are never pruned


def test_on_close_and_before_operations_rotate_per_kind(services: Services,
                                                        clock: FakeClock) -> None:
    services.backups.set_policy(BackupPolicy(keep=2))
    for _ in range(4):
        services.backups.on_close()
        services.backups.before("reassign")
        clock.advance(minutes=5)
    kinds = [b.reason for b in services.backups.backups()]
    assert kinds.count("on-close") == 2 and kinds.count("before-reassign") == 2


def test_pre_migration_backups_are_pruned_with_the_automatic_ones(
        services: Services, clock: FakeClock) -> None:
    for revision in ("0009", "0010", "0011"):
        services.backups.back_up(f"before-{revision}")
        clock.advance(hours=1)
    services.backups.set_policy(BackupPolicy(keep=1))
    services.backups.on_close()
    reasons = [b.reason for b in services.backups.backups()]
    assert reasons == ["on-close", "before-0011"]
    assert services.backups.backups()[1].label == "Before upgrading to schema 0011"


def test_policy_switches_automatic_backups_off(services: Services) -> None:
    services.backups.set_policy(BackupPolicy(daily=False, on_close=False,
                                             before_big_operations=False))
    assert services.backups.daily_if_due() is None
    assert services.backups.on_close() is None
    assert services.backups.before("reassign") is None
    assert services.backups.backups() == []


# -- policy ------------------------------------------------------------------------------------
def test_policy_is_stored_locally_and_read_back(services: Services, db: Database) -> None:
    assert services.backups.policy() == BackupPolicy()
    wanted = BackupPolicy(daily=False, on_close=True, before_big_operations=False, keep=7)
    services.backups.set_policy(wanted)
    assert BackupService(Services.build(db).context).policy() == wanted
    assert json.loads(db.get_meta(backup_service.POLICY_KEY) or "")["keep"] == 7


@pytest.mark.parametrize("keep", [0, 101, -1])
def test_policy_refuses_keep_outside_1_to_100(services: Services, keep: int) -> None:
    with pytest.raises(ValidationError) as raised:
        services.backups.set_policy(BackupPolicy(keep=keep))
    assert "between 1 and 100" in (raised.value.for_field("keep") or "")
    assert services.backups.policy() == BackupPolicy()


# -- big operations -----------------------------------------------------------------------------
def test_reassign_backs_up_first_and_erasure_does_not(services: Services) -> None:
    lead = services.leads.create({"first_name": "Anna", "last_name": "Muster",
                                  "email": "anna@example.com"})
    services.routing.apply()
    services.erasure.erase(lead.id, "request 1")
    reasons = {b.reason for b in services.backups.backups()}
    # A backup made just before an erasure would keep what the person asked to be forgotten.
    assert "before-reassign" in reasons and "before-erase" not in reasons


def test_big_operations_skip_the_backup_when_switched_off(services: Services) -> None:
    services.backups.set_policy(BackupPolicy(before_big_operations=False))
    services.routing.apply()
    assert services.backups.backups() == []


# -- verification -------------------------------------------------------------------------------
def test_verify_rejects_a_damaged_copy(services: Services, tmp_path: Path) -> None:
    add_leads(services, 40)
    made = services.backups.back_up()
    damaged = tmp_path / "damaged.sqlite"
    shutil.copy(made.path, damaged)
    corrupt(damaged)
    with pytest.raises(BackupError) as raised:
        services.backups.verify(damaged)
    message = str(raised.value)
    assert str(damaged) in message and "damaged" in message


def test_verify_rejects_files_that_are_not_leadline_databases(services: Services,
                                                              tmp_path: Path) -> None:
    text = tmp_path / "notes.sqlite"
    text.write_text("these are my notes, not a database\n" * 200)
    with pytest.raises(BackupError, match="not a SQLite database") as raised:
        services.backups.verify(text)
    assert str(text) in str(raised.value)
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE things (x)")
    connection.close()
    with pytest.raises(BackupError, match="not a Leadline database"):
        services.backups.verify(other)
    with pytest.raises(BackupError, match="does not exist"):
        services.backups.verify(tmp_path / "missing.sqlite")


def test_verify_rejects_a_backup_from_a_newer_leadline(services: Services,
                                                       tmp_path: Path) -> None:
    newer = services.backups.back_up(to=tmp_path / "newer.sqlite").path
    with sqlite3.connect(newer) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    connection.close()
    with pytest.raises(BackupError, match="newer Leadline"):
        services.backups.verify(newer)


# -- restore ------------------------------------------------------------------------------------
def test_round_trip_back_up_change_restore(services: Services, db: Database,
                                           db_path: Path) -> None:
    add_leads(services, 2)
    made = services.backups.back_up()
    add_leads(services, 3, prefix="Later")
    db.dispose()
    assert lead_count(db_path) == 5
    aside = restore(db_path, made.path)
    assert lead_count(db_path) == 2
    assert aside.parent == db_path.parent / "backups"
    assert aside.name.startswith("leadline-before-restore-") and aside.suffix == ".sqlite"
    assert lead_count(aside) == 5  # the replaced database is kept whole
    assert any(b.reason == "before-restore" for b in list_backups(db_path))
    assert BackupService.restore is restore


def test_restore_refuses_while_the_database_is_open(services: Services, db_path: Path) -> None:
    made = services.backups.back_up()
    add_leads(services, 1)  # the service's connection stays open in the pool
    before = digest(db_path)
    with pytest.raises(BackupError, match="open in another program"):
        restore(db_path, made.path)
    assert digest(db_path) == before


def test_failed_copy_leaves_the_database_as_it_was(
        services: Services, db: Database, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    add_leads(services, 2)
    made = services.backups.back_up()
    add_leads(services, 1, prefix="Later")
    db.dispose()
    recovery.is_in_use(db_path)  # fold the log in now, so the bytes compared below are final
    before = digest(db_path)

    def half_then_full_disk(source: Path, destination: Path) -> None:
        destination.write_bytes(source.read_bytes()[:4096])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(recovery, "_copy_file", half_then_full_disk)
    with pytest.raises(BackupError, match="left as it was") as raised:
        restore(db_path, made.path)
    assert "No space left" in str(raised.value)
    assert digest(db_path) == before
    leftovers = [p.name for p in db_path.parent.iterdir() if "restore" in p.name]
    assert leftovers == []
    assert not any(b.reason == "before-restore" for b in list_backups(db_path))
    assert lead_count(db_path) == 3


def test_failed_rename_moves_the_old_files_back(
        services: Services, db: Database, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    made = services.backups.back_up()
    add_leads(services, 1)
    db.dispose()
    real_replace = recovery.os.replace

    def refuse_final(source: object, destination: object) -> None:
        if str(source).endswith(".restore-partial"):
            raise PermissionError(13, "Permission denied")
        real_replace(source, destination)  # type: ignore[arg-type]

    monkeypatch.setattr(recovery.os, "replace", refuse_final)
    with pytest.raises(BackupError):
        restore(db_path, made.path)
    monkeypatch.undo()
    assert lead_count(db_path) == 1


def test_restore_refuses_a_bad_backup_without_touching_anything(
        services: Services, db: Database, db_path: Path, tmp_path: Path) -> None:
    db.dispose()
    before = digest(db_path)
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"\x00garbage" * 1000)
    with pytest.raises(LeadlineError, match="junk.sqlite"):
        restore(db_path, junk)
    assert digest(db_path) == before
    assert list_backups(db_path) == []


def test_start_up_check_finds_a_damaged_database(services: Services, db: Database,
                                                 db_path: Path) -> None:
    add_leads(services, 40)
    assert check_database(db_path).ok
    db.dispose()
    corrupt(db_path)
    check = check_database(db_path)
    assert not check.ok and not check.locked
    assert str(db_path) in check.message and "damaged" in check.message


def test_start_up_check_reports_a_locked_database(tmp_path: Path) -> None:
    path = tmp_path / "locked.sqlite"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")  # rollback-journal mode: readers are shut out too
    try:
        check = check_database(path)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert check.locked and "locked" in check.message and str(path) in check.message


# -- command line -------------------------------------------------------------------------------


def test_cli_backup_list_and_restore(cli: CliRun, db_path: Path, tmp_path: Path) -> None:
    code, out, err = cli("leads", "add", "--first-name", "Anna", "--last-name", "Muster",
                         "--json")
    assert code == 0, err
    code, out, err = cli("backup", "--json")
    assert code == 0, err
    made = json.loads(out)
    assert Path(made["path"]).exists() and made["size_bytes"] > 0 and made["reason"] == "manual"
    code, out, _ = cli("backup")
    assert code == 0 and "Backup written:" in out
    code, out, _ = cli("backups", "--json")
    listed = json.loads(out)["backups"]
    assert len(listed) == 2 and listed[1]["path"] == made["path"]
    code, out, _ = cli("backups")
    assert code == 0 and "2 backups" in out and Path(made["path"]).name in out
    cli("leads", "add", "--first-name", "Ben", "--last-name", "Later")
    code, out, err = cli("restore", made["path"], "--json")
    assert code == 0, err
    result = json.loads(out)
    assert Path(result["previous"]).exists() and result["database"] == str(db_path.resolve())
    assert lead_count(db_path) == 1


def test_cli_restore_of_a_bad_file_fails_clearly(cli: CliRun, db_path: Path,
                                                 tmp_path: Path) -> None:
    cli("backup")
    junk = tmp_path / "junk.sqlite"
    junk.write_text("not a database")
    code, out, err = cli("restore", str(junk), "--json")
    assert code == 1 and out == ""
    assert "junk.sqlite" in json.loads(err.strip().splitlines()[-1])["error"]
    code, _, err = cli("restore", str(tmp_path / "missing.sqlite"), "--yes")
    assert code == 1 and "does not exist" in err


def test_cli_backups_does_not_create_a_database(cli: CliRun, db_path: Path) -> None:
    code, out, _ = cli("backups", "--json")
    assert code == 0 and json.loads(out) == {"backups": []}
    assert not db_path.exists()


def test_start_up_check_of_a_huge_file_checks_small_tables_and_samples_big_ones(
        services: Services, db: Database, db_path: Path, tmp_path: Path) -> None:
    add_leads(services, 40)
    db.dispose()
    assert check_database(db_path, full_limit_bytes=1024).ok
    size = db_path.stat().st_size
    with open(db_path, "r+b") as handle:  # damage the last pages (lead data, not the schema)
        handle.seek(size - 8 * 4096)
        handle.write(b"\xff" * 8 * 4096)
    assert not check_database(db_path).ok
    assert not check_database(db_path, full_limit_bytes=1024).ok  # 40 leads: a small table
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"\x01not sqlite" * 500)
    assert "not a SQLite database" in check_database(junk, full_limit_bytes=1024).message
