"""The command-line interface, run in-process through the composition root (app.bootstrap.main)."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import io
import json
import shutil
import signal
import sqlite3
import subprocess
import sys
import types
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from app.bootstrap import main
from app.domain.leads import LEAD_FIELDS, LeadRecord
from app.paths import database_location
from app.storage.migrate import head_revision
from app.storage.opening import open_database
from app.storage.orm import Lead

pytestmark = pytest.mark.both_databases

REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclasses.dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)

    def error_json(self) -> dict[str, Any]:
        """With --json an error ends stderr with one JSON line."""
        return json.loads(self.err.strip().splitlines()[-1])


Cli = Callable[..., Run]


@pytest.fixture
def cli(db_location: str, capsys: pytest.CaptureFixture[str]) -> Cli:
    """Run ``main([--db <the test database>, *args])`` (or exactly ``args`` with db=False)."""

    def run(*args: str, db: bool = True) -> Run:
        argv = ["--db", db_location, *args] if db else list(args)
        code = main(argv)
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


def run_quiet(argv: list[str]) -> Run:
    """Run the CLI outside a test's capsys (for module-scoped templates)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    result = Run(code, out.getvalue(), err.getvalue())
    assert code == 0, result.err
    return result


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, dict[str, str]]]:
    """Databases built once per module through the CLI; tests get a copy of one.

    "world": two users and an event. "listed": the world plus four leads.
    """
    folder = tmp_path_factory.mktemp("cli-templates")
    world_db = folder / "world.sqlite"
    world = add_world(str(world_db))
    listed_db = folder / "listed.sqlite"
    shutil.copyfile(world_db, listed_db)
    listed = add_listed_leads(str(listed_db))
    return {"world": (world_db, world), "listed": (listed_db, listed)}


def _on(location: str, *args: str) -> dict[str, Any]:
    return run_quiet(["--db", location, "--json", *args]).json()  # type: ignore[no-any-return]


def add_world(where: str) -> dict[str, str]:
    """Through the CLI: users anna and ben, event fair; their ids."""
    return {
        "anna": _on(where, "users", "add", "--name", "Anna Weber", "--email",
                    "Anna@Example.com", "--role", "rep", "--capacity", "40")["id"],
        "ben": _on(where, "users", "add", "--name", "Ben Ott", "--email", "ben@example.com",
                   "--role", "manager")["id"],
        "fair": _on(where, "events", "add", "Hannover", "Messe", "2026", "--country", "DE",
                    "--starts", "2026-04-20", "--ends", "24.04.2026", "--cost", "12,500.50",
                    "--city", "Hannover")["id"],
    }


def add_listed_leads(where: str) -> dict[str, str]:
    """Through the CLI, into the world: leads max, eva, olga and lia; their ids."""
    return {
        "max": _on(where, "leads", "add", "--first-name", "Max", "--last-name", "Muster",
                   "--company", "ACME Industrial", "--owner", "anna@example.com", "--event",
                   "Hannover Messe 2026", "--status", "mql", "--rating", "hot",
                   "--phone", "030 1234567")["id"],
        "eva": _on(where, "leads", "add", "--first-name", "Eva", "--last-name", "Adler",
                   "--company", "Beta GmbH", "--owner", "ben@example.com", "--status", "sql",
                   "--rating", "warm", "--notes", "asked for a retrofit offer")["id"],
        "olga": _on(where, "leads", "add", "--first-name", "Olga", "--last-name", "Zorn",
                    "--status", "won", "--email", "olga@zorn.example")["id"],
        "lia": _on(where, "leads", "add", "--lenient", "--first-name", "Lia", "--last-name",
                   "Berg", "--email", "lia@@x")["id"],
    }


@pytest.fixture(scope="module")
def server_worlds(request: pytest.FixtureRequest) -> dict[str, tuple[str, dict[str, str]]]:
    """The same two databases on the server, built once per module through the CLI; each test
    gets a copy of one (server_database_template)."""
    from tests.pg_server import copy_database

    name = uuid.uuid4().hex[:10]
    world_url = copy_database(request.getfixturevalue("server_template"), f"world_{name}")
    world = add_world(world_url)
    listed_url = copy_database(world_url, f"listed_{name}")
    listed = add_listed_leads(listed_url)
    return {"world": (world_url, world), "listed": (listed_url, listed)}


@pytest.fixture
def server_database_template(request: pytest.FixtureRequest) -> str:
    for needs, kind in (("listed_leads", "listed"), ("world", "world")):
        if needs in request.fixturenames:
            return request.getfixturevalue("server_worlds")[kind][0]
    return str(request.getfixturevalue("server_template"))


