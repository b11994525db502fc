"""Reports dialog: the chosen report and filters land in the PDF; printing paints every page."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QFileDialog

from app.domain.people import Role
from app.services.container import Services
from app.ui.dialogs import report_dialog
from app.ui.dialogs.report_dialog import ReportDialog
from app.ui.printing import print_pdf
from app.ui.workers import SynchronousRunner


@pytest.fixture
def dialog(qtbot: Any, services: Services, confirmations: list[str]) -> ReportDialog:
    expo = services.events.add("Expo Hannover")
    rep = services.people.add_user("Rita Rep", "rita@example.com", Role.REP)
    for i in range(6):
        services.leads.create({"first_name": f"Zofia{i}", "last_name": "Śliwińska",
                               "company": f"Firma {i}", "email": f"z{i}@example.com",
                               **({"event": expo.name, "owner": rep.email} if i < 4 else {})})
    widget = ReportDialog(services, SynchronousRunner())
    qtbot.addWidget(widget)
    return widget


def _text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(str(path)).pages)


def test_save_pdf_writes_the_chosen_report_with_its_filters(
        dialog: ReportDialog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        confirmations: list[str]) -> None:
    target = tmp_path / "status"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(target), "PDF (*.pdf)")))
    opened: list[Path] = []
    monkeypatch.setattr(report_dialog, "open_file", opened.append)
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("status"))
    dialog.event_combo.setCurrentIndex(dialog.event_combo.findText("Expo Hannover"))
    dialog.set_day(dialog.from_edit, dt.date(2020, 1, 1))
    dialog.paper_combo.setCurrentIndex(dialog.paper_combo.findData("Letter"))
    assert "untouched" in dialog.description.text()
    dialog.save_button.click()
    written = tmp_path / "status.pdf"
    assert written.read_bytes().startswith(b"%PDF")
    assert dialog.last_result is not None and dialog.last_result.rows == 4
    text = _text(written)
    assert "Expo Hannover" in text and "2020-01-01" in text
    page = PdfReader(str(written)).pages[0]
    assert round(float(page.mediabox.width)) == 612  # Letter
    assert opened == [written]
    assert any(c.startswith("Report saved") for c in confirmations)


def test_dates_left_at_any_are_no_filter(dialog: ReportDialog) -> None:
    choice = dialog.choice()
    assert choice.date_from is None and choice.date_to is None and choice.event_id is None
    dialog.owner_combo.setCurrentIndex(dialog.owner_combo.findText("Rita Rep",
                                                                   flags=_contains()))
    dialog.set_day(dialog.to_edit, dt.date(2030, 5, 6))
    choice = dialog.choice()
    assert choice.owner_id is not None and choice.date_to == dt.date(2030, 5, 6)


def _contains() -> Any:
    from PySide6.QtCore import Qt

    return Qt.MatchFlag.MatchContains


def test_end_before_start_is_refused(dialog: ReportDialog, tmp_path: Path,
                                     confirmations: list[str]) -> None:
    dialog.set_day(dialog.from_edit, dt.date(2025, 5, 2))
    dialog.set_day(dialog.to_edit, dt.date(2025, 5, 1))
    dialog.run(tmp_path / "x.pdf", lambda _r: pytest.fail("no report expected"))
    assert not (tmp_path / "x.pdf").exists()
    assert any("before the start" in c for c in confirmations)


def test_print_sends_every_page_to_the_printer(
        dialog: ReportDialog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "printed.pdf"

    def printer() -> QPrinter:
        chosen = QPrinter(QPrinter.PrinterMode.ScreenResolution)
        chosen.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        chosen.setOutputFileName(str(out))
        return chosen

    monkeypatch.setattr(dialog, "ask_printer", printer)
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("reps"))
    dialog.print_button.click()
    assert dialog.last_result is not None
    assert out.read_bytes().startswith(b"%PDF")
    assert len(PdfReader(str(out)).pages) == dialog.last_result.pages
    # The audit trail has the print, not the PDF rendered for it.
    assert [e.action.value for e in dialog.services.audit.entries()] == ["print"]


def test_print_pdf_keeps_the_page_count(services: Services, tmp_path: Path,
                                        qtbot: Any) -> None:
    for i in range(120):
        services.leads.create({"first_name": f"Ana{i}", "last_name": "Nowak",
                               "company": "Nowak sp. z o.o.", "email": f"a{i}@example.com"})
    source = services.reports.report("status", tmp_path / "status.pdf")
    assert source.pages >= 2
    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "out.pdf"))
    seen: list[tuple[int, int]] = []
    printed = print_pdf(source.path, printer, progress=lambda d, t: seen.append((d, t)))
    assert printed == source.pages
    assert len(PdfReader(str(tmp_path / "out.pdf")).pages) == source.pages
    assert seen[-1] == (source.pages, source.pages)
