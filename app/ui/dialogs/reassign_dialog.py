"""Moving leads between owners: "Assign to…" for a manager's selection, and re-applying the
routing rules to existing leads (preview the plan, then apply exactly that plan, undoable).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QUndoStack
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
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import ConflictError, LeadlineError
from app.domain.leads import LeadStatus
from app.domain.people import Availability
from app.domain.routing import DEFAULT_AFFECTED_STATUSES, Move
from app.services.container import Services
from app.services.reassignment_service import Preview, RunResult
from app.ui import messages
from app.ui.operations import NOTHING, Changes, Operation, run_operation
from app.ui.undo import AssignmentRunCommand
from app.ui.wording import counted
from app.ui.workers import JobState, Lane, TaskRunner

AnyIndex = QModelIndex | QPersistentModelIndex
# Statuses past MQL are in a rep's hands; re-planning them is a reorganisation, not a tidy-up.
_WORKED = frozenset({LeadStatus.SQL, LeadStatus.CONVERTED})


@dataclass(frozen=True)
class Target:
    """Where the manager sends leads: a rep (owner) or a queue, exactly one of them."""

    owner_id: uuid.UUID | None
    queue_id: uuid.UUID | None
    name: str
    reason: str = ""


class AssignToDialog(QDialog):
    """Choose a rep or a queue for the selected leads, with an optional reason."""

    def __init__(self, services: Services, count: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Assign leads")
        self.target = QComboBox()
        self.target.setAccessibleName("Assign to")
        for user in services.people.users():
            if user.role.value not in ("rep", "manager"):
                continue
            away = "" if user.can_receive_leads else f" ({user.availability.label.lower()})"
            self.target.addItem(f"Rep: {user.name}{away}", f"user:{user.id}")
        for queue in services.people.queues():
            self.target.addItem(f"Queue: {queue.name}", f"queue:{queue.id}")
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("Optional: why (kept in each lead's history)")
        form = QFormLayout()
        form.addRow(QLabel(f"{counted(count, 'lead')} selected."))
        form.addRow("&Assign to:", self.target)
        form.addRow("&Reason:", self.reason)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Assign")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def chosen(self) -> Target | None:
        data = self.target.currentData()
        if data is None:
            return None
        kind, _colon, text = str(data).partition(":")
        target_id = uuid.UUID(text)
        name = self.target.currentText().split(": ", 1)[-1]
        return Target(target_id if kind == "user" else None,
                      target_id if kind == "queue" else None, name, self.reason.text().strip())

    @classmethod
    def ask(cls, services: Services, count: int, parent: QWidget | None = None
            ) -> Target | None:
        dialog = cls(services, count, parent)
        return dialog.chosen() if dialog.exec() == QDialog.DialogCode.Accepted else None


class MovesModel(QAbstractTableModel):
    """The planned moves of a preview. A preview over a million leads may hold hundreds of
    thousands of moves, so rows are formatted when shown and lead names fetched only for the
    rows someone scrolls to (and then remembered)."""

    HEADERS = ("Lead", "From", "To", "Rule", "Reason")

    def __init__(self, lead_name: Callable[[uuid.UUID], str], names: dict[uuid.UUID, str],
                 parent: Any = None) -> None:
        super().__init__(parent)
        self.lead_name, self.names = lead_name, names
        self.moves: Sequence[Move] = ()
        self._lead_names: dict[uuid.UUID, str] = {}

    def set_moves(self, moves: Sequence[Move]) -> None:
        self.beginResetModel()
        self.moves = moves
        self._lead_names.clear()
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.moves)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(self.HEADERS)):
            return self.HEADERS[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole,
                                               Qt.ItemDataRole.ToolTipRole):
            return None
        move = self.moves[index.row()]
        column = index.column()
        if column == 0:
            if move.lead_id not in self._lead_names:
                self._lead_names[move.lead_id] = self.lead_name(move.lead_id)
            return self._lead_names[move.lead_id]
        if column == 1:
            return self._place(move.from_owner_id, move.from_queue_id)
        if column == 2:
            return self._place(move.to_owner_id, move.to_queue_id)
        if column == 3:
            return move.rule_name or "—"
        return move.reason

    def _place(self, owner_id: uuid.UUID | None, queue_id: uuid.UUID | None) -> str:
        if owner_id is not None:
            return self.names.get(owner_id, "an unknown user")
        if queue_id is not None:
            return f"queue {self.names.get(queue_id, '?')}"
        return "nobody (orphan)"


class ReassignDialog(QDialog):
    """Re-apply the routing rules: choose statuses, preview the moves, apply that plan."""

    def __init__(self, services: Services, runner: TaskRunner, undo_stack: QUndoStack,
                 on_change: Callable[[], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services, self.runner, self.undo_stack = services, runner, undo_stack
        self.on_change = on_change
        self.preview: Preview | None = None
        self.previewed_statuses: frozenset[LeadStatus] = frozenset()
        self.result: RunResult | None = None
        self.setWindowTitle("Re-apply routing rules")
        self.resize(1060, 600)
        intro = QLabel("Routes existing open leads again with the current rules. Orphans (no "
                       "owner and no queue, or an owner who is away or inactive) are always "
                       "included. Nothing moves until you apply the preview; Ctrl+Z undoes it.")
        intro.setWordWrap(True)
        self.status_boxes: dict[LeadStatus, QCheckBox] = {}
        group = QGroupBox("Leads in these statuses may move")
        grid = QGridLayout(group)
        open_statuses = [s for s in LeadStatus if s.is_open]
        for i, status in enumerate(open_statuses):
            box = QCheckBox(status.label)
            box.setChecked(status in DEFAULT_AFFECTED_STATUSES)
            if status in _WORKED:
                box.setToolTip("Unticked by default: a rep may be working these")
            box.toggled.connect(self._statuses_changed)
            self.status_boxes[status] = box
            grid.addWidget(box, i // 4, i % 4)
        note = QLabel("SQL and later are unticked by default: a rep may be working these.")
        note.setStyleSheet("color: palette(mid);")
        grid.addWidget(note, (len(open_statuses) + 3) // 4, 0, 1, 4)
        self.preview_button = QPushButton("&Preview")
        self.preview_button.setToolTip("Plan the moves without changing anything (Ctrl+P)")
        self.preview_button.setShortcut("Ctrl+P")
        self.preview_button.clicked.connect(self.run_preview)
        self.count_label = QLabel("Preview to see which leads would move.")
        self.count_label.setObjectName("reassignCount")
        top = QHBoxLayout()
        top.addWidget(self.preview_button)
        top.addWidget(self.count_label, 1)
        self.names = _place_names(services)
        self.model = MovesModel(self._lead_name, self.names, self)
        self.table = QTableView()
        self.table.setAccessibleName("Leads that would move")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        for column, width in enumerate((250, 170, 150, 180)):
            self.table.setColumnWidth(column, width)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.apply_button = self.buttons.addButton("&Apply moves",
                                                   QDialogButtonBox.ButtonRole.AcceptRole)
        self.apply_button.setEnabled(False)
        self.apply_button.clicked.disconnect()  # AcceptRole would close before applying
        self.apply_button.clicked.connect(self.apply)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(group)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.buttons)

    def statuses(self) -> frozenset[LeadStatus]:
        return frozenset(s for s, box in self.status_boxes.items() if box.isChecked())

    def _statuses_changed(self) -> None:
        # A preview answers one question; with other statuses it is no longer the plan.
        if self.preview is not None and self.statuses() != self.previewed_statuses:
            self.apply_button.setEnabled(False)
            self.count_label.setText("Statuses changed: preview again.")

    def _lead_name(self, lead_id: uuid.UUID) -> str:
        try:
            record = self.services.leads.get(lead_id)
        except LeadlineError:
            return "(deleted lead)"
        return f"{record.display_name} · {record.company}" if record.company \
            else record.display_name

    def run_preview(self) -> None:
        statuses = self.statuses()
        self.preview_button.setEnabled(False)
        routing = self.services.routing

        def work(state: JobState) -> Preview:
            return routing.preview(statuses, progress=state.report,
                                   cancelled=lambda: state.cancelled)

        def done(preview: Preview) -> None:
            self.preview_button.setEnabled(True)
            self.preview, self.previewed_statuses = preview, statuses
            self.model.set_moves(preview.moves)
            moved = len(preview.moves)
            self.count_label.setText(
                f"{moved:,} of {preview.considered:,} leads would move "
                f"(planned in {preview.seconds:.1f} s)." if moved else
                f"Nothing to move: all {preview.considered:,} leads are where the rules put "
                "them.")
            self.apply_button.setEnabled(moved > 0)

        def failed(_error: Exception) -> bool:
            self.preview_button.setEnabled(True)
            return False  # a cancelled preview changed nothing: run_operation stays quiet

        operation = Operation("Preview", "Planning moves…", work, NOTHING, percent=True,
                              failure_title="Preview failed")
        run_operation(self.runner, self, operation, lane=Lane.READ, on_failure=failed,
                      on_success=lambda preview, _changes: done(preview))

    def apply(self) -> None:
        if self.preview is None or not self.preview.moves:
            return
        statuses, expected = self.previewed_statuses, self.preview.moves
        routing = self.services.routing
        self.apply_button.setEnabled(False)
        def work(_state: JobState) -> RunResult:
            return routing.apply(statuses, expected=expected)

        def done(result: RunResult) -> None:
            self.result = result
            if result.run_id is not None:
                self.undo_stack.push(AssignmentRunCommand(
                    f"Re-apply rules ({len(result.moves):,} leads)", routing, result.run_id,
                    lambda: routing.apply(statuses), self.on_change))
            self.on_change()
            self.accept()

        def failed(error: Exception) -> bool:
            if isinstance(error, ConflictError):
                messages.error(self, "Preview again", "Leads or rules changed since this "
                               "preview, so it is no longer what would happen. Preview again, "
                               "check the moves, then apply.")
                self.count_label.setText("Out of date: preview again.")
                return True
            self.apply_button.setEnabled(True)
            return False

        operation = Operation("Re-apply rules", "Moving leads…", work, Changes(leads=True),
                              can_cancel=False, failure_title="Moves not applied")
        run_operation(self.runner, self, operation, on_failure=failed,
                      on_success=lambda result, _changes: done(result))

    @classmethod
    def ask(cls, services: Services, runner: TaskRunner, undo_stack: QUndoStack,
            on_change: Callable[[], None], parent: QWidget | None = None) -> RunResult | None:
        dialog = cls(services, runner, undo_stack, on_change, parent)
        dialog.exec()
        return dialog.result


def _place_names(services: Services) -> dict[uuid.UUID, str]:
    """Names of everyone and everything a lead can belong to, read once per dialog."""
    names: dict[uuid.UUID, str] = {}
    for user in services.people.users():
        away = "" if user.availability is Availability.ACTIVE \
            else f" ({user.availability.label.lower()})"
        names[user.id] = user.name + away
    names.update({q.id: q.name for q in services.people.queues()})
    names.update({t.id: t.name for t in services.people.teams()})
    return names