@pytest.fixture
def world(request: pytest.FixtureRequest, database_kind: str, db_location: str) -> dict[str, str]:
    """Two users (anna, ben) and an event (fair) in the test's database; returns their ids."""
    if database_kind == "postgresql":  # the test's server database is a copy of the world's
        return request.getfixturevalue("server_worlds")["world"][1]
    template, ids = request.getfixturevalue("templates")["world"]
    shutil.copyfile(template, db_location)
    return ids


def add_lead(cli: Cli, *fields: str) -> dict[str, Any]:
    result = cli("--json", "leads", "add", *fields)
    assert result.code == 0, result.err
    return result.json()


# -- help and global options ------------------------------------------------------------------
def test_help_lists_every_command_and_global_option(cli: Cli, db_path: Path) -> None:
    result = cli("--help", db=False)
    assert result.code == 0
    for word in ("leads", "events", "users", "demo", "--db", "--json", "examples"):
        assert word in result.out
    assert not db_path.exists(), "--help must not create a database"


def test_leads_help_lists_every_action(cli: Cli) -> None:
    result = cli("leads", "--help", db=False)
    assert result.code == 0
    for action in ("list", "search", "show", "add", "update", "delete", "restore"):
        assert f"    {action} " in result.out


@pytest.mark.parametrize("action", ["add", "update"])
def test_add_and_update_have_one_option_per_lead_field(cli: Cli, action: str) -> None:
    result = cli("leads", action, "--help", db=False)
    assert result.code == 0
    for spec in LEAD_FIELDS:
        assert (spec.cli_option in result.out) != spec.computed, spec.name
    assert ("--lenient" in result.out) == (action == "add")


def test_list_help_describes_filters_and_sort_keys(cli: Cli) -> None:
    out = cli("leads", "list", "--help", db=False).out
    for option in ("--status", "--owner", "--event", "--rating", "--overdue", "--needs-review",
                   "--open", "--search", "--sort", "--asc", "--desc", "--limit", "--offset"):
        assert option in out
    assert "next_due" in out and "unassigned" in out


def test_leads_list_creates_and_migrates_a_brand_new_file(cli: Cli, sqlite_file: Path) -> None:
    assert not sqlite_file.exists()
    result = cli("leads", "list")
    assert result.code == 0, result.err
    assert "showing 0 of 0 leads" in result.out
    assert "Created a new Leadline database" in result.err
    with sqlite3.connect(sqlite_file) as connection:
        (revision,) = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    assert revision == head_revision()


def test_without_db_option_the_default_location_is_used(cli: Cli, tmp_path: Path) -> None:
    default = tmp_path / "default-location" / "leadline.sqlite"  # $LEADLINE_DB in conftest
    assert cli("leads", "list", db=False).code == 0
    assert default.exists()


@pytest.mark.parametrize("layout", [
    ["--db", "{db}", "--json", "leads", "list"],
    ["leads", "list", "--db", "{db}", "--json"],
    ["--db", "{db}", "leads", "list", "--json"],
    ["--json", "leads", "--db", "{db}", "list"],
    ["leads", "--json", "list", "--db", "{db}"],
])
def test_global_options_work_before_and_after_the_command(
        cli: Cli, db_location: str, tmp_path: Path, layout: list[str]) -> None:
    add_lead(cli, "--last-name", "Placed")
    argv = [part.format(db=db_location) for part in layout]
    result = cli(*argv, db=False)
    assert result.code == 0, result.err
    assert result.json()["total"] == 1
    assert not (tmp_path / "default-location").exists()


def test_unknown_command_is_a_usage_error(cli: Cli) -> None:
    result = cli("frobnicate")
    assert result.code == 2
    assert "error:" in result.err and "frobnicate" in result.err
    assert result.out == ""


def test_usage_error_with_json_ends_stderr_with_a_json_object(cli: Cli) -> None:
    result = cli("leads", "list", "--sort", "bogus", "--json")
    assert result.code == 2
    payload = result.error_json()
    assert "--sort" in payload["error"] and payload["fields"] == {}


# -- users and events -------------------------------------------------------------------------
def test_users_add_and_list(cli: Cli, world: dict[str, str]) -> None:
    listed = cli("users", "list", "--json").json()["users"]
    by_email = {u["email"]: u for u in listed}
    assert set(by_email) == {"anna@example.com", "ben@example.com"}
    anna = by_email["anna@example.com"]
    assert anna == {**anna, "id": world["anna"], "name": "Anna Weber", "role": "rep",
                    "capacity": 40, "availability": "active", "territories": []}
    text = cli("users", "list")
    assert text.code == 0
    assert "Anna Weber" in text.out and "Sales manager" in text.out and "2 users" in text.out


