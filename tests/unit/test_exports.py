"""Lead exports in every format: everything, or only people a marketing tool may contact."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import vobject

from app.bootstrap import main
from app.domain.exports import ExportFormat, ExportPurpose
from app.domain.leads import LeadQuery
from app.services.container import Services
from app.services.export_service import ExportCancelledError

pytestmark = pytest.mark.both_databases


@pytest.fixture
def mixed(services: Services) -> None:
    granted = {"consent": "granted", "consent_text": "Yes, send me news"}
    services.leads.create({"first_name": "Ok", "last_name": "One", "email": "ok@fine.example",
                           **granted})
    services.leads.create({"first_name": "No", "last_name": "Consent",
                           "email": "nc@fine.example"})
    services.leads.create({"first_name": "Opted", "last_name": "Out",
                           "email": "out@fine.example", **granted})
    services.leads.create({"first_name": "Rival", "last_name": "Spy",
                           "email": "spy@rival.example", **granted})
    services.leads.create({"first_name": "Phone", "last_name": "Only", "phone": "+49 30 1234567",
                           **granted})
    services.leads.create({"first_name": "Flagged", "last_name": "Dnc",
                           "email": "dnc@fine.example", "do_not_contact": True, **granted})
    services.suppressions.add("email", "out@fine.example", "opted_out")
    services.suppressions.add("domain", "rival.example", "competitor")


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_marketing_export_respects_consent_and_suppression(services: Services, mixed: None,
                                                           tmp_path: Path) -> None:
    result = services.exports.export_csv(LeadQuery(), tmp_path / "m.csv", ExportPurpose.MARKETING)
    rows = _rows(result.path)
    assert [r["email"] for r in rows] == ["ok@fine.example"]
    assert result.excluded == {"do not contact": 3, "no marketing consent": 1, "no email": 1}
    everything = services.exports.export_csv(LeadQuery(), tmp_path / "a.csv")
    assert everything.written == 6 and len(_rows(everything.path)) == 6
    assert "owner" in _rows(everything.path)[0]


def test_the_list_is_checked_at_export_even_if_the_flag_was_cleared(
        services: Services, tmp_path: Path) -> None:
    lead = services.leads.create({"last_name": "Late", "email": "late@fine.example",
                                  "consent": "granted", "consent_text": "ok"})
    services.suppressions.add("email", "late@fine.example", "bounced")
    assert services.leads.get(lead.id).do_not_contact
    services.leads.update(lead.id, {"do_not_contact": False})  # someone unticked it
    result = services.exports.export_csv(LeadQuery(), tmp_path / "m.csv", ExportPurpose.MARKETING)
    assert result.written == 0 and result.excluded == {"on the suppression list": 1}


def test_empty_and_cancelled_exports(services: Services, tmp_path: Path) -> None:
    empty = services.exports.export_csv(LeadQuery(), tmp_path / "e.csv", ExportPurpose.MARKETING)
    assert empty.written == 0 and _rows(empty.path) == []
    assert empty.path.read_text(encoding="utf-8-sig").startswith("email,first_name")
    services.leads.create({"last_name": "Someone"})
    target = tmp_path / "c.csv"
    target.write_text("previous export")
    with pytest.raises(ExportCancelledError):
        services.exports.export_csv(LeadQuery(), target, cancelled=lambda: True)
    assert target.read_text() == "previous export"  # untouched, no partial file left
    assert not list(tmp_path.glob("*.partial"))


def test_export_cli(services: Services, mixed: None, db_location: str, tmp_path: Path,
                    capsys: Any) -> None:
    out = tmp_path / "news.csv"
    assert main(["--db", db_location, "--json", "leads", "export", str(out),
                 "--for", "marketing"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["written"] == 1 and summary["excluded"]["do not contact"] == 3
    assert main(["--db", db_location, "leads", "export", str(tmp_path / "x.csv"),
                 "--for", "nobody"]) == 2
    assert main(["--db", db_location, "leads", "export",
                 str(tmp_path / "missing-dir" / "x.csv")]) == 1
    assert "Cannot write" in capsys.readouterr().err


def _emails(path: Path, fmt: ExportFormat) -> list[str]:
    """The email column of any export, read back with the format's own reader."""
    if fmt is ExportFormat.XLSX:
        # read_only keeps the file open until close(); an unclosed handle surfaces later as
        # a ResourceWarning inside whichever test the garbage collector happens to run in.
        workbook = openpyxl.load_workbook(path, read_only=True)
        try:
            rows = list(workbook.active.values)
        finally:
            workbook.close()
        column = rows[0].index("email")
        return [r[column] for r in rows[1:]]
    if fmt is ExportFormat.VCARD:
        cards = vobject.readComponents(path.read_text(encoding="utf-8"))
        return [c.email.value if "email" in c.contents else "" for c in cards]
    key = {ExportFormat.SALESFORCE: "Email", ExportFormat.HUBSPOT: "Email"}.get(fmt, "email")
    return [r[key] for r in _rows(path)]


