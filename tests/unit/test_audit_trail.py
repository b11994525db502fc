"""The audit trail: entries recorded with who, when, what and how many, read newest first,
exported as CSV, listed by `main.py audit`, and synced to the other laptops like history."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from app.domain.audit import AuditAction
from app.domain.errors import LeadlineError
from app.domain.exports import ExportFormat
from app.domain.imports import DuplicatePolicy
from app.domain.leads import LeadQuery
from app.domain.people import Role
from app.services.container import Services
from tests.conftest import FIXED_NOW, CliRun, FakeClock
from tests.sync_laptops import Laptop

pytestmark = pytest.mark.both_databases


def test_entries_name_who_when_what_and_how_many_newest_first(
        services: Services, clock: FakeClock) -> None:
    admin = services.people.add_user("Ada Admin", "ada@example.com", Role.ADMIN)
    services.people.sign_in(admin.id)
    services.audit.record(AuditAction.EXPORT, "CSV, all fields (leads.csv)", 1204)
    clock.advance(minutes=5)
    services.audit.record(AuditAction.ERASURE, "1 person on request", 1)

    entries = services.audit.entries()
    assert [(e.action, e.records, e.actor_name) for e in entries] == [
        (AuditAction.ERASURE, 1, "Ada Admin"), (AuditAction.EXPORT, 1204, "Ada Admin")]
    assert entries[1].occurred_at == FIXED_NOW and entries[1].what == "CSV, all fields (leads.csv)"
    assert services.audit.count(AuditAction.EXPORT) == 1


def test_the_trail_exports_as_csv_and_the_export_is_recorded(
        services: Services, tmp_path: Path) -> None:
    services.audit.record(AuditAction.REPORT, "Follow-up status (PDF)", 88)
    written = services.audit.export_csv(tmp_path / "audit.csv")
    with open(tmp_path / "audit.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert written == 1 and rows[0]["action"] == "report" and rows[0]["records"] == "88"
    assert services.audit.entries()[0].what == "audit trail to CSV (audit.csv)"


def test_cli_audit_lists_filters_and_writes_csv(cli: CliRun, services: Services,
                                                tmp_path: Path) -> None:
    services.audit.record(AuditAction.EXPORT, "vCard (cards.vcf)", 12)
    services.audit.record(AuditAction.PRINT, "lead list", 40)
    code, out, _ = cli("audit", "--json")
    assert code == 0
    found = json.loads(out)
    assert found["total"] == 2 and {e["action"] for e in found["entries"]} == {"export", "print"}
    code, out, _ = cli("audit", "--action", "print", "--json")
    assert [e["records"] for e in json.loads(out)["entries"]] == [40]
    code, out, _ = cli("audit")
    assert code == 0 and "vCard (cards.vcf)" in out and "2 audit entries" in out
    code, out, _ = cli("audit", "--csv", str(tmp_path / "trail.csv"), "--json")
    assert code == 0 and json.loads(out)["entries"] == 2
    code, _, err = cli("audit", "--action", "nonsense")
    assert code != 0 and "invalid choice" in err


def test_entries_reach_the_other_laptops(laptops: tuple[Laptop, Laptop], folder: Path,
                                         database_kind: str) -> None:
    if database_kind != "sqlite":
        pytest.skip("laptops sync their files; the server's own exchange is tested with the hub")
    a, b = laptops
    a.services.audit.record(AuditAction.REASSIGN_ALL, "routing rules re-applied", 312)
    a.sync(folder)
    b.sync(folder)
    assert [(e.action, e.records) for e in b.services.audit.entries()] == [
        (AuditAction.REASSIGN_ALL, 312)]


def test_undoing_an_import_and_erasing_a_person_are_recorded(services: Services,
                                                             tmp_path: Path) -> None:
    export = tmp_path / "hannover.csv"
    export.write_text("First Name,Last Name,Company,Email\nAnna,Berg,Nordwind AG,anna@nordwind.de\n"
                      "Ben,Ortiz,Kiln Co,ben@kiln.example\n", encoding="utf-8")
    table = services.imports.open(export)
    mapping, _ = services.imports.suggested_mapping(table)
    batch = services.imports.run(table, mapping, None, DuplicatePolicy.SKIP).batch_id
    assert batch is not None
    services.imports.undo(batch)
    entry = services.audit.entries()[0]
    assert (entry.action, entry.records) == (AuditAction.IMPORT_UNDO, 2)
    assert "hannover.csv" in entry.what

    lead = services.leads.create({"first_name": "Carla", "company": "Delta"})
    services.erasure.erase(lead.id)
    entry = services.audit.entries()[0]
    assert (entry.action, entry.records) == (AuditAction.ERASURE, 1)
    assert "Carla" not in entry.what and "Delta" not in entry.what


def test_every_export_and_report_is_recorded_with_its_count(services: Services,
                                                             tmp_path: Path) -> None:
    for name in ("Ann", "Bob", "Cem"):
        services.leads.create({"first_name": name, "email": f"{name.lower()}@example.org"})
    services.exports.export(LeadQuery(), tmp_path / "all.csv", ExportFormat.CSV)
    services.exports.export(LeadQuery(search="Ann"), tmp_path / "ann.xlsx", ExportFormat.XLSX)
    services.reports.report("status", tmp_path / "status.pdf")
    entries = services.audit.entries()
    assert [(e.action, e.records) for e in entries] == [
        (AuditAction.REPORT, 3), (AuditAction.EXPORT, 1), (AuditAction.EXPORT, 3)]
    assert entries[1].what == "XLSX, every field, a filtered list (ann.xlsx)"  # no search text
    assert entries[0].what.startswith("status report, ") and "(status.pdf)" in entries[0].what


@pytest.mark.parametrize("fmt", [ExportFormat.CSV, ExportFormat.XLSX, ExportFormat.VCARD])
def test_no_export_file_exists_without_its_audit_entry(
        services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        fmt: ExportFormat) -> None:
    services.leads.create({"first_name": "Ann", "email": "ann@example.org"})

    def audit_fails(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(services.audit, "record", audit_fails)
    folder = tmp_path / "exports"
    folder.mkdir()
    with pytest.raises(LeadlineError, match="No space left"):
        services.exports.export(LeadQuery(), folder / "leads.out", fmt)
    assert list(folder.iterdir()) == []


def test_re_applying_the_routing_rules_is_recorded(services: Services) -> None:
    services.leads.create({"first_name": "Dora", "email": "dora@example.org"})
    result = services.routing.apply()
    entry = services.audit.entries()[0]
    assert (entry.action, entry.records) == (AuditAction.REASSIGN_ALL, len(result.moves))
    assert entry.what == "Routing rules re-applied"


def test_the_audit_csv_never_holds_a_cell_that_runs_as_a_formula(
        services: Services, tmp_path: Path) -> None:
    services.audit.record(AuditAction.EXPORT, "=HYPERLINK(\"http://x\")", 3)
    services.audit.export_csv(tmp_path / "audit.csv")
    with open(tmp_path / "audit.csv", newline="", encoding="utf-8") as handle:
        whats = [row["what"] for row in csv.DictReader(handle)]
    assert whats == ["'=HYPERLINK(\"http://x\")"]


def test_an_access_request_export_is_recorded_without_the_persons_data(
        services: Services, tmp_path: Path) -> None:
    lead = services.leads.create({"first_name": "Carla", "company": "Delta"})
    services.erasure.write_export(lead.id, tmp_path / "carla.json")
    entry = services.audit.entries()[0]
    assert (entry.action, entry.records) == (AuditAction.EXPORT, 1)
    assert entry.what == "access request as json (carla.json)"
