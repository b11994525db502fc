"""`scan` and `registrations import` from the command line: JSON Lines in, JSON Lines out."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from app.bootstrap import main

pytestmark = pytest.mark.both_databases


def run(capsys: Any, monkeypatch: Any, db_location: str, *args: str,
        stdin: str = "") -> tuple[int, list[dict[str, Any]], str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(["--db", db_location, *args])
    captured = capsys.readouterr()
    return code, _json_lines(captured.out), captured.err


def _json_lines(text: str) -> list[dict[str, Any]]:
    """One-line JSON results (scan); pretty-printed summaries are read with json.loads."""
    found = []
    for line in text.splitlines():
        try:
            value = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            found.append(value)
    return found


@pytest.fixture
def event(db_location: str, capsys: Any) -> str:
    assert main(["--db", db_location, "events", "add", "Hannover Messe 2026",
                 "--country", "DE"]) == 0
    capsys.readouterr()
    return "Hannover Messe 2026"


def test_scan_reads_json_lines_and_answers_one_line_each(
        capsys: Any, monkeypatch: Any, db_location: str, event: str) -> None:
    scans = [
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Müller;Anna\r\nEMAIL:anna@acme.de\r\nEND:VCARD\r\n",
        "000123\r",
        "000123\r",
        "MECARDÖNÖMüller,Anna;;\r",
    ]
    stdin = "".join(json.dumps(s) + "\n" for s in scans)
    code, results, _err = run(capsys, monkeypatch, db_location, "scan", "--event", event,
                              stdin=stdin)
    assert code == 0
    assert [r["status"] for r in results] == ["created", "created", "matched", "rejected"]
    assert results[0]["lead"]["last_name"] == "Müller"
    assert results[0]["lead"]["event"] == event
    assert results[1]["lead"]["badge_id"] == "000123"
    assert results[2]["lead"]["id"] == results[1]["lead"]["id"]
    assert results[3]["lead"] is None and "keyboard" in results[3]["reason"].lower()


def test_scan_lines_that_are_not_json_strings_are_errors(
        capsys: Any, monkeypatch: Any, db_location: str, event: str) -> None:
    code, results, _err = run(capsys, monkeypatch, db_location, "scan", "--event", event,
                              stdin='{"not": "a string"}\nnot json\n"000999\\r"\n')
    assert code == 2
    assert [r["status"] for r in results] == ["error", "error", "created"]


def test_scan_at_an_unknown_event_fails(capsys: Any, monkeypatch: Any, db_location: str) -> None:
    code, _results, err = run(capsys, monkeypatch, db_location, "scan", "--event", "Nope",
                              stdin='"1234\\r"\n')
    assert code == 1 and "Nope" in err


def test_registrations_import_then_id_scans_resolve(capsys: Any, monkeypatch: Any,
                                                    db_location: str, event: str,
                                                    tmp_path: Path) -> None:
    export = tmp_path / "attendees.csv"
    export.write_text("Badge ID,First Name,Last Name,Company\n000042,Zoë,Ng,Acme\n",
                      encoding="utf-8-sig")
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["--db", db_location, "--json", "registrations", "import", str(export),
                 "--event", event]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["added"], summary["columns"]["badge_id"]) == (1, "Badge ID")
    code, results, _err = run(capsys, monkeypatch, db_location, "scan", "--event", event,
                              stdin='"000042\\r"\n')
    assert results[0]["registered"] is True
    assert results[0]["lead"]["first_name"] == "Zoë"


def test_registrations_import_of_a_file_without_badge_ids_explains(
        capsys: Any, monkeypatch: Any, db_location: str, event: str, tmp_path: Path) -> None:
    export = tmp_path / "wrong.csv"
    export.write_text("Name,Email\nAnna,anna@acme.de\n", encoding="utf-8")
    code, _results, err = run(capsys, monkeypatch, db_location, "registrations", "import",
                              str(export), "--event", event)
    assert code == 2 and "badge id column" in err, "a refused file is invalid input"