@pytest.mark.parametrize("fmt", list(ExportFormat))
def test_every_format_leaves_out_the_suppressed_for_marketing(
        services: Services, mixed: None, tmp_path: Path, fmt: ExportFormat) -> None:
    path = tmp_path / f"m{fmt.suffix}"
    result = services.exports.export(LeadQuery(), path, fmt, ExportPurpose.MARKETING)
    assert result.written == 1 and _emails(path, fmt) == ["ok@fine.example"]
    assert result.excluded == {"do not contact": 3, "no marketing consent": 1, "no email": 1}
    everyone = services.exports.export(LeadQuery(), path, fmt)
    assert everyone.written == 6 and everyone.excluded == {}
    assert sorted(e or "" for e in _emails(path, fmt)) == sorted(
        ["", "dnc@fine.example", "nc@fine.example", "ok@fine.example", "out@fine.example",
         "spy@rival.example"])


def test_formulas_are_neutralised_and_phones_kept(services: Services, tmp_path: Path) -> None:
    services.leads.create({"first_name": "=cmd|'/C calc'!A0", "last_name": "@SUM(A1)",
                           "company": "+SUM(1)", "phone": "+49 30 1234567"})
    csv_rows = _rows(services.exports.export(LeadQuery(), tmp_path / "a.csv").path)
    assert csv_rows[0]["first_name"] == "'=cmd|'/C calc'!A0"
    assert csv_rows[0]["last_name"] == "'@SUM(A1)" and csv_rows[0]["company"] == "'+SUM(1)"
    assert csv_rows[0]["phone"] == "+49 30 1234567" and csv_rows[0]["phone_e164"] == "+49301234567"
    path = services.exports.export(LeadQuery(), tmp_path / "a.xlsx", ExportFormat.XLSX).path
    sheet = openpyxl.load_workbook(path).active
    header = [c.value for c in sheet[1]]
    row = {h: c for h, c in zip(header, sheet[2], strict=True)}
    assert row["first_name"].value == "=cmd|'/C calc'!A0" and row["first_name"].data_type == "s"
    assert row["first_name"].quotePrefix, "a text cell, kept text when edited"
    assert row["phone"].value == "+49 30 1234567" and row["phone"].data_type == "s"
    assert row["id"].data_type == "s" and row["id"].number_format == "@"
    sf = _rows(services.exports.export(LeadQuery(), tmp_path / "s.csv",
                                       ExportFormat.SALESFORCE).path)
    assert sf[0]["FirstName"] == "'=cmd|'/C calc'!A0" and sf[0]["Phone"] == "+49301234567"


def test_a_cancelled_workbook_leaves_nothing(services: Services, tmp_path: Path) -> None:
    services.leads.create({"last_name": "Someone"})
    with pytest.raises(ExportCancelledError):
        services.exports.export(LeadQuery(), tmp_path / "c.xlsx", ExportFormat.XLSX,
                                cancelled=lambda: True)
    assert not list(tmp_path.glob("c.xlsx*"))


def test_export_command(services: Services, mixed: None, db_location: str, tmp_path: Path,
                        capsys: Any) -> None:
    run = lambda *args: main(["--db", db_location, *args])  # noqa: E731
    capsys.readouterr()
    out = tmp_path / "news.xlsx"
    assert run("--json", "export", "--format", "xlsx", "--out", str(out),
               "--for", "marketing", "--search", "fine.example") == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary == {"file": str(out), "written": 1,
                       "excluded": {"do not contact": 2, "no marketing consent": 1}}
    assert run("export", "--format", "hubspot", "--out", str(tmp_path / "h.csv")) == 0
    assert "Wrote 6 leads" in capsys.readouterr().out
    assert run("export", "--format", "pdf", "--out", str(tmp_path / "x.pdf")) == 2
    assert run("export", "--format", "csv", "--out", str(tmp_path / "no-dir" / "x.csv")) == 1
    assert "Cannot write" in capsys.readouterr().err
    assert run("export", "--format", "csv", "--out", str(tmp_path / "o.csv"),
               "--owner", "nobody@example.com") == 2, "--owner filters leads, as in leads list"
    assert run("export", "--format", "ics", "--out", str(tmp_path / "t.ics")) == 2, "needs --owner"
    services.people.add_user("Anna Weber", "anna@example.com", "rep")
    assert run("--json", "export", "--format", "ics", "--out", str(tmp_path / "t.ics"),
               "--owner", "anna@example.com") == 0
    assert json.loads(capsys.readouterr().out)["file"] == str(tmp_path / "t.ics")
    assert (tmp_path / "t.ics").read_bytes().startswith(b"BEGIN:VCALENDAR")
    assert run("export", "--format", "ics", "--out", str(tmp_path / "t.ics"),
               "--owner", "anna@example.com", "--for", "marketing") == 2, "tasks take no --for"
