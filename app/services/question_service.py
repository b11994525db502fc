"""Qualifier questions: the admin defines them, the booth records a lead's answers.

Questions are global (``event_id`` None) or belong to one event; a follow-up question names a
parent and the parent's answer that opens it. Answers are validated against the questions the
lead's event shows and stored as canonical text (see app.domain.qualifiers), with one history
row per recording so the lead's timeline shows what was answered.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy.orm import Session

from app.domain.errors import FieldError, NotFoundError, ValidationError
from app.domain.history import ActivityKind
from app.domain.ids import new_id
from app.domain.qualifiers import (
    AnswerKind,
    QuestionRecord,
    check_answers,
    question_field,
    summarise_answers,
)
from app.services.context import ServiceContext
from app.storage.orm import Event
from app.storage.repositories.history import HistoryRepository
from app.storage.repositories.leads import LeadRepository
from app.storage.repositories.questions import QuestionRepository

MAX_PROMPT = 500
MAX_CHOICE = 200
_KEEP: Any = object()  # "leave as it is" for update() arguments where None means something


class QuestionService:
    def __init__(self, context: ServiceContext,
                 observers: list[Callable[[Session, uuid.UUID, bool], None]] | None = None
                 ) -> None:
        self.context = context
        self.db = context.db
        # The lead service's observers: answers count for the score like any field.
        self.observers = observers if observers is not None else []

    # -- defining questions ----------------------------------------------------------------
    def add(self, prompt: str, kind: AnswerKind | str, *, choices: Sequence[str] = (),
            required: bool = False, event_id: uuid.UUID | None = None,
            parent_id: uuid.UUID | None = None, parent_answer: str = "") -> QuestionRecord:
        """Validate everything first, so one message lists every problem."""
        now = self.context.clock()
        with self.db.write() as session:
            repo = QuestionRepository(session)
            draft = QuestionRecord(id=new_id(), prompt=prompt, kind=_kind(kind),
                                   choices=tuple(choices), required=required, event_id=event_id,
                                   position=repo.next_position(), parent_id=parent_id,
                                   parent_answer=parent_answer)
            record = _checked(session, repo, draft, is_new=True)
            return repo.add(record, now=now, device_id=self.context.device_id)

    def update(self, question_id: uuid.UUID, *, prompt: str | None = None,
               kind: AnswerKind | str | None = None, choices: Sequence[str] | None = None,
               required: bool | None = None, parent_id: uuid.UUID | None = _KEEP,
               parent_answer: str | None = None) -> QuestionRecord:
        """Change what is given; ``parent_id=None`` makes the question always shown."""
        now = self.context.clock()
        with self.db.write() as session:
            repo = QuestionRepository(session)
            current = _existing(repo, question_id)
            draft = replace(
                current,
                prompt=current.prompt if prompt is None else prompt,
                kind=current.kind if kind is None else _kind(kind),
                choices=current.choices if choices is None else tuple(choices),
                required=current.required if required is None else required,
                parent_id=current.parent_id if parent_id is _KEEP else parent_id,
                parent_answer=(current.parent_answer if parent_answer is None
                               else parent_answer))
            if parent_id is None and parent_answer is None:
                draft = replace(draft, parent_answer="")
            record = _checked(session, repo, draft, is_new=False)
            return repo.update(record, now=now, device_id=self.context.device_id)

    def move(self, question_id: uuid.UUID, step: int) -> list[QuestionRecord]:
        """Move a question up (negative) or down among its scope; returns the new order."""
        now = self.context.clock()
        with self.db.write() as session:
            repo = QuestionRepository(session)
            current = _existing(repo, question_id)
            ordered = repo.in_scope(current.event_id)
            index = next(i for i, q in enumerate(ordered) if q.id == question_id)
            target = max(0, min(len(ordered) - 1, index + step))
            if target != index:
                positions = [q.position for q in ordered]
                ordered.insert(target, ordered.pop(index))
                for question, position in zip(ordered, positions, strict=True):
                    if question.position != position:
                        repo.update(replace(question, position=position), now=now,
                                    device_id=self.context.device_id)
            return repo.in_scope(current.event_id)

    def delete(self, question_id: uuid.UUID) -> int:
        """Remove a question and every follow-up under it; returns how many were removed."""
        now = self.context.clock()
        with self.db.write() as session:
            repo = QuestionRepository(session)
            _existing(repo, question_id)
            pending, removed = [question_id], 0
            while pending:
                current = pending.pop()
                pending.extend(child.id for child in repo.children(current))
                removed += repo.delete(current, now=now, device_id=self.context.device_id)
            return removed

    def question(self, question_id: uuid.UUID) -> QuestionRecord:
        with self.db.read() as session:
            return _existing(QuestionRepository(session), question_id)

    def questions_for_event(self, event_id: uuid.UUID | None) -> list[QuestionRecord]:
        """What the booth asks for this event: the global questions plus the event's own."""
        with self.db.read() as session:
            return QuestionRepository(session).for_event(event_id)

    def questions_in_scope(self, event_id: uuid.UUID | None) -> list[QuestionRecord]:
        """Only the event's own questions, or only the global ones: what an admin edits."""
        with self.db.read() as session:
            return QuestionRepository(session).in_scope(event_id)

    # -- answers ---------------------------------------------------------------------------
    def record_answers(self, lead_id: uuid.UUID,
                       raw_answers: Mapping[uuid.UUID, Any]) -> dict[uuid.UUID, str]:
        """Store the lead's whole questionnaire: one transaction, nothing saved if invalid.

        Answers to hidden or emptied questions are removed; one history row summarises the
        change. Returns the canonical answers now stored.
        """
        with self.db.write() as session:
            return self.record_answers_in(session, lead_id, raw_answers)

    def record_answers_in(self, session: Session, lead_id: uuid.UUID,
                          raw_answers: Mapping[uuid.UUID, Any], *,
                          notify: bool = True) -> dict[uuid.UUID, str]:
        """record_answers inside a caller's write transaction (e.g. booth capture saves the
        lead and its answers together); as LeadService.create_in, for services only."""
        now = self.context.clock()
        lead = LeadRepository(session).find(lead_id)
        if lead is None:
            raise NotFoundError(f"No lead with id {lead_id}")
        repo = QuestionRepository(session)
        questions = repo.for_event(lead.event_id)
        known = {q.id for q in questions}
        errors = [FieldError(question_field(qid), "is not asked for this lead's event")
                  for qid in raw_answers if qid not in known]
        try:
            cleaned = check_answers(questions, raw_answers)
        except ValidationError as exc:
            errors.extend(exc.errors)
        if errors:
            raise ValidationError(errors)
        previous = repo.answers_for(lead_id)
        changed = repo.save_answers(lead_id, cleaned, now=now,
                                    device_id=self.context.device_id, clear=known)
        if changed:
            before = {qid: v for qid, v in previous.items() if qid in known}
            HistoryRepository(session).record(
                lead_id, ActivityKind.FIELD_CHANGED, now=now, device=self.context.device_id,
                actor=self.context.current_user_id, field="answers",
                old_value=summarise_answers(questions, before),
                new_value=summarise_answers(questions, cleaned),
                text="Qualifier answers recorded")
            for observer in self.observers if notify else ():
                observer(session, lead_id, False)
        return cleaned

    def answers_for(self, lead_id: uuid.UUID) -> dict[uuid.UUID, str]:
        with self.db.read() as session:
            return QuestionRepository(session).answers_for(lead_id)