@pytest.mark.parametrize(("args", "field"), [
    (["--name", "X", "--email", "not-an-email", "--role", "rep"], "email"),
    (["--name", "X", "--email", "x@example.com", "--role", "pilot"], "role"),
    (["--name", "X", "--email", "x@example.com", "--role", "rep", "--capacity", "lots"],
     "capacity"),
    (["--name", "X", "--email", "x@example.com", "--role", "rep", "--team", "Nope"], "team"),
    (["--name", " ", "--email", "x@example.com", "--role", "rep"], "name"),
])
def test_users_add_validation_errors_name_the_field(
        cli: Cli, args: list[str], field: str) -> None:
    result = cli("users", "add", *args, "--json")
    assert result.code == 2
    assert f"error: {field}: " in result.err
    assert field in result.error_json()["fields"]
    assert cli("users", "list", "--json").json()["users"] == []


def test_users_add_duplicate_email_is_a_conflict(cli: Cli, world: dict[str, str]) -> None:
    result = cli("users", "add", "--name", "Anna 2", "--email", "ANNA@example.com",
                 "--role", "rep")
    assert result.code == 1
    assert "already exists" in result.err


def test_users_add_requires_role(cli: Cli) -> None:
    result = cli("users", "add", "--name", "X", "--email", "x@example.com")
    assert result.code == 2
    assert "--role" in result.err


def test_events_add_and_list(cli: Cli, world: dict[str, str]) -> None:
    events = cli("events", "list", "--json").json()["events"]
    assert events == [{
        "id": world["fair"], "name": "Hannover Messe 2026", "starts_on": "2026-04-20",
        "ends_on": "2026-04-24", "venue": "", "city": "Hannover", "country": "DE",
        "cost": 1250050, "currency": "EUR", "badge_layout": "",
    }]
    text = cli("events", "list").out
    assert "Hannover Messe 2026" in text and "12,500.50 EUR" in text and "1 event\n" in text


@pytest.mark.parametrize(("args", "field"), [
    (["Fair", "--starts", "2026/04/20"], "starts"),
    (["Fair", "--starts", "2026-04-20", "--ends", "2026-04-19"], "ends"),
    (["Fair", "--country", "Atlantis"], "country"),
    (["Fair", "--cost", "a lot"], "cost"),
])
def test_events_add_validation_errors_name_the_field(
        cli: Cli, args: list[str], field: str) -> None:
    result = cli("--json", "events", "add", *args)
    assert result.code == 2
    assert f"error: {field}: " in result.err
    assert field in result.error_json()["fields"]


def test_events_add_duplicate_name_is_a_conflict(cli: Cli, world: dict[str, str]) -> None:
    result = cli("events", "add", "hannover messe 2026")
    assert result.code == 1 and "already exists" in result.err


# -- leads add --------------------------------------------------------------------------------
def test_leads_add_json_carries_every_field(cli: Cli, world: dict[str, str]) -> None:
    lead = add_lead(
        cli, "--first-name", "Max", "--last-name", "Muster", "--email", "Max@Example.COM",
        "--phone", "030 1234567", "--event", "Hannover Messe 2026", "--owner",
        "anna@example.com", "--badge-id", "B-17", "--deal-value", "1,000.50",
        "--come-back-on", "01.12.2026", "--rating", "hot", "--do-not-contact", "yes",
        "--notes", "wants a quote")
    uuid.UUID(lead["id"])
    assert set(lead) >= {f.name for f in LEAD_FIELDS}
    assert lead["owner"] == "anna@example.com"
    assert lead["owner_id"] == world["anna"] and lead["owner_name"] == "Anna Weber"
    assert lead["event"] == "Hannover Messe 2026" and lead["event_id"] == world["fair"]
    assert lead["badge_id"] == "B-17"
    assert lead["email"] == "max@example.com"
    assert lead["phone"] == "030 1234567" and lead["phone_e164"] == "+49301234567"
    assert lead["deal_value"] == 100050 and isinstance(lead["deal_value"], int)
    assert lead["come_back_on"] == "2026-12-01"
    assert lead["rating"] == "hot" and lead["status"] == "inquiry"
    assert lead["channel"] == "trade_show"
    assert lead["do_not_contact"] is True and lead["needs_review"] is False
    assert lead["team"] == "" and lead["team_id"] is None
    assert lead["created_at"].endswith("+00:00") and lead["updated_at"] == lead["created_at"]
    assert lead["next_due_at"] is None  # do-not-contact: no cadence, so nothing planned


