"""Duplicates: scan, compare two leads side by side, choose per field, merge or dismiss.

Merges go on the window's undo stack (Ctrl+Z splits them again); "not a duplicate" is stored,
so the pair is never proposed again. "Merge all" merges every listed group at once, off the GUI
thread; each of its merges is undone on its own (``dedupe unmerge``), not with Ctrl+Z.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.dedupe.clusters import clusters
from app.domain.dedupe.keys import DEFAULT_MIN_SCORE, CandidatePair
from app.domain.errors import LeadlineError
from app.domain.leads import EDITABLE_FIELDS, LeadRecord
from app.domain.progress import CancelledError
from app.services.container import Services
from app.services.merge_service import MergeAllResult
from app.ui import messages
from app.ui.operations import NOTHING, Changes, Operation, run_operation
from app.ui.undo import MergeLeadsCommand
from app.ui.wording import counted
from app.ui.workers import JobState, Lane, TaskRunner

_DIFFERENT = QBrush(QColor("#fff3c4"))
_ON_HIGHLIGHT = QBrush(QColor("#202020"))


class DuplicatesPage(QWidget):
    def __init__(self, services: Services, runner: TaskRunner, undo_stack: QUndoStack,
                 on_change: Callable[[], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services, self.runner, self.undo_stack = services, runner, undo_stack
        self.on_change = on_change
        self.pairs: list[CandidatePair] = []
        self.scanned_score = float(DEFAULT_MIN_SCORE)  # the threshold the listed pairs met
        self.names: dict[uuid.UUID, str] = {}
        self.current: tuple[LeadRecord, LeadRecord] | None = None
        top = QHBoxLayout()
        self.scan_button = QPushButton("Scan for duplicates")
        self.scan_button.clicked.connect(self.scan)
        self.min_score = QSpinBox()
        self.min_score.setRange(50, 100)
        self.min_score.setValue(int(DEFAULT_MIN_SCORE))
        self.min_score.setPrefix("score ≥ ")
        self.min_score.setAccessibleName("Lowest similarity score to show")
        self.merge_all_button = QPushButton("Merge &all…")
        self.merge_all_button.setToolTip("Merge every listed group into its lead with the most "
                                         "filled fields (then the oldest); asks first")
        self.merge_all_button.clicked.connect(self.merge_all)
        self.merge_all_button.setEnabled(False)
        self.status = QLabel("Compares every lead: same email, phone or badge, similar names "
                             "backed by the same company, or people known only by name, "
                             "postal address and date of birth.")
        self.status.setWordWrap(True)
        top.addWidget(self.scan_button)
        top.addWidget(self.min_score)
        top.addWidget(self.merge_all_button)
        top.addWidget(self.status, 1)
        self.pair_table = QTableWidget(0, 4)
        self.pair_table.setAccessibleName("Possible duplicates")
        self.pair_table.setHorizontalHeaderLabels(["Score", "Lead A", "Lead B", "Why"])
        self.pair_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.pair_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.pair_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.pair_table.verticalHeader().hide()
        self.pair_table.horizontalHeader().setStretchLastSection(True)
        self.pair_table.currentCellChanged.connect(lambda row, *_: self.show_pair(row))
        self.compare = QTableWidget(0, 4)
        self.compare.setAccessibleName("Side-by-side comparison")
        self.compare.setHorizontalHeaderLabels(["Field", "Lead A", "Lead B", "Keep"])
        self.compare.verticalHeader().hide()
        self.compare.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.compare.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.merge_a = QPushButton("Merge into A")
        self.merge_a.clicked.connect(lambda: self.merge(keep_first=True))
        self.merge_b = QPushButton("Merge into B")
        self.merge_b.clicked.connect(lambda: self.merge(keep_first=False))
        self.dismiss_button = QPushButton("Not a duplicate")
        self.dismiss_button.clicked.connect(self.dismiss)
        actions = QHBoxLayout()
        explanation = QLabel("Highlighted rows differ; choose which value to keep. Merging "
                             "moves history, tasks and answers; Ctrl+Z undoes it.")
        explanation.setWordWrap(True)  # wraps beside the buttons instead of widening the page
        explanation.setMinimumWidth(120)
        actions.addWidget(explanation, 1)
        for button in (self.dismiss_button, self.merge_b, self.merge_a):
            actions.addWidget(button)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.compare, 1)
        right_layout.addLayout(actions)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.pair_table)
        splitter.addWidget(right)
        splitter.setSizes([520, 680])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        self._enable(False)

    # -- scanning -----------------------------------------------------------------------------
    def scan(self) -> None:
        min_score = float(self.min_score.value())

        def work(state: JobState) -> tuple[list[CandidatePair], dict[uuid.UUID, str]]:
            pairs = self.services.dedupe.scan(min_score=min_score, progress=state.report,
                                              cancelled=lambda: state.cancelled)
            names = self.services.dedupe.display_names({i for p in pairs for i in (p.a, p.b)})
            return pairs, names

        def done(result: tuple[list[CandidatePair], dict[uuid.UUID, str]]) -> None:
            self.pairs, self.names = result
            self.scanned_score = min_score
            self.status.setText(
                f"{counted(len(self.pairs), 'likely duplicate pair')}: pick one to compare."
                if self.pairs
                else "No likely duplicates at this score: nothing to merge.")
            self._fill_pairs()

        operation = Operation("Duplicates", "Looking for duplicates…", work, NOTHING,
                              percent=True, failure_title="Scan stopped")
        run_operation(self.runner, self, operation, on_success=lambda result, _changes: done(result),
                      lane=Lane.READ)

    def _fill_pairs(self) -> None:
        self.merge_all_button.setEnabled(bool(self.pairs))
        self.pair_table.setRowCount(len(self.pairs))
        for row, pair in enumerate(self.pairs):
            for column, text in enumerate((f"{pair.score:.0f}", self.names.get(pair.a, ""),
                                           self.names.get(pair.b, ""), "; ".join(pair.reasons))):
                item = QTableWidgetItem(text)
                item.setToolTip(text)  # whole, where the column cuts it short
                self.pair_table.setItem(row, column, item)
        for column in range(3):
            # The reasons column takes what is left and elides (the tooltip has them whole):
            # an address pair's reasons are longer than any window is wide.
            self.pair_table.resizeColumnToContents(column)
        if self.pairs:
            self.pair_table.selectRow(0)
        else:
            self.show_pair(-1)

    # -- comparing ----------------------------------------------------------------------------
    def show_pair(self, row: int) -> None:
        if not 0 <= row < len(self.pairs):
            self.current = None
            self.compare.setRowCount(0)
            self._enable(False)
            return
        pair = self.pairs[row]
        try:
            first, second = self.services.leads.get(pair.a), self.services.leads.get(pair.b)
        except LeadlineError:  # merged or deleted meanwhile
            self._drop_pairs_with({pair.a, pair.b} - self._live({pair.a, pair.b}))
            return
        self.current = (first, second)
        fields = [f for f in EDITABLE_FIELDS
                  if first.value_of(f.name) or second.value_of(f.name)]
        self.compare.setRowCount(len(fields))
        for r, spec in enumerate(fields):
            a, b = _shown(first.value_of(spec.name)), _shown(second.value_of(spec.name))
            items = [QTableWidgetItem(spec.label), QTableWidgetItem(a), QTableWidgetItem(b)]
            items[0].setData(Qt.ItemDataRole.UserRole, spec.name)
            for item in items:
                item.setToolTip(item.text())
            for c, item in enumerate(items):
                if a != b:
                    item.setBackground(_DIFFERENT)
                    item.setForeground(_ON_HIGHLIGHT)  # dark text on the light mark, any theme
                self.compare.setItem(r, c, item)
            choice = QComboBox()
            choice.addItems(["A", "B"])
            choice.setCurrentIndex(0 if a else 1)
            choice.setEnabled(a != b)
            choice.setAccessibleName(f"Keep {spec.label} from lead")
            self.compare.setCellWidget(r, 3, choice)
        self.compare.resizeColumnToContents(0)
        self._enable(True)

    def _choices(self) -> dict[str, str]:
        chosen = {}
        for r in range(self.compare.rowCount()):
            combo = self.compare.cellWidget(r, 3)
            if isinstance(combo, QComboBox) and combo.isEnabled():
                chosen[self.compare.item(r, 0).data(Qt.ItemDataRole.UserRole)] = \
                    combo.currentText()
        return chosen

    # -- acting -------------------------------------------------------------------------------
    def merge(self, keep_first: bool) -> None:
        if self.current is None:
            return
        first, second = self.current
        keep, other = (first, second) if keep_first else (second, first)
        other_letter = "B" if keep_first else "A"
        take = [name for name, letter in self._choices().items() if letter == other_letter]
        with messages.reported(self, "Not merged") as attempt:
            result = self.services.merges.merge(keep.id, other.id, take)
        if attempt.failed:
            return
        self.undo_stack.push(MergeLeadsCommand(self.services.merges, keep.id, other.id, take,
                                               result.merged_id, self._after_undo))
        self._drop_pairs_with({other.id})
        self.status.setText(f"Merged {other.display_name} into {keep.display_name}. Ctrl+Z "
                            "undoes it.")
        # The merge buttons may have just been disabled: keep focus on this page (Qt would move
        # it to the next widget, the toolbar's search box, whose own Ctrl+Z would do nothing).
        self.pair_table.setFocus()
        self.on_change()

    def dismiss(self) -> None:
        row = self.pair_table.currentRow()
        if not 0 <= row < len(self.pairs):
            return
        pair = self.pairs.pop(row)
        self.services.dedupe.dismiss(pair.a, pair.b)
        self._fill_pairs()
        self.pair_table.selectRow(min(row, len(self.pairs) - 1))

    def merge_all(self) -> None:
        """Ask, then merge every listed group into its survivor off the GUI thread."""
        if not self.pairs:
            return
        min_score = self.scanned_score
        groups = clusters(self.pairs)
        away = sum(len(group) - 1 for group in groups)
        question = (
            f"Merge {counted(len(self.pairs), 'listed pair')} (score ≥ {min_score:g}): "
            f"{counted(away, 'lead')} will be merged away into "
            f"{counted(len(groups), 'survivor')}, the lead of each person with the most filled "
            "fields (then the oldest capture). The survivor's values are kept; its blanks are "
            "filled, and history, tasks and answers move over.\n\nThe leads are scanned again "
            "first, so the counts can change a little; pairs marked \"Not a duplicate\" are "
            "never merged. Each merge can be undone on its own with: main.py dedupe unmerge "
            "ID (the survivor's history names each lead merged into it).")
        if not messages.confirm(self, "Merge all duplicates", question, "Merge all"):
            return

        def work(state: JobState) -> MergeAllResult:
            return self.services.merges.merge_all(min_score, progress=state.report,
                                                  cancelled=lambda: state.cancelled)

        def done(result: MergeAllResult) -> None:
            self._after_merge_all(
                {i for group in result.groups for i in group.merged},
                f"Merged {counted(result.leads_merged, 'lead')} into "
                f"{counted(len(result.groups), 'survivor')}. Each merge can be undone with "
                "dedupe unmerge.")

        def stopped(error: Exception) -> bool:
            # Which pairs are left is unknown after a stop: the list is emptied, not guessed.
            if isinstance(error, CancelledError):
                self._after_merge_all(None, f"{error} Scan again to see the pairs left.")
                return True
            self._after_merge_all(None, "Merge all failed; the merges done before the error "
                                        "are kept. Scan again to see the pairs left.")
            return False  # run_operation shows the error itself

        self.merge_all_button.setEnabled(False)
        operation = Operation("Merge all duplicates", "Merging duplicates…", work,
                              Changes(leads=True, tasks=True), percent=True,
                              failure_title="Merge all stopped")
        run_operation(self.runner, self, operation, on_success=lambda result, _changes: done(result),
                      on_failure=stopped)

    def _after_merge_all(self, merged: set[uuid.UUID] | None, message: str) -> None:
        """Drop the pairs of the leads merged away (all pairs when unknown), say what happened,
        and tell the window."""
        self._drop_pairs_with(merged if merged is not None else
                              {i for p in self.pairs for i in (p.a, p.b)})
        self.status.setText(message)
        self.pair_table.setFocus()  # the button may be disabled now: keep focus on the page
        self.on_change()

    def _after_undo(self) -> None:
        self.status.setText("Merge undone: both leads are back. Scan again to see the pair.")
        self.on_change()

    def _drop_pairs_with(self, gone: set[uuid.UUID]) -> None:
        row = max(self.pair_table.currentRow(), 0)
        self.pairs = [p for p in self.pairs if p.a not in gone and p.b not in gone]
        self._fill_pairs()
        if self.pairs:
            self.pair_table.selectRow(min(row, len(self.pairs) - 1))

    def _live(self, ids: set[uuid.UUID]) -> set[uuid.UUID]:
        alive = set()
        for lead_id in ids:
            try:
                self.services.leads.get(lead_id)
                alive.add(lead_id)
            except LeadlineError:
                continue
        return alive

    def _enable(self, on: bool) -> None:
        for button in (self.merge_a, self.merge_b, self.dismiss_button):
            button.setEnabled(on)



def _shown(value: object) -> str:
    """A value as people read it: enum labels, empty for nothing."""
    if value is None or value == "":
        return ""
    return str(getattr(value, "label", value))
