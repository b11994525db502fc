"""Data → Audit trail…: the entries newest first, filtered by action, paged, exported as CSV
(the export itself recorded), and a plain sentence when nothing is recorded yet."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QFileDialog

from app.domain.audit import AuditAction
from app.services.container import Services
from app.ui import messages
from app.ui.dialogs import audit_dialog
from app.ui.dialogs.audit_dialog import AuditDialog


def test_empty_trail_says_what_will_appear(qtbot: Any, services: Services) -> None:
    dialog = AuditDialog(services.audit)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.empty_label.isVisible() and not dialog.table.isVisible()
    assert not dialog.export_button.isEnabled() and dialog.count_label.text() == "0 entries"


def test_entries_filter_page_and_export(qtbot: Any, services: Services, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audit_dialog, "PAGE", 2)
    services.audit.record(AuditAction.EXPORT, "CSV (a.csv)", 10)
    services.audit.record(AuditAction.PRINT, "lead list", 5)
    services.audit.record(AuditAction.EXPORT, "XLSX (b.xlsx)", 7)
    dialog = AuditDialog(services.audit)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.model.rowCount() == 2 and dialog.more_button.isVisible()
    assert dialog.count_label.text() == "2 of 3 entries"
    dialog.more_button.click()
    assert dialog.model.rowCount() == 3 and not dialog.more_button.isVisible()

    dialog.action.setCurrentIndex(dialog.action.findData(AuditAction.PRINT.value))
    assert [dialog.model.entry(r).what for r in range(dialog.model.rowCount())] == ["lead list"]

    shown: list[str] = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(tmp_path / "trail.csv"), "CSV (*.csv)"))
    monkeypatch.setattr(messages, "info", lambda _p, _t, text, *a: shown.append(text))
    dialog.action.setCurrentIndex(0)
    dialog.export_button.click()
    assert (tmp_path / "trail.csv").read_text(encoding="utf-8").count("\n") == 4  # header + 3
    assert shown == ["3 entries written to trail.csv."]
    assert dialog.model.entry(0).action is AuditAction.EXPORT and dialog.total == 4
    dialog.grab().save(str(tmp_path / "audit.png"))
