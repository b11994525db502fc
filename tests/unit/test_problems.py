"""Known environment problems are told in plain words (pure mapping, and the CLI's use of it)."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

import pytest

from app.cli import main as cli_main
from app.services.problems import ProblemKind, describe_problem


class WrappedDatabaseError(Exception):
    """Shaped like SQLAlchemy's DBAPIError: the driver's error sits in ``orig``."""

    def __init__(self, orig: BaseException) -> None:
        super().__init__(f"(sqlite3.OperationalError) {orig}")
        self.orig = orig


@pytest.mark.parametrize(("error", "kind"), [
    (OSError(errno.ENOSPC, "No space left on device", "/data/leadline.sqlite"),
     ProblemKind.DISK_FULL),
    (sqlite3.OperationalError("database or disk is full"), ProblemKind.DISK_FULL),
    (OSError(errno.EROFS, "Read-only file system", "/media/stick/x.csv"), ProblemKind.READ_ONLY),
    (PermissionError(errno.EACCES, "Permission denied", "/srv/share"), ProblemKind.READ_ONLY),
    (sqlite3.OperationalError("attempt to write a readonly database"), ProblemKind.READ_ONLY),
    (FileNotFoundError(errno.ENOENT, "No such file or directory", "/tmp/gone.csv"),
     ProblemKind.MISSING),
    (OSError(errno.ENOENT, "No such file or directory"), ProblemKind.MISSING),
    (sqlite3.OperationalError("database is locked"), ProblemKind.LOCKED),
    (WrappedDatabaseError(sqlite3.OperationalError("database is locked")), ProblemKind.LOCKED),
])
def test_known_problems_are_recognised(error: BaseException, kind: ProblemKind) -> None:
    problem = describe_problem(error)
    assert problem is not None and problem.kind is kind
    assert problem.title and problem.message and problem.what_to_do
    for technical in ("Errno", "Traceback", "OperationalError", "sqlite3"):
        assert technical not in str(problem)


def test_the_file_concerned_is_named() -> None:
    problem = describe_problem(OSError(errno.ENOSPC, "No space left", "/data/leadline.sqlite"))
    assert problem is not None and "/data/leadline.sqlite" in problem.message
    assert "disk is full" in problem.message and "Free some space" in problem.what_to_do


def test_a_problem_behind_a_raise_from_is_found() -> None:
    try:
        try:
            raise OSError(errno.EROFS, "Read-only file system")
        except OSError as inner:
            raise RuntimeError("export failed") from inner
    except RuntimeError as outer:
        problem = describe_problem(outer)
    assert problem is not None and problem.kind is ProblemKind.READ_ONLY


@pytest.mark.parametrize("error", [
    ValueError("bad value"), KeyError("x"), ZeroDivisionError(),
    OSError(errno.ECONNRESET, "Connection reset"), sqlite3.OperationalError("no such table: x"),
])
def test_bugs_and_other_errors_are_not_known_problems(error: BaseException) -> None:
    assert describe_problem(error) is None


def test_cli_prints_the_plain_message_for_a_full_disk(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def disk_full(_self: object) -> object:
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "x.sqlite"))

    monkeypatch.setattr(cli_main.CliContext, "_open", disk_full)
    code = cli_main.run(["--db", str(tmp_path / "x.sqlite"), "users", "list"])
    err = capsys.readouterr().err
    assert code == cli_main.EXIT_FAILURE
    assert "disk is full" in err and "Traceback" not in err and "Errno" not in err


def test_cli_still_raises_real_bugs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def bug(_self: object) -> object:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(cli_main.CliContext, "_open", bug)
    with pytest.raises(ZeroDivisionError):
        cli_main.run(["--db", str(tmp_path / "x.sqlite"), "users", "list"])