def test_leads_add_text_prints_the_lead(cli: Cli, world: dict[str, str]) -> None:
    result = cli("leads", "add", "--first-name", "Max", "--last-name", "Muster",
                 "--owner", "anna@example.com")
    assert result.code == 0, result.err
    assert result.out.startswith("Added lead ")
    assert "Anna Weber <anna@example.com>" in result.out
    for spec in LEAD_FIELDS:
        assert spec.label in result.out


@pytest.mark.parametrize(("args", "field", "words"), [
    (["--last-name", "X", "--email", "max@"], "email", "not a valid email"),
    (["--last-name", "X", "--owner", "ghost@example.com"], "owner", "no user with email"),
    (["--last-name", "X", "--event", "Atlantis Expo"], "event", "no event named"),
    (["--last-name", "X", "--status", "hot-ish"], "status", "is not one of"),
    (["--last-name", "X", "--come-back-on", "2026-13-45"], "come_back_on", "is not a date"),
    (["--last-name", "X", "--do-not-contact", "maybe"], "do_not_contact", "yes or no"),
    (["--last-name", "X", "--come-back-on", "soon"], "come_back_on", "date"),
    (["--last-name", "X", "--country", "Atlantis"], "country", "is not a country"),
    (["--last-name", "X", "--phone", "12"], "phone", "phone number"),
    (["--company", ""], "last_name", "needs at least"),
])
def test_leads_add_errors_name_the_field(
        cli: Cli, world: dict[str, str], args: list[str], field: str, words: str) -> None:
    result = cli("leads", "add", *args, "--json")
    assert result.code == 2
    assert f"error: {field}: " in result.err and words in result.err
    payload = result.error_json()
    assert words in payload["fields"][field] and payload["error"]
    assert result.out == ""
    assert cli("leads", "list", "--json").json()["total"] == 0


def test_leads_add_reports_every_bad_field_at_once(cli: Cli) -> None:
    result = cli("--json", "leads", "add", "--email", "bad@", "--phone", "12", "--status", "x")
    assert result.code == 2
    assert set(result.error_json()["fields"]) == {"email", "phone", "status"}


def test_leads_add_lenient_keeps_doubtful_contact_data_for_review(cli: Cli) -> None:
    strict = cli("leads", "add", "--last-name", "Booth", "--email", "max@exa mple")
    assert strict.code == 2
    lead = add_lead(cli, "--lenient", "--last-name", "Booth", "--email", "max@exa mple")
    assert lead["email"] == "max@exa mple"
    assert lead["needs_review"] is True and "email" in lead["review_reason"]
    listed = cli("leads", "list", "--needs-review", "--json").json()
    assert [x["id"] for x in listed["leads"]] == [lead["id"]]


@pytest.mark.parametrize(("typed", "stored"), [
    ("yes", True), ("no", False), ("true", True), ("false", False), ("YES", True)])
def test_boolean_options_accept_yes_no_true_false(cli: Cli, typed: str, stored: bool) -> None:
    lead = add_lead(cli, "--last-name", "Flag", "--do-not-contact", typed)
    assert lead["do_not_contact"] is stored


# -- show / update / delete / restore ---------------------------------------------------------
def test_leads_update_changes_fields_and_writes_history(
        cli: Cli, world: dict[str, str]) -> None:
    lead = add_lead(cli, "--first-name", "Max", "--last-name", "Muster", "--rating", "warm",
                    "--owner", "anna@example.com")
    result = cli("--json", "leads", "update", lead["id"], "--status", "mql", "--rating", "",
                 "--owner", "ben@example.com", "--company", "ACME")
    assert result.code == 0, result.err
    updated = result.json()
    assert updated["status"] == "mql" and updated["rating"] is None
    assert updated["owner"] == "ben@example.com" and updated["company"] == "ACME"
    shown = cli("leads", "show", lead["id"], "--json").json()
    changes = {h["field"]: (h["old_value"], h["new_value"]) for h in shown["history"]
               if h["field"]}
    assert changes == {"status": ("Inquiry", "MQL"), "rating": ("Warm", ""),
                       "owner": ("Anna Weber", "Ben Ott"), "company": ("", "ACME")}
    assert shown["history"][-1]["kind"] == "created"
    assert all(h["summary"] for h in shown["history"])


