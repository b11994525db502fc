"""Customer imports: preview, one batch crediting leads (won, deal value, history), re-imports that
update instead of duplicating, undo, the review list, and orders reaching another laptop."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest

from app.domain.audit import AuditAction
from app.domain.customers import CustomerImportReport, OrderStatus
from app.domain.errors import ConflictError, ValidationError
from app.domain.history import ActivityKind
from app.domain.leads import LeadStatus
from app.domain.progress import CancelledError
from app.services.container import Services
from tests.conftest import FakeClock
from tests.sync_laptops import Laptop, converge

pytestmark = pytest.mark.both_databases

HEADER = "Rechnungsnummer;Rechnungsdatum;Firma;E-Mail;Betrag;Währung\n"
OCTOBER = (HEADER
           + "R-1;01.10.2026;Schmidt AG;k.schmidt@schmidt-ag.de;1.000,00;EUR\n"
           + "R-2;02.10.2026;Schmitt AG;;500,00;EUR\n"
           + "R-3;03.10.2026;Zeppelin Werft GmbH;;300,00;EUR\n"
           + "R-4;04.10.2026;Schmidt AG;k.schmidt@schmidt-ag.de;250,00;EUR\n"
           + "R-5;;Acme GmbH;;1,00;EUR\n")
# Next month's export repeats October (one amount corrected) and adds one order.
NOVEMBER = (OCTOBER.replace("R-4;04.10.2026;Schmidt AG;k.schmidt@schmidt-ag.de;250,00",
                            "R-4;04.10.2026;Schmidt AG;k.schmidt@schmidt-ag.de;300,00")
            + "R-6;05.11.2026;ACME GmbH;;2.000,00;EUR\n")


@pytest.fixture
def leads(services: Services, clock: FakeClock) -> dict[str, uuid.UUID]:
    clock.now = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)  # captured long before the orders
    schmidt = services.leads.create({"first_name": "Klaus", "last_name": "Schmidt",
                                     "company": "Schmidt AG", "email": "k.schmidt@schmidt-ag.de",
                                     "status": "sql"})
    acme = services.leads.create({"last_name": "Roth", "company": "Acme GmbH",
                                  "email": "roth@acme.de", "deal_value": 400000})
    clock.now = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)
    return {"schmidt": schmidt.id, "acme": acme.id}


def _file(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="cp1252")
    return path


def _import(services: Services, path: Path) -> CustomerImportReport:
    table = services.customers.open(path)
    return services.customers.run(table, services.customers.suggested_mapping(table))


def test_preview_counts_every_outcome_and_writes_nothing(
        services: Services, leads: dict[str, uuid.UUID], tmp_path: Path) -> None:
    table = services.customers.open(_file(tmp_path, "orders-2026-10.csv", OCTOBER))
    mapping = services.customers.suggested_mapping(table)
    assert mapping == {"company": "Firma", "email": "E-Mail", "order_number": "Rechnungsnummer",
                       "order_date": "Rechnungsdatum", "amount": "Betrag", "currency": "Währung"}
    report = services.customers.preview(table, mapping)
    assert (report.read, report.matched, report.review, report.unmatched) == (5, 2, 1, 1)
    assert (report.created, report.updated, report.unchanged) == (4, 0, 0)
    assert [(r.row, r.reason) for r in report.rejected] == [(6, "the order date is missing")]
    assert [s.change for s in report.sample] == ["created"] * 4
    assert [s.lead_label for s in report.sample] == ["Schmidt AG (Klaus Schmidt)"] * 2 + [
        "", "Schmidt AG (Klaus Schmidt)"]
    assert services.customers.review_list() == []
    assert services.leads.get(leads["schmidt"]).status is LeadStatus.SQL


def test_import_wins_the_lead_with_its_revenue_and_history(
        services: Services, leads: dict[str, uuid.UUID], tmp_path: Path) -> None:
    report = _import(services, _file(tmp_path, "orders-2026-10.csv", OCTOBER))
    assert (report.created, report.leads_won) == (4, 1) and report.batch_id is not None
    lead = services.leads.get(leads["schmidt"])
    assert (lead.status, lead.deal_value) == (LeadStatus.WON, 125000)
    orders = [a.text for a in services.leads.history(lead.id) if a.kind is ActivityKind.ORDER]
    assert sorted(orders) == [
        "Order R-1: 1,000.00 EUR on 2026-10-01 (customer import orders-2026-10.csv)",
        "Order R-4: 250.00 EUR on 2026-10-04 (customer import orders-2026-10.csv)"]
    (batch,) = services.imports.batches()
    assert batch.file_name == "orders-2026-10.csv"
    (entry,) = services.audit.entries(action=AuditAction.CUSTOMER_IMPORT)
    assert "orders-2026-10.csv" in entry.what and entry.records == 4


def test_reimport_updates_instead_of_duplicating(
        services: Services, leads: dict[str, uuid.UUID], tmp_path: Path) -> None:
    _import(services, _file(tmp_path, "orders-2026-10.csv", OCTOBER))
    again = _import(services, _file(tmp_path, "orders-2026-10-copy.csv", OCTOBER))
    assert (again.created, again.updated, again.unchanged, again.leads_won) == (0, 0, 4, 0)
    november = _import(services, _file(tmp_path, "orders-2026-11.csv", NOVEMBER))
    assert (november.created, november.updated, november.unchanged) == (1, 1, 3)
    assert services.leads.get(leads["schmidt"]).deal_value == 130000
    acme = services.leads.get(leads["acme"])
    assert (acme.status, acme.deal_value) == (LeadStatus.WON, 200000)


def test_undo_puts_orders_and_leads_back(services: Services, leads: dict[str, uuid.UUID],
                                         tmp_path: Path) -> None:
    october = _import(services, _file(tmp_path, "orders-2026-10.csv", OCTOBER))
    november = _import(services, _file(tmp_path, "orders-2026-11.csv", NOVEMBER))
    assert october.batch_id and november.batch_id
    with pytest.raises(ConflictError, match="undo that import first"):
        services.customers.undo(october.batch_id)
    result = services.customers.undo(november.batch_id)
    assert (result.removed, result.restored, result.leads_restored) == (1, 1, 2)
    acme = services.leads.get(leads["acme"])
    assert (acme.status, acme.deal_value) == (LeadStatus.INQUIRY, 400000)
    assert services.leads.get(leads["schmidt"]).deal_value == 125000
    with pytest.raises(ConflictError, match="already undone"):
        services.customers.undo(november.batch_id)
    services.customers.undo(october.batch_id)
    schmidt = services.leads.get(leads["schmidt"])
    assert (schmidt.status, schmidt.deal_value) == (LeadStatus.SQL, None)
    assert len(services.audit.entries(action=AuditAction.IMPORT_UNDO)) == 2
    # Imported again after the undo, the same orders come back as created.
    assert _import(services, _file(tmp_path, "orders-2026-10.csv", OCTOBER)).created == 4


def test_review_confirm_and_reject_are_kept_by_reimports(
        services: Services, leads: dict[str, uuid.UUID], tmp_path: Path) -> None:
    path = _file(tmp_path, "orders-2026-10.csv", OCTOBER)
    _import(services, path)
    (suggested,) = services.customers.review_list()
    assert (suggested.order_number, suggested.lead_id) == ("R-2", leads["schmidt"])
    assert suggested.lead_label == "Schmidt AG (Klaus Schmidt)"
    assert "Schmidt AG" in suggested.reason
    rejected = services.customers.reject(suggested.id)
    assert (rejected.status, rejected.lead_id) == (OrderStatus.REJECTED, None)
    assert _import(services, path).unchanged == 4
    assert services.customers.order(suggested.id).status is OrderStatus.REJECTED
    confirmed = services.customers.confirm(suggested.id, leads["acme"])
    assert (confirmed.status, confirmed.kind.value) == (OrderStatus.MATCHED, "manual")
    acme = services.leads.get(leads["acme"])
    assert (acme.status, acme.deal_value) == (LeadStatus.WON, 50000)
    assert _import(services, path).unchanged == 4
    assert services.customers.order(suggested.id).lead_id == leads["acme"]


def test_orders_in_two_currencies_leave_the_deal_value(
        services: Services, leads: dict[str, uuid.UUID], tmp_path: Path) -> None:
    text = (HEADER + "U-1;01.10.2026;Acme GmbH;;100,00;EUR\n"
            + "U-2;02.10.2026;Acme GmbH;;100,00;USD\n")
    report = _import(services, _file(tmp_path, "mixed.csv", text))
    assert report.matched == 2 and "EUR, USD" in report.notes[0]
    acme = services.leads.get(leads["acme"])
    assert (acme.status, acme.deal_value) == (LeadStatus.WON, 400000)


def test_lines_of_one_order_are_added_and_bad_mappings_refused(
        services: Services, leads: dict[str, uuid.UUID], tmp_path: Path) -> None:
    text = HEADER + "L-1;01.10.2026;Acme GmbH;;100,00;EUR\nL-1;01.10.2026;Acme GmbH;;50,00;EUR\n"
    report = _import(services, _file(tmp_path, "lines.csv", text))
    assert (report.read, report.created) == (2, 1)
    assert services.leads.get(leads["acme"]).deal_value == 15000
    table = services.customers.open(tmp_path / "lines.csv")
    with pytest.raises(ValidationError, match="Order date"):
        services.customers.preview(table, {"company": "Firma", "amount": "Betrag"})


def test_cancel_leaves_nothing(services: Services, leads: dict[str, uuid.UUID],
                               tmp_path: Path) -> None:
    table = services.customers.open(_file(tmp_path, "orders.csv", OCTOBER))
    with pytest.raises(CancelledError):
        services.customers.run(table, services.customers.suggested_mapping(table),
                               cancelled=lambda: True)
    assert services.imports.batches() == []
    assert services.leads.get(leads["schmidt"]).status is LeadStatus.SQL


def test_an_order_imported_on_one_laptop_arrives_on_the_other(
        laptops: tuple[Laptop, Laptop], folder: Path, tmp_path: Path) -> None:
    a, b = laptops
    lead = a.services.leads.create({"last_name": "Schmidt", "company": "Schmidt AG",
                                    "email": "k.schmidt@schmidt-ag.de"})
    a.clock.advance(days=1)
    path = _file(tmp_path, "orders.csv", OCTOBER.replace(".10.2026", ".12.2026"))
    report = _import(a.services, path)
    assert report.matched == 2
    converge(folder, a, b)
    (review,) = b.services.customers.review_list()
    assert review.order_number == "R-2" and review.lead_id == lead.id
    assert b.services.leads.get(lead.id).status is LeadStatus.WON
    # The same file imported on the second laptop writes the same rows: nothing new.
    again = _import(b.services, path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
