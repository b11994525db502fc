"""Qualifier questions at the booth: one big, keyboard-friendly editor per question.

Follow-up questions appear and disappear as answers change (app.domain.qualifiers decides
which), so staff only see what applies to the visitor in front of them. The panel returns raw
values; the service normalises and validates them.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from PySide6.QtCore import QRegularExpression, Signal
from PySide6.QtGui import QColor, QPalette, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import ValidationError
from app.domain.qualifiers import (
    MULTI_SEPARATOR,
    NO,
    YES,
    AnswerKind,
    QuestionRecord,
    split_multiple,
    visible_questions,
)
from app.ui.style import alarm_colour

_FONT_SCALE = 1.25
_MAX_RADIOS = 4
_NUMBER_PATTERN = r"^-?\d{0,15}([.,]\d{0,6})?$"


class _Editor(QWidget):
    """One question's answer widgets; reports changes and gives back a raw text value."""

    changed = Signal()

    def __init__(self, question: QuestionRecord, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.question = question
        self.focusables: list[QWidget] = []
        self._buttons: list[QAbstractButton] = []
        self._combo: QComboBox | None = None
        self._line: QLineEdit | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        kind = question.kind
        if kind is AnswerKind.YES_NO:
            self._add_buttons(layout, [YES, NO], QPushButton, exclusive_toggle=True)
        elif kind is AnswerKind.SINGLE_CHOICE and len(question.choices) <= _MAX_RADIOS:
            self._add_buttons(layout, list(question.choices), QRadioButton, exclusive_toggle=True)
        elif kind is AnswerKind.SINGLE_CHOICE:
            self._combo = QComboBox()
            self._combo.addItem("—", "")
            for choice in question.choices:
                self._combo.addItem(choice, choice)
            self._combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
            layout.addWidget(self._combo)
            self.focusables.append(self._combo)
        elif kind is AnswerKind.MULTIPLE_CHOICE:
            self._add_buttons(layout, list(question.choices), QCheckBox, exclusive_toggle=False)
        else:
            self._line = QLineEdit()
            if kind is AnswerKind.NUMBER:
                self._line.setValidator(QRegularExpressionValidator(
                    QRegularExpression(_NUMBER_PATTERN), self._line))
                self._line.setPlaceholderText("number")
                self._line.setMaximumWidth(220)
            self._line.textChanged.connect(lambda _t: self.changed.emit())
            layout.addWidget(self._line, 1)
            self.focusables.append(self._line)
        if self._line is None or kind is AnswerKind.NUMBER:
            layout.addStretch(1)

    def _add_buttons(self, layout: QHBoxLayout, values: list[str],
                     button_type: type[QAbstractButton], *, exclusive_toggle: bool) -> None:
        # Not a Qt-exclusive group: Qt's exclusive groups cannot be cleared by a click, and a
        # wrong tap at the booth must be undoable without picking another answer.
        group = QButtonGroup(self)
        group.setExclusive(False)
        for value in values:
            button = button_type(value.capitalize() if button_type is QPushButton else value)
            button.setCheckable(True)
            button.setProperty("answer", value)
            if isinstance(button, QPushButton):
                button.setMinimumWidth(90)
            group.addButton(button)
            layout.addWidget(button)
            self._buttons.append(button)
            self.focusables.append(button)
            button.toggled.connect(
                lambda checked, b=button: self._toggled(b, checked, exclusive_toggle))

    def _toggled(self, button: QAbstractButton, checked: bool, exclusive: bool) -> None:
        if checked and exclusive:
            for other in self._buttons:
                if other is not button and other.isChecked():
                    other.blockSignals(True)
                    other.setChecked(False)
                    other.blockSignals(False)
        self.changed.emit()

    def value(self) -> str:
        if self._line is not None:
            return self._line.text().strip()
        if self._combo is not None:
            return str(self._combo.currentData() or "")
        chosen = [str(b.property("answer")) for b in self._buttons if b.isChecked()]
        return MULTI_SEPARATOR.join(chosen)

    def set_value(self, value: str) -> None:
        if self._line is not None:
            self._line.setText(value)
        elif self._combo is not None:
            index = next((i for i in range(self._combo.count())
                          if str(self._combo.itemData(i)).casefold() == value.casefold()), 0)
            self._combo.setCurrentIndex(index)
        else:
            wanted = {part.casefold() for part in split_multiple(value)}
            for button in self._buttons:
                button.blockSignals(True)
                button.setChecked(str(button.property("answer")).casefold() in wanted)
                button.blockSignals(False)
            self.changed.emit()


class _Row(QWidget):
    """Label, editor and error line of one question."""

    def __init__(self, question: QuestionRecord, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.question = question
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        layout.setSpacing(2)
        marker = " *" if question.required else ""
        self.label = QLabel(f"{question.prompt}{marker}")
        self.label.setWordWrap(True)
        bold = self.label.font()
        bold.setBold(True)
        self.label.setFont(bold)
        if question.parent_id is not None:
            layout.setContentsMargins(24, 4, 0, 4)  # indented under the question it follows
        self.editor = _Editor(question)
        self.error = QLabel()
        palette = self.error.palette()  # a palette, not a style sheet, keeps the larger font
        palette.setColor(QPalette.ColorRole.WindowText, QColor(alarm_colour()))
        self.error.setPalette(palette)
        self.error.setWordWrap(True)
        self.error.hide()
        self.label.setBuddy(self.editor.focusables[0] if self.editor.focusables else self.editor)
        layout.addWidget(self.label)
        layout.addWidget(self.editor)
        layout.addWidget(self.error)

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))


