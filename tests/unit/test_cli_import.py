"""`import FILE …` and `import undo BATCH` from the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.bootstrap import main

pytestmark = pytest.mark.both_databases

CSV = ("First Name,Last Name,Email,Phone,Country\n"
       "Anna,Müller,anna@acme.de,0511 123456,DE\n"
       "Ben,Booth,ben@booth.de,,DE\n"
       ",,,,\n"
       "Anna,Müller,ANNA@acme.de,,DE\n"
       ",,nobody-here,,\n")


def cli(capsys: Any, location: str, *args: str) -> tuple[int, str, str]:
    code = main(["--db", location, *args])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def export(tmp_path: Path, db_location: str, capsys: Any) -> Path:
    assert cli(capsys, db_location, "events", "add", "Hannover Messe 2026", "--country", "DE")[0] == 0
    path = tmp_path / "leads.csv"
    path.write_text(CSV, encoding="utf-8-sig")
    return path


def test_dry_run_counts_and_writes_nothing(capsys: Any, db_location: str, export: Path) -> None:
    code, out, _ = cli(capsys, db_location, "--json", "import", str(export), "--event",
                       "Hannover Messe 2026", "--dry-run")
    result = json.loads(out)
    assert code == 0 and result["dry_run"] and result["batch_id"] is None
    assert (result["read"], result["created"], result["duplicates"], result["rejected"]) == (
        4, 2, 1, 1)
    assert result["rejected_rows"][0]["row"] == 6
    code, out, _ = cli(capsys, db_location, "--json", "leads", "list")
    assert json.loads(out)["total"] == 0


def test_import_then_undo(capsys: Any, db_location: str, export: Path) -> None:
    code, out, _ = cli(capsys, db_location, "--json", "import", str(export), "--event",
                       "Hannover Messe 2026", "--on-duplicate", "create")
    result = json.loads(out)
    assert code == 0 and result["created"] == 3 and result["batch_id"]
    assert json.loads(cli(capsys, db_location, "--json", "leads", "list")[1])["total"] == 3
    code, out, _ = cli(capsys, db_location, "--json", "import", "undo", result["batch_id"])
    assert code == 0 and json.loads(out)["removed"] == 3
    assert json.loads(cli(capsys, db_location, "--json", "leads", "list")[1])["total"] == 0
    code, _out, err = cli(capsys, db_location, "import", "undo", result["batch_id"])
    assert code == 1 and "already undone" in err


def test_import_errors_exit_non_zero(capsys: Any, db_location: str, export: Path,
                                     tmp_path: Path) -> None:
    code, _out, err = cli(capsys, db_location, "import", str(tmp_path / "missing.csv"))
    assert code == 2 and "missing.csv" in err, "a file that cannot be imported is invalid input"
    code, _out, err = cli(capsys, db_location, "import", str(export), "--event", "Nope")
    assert code == 1 and "Nope" in err
    code, _out, err = cli(capsys, db_location, "import", str(export), "--mapping", "Unknown")
    assert code == 1 and "Unknown" in err
    code, _out, err = cli(capsys, db_location, "import", "undo", "not-an-id")
    assert code == 2
