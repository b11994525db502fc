"""The detail pane beside the lead list: every field editable in place, and the history timeline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QUndoStack
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.data_quality import lacks_contact_person
from app.domain.errors import EditConflictError, LeadlineError, ValidationError
from app.domain.leads import LeadRecord
from app.domain.review import reason_text
from app.domain.value_vocabulary import describe_originals
from app.services.lead_service import LeadService
from app.ui import messages
from app.ui.card_pictures_panel import CardPicturesPanel
from app.ui.lead_form import FormChoices, LeadForm, to_service_values
from app.ui.lead_tasks import LeadTasksPanel
from app.ui.models.history_model import HistoryModel
from app.ui.style import ALARM, WARNING, emphasise, make_heading, set_tone
from app.ui.undo import UpdateLeadCommand
from app.ui.wording import edit_conflict_question


class LeadDetailPane(QWidget):
    """Shows one lead. ``saved`` carries the stored record after an edit or a note."""

    saved = Signal(object)
    touched = Signal()  # a touch was logged or a task snoozed from this pane

    def __init__(self, leads: LeadService, undo_stack: QUndoStack, choices: FormChoices,
                 clock: Callable[[], dt.datetime], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.leads, self.undo_stack, self.clock = leads, undo_stack, clock
        self.record: LeadRecord | None = None
        self.services: Any = None  # the follow-up services, attached by the main window
        self.stack = QStackedWidget()
        placeholder = QLabel("Select a lead to see and edit its details.\n\n"
                             "Ctrl+N adds a new lead.")
        placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        placeholder.setWordWrap(True)
        placeholder.setObjectName("detailPlaceholder")
        self.stack.addWidget(placeholder)
        self.stack.addWidget(self._build_detail(choices))
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)

    def _build_detail(self, choices: FormChoices) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.title = make_heading(QLabel(), 16)
        self.title.setObjectName("leadTitle")
        self.title.setWordWrap(True)  # a long name wraps rather than widening the pane
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.subtitle = QLabel()
        self.subtitle.setWordWrap(True)
        # One line that never wraps, so the date and time always show whole; the review
        # reason, which can be long, has a wrapping line of its own.
        self.next_step = QLabel()
        self.next_step.setObjectName("nextStep")
        self.review_note = QLabel()
        self.review_note.setObjectName("reviewNote")
        self.review_note.setWordWrap(True)
        set_tone(self.review_note, WARNING)
        # What the capture could not give: nobody named, values no rule could translate.
        self.capture_note = QLabel()
        self.capture_note.setObjectName("captureNote")
        self.capture_note.setWordWrap(True)
        self.capture_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.capture_note)
        layout.addWidget(self.next_step)
        layout.addWidget(self.review_note)
        self.tasks = LeadTasksPanel(self.clock)
        self.tasks.touched.connect(self._after_touch)
        layout.addWidget(self.tasks)
        self.tabs = QTabWidget()
        layout.addWidget(self.tabs, 1)

        self.form = LeadForm(choices)
        self.form.edited.connect(self._update_buttons)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self.form)
        # The pane never gets narrower than the form needs: no editor runs past its edge.
        scroll.setMinimumWidth(self.form.minimumSizeHint().width() + 2 * scroll.frameWidth()
                               + scroll.verticalScrollBar().sizeHint().width())
        details = QWidget()
        details_layout = QVBoxLayout(details)
        details_layout.setContentsMargins(0, 4, 0, 0)
        details_layout.addWidget(scroll, 1)
        buttons = QHBoxLayout()
        # Connected by the main window, which holds the scoring service ("why this score"
        # one click away, as the screens brief asks).
        self.why_button = QPushButton("Why this score?")
        self.why_button.setToolTip("The scoring rules behind this lead's score (Ctrl+Shift+W)")
        buttons.addWidget(self.why_button)
        buttons.addStretch(1)
        self.revert_button = QPushButton("Revert")
        self.revert_button.setToolTip("Forget unsaved changes (Esc)")
        self.revert_button.clicked.connect(self.revert)
        self.save_button = QPushButton("Save")
        self.save_button.setToolTip("Save changes (Ctrl+S)")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)
        details_layout.addLayout(buttons)
        self.tabs.addTab(details, "&Details")

        history = QWidget()
        history_layout = QVBoxLayout(history)
        self.history_model = HistoryModel(self)
        self.history_view = QListView()
        self.history_view.setAccessibleName("History, newest first")
        self.history_view.setModel(self.history_model)
        self.history_view.setWordWrap(True)
        self.history_view.setAlternatingRowColors(True)
        self.history_view.setSpacing(2)
        self.note_edit = QPlainTextEdit()
        self.note_edit.setPlaceholderText("Add a note… (Ctrl+Enter)")
        self.note_edit.setMaximumHeight(70)
        self.note_edit.setTabChangesFocus(True)
        add_note = QPushButton("Add note")
        add_note.clicked.connect(self.add_note)
        QShortcut(QKeySequence("Ctrl+Return"), self.note_edit, self.add_note)
        history_layout.addWidget(self.history_view, 1)
        history_layout.addWidget(self.note_edit)
        note_row = QHBoxLayout()
        note_row.addStretch(1)
        note_row.addWidget(add_note)
        history_layout.addLayout(note_row)
        self.tabs.addTab(history, "&History")
        self.card_pictures = CardPicturesPanel()
        # No mnemonic: every letter of "Card" is taken by the form's fields (Ctrl+Tab reaches it).
        self.tabs.addTab(self.card_pictures, "Card")
        # Only for a lead read from a business card.
        self.tabs.setTabVisible(self.tabs.indexOf(self.card_pictures), False)
        QShortcut(QKeySequence("Escape"), self.form, self.revert,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        return page

    # -- showing ------------------------------------------------------------------------------
    def show_lead(self, record: LeadRecord | None) -> None:
        self.record = record
        if record is None:
            self.stack.setCurrentIndex(0)
            return
        self.stack.setCurrentIndex(1)
        self.form.load(record)
        self._show_header(record)
        self.tasks.show_tasks(record)
        self._load_history()
        self._load_card_pictures()
        self._update_buttons()

    def _show_header(self, record: LeadRecord) -> None:
        self.title.setText(record.display_name)
        company = (f"{record.company} (suggested from {record.company_source})"
                   if record.company and record.company_source else record.company)
        parts = [p for p in (record.title, company) if p]
        owner = record.owner_name or "Unassigned — nobody owns this lead"
        parts += [record.status.label, f"Owner: {owner}"]
        if record.event_name:
            parts.append(f"Source: {record.event_name}")
        self.subtitle.setText(" · ".join(parts))
        now = self.clock()
        overdue = (record.next_due_at is not None and record.next_due_at < now
                   and record.status.is_open)
        if record.next_due_at is None:
            self.next_step.setText("No follow-up planned")
        else:
            # One zone everywhere: the team's working-time zone, as My day and the task list.
            zone = self.services.cadences.calendar().zone if self.services is not None else None
            when = record.next_due_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
            self.next_step.setText(f"Next step overdue since {when}" if overdue
                                   else f"Next step due {when}")
        emphasise(self.next_step, ALARM if overdue else None)
        self.review_note.setText(f"Needs review: {reason_text(record.review_reason)}" if record.review_reason
                                 else "Needs review")
        self.review_note.setVisible(record.needs_review)
        self._show_capture_note(record)

    def _show_capture_note(self, record: LeadRecord) -> None:
        lines = []
        if lacks_contact_person({"first_name": record.first_name, "last_name": record.last_name}):
            lines.append("No contact person: nobody is named; ask who to speak to.")
        originals = describe_originals(record.original_values)
        if originals:
            lines.append(f"Original values: {originals} (no rule could translate them)")
        self.capture_note.setText("\n".join(lines))
        set_tone(self.capture_note, WARNING if lines else None)
        self.capture_note.setVisible(bool(lines))

    # -- follow-up ----------------------------------------------------------------------------
    def attach_followup(self, services: Any) -> None:
        self.services = self.tasks.services = services

    def _after_touch(self) -> None:
        self.refresh_record()
        self.touched.emit()

    def refresh_record(self) -> None:
        """Re-read the lead (after a touch: next step, first touch) and show it again."""
        if self.record is None:
            return
        try:
            record = self.leads.get(self.record.id)
        except LeadlineError:
            return
        self.show_lead(record)
        self.saved.emit(record)

    def _load_history(self) -> None:
        assert self.record is not None
        rows = self.leads.history(self.record.id)
        self.history_model.set_rows(rows)
        self.tabs.setTabText(1, f"&History ({len(rows):,})")

    def _load_card_pictures(self) -> None:
        assert self.record is not None
        pictures = self.services.card_pictures.pictures_of(self.record.id) \
            if self.services is not None else []
        self.card_pictures.show_pictures(pictures)
        self.tabs.setTabVisible(self.tabs.indexOf(self.card_pictures), bool(pictures))

    def _update_buttons(self) -> None:
        dirty = self.record is not None and self.form.is_dirty()
        self.save_button.setEnabled(dirty)
        self.revert_button.setEnabled(dirty)

    # -- actions ------------------------------------------------------------------------------
    def has_unsaved_changes(self) -> bool:
        return self.record is not None and self.form.is_dirty()

    def save(self) -> bool:
        """Validate and store the edits as one undoable step. False if nothing was stored."""
        if self.record is None:
            return False
        changes = self.form.changes()
        if not changes:
            return True
        return self._store(self.record, changes)

    def _store(self, before: LeadRecord, changes: dict[str, Any]) -> bool:
        """Save ``changes`` over the lead as ``before`` shows it (one undoable step)."""
        try:
            after = self.leads.update(before.id, to_service_values(changes), opened=before)
        except EditConflictError as conflict:
            return self._settle_conflict(conflict, changes)
        except ValidationError as error:
            self.form.show_errors(error)
            return False
        except LeadlineError as error:
            messages.error(self, "Could not save the lead", str(error))
            return False
        self.undo_stack.push(UpdateLeadCommand(self.leads, before, after, list(changes),
                                               self._after_undo))
        self._stored(after)
        return True

    def _settle_conflict(self, conflict: EditConflictError, changes: dict[str, Any]) -> bool:
        """Someone saved the same fields meanwhile: show both values; keep theirs or yours."""
        assert self.record is not None
        zone = self.services.cadences.calendar().zone if self.services is not None else None
        answer = messages.choose(self, "Changed while you were editing",
                                 edit_conflict_question(conflict, zone),
                                 ["Reload theirs", "Keep yours"])
        if answer == 0:
            fresh = self.leads.get(self.record.id)
            clashing = {v.field for v in conflict.values}
            self.show_lead(fresh)
            for name, value in changes.items():  # the other edits stay in the form, unsaved
                if name not in clashing:
                    self.form.set_value(name, value)
            self._update_buttons()
            self.saved.emit(fresh)
            return False
        if answer == 1:  # over what is stored now (should it change again, they are asked again)
            return self._store(self.leads.get(self.record.id), changes)
        return False

    def revert(self) -> None:
        if self.record is not None:
            self.form.load(self.record)
            self._update_buttons()

    def add_note(self) -> None:
        if self.record is None:
            return
        try:
            self.leads.add_note(self.record.id, self.note_edit.toPlainText())
        except ValidationError as error:
            messages.error(self, "Note not added", str(error))
            return
        self.note_edit.clear()
        self._load_history()

    def _after_undo(self, record: LeadRecord) -> None:
        if self.record is not None and record.id == self.record.id:
            self.show_lead(record if record.deleted_at is None else None)
        self.saved.emit(record)

    def _stored(self, record: LeadRecord) -> None:
        self.show_lead(record)
        self.saved.emit(record)