def test_leads_update_owner_empty_makes_an_orphan(cli: Cli, world: dict[str, str]) -> None:
    lead = add_lead(cli, "--last-name", "Orphan", "--owner", "anna@example.com")
    updated = cli("--json", "leads", "update", lead["id"], "--owner", "").json()
    assert updated["owner"] == "" and updated["owner_id"] is None
    listed = cli("--json", "leads", "list", "--owner", "none").json()
    assert [x["id"] for x in listed["leads"]] == [lead["id"]]


def test_leads_update_text_output(cli: Cli) -> None:
    lead = add_lead(cli, "--last-name", "Muster")
    result = cli("leads", "update", lead["id"], "--city", "Köln")
    assert result.code == 0
    assert result.out.startswith(f"Updated lead {lead['id']}") and "Köln" in result.out


def test_leads_update_errors(cli: Cli) -> None:
    lead = add_lead(cli, "--last-name", "Muster", "--company", "Old")
    nothing = cli("leads", "update", lead["id"])
    assert nothing.code == 2 and "nothing to change" in nothing.err
    bad = cli("--json", "leads", "update", lead["id"], "--company", "New", "--email", "bad@")
    assert bad.code == 2 and "email" in bad.error_json()["fields"]
    missing = cli("leads", "update", str(uuid.uuid4()), "--company", "New")
    assert missing.code == 1 and "No lead with id" in missing.err
    assert cli("leads", "show", lead["id"], "--json").json()["company"] == "Old"


def test_leads_show_text_has_every_field_and_history(cli: Cli) -> None:
    lead = add_lead(cli, "--first-name", "Max", "--last-name", "Muster", "--phone",
                    "+49 30 1234567")
    assert cli("leads", "update", lead["id"], "--status", "prospect").code == 0
    result = cli("leads", "show", lead["id"])
    assert result.code == 0
    for spec in LEAD_FIELDS:
        assert spec.label in result.out
    assert "+49 30 1234567 (+49301234567)" in result.out
    history = result.out.split("History", 1)[1]
    assert "Status: Inquiry → Prospect" in history and "Created" in history
    assert history.index("Status") < history.index("Created"), "newest first"


def test_leads_show_json_has_history(cli: Cli) -> None:
    lead = add_lead(cli, "--last-name", "Muster")
    shown = cli("leads", "show", lead["id"], "--json").json()
    assert {k: v for k, v in shown.items() if k != "history"} == lead
    assert [h["kind"] for h in shown["history"]] == ["owner_changed", "created"]
    assert shown["history"][0]["text"] == "no rule matched → catch-all queue Inbox"
    assert shown["history"][0]["lead_id"] == lead["id"]


@pytest.mark.parametrize("action", ["show", "delete", "restore"])
def test_unknown_lead_id_is_not_found(cli: Cli, action: str) -> None:
    result = cli("--json", "leads", action, str(uuid.uuid4()))
    assert result.code == 1
    assert result.err.startswith("error: ") and "lead with id" in result.err
    assert result.error_json()["fields"] == {}


@pytest.mark.parametrize("action", ["show", "update", "delete", "restore"])
def test_malformed_id_is_a_validation_error(cli: Cli, action: str) -> None:
    extra = ["--city", "X"] if action == "update" else []
    result = cli("--json", "leads", action, "not-an-id", *extra)
    assert result.code == 2
    assert "error: id: 'not-an-id' is not a valid id" in result.err
    assert result.error_json()["fields"] == {"id": "'not-an-id' is not a valid id"}


def test_leads_delete_and_restore(cli: Cli) -> None:
    lead = add_lead(cli, "--first-name", "Max", "--last-name", "Muster")
    other = add_lead(cli, "--last-name", "Stays")
    deleted = cli("leads", "delete", lead["id"])
    assert deleted.code == 0
    assert f"Deleted lead {lead['id']} (Max Muster)" in deleted.out
    assert "leads restore" in deleted.out
    listed = cli("leads", "list", "--json").json()
    assert [x["id"] for x in listed["leads"]] == [other["id"]] and listed["total"] == 1
    assert cli("leads", "show", lead["id"]).code == 1
    assert cli("leads", "delete", lead["id"]).code == 1, "already deleted"
    restored = cli("--json", "leads", "restore", lead["id"])
    assert restored.code == 0 and restored.json()["deleted_at"] is None
    assert cli("leads", "list", "--json").json()["total"] == 2
    assert cli("leads", "restore", lead["id"]).code == 1, "not deleted any more"
    history = cli("leads", "show", lead["id"], "--json").json()["history"]
    assert [h["kind"] for h in history] == ["restored", "deleted", "owner_changed", "created"]


