"""The command line acts as the profile signed in on this laptop: each role's commands only."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import pytest

from app.cli.access import COMMAND_AREAS, area_of
from app.cli.main import build_parser
from app.domain.access import Area
from tests.conftest import FakeClock
from tests.unit.test_cli_lock import Cli

pytestmark = pytest.mark.both_databases

USERS = {"booth": "bea@example.com", "rep": "rita@example.com",
         "manager": "max@example.com", "admin": "ada@example.com"}


@pytest.fixture
def cli(db_location: str, capsys: Any, monkeypatch: Any, tmp_path: Path,
        clock: FakeClock) -> Cli:
    cli = Cli(db_location, capsys, monkeypatch, tmp_path)
    for role, email in USERS.items():
        code, _out, err = cli("users", "add", "--name", role.title(), "--email", email,
                              "--role", role)
        assert code == 0, err
    for owner in ("rita@example.com", "max@example.com"):
        code, _out, err = cli("leads", "add", "--first-name", "Lead", "--last-name", owner[:3],
                              "--email", f"lead.{owner}", "--owner", owner)
        assert code == 0, err
    return cli


def sign_in(cli: Cli, role: str, *extra: str) -> None:
    code, out, err = cli("--json", "users", "sign-in", USERS[role], *extra)
    assert code == 0, err
    assert json.loads(out)["signed_in"]["role"] == role


# (role, command, allowed): one command of each area, for every role.
CASES = [
    ("booth", ("events", "list"), True),
    ("booth", ("leads", "list"), False),
    ("booth", ("reminders", "--owner", "rita@example.com"), False),
    ("booth", ("export", "--format", "csv", "--out", "{tmp}/out.csv"), False),
    ("rep", ("leads", "list"), True),
    ("rep", ("reminders", "--owner", "rita@example.com"), True),
    ("rep", ("dedupe",), False),
    ("rep", ("report", "status", "--pdf", "{tmp}/status.pdf"), False),
    ("manager", ("dedupe",), True),
    ("manager", ("routing", "list"), True),
    ("manager", ("export", "--format", "csv", "--out", "{tmp}/out.csv"), False),
    ("manager", ("import", "{tmp}/leads.csv"), False),
    ("manager", ("leads", "export", "{tmp}/out.csv"), False),
    ("rep", ("leads", "export", "{tmp}/out.csv"), False),
    ("manager", ("audit",), False),
    ("manager", ("backups",), False),
    ("admin", ("export", "--format", "csv", "--out", "{tmp}/out.csv"), True),
    ("admin", ("audit",), True),
    ("admin", ("backups",), True),
]


@pytest.mark.parametrize(("role", "command", "allowed"), CASES,
                         ids=lambda c: c if isinstance(c, str) else " ".join(c[:2])
                         if isinstance(c, tuple) else str(c))
def test_each_role_runs_its_own_commands_and_is_refused_the_rest(
        cli: Cli, role: str, command: tuple[str, ...], allowed: bool) -> None:
    sign_in(cli, role)
    code, _out, err = cli(*command)
    if allowed:
        assert "profile cannot open" not in err
        assert code == 0 or "is a team server" in err, err  # its backups are the server's
    else:
        assert code == 1
        assert "profile cannot open" in err and "users sign-in EMAIL" in err, err
        assert not (cli.tmp_path / "out.csv").exists()


def test_a_reps_lead_list_holds_only_their_own_leads(cli: Cli) -> None:
    sign_in(cli, "manager")
    code, out, _err = cli("--json", "leads", "list")
    assert code == 0 and len(json.loads(out)["leads"]) == 2
    sign_in(cli, "rep")
    code, out, err = cli("--json", "leads", "list")
    assert code == 0, err
    emails = [lead["email"] for lead in json.loads(out)["leads"]]
    assert emails == ["lead.rita@example.com"]
    code, _out, err = cli("leads", "list", "--owner", "max@example.com")
    assert code == 1 and "their own leads only" in err


def test_signing_in_to_a_profile_with_a_pin_needs_the_pin(cli: Cli, clock: FakeClock) -> None:
    sign_in(cli, "admin")
    code, _out, err = cli("--json", "users", "sign-in", USERS["admin"])
    assert code == 0, err
    _set_pin(cli, "admin", "2468")
    sign_in(cli, "rep")
    code, _out, err = cli("users", "sign-in", USERS["admin"])
    assert code == 2 and "has a PIN" in err
    code, _out, err = cli("users", "sign-in", USERS["admin"], "--pin-file",
                          cli.pin_file("1111", "wrong.pin"))
    assert code == 1 and "Wrong PIN" in err
    assert cli("audit")[0] == 1, "still the rep"
    clock.advance(seconds=1)
    sign_in(cli, "admin", "--pin-file", cli.pin_file("2468", "right.pin"))
    assert cli("audit")[0] == 0


def _set_pin(cli: Cli, role: str, pin: str) -> None:
    from app.paths import database_location
    from app.services.container import Services
    from app.storage.opening import open_database

    database, _ = open_database(database_location(cli.location))
    try:  # as Edit → Set my PIN… does
        services = Services.build(database)
        services.lock.set_pin(services.people.user_by_email(USERS[role]), pin)
    finally:
        database.dispose()


def test_nobody_signed_in_opens_capture_only_once_a_profile_has_a_pin(cli: Cli) -> None:
    assert cli("audit")[0] == 0, "no PIN here: any profile is one sign-in away"
    _set_pin(cli, "admin", "2468")
    code, _out, err = cli("audit")
    assert code == 1 and "Nobody is signed in" in err and "users sign-in" in err
    assert cli("leads", "list")[0] == 1
    assert cli("events", "list")[0] == 0, "capture stays open"
    sign_in(cli, "rep")
    assert cli("leads", "list")[0] == 0


def _commands(parser: argparse.ArgumentParser, prefix: str = "") -> list[str]:
    found: list[str] = []
    for action in parser._actions:  # noqa: SLF001 - argparse keeps its sub-parsers here
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            for name, sub in action.choices.items():
                path = f"{prefix} {name}".strip()
                found.append(path)
                found.extend(_commands(sub, path))
    return found


def test_every_command_belongs_to_an_area() -> None:
    """A new command must be placed deliberately, not fall into "administrators only"."""
    paths = _commands(build_parser())
    assert paths
    unplaced = [p for p in paths if p not in COMMAND_AREAS and p.split(" ")[0] not in COMMAND_AREAS]
    assert unplaced == []
    namespace = argparse.Namespace(command="export", format="ics")
    assert area_of(namespace) is Area.FOLLOW_UP


def test_a_manager_cannot_add_an_administrator(cli: Cli) -> None:
    sign_in(cli, "manager")
    code, _out, err = cli("users", "add", "--name", "Eve", "--email", "eve@example.com",
                          "--role", "admin")
    assert code == 1 and "cannot add a profile with the role administrator" in err
    code, _out, err = cli("users", "add", "--name", "Ray", "--email", "ray@example.com",
                          "--role", "rep")
    assert code == 0, err


def test_a_rep_cannot_search_show_change_or_delete_a_colleagues_lead(cli: Cli) -> None:
    sign_in(cli, "manager")
    code, out, _err = cli("--json", "leads", "list")
    ids = {lead["email"]: lead["id"] for lead in json.loads(out)["leads"]}
    mine, theirs = ids["lead.rita@example.com"], ids["lead.max@example.com"]
    sign_in(cli, "rep")
    code, out, err = cli("--json", "leads", "search", "Lead")
    assert code == 0, err
    assert [lead["id"] for lead in json.loads(out)["leads"]] == [mine]
    for command in (("leads", "show", theirs), ("leads", "update", theirs, "--title", "x"),
                    ("leads", "delete", theirs)):
        code, _out, err = cli(*command)
        assert code == 1 and "is not yours" in err, command
    assert cli("leads", "show", mine)[0] == 0
    assert cli("leads", "update", mine, "--title", "Buyer")[0] == 0
