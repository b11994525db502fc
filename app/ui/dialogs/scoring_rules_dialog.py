"""Scoring rules, MQL/SQL thresholds and decay; saving offers to re-score every lead.

The rule list is small (tens of rules), so a QTableWidget with editors in the cells is enough.
Re-scoring touches every lead, so it runs on a worker thread with progress and cancel.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QStatusBar,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import LeadlineError, ValidationError
from app.domain.ids import new_id
from app.domain.scoring import ScoreRule, ScoreRuleKind, check_rule
from app.services.container import Services
from app.services.scoring_service import RescoreSummary
from app.ui.operations import Changes, Operation, run_operation
from app.ui.style import alarm_colour
from app.ui.workers import JobState, TaskRunner

KIND, VALUE, POINTS, ENABLED = range(4)
ID_ROLE = Qt.ItemDataRole.UserRole + 1


class ScoringRulesDialog(QDialog):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.scoring = services.scoring
        self.saved = False
        self.setWindowTitle("Scoring rules")
        self.resize(760, 560)
        config = self.scoring.config()
        intro = QLabel("Each matching rule adds its points (negative points speak against a "
                       "lead). A lead becomes an MQL at the MQL threshold and an SQL at the SQL "
                       "threshold.")
        intro.setWordWrap(True)
        self.table = QTableWidget(0, 4)
        self.table.setAccessibleName("Scoring rules")
        self.table.setHorizontalHeaderLabels(["Rule", "Value", "Points", "On"])
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(VALUE, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(KIND, 230)
        self.table.setColumnWidth(POINTS, 80)
        self.table.setColumnWidth(ENABLED, 40)
        for rule in config.rules:
            self._add_row(rule)
        self.add_button = QPushButton("&Add rule")
        self.add_button.setShortcut("Ctrl+N")
        self.add_button.clicked.connect(self.add_rule)
        self.remove_button = QPushButton("&Remove rule")
        self.remove_button.clicked.connect(self.remove_rule)
        rule_buttons = QHBoxLayout()
        rule_buttons.addWidget(self.add_button)
        rule_buttons.addWidget(self.remove_button)
        rule_buttons.addStretch(1)
        self.mql = _spin(0, 1000, config.mql_threshold)
        self.sql = _spin(0, 1000, config.sql_threshold)
        self.decay = _spin(0, 100, config.decay_points_per_week, " points a week")
        self.decay_max = _spin(0, 1000, config.decay_max, " points at most")
        thresholds = QGroupBox("Thresholds and decay")
        form = QFormLayout(thresholds)
        form.addRow("&MQL at score:", self.mql)
        form.addRow("&SQL at score:", self.sql)
        form.addRow("Untouched leads &lose:", self.decay)
        form.addRow("&Decay stops after:", self.decay_max)
        self.error_label = QLabel()
        self.error_label.setObjectName("scoringError")
        self.error_label.setStyleSheet(f"color: {alarm_colour()};")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addLayout(rule_buttons)
        layout.addWidget(thresholds)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)

    def _add_row(self, rule: ScoreRule | None) -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        kind = QComboBox()
        for option in ScoreRuleKind:
            kind.addItem(option.label, option.value)
        kind.setCurrentIndex(kind.findData((rule.kind if rule else ScoreRuleKind.TITLE_CONTAINS).value))
        kind.setAccessibleName("Rule")
        self.table.setCellWidget(row, KIND, kind)
        value = QTableWidgetItem(rule.value if rule else "")
        value.setData(ID_ROLE, rule.id if rule else None)
        self.table.setItem(row, VALUE, value)
        points = _spin(-100, 100, rule.points if rule else 10)
        points.setAccessibleName("Points")
        self.table.setCellWidget(row, POINTS, points)
        enabled = QTableWidgetItem()
        enabled.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
        enabled.setCheckState(Qt.CheckState.Checked if rule is None or rule.enabled
                              else Qt.CheckState.Unchecked)
        self.table.setItem(row, ENABLED, enabled)
        return row

    def add_rule(self) -> None:
        row = self._add_row(None)
        self.table.setCurrentCell(row, VALUE)
        self.table.editItem(self.table.item(row, VALUE))

    def remove_rule(self) -> None:
        rows = sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True)
        for row in rows or ([self.table.currentRow()] if self.table.currentRow() >= 0 else []):
            self.table.removeRow(row)

    def rules(self) -> list[ScoreRule]:
        """The table as rules; raises ValidationError naming the row that is wrong."""
        found = []
        for row in range(self.table.rowCount()):
            kind = self.table.cellWidget(row, KIND)
            points = self.table.cellWidget(row, POINTS)
            value = self.table.item(row, VALUE)
            assert isinstance(kind, QComboBox) and isinstance(points, QSpinBox)
            rule_id: uuid.UUID | None = value.data(ID_ROLE) if value else None
            rule = ScoreRule(rule_id or new_id(), ScoreRuleKind(kind.currentData()),
                             value.text().strip() if value else "", points.value(),
                             self.table.item(row, ENABLED).checkState() == Qt.CheckState.Checked)
            try:
                check_rule(rule)
            except ValidationError as error:
                raise ValidationError.single(f"row {row + 1}", str(error)) from None
            found.append(rule)
        return found

    def save(self) -> None:
        try:
            rules = self.rules()
            # Thresholds first: they are the likeliest to be refused, before anything is stored.
            self.scoring.set_thresholds(self.mql.value(), self.sql.value())
            self.scoring.set_decay(self.decay.value(), self.decay_max.value())
            self.scoring.save_rules(rules)
        except LeadlineError as error:
            self.error_label.setText(str(error))
            self.error_label.show()
            return
        self.saved = True
        self.accept()

    @classmethod
    def ask(cls, services: Services, parent: QWidget | None = None) -> bool:
        dialog = cls(services, parent)
        dialog.exec()
        return dialog.saved


RESCORED = Changes(leads=True)


def rescore_all(parent: QWidget, services: Services, runner: TaskRunner, *,
                on_changes: Callable[[Changes], None],
                on_success: Callable[[RescoreSummary], None],
                status_bar: QStatusBar | None = None) -> None:
    """Re-score every lead on a worker thread. ``on_changes`` runs however the job ends (a
    stopped re-score keeps the leads it did); ``on_success`` gets the summary of a finished one."""
    def work(state: JobState) -> RescoreSummary:
        return services.scoring.rescore_all(progress=state.report,
                                            cancelled=lambda: state.cancelled)

    operation = Operation("Re-score leads", "Re-scoring leads…", work, RESCORED, percent=True,
                          failure_title="Re-scoring stopped")
    run_operation(runner, parent, operation, on_changes=on_changes,
                  on_success=lambda summary, _changes: on_success(summary), status_bar=status_bar)


def _spin(low: int, high: int, value: int, suffix: str = "") -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setValue(value)
    spin.setSuffix(suffix)
    return spin
