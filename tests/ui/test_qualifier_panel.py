"""The booth qualifier panel and the admin questions dialog, driven through their widgets."""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QWidget,
)

from app.domain.errors import FieldError, ValidationError
from app.domain.qualifiers import AnswerKind, QuestionRecord
from app.services.container import Services
from app.services.question_service import QuestionService
from app.ui.dialogs.questions_dialog import QuestionsDialog
from app.ui.pages.booth.qualifier_panel import QualifierPanel

BUDGET = QuestionRecord(uuid.uuid4(), "Budget this year?", AnswerKind.YES_NO, required=True,
                        position=1)
AMOUNT = QuestionRecord(uuid.uuid4(), "How much?", AnswerKind.NUMBER, position=2,
                        parent_id=BUDGET.id, parent_answer="yes")
PRODUCTS = QuestionRecord(uuid.uuid4(), "Products", AnswerKind.MULTIPLE_CHOICE,
                          choices=("Pumps", "Valves", "Seals"), position=3)
HALL = QuestionRecord(uuid.uuid4(), "Hall", AnswerKind.SINGLE_CHOICE,
                      choices=("1", "2", "3", "4", "5"), position=4)
SIZE = QuestionRecord(uuid.uuid4(), "Size", AnswerKind.SINGLE_CHOICE, choices=("S", "L"),
                      position=5)
NOTE = QuestionRecord(uuid.uuid4(), "Note", AnswerKind.TEXT, position=6)
QUESTIONS = [NOTE, SIZE, HALL, PRODUCTS, AMOUNT, BUDGET]


def _panel(qtbot: Any) -> QualifierPanel:
    panel = QualifierPanel(QUESTIONS)
    qtbot.addWidget(panel)
    panel.show()
    return panel


def test_branching_shows_and_hides_the_follow_up(qtbot: Any) -> None:
    panel = _panel(qtbot)
    assert not panel.is_shown(AMOUNT.id)
    yes, no = panel.editor_widgets(BUDGET.id)
    assert isinstance(yes, QPushButton) and yes.text() == "Yes"
    with qtbot.waitSignal(panel.changed):
        qtbot.mouseClick(yes, Qt.MouseButton.LeftButton)
    assert panel.is_shown(AMOUNT.id)
    amount_edit = panel.editor_widgets(AMOUNT.id)[0]
    assert amount_edit.isVisible()
    qtbot.mouseClick(no, Qt.MouseButton.LeftButton)
    assert not yes.isChecked() and no.isChecked()
    assert not panel.is_shown(AMOUNT.id) and not amount_edit.isVisible()
    assert AMOUNT.id not in panel.answers()


def test_editors_fit_each_kind_and_answers_round_trip(qtbot: Any) -> None:
    panel = _panel(qtbot)
    assert all(isinstance(w, QCheckBox) for w in panel.editor_widgets(PRODUCTS.id))
    assert isinstance(panel.editor_widgets(HALL.id)[0], QComboBox)  # more than four choices
    assert all(isinstance(w, QRadioButton) for w in panel.editor_widgets(SIZE.id))
    assert len(panel.editor_widgets(BUDGET.id)) == 2  # yes and no buttons
    stored = {BUDGET.id: "yes", AMOUNT.id: "1500", PRODUCTS.id: "Pumps; Seals", HALL.id: "3",
              SIZE.id: "L", NOTE.id: "wants a demo"}
    panel.set_answers(stored)
    assert panel.answers() == stored
    panel.clear()
    assert panel.answers() == {BUDGET.id: "", PRODUCTS.id: "", HALL.id: "", SIZE.id: "",
                               NOTE.id: ""}


def test_number_editor_refuses_letters_and_tab_order_follows_questions(qtbot: Any) -> None:
    panel = _panel(qtbot)
    panel.set_answers({BUDGET.id: "yes"})
    amount = panel.editor_widgets(AMOUNT.id)[0]
    assert isinstance(amount, QLineEdit)
    qtbot.keyClicks(amount, "12a,5")
    assert amount.text() == "12,5"
    assert panel.first_editor() is panel.editor_widgets(BUDGET.id)[0]
    assert _next_tab_stop(panel.editor_widgets(BUDGET.id)[1]) is amount
    assert _next_tab_stop(amount) is panel.editor_widgets(PRODUCTS.id)[0]


