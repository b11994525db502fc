"""Issue 17 item 7: one bad scanner line is that line's `error` result; the stream goes on.
Refused import files exit 2 (invalid input), as the README promises."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from app.bootstrap import main

pytestmark = pytest.mark.both_databases

GOOD = b'"000123\\r"\n'


def _scan(capsys: Any, monkeypatch: Any, db_location: str, stdin: bytes) -> tuple[int, list[dict[str, Any]]]:
    # Standard input as the terminal gives it: UTF-8, strict.
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8",
                                                      errors="strict", newline=None))
    code = main(["--db", db_location, "scan", "--event", "Hannover Messe 2026"])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    return code, lines


@pytest.fixture
def event(db_location: str, capsys: Any) -> None:
    assert main(["--db", db_location, "events", "add", "Hannover Messe 2026"]) == 0
    capsys.readouterr()


@pytest.mark.parametrize("bad", [
    b'"M\xfcller\\r"\n',  # Latin-1 byte: not UTF-8
    b'"\\udcfc\\r"\n',  # a lone surrogate written as a JSON escape
    b"[" * 100_000 + b"]" * 100_000 + b"\n",  # nesting deeper than any parser's stack
])
def test_a_bad_line_is_its_own_error_and_the_stream_goes_on(
        capsys: Any, monkeypatch: Any, db_location: str, event: None, bad: bytes) -> None:
    code, results = _scan(capsys, monkeypatch, db_location, b'"000122\\r"\n' + bad + GOOD)
    assert [r["line"] for r in results] == [1, 2, 3]
    assert [r["status"] for r in results] == ["created", "error", "created"]
    assert results[1]["reason"]
    assert code == 2, "a line that was not a JSON string makes the exit code 2"


def test_a_refused_import_file_exits_2(capsys: Any, db_location: str, tmp_path: Path) -> None:
    empty = tmp_path / "leads.csv"
    empty.write_bytes(b"")
    assert main(["--db", db_location, "import", str(empty)]) == 2
    assert "leads.csv is empty" in capsys.readouterr().err
    missing = tmp_path / "nowhere.csv"
    assert main(["--db", db_location, "import", str(missing)]) == 2

