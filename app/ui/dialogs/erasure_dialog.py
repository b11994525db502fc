"""Access and erasure requests from the GUI: save a person's data, or erase them after a typed
confirmation (erasure cannot be undone, so a single click must never do it)."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.domain.erasure import ErasureReceipt
from app.domain.leads import LeadRecord
from app.services.container import Services
from app.ui import messages
from app.ui.progress import run_with_progress
from app.ui.wording import counted
from app.ui.workers import TaskRunner

CONFIRM_WORD = "ERASE"
_TABLE_WORDS = {"activity": ("history entry", "history entries"), "task": ("task", "tasks"),
                "answer": ("answer", "answers"), "scan_log": ("badge scan", "badge scans"),
                "registration": ("registration row", "registration rows"),
                "suppression": ("do-not-contact entry", "do-not-contact entries")}


def export_person(parent: QWidget, services: Services, record: LeadRecord,
                  directory: str = "") -> Path | None:
    """Ask where to save, then write the access export (PDF or JSON by the chosen filter)."""
    safe = re.sub(r"[^\w .-]+", "", record.display_name).strip() or "person"
    suggested = str(Path(directory or Path.home()) / f"{safe} - personal data.pdf")
    path, chosen = QFileDialog.getSaveFileName(
        parent, "Export everything about this person", suggested,
        "PDF document (*.pdf);;JSON data (*.json)")
    if not path:
        return None
    target = Path(path)
    if not target.suffix:
        target = target.with_suffix(".json" if "json" in chosen.lower() else ".pdf")
    with messages.reported(parent, "Export failed") as attempt:
        services.erasure.write_export(record.id, target)
    if attempt.failed:
        return None
    messages.info(parent, "Export saved", f"Everything stored about {record.display_name} was "
                  f"saved to {target}.")
    return target


class ErasureDialog(QDialog):
    """Says exactly what will go, and asks for the word ERASE before doing it."""

    def __init__(self, services: Services, record: LeadRecord, parent: QWidget | None = None,
                 runner: TaskRunner | None = None) -> None:
        super().__init__(parent)
        self.services, self.record, self.runner = services, record, runner
        self.receipt: ErasureReceipt | None = None
        self.setWindowTitle(f"Erase {record.display_name}")
        self.setMinimumWidth(520)
        data = services.erasure.export_person(record.id)["tables"]
        related = [f"{len(rows):,} {_TABLE_WORDS[name][len(rows) != 1]}"
                   for name, rows in data.items() if name in _TABLE_WORDS and rows]
        merged = len(data["lead"]) - 1
        self.explanation = explanation = QLabel(
            f"<p><b>{_escape(record.display_name)}</b> asked to be forgotten. Leadline will "
            "empty every personal field of this lead"
            + (f" and of the {counted(merged, 'lead')} merged into it" if merged else "")
            + (f", and scrub {', '.join(related)}" if related else "")
            + ".</p><p>The lead still counts in reports by source, event and status, without "
              "anything that says who it was. An anonymous fingerprint stops imports from "
              "bringing the person back.</p><p><b>This cannot be undone.</b> Export the data "
              "first if the person also asked for a copy.</p>")
        explanation.setWordWrap(True)
        explanation.setTextFormat(Qt.TextFormat.RichText)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("e.g. email of 22 Nov, request #17")
        self.confirmation = QLineEdit()
        self.confirmation.setPlaceholderText(f"Type {CONFIRM_WORD} to confirm")
        self.confirmation.setAccessibleName("Confirmation")
        form = QFormLayout()
        form.addRow("Request reference", self.reason)
        form.addRow(f"Type {CONFIRM_WORD}", self.confirmation)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.erase_button = self.buttons.addButton("Erase person",
                                                   QDialogButtonBox.ButtonRole.DestructiveRole)
        self.erase_button.setEnabled(False)
        self.erase_button.clicked.connect(self.erase)
        export = self.buttons.addButton("Export a copy…", QDialogButtonBox.ButtonRole.ActionRole)
        export.clicked.connect(lambda: export_person(self, services, record))
        self.buttons.rejected.connect(self.reject)
        self.confirmation.textChanged.connect(
            lambda text: self.erase_button.setEnabled(text.strip() == CONFIRM_WORD))
        layout = QVBoxLayout(self)
        layout.addWidget(explanation)
        layout.addLayout(form)
        layout.addWidget(self.buttons)

    def erase(self) -> None:
        if self.confirmation.text().strip() != CONFIRM_WORD:
            return
        reason = self.reason.text()
        if self.runner is None:
            with messages.reported(self, "Erasure failed"):
                self._finished(self.services.erasure.erase(self.record.id, reason))
            return
        # Compacting the search index of a big file takes seconds: keep the window alive.
        erasure, lead_id = self.services.erasure, self.record.id

        def failed(error: Exception, details: str) -> None:
            self.erase_button.setEnabled(True)
            messages.error(self, "Erasure failed", str(error), details)

        self.erase_button.setEnabled(False)
        # Half an erasure is worse than waiting a few seconds: no Cancel button.
        run_with_progress(self.runner, self, "Erasing and compacting the search index…",
                          lambda _state: erasure.erase(lead_id, reason), on_done=self._finished,
                          on_error=failed, title="Erase person", cancel_text=None)

    def _finished(self, receipt: ErasureReceipt) -> None:
        self.receipt = receipt
        self.accept()


def erase_person(parent: QWidget, services: Services, record: LeadRecord,
                 runner: TaskRunner | None = None) -> ErasureReceipt | None:
    """The whole flow: confirm, erase (in the background when a runner is given), report."""
    dialog = ErasureDialog(services, record, parent, runner)
    if dialog.exec() != QDialog.DialogCode.Accepted or dialog.receipt is None:
        return None
    receipt = dialog.receipt
    text = f"{record.display_name} was erased; an anonymous tombstone remains."
    if receipt.backups_with_personal_data:
        text += ("\n\nThese backups were made earlier and still hold the person. Delete them "
                 "or let them expire:\n" + "\n".join(receipt.backups_with_personal_data[:10]))
    messages.info(parent, "Person erased", text)
    return receipt


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