def test_leads_delete_json_is_the_deleted_lead(cli: Cli) -> None:
    lead = add_lead(cli, "--last-name", "Gone")
    deleted = cli("--json", "leads", "delete", lead["id"]).json()
    assert deleted["id"] == lead["id"] and deleted["deleted_at"] is not None


# -- leads list and search --------------------------------------------------------------------
@pytest.fixture
def listed_leads(request: pytest.FixtureRequest, database_kind: str, db_location: str
                 ) -> dict[str, str]:
    """The world plus leads max (Anna's, at the fair, MQL, hot), eva (Ben's, SQL, warm),
    olga (orphan, won) and lia (orphan, lenient: needs review), added in that order."""
    if database_kind == "postgresql":  # the test's server database is a copy of the list's
        return request.getfixturevalue("server_worlds")["listed"][1]
    template, ids = request.getfixturevalue("templates")["listed"]
    shutil.copyfile(template, db_location)
    return ids


@pytest.fixture
def sqlite_file(database_kind: str, db_path: Path) -> Path:
    """The test database's file, for tests about SQLite files themselves."""
    if database_kind == "postgresql":
        pytest.skip("about the SQLite file itself: a server database has none")
    return db_path


def _ids(result: Run) -> list[str]:
    assert result.code == 0, result.err
    return [lead["id"] for lead in result.json()["leads"]]


@pytest.mark.parametrize(("filters", "expected"), [
    ([], {"max", "eva", "olga", "lia"}),
    (["--status", "mql"], {"max"}),
    (["--status", "mql", "--status", "sql"], {"max", "eva"}),
    (["--status", "MQL,Won"], {"max", "olga"}),
    (["--owner", "ANNA@example.com"], {"max"}),
    (["--owner", "none"], {"olga", "lia"}),
    (["--event", "hannover messe 2026"], {"max"}),
    (["--rating", "hot,warm"], {"max", "eva"}),
    (["--rating", "cold"], set()),
    (["--needs-review"], {"lia"}),
    (["--open"], {"max", "eva", "lia"}),
    (["--search", "retrofit"], {"eva"}),
    (["--search", "030 1234"], {"max"}),
    (["--open", "--owner", "none"], {"lia"}),
])
def test_leads_list_filters(cli: Cli, listed_leads: dict[str, str], filters: list[str],
                            expected: set[str]) -> None:
    result = cli("leads", "list", "--json", *filters)
    names = {name for name, lead_id in listed_leads.items() if lead_id in _ids(result)}
    assert names == expected
    assert result.json()["total"] == len(expected)


def test_leads_list_sort_limit_offset(cli: Cli, listed_leads: dict[str, str]) -> None:
    by_name = [listed_leads[n] for n in ("eva", "lia", "max", "olga")]  # Adler, Berg, Muster...
    assert _ids(cli("leads", "list", "--json", "--sort", "name")) == by_name
    assert _ids(cli("leads", "list", "--json", "--sort", "name", "--desc")) == by_name[::-1]
    page = cli("leads", "list", "--json", "--sort", "name", "--asc", "--limit", "2",
               "--offset", "1")
    assert _ids(page) == by_name[1:3] and page.json()["total"] == 4
    newest_first = [listed_leads[n] for n in ("lia", "olga", "eva", "max")]
    assert _ids(cli("leads", "list", "--json")) == newest_first


def test_leads_list_text_is_an_aligned_table(cli: Cli, listed_leads: dict[str, str]) -> None:
    result = cli("leads", "list", "--sort", "name", "--limit", "3")
    assert result.code == 0
    lines = result.out.splitlines()
    header, rows, footer = lines[0], lines[1:-1], lines[-1]
    assert header.split() == ["ID", "NAME", "COMPANY", "EMAIL", "STATUS", "RATING", "OWNER",
                              "EVENT", "NEXT", "DUE"]
    assert footer == "showing 3 of 4 leads"
    assert len(rows) == 3
    status_column = header.index("STATUS")
    assert [row[status_column:].split()[0] for row in rows] == ["SQL", "Inquiry", "MQL"]
    assert rows[0].startswith(listed_leads["eva"])
    assert "(unassigned)" in rows[1]


