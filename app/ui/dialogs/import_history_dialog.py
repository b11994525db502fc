"""Import history: every batch with its counts; undo one (after a confirmation)."""

from __future__ import annotations

import json

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.customers import FIELD_LABELS
from app.domain.errors import LeadlineError
from app.domain.imports import CUSTOMER_IMPORT_FORMAT, BatchRecord
from app.importers.mapping import ColumnMapping
from app.services.customer_service import CustomerService
from app.services.import_service import ImportService
from app.ui import messages
from app.ui.tables import read_only_rows
from app.ui.wording import counted


def describe_mapping(mapping_json: str, source_format: str = "") -> str:
    """'Vorname → first_name' lines: how this batch read the file's columns."""
    if source_format == CUSTOMER_IMPORT_FORMAT:
        try:
            columns = json.loads(mapping_json).get("columns", {})
        except (ValueError, AttributeError):
            return "Column mapping not readable"
        return "Customer import. Columns:\n" + "\n".join(
            f"{header} → {FIELD_LABELS.get(field, field)}" for field, header in columns.items())
    try:
        columns = ColumnMapping.from_json(mapping_json).columns
    except LeadlineError:
        return "Column mapping not readable"
    lines = [f"{header} → {target or '(ignored)'}" for header, target in columns]
    return "Columns:\n" + "\n".join(lines)


class ImportHistoryDialog(QDialog):
    def __init__(self, imports: ImportService, customers: CustomerService,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import history")
        self.imports, self.customers = imports, customers
        self.changed = False
        self.table = QTableWidget(0, 6)
        self.table.setHorizontalHeaderLabels(["When", "File", "Created", "Duplicates",
                                              "Rejected", "Status"])
        read_only_rows(self.table, "Imports", fit_columns=False)
        self.undo_button = QPushButton("Undo this import…")
        self.undo_button.clicked.connect(self.undo_selected)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.undo_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Undo removes the leads an import created and empties the fields "
                                "it filled, unless someone changed them since. Undoing a "
                                "customer import removes its orders and puts the leads it won "
                                "back as they were."))
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.batches: list[BatchRecord] = []
        self.reload()
        self.resize(760, 400)

    def reload(self) -> None:
        self.batches = self.imports.batches()
        self.table.setRowCount(len(self.batches))
        for row, batch in enumerate(self.batches):
            when = batch.started_at.astimezone().strftime("%Y-%m-%d %H:%M")
            for column, text in enumerate((when, batch.file_name, str(batch.created),
                                           str(batch.duplicates), str(batch.rejected),
                                           batch.status)):
                item = QTableWidgetItem(text)
                if column == 1:
                    item.setToolTip(describe_mapping(batch.mapping, batch.source_format))
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        self.undo_button.setEnabled(bool(self.batches))

    def undo_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            messages.info(self, "Import history", "Select the import to undo first.")
            return
        batch = self.batches[rows[0].row()]
        if batch.source_format == CUSTOMER_IMPORT_FORMAT:
            self._undo_customers(batch)
            return
        if not messages.confirm(self, "Undo import", f"Remove the {batch.created:,} leads "
                                f"imported from {batch.file_name}?", "Undo import"):
            return
        with messages.reported(self, "Not undone") as attempt:
            removed, restored = self.imports.undo(batch.id)
        if attempt.failed:
            return
        self.changed = True
        messages.info(self, "Import undone",
                      f"{removed:,} leads removed, {restored:,} leads restored.")
        self.reload()

    def _undo_customers(self, batch: BatchRecord) -> None:
        if not messages.confirm(self, "Undo customer import",
                                f"Remove the orders imported from {batch.file_name} and put "
                                "the leads they won back as they were?", "Undo import"):
            return
        with messages.reported(self, "Not undone") as attempt:
            result = self.customers.undo(batch.id)
        if attempt.failed:
            return
        self.changed = True
        kept = (f" {counted(result.leads_kept, 'lead')} changed since kept as they are."
                if result.leads_kept else "")
        messages.info(self, "Customer import undone",
                      f"{counted(result.removed, 'order')} removed, {result.restored:,} "
                      f"restored; {counted(result.leads_restored, 'lead')} put back.{kept}")
        self.reload()

    @classmethod
    def ask(cls, imports: ImportService, customers: CustomerService,
            parent: QWidget | None = None) -> bool:
        dialog = cls(imports, customers, parent)
        dialog.exec()
        return dialog.changed
