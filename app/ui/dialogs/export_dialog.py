"""Export the leads in the current list to CSV, for a spreadsheet or for a marketing tool."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QProgressDialog,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.exports import ExportPurpose
from app.domain.leads import LeadQuery
from app.services.container import Services
from app.services.export_service import ExportResult
from app.ui import messages
from app.ui.workers import JobState, TaskRunner


class ExportDialog(QDialog):
    """Asks what the file is for; the marketing choice explains who will be left out."""

    def __init__(self, matching: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export leads")
        layout = QVBoxLayout(self)
        heading = QLabel(f"Export the {matching:,} lead{'s' if matching != 1 else ''} in the "
                         "current list (filters and search apply).")
        heading.setWordWrap(True)
        layout.addWidget(heading)
        self.choices = QButtonGroup(self)
        for purpose in ExportPurpose:
            button = QRadioButton(purpose.label)
            button.setProperty("purpose", purpose.value)
            self.choices.addButton(button)
            layout.addWidget(button)
        self.choices.buttons()[0].setChecked(True)
        note = QLabel("Marketing and nurture exports leave out anyone without marketing consent "
                      "or an email, flagged do-not-contact, or on the suppression list.")
        note.setWordWrap(True)
        note.setObjectName("hint")
        layout.addWidget(note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.addButton("Choose file…", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    @property
    def purpose(self) -> ExportPurpose:
        return ExportPurpose(self.choices.checkedButton().property("purpose"))


def export_leads(parent: QWidget, services: Services, runner: TaskRunner, query: LeadQuery,
                 matching: int) -> None:
    dialog = ExportDialog(matching, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return
    purpose = dialog.purpose
    name = {ExportPurpose.ALL: "leads.csv", ExportPurpose.MARKETING: "marketing-export.csv",
            ExportPurpose.NURTURE: "nurture-list.csv"}[purpose]
    path, _ = QFileDialog.getSaveFileName(parent, "Export leads", str(Path.home() / name),
                                          "CSV for Excel (*.csv)")
    if not path:
        return
    target = Path(path) if Path(path).suffix else Path(path).with_suffix(".csv")
    progress = QProgressDialog("Exporting leads…", "Cancel", 0, 100, parent)
    progress.setMinimumDuration(500)
    progress.setWindowModality(Qt.WindowModality.WindowModal)

    def work(state: JobState) -> ExportResult:
        return services.exports.export_csv(query, target, purpose, progress=state.report,
                                           cancelled=lambda: state.cancelled)

    def done(result: ExportResult) -> None:
        progress.close()
        left_out = "\n".join(f"  {count:,} {reason}" for reason, count in result.excluded.items())
        messages.info(parent, "Export saved",
                      f"{result.written:,} leads written to {result.path}."
                      + (f"\n\nLeft out:\n{left_out}" if left_out else ""))

    def failed(error: Exception, details: str) -> None:
        progress.close()
        messages.error(parent, "Export stopped", str(error), details)

    job = runner.start(work, on_done=done, on_error=failed,
                       on_progress=lambda d, t: progress.setValue(int(100 * d / max(t, 1))))
    progress.canceled.connect(job.cancel)
