"""The one clock: $LEADLINE_NOW fixes it for scripted runs; a malformed value is a usage error."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from app.bootstrap import main
from app.clock import NOW_ENV_VAR, ClockSettingError, fixed_instant, utc_now
from tests.conftest import FakeClock


def test_environment_fixes_the_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(NOW_ENV_VAR, "2031-02-03T04:05:06+02:00")
    assert utc_now() == dt.datetime(2031, 2, 3, 2, 5, 6, tzinfo=dt.UTC)
    monkeypatch.setenv(NOW_ENV_VAR, "2031-02-03")
    assert utc_now() == dt.datetime(2031, 2, 3, tzinfo=dt.UTC), "a bare date is midnight UTC"


def test_without_the_variable_the_clock_is_the_systems(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(NOW_ENV_VAR)
    before = dt.datetime.now(dt.UTC)
    assert before <= utc_now() <= dt.datetime.now(dt.UTC)


def test_a_malformed_value_names_the_variable() -> None:
    with pytest.raises(ClockSettingError, match="LEADLINE_NOW='next tuesday'"):
        fixed_instant("next tuesday")


def test_the_test_clock_reaches_the_command_line(clock: FakeClock, db_path: Path,
                                                 capsys: Any,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A CLI call inside a test sees the fixture's instant, also after the test moves it."""
    clock.advance(days=400)
    assert main(["--db", str(db_path), "--json", "events", "add", "Later Fair",
                 "--starts", "2027-12-01"]) == 0
    capsys.readouterr()
    assert utc_now() == clock.now
    monkeypatch.setenv(NOW_ENV_VAR, "soon")
    assert main(["--db", str(db_path), "--json", "events", "list"]) == 2
    error_lines = capsys.readouterr().err.splitlines()
    assert "LEADLINE_NOW" in json.loads(error_lines[-1])["error"]
