"""--db and $LEADLINE_DB name a database file; a URL Leadline cannot open is refused, never
taken as a file name (which would create an empty database in a folder named after the scheme)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.bootstrap import main
from app.paths import DatabaseLocationError, database_path, default_db_path


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


@pytest.mark.parametrize("url", [
    "postgresql+psycopg://leadline@db.example/team", "postgresql://db/team",
    "postgres://db/team", "mysql://db/team", "https://example.com/leads.sqlite"])
def test_other_urls_are_refused_naming_what_works(url: str) -> None:
    with pytest.raises(DatabaseLocationError) as refused:
        database_path(url)
    message = str(refused.value)
    assert url.split("://")[0] in message and "sqlite:///PATH" in message


def test_the_cli_refuses_a_server_url_and_creates_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    code = main(["--db", "postgresql+psycopg://leadline@db.example/team", "--json", "leads", "list"])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    error = json.loads(captured.err.strip().splitlines()[-1])
    assert "PostgreSQL server address" in error["error"]
    assert list(tmp_path.iterdir()) == []


def test_a_url_in_the_environment_is_refused_too(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LEADLINE_DB", "postgresql://db/team")
    with pytest.raises(DatabaseLocationError):
        default_db_path()
    assert main(["leads", "list"]) == 2
    assert "$LEADLINE_DB" in capsys.readouterr().err
    assert main([]) == 2  # the window is not opened either
    assert "$LEADLINE_DB" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
