"""Erasure, access and marketing exports from the GUI: typed confirmation, background jobs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import QDialog, QFileDialog

from app.domain.exports import ExportFormat
from app.domain.leads import LeadQuery
from app.domain.people import UserRecord
from app.services.container import Services
from app.ui.dialogs import erasure_dialog
from app.ui.dialogs.erasure_dialog import ErasureDialog
from app.ui.dialogs.export_dialog import ExportDialog, with_format_suffix
from app.ui.navigation import LEADS
from app.ui.workers import SynchronousRunner
from tests.ui.test_main_window import Make


def test_erase_button_needs_the_typed_word(qtbot: Any, services: Services) -> None:
    lead = services.leads.create({"first_name": "Xerxesia", "last_name": "Zoltanova",
                                  "email": "x@zq.example"})
    services.leads.add_note(lead.id, "met at the bar")
    dialog = ErasureDialog(services, lead, runner=SynchronousRunner())
    qtbot.addWidget(dialog)
    assert "3 history entries" in dialog.explanation.text()  # created, routed, note
    assert not dialog.erase_button.isEnabled()
    qtbot.keyClicks(dialog.confirmation, "erase")
    assert not dialog.erase_button.isEnabled()  # the exact word, so it is a decision
    dialog.confirmation.setText("ERASE")
    assert dialog.erase_button.isEnabled()
    dialog.reason.setText("request 17")
    dialog.erase_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.receipt is not None and dialog.receipt.lead_id == lead.id
    assert services.leads.count(LeadQuery(search="Zoltanova")) == 0


def test_erase_from_the_window_clears_undo(make_window: Make, admin: UserRecord,
                                           add_leads: Any, services: Services,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    add_leads(2)
    window = make_window()
    window.show_page(LEADS)
    page = window.leads
    page.table.selectRow(0)

    def confirm_and_run(self: ErasureDialog) -> int:
        self.confirmation.setText("ERASE")
        self.erase()
        return int(self.result())

    monkeypatch.setattr(ErasureDialog, "exec", confirm_and_run)
    window.undo_stack.push(QUndoCommand("edit"))
    window.erase_person_action.trigger()
    assert window.undo_stack.count() == 0
    assert page.model.rowCount() == 1
    assert services.leads.count(LeadQuery()) == 1


def test_export_writes_the_chosen_format(qtbot: Any, services: Services, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    lead = services.leads.create({"first_name": "Anna", "last_name": "Müller"})
    target = tmp_path / "anna"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(target), "JSON data (*.json)"))
    monkeypatch.setattr(erasure_dialog.messages, "info", lambda *a, **k: None)
    written = erasure_dialog.export_person(None, services, lead)  # type: ignore[arg-type]
    assert written == tmp_path / "anna.json" and '"Müller"' in written.read_text()


def test_export_leads_from_the_window(make_window: Make, admin: UserRecord, add_leads: Any,
                                      tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    add_leads(3)
    window = make_window()
    window.show_page(LEADS)
    target = tmp_path / "leads.csv"
    monkeypatch.setattr(ExportDialog, "exec", lambda self: QDialog.DialogCode.Accepted)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    window.export_action.trigger()
    assert len(target.read_text(encoding="utf-8-sig").splitlines()) == 4  # header + 3

    asked: list[tuple[Any, ...]] = []

    def choose_excel(self: ExportDialog) -> QDialog.DialogCode:
        self.format_box.setCurrentIndex(self.format_box.findData(ExportFormat.XLSX.value))
        return QDialog.DialogCode.Accepted

    def save_as(*args: Any, **kwargs: Any) -> tuple[str, str]:
        asked.append(args)
        return str(tmp_path / "workbook"), ""

    monkeypatch.setattr(ExportDialog, "exec", choose_excel)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_as)
    window.export_action.trigger()
    assert asked[0][2].endswith("leads.xlsx") and asked[0][3] == "Excel workbook (XLSX) (*.xlsx)"
    rows = list(openpyxl.load_workbook(tmp_path / "workbook.xlsx").active.values)
    assert len(rows) == 4 and rows[0][0] == "id"


def test_export_dialog_offers_every_format(qtbot: Any) -> None:
    dialog = ExportDialog(12)
    qtbot.addWidget(dialog)
    assert [dialog.format_box.itemData(i) for i in range(dialog.format_box.count())] == [
        f.value for f in ExportFormat]
    assert dialog.export_format is ExportFormat.CSV
    assert with_format_suffix(Path("a/leads.csv"), ExportFormat.VCARD) == Path("a/leads.vcf")
    assert with_format_suffix(Path("leads.v2"), ExportFormat.XLSX) == Path("leads.v2.xlsx")
