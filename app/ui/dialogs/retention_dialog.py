"""Data → Retention rule… (admins): how many months a lead that never converted is kept, the
leads the rule lists today, and erasing them after a typed confirmation (cannot be undone)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.retention import MAX_MONTHS
from app.services.retention_service import RetentionErasure, RetentionService
from app.ui import messages
from app.ui.dialogs.erasure_dialog import CONFIRM_WORD
from app.ui.operations import Changes, Operation, run_operation
from app.ui.tables import read_only_rows
from app.ui.wording import counted
from app.ui.workers import JobState, TaskRunner

PREVIEW_ROWS = 200


class RetentionDialog(QDialog):
    def __init__(self, retention: RetentionService, runner: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Retention rule")
        self.retention, self.runner = retention, runner
        self.erased: RetentionErasure | None = None
        self.months = QSpinBox()
        self.months.setRange(0, MAX_MONTHS)
        self.months.setSpecialValueText("Off: keep every lead")
        self.months.setSuffix(" months")
        self.months.setAccessibleName("Months a lead never converted is kept")
        self.months.setValue(retention.months)
        self.months.valueChanged.connect(self.reload)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["Captured", "Status", "Name", "Company"])
        read_only_rows(self.table, "Leads the rule lists")
        self.confirmation = QLineEdit()
        self.confirmation.setPlaceholderText(f"Type {CONFIRM_WORD} to confirm")
        self.confirmation.setAccessibleName("Confirmation")
        self.confirmation.textChanged.connect(self._enable)
        self.save_button = QPushButton("&Keep as the team's rule")
        self.save_button.setToolTip("Shared with every laptop through sync")
        self.save_button.clicked.connect(self.save_rule)
        self.erase_button = QPushButton("&Erase these leads")
        self.erase_button.clicked.connect(self.erase)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.erase_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Keep leads never &converted for:", self.months)
        form.addRow(f"Type {CONFIRM_WORD}:", self.confirmation)
        layout = QVBoxLayout(self)
        intro = QLabel("Leads that never became customers (converted or won) are listed once "
                       "they are older than this; erasing one removes the person completely, as "
                       "a request to be forgotten does, on every laptop after the next sync.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addStretch(0)
        layout.addWidget(buttons)
        self.total = 0
        self.reload()
        self.resize(760, 480)

    def reload(self) -> None:
        months = self.months.value()
        self.cutoff = self.retention.cutoff(months) if months else None
        self.total = self.retention.count(months)
        listed = self.retention.candidates(months, limit=PREVIEW_ROWS)
        self.table.setRowCount(len(listed))
        for row, lead in enumerate(listed):
            for column, text in enumerate((lead.created_at.date().isoformat(), lead.status.label,
                                           lead.name, lead.company)):
                self.table.setItem(row, column, QTableWidgetItem(text))
        if months == 0:
            self.summary.setText("The rule is off: every lead is kept.")
        else:
            cutoff = self.retention.cutoff(months).date().isoformat()
            more = f" (the first {len(listed):,} shown)" if self.total > len(listed) else ""
            unsaved = (" Keep it as the team's rule to erase them."
                       if months != self.retention.months and self.total else "")
            self.summary.setText(f"{counted(self.total, 'lead')} never converted, captured "
                                 f"before {cutoff}{more}.{unsaved}")
        self.table.setVisible(self.total > 0)
        self.save_button.setEnabled(months != self.retention.months)
        self._enable()

    def _enable(self) -> None:
        # Only the team's saved rule erases, so the audit trail names the rule that did it.
        self.erase_button.setEnabled(self.total > 0 and
                                     self.months.value() == self.retention.months and
                                     self.confirmation.text().strip() == CONFIRM_WORD)

    def save_rule(self) -> None:
        self.retention.set_months(self.months.value())
        self.reload()

    def erase(self) -> None:
        months, total, cutoff = self.months.value(), self.total, self.cutoff
        if cutoff is None or not messages.confirm(self, "Erase leads",
                                f"Erase {counted(total, 'lead')} completely? This cannot be "
                                "undone.", "Erase"):
            return

        def work(state: JobState) -> RetentionErasure:
            return self.retention.erase_expired(months, progress=state.report,
                                                cancelled=lambda: state.cancelled,
                                                confirmed=(cutoff, total))

        def done(result: RetentionErasure, _changes: Changes) -> None:
            self.erased = result
            self.confirmation.clear()
            self.reload()
            stopped = " (stopped: the rest are kept)" if result.cancelled else ""
            messages.info(self, "Retention rule",
                          f"{counted(result.erased, 'lead')} erased{stopped}.")

        operation = Operation("Erase leads", f"Erasing {counted(total, 'lead')}…", work,
                              Changes(leads=True, tasks=True), percent=True)
        run_operation(self.runner, self, operation, on_success=done)
