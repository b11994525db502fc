"""Customers and orders in the window: file, columns (one corrected by hand), preview, import,
the review list, and undo from the import history."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QWizard

from app.domain.customers import OrderStatus
from app.domain.leads import LeadStatus
from app.services.container import Services
from app.ui.dialogs.customer_import_wizard import CustomerImportWizard
from app.ui.dialogs.customer_review_dialog import CustomerReviewDialog
from app.ui.dialogs.import_history_dialog import ImportHistoryDialog
from app.ui.workers import SynchronousRunner
from tests.conftest import FakeClock

ORDERS = ("Rechnungsnummer;Rechnungsdatum;Kunde;Kontakt;Betrag;Währung;Bemerkung\n"
          "R-1;01.10.2026;Schmidt AG;k.schmidt@schmidt-ag.de;1.000,00;EUR;\n"
          "R-2;02.10.2026;Schmitt AG;;500,00;EUR;similar name\n"
          "R-3;03.10.2026;Zeppelin Werft GmbH;;300,00;EUR;\n"
          "R-4;;Schmidt AG;;1,00;EUR;no date\n")


@pytest.fixture
def schmidt(services: Services, clock: FakeClock) -> uuid.UUID:
    clock.now = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
    lead = services.leads.create({"first_name": "Klaus", "last_name": "Schmidt",
                                  "company": "Schmidt AG", "email": "k.schmidt@schmidt-ag.de",
                                  "status": "sql"})
    clock.now = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)
    return lead.id


def test_wizard_previews_imports_reviews_and_history_undoes(
        qtbot: Any, services: Services, schmidt: uuid.UUID, tmp_path: Path,
        confirmations: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from app.ui import messages

    monkeypatch.setattr(messages, "info", lambda *_a: None)
    path = tmp_path / "rechnungen.csv"
    path.write_text(ORDERS, encoding="cp1252")
    wizard = CustomerImportWizard(services, SynchronousRunner(), path)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.next()
    mapping = wizard.mapping_page
    assert wizard.currentPage() is mapping
    assert mapping.combos["order_number"].currentData() == "Rechnungsnummer"
    assert mapping.combos["amount"].currentData() == "Betrag"
    email = mapping.combos["email"]
    email.setCurrentIndex(email.findData("Kontakt"))  # "Kontakt" named by hand
    date = mapping.combos["order_date"]
    date.setCurrentIndex(0)
    assert not mapping.isComplete() and "Order date" in mapping.problems.text()
    date.setCurrentIndex(date.findData("Rechnungsdatum"))
    assert mapping.isComplete() and mapping.problems.text() == ""
    wizard.next()
    preview = wizard.preview_page
    assert preview.report is not None and preview.isComplete()
    assert (preview.report.matched, preview.report.review, preview.report.unmatched) == (1, 1, 1)
    assert "1 row cannot be imported: row 5" in preview.rejected.text()
    assert preview.sample.rowCount() == 3
    assert services.customers.review_list() == [], "the preview writes nothing"
    wizard.grab().save("/tmp/customer_preview.png")
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert wizard.imported is not None and wizard.imported.leads_won == 1
    lead = services.leads.get(schmidt)
    assert (lead.status, lead.deal_value) == (LeadStatus.WON, 100000)

    review = CustomerReviewDialog(services.customers)
    qtbot.addWidget(review)
    assert review.table.rowCount() == 1 and review.table.item(0, 0).text() == "Schmitt AG"
    assert review.table.item(0, 5).text() == "Schmidt AG (Klaus Schmidt)"
    review.reject_selected()
    assert review.changed and review.table.rowCount() == 0
    assert "Nothing to review" in review.summary.text()
    assert services.customers.order(_order_id("R-2")).status is OrderStatus.REJECTED

    history = ImportHistoryDialog(services.imports, services.customers)
    qtbot.addWidget(history)
    history.table.selectRow(0)
    assert "Customer import" in history.table.item(0, 1).toolTip()
    history.undo_selected()
    assert history.changed and history.table.item(0, 5).text() == "undone"
    lead = services.leads.get(schmidt)
    assert lead.status is LeadStatus.SQL, "the lead the import won is put back"


def test_confirming_a_suggestion_credits_the_lead(
        qtbot: Any, services: Services, schmidt: uuid.UUID, tmp_path: Path) -> None:
    path = tmp_path / "rechnungen.csv"
    path.write_text(ORDERS.replace("k.schmidt@schmidt-ag.de", ""), encoding="cp1252")
    table = services.customers.open(path)
    services.customers.run(table, services.customers.suggested_mapping(table))
    review = CustomerReviewDialog(services.customers)
    qtbot.addWidget(review)
    assert review.table.rowCount() >= 1 and review.confirm_button.isEnabled()
    review.table.selectAll()
    review.confirm_selected()
    assert review.changed and review.table.rowCount() == 0
    assert services.leads.get(schmidt).status is LeadStatus.WON


def _order_id(number: str) -> uuid.UUID:
    from app.domain.customers import order_id

    return order_id(f"no:{number}")
