"""The import wizard, page by page: file, mapping (corrected by hand), preview, import, undo."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QComboBox, QWizard

from app.domain.leads import LeadQuery
from app.services.container import Services
from app.ui.dialogs.import_history_dialog import ImportHistoryDialog
from app.ui.dialogs.import_wizard import ImportWizard
from app.ui.workers import SynchronousRunner
from tests.conftest import FakeClock

CSV = ("Exported from Lead Retrieval\n"
       "Vorname;Nachname;Firma;E-Mail;Handy;Kommentar\n"
       "Anna;Müller;Acme GmbH;anna@acme.de;0171 2345678;Demo im März\n"
       "Ben;Booth;Booth AG;ben@;;\n"
       ";;Nameless;;;\n")


def test_wizard_imports_and_history_undoes(qtbot: Any, services: Services, tmp_path: Path,
                                           confirmations: list[str]) -> None:
    services.events.add("Hannover Messe 2026", country="DE")
    path = tmp_path / "export.csv"
    path.write_text(CSV, encoding="cp1252")
    wizard = ImportWizard(services, SynchronousRunner(), path)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.next()
    mapping_page = wizard.mapping_page
    assert wizard.currentPage() is mapping_page
    assert mapping_page.grid.rowCount() == 6
    targets = {mapping_page.grid.item(i, 0).text(): mapping_page.grid.cellWidget(i, 2)
               for i in range(mapping_page.grid.rowCount())}
    assert isinstance(targets["Vorname"], QComboBox)
    assert targets["Vorname"].currentData() == "first_name"
    assert targets["Handy"].currentData() == "mobile"
    notes = targets["Kommentar"]
    notes.setCurrentIndex(notes.findData("notes"))  # corrected by hand
    mapping_page.template_name.setText("Lead Retrieval DE")
    mapping_page._save_template()
    wizard.next()
    preview = wizard.preview_page
    # No show runs today and none was used before: nothing is preselected, the page says so.
    assert preview.event_combo.currentData() is None and "No event is running today" in \
        preview.event_hint.text()
    preview.event_combo.setCurrentIndex(preview.event_combo.findText("Hannover Messe 2026"))
    assert "2 new" in preview.counts.text() and "1 rejected" in preview.counts.text()
    assert preview.rows.rowCount() == 3
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert wizard.imported is not None and wizard.imported.counts.created == 2
    leads = {lead.last_name: lead for lead in services.leads.list(LeadQuery())}
    assert leads["Müller"].notes == "Demo im März"
    assert leads["Müller"].mobile_e164 == "+491712345678"
    assert leads["Booth"].needs_review  # "ben@" kept and flagged
    assert services.imports.template_names() == ["Lead Retrieval DE"]

    history = ImportHistoryDialog(services.imports, services.customers)
    qtbot.addWidget(history)
    history.table.selectRow(0)
    history.undo_selected()
    assert history.changed and services.leads.count(LeadQuery()) == 0
    assert history.table.item(0, 5).text() == "undone"


def test_wizard_refuses_a_file_it_cannot_read(qtbot: Any, services: Services,
                                              tmp_path: Path) -> None:
    path = tmp_path / "photo.csv"
    path.write_bytes(bytes(range(256)) * 20)
    wizard = ImportWizard(services, SynchronousRunner(), path)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.next()
    assert wizard.currentPage() is wizard.file_page
    assert "photo.csv" in wizard.file_page.info.text()


def test_history_shows_how_each_batch_read_the_columns() -> None:
    from app.importers.mapping import ColumnMapping
    from app.ui.dialogs.import_history_dialog import describe_mapping

    text = describe_mapping(ColumnMapping((("Vorname", "first_name"), ("Fax", ""))).to_json())
    assert "Vorname → first_name" in text and "Fax → (ignored)" in text
    assert describe_mapping("{not json") == "Column mapping not readable"


def test_the_preview_preselects_todays_show_then_the_last_used_one(
        qtbot: Any, services: Services, tmp_path: Path, clock: FakeClock,
        confirmations: list[str]) -> None:
    """Never an arbitrary event: the show running today (the clock says 2026-11-20), else the
    one the last import used."""
    services.events.add("Old Fair 2025", country="DE", starts=dt.date(2025, 3, 1),
                        ends=dt.date(2025, 3, 3))
    services.events.add("Running Fair", country="DE", starts=dt.date(2026, 11, 19),
                        ends=dt.date(2026, 11, 21))
    path = tmp_path / "export.csv"
    path.write_text(CSV, encoding="cp1252")

    def preview_page() -> Any:
        wizard = ImportWizard(services, SynchronousRunner(), path)
        qtbot.addWidget(wizard)
        wizard.show()
        wizard.next()
        wizard.next()
        return wizard.preview_page

    page = preview_page()
    assert page.event_combo.currentText() == "Running Fair"
    assert not page.event_hint.isVisible()
    page.event_combo.setCurrentIndex(page.event_combo.findText("Old Fair 2025"))
    page.wizard().button(QWizard.WizardButton.FinishButton).click()
    clock.advance(days=5)  # the running fair is over
    assert preview_page().event_combo.currentText() == "Old Fair 2025"


def test_the_mapping_page_says_how_sure_each_guess_is(
        qtbot: Any, services: Services, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("Vorname,Nachname,Telefon geschäftlich,Lieblingsfarbe,Email\n"
                    "Anna,Müller,030 1234567,blau,anna@example.com\n", encoding="utf-8")
    wizard = ImportWizard(services, SynchronousRunner(), path)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.next()
    grid = wizard.mapping_page.grid
    sure = {grid.item(i, 0).text(): grid.item(i, 3).text() for i in range(grid.rowCount())}
    assert sure["Vorname"] == sure["Email"] == "High: the column's name"
    assert sure["Telefon geschäftlich"] == "Check: a word in the name"
    assert sure["Lieblingsfarbe"] == "Not matched"
    colour = grid.cellWidget(3, 2)
    assert isinstance(colour, QComboBox)
    colour.setCurrentIndex(colour.findData("notes"))
    assert grid.item(3, 3).text() == "Chosen by you"
