"""``migrate-to URL``: the command line of the move to a team server (tests/storage has the copy)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from app.bootstrap import main
from tests.pg_server import create_database
from tests.unit.test_cli import Cli, Run


@pytest.fixture
def cli(db_path: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    def run(*args: str, db: bool = True) -> Run:
        code = main(["--db", str(db_path), *args] if db else list(args))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


@pytest.fixture
def service(postgres_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """An empty server database named only by a libpq service (no host, user or password in
    the address)."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    create_database(postgres_server, name)
    server = make_url(postgres_server)
    services = tmp_path / "pg_service.conf"
    services.write_text(f"[team]\nhost={server.query['host']}\nuser={server.username}\n"
                        f"dbname={name}\n", encoding="utf-8")
    monkeypatch.setenv("PGSERVICEFILE", str(services))
    return "postgresql:///?service=team"


@pytest.mark.postgresql
def test_migrate_to_copies_once_then_refuses(cli: Cli, service: str) -> None:
    assert cli("demo", "--leads", "40").code == 0

    first = cli("migrate-to", service)
    assert first.code == 0, first.err
    assert "40 leads" in first.out and "matches (row count and SHA-256)" in first.out
    assert "Next:" in first.out and "roles.sql" in first.out and "--db" in first.out

    again = cli("migrate-to", service, "--json")
    assert again.code == 1
    assert "already holds a Leadline database (40 leads" in again.error_json()["error"]


@pytest.mark.postgresql
def test_migrate_to_json_names_every_table(cli: Cli, service: str, db_path: Path) -> None:
    assert cli("demo", "--leads", "10").code == 0
    result = cli("migrate-to", service, "--json")
    assert result.code == 0, result.err
    data = result.json()
    assert data["source"] == str(db_path.resolve())
    assert {t["table"]: t["rows"] for t in data["tables"]}["lead"] == 10
    assert all(len(t["sha256"]) == 64 for t in data["tables"])
    assert result.err == ""  # no progress lines in JSON mode


def test_a_password_in_the_address_is_refused_and_never_printed(cli: Cli, db_path: Path) -> None:
    result = cli("migrate-to", "postgresql://anna:s3cret@db.example.com/leads")
    assert result.code == 2
    assert "~/.pgpass" in result.err
    assert "s3cret" not in result.out + result.err
    assert not db_path.exists(), "a refused address must not open or create the database"


def test_an_unreachable_server_is_a_plain_error(cli: Cli, tmp_path: Path) -> None:
    missing = tmp_path / "no-server-here"
    result = cli("migrate-to", f"postgresql://anna@/leads?host={missing}&connect_timeout=2")
    assert result.code == 1
    assert "Cannot reach the server" in result.err and "Nothing was copied" in result.err


def test_help_describes_the_command(cli: Cli) -> None:
    listed = cli("--help", db=False)
    assert "migrate-to" in listed.out
    result = cli("migrate-to", "--help", db=False)
    assert result.code == 0
    assert "empty PostgreSQL" in result.out and "pgpass" in result.out