@pytest.mark.parametrize(("args", "field"), [
    (["--owner", "ghost@example.com"], "owner"),
    (["--event", "Atlantis Expo"], "event"),
    (["--status", "maybe"], "status"),
    (["--rating", "lukewarm"], "rating"),
])
def test_leads_list_bad_filters_name_the_field(cli: Cli, args: list[str], field: str) -> None:
    result = cli("leads", "list", "--json", *args)
    assert result.code == 2
    assert f"error: {field}: " in result.err
    assert field in result.error_json()["fields"]


@pytest.mark.parametrize("args", [["--limit", "0"], ["--offset", "-1"], ["--limit", "x"],
                                  ["--sort", "nope"], ["--asc", "--desc"]])
def test_leads_list_bad_paging_is_a_usage_error(cli: Cli, args: list[str]) -> None:
    result = cli("leads", "list", *args)
    assert result.code == 2 and "error:" in result.err


def test_leads_list_overdue(cli: Cli, listed_leads: dict[str, str], db_location: str) -> None:
    database, _outcome = open_database(database_location(db_location))
    try:
        with database.write() as session:  # next_due_at is kept by the task service
            for name, due in (("eva", "2020-01-01 08:00"), ("max", "2999-01-01 08:00")):
                session.execute(sa.update(Lead).where(Lead.id == uuid.UUID(listed_leads[name]))
                                .values(next_due_at=dt.datetime.fromisoformat(due + "+00:00")))
    finally:
        database.dispose()
    assert _ids(cli("leads", "list", "--overdue", "--json")) == [listed_leads["eva"]]
    text = cli("leads", "list", "--overdue").out
    assert "2020-01-01 08:00 UTC" in text
    eva = cli("leads", "show", listed_leads["eva"], "--json").json()
    assert eva["next_due_at"] == "2020-01-01T08:00:00+00:00"


@pytest.mark.parametrize(("text", "expected"), [
    (["muster"], {"max"}),
    (["acme", "industrial"], {"max"}),
    (["030", "1234"], {"max"}),
    (["+49 30 1234567"], {"max"}),
    (["zorn.example"], {"olga"}),
    (["retrofit"], {"eva"}),
    (["Ev"], {"eva"}),
    (["nothing-like-this"], set()),
])
def test_leads_search(cli: Cli, listed_leads: dict[str, str], text: list[str],
                      expected: set[str]) -> None:
    result = cli("leads", "search", *text, "--json")
    found = {name for name, lead_id in listed_leads.items() if lead_id in _ids(result)}
    assert found == expected
    assert result.json()["total"] == len(expected)


def test_leads_search_text_and_limit(cli: Cli, listed_leads: dict[str, str]) -> None:
    add_lead(cli, "--last-name", "Musterfrau")
    result = cli("leads", "search", "muster", "--limit", "1")
    assert result.code == 0
    assert result.out.splitlines()[-1] == "showing 1 of 2 leads"


# -- storage errors ---------------------------------------------------------------------------
def test_damaged_database_file_exits_1(cli: Cli, sqlite_file: Path) -> None:
    sqlite_file.write_bytes(b"this is not a database at all\n" * 100)
    result = cli("--json", "leads", "list")
    assert result.code == 1
    assert "damaged" in result.error_json()["error"]


def test_folder_as_database_exits_1(cli: Cli, tmp_path: Path) -> None:
    result = cli("--db", str(tmp_path), "leads", "list", db=False)
    assert result.code == 1 and "is a folder" in result.err


def test_foreign_sqlite_file_is_refused(cli: Cli, sqlite_file: Path) -> None:
    with sqlite3.connect(sqlite_file) as connection:
        connection.execute("CREATE TABLE invoices (n INTEGER)")
    result = cli("leads", "list")
    assert result.code == 1 and "not a Leadline database" in result.err