class QualifierPanel(QWidget):
    """The qualifier questions for one lead. ``changed`` fires on every edited answer."""

    changed = Signal()

    def __init__(self, questions: Sequence[QuestionRecord] = (),
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        font = self.font()
        if font.pointSizeF() > 0:  # booth laptops are read standing up, at arm's length
            font.setPointSizeF(font.pointSizeF() * _FONT_SCALE)
            self.setFont(font)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._rows: dict[uuid.UUID, _Row] = {}
        self._questions: list[QuestionRecord] = []
        self._visible: set[uuid.UUID] = set()
        self.set_questions(questions)

    # -- building ------------------------------------------------------------------------------
    def set_questions(self, questions: Sequence[QuestionRecord]) -> None:
        """Rebuild the editors; answers typed so far are dropped."""
        for row in self._rows.values():
            self._layout.removeWidget(row)
            row.deleteLater()
        self._rows.clear()
        while self._layout.count():
            self._layout.takeAt(0)
        self._questions = list(questions)
        # Tree order (follow-ups under their parent) even for questions hidden right now.
        order = _tree_order(self._questions)
        for question in order:
            row = _Row(question, self)
            row.editor.changed.connect(lambda r=row: self._edited(r))
            self._layout.addWidget(row)
            self._rows[question.id] = row
        self._layout.addStretch(1)
        self._chain_tab_order(order)
        self._refresh_visibility()

    def _chain_tab_order(self, order: Sequence[QuestionRecord]) -> None:
        widgets = [w for q in order for w in self._rows[q.id].editor.focusables]
        for first, second in zip(widgets, widgets[1:], strict=False):
            QWidget.setTabOrder(first, second)

    # -- answers -------------------------------------------------------------------------------
    def answers(self) -> dict[uuid.UUID, str]:
        """Raw answers of the questions now shown (``""`` where nothing was given)."""
        return {q.id: self._rows[q.id].editor.value() for q in self._questions
                if q.id in self._visible}

    def all_answers(self) -> dict[uuid.UUID, str]:
        """Every answer given, shown or not (a follow-up hidden again keeps its answer)."""
        return {qid: row.editor.value() for qid, row in self._rows.items()}

    @property
    def questions(self) -> list[QuestionRecord]:
        return list(self._questions)

    def set_answers(self, answers: dict[uuid.UUID, str]) -> None:
        """Show stored answers; questions not mentioned are cleared."""
        self.blockSignals(True)
        try:
            for qid, row in self._rows.items():
                row.editor.blockSignals(True)
                row.editor.set_value(answers.get(qid, ""))
                row.editor.blockSignals(False)
                row.show_error("")
        finally:
            self.blockSignals(False)
        self._refresh_visibility()
        self.changed.emit()

    def clear(self) -> None:
        """Ready for the next visitor."""
        self.set_answers({})

    def is_shown(self, question_id: uuid.UUID) -> bool:
        """Whether the question applies now (independent of the panel being on screen)."""
        return question_id in self._visible

    # -- errors and focus ----------------------------------------------------------------------
    def show_errors(self, error: ValidationError) -> list[str]:
        """Put each message under its question; returns messages that fit no question."""
        for row in self._rows.values():
            row.show_error("")
        unplaced: list[str] = []
        for item in error.errors:
            target = self._row_for_field(item.field)
            if target is None:
                unplaced.append(str(item))
            else:
                target.show_error(item.message)
        return unplaced

    def error_text(self, question_id: uuid.UUID) -> str:
        row = self._rows.get(question_id)
        return row.error.text() if row is not None and not row.error.isHidden() else ""

    def _row_for_field(self, field: str) -> _Row | None:
        prefix, _, text = field.partition(":")
        if prefix != "question":
            return None
        try:
            return self._rows.get(uuid.UUID(text))
        except ValueError:
            return None

    def first_editor(self) -> QWidget | None:
        """The widget to focus when a new visitor steps up."""
        for question in _tree_order(self._questions):
            if question.id in self._visible and self._rows[question.id].editor.focusables:
                return self._rows[question.id].editor.focusables[0]
        return None

    def editor_widgets(self, question_id: uuid.UUID) -> list[QWidget]:
        """The input widgets of one question (for tests and focus handling)."""
        return list(self._rows[question_id].editor.focusables)

    # -- internals -----------------------------------------------------------------------------
    def _edited(self, row: _Row) -> None:
        row.show_error("")
        self._refresh_visibility()
        self.changed.emit()

    def _refresh_visibility(self) -> None:
        shown = {q.id for q in visible_questions(self._questions, self.all_answers())}
        self._visible = shown
        for qid, row in self._rows.items():
            row.setHidden(qid not in shown)


def _tree_order(questions: Sequence[QuestionRecord]) -> list[QuestionRecord]:
    """Every question, each follow-up under its parent, as the booth should read them."""
    ordered = sorted(questions, key=lambda q: (q.position, str(q.id)))
    known = {q.id for q in ordered}
    children: dict[uuid.UUID | None, list[QuestionRecord]] = {}
    for question in ordered:
        parent = question.parent_id if question.parent_id in known else None
        children.setdefault(parent, []).append(question)
    result: list[QuestionRecord] = []
    seen: set[uuid.UUID] = set()

    def walk(question: QuestionRecord) -> None:
        if question.id in seen:
            return
        seen.add(question.id)
        result.append(question)
        for child in children.get(question.id, ()):
            walk(child)

    for root in children.get(None, ()):
        walk(root)
    result.extend(q for q in ordered if q.id not in seen)  # cycles: still listed, never shown
    return result