def _kind(kind: AnswerKind | str) -> AnswerKind:
    try:
        return AnswerKind(kind)
    except ValueError:
        kinds = ", ".join(k.value for k in AnswerKind)
        raise ValidationError.single("kind", f"'{kind}' is not a kind of answer ({kinds})") from None


def _existing(repo: QuestionRepository, question_id: uuid.UUID) -> QuestionRecord:
    record = repo.get(question_id)
    if record is None:
        raise NotFoundError(f"No question with id {question_id}")
    return record


def _clean_choices(kind: AnswerKind, choices: Sequence[str],
                   errors: list[FieldError]) -> tuple[str, ...]:
    if not kind.has_choices:
        return ()
    cleaned: list[str] = []
    for raw in choices:
        choice = " ".join(str(raw).split())
        if not choice or choice.casefold() in (c.casefold() for c in cleaned):
            continue
        if ";" in choice:
            errors.append(FieldError("choices", f"'{choice}' contains ';', which separates "
                                                "several answers: reword it"))
        elif len(choice) > MAX_CHOICE:
            errors.append(FieldError("choices", f"'{choice[:30]}…' is too long"))
        cleaned.append(choice)
    if len(cleaned) < 2:
        errors.append(FieldError("choices", "needs at least two different choices"))
    return tuple(cleaned)


