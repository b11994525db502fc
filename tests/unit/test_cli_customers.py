"""`customers import FILE`, `customers review|confirm|reject|undo` from the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.bootstrap import main

pytestmark = pytest.mark.both_databases

CSV = ("Rechnungsnummer;Rechnungsdatum;Firma;E-Mail;Betrag\n"
       "R-1;01.12.2026;Schmidt AG;k.schmidt@schmidt-ag.de;1.000,00\n"
       "R-2;02.12.2026;Schmitt AG;;500,00\n"
       "R-3;;Acme GmbH;;1,00\n")


def cli(capsys: Any, location: str, *args: str) -> tuple[int, str, str]:
    code = main(["--db", location, *args])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def orders(tmp_path: Path, db_location: str, capsys: Any) -> Path:
    code, _out, _err = cli(capsys, db_location, "leads", "add", "--last-name", "Schmidt",
                           "--company", "Schmidt AG", "--email", "k.schmidt@schmidt-ag.de")
    assert code == 0
    path = tmp_path / "rechnungen.csv"
    path.write_text(CSV, encoding="cp1252")
    return path


def test_dry_run_names_rejected_rows_and_writes_nothing(capsys: Any, db_location: str,
                                                        orders: Path) -> None:
    code, out, err = cli(capsys, db_location, "customers", "import", str(orders), "--dry-run")
    assert code == 0, "rejected rows are named, as by `import`; the rest is imported"
    assert "row 4: the order date is missing" in err
    assert "3 rows read: 1 order matched to a lead, 1 to review" in out
    code, out, _ = cli(capsys, db_location, "customers", "review", "--json")
    assert code == 0 and json.loads(out) == {"orders": []}


def test_import_review_confirm_reject_and_undo(capsys: Any, db_location: str,
                                              orders: Path) -> None:
    code, out, _ = cli(capsys, db_location, "customers", "import", str(orders), "--json")
    result = json.loads(out)
    assert code == 0 and (result["created"], result["leads_won"]) == (2, 1)
    assert result["rejected"] == [{"row": 4, "reason": "the order date is missing"}]
    code, out, _ = cli(capsys, db_location, "customers", "review", "--json")
    (suggested,) = json.loads(out)["orders"]
    assert suggested["order_number"] == "R-2" and suggested["lead_label"] == "Schmidt AG (Schmidt)"
    code, out, _ = cli(capsys, db_location, "customers", "reject", suggested["id"])
    assert code == 0 and "suggestion rejected" in out
    code, out, _ = cli(capsys, db_location, "customers", "confirm", suggested["id"],
                       suggested["lead_id"])
    assert code == 0 and "500.00 EUR" in out and "credited to Schmidt AG" in out
    code, out, _ = cli(capsys, db_location, "--json", "leads", "list", "--status", "won")
    assert json.loads(out)["total"] == 1
    code, out, _ = cli(capsys, db_location, "customers", "undo", result["batch_id"])
    assert code == 0 and "2 orders removed" in out
    code, _out, err = cli(capsys, db_location, "customers", "undo", result["batch_id"])
    assert code == 1 and "already undone" in err


def test_mapping_options_and_errors(capsys: Any, db_location: str, orders: Path) -> None:
    code, _out, err = cli(capsys, db_location, "customers", "import", str(orders), "--map",
                          "colour=Firma")
    assert code == 2 and "FIELD=HEADER" in err
    code, _out, err = cli(capsys, db_location, "customers", "import", str(orders), "--map",
                          "order_date=", "--dry-run")
    assert code == 2 and "Order date" in err
    code, out, _ = cli(capsys, db_location, "customers", "import", str(orders), "--map",
                       "company=E-Mail", "--map", "email=", "--dry-run", "--json")
    assert json.loads(out)["mapping"]["company"] == "E-Mail"
    code, _out, err = cli(capsys, db_location, "customers", "confirm", "nope", "x")
    assert code == 2 and "not a valid id" in err
    code, _out, err = cli(capsys, db_location, "customers", "reject",
                          "00000000-0000-0000-0000-000000000001")
    assert code == 1 and "No customer order" in err
