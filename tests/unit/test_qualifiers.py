"""Qualifier questions, pure: branching, canonical answers, validation."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.errors import ValidationError
from app.domain.qualifiers import (
    AnswerKind,
    QuestionRecord,
    check_answers,
    normalise_answer,
    summarise_answers,
    visible_questions,
)


def _q(prompt: str, kind: AnswerKind, *, choices: tuple[str, ...] = (), position: int = 0,
       parent: QuestionRecord | None = None, when: str = "",
       required: bool = False) -> QuestionRecord:
    return QuestionRecord(id=uuid.uuid4(), prompt=prompt, kind=kind, choices=choices,
                          position=position, required=required,
                          parent_id=parent.id if parent else None, parent_answer=when)


BUDGET = _q("Budget?", AnswerKind.YES_NO, position=1, required=True)
AMOUNT = _q("How much?", AnswerKind.NUMBER, position=5, parent=BUDGET, when="yes")
PRODUCTS = _q("Products", AnswerKind.MULTIPLE_CHOICE, choices=("Pumps", "Valves", "Seals"),
              position=2)
VALVE_SIZE = _q("Valve size", AnswerKind.SINGLE_CHOICE, choices=("DN50", "DN100"), position=3,
                parent=PRODUCTS, when="Valves")
NOTES = _q("Notes", AnswerKind.TEXT, position=4)
ALL = [NOTES, VALVE_SIZE, AMOUNT, PRODUCTS, BUDGET]


def test_labels_and_branching_kinds() -> None:
    assert AnswerKind.YES_NO.label == "Yes / no"
    assert {k for k in AnswerKind if k.can_branch} == {
        AnswerKind.YES_NO, AnswerKind.SINGLE_CHOICE, AnswerKind.MULTIPLE_CHOICE}


def test_top_level_questions_in_position_order_with_follow_ups_under_parents() -> None:
    shown = visible_questions(ALL, {BUDGET.id: "yes", PRODUCTS.id: "Valves; Pumps"})
    assert shown == [BUDGET, AMOUNT, PRODUCTS, VALVE_SIZE, NOTES]


def test_follow_up_hidden_until_parent_answer_matches() -> None:
    assert AMOUNT not in visible_questions(ALL, {})
    assert AMOUNT not in visible_questions(ALL, {BUDGET.id: "no"})
    assert AMOUNT in visible_questions(ALL, {BUDGET.id: "Y"})  # any spelling of yes


def test_multiple_choice_parent_opens_child_when_value_among_chosen() -> None:
    assert VALVE_SIZE in visible_questions(ALL, {PRODUCTS.id: "pumps; valves"})
    assert VALVE_SIZE not in visible_questions(ALL, {PRODUCTS.id: "Pumps"})


def test_grandchild_hidden_when_parent_hidden_even_if_its_answer_matches() -> None:
    size_note = _q("Why DN100?", AnswerKind.TEXT, position=9, parent=VALVE_SIZE, when="DN100")
    questions = [*ALL, size_note]
    assert size_note in visible_questions(questions, {PRODUCTS.id: "Valves",
                                                      VALVE_SIZE.id: "DN100"})
    assert size_note not in visible_questions(questions, {PRODUCTS.id: "Pumps",
                                                          VALVE_SIZE.id: "DN100"})


def test_orphans_and_cycles_are_never_shown() -> None:
    a_id, b_id = uuid.uuid4(), uuid.uuid4()
    a = QuestionRecord(a_id, "A", AnswerKind.YES_NO, parent_id=b_id, parent_answer="yes")
    b = QuestionRecord(b_id, "B", AnswerKind.YES_NO, parent_id=a_id, parent_answer="yes")
    orphan = QuestionRecord(uuid.uuid4(), "C", AnswerKind.TEXT, parent_id=uuid.uuid4(),
                            parent_answer="yes")
    assert visible_questions([a, b, orphan], {a_id: "yes", b_id: "yes"}) == []


@pytest.mark.parametrize(("question", "raw", "stored"), [
    (BUDGET, "YES", "yes"), (BUDGET, " n ", "no"), (BUDGET, True, "yes"), (BUDGET, "", ""),
    (AMOUNT, "1,5", "1.5"), (AMOUNT, "0012.50", "12.5"), (AMOUNT, 100, "100"),
    (AMOUNT, "-0", "0"), (AMOUNT, 2.25, "2.25"), (AMOUNT, "1e3", "1000"),
    (PRODUCTS, "seals; PUMPS", "Pumps; Seals"), (PRODUCTS, ["Valves", "pumps", "Valves"],
                                                 "Pumps; Valves"),
    (VALVE_SIZE, "dn50", "DN50"), (NOTES, "  needs   a demo ", "needs a demo"), (NOTES, None, ""),
])
def test_answers_stored_as_canonical_text(question: QuestionRecord, raw: object,
                                          stored: str) -> None:
    assert normalise_answer(question, raw) == stored


@pytest.mark.parametrize(("question", "raw", "message"), [
    (BUDGET, "maybe", "not yes or no"), (AMOUNT, "ten", "not a number"),
    (AMOUNT, True, "must be a number"), (AMOUNT, "nan", "ordinary number"),
    (PRODUCTS, "Pumps; Hoses", "'Hoses' is not one of the choices"),
    (VALVE_SIZE, "DN80", "not one of the choices (DN50, DN100)"), (NOTES, "x" * 501, "too long"),
])
def test_invalid_answers_raise_plain_messages(question: QuestionRecord, raw: object,
                                              message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        normalise_answer(question, raw)


def test_check_answers_drops_hidden_and_names_each_offending_question() -> None:
    cleaned = check_answers(ALL, {BUDGET.id: "no", AMOUNT.id: "500", PRODUCTS.id: "pumps"})
    assert cleaned == {BUDGET.id: "no", PRODUCTS.id: "Pumps"}  # AMOUNT hidden: dropped
    with pytest.raises(ValidationError) as caught:
        check_answers(ALL, {AMOUNT.id: "500", PRODUCTS.id: "Valves", VALVE_SIZE.id: "huge"})
    fields = {e.field for e in caught.value.errors}
    assert fields == {f"question:{BUDGET.id}", f"question:{VALVE_SIZE.id}"}
    assert caught.value.for_field(f"question:{BUDGET.id}") == "needs an answer"


def test_summary_lists_answers_in_question_order() -> None:
    answers = {PRODUCTS.id: "Pumps", BUDGET.id: "yes", AMOUNT.id: "5000"}
    assert summarise_answers(ALL, answers) == "Budget?: yes\nHow much?: 5000\nProducts: Pumps"


# -- property: a follow-up never shows without its parent ------------------------------------
@st.composite
def _trees(draw: st.DrawFn) -> tuple[list[QuestionRecord], dict[uuid.UUID, str]]:
    count = draw(st.integers(min_value=1, max_value=12))
    ids = [uuid.UUID(int=i + 1) for i in range(count)]
    questions: list[QuestionRecord] = []
    for index, qid in enumerate(ids):
        kind = draw(st.sampled_from([AnswerKind.YES_NO, AnswerKind.SINGLE_CHOICE,
                                     AnswerKind.MULTIPLE_CHOICE]))
        choices = () if kind is AnswerKind.YES_NO else ("a", "b", "c")
        # Any earlier or later question (even itself) may be the parent: cycles included.
        parent = draw(st.none() | st.sampled_from(ids))
        options = ("yes", "no") if parent is None else ("yes", "no", "a", "b", "c")
        questions.append(QuestionRecord(
            id=qid, prompt=f"Q{index}", kind=kind, choices=choices,
            position=draw(st.integers(0, 5)), parent_id=parent,
            parent_answer=draw(st.sampled_from(options)) if parent else ""))
    values = st.sampled_from(["", "yes", "no", "a", "b", "c", "a; c", "b; a"])
    answers = draw(st.dictionaries(st.sampled_from(ids), values))
    return questions, answers


@settings(max_examples=300, deadline=None)
@given(_trees())
def test_visible_child_always_has_a_visible_matching_parent(
        tree: tuple[list[QuestionRecord], dict[uuid.UUID, str]]) -> None:
    questions, answers = tree
    shown = visible_questions(questions, answers)
    shown_ids = [q.id for q in shown]
    assert len(shown_ids) == len(set(shown_ids))
    by_id = {q.id: q for q in questions}
    for question in shown:
        if question.parent_id is None:
            continue
        assert question.parent_id in shown_ids
        assert shown_ids.index(question.parent_id) < shown_ids.index(question.id)
        parent = by_id[question.parent_id]
        chosen = normalise_answer(parent, answers.get(parent.id, "")).casefold().split("; ")
        assert question.parent_answer.casefold() in chosen
    # And every root question is always asked.
    assert {q.id for q in questions if q.parent_id is None} <= set(shown_ids)
