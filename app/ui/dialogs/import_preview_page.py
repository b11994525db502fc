"""The import wizard's last step: every row's outcome with its problems marked, before importing."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWizardPage,
)

from app.domain.imports import DuplicatePolicy, ImportReport, RowOutcome
from app.ui import messages
from app.ui.style import alarm_colour
from app.ui.wording import counted
from app.ui.workers import JobState, Lane

if TYPE_CHECKING:
    from app.ui.dialogs.import_wizard import ImportWizard

_BAD = QBrush(QColor("#ffcdd2"))
_WARN = QBrush(QColor("#fff3c4"))
_ON_MARK = QBrush(QColor("#202020"))  # dark text on the light marks, also in the dark theme
_SHOWN_FIELDS = (("first_name", "First name"), ("last_name", "Last name"),
                 ("company", "Company"), ("email", "Email"), ("phone_e164", "Phone"),
                 ("mobile_e164", "Mobile"), ("country", "Country"), ("badge_id", "Badge id"))


class PreviewPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self._preview_job: JobState | None = None
        self._generation = 0  # previews started; only the newest one's result is shown
        self.setTitle("Preview: nothing has been written yet")
        self.event_combo = QComboBox()
        self.policy_combo = QComboBox()
        for policy in DuplicatePolicy:
            self.policy_combo.addItem(policy.label, policy.value)
        check = QPushButton("Check again")
        check.clicked.connect(self.refresh)
        self.event_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.policy_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.event_hint = QLabel()
        self.event_hint.setObjectName("eventHint")
        self.event_hint.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Source &event:", self.event_combo)
        form.addRow("", self.event_hint)
        form.addRow("People already &stored:", self.policy_combo)
        self.counts = QLabel()
        self.counts.setObjectName("importCounts")
        self.rows = QTableWidget(0, 0)
        self.rows.setAccessibleName("Rows to import")
        self.rows.verticalHeader().hide()
        save_rejected = QPushButton("Save rejected rows…")
        save_rejected.clicked.connect(self._save_rejected)
        bottom = QHBoxLayout()
        bottom.addWidget(self.counts, 1)
        bottom.addWidget(check)
        bottom.addWidget(save_rejected)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.rows, 1)
        layout.addLayout(bottom)

    def initializePage(self) -> None:
        self.event_combo.blockSignals(True)
        self.event_combo.clear()
        self.event_combo.addItem("(no event: other source)", None)
        events = self.wiz.services.events
        for event in events.events():
            self.event_combo.addItem(event.name, str(event.id))
        # The show running today, else the one last used; never an arbitrary old one.
        suggested = events.suggested_event()
        found = self.event_combo.findData(str(suggested.id)) if suggested else -1
        self.event_combo.setCurrentIndex(max(found, 0))
        self.event_combo.blockSignals(False)
        self.event_hint.setText(
            "" if suggested is not None or self.event_combo.count() == 1 else
            "No event is running today: choose the show these leads came from, or keep "
            "\u201cno event\u201d for another source (a campaign, a purchased list).")
        self.event_hint.setVisible(bool(self.event_hint.text()))
        self.refresh()

    def choice(self) -> tuple[uuid.UUID | None, DuplicatePolicy]:
        data = self.event_combo.currentData()
        return (uuid.UUID(data) if data else None,
                DuplicatePolicy(self.policy_combo.currentData()))

    def refresh(self) -> None:
        table, mapping = self.wiz.table, self.wiz.mapping
        if table is None or mapping is None:
            return
        event_id, policy = self.choice()
        self.counts.setText("Checking every row…")
        imports = self.wiz.services.imports
        if self._preview_job is not None:
            self._preview_job.cancel()  # the event or policy changed: that preview is moot
        self._generation += 1
        generation = self._generation

        def work(state: JobState) -> ImportReport:
            return imports.preview(table, mapping, event_id, policy,
                                   cancelled=lambda: state.cancelled)

        def failed(error: Exception, _details: str) -> None:
            if generation == self._generation:
                self.counts.setText(str(error))

        def done(report: ImportReport) -> None:
            if generation == self._generation:
                self._show(report)

        self._preview_job = self.wiz.runner.start(work, on_done=done, on_error=failed,
                                                  lane=Lane.READ, owner=self)

    def _show(self, report: ImportReport) -> None:
        self.wiz.report = report
        c = report.counts
        fill = "fills an existing lead" if c.updated == 1 else "fill existing leads"
        self.counts.setText(f"{counted(c.read, 'row')}: <b>{c.created:,} new</b>, {c.updated:,} "
                            f"{fill}, {counted(c.duplicates, 'duplicate')}, "
                            f"<span style='color:{alarm_colour()}'>{c.rejected:,} rejected</span>")
        fields = [name for name, _label in _SHOWN_FIELDS]
        columns = ["Row", "Outcome", "Problems", *[label for _name, label in _SHOWN_FIELDS]]
        self.rows.clear()
        self.rows.setColumnCount(len(columns))
        self.rows.setHorizontalHeaderLabels(columns)
        self.rows.setRowCount(len(report.sample))
        for r, row in enumerate(report.sample):
            problems = row.reason or "; ".join(f"{k}: {v}" for k, v in row.issues.items())
            cells: list[Any] = [str(row.number), row.outcome.value, problems,
                                *[row.values.get(f, "") for f in fields]]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                field = fields[col - 3].replace("_e164", "") if col >= 3 else ""
                if row.outcome is RowOutcome.REJECTED:
                    item.setBackground(_BAD)
                    item.setForeground(_ON_MARK)
                    item.setToolTip(row.reason)
                elif field in row.issues:
                    item.setBackground(_WARN)
                    item.setForeground(_ON_MARK)
                    item.setToolTip(row.issues[field])
                elif col == 2:
                    item.setToolTip(problems)
                self.rows.setItem(r, col, item)
        self.rows.resizeColumnsToContents()
        self.rows.setColumnWidth(2, min(self.rows.columnWidth(2), 300))

    def _save_rejected(self) -> None:
        report, table = self.wiz.report, self.wiz.table
        if report is None or table is None or not report.rejected:
            messages.info(self, "No rejected rows", "Every row can be imported.")
            return
        path, _ = QFileDialog.getSaveFileName(self, "Save rejected rows",
                                              "rejected-rows.csv", "CSV (*.csv)")
        if path:
            self.wiz.services.imports.write_rejected(report, table.info.headers, Path(path))