# -- end to end -------------------------------------------------------------------------------
def test_subprocess_add_lead_end_to_end(tmp_path: Path) -> None:
    db_file = tmp_path / "e2e.sqlite"
    completed = subprocess.run(
        [sys.executable, "main.py", "--db", str(db_file), "--json", "leads", "add",
         "--first-name", "Max", "--last-name", "Muster", "--email", "max@example.com",
         "--phone", "+49 30 1234567", "--badge-id", "B-1"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert completed.returncode == 0, completed.stderr
    lead = json.loads(completed.stdout)
    assert lead["badge_id"] == "B-1" and lead["phone_e164"] == "+49301234567"
    assert lead["owner"] == "" and lead["owner_id"] is None
    failed = subprocess.run(
        [sys.executable, "main.py", "--db", str(db_file), "leads", "show", lead["id"][:-1]],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert failed.returncode == 2 and failed.stderr.startswith("error: id: ")


# -- demo -------------------------------------------------------------------------------------
def test_demo_generates_leads(cli: Cli) -> None:
    pytest.importorskip("app.services.demo_service")
    result = cli("--json", "demo", "--leads", "12", "--seed", "3")
    assert result.code == 0, result.err
    summary = result.json()
    assert summary["leads"] == 12
    assert {"events", "users", "tasks", "activities", "seconds"} <= set(summary)
    assert cli("leads", "list", "--json").json()["total"] == 12
    text = cli("demo", "--leads", "5", "--seed", "3")
    assert text.code == 0 and "%" in text.err and "5 leads" in text.out


@dataclasses.dataclass(frozen=True)
class FakeSummary:
    leads: int
    events: int = 0
    users: int = 0
    tasks: int = 0
    activities: int = 0
    seconds: float = 0.25


def _fake_demo_module(interrupt_at: int | None, hard: bool = False) -> types.ModuleType:
    """A stand-in DemoService that really creates leads and can press Ctrl+C itself."""
    from app.services.lead_service import LeadService

    class FakeDemoService:
        def __init__(self, context: Any) -> None:
            self.leads = LeadService(context)

        def generate(self, leads: int, *, seed: int = 1,
                     progress: Callable[[int, int], None] | None = None,
                     cancelled: Callable[[], bool] | None = None) -> FakeSummary:
            for done in range(leads):
                if cancelled is not None and cancelled():
                    return FakeSummary(leads=done)
                self.leads.create({"last_name": f"Demo {seed}-{done}"})
                if progress is not None:
                    progress(done + 1, leads)
                if interrupt_at is not None and done + 1 == interrupt_at:
                    signal.raise_signal(signal.SIGINT)
                    if hard:
                        signal.raise_signal(signal.SIGINT)
            return FakeSummary(leads=leads)

    module = types.ModuleType("app.services.demo_service")
    module.DemoService = FakeDemoService  # type: ignore[attr-defined]
    return module


def test_demo_progress_and_summary_with_stand_in(
        cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "app.services.demo_service", _fake_demo_module(None))
    result = cli("demo", "--leads", "20")
    assert result.code == 0, result.err
    assert "demo:  50% (10 of 20 leads)" in result.err
    assert "demo: 100% (20 of 20 leads)" in result.err
    assert "20 leads" in result.out
    quiet = cli("demo", "--leads", "3", "--json")
    assert quiet.code == 0 and "%" not in quiet.err
    assert quiet.json() == dataclasses.asdict(FakeSummary(leads=3))


def test_demo_ctrl_c_cancels_cleanly_and_keeps_generated_leads(
        cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "app.services.demo_service", _fake_demo_module(7))
    previous = signal.getsignal(signal.SIGINT)
    result = cli("demo", "--leads", "50")
    assert result.code == 130
    assert "7 demo leads were kept" in result.err
    assert signal.getsignal(signal.SIGINT) is previous, "Ctrl+C handling restored"
    assert cli("leads", "list", "--json").json()["total"] == 7


def test_demo_second_ctrl_c_stops_at_once(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "app.services.demo_service",
                        _fake_demo_module(4, hard=True))
    result = cli("--json", "demo", "--leads", "50")
    assert result.code == 130
    assert "4 demo leads were kept" in result.err
    assert result.json() == {"cancelled": True, "leads": 4}


def test_lead_json_covers_every_record_attribute() -> None:
    """lead_to_dict leaves no LeadRecord attribute out (aliases appear under the field name)."""
    from app.domain.serialise import lead_to_dict

    record = LeadRecord(id=uuid.uuid4(), owner_email="a@example.com", event_name="Fair",
                        team_name="North", queue_name="Inbox")
    data = lead_to_dict(record)
    aliases = {"owner_email": "owner", "event_name": "event", "team_name": "team",
               "queue_name": "queue"}
    for field in dataclasses.fields(LeadRecord):
        assert aliases.get(field.name, field.name) in data, field.name
    assert (data["owner"], data["event"], data["team"], data["queue"]) == (
        "a@example.com", "Fair", "North", "Inbox")
    json.dumps(data)


def test_demo_without_the_generator_module(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "app.services.demo_service", None)  # import fails
    result = cli("demo", "--leads", "5")
    assert result.code == 1 and "not part of this build" in result.err
    assert cli("leads", "list").code == 0, "the rest of the CLI works without it"


def test_version(cli: Cli) -> None:
    result = cli("--version", db=False)
    assert result.code == 0 and result.out.startswith("Leadline ")
