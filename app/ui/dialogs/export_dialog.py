"""Export the leads in the current list: CSV, Excel, a CRM import layout or vCard, for a
spreadsheet, another tool or a marketing tool."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.exports import ExportFormat, ExportPurpose
from app.domain.leads import LeadQuery
from app.services.container import Services
from app.services.export_service import ExportResult
from app.ui import messages
from app.ui.operations import NOTHING, Operation, run_operation
from app.ui.wording import counted
from app.ui.workers import JobState, TaskRunner


class ExportDialog(QDialog):
    """Asks for the format and what the file is for; the marketing choice explains who will be
    left out."""

    def __init__(self, matching: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export leads")
        layout = QVBoxLayout(self)
        heading = QLabel(f"Export the {counted(matching, 'lead')} in the "
                         "current list (filters and search apply).")
        heading.setWordWrap(True)
        layout.addWidget(heading)
        form = QFormLayout()
        self.format_box = QComboBox()
        for fmt in ExportFormat:
            self.format_box.addItem(fmt.label, fmt.value)
        form.addRow("&Format:", self.format_box)
        layout.addLayout(form)
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

    @property
    def export_format(self) -> ExportFormat:
        return ExportFormat(self.format_box.currentData())


_EXPORT_SUFFIXES = frozenset({"", ".csv", ".xlsx", ".xls", ".vcf", ".txt"})


def with_format_suffix(path: Path, fmt: ExportFormat) -> Path:
    """The path ending in the format's suffix: a missing or other export suffix is replaced,
    any other dotted name part is kept (``leads.v2`` becomes ``leads.v2.xlsx``)."""
    suffix = path.suffix.lower()
    if suffix == fmt.suffix:
        return path
    if suffix in _EXPORT_SUFFIXES:
        return path.with_suffix(fmt.suffix)
    return path.with_name(path.name + fmt.suffix)


def export_leads(parent: QWidget, services: Services, runner: TaskRunner, query: LeadQuery,
                 matching: int) -> None:
    dialog = ExportDialog(matching, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return
    purpose, fmt = dialog.purpose, dialog.export_format
    name = {ExportPurpose.ALL: "leads", ExportPurpose.MARKETING: "marketing-export",
            ExportPurpose.NURTURE: "nurture-list"}[purpose]
    if fmt in (ExportFormat.SALESFORCE, ExportFormat.HUBSPOT):
        name += f"-{fmt.value}"
    path, _ = QFileDialog.getSaveFileName(parent, "Export leads",
                                          str(Path.home() / (name + fmt.suffix)),
                                          fmt.file_filter)
    if not path:
        return
    target = with_format_suffix(Path(path), fmt)
    def work(state: JobState) -> ExportResult:
        return services.exports.export(query, target, fmt, purpose, progress=state.report,
                                       cancelled=lambda: state.cancelled)

    def done(result: ExportResult) -> None:
        left_out = "\n".join(f"  {count:,} {reason}" for reason, count in result.excluded.items())
        messages.info(parent, "Export saved",
                      f"{result.written:,} leads written to {result.path}."
                      + (f"\n\nLeft out:\n{left_out}" if left_out else ""))

    operation = Operation("Export leads", "Exporting leads…", work, NOTHING, percent=True,
                          failure_title="Export stopped")
    run_operation(runner, parent, operation, on_success=lambda result, _changes: done(result))
