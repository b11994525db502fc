"""The suppression list: who must not be contacted, and why. Add, remove, import, export."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.data_quality import SuppressionKind, SuppressionReason, SuppressionRecord
from app.domain.errors import LeadlineError
from app.services.suppression_service import SuppressionService
from app.ui import messages
from app.ui.style import alarm_colour
from app.ui.wording import counted


class SuppressionDialog(QDialog):
    def __init__(self, suppressions: SuppressionService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Suppression list")
        self.suppressions = suppressions
        self.changed = False
        self.entries: list[SuppressionRecord] = []
        intro = QLabel("People, whole domains (competitors), companies and phone numbers that "
                       "must not be contacted. Matching leads are marked do-not-contact on "
                       "capture and import, and when you add an entry here.")
        intro.setWordWrap(True)
        self.table = QTableWidget(0, 5)
        self.table.setAccessibleName("Suppression list")
        self.table.setHorizontalHeaderLabels(["Kind", "Value", "Reason", "Since", "Note"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.kind = QComboBox()
        for kind in SuppressionKind:
            self.kind.addItem(kind.value.capitalize(), kind.value)
        self.value = QLineEdit()
        self.value.setPlaceholderText("anna@acme.de, rival.com, Rival GmbH or +49 511 123456")
        self.value.returnPressed.connect(self.add_entry)
        self.reason = QComboBox()
        for reason in SuppressionReason:
            self.reason.addItem(reason.label.capitalize(), reason.value)
        self.note = QLineEdit()
        self.note.setPlaceholderText("Note (optional)")
        self.kind.setAccessibleName("Kind of entry")
        self.value.setAccessibleName("Value to suppress")
        self.reason.setAccessibleName("Reason")
        self.note.setAccessibleName("Note")
        add = QPushButton("Add")
        add.clicked.connect(self.add_entry)
        row = QHBoxLayout()
        for widget in (self.kind, self.value, self.reason, self.note, add):
            row.addWidget(widget, 2 if widget in (self.value, self.note) else 0)
        self.error = QLabel()
        self.error.setStyleSheet(f"color: {alarm_colour()};")
        self.error.hide()
        remove = QPushButton("Remove selected")
        remove.clicked.connect(self.remove_selected)
        import_button = QPushButton("Import…")
        import_button.clicked.connect(self.import_entries)
        export_button = QPushButton("Export…")
        export_button.clicked.connect(self.export_entries)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        for button in (remove, import_button, export_button):
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(row)
        layout.addWidget(self.error)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(860, 480)
        self.reload()

    def reload(self) -> None:
        self.entries = self.suppressions.entries()
        self.table.setRowCount(len(self.entries))
        for r, entry in enumerate(self.entries):
            since = entry.created_at.date().isoformat() if entry.created_at else ""
            for c, text in enumerate((entry.kind.value, entry.value, entry.reason.label, since,
                                      entry.note)):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()

    def add_entry(self) -> None:
        self.error.hide()
        try:
            _record, flagged = self.suppressions.add(self.kind.currentData(), self.value.text(),
                                                     self.reason.currentData(), self.note.text())
        except LeadlineError as error:
            self.error.setText(str(error))
            self.error.show()
            return
        self.changed = True
        self.value.clear()
        self.note.clear()
        self.reload()
        if flagged:
            messages.info(self, "Suppression list", f"{counted(flagged, 'existing lead')} "
                          f"{'was' if flagged == 1 else 'were'} marked do-not-contact.")

    def remove_selected(self) -> None:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        if not rows or not messages.confirm(self, "Remove entries",
                                            f"Remove {counted(len(rows), 'entry', 'entries')} "
                                            "from the list? Leads "
                                            "already marked stay do-not-contact.", "Remove"):
            return
        for row in rows:
            self.suppressions.remove(self.entries[row].id)
        self.changed = True
        self.reload()

    def import_entries(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import suppression list", "",
                                              "CSV or text (*.csv *.txt)")
        if not path:
            return
        with messages.reported(self, "Not imported") as attempt:
            result = self.suppressions.import_file(Path(path))
        if attempt.failed:
            return
        self.changed = True
        self.reload()
        details = "\n".join(result.invalid[:20])
        messages.info(self, "Suppression list imported",
                      f"{result.added:,} added, {result.already_listed:,} already listed, "
                      f"{len(result.invalid):,} invalid; {counted(result.leads_flagged, 'lead')} "
                      "marked "
                      f"do-not-contact.{chr(10) + details if details else ''}")

    def export_entries(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export suppression list",
                                              "suppression-list.csv", "CSV (*.csv)")
        if path:
            count = self.suppressions.export_file(Path(path))
            messages.info(self, "Suppression list",
                          f"{counted(count, 'entry', 'entries')} written.")

    @classmethod
    def ask(cls, suppressions: SuppressionService, parent: QWidget | None = None) -> bool:
        dialog = cls(suppressions, parent)
        dialog.exec()
        return dialog.changed
