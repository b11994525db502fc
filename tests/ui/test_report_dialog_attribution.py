"""Reports dialog, attribution: the revenue model shows only for that report and reaches the
PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from PySide6.QtWidgets import QFileDialog

from app.services.container import Services
from app.ui.dialogs import report_dialog
from app.ui.dialogs.report_dialog import ReportDialog
from app.ui.workers import SynchronousRunner


def test_model_choice_reaches_the_attribution_report(
        qtbot: Any, services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        confirmations: list[str]) -> None:
    services.events.add("Expo Hannover", cost="100.00")
    services.leads.create({"last_name": "Śliwińska", "event": "Expo Hannover"})
    dialog = ReportDialog(services, SynchronousRunner())
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.model_combo.isHidden()  # the status report has no revenue model
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("attribution"))
    assert not dialog.model_combo.isHidden() and "customer" in dialog.description.text()
    dialog.model_combo.setCurrentIndex(dialog.model_combo.findData("even"))
    target = tmp_path / "attribution.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(target), "PDF (*.pdf)")))
    monkeypatch.setattr(report_dialog, "open_file", lambda path: True)
    dialog.save_button.click()
    text = "\n".join(page.extract_text() for page in PdfReader(str(target)).pages)
    assert "Attribution and conversion analysis" in text and "even split" in text
    assert "Expo Hannover" in text
    assert dialog.suggested_name().startswith("leadline-attribution-")
