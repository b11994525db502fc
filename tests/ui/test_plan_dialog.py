"""Lead-flow planner dialog: measured values prefilled, typed estimates, the months table, the
verdict, the PDF and the print, and its place in the File menu."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QFileDialog

from app.domain.audit import AuditAction
from app.domain.planning import Stage
from app.services.container import Services
from app.ui.dialogs import plan_dialog
from app.ui.dialogs.plan_dialog import PlanDialog
from app.ui.workers import SynchronousRunner
from tests.conftest import FakeClock

TODAY = dt.datetime(2027, 2, 15, tzinfo=dt.UTC)


@pytest.fixture
def dialog(qtbot: Any, services: Services, clock: FakeClock) -> PlanDialog:
    """June 2026: 10 leads, 8 MQL+, 6 SQL+, 4 opportunities, 2 won at 1,000.00; January 2027:
    3 new leads. On 2027-02-15 (45 days in) February projects 3 + floor(3 × 14 / 45) = 3 of
    the 34 needed by its end → 31 short."""
    clock.now = dt.datetime(2026, 6, 1, 10, tzinfo=dt.UTC)
    for n, status in enumerate(("won", "won", "converted", "converted", "sql", "sql", "mql",
                                "mql", "inquiry", "inquiry")):
        services.leads.create({"first_name": "Old", "last_name": f"Lead {n}",
                               "email": f"old{n}@lead.example", "status": status,
                               **({"deal_value": "1000"} if status == "won" else {})})
    clock.now = dt.datetime(2027, 1, 5, tzinfo=dt.UTC)
    for n in range(3):
        services.leads.create({"first_name": "New", "last_name": f"Lead {n}",
                               "email": f"new{n}@lead.example"})
    clock.now = TODAY
    widget = PlanDialog(services, SynchronousRunner())
    qtbot.addWidget(widget)
    widget.year_spin.setValue(2027)
    widget.quarter_combo.setCurrentIndex(widget.quarter_combo.findData(1))
    return widget


def test_measured_values_fill_the_form_and_the_plan_shows(dialog: PlanDialog) -> None:
    assert dialog.deal_edit.text() == "1000.00"
    assert dialog.deal_source.text() == "measured from 2 won deals"
    assert dialog.rate_spins[Stage.LEAD_MQL].value() == pytest.approx(80.0)
    assert dialog.rate_sources[Stage.MQL_SQL].text() == "measured from 8 leads"
    assert "2026-01 to 2026-12" in dialog.window_label.text()
    dialog.target_edit.setText("10000")
    dialog.calculate_button.click()
    assert dialog.result is not None and dialog.result.leads == 50
    assert dialog.table.rowCount() == 3
    assert dialog.table.item(0, 0).text() == "January 2027"
    assert dialog.table.item(0, 2).text() == "17" and dialog.table.item(0, 3).text() == "3"
    assert dialog.verdict_label.text() == "31 leads short by February 2027."
    assert dialog.save_button.isEnabled()


def test_typed_values_become_estimates(dialog: PlanDialog) -> None:
    dialog.target_edit.setText("10000")
    dialog.deal_edit.setText("500")
    dialog.deal_edit.textEdited.emit("500")
    dialog.rate_spins[Stage.LEAD_MQL].setValue(100.0)
    assert dialog.rate_sources[Stage.LEAD_MQL].text() == "estimate"
    assert dialog.deal_source.text() == "estimate"
    assert dialog.estimates() == {Stage.LEAD_MQL: 1}
    dialog.calculate_button.click()
    assert dialog.result is not None
    assert (dialog.result.customers, dialog.result.leads) == (20, 80)


def test_missing_rate_is_explained(dialog: PlanDialog, monkeypatch: pytest.MonkeyPatch) -> None:
    errors: list[str] = []
    monkeypatch.setattr(plan_dialog.messages, "error",
                        lambda _p, _t, text, _d="": errors.append(text))
    dialog.year_spin.setValue(2020)  # nothing measured before 2020
    assert dialog.rate_sources[Stage.LEAD_MQL].text() == "estimate"
    dialog.target_edit.setText("10000")
    dialog.calculate_button.click()
    assert errors and "lead-mql" in errors[-1] and "deal_size" in errors[-1]


def test_save_and_print(dialog: PlanDialog, services: Services, tmp_path: Path,
                        monkeypatch: pytest.MonkeyPatch, confirmations: list[str]) -> None:
    dialog.target_edit.setText("10000")
    dialog.calculate_button.click()
    target = tmp_path / "plan"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(target), "PDF (*.pdf)")))
    opened: list[Path] = []
    monkeypatch.setattr(plan_dialog, "open_file", opened.append)
    dialog.save_button.click()
    written = tmp_path / "plan.pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(str(written)).pages)
    assert "31 leads short by February 2027" in text
    assert opened == [written]
    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    monkeypatch.setattr(dialog, "ask_printer", lambda: printer)
    dialog.print_button.click()
    assert (tmp_path / "printed.pdf").stat().st_size > 0
    assert services.audit.count(AuditAction.REPORT) == 1
    assert services.audit.count(AuditAction.PRINT) == 1


def test_the_planner_is_in_the_file_menu(make_window: Any) -> None:
    window = make_window()
    action = window.plan_action
    assert action.shortcut().toString() == "Ctrl+Shift+G"
    file_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&File")
    assert action in file_menu.actions()