def _next_tab_stop(widget: QWidget) -> QWidget:
    """The widget Tab moves to: the focus chain, skipping labels and hidden widgets."""
    candidate = widget.nextInFocusChain()
    while not (candidate.focusPolicy() & Qt.FocusPolicy.TabFocus and candidate.isVisible()):
        candidate = candidate.nextInFocusChain()
    return candidate


def test_errors_appear_under_their_question_and_clear_on_edit(qtbot: Any) -> None:
    panel = _panel(qtbot)
    unplaced = panel.show_errors(ValidationError([
        FieldError(f"question:{BUDGET.id}", "needs an answer"),
        FieldError("lead", "something else")]))
    assert panel.error_text(BUDGET.id) == "needs an answer"
    assert panel.error_text(NOTE.id) == ""
    assert unplaced == ["lead: something else"]
    qtbot.mouseClick(panel.editor_widgets(BUDGET.id)[1], Qt.MouseButton.LeftButton)
    assert panel.error_text(BUDGET.id) == ""


def test_panel_answers_are_accepted_by_the_service(qtbot: Any, services: Services) -> None:
    service = QuestionService(services.context)
    budget = service.add("Budget?", "yes_no", required=True)
    amount = service.add("How much?", "number", parent_id=budget.id, parent_answer="yes")
    panel = QualifierPanel(service.questions_for_event(None))
    qtbot.addWidget(panel)
    lead = services.leads.create({"first_name": "Ada", "last_name": "Booth"})
    panel.set_answers({budget.id: "yes", amount.id: "2,5"})
    assert service.record_answers(lead.id, panel.answers()) == {budget.id: "yes",
                                                                amount.id: "2.5"}


def test_dialog_adds_a_follow_up_question_through_its_widgets(qtbot: Any,
                                                              services: Services) -> None:
    service = QuestionService(services.context)
    dialog = QuestionsDialog(service, None)
    qtbot.addWidget(dialog)
    dialog.prompt_edit.setText("Budget this year?")
    dialog.required_check.setChecked(True)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.changed and dialog.question_list.count() == 1

    dialog.start_new()
    dialog.prompt_edit.setText("Which products?")
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("multiple_choice"))
    dialog.choices_edit.setPlainText("Pumps")
    dialog.parent_combo.setCurrentIndex(1)
    dialog.parent_answer_combo.setCurrentIndex(dialog.parent_answer_combo.findData("yes"))
    assert dialog.save() is None
    assert "Choices: needs at least two" in dialog.error_label.text()
    dialog.choices_edit.setPlainText("Pumps\nValves\n")
    record = dialog.save()
    assert record is not None and dialog.error_label.isHidden()
    budget, products = service.questions_in_scope(None)
    assert budget.required and budget.kind is AnswerKind.YES_NO
    assert (products.choices, products.parent_id, products.parent_answer) == (
        ("Pumps", "Valves"), budget.id, "yes")

    dialog.move_selected(-1)
    assert [q.prompt for q in service.questions_in_scope(None)] == ["Which products?",
                                                                    "Budget this year?"]


def test_dialog_deletes_a_question_with_its_follow_ups(qtbot: Any, services: Services,
                                                      confirmations: list[str]) -> None:
    service = QuestionService(services.context)
    show = services.events.add("Hannover Messe", country="DE")
    budget = service.add("Budget?", "yes_no", event_id=show.id)
    service.add("How much?", "number", event_id=show.id, parent_id=budget.id,
                parent_answer="yes")
    dialog = QuestionsDialog(service, show.id)
    qtbot.addWidget(dialog)
    assert dialog.question_list.count() == 2
    dialog.question_list.setCurrentRow(0)
    assert dialog.prompt_edit.text() == "Budget?"
    dialog.delete_selected()
    assert "1 follow-up" in confirmations[0]
    assert dialog.question_list.count() == 0 and dialog.changed
    assert service.questions_for_event(show.id) == []
