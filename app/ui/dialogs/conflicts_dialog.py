"""The "needs review" inbox: decide the fields two laptops edited at the same time.

A list of open conflicts (record, field, the competing versions side by side, the displayed one
first) over a detail panel: one radio button per version, "Type another value" for free-text
fields, and for a row edited on one laptop while deleted on another "Keep the lead" / "Delete the
lead". Resolving writes the choice through ``SyncService.resolve_conflict`` (an edit that has
seen every version, so it closes the conflict on every laptop after the next sync); the row then
leaves the list and the next one is selected.

Keys: Up/Down move between conflicts, 1/2/3… choose a version, Enter resolves, Ctrl+O opens the
lead (the dialog only asks: ``open_lead_requested``), Esc closes.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QItemSelectionModel, QObject, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import LeadlineError
from app.services.container import Services
from app.ui.dialogs.version_choices import VersionChoices
from app.ui.models.conflict_model import (
    DELETED,
    ConflictModel,
    ValueFormatter,
    field_text,
    is_text_field,
)
from app.ui.style import alarm_colour
from app.ui.workers import JobState, Lane, TaskRunner

if TYPE_CHECKING:
    from app.services.sync.report import OpenConflict

EMPTY_TEXT = ("No conflicts waiting. Edits made on two laptops at the same time appear here "
              "after a sync.")
INTRO_TEXT = ("Changed on two laptops between syncs. Every laptop shows the same value until "
              "someone decides; your choice syncs to the others.")
KEYS_TEXT = "↑/↓ next conflict · 1, 2, 3 choose · Enter resolve · Ctrl+O open lead"
_DIGITS = {getattr(Qt.Key, f"Key_{n}"): n for n in range(1, 10)}
_MOVES = {Qt.Key.Key_Up: -1, Qt.Key.Key_Down: 1}


class ConflictsDialog(QDialog):
    open_lead_requested = Signal(object)  # uuid.UUID of the lead to show
    conflict_resolved = Signal()  # a value was written: lists showing leads may refresh

    def __init__(self, services: Services, runner: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sync conflicts to review")
        self.services, self.runner = services, runner
        self.formatter = ValueFormatter({}, None)
        self.model = ConflictModel(self.formatter, self)

        intro = QLabel(INTRO_TEXT)
        intro.setWordWrap(True)
        self.table = QTableView()
        self.table.setObjectName("conflictTable")
        self.table.setAccessibleName("Open sync conflicts")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)  # long titles are elided; the tooltip has them in full
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        # Every version cell has two lines (value, then who and when): one fixed row height.
        rows = self.table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(2 * self.table.fontMetrics().lineSpacing() + 12)
        self.table.horizontalHeader().setMaximumSectionSize(340)
        self.table.horizontalHeader().setHighlightSections(False)
        self.table.horizontalHeader().setDefaultAlignment(
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_current())
        self.table.doubleClicked.connect(lambda _index: self.open_lead())
        self.table.installEventFilter(self)

        self.detail = QGroupBox()
        self.detail.setObjectName("conflictDetail")
        self.heading = QLabel()
        self.heading.setObjectName("conflictHeading")
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        font = self.heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.heading.setFont(font)
        self.question = QLabel()
        self.question.setWordWrap(True)
        self.versions = VersionChoices(self, key_filter=self)
        self.choices = self.versions.buttons  # the same list, for the keys and the tests
        self.custom, self.custom_edit = self.versions.custom, self.versions.custom_edit
        self.problem = QLabel()
        self.problem.setObjectName("conflictProblem")
        self.problem.setWordWrap(True)
        self.problem.hide()
        detail_layout = QVBoxLayout(self.detail)
        detail_layout.addWidget(self.heading)
        detail_layout.addWidget(self.question)
        detail_layout.addLayout(self.versions.grid)
        detail_layout.addWidget(self.problem)
        detail_layout.addStretch(1)

        self.resolve_button = QPushButton("Resolve")
        self.resolve_button.setAccessibleName("Resolve conflict with the chosen value")
        self.resolve_button.setToolTip("Keep the chosen value on every laptop (Enter)")
        self.resolve_button.setDefault(True)
        self.resolve_button.clicked.connect(self.resolve)
        self.open_button = QPushButton("Open lead")
        self.open_button.setAccessibleName("Open lead")
        self.open_button.setToolTip("Show this lead in the Leads list (Ctrl+O)")
        self.open_button.setAutoDefault(False)
        self.open_button.clicked.connect(self.open_lead)
        self.close_button = QPushButton("Close")
        self.close_button.setAccessibleName("Close")
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.reject)
        self.keys = QLabel(KEYS_TEXT)
        self.keys.setObjectName("conflictKeys")
        self.keys.setEnabled(False)  # the palette's muted text

        page = QWidget()
        page_layout = QVBoxLayout(page)
        page_layout.setContentsMargins(0, 0, 0, 0)
        page_layout.addWidget(intro)
        page_layout.addWidget(self.table, 1)
        page_layout.addWidget(self.detail)
        self.empty = QLabel(EMPTY_TEXT)
        self.empty.setObjectName("conflictsEmpty")
        self.empty.setAccessibleName("No conflicts waiting")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.loading = QLabel("Looking for conflicts…")
        self.loading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pages = QStackedWidget()
        for widget in (page, self.empty, self.loading):
            self.pages.addWidget(widget)
        bottom = QHBoxLayout()
        bottom.addWidget(self.open_button)
        bottom.addStretch(1)
        bottom.addWidget(self.keys)
        bottom.addStretch(1)
        bottom.addWidget(self.resolve_button)
        bottom.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        layout.addLayout(bottom)

        for widget in (self.custom, self.resolve_button, self.open_button, self.close_button):
            widget.installEventFilter(self)
        shortcut = QShortcut(QKeySequence("Ctrl+O"), self)
        shortcut.activated.connect(self.open_lead)
        self.resize(980, 600)
        self.reload()

    # -- loading ------------------------------------------------------------------------------
    def reload(self) -> None:
        """Read the open conflicts again (off the GUI thread when the runner has one)."""
        self.pages.setCurrentWidget(self.loading)
        for widget in (self.open_button, self.keys, self.resolve_button):
            widget.hide()
        sync, people = self.services.sync, self.services.people

        def work(_state: JobState) -> tuple[list[OpenConflict], dict[uuid.UUID, str], str | None]:
            return (sync.open_conflicts(), {u.id: u.name for u in people.users()},
                    sync.incarnation())

        self.runner.start(work, on_done=self._loaded, on_error=self._failed, lane=Lane.READ)

    def _loaded(self, result: tuple[list[OpenConflict], dict[uuid.UUID, str], str | None]
                ) -> None:
        conflicts, names, device = result
        self.formatter.user_names, self.formatter.this_device = names, device
        self.model.set_conflicts(conflicts)
        self._fit_columns()
        self._select(0)

    def _failed(self, error: Exception, _details: str) -> None:
        text = str(error) if isinstance(error, LeadlineError) else "The conflicts could not be read."
        self.empty.setText(text)
        self.pages.setCurrentWidget(self.empty)

    def _fit_columns(self) -> None:
        """The record's title takes the room left; field and versions are as wide as needed."""
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, self.model.columnCount()):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)

    # -- selection ----------------------------------------------------------------------------
    def current_row(self) -> int:
        return self.table.currentIndex().row() if self.table.currentIndex().isValid() else -1

    def current(self) -> OpenConflict | None:
        return self.model.conflict(self.current_row())

    def _select(self, row: int) -> None:
        count = self.model.rowCount()
        for widget in (self.open_button, self.keys, self.resolve_button):
            widget.setVisible(count > 0)
        if count == 0:
            self.empty.setText(EMPTY_TEXT)
            self.pages.setCurrentWidget(self.empty)
            self.close_button.setDefault(True)
            self.close_button.setFocus()
            return
        self.pages.setCurrentWidget(self.pages.widget(0))
        row = max(0, min(row, count - 1))
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(index)
        self._show_current()
        self.table.setFocus()

    def move(self, step: int) -> None:
        if self.model.rowCount():
            self._select(self.current_row() + step)

    def _show_current(self) -> None:
        conflict = self.current()
        self.versions.clear()
        self.problem.hide()
        self.resolve_button.setEnabled(conflict is not None)
        self.open_button.setEnabled(conflict is not None and conflict.lead_id is not None)
        if conflict is None:
            self.heading.clear()
            self.question.clear()
            return
        self.heading.setText(f"{conflict.title} — {field_text(conflict)}")
        self.detail.setAccessibleName(f"Conflict: {conflict.title}, {conflict.field_label}")
        if conflict.field is None:
            self.question.setText("Changed on one laptop while deleted on another. The lead is "
                                  "kept until you decide.")
            self._add_row_choices(conflict)
        else:
            self.question.setText(f"Which {conflict.field_label.lower()} is right?")
            for version in conflict.versions:
                self.versions.add(self.formatter.value(conflict, version.value), version.value,
                                  self.formatter.origin(version), version.shown)
            if is_text_field(conflict):
                self.versions.add_custom()
        if self.choices and self.chosen() < 0:
            self.choices[0].setChecked(True)
        layout = self.detail.layout()
        if layout is not None:
            layout.activate()  # the new buttons get their places now, not at the next paint

    def _add_row_choices(self, conflict: OpenConflict) -> None:
        deleted = next((v for v in conflict.versions if v.value == DELETED), None)
        kept = next((v for v in conflict.versions if v.value != DELETED), None)
        options = [("Keep the lead", True, kept), ("Delete the lead", False, deleted)]
        if kept is not None and deleted is not None and deleted.shown and not kept.shown:
            options.reverse()
        for text, value, version in options:
            origin = ""
            if version is not None:
                done = "deleted" if value is False else "edited"
                where = self.formatter.origin(version)
                origin = f"{done} on {where[:1].lower()}{where[1:]}"
            self.versions.add(text, value, origin, version is not None and version.shown)

    def choose(self, number: int) -> bool:
        """Check version ``number`` (1-based); False when there is no such choice."""
        return self.versions.choose(number)

    def chosen(self) -> int:
        return self.versions.chosen()

    def chosen_value(self) -> Any:
        return self.versions.chosen_value()

    def resolve(self) -> bool:
        conflict, row = self.current(), self.current_row()
        if conflict is None or self.chosen() < 0:
            return False
        try:
            self.services.sync.resolve_conflict(conflict.table, conflict.row_id, conflict.field,
                                                self.chosen_value())
        except LeadlineError as error:
            key = (conflict.table, conflict.row_id, conflict.field)
            if all((c.table, c.row_id, c.field) != key
                   for c in self.services.sync.open_conflicts()):
                self.reload()  # decided meanwhile (on another laptop, synced since): list again
                return False
            palette = self.problem.palette()  # read now: the theme may have changed
            palette.setColor(QPalette.ColorRole.WindowText, QColor(alarm_colour()))
            self.problem.setPalette(palette)
            self.problem.setText(str(error))
            self.problem.show()
            return False
        self.model.remove(row)
        self.conflict_resolved.emit()
        self._select(row)
        return True

    def open_lead(self) -> None:
        conflict = self.current()
        if conflict is not None and conflict.lead_id is not None:
            self.open_lead_requested.emit(conflict.lead_id)

    # -- keys ---------------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and self._handle_key(event, allow_moves=watched is not self.table):
            return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self._handle_key(event, allow_moves=True):
            super().keyPressEvent(event)

    def _handle_key(self, event: QKeyEvent, allow_moves: bool) -> bool:
        """Digits choose (the table would search with them), Up/Down move between conflicts
        (the radio buttons would move between themselves); the table moves on its own."""
        plain = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier \
            == Qt.KeyboardModifier.NoModifier
        if not plain:
            return False
        key = Qt.Key(event.key())
        if key in _DIGITS:
            return self.choose(_DIGITS[key])
        if allow_moves and key in _MOVES and self.model.rowCount():
            self.move(_MOVES[key])
            return True
        return False

