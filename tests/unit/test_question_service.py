"""QuestionService and QuestionRepository: defining questions, scoping, recording answers."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from app.domain.errors import NotFoundError, ValidationError
from app.domain.history import ActivityKind
from app.domain.qualifiers import AnswerKind
from app.services.container import Services
from app.services.question_service import QuestionService
from app.storage.orm import Answer, Question
from app.storage.repositories.questions import decode_choices, encode_choices
from tests.conftest import FakeClock

pytestmark = pytest.mark.both_databases


@pytest.fixture
def questions(services: Services) -> QuestionService:
    return QuestionService(services.context)


def _answer_rows(services: Services, lead_id: uuid.UUID, *, live_only: bool = True) -> int:
    with services.context.db.read() as session:
        statement = select(func.count()).select_from(Answer).where(Answer.lead_id == lead_id)
        if live_only:
            statement = statement.where(Answer.deleted_at.is_(None))
        return session.scalar(statement) or 0


def _lead(services: Services, **fields: object) -> uuid.UUID:
    return services.leads.create({"first_name": "Ada", "last_name": "Booth",
                                  "email": "ada@example.com", **fields}).id


def test_required_flag_travels_in_the_choices_json() -> None:
    assert decode_choices(encode_choices(["A", "B"], True)) == (("A", "B"), True)
    assert decode_choices('["A", "B"]') == (("A", "B"), False)  # rows written before the flag
    assert decode_choices("") == ((), False)


def test_add_get_update_round_trip(questions: QuestionService, services: Services) -> None:
    added = questions.add("  Which products? ", AnswerKind.MULTIPLE_CHOICE,
                          choices=["Pumps", " Valves ", "pumps", ""], required=True)
    assert added.prompt == "Which products?"
    assert added.choices == ("Pumps", "Valves")  # trimmed, blanks and duplicates dropped
    assert questions.question(added.id) == added
    with services.context.db.read() as session:
        row = session.get(Question, added.id)
        assert row is not None and row.device_id == services.context.device_id
        assert row.updated_at is not None and row.answer_kind == "multiple_choice"
    changed = questions.update(added.id, prompt="Products of interest", required=False,
                               choices=["Pumps", "Valves", "Seals"])
    assert (changed.prompt, changed.required, changed.choices) == (
        "Products of interest", False, ("Pumps", "Valves", "Seals"))
    assert questions.question(added.id) == changed


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"prompt": " ", "kind": "yes_no"}, "prompt"),
    ({"prompt": "Q", "kind": "colour"}, "kind"),
    ({"prompt": "Q", "kind": "single_choice", "choices": ["A", "a"]}, "choices"),
    ({"prompt": "Q", "kind": "multiple_choice", "choices": ["A; B", "C"]}, "choices"),
    ({"prompt": "Q", "kind": "text", "parent_id": uuid.uuid4(), "parent_answer": "yes"},
     "parent"),
    ({"prompt": "Q", "kind": "text", "event_id": uuid.uuid4()}, "event"),
])
def test_invalid_definitions_are_refused(questions: QuestionService, kwargs: dict[str, object],
                                         field: str) -> None:
    kwargs = dict(kwargs)  # the same parameters serve both databases
    prompt, kind = kwargs.pop("prompt"), kwargs.pop("kind")
    with pytest.raises(ValidationError) as caught:
        questions.add(str(prompt), str(kind), **kwargs)  # type: ignore[arg-type]
    assert caught.value.for_field(field)
    assert questions.questions_for_event(None) == []


def test_parent_must_branch_and_answer_must_be_one_of_its_answers(
        questions: QuestionService) -> None:
    budget = questions.add("Budget?", "yes_no")
    amount = questions.add("Amount", "number", parent_id=budget.id, parent_answer="YES")
    assert amount.parent_answer == "yes"
    with pytest.raises(ValidationError, match="parent_answer"):
        questions.add("Why not?", "text", parent_id=budget.id, parent_answer="maybe")
    with pytest.raises(ValidationError) as caught:
        questions.add("Currency", "text", parent_id=amount.id, parent_answer="5")
    assert "only yes/no and choice questions" in str(caught.value.for_field("parent"))


def test_no_cycles_and_parent_edits_keep_children_reachable(questions: QuestionService) -> None:
    a = questions.add("A", "yes_no")
    b = questions.add("B", "single_choice", choices=["x", "y"], parent_id=a.id,
                      parent_answer="yes")
    c = questions.add("C", "yes_no", parent_id=b.id, parent_answer="x")
    with pytest.raises(ValidationError, match="depend on itself"):
        questions.update(a.id, parent_id=c.id, parent_answer="yes")
    with pytest.raises(ValidationError, match="keep that choice"):
        questions.update(b.id, choices=["y", "z"])
    with pytest.raises(ValidationError, match="kind"):
        questions.update(b.id, kind="text")
    assert questions.update(c.id, parent_id=None).parent_id is None


def test_event_questions_come_with_the_global_ones(questions: QuestionService,
                                                   services: Services) -> None:
    show = services.events.add("Hannover Messe", country="DE")
    other = services.events.add("Bauma", country="DE")
    common = questions.add("Budget?", "yes_no")
    own = questions.add("Hall visited?", "single_choice", choices=["Hall 1", "Hall 2"],
                        event_id=show.id)
    questions.add("Other show only", "text", event_id=other.id)
    assert [q.id for q in questions.questions_for_event(show.id)] == [common.id, own.id]
    assert [q.id for q in questions.questions_for_event(None)] == [common.id]
    assert [q.id for q in questions.questions_in_scope(show.id)] == [own.id]
    with pytest.raises(ValidationError, match="another event"):
        questions.add("Follow-up", "text", event_id=other.id, parent_id=own.id,
                      parent_answer="Hall 1")


def test_move_reorders_within_scope(questions: QuestionService) -> None:
    first, second, third = (questions.add(p, "yes_no") for p in ("One", "Two", "Three"))
    order = questions.move(third.id, -1)
    assert [q.id for q in order] == [first.id, third.id, second.id]
    assert [q.id for q in questions.move(first.id, -1)] == [first.id, third.id, second.id]
    assert [q.prompt for q in questions.move(first.id, 5)] == ["Three", "Two", "One"]


def test_delete_hides_question_and_its_follow_ups(questions: QuestionService) -> None:
    a = questions.add("A", "yes_no")
    b = questions.add("B", "yes_no", parent_id=a.id, parent_answer="yes")
    questions.add("C", "text", parent_id=b.id, parent_answer="no")
    keep = questions.add("D", "text")
    assert questions.delete(a.id) == 3
    assert [q.id for q in questions.questions_for_event(None)] == [keep.id]
    with pytest.raises(NotFoundError):
        questions.question(b.id)


def test_answers_replaced_not_duplicated_with_one_history_row_each_time(
        questions: QuestionService, services: Services, clock: FakeClock) -> None:
    budget = questions.add("Budget?", "yes_no", required=True)
    amount = questions.add("How much?", "number", parent_id=budget.id, parent_answer="yes")
    lead_id = _lead(services)
    assert questions.record_answers(lead_id, {budget.id: "Y", amount.id: "1 500"}) == {
        budget.id: "yes", amount.id: "1500"}
    clock.advance(minutes=5)
    questions.record_answers(lead_id, {budget.id: "yes", amount.id: "2000"})
    assert questions.answers_for(lead_id) == {budget.id: "yes", amount.id: "2000"}
    assert _answer_rows(services, lead_id) == 2
    assert _answer_rows(services, lead_id, live_only=False) == 3  # old amount soft-deleted
    clock.advance(minutes=5)
    questions.record_answers(lead_id, {budget.id: "no", amount.id: "2000"})
    assert questions.answers_for(lead_id) == {budget.id: "no"}  # hidden follow-up dropped
    questions.record_answers(lead_id, {budget.id: "no"})  # nothing changed: no new history
    changes = [a for a in services.leads.history(lead_id) if a.field == "answers"]
    assert [a.kind for a in changes] == [ActivityKind.FIELD_CHANGED] * 3
    assert changes[0].old_value == "Budget?: yes\nHow much?: 2000"
    assert changes[0].new_value == "Budget?: no"


def test_invalid_or_missing_answers_refused_naming_the_question_and_nothing_saved(
        questions: QuestionService, services: Services) -> None:
    budget = questions.add("Budget?", "yes_no", required=True)
    size = questions.add("Company size", "number")
    lead_id = _lead(services)
    questions.record_answers(lead_id, {budget.id: "no", size.id: "10"})
    before = services.leads.history(lead_id)
    with pytest.raises(ValidationError) as caught:
        questions.record_answers(lead_id, {budget.id: "", size.id: "lots"})
    assert {e.field for e in caught.value.errors} == {f"question:{budget.id}",
                                                      f"question:{size.id}"}
    stranger = uuid.uuid4()
    with pytest.raises(ValidationError) as caught:
        questions.record_answers(lead_id, {budget.id: "yes", stranger: "x"})
    assert caught.value.for_field(f"question:{stranger}")
    assert questions.answers_for(lead_id) == {budget.id: "no", size.id: "10"}
    assert services.leads.history(lead_id) == before
    with pytest.raises(NotFoundError):
        questions.record_answers(uuid.uuid4(), {})


def test_lead_answers_only_its_events_questions(questions: QuestionService,
                                                services: Services) -> None:
    show = services.events.add("Hannover Messe", country="DE")
    other = services.events.add("Bauma", country="DE")
    hall = questions.add("Hall?", "single_choice", choices=["Hall 1", "Hall 2"], event_id=show.id)
    elsewhere = questions.add("Elsewhere?", "yes_no", event_id=other.id)
    lead_id = _lead(services, event=show.id)
    assert questions.record_answers(lead_id, {hall.id: "hall 2"}) == {hall.id: "Hall 2"}
    with pytest.raises(ValidationError, match="not asked for this lead's event"):
        questions.record_answers(lead_id, {elsewhere.id: "yes"})
