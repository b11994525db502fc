"""Start-up: a damaged database is found before opening, and the person can restore a backup."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings

from app.domain.leads import LeadQuery
from app.services.backup_files import list_backups
from app.services.backup_service import check_database
from app.services.container import Services
from app.storage.db import Database
from app.storage.opening import open_database
from app.ui import application, startup_checks
from app.ui.startup_checks import Choice, DamagedDatabaseDialog, check_before_open


@pytest.fixture(autouse=True)
def _application(qapp: Any) -> None:
    """The restore shows a busy cursor, which needs the application object."""


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    said: list[str] = []
    monkeypatch.setattr(startup_checks.messages, "error",
                        lambda _p, title, text, *a: said.append(f"error: {title}: {text}"))
    monkeypatch.setattr(startup_checks.messages, "info",
                        lambda _p, title, text: said.append(f"info: {title}: {text}"))
    return said


def answer(monkeypatch: pytest.MonkeyPatch, *choices: Choice) -> list[str]:
    """The damaged-file dialog answers with ``choices`` in turn; returns the messages it got."""
    asked: list[str] = []
    queue: Iterator[Choice] = iter(choices)

    def ask(check: Any, _parent: Any = None) -> Choice:
        asked.append(check.message)
        return next(queue)

    monkeypatch.setattr(DamagedDatabaseDialog, "ask", ask)
    return asked


def add_leads(services: Services, count: int, prefix: str = "Person") -> None:
    for i in range(count):
        services.leads.create({"first_name": f"{prefix}{i:03d}", "last_name": "Example",
                               "email": f"{prefix}{i}@example.com", "notes": "y" * 300})


def corrupt(path: Path) -> None:
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.seek(size // 3)
        handle.write(b"\xba\xad\xf0\x0d" * (size // 12))


def count(path: Path) -> int:
    database, _ = open_database(path)
    try:
        return Services.build(database).leads.count(LeadQuery())
    finally:
        database.dispose()


@pytest.fixture
def damaged(services: Services, db: Database, db_path: Path) -> Path:
    """A database with a good backup of 40 leads, then 5 more leads, then a disk failure."""
    add_leads(services, 40)
    services.backups.back_up()
    add_leads(services, 5, prefix="Later")
    db.dispose()
    corrupt(db_path)
    assert not check_database(db_path).ok
    return db_path


def test_healthy_and_new_files_open_without_questions(
        db: Database, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    asked = answer(monkeypatch)
    assert check_before_open(db_path) == db_path
    assert check_before_open(tmp_path / "new.sqlite") == tmp_path / "new.sqlite"
    assert asked == []


def test_damaged_file_restores_the_newest_good_backup(
        damaged: Path, monkeypatch: pytest.MonkeyPatch, shown: list[str]) -> None:
    asked = answer(monkeypatch, Choice.RESTORE)
    assert check_before_open(damaged) == damaged
    assert len(asked) == 1 and str(damaged) in asked[0] and "damaged" in asked[0]
    assert count(damaged) == 40
    kept = [b for b in list_backups(damaged) if b.reason == "before-restore"]
    assert len(kept) == 1 and shown[-1].startswith("info: Backup restored")
    assert str(kept[0].path) in shown[-1]


def test_a_damaged_backup_is_skipped_for_an_older_good_one(
        damaged: Path, clock: Any, monkeypatch: pytest.MonkeyPatch, shown: list[str]) -> None:
    newest = damaged.parent / "backups" / "leadline-20301231-235959-manual.sqlite"
    shutil.copy(list_backups(damaged)[0].path, newest)
    corrupt(newest)
    answer(monkeypatch, Choice.RESTORE)
    assert check_before_open(damaged) == damaged
    assert count(damaged) == 40
    assert newest.exists()  # a damaged backup is left for the person to look at


def test_without_a_good_backup_the_dialog_comes_back(
        damaged: Path, monkeypatch: pytest.MonkeyPatch, shown: list[str]) -> None:
    for backup in list_backups(damaged):
        backup.path.unlink()
    asked = answer(monkeypatch, Choice.RESTORE, Choice.QUIT)
    assert check_before_open(damaged) is None
    assert len(asked) == 2 and any("No intact backup" in text for text in shown)


def test_open_another_file(damaged: Path, tmp_path: Path,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    other = tmp_path / "other.sqlite"
    database, _ = open_database(other)
    database.dispose()
    answer(monkeypatch, Choice.OPEN_OTHER)
    monkeypatch.setattr(startup_checks, "ask_other_file", lambda _parent, _current: other)
    assert check_before_open(damaged) == other


def test_quit_leaves_the_damaged_file_alone(damaged: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    before = damaged.read_bytes()
    answer(monkeypatch, Choice.QUIT)
    assert check_before_open(damaged) is None
    assert damaged.read_bytes() == before


def test_locked_database_gets_a_clear_message(tmp_path: Path, shown: list[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "busy.sqlite"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    asked = answer(monkeypatch)
    try:
        assert check_before_open(path) is None
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert asked == [] and len(shown) == 1
    assert "locked" in shown[0] and str(path) in shown[0] and "Close that program" in shown[0]


def test_dialog_names_the_file_and_offers_three_ways_out(qtbot: Any, damaged: Path) -> None:
    dialog = DamagedDatabaseDialog(check_database(damaged))
    qtbot.addWidget(dialog)
    text = " ".join(label.text() for label in dialog.findChildren(startup_checks.QLabel))
    assert str(damaged) in text and "damaged" in text
    assert [b.text() for b in (dialog.restore_button, dialog.open_button, dialog.quit_button)] \
        == ["&Restore newest good backup", "&Open another file…", "&Quit"]
    dialog.open_button.click()
    assert dialog.choice is Choice.OPEN_OTHER


def test_smoke_test_mode_signs_in_and_reports(qapp: Any, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(application, "SMOKE_TEST_MS", 0)
    monkeypatch.setattr(application, "QSettings", lambda: QSettings(
        str(tmp_path / "window.ini"), QSettings.Format.IniFormat))
    path = tmp_path / "smoke.sqlite"
    assert application.run_smoke_test(qapp, path) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out[-1].startswith(f"smoke test ok: {path} schema ")
    database, _ = open_database(path)
    try:
        user = Services.build(database).people.current_user()
    finally:
        database.dispose()
    assert user is not None and user.name == "Smoke Test"


def test_smoke_test_fails_on_a_damaged_database(qapp: Any, damaged: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert application.run_smoke_test(qapp, damaged) == 1
    assert "smoke test failed" in capsys.readouterr().out
