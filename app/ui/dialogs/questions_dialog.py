"""Admins define the qualifier questions of one event (or the global ones asked at every event).

A list on the left, the selected question's editor on the right. Every change is saved through
QuestionService at once, so there is no "unsaved changes" state to lose; errors appear inline
under the editor.
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import LeadlineError, ValidationError
from app.domain.qualifiers import AnswerKind, QuestionRecord
from app.services.question_service import QuestionService
from app.ui import messages
from app.ui.style import alarm_colour
from app.ui.wording import counted

_ALWAYS = "always"
_FIELD_LABELS = {"prompt": "Question", "kind": "Kind", "choices": "Choices",
                 "parent": "Show only when", "parent_answer": "Answer", "event": "Event"}


class QuestionsDialog(QDialog):
    """List, add, edit, reorder and delete the questions of one scope."""

    def __init__(self, service: QuestionService, event_id: uuid.UUID | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.event_id = event_id
        self.changed = False
        self._editing: uuid.UUID | None = None
        self._available: list[QuestionRecord] = []
        self.setWindowTitle("Qualifier questions" if event_id else
                            "Qualifier questions for every event")
        self.resize(820, 480)

        self.question_list = QListWidget()
        self.question_list.setAccessibleName("Qualifier questions in order")
        self.question_list.currentItemChanged.connect(lambda _c, _p: self._load_selected())
        self.new_button = QPushButton("&New question")
        self.up_button = QPushButton("Move &up")
        self.down_button = QPushButton("Move &down")
        self.delete_button = QPushButton("De&lete")
        self.new_button.clicked.connect(self.start_new)
        self.up_button.clicked.connect(lambda: self.move_selected(-1))
        self.down_button.clicked.connect(lambda: self.move_selected(1))
        self.delete_button.clicked.connect(self.delete_selected)
        list_buttons = QHBoxLayout()
        for button in (self.new_button, self.up_button, self.down_button, self.delete_button):
            list_buttons.addWidget(button)
        left = QVBoxLayout()
        left.addWidget(self.question_list, 1)
        left.addLayout(list_buttons)

        self.prompt_edit = QLineEdit()
        self.prompt_edit.setPlaceholderText("e.g. Do you have a budget this year?")
        self.kind_combo = QComboBox()
        for kind in AnswerKind:
            self.kind_combo.addItem(kind.label, kind.value)
        self.kind_combo.currentIndexChanged.connect(lambda _i: self._kind_changed())
        self.choices_edit = QPlainTextEdit()
        self.choices_edit.setPlaceholderText("One choice per line")
        self.choices_edit.setTabChangesFocus(True)
        self.required_check = QCheckBox("An answer is required")
        self.parent_combo = QComboBox()
        self.parent_combo.currentIndexChanged.connect(lambda _i: self._fill_parent_answers())
        self.parent_answer_combo = QComboBox()
        self.parent_combo.setAccessibleName("Show only when this question")
        self.parent_answer_combo.setAccessibleName("is answered")
        self.error_label = QLabel()
        self.error_label.setStyleSheet(f"color: {alarm_colour()};")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.save_button = QPushButton("&Save question")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        condition = QHBoxLayout()
        condition.addWidget(self.parent_combo, 2)
        condition.addWidget(QLabel("is"))
        condition.addWidget(self.parent_answer_combo, 1)
        form = QFormLayout()
        form.addRow("&Question:", self.prompt_edit)
        form.addRow("&Kind:", self.kind_combo)
        self.choices_label = QLabel("&Choices:")
        self.choices_label.setBuddy(self.choices_edit)
        form.addRow(self.choices_label, self.choices_edit)
        form.addRow("", self.required_check)
        condition_label = QLabel("Show &only when:")
        condition_label.setBuddy(self.parent_combo)
        form.addRow(condition_label, condition)
        right = QVBoxLayout()
        right.addLayout(form)
        right.addWidget(self.error_label)
        right.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignRight)
        right.addStretch(1)

        body = QHBoxLayout()
        body.addLayout(left, 1)
        body.addLayout(right, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addLayout(body)
        layout.addWidget(buttons)
        self.reload()
        self.start_new()

    @classmethod
    def ask(cls, service: QuestionService, event_id: uuid.UUID | None,
            parent: QWidget | None = None) -> bool:
        """Show the dialog; True if any question was added, changed, moved or deleted."""
        dialog = cls(service, event_id, parent)
        dialog.exec()
        return dialog.changed

    # -- list ----------------------------------------------------------------------------------
    def reload(self, select: uuid.UUID | None = None) -> None:
        self._available = self.service.questions_for_event(self.event_id)
        by_id = {q.id: q for q in self._available}
        self.question_list.blockSignals(True)
        self.question_list.clear()
        for question in self.service.questions_in_scope(self.event_id):
            text = f"{question.prompt}{' *' if question.required else ''}  ({question.kind.label})"
            parent = by_id.get(question.parent_id) if question.parent_id else None
            if parent is not None:
                text = f"    ↳ {text}: when '{parent.prompt}' is {question.parent_answer}"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, question)
            self.question_list.addItem(item)
            if question.id == select:
                self.question_list.setCurrentItem(item)
        self.question_list.blockSignals(False)
        self._update_buttons()

    def selected(self) -> QuestionRecord | None:
        item = self.question_list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def _update_buttons(self) -> None:
        has = self.selected() is not None
        for button in (self.up_button, self.down_button, self.delete_button):
            button.setEnabled(has)

    def _load_selected(self) -> None:
        question = self.selected()
        self._update_buttons()
        if question is None:
            return
        self._editing = question.id
        self.prompt_edit.setText(question.prompt)
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(question.kind.value))
        self.choices_edit.setPlainText("\n".join(question.choices))
        self.required_check.setChecked(question.required)
        self._fill_parents(question.parent_id)
        self._fill_parent_answers(question.parent_answer)
        self._show_error(None)
        self._kind_changed()

    def start_new(self) -> None:
        """Empty editor for a new question."""
        self._editing = None
        self.question_list.blockSignals(True)
        self.question_list.setCurrentItem(None)
        self.question_list.clearSelection()
        self.question_list.blockSignals(False)
        self._update_buttons()
        self.prompt_edit.clear()
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(AnswerKind.YES_NO.value))
        self.choices_edit.clear()
        self.required_check.setChecked(False)
        self._fill_parents(None)
        self._show_error(None)
        self._kind_changed()
        self.prompt_edit.setFocus()

    # -- editor --------------------------------------------------------------------------------
    def _kind_changed(self) -> None:
        kind = AnswerKind(self.kind_combo.currentData())
        self.choices_edit.setEnabled(kind.has_choices)
        self.choices_label.setEnabled(kind.has_choices)

    def _fill_parents(self, current: uuid.UUID | None) -> None:
        """Questions this one may follow: branching kinds, not itself or its own follow-ups."""
        excluded = self._descendants(self._editing) if self._editing else set()
        self.parent_combo.blockSignals(True)
        self.parent_combo.clear()
        self.parent_combo.addItem("(always show)", _ALWAYS)
        for question in self._available:
            if question.kind.can_branch and question.id not in excluded:
                self.parent_combo.addItem(question.prompt, str(question.id))
        index = self.parent_combo.findData(str(current)) if current else 0
        self.parent_combo.setCurrentIndex(max(index, 0))
        self.parent_combo.blockSignals(False)
        self._fill_parent_answers()

    def _descendants(self, question_id: uuid.UUID) -> set[uuid.UUID]:
        found = {question_id}
        grew = True
        while grew:
            grew = False
            for question in self._available:
                if question.parent_id in found and question.id not in found:
                    found.add(question.id)
                    grew = True
        return found

    def _parent(self) -> QuestionRecord | None:
        data = self.parent_combo.currentData()
        if data in (None, _ALWAYS):
            return None
        return next((q for q in self._available if str(q.id) == data), None)

    def _fill_parent_answers(self, current: str = "") -> None:
        parent = self._parent()
        self.parent_answer_combo.clear()
        self.parent_answer_combo.setEnabled(parent is not None)
        if parent is None:
            return
        for option in parent.options:
            self.parent_answer_combo.addItem(option, option)
        index = self.parent_answer_combo.findData(current) if current else 0
        self.parent_answer_combo.setCurrentIndex(max(index, 0))

    def _choices(self) -> list[str]:
        return [line.strip() for line in self.choices_edit.toPlainText().splitlines()
                if line.strip()]

    def save(self) -> QuestionRecord | None:
        """Add or update the question in the editor; errors stay in the dialog."""
        kind = AnswerKind(self.kind_combo.currentData())
        parent = self._parent()
        prompt = self.prompt_edit.text()
        choices = self._choices() if kind.has_choices else []
        required = self.required_check.isChecked()
        parent_id = parent.id if parent is not None else None
        parent_answer = str(self.parent_answer_combo.currentData() or "") if parent else ""
        try:
            if self._editing is None:
                record = self.service.add(prompt, kind, choices=choices, required=required,
                                          event_id=self.event_id, parent_id=parent_id,
                                          parent_answer=parent_answer)
            else:
                record = self.service.update(self._editing, prompt=prompt, kind=kind,
                                             choices=choices, required=required,
                                             parent_id=parent_id, parent_answer=parent_answer)
        except ValidationError as exc:
            self._show_error(exc)
            return None
        except LeadlineError as exc:
            self._show_error(ValidationError.single("question", str(exc)))
            return None
        self.changed = True
        self.reload(select=record.id)
        self._editing = record.id
        self._show_error(None)
        return record

    def move_selected(self, step: int) -> None:
        question = self.selected()
        if question is None:
            return
        self.service.move(question.id, step)
        self.changed = True
        self.reload(select=question.id)

    def delete_selected(self) -> None:
        question = self.selected()
        if question is None:
            return
        follow_ups = len(self._descendants(question.id)) - 1
        extra = f" and its {counted(follow_ups, 'follow-up question')}" if follow_ups else ""
        if not messages.confirm(self, "Delete question",
                                f"Delete '{question.prompt}'{extra}? Answers already given "
                                "stay in the leads' history.", "Delete"):
            return
        self.service.delete(question.id)
        self.changed = True
        self.reload()
        self.start_new()

    def _show_error(self, error: ValidationError | None) -> None:
        if error is None:
            self.error_label.clear()
            self.error_label.hide()
            return
        lines = [f"{_FIELD_LABELS.get(e.field, e.field.capitalize())}: {e.message}"
                 for e in error.errors]
        self.error_label.setText("\n".join(lines))
        self.error_label.show()
