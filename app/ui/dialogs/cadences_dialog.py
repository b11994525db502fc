"""Edit the follow-up cadences: which leads each applies to, and its steps (kind, working-day
offset, title and body with merge fields). Problems are shown next to the steps, not in a box.
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.cadences import MERGE_FIELDS, Cadence, CadenceScope, CadenceStep
from app.domain.errors import LeadlineError, ValidationError
from app.domain.leads import Channel, Rating
from app.domain.tasks import TaskKind
from app.services.container import Services
from app.ui import messages
from app.ui.style import alarm_colour

KIND_COL, OFFSET_COL, TITLE_COL = range(3)
_ID_ROLE = Qt.ItemDataRole.UserRole + 1
_BODY_ROLE = Qt.ItemDataRole.UserRole + 2
MERGE_HINT = "Merge fields: " + " ".join("{" + f + "}" for f in MERGE_FIELDS)


class CadencesDialog(QDialog):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.setWindowTitle("Cadences")
        self.saved_any = False
        self._current: Cadence | None = None
        self._loading = False

        self.cadence_list = QListWidget()
        self.cadence_list.setAccessibleName("Cadences")
        self.cadence_list.currentItemChanged.connect(self._chosen)
        new = QPushButton("&New cadence")
        new.clicked.connect(self.new_cadence)
        self.delete_button = QPushButton("&Delete…")
        self.delete_button.clicked.connect(self.delete_cadence)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.cadence_list, 1)
        left_buttons = QHBoxLayout()
        left_buttons.addWidget(new)
        left_buttons.addWidget(self.delete_button)
        left_layout.addLayout(left_buttons)

        self.name = QLineEdit()
        self.rating_boxes = {r: QCheckBox(r.label) for r in Rating}
        self.channel_boxes = {c: QCheckBox(c.label) for c in Channel}
        scope = QGroupBox("Applies to (nothing ticked = any)")
        grid = QGridLayout(scope)
        grid.addWidget(QLabel("Rating:"), 0, 0)
        for column, box in enumerate(self.rating_boxes.values(), start=1):
            grid.addWidget(box, 0, column)
        grid.addWidget(QLabel("Channel:"), 1, 0)
        for i, box in enumerate(self.channel_boxes.values()):
            grid.addWidget(box, 1 + i // 5, 1 + i % 5)

        self.steps = QTableWidget(0, 3)
        self.steps.setAccessibleName("Steps")
        self.steps.setHorizontalHeaderLabels(["Kind", "Working day", "Title"])
        self.steps.verticalHeader().setDefaultSectionSize(30)
        self.steps.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.steps.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.steps.horizontalHeader()
        header.setSectionResizeMode(TITLE_COL, QHeaderView.ResizeMode.Stretch)
        self.steps.setColumnWidth(KIND_COL, 110)
        self.steps.setColumnWidth(OFFSET_COL, 100)
        self.steps.currentCellChanged.connect(self._step_changed)
        add = QPushButton("&Add step")
        add.clicked.connect(self.add_step)
        self.remove_button = QPushButton("&Remove step")
        self.remove_button.clicked.connect(self.remove_step)
        step_buttons = QHBoxLayout()
        step_buttons.addWidget(add)
        step_buttons.addWidget(self.remove_button)
        step_buttons.addStretch(1)
        self.body = QPlainTextEdit()
        self.body.setPlaceholderText("The email text or talking points of the selected step")
        self.body.setTabChangesFocus(True)
        self.body.textChanged.connect(self._body_edited)
        hint = QLabel(MERGE_HINT)
        hint.setWordWrap(True)
        hint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        hint.setStyleSheet("color: palette(mid);")
        self.errors = QLabel()
        self.errors.setObjectName("cadenceErrors")
        self.errors.setWordWrap(True)
        self.errors.setStyleSheet(f"color: {alarm_colour()};")
        self.errors.hide()

        editor = QWidget()
        form = QFormLayout(editor)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("&Name:", self.name)
        form.addRow(scope)
        form.addRow(QLabel("Steps (working days after the lead got its owner):"))
        form.addRow(self.steps)
        form.addRow(step_buttons)
        form.addRow("&Body:", self.body)
        form.addRow(hint)
        form.addRow(self.errors)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(editor)
        splitter.setSizes([220, 640])
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Close)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(buttons)
        self.resize(920, 640)
        self._reload()

    # -- list ---------------------------------------------------------------------------------
    def _reload(self, select: uuid.UUID | None = None) -> None:
        self.cadence_list.blockSignals(True)
        self.cadence_list.clear()
        for cadence in self.services.cadences.cadences():
            item = QListWidgetItem(cadence.name)
            item.setData(_ID_ROLE, cadence)
            self.cadence_list.addItem(item)
        self.cadence_list.blockSignals(False)
        row = next((i for i in range(self.cadence_list.count())
                    if select and self.cadence_list.item(i).data(_ID_ROLE).id == select), 0)
        if self.cadence_list.count():
            self.cadence_list.setCurrentRow(row)
            self._chosen(self.cadence_list.currentItem(), None)
        else:
            self.new_cadence()

    def _chosen(self, item: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        if item is not None:
            self.load(item.data(_ID_ROLE))

    def new_cadence(self) -> None:
        self.cadence_list.clearSelection()
        self.load(Cadence(uuid.uuid4(), "", (CadenceStep(TaskKind.EMAIL, 1, "", ""),)))
        self.name.setFocus()

    def load(self, cadence: Cadence) -> None:
        self._current = cadence
        self._loading = True
        self.name.setText(cadence.name)
        for rating, box in self.rating_boxes.items():
            box.setChecked(rating in cadence.applies_to.ratings)
        for channel, box in self.channel_boxes.items():
            box.setChecked(channel in cadence.applies_to.channels)
        self.steps.setRowCount(0)
        for step in cadence.steps:
            self._append_step(step)
        self._loading = False
        self.show_errors(None)
        if cadence.steps:
            self.steps.setCurrentCell(0, TITLE_COL)
        self._step_changed(self.steps.currentRow(), 0, -1, -1)

    # -- steps --------------------------------------------------------------------------------
    def _append_step(self, step: CadenceStep) -> int:
        row = self.steps.rowCount()
        self.steps.insertRow(row)
        kind = QComboBox()
        for value in TaskKind:
            kind.addItem(value.label, value)
        kind.setCurrentIndex(kind.findData(step.kind))
        offset = QSpinBox()
        offset.setRange(0, 250)
        offset.setValue(step.offset_days)
        offset.setSuffix(" d")
        kind.setAccessibleName("Step kind")
        offset.setAccessibleName("Working days after the lead gets its owner")
        self.steps.setCellWidget(row, KIND_COL, kind)
        self.steps.setCellWidget(row, OFFSET_COL, offset)
        title = QTableWidgetItem(step.title)
        title.setData(_BODY_ROLE, step.body)
        self.steps.setItem(row, TITLE_COL, title)
        return row

    def add_step(self) -> None:
        last = self.step_values()[-1:] if self.steps.rowCount() else []
        offset = last[0].offset_days + 1 if last else 1
        row = self._append_step(CadenceStep(TaskKind.CALL, offset, "", ""))
        self.steps.setCurrentCell(row, TITLE_COL)
        self.steps.editItem(self.steps.item(row, TITLE_COL))

    def remove_step(self) -> None:
        row = self.steps.currentRow()
        if row >= 0:
            self.steps.removeRow(row)

    def _step_changed(self, row: int, _column: int, _old_row: int, _old_column: int) -> None:
        item = self.steps.item(row, TITLE_COL) if row >= 0 else None
        self._loading = True
        self.body.setPlainText(str(item.data(_BODY_ROLE) or "") if item else "")
        self.body.setEnabled(item is not None)
        self._loading = False
        self.remove_button.setEnabled(item is not None)

    def _body_edited(self) -> None:
        if self._loading:
            return
        item = self.steps.item(self.steps.currentRow(), TITLE_COL)
        if item is not None:
            item.setData(_BODY_ROLE, self.body.toPlainText())

    def step_values(self) -> list[CadenceStep]:
        steps = []
        for row in range(self.steps.rowCount()):
            kind = self.steps.cellWidget(row, KIND_COL)
            offset = self.steps.cellWidget(row, OFFSET_COL)
            item = self.steps.item(row, TITLE_COL)
            assert isinstance(kind, QComboBox) and isinstance(offset, QSpinBox)
            steps.append(CadenceStep(TaskKind(kind.currentData()), offset.value(),
                                     item.text().strip() if item else "",
                                     str(item.data(_BODY_ROLE) or "") if item else ""))
        return steps

    def cadence(self) -> Cadence:
        assert self._current is not None
        scope = CadenceScope(
            frozenset(r for r, box in self.rating_boxes.items() if box.isChecked()),
            frozenset(c for c, box in self.channel_boxes.items() if box.isChecked()),
            self._current.applies_to.event_ids)
        return Cadence(self._current.id, self.name.text().strip(), tuple(self.step_values()),
                       scope)

    # -- saving -------------------------------------------------------------------------------
    def show_errors(self, error: ValidationError | None) -> None:
        for row in range(self.steps.rowCount()):
            item = self.steps.item(row, TITLE_COL)
            if item is not None:
                item.setToolTip("")
                item.setBackground(Qt.GlobalColor.transparent)
        if error is None:
            self.errors.hide()
            return
        lines = []
        for problem in error.errors:
            lines.append(f"{problem.field.capitalize()}: {problem.message}")
            if problem.field.startswith("step "):
                row = int(problem.field.split()[1]) - 1
                item = self.steps.item(row, TITLE_COL)
                if item is not None:
                    item.setToolTip(problem.message)
                    item.setBackground(Qt.GlobalColor.yellow)
        self.errors.setText("\n".join(lines))
        self.errors.show()

    def save(self) -> bool:
        cadence = self.cadence()
        try:
            self.services.cadences.save_cadence(cadence)
        except ValidationError as error:
            self.show_errors(error)
            return False
        except LeadlineError as error:
            messages.error(self, "Cadence not saved", str(error))
            return False
        self.saved_any = True
        self._reload(cadence.id)
        return True

    def delete_cadence(self) -> None:
        item = self.cadence_list.currentItem()
        if item is None:
            return
        cadence = item.data(_ID_ROLE)
        if not messages.confirm(self, "Delete cadence", f"Delete the cadence “{cadence.name}”? "
                                "Tasks already planned stay; new leads get another cadence.",
                                "Delete"):
            return
        with messages.reported(self, "Cadence not deleted") as attempt:
            self.services.cadences.delete_cadence(cadence.id)
        if attempt.failed:
            return
        self.saved_any = True
        self._reload()

    @classmethod
    def ask(cls, services: Services, parent: QWidget | None = None) -> bool:
        dialog = cls(services, parent)
        dialog.exec()
        return dialog.saved_any
