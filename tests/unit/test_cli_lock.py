"""`lock` and `unlock` on the command line, and every command a locked laptop refuses."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from app.bootstrap import main
from tests.conftest import FakeClock

pytestmark = pytest.mark.both_databases

REFUSED = [
    ("leads", "list"),
    ("leads", "search", "Muster"),
    ("leads", "show", "00000000-0000-0000-0000-000000000000"),
    ("export", "--format", "csv", "--out", "{tmp}/leads.csv"),
    ("report", "status", "--pdf", "{tmp}/status.pdf"),
    ("export-person", "00000000-0000-0000-0000-000000000000"),
    ("import", "{tmp}/leads.csv"),
    ("suppress", "list"),
    ("backup",),
    ("backups",),
    ("restore", "{tmp}/old.sqlite"),
    ("dedupe",),
    ("conflicts", "list"),
]


class Cli:
    def __init__(self, location: str, capsys: Any, monkeypatch: Any, tmp_path: Path) -> None:
        self.location, self.capsys, self.monkeypatch = location, capsys, monkeypatch
        self.tmp_path = tmp_path

    def __call__(self, *args: str, stdin: str = "") -> tuple[int, str, str]:
        self.monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = main(["--db", self.location, *(a.format(tmp=self.tmp_path) for a in args)])
        captured = self.capsys.readouterr()
        return code, captured.out, captured.err

    def pin_file(self, pin: str, name: str = "booth.pin") -> str:
        path = self.tmp_path / name
        path.write_text(pin + "\n", encoding="utf-8")
        return str(path)


@pytest.fixture
def cli(db_location: str, capsys: Any, monkeypatch: Any, tmp_path: Path,
        clock: FakeClock) -> Cli:
    """The command line on the test's database, at the fixed clock's time ($LEADLINE_NOW)."""
    return Cli(db_location, capsys, monkeypatch, tmp_path)


@pytest.fixture
def locked(cli: Cli) -> Cli:
    code, out, err = cli("--json", "lock", "--pin-file", cli.pin_file("4711"))
    assert code == 0, err
    assert json.loads(out)["locked"] is True
    return cli


def test_lock_refuses_a_pin_shorter_than_four_characters(cli: Cli) -> None:
    code, _out, err = cli("lock", "--pin-file", cli.pin_file("123"))
    assert code == 1 and "shorter than 4 characters" in err
    assert cli("leads", "list")[0] == 0, "not locked"


def test_lock_refuses_a_file_too_long_to_be_a_pin(cli: Cli) -> None:
    code, _out, err = cli("lock", "--pin-file", cli.pin_file("4711" * 300))
    assert code == 1 and "is not a PIN file" in err
    assert cli("leads", "list")[0] == 0, "not locked"


@pytest.mark.parametrize("command", REFUSED, ids=lambda c: " ".join(c[:2]))
def test_a_locked_laptop_refuses_commands_that_show_or_send_out_leads(
        locked: Cli, command: tuple[str, ...]) -> None:
    code, out, err = locked(*command)
    assert code == 1 and out == ""
    assert "This laptop is locked for the booth: unlock it with" in err
    assert "unlock --pin-file F" in err
    assert not (locked.tmp_path / "leads.csv").exists()


def test_capture_still_works_while_locked(cli: Cli) -> None:
    assert cli("events", "add", "Hannover Messe 2026")[0] == 0
    assert cli("lock", "--pin-file", cli.pin_file("4711"))[0] == 0
    locked = cli
    code, out, err = locked("--json", "leads", "add", "--first-name", "Max", "--last-name",
                            "Muster")
    assert code == 0, err
    assert json.loads(out)["last_name"] == "Muster"
    assert locked("events", "add", "Berlin Fair")[0] == 1, "set-up is refused"
    code, out, err = locked("scan", "--event", "Hannover Messe 2026",
                            stdin=json.dumps("000123\r") + "\n")
    assert code == 0, err
    assert locked("events", "list")[0] == 0


def test_a_wrong_pin_fails_naming_the_wait_and_the_right_one_unlocks(
        locked: Cli, clock: FakeClock) -> None:
    code, _out, err = locked("--json", "unlock", "--pin-file", locked.pin_file("0000", "bad"))
    assert code == 1
    assert json.loads(err.strip().splitlines()[-1])["error"] == \
        "Wrong PIN. Wait 1 s before trying again."
    code, _out, err = locked("unlock", "--pin-file", locked.pin_file("4711"))
    assert code == 1 and "Wait 1 s before trying again" in err, "too soon, even when right"
    clock.advance(seconds=1)
    code, out, err = locked("--json", "unlock", "--pin-file", locked.pin_file("4711"))
    assert code == 0, err
    assert json.loads(out) == {"locked": False, "was_locked": True}
    assert locked("leads", "list")[0] == 0
    code, out, _err = locked("unlock", "--pin-file", locked.pin_file("4711"))
    assert code == 0 and "not locked" in out
