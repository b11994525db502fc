"""--db and $LEADLINE_DB name a database file or a team server; a URL Leadline cannot open is
refused, never taken as a file name (which would create an empty database in a folder named after
the scheme), and a server address never holds a password."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.bootstrap import main
from app.paths import (
    DatabaseLocationError,
    ServerAddress,
    database_location,
    database_path,
    default_db_path,
)


@pytest.mark.parametrize(("given", "expected"), [
    ("leads.sqlite", Path("leads.sqlite")),
    ("/data/team/leads.sqlite", Path("/data/team/leads.sqlite")),
    ("sqlite:///leads.sqlite", Path("leads.sqlite")),
    ("sqlite:////data/team/leads.sqlite", Path("/data/team/leads.sqlite")),
    ("sqlite:////data/My%20Leads/leads.sqlite", Path("/data/My Leads/leads.sqlite")),
    ("C:\\Users\\ann\\leads.sqlite", Path("C:\\Users\\ann\\leads.sqlite")),
])
def test_paths_and_sqlite_urls_name_the_file(given: str, expected: Path) -> None:
    assert database_path(given) == expected


@pytest.mark.parametrize(("given", "expected"), [
    ("postgresql+psycopg://leadline@db.example/team",
     "postgresql+psycopg://leadline@db.example/team"),
    ("postgresql://anna@db.example:5433/team", "postgresql+psycopg://anna@db.example:5433/team"),
    ("postgres://db/team", "postgresql+psycopg://db/team"),
    ("postgresql:///?service=team", "postgresql+psycopg:///?service=team"),
])
def test_server_urls_name_a_team_server_for_psycopg(given: str, expected: str) -> None:
    location = database_location(given)
    assert isinstance(location, ServerAddress) and location.url == expected
    with pytest.raises(DatabaseLocationError, match="team server"):
        database_path(given)  # the commands that need a file say so


@pytest.mark.parametrize(("url", "problem"), [
    ("postgresql://anna:secret@db.example/team", "password"),
    ("postgresql://anna@db.example/team?password=secret", "password"),
    ("postgresql://anna@db.example", "names no database"),
])
def test_a_password_or_a_missing_database_in_a_server_url_is_refused(url: str,
                                                                     problem: str) -> None:
    with pytest.raises(DatabaseLocationError) as refused:
        database_location(url)
    assert problem in str(refused.value) and "secret" not in str(refused.value)


@pytest.mark.parametrize("url", [
    "mysql://db/team", "https://example.com/leads.sqlite", "mssql+pyodbc://db/team"])
def test_other_urls_are_refused_naming_what_works(url: str) -> None:
    with pytest.raises(DatabaseLocationError) as refused:
        database_location(url)
    message = str(refused.value)
    assert url.split("://")[0] in message and "sqlite:///PATH" in message
    assert "postgresql+psycopg://" in message


def test_an_unreachable_server_is_a_clear_error_and_creates_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    missing_socket = tmp_path / "no-server-here"
    code = main(["--db", f"postgresql+psycopg://leadline@/team?host={missing_socket}", "--json",
                 "leads", "list"])
    captured = capsys.readouterr()
    assert code == 1 and captured.out == ""
    error = json.loads(captured.err.strip().splitlines()[-1])
    assert "cannot be reached" in error["error"]
    assert list(tmp_path.iterdir()) == []


def test_a_url_in_the_environment_is_refused_too(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LEADLINE_DB", "mysql://db/team")
    with pytest.raises(DatabaseLocationError):
        default_db_path()
    assert main(["leads", "list"]) == 2
    assert "$LEADLINE_DB" in capsys.readouterr().err
    assert main([]) == 2  # the window is not opened either
    assert "$LEADLINE_DB" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