def _checked(session: Session, repo: QuestionRepository, draft: QuestionRecord, *,
             is_new: bool) -> QuestionRecord:
    """The draft cleaned up, or ValidationError listing every problem."""
    errors: list[FieldError] = []
    prompt = " ".join(draft.prompt.split())
    if not prompt:
        errors.append(FieldError("prompt", "is empty: type the question to ask"))
    elif len(prompt) > MAX_PROMPT:
        errors.append(FieldError("prompt", f"is too long: keep it under {MAX_PROMPT} characters"))
    choices = _clean_choices(draft.kind, draft.choices, errors)
    if is_new and draft.event_id is not None and session.get(Event, draft.event_id) is None:
        errors.append(FieldError("event", "no such event"))
    record = replace(draft, prompt=prompt, choices=choices)
    record = _checked_parent(repo, record, errors, is_new=is_new)
    if not is_new:
        _check_children(repo, record, errors)
    if errors:
        raise ValidationError(errors)
    return record


def _checked_parent(repo: QuestionRepository, record: QuestionRecord,
                    errors: list[FieldError], *, is_new: bool) -> QuestionRecord:
    if record.parent_id is None:
        return replace(record, parent_answer="")
    parent = repo.get(record.parent_id)
    if parent is None:
        errors.append(FieldError("parent", "no such question"))
        return record
    if not parent.kind.can_branch:
        errors.append(FieldError("parent", f"'{parent.prompt}' has {parent.kind.label.lower()} "
                                           "answers: only yes/no and choice questions can "
                                           "open a follow-up"))
        return record
    if parent.event_id is not None and parent.event_id != record.event_id:
        errors.append(FieldError("parent", "belongs to another event: a follow-up must be in "
                                           "the same event or follow a global question"))
    if not is_new and _leads_back(repo, parent.id, record.id):
        errors.append(FieldError("parent", "would make the question depend on itself"))
    wanted = record.parent_answer.strip().casefold()
    match = next((o for o in parent.options if o.casefold() == wanted), None)
    if match is None:
        listed = ", ".join(parent.options)
        errors.append(FieldError("parent_answer", f"pick one of the answers of '{parent.prompt}' "
                                                  f"({listed})"))
        return record
    return replace(record, parent_answer=match)


def _leads_back(repo: QuestionRepository, start: uuid.UUID, target: uuid.UUID) -> bool:
    """Whether walking up from ``start`` reaches ``target`` (a cycle if it became the parent)."""
    seen: set[uuid.UUID] = set()
    current: uuid.UUID | None = start
    while current is not None and current not in seen:
        if current == target:
            return True
        seen.add(current)
        row = repo.get(current)
        current = row.parent_id if row is not None else None
    return False


def _check_children(repo: QuestionRepository, record: QuestionRecord,
                    errors: list[FieldError]) -> None:
    """Editing a parent must not strand its follow-ups on an answer it no longer offers."""
    children = repo.children(record.id)
    if not children:
        return
    if not record.kind.can_branch:
        errors.append(FieldError("kind", f"'{children[0].prompt}' follows this question's "
                                         "answer: keep a yes/no or choice kind"))
        return
    options = {o.casefold() for o in record.options}
    for child in children:
        if child.parent_answer.casefold() not in options:
            errors.append(FieldError("choices", f"'{child.prompt}' shows when the answer is "
                                                f"'{child.parent_answer}': keep that choice"))
