"""Import history: every batch with its counts; undo one (after a confirmation)."""

from __future__ import annotations

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

from app.domain.errors import LeadlineError
from app.domain.imports import BatchRecord
from app.importers.mapping import ColumnMapping
from app.services.import_service import ImportService
from app.ui import messages
from app.ui.tables import read_only_rows


def describe_mapping(mapping_json: str) -> str:
    """'Vorname → first_name' lines: how this batch read the file's columns."""
    try:
        columns = ColumnMapping.from_json(mapping_json).columns
    except LeadlineError:
        return "Column mapping not readable"
    lines = [f"{header} → {target or '(ignored)'}" for header, target in columns]
    return "Columns:\n" + "\n".join(lines)


class ImportHistoryDialog(QDialog):
    def __init__(self, imports: ImportService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import history")
        self.imports = imports
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
                                "it filled, unless someone changed them since."))
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
                    item.setToolTip(describe_mapping(batch.mapping))
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        self.undo_button.setEnabled(bool(self.batches))

    def undo_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            messages.info(self, "Import history", "Select the import to undo first.")
            return
        batch = self.batches[rows[0].row()]
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

    @classmethod
    def ask(cls, imports: ImportService, parent: QWidget | None = None) -> bool:
        dialog = cls(imports, parent)
        dialog.exec()
        return dialog.changed
