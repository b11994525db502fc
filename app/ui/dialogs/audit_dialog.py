"""Data → Audit trail… (admins): who exported, reported, printed, erased or changed many
records at once, when, what and how many; filtered by action, exported as CSV."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.audit import AuditAction
from app.services.audit_service import AuditService
from app.ui import messages
from app.ui.models.audit_model import AuditModel
from app.ui.tables import read_only_rows
from app.ui.wording import counted

PAGE = 200
EMPTY_TEXT = ("Nothing recorded yet. Every export, report, print, erasure, merge of all "
              "duplicates, re-assignment of all leads and undone import appears here, from every "
              "laptop of the team.")


class AuditDialog(QDialog):
    def __init__(self, audit: AuditService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Audit trail")
        self.audit = audit
        self.action = QComboBox()
        self.action.setAccessibleName("Show entries of")
        self.action.addItem("All actions", None)
        for action in AuditAction:
            self.action.addItem(action.label, action.value)
        self.action.currentIndexChanged.connect(self.reload)
        self.count_label = QLabel()
        self.model = AuditModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        read_only_rows(self.table, "Audit entries")
        self.empty_label = QLabel(EMPTY_TEXT)
        self.empty_label.setWordWrap(True)
        self.more_button = QPushButton("Show &more")
        self.more_button.clicked.connect(self.show_more)
        self.export_button = QPushButton("&Export as CSV…")
        self.export_button.clicked.connect(self.export_csv)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.export_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        top = QHBoxLayout()
        top.addWidget(QLabel("&Show:"))
        top.itemAt(0).widget().setBuddy(self.action)  # type: ignore[union-attr]
        top.addWidget(self.action)
        top.addStretch(1)
        top.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.more_button)
        layout.addWidget(buttons)
        self.total = 0
        self.reload()
        self.resize(860, 460)

    def _chosen(self) -> AuditAction | None:
        chosen = self.action.currentData()
        return AuditAction(chosen) if chosen else None

    def reload(self) -> None:
        self.total = self.audit.count(self._chosen())
        self.model.set_rows(self.audit.entries(limit=PAGE, action=self._chosen()))
        self._show_counts()

    def show_more(self) -> None:
        self.model.append_rows(self.audit.entries(limit=PAGE, offset=self.model.rowCount(),
                                                  action=self._chosen()))
        self._show_counts()

    def _show_counts(self) -> None:
        shown = self.model.rowCount()
        self.count_label.setText(counted(self.total, "entry", "entries") if shown >= self.total
                                 else f"{shown:,} of {counted(self.total, 'entry', 'entries')}")
        self.empty_label.setVisible(self.total == 0)
        self.table.setVisible(self.total > 0)
        self.more_button.setVisible(shown < self.total)
        self.export_button.setEnabled(self.total > 0)

    def export_csv(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export the audit trail", "audit-trail.csv",
                                              "CSV (*.csv)")
        if not path:
            return
        written = self.audit.export_csv(Path(path))
        self.reload()  # the export is an entry of its own
        messages.info(self, "Audit trail", f"{counted(written, 'entry', 'entries')} written to "
                                           f"{Path(path).name}.")
